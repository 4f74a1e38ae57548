//! `tokenveil classify`: labels of one text, or of every record with `--jsonl`.

use crate::args::ClassifyArgs;
use crate::jsonl::{self, Outcome};
use crate::{print_json, text_or_stdin, to_json};
use std::process::ExitCode;
use tokenveil::pipelines::text_classification::{
    TextClassification, TextClassificationOptions, TextClassifier,
};
use tokenveil::{ModelBundle, Result};

pub fn run(args: &ClassifyArgs, json: bool) -> Result<ExitCode> {
    let classifier = TextClassifier::new(ModelBundle::from_path(&args.model, None)?)?;
    let opts = TextClassificationOptions {
        top_k: args.top_k.0,
        function_to_apply: args.function,
        ..Default::default()
    };
    if args.bulk.jsonl {
        return jsonl::run(&args.bulk, |texts| {
            let outcome = |c: TextClassification| {
                Ok(Outcome {
                    text: None,
                    result: Some(("classification", to_json(&c)?)),
                })
            };
            match classifier.classify_batch(texts, &opts) {
                Ok(all) => all.into_iter().map(outcome).collect(),
                // Text by text, so that each error lands on its own record.
                Err(_) => texts
                    .iter()
                    .map(|t| classifier.classify(t, &opts).and_then(outcome))
                    .collect(),
            }
        });
    }
    let out = classifier.classify(&text_or_stdin(&args.text)?, &opts)?;
    if json {
        print_json(&out)?;
        return Ok(ExitCode::SUCCESS);
    }
    for l in &out.labels {
        println!("{:<20} {:.4}", l.label, l.score);
    }
    if out.truncated {
        println!("(text truncated to the model's window)");
    }
    Ok(ExitCode::SUCCESS)
}
