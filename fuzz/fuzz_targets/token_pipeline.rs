//! Tokenization, windows and every aggregation strategy over any text and stride: a result or
//! an `invalid_option` error; entity offsets inside the text and on char boundaries.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use tokenveil::pipelines::token_classification::{
    AggregationStrategy, TokenClassificationOptions, TokenClassifier,
};
use tokenveil::ModelBundle;

const CONFIG: &str = include_str!("../../tests/golden/tiny/bert-token/config.json");
const TOKENIZER: &str = include_str!("../../tests/golden/tiny/bert-token/tokenizer.json");
const WEIGHTS: &[u8] = include_bytes!("../../tests/golden/tiny/bert-token/model.safetensors");

fn classifier() -> &'static TokenClassifier {
    static MODEL: OnceLock<TokenClassifier> = OnceLock::new();
    MODEL.get_or_init(|| {
        TokenClassifier::new(ModelBundle::from_parts(CONFIG, TOKENIZER, WEIGHTS).unwrap()).unwrap()
    })
}

const STRATEGIES: [AggregationStrategy; 5] = [
    AggregationStrategy::None,
    AggregationStrategy::Simple,
    AggregationStrategy::First,
    AggregationStrategy::Average,
    AggregationStrategy::Max,
];

fuzz_target!(|data: &[u8]| {
    let [strategy, stride, rest @ ..] = data else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let opts = TokenClassificationOptions {
        aggregation_strategy: STRATEGIES[*strategy as usize % STRATEGIES.len()],
        stride: Some(*stride as usize % 70),
        ignore_labels: vec![],
        ..Default::default()
    };
    match classifier().classify(&text, &opts) {
        Ok(entities) => {
            for e in entities {
                assert!(e.start <= e.end && e.end <= text.len());
                assert!(text.is_char_boundary(e.start) && text.is_char_boundary(e.end));
                assert!(e.score.is_finite());
            }
        }
        Err(e) => assert_eq!(e.code(), "invalid_option", "{e}"),
    }
});
