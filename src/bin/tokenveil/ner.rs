//! `tokenveil ner`: entities of one text, or of every record with `--jsonl`.

use crate::args::NerArgs;
use crate::jsonl::{self, Outcome};
use crate::{print_json, text_or_stdin, units};
use std::process::ExitCode;
use tokenveil::pipelines::token_classification::{TokenClassificationOptions, TokenClassifier};
use tokenveil::{ModelBundle, Result};

pub fn run(args: &NerArgs, json: bool) -> Result<ExitCode> {
    let classifier = TokenClassifier::new(ModelBundle::from_path(&args.model, None)?)?;
    let opts = TokenClassificationOptions {
        aggregation_strategy: args.aggregation,
        stride: args.stride,
        ignore_labels: args
            .ignore_labels
            .split(',')
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect(),
        ..Default::default()
    };
    let unit = args.offsets;
    if args.bulk.jsonl {
        return jsonl::run(&args.bulk, |texts| {
            let outcome = |text: &str, entities| Outcome {
                text: None,
                result: Some((
                    "ner",
                    units::entities_json(&units::entities(text, entities, unit), unit),
                )),
            };
            match classifier.classify_batch(texts, &opts) {
                Ok(all) => texts
                    .iter()
                    .zip(all)
                    .map(|(t, e)| Ok(outcome(t, e)))
                    .collect(),
                // Text by text, so that each error lands on its own record.
                Err(_) => texts
                    .iter()
                    .map(|t| classifier.classify(t, &opts).map(|e| outcome(t, e)))
                    .collect(),
            }
        });
    }
    let text = text_or_stdin(&args.text)?;
    let entities = classifier.classify(&text, &opts)?;
    let shown: Vec<&str> = entities.iter().map(|e| &text[e.start..e.end]).collect();
    let entities = units::entities(&text, entities, unit);
    if json {
        print_json(&units::entities_json(&entities, unit))?;
        return Ok(ExitCode::SUCCESS);
    }
    for (e, s) in entities.iter().zip(shown) {
        println!(
            "{:>6}..{:<6} {:<20} {:.4}  {}",
            e.start,
            e.end,
            e.label(),
            e.score,
            s
        );
    }
    Ok(ExitCode::SUCCESS)
}
