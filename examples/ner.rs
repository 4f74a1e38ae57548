//! Named entities, as Hugging Face's `pipeline("token-classification",
//! aggregation_strategy="simple")` gives them: whole words grouped into entities, character
//! offsets.
//!
//! ```sh
//! cargo run --example ner -- [MODEL] [TEXT]   # default: the shipped NER model (repository root)
//! ```

use tokenveil::pipelines::token_classification::{
    AggregationStrategy, TokenClassificationOptions, TokenClassifier,
};
use tokenveil::ModelBundle;

const MODEL: &str = "models/ner/ner-q8_0.gguf";
const TEXT: &str = "My name is Sarah and I live in London";

/// `(label, word, start, end)` per entity; `start`/`end` count characters, as in Hugging Face.
fn entities(model: &str, text: &str) -> tokenveil::Result<Vec<(String, String, usize, usize)>> {
    let ner = TokenClassifier::new(ModelBundle::from_path(model, None)?)?;
    let opts = TokenClassificationOptions {
        aggregation_strategy: AggregationStrategy::Simple,
        ..Default::default()
    };
    let found = ner.classify(text, &opts)?;
    // The pipelines count UTF-8 bytes; Hugging Face counts characters.
    let chars = |byte: usize| text[..byte].chars().count();
    Ok(found
        .iter()
        .map(|e| {
            (
                e.label().to_string(),
                e.word.clone(),
                chars(e.start),
                chars(e.end),
            )
        })
        .collect())
}

fn main() -> tokenveil::Result<()> {
    let mut args = std::env::args().skip(1);
    let model = args.next().unwrap_or_else(|| MODEL.to_string());
    let text = args.next().unwrap_or_else(|| TEXT.to_string());
    for (label, word, start, end) in entities(&model, &text)? {
        println!("{label:<6} {start:>3}..{end:<3} {word}");
    }
    Ok(())
}

#[test]
fn finds_the_person_and_the_city() {
    let found = entities(MODEL, TEXT).unwrap();
    let labels: Vec<(&str, &str)> = found
        .iter()
        .map(|(l, w, ..)| (l.as_str(), w.as_str()))
        .collect();
    assert_eq!(labels, [("PER", "sarah"), ("LOC", "london")]);
    assert_eq!((found[0].2, found[0].3), (11, 16));
}
