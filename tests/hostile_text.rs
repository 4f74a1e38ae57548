//! Hostile text through every pipeline: empty, whitespace only, 1 MB of prose, 100,000 emoji,
//! combining-mark storms, mixed scripts, NUL and control characters. Every call returns a
//! result (or an error with a code); every offset falls on a char boundary inside the text;
//! windows over long text leave no word uncovered.
mod common;

use common::root;
use proptest::prelude::*;
use tokenveil::pipelines::text_classification::{TextClassificationOptions, TextClassifier};
use tokenveil::pipelines::token_classification::{
    AggregationStrategy, Entity, TokenClassificationOptions, TokenClassifier,
};
use tokenveil::pipelines::token_details::token_logits;
use tokenveil::redact::{redact, RedactorConfig};
use tokenveil::ModelBundle;

fn tiny(name: &str) -> ModelBundle {
    ModelBundle::from_path(root().join("tests/golden/tiny").join(name), None).unwrap()
}

fn hostile_texts() -> Vec<(&'static str, String)> {
    let paragraph = "The committee met in Geneva on Tuesday; Dr. Ada Lovelace presented \
                     the analytical engine's results to 40 delegates. ";
    let mut prose = paragraph.repeat(1_000_000 / paragraph.len() + 1);
    prose.truncate(1_000_000);
    vec![
        ("empty", String::new()),
        ("whitespace only", " \t\n\r\u{a0}\u{3000}  \n".repeat(50)),
        ("1 MB of prose", prose),
        ("100,000 emoji", "😀".repeat(100_000)),
        (
            "combining-mark storm",
            format!(
                "Zalgo{} text{} end",
                "\u{301}\u{308}\u{35c}".repeat(300),
                "\u{489}".repeat(500)
            ),
        ),
        (
            "mixed scripts",
            "Tokyo 東京 Москва القاهرة दिल्ली 서울 Αθήνα 👩‍👩‍👧 İstanbul ß".repeat(40),
        ),
        (
            "NUL and control characters",
            "a\0b\u{1}c\u{7}d\u{1b}[31m e\u{7f}f\u{85}g\u{2028}h\u{feff}i\u{200b}j \0\0\0 Ada"
                .repeat(30),
        ),
    ]
}

fn check_span(text: &str, start: usize, end: usize, what: &str) {
    assert!(
        start <= end && end <= text.len(),
        "{what}: {start}..{end} of {}",
        text.len()
    );
    assert!(
        text.is_char_boundary(start) && text.is_char_boundary(end),
        "{what}: {start}..{end} not on char boundaries"
    );
}

fn check_entities(text: &str, entities: &[Entity], what: &str) {
    for e in entities {
        check_span(text, e.start, e.end, what);
        assert!(
            e.score.is_finite() && (0.0..=1.0).contains(&e.score),
            "{what}: score {}",
            e.score
        );
    }
}

#[test]
fn every_pipeline_survives_hostile_text() {
    let tokens = TokenClassifier::new(tiny("distilbert-token")).unwrap();
    let texts = TextClassifier::new(tiny("bert-seq")).unwrap();
    for (what, text) in hostile_texts() {
        // Every strategy on the short texts; one on the huge ones (each pass reads ~5,000 windows).
        let strategies: &[AggregationStrategy] = if text.len() > 100_000 {
            &[AggregationStrategy::Simple]
        } else {
            &[
                AggregationStrategy::None,
                AggregationStrategy::Simple,
                AggregationStrategy::Max,
            ]
        };
        for &strategy in strategies {
            let opts = TokenClassificationOptions {
                aggregation_strategy: strategy,
                ignore_labels: vec![],
                batch_size: 32,
                ..Default::default()
            };
            let entities = tokens
                .classify(&text, &opts)
                .unwrap_or_else(|e| panic!("{what}: {e}"));
            check_entities(&text, &entities, what);
        }
        let detail = token_logits(tokens.model(), &text).unwrap();
        for t in detail.tokens.iter().filter(|t| !t.special) {
            check_span(&text, t.start, t.end, what);
        }
        let label = texts
            .classify(&text, &TextClassificationOptions::default())
            .unwrap();
        assert!(!label.labels.is_empty(), "{what}");
        assert!(label.labels.iter().all(|l| l.score.is_finite()), "{what}");
        let r = redact(&text, &[], &RedactorConfig::default()).unwrap();
        for s in &r.spans {
            check_span(&text, s.start, s.end, what);
        }
    }
}

/// Every alphanumeric char of the text lies inside some token that the `none` strategy
/// returned, whatever the window stride: long text is covered end to end.
fn assert_covered(text: &str, classifier: &TokenClassifier, stride: usize) {
    let opts = TokenClassificationOptions {
        aggregation_strategy: AggregationStrategy::None,
        ignore_labels: vec![],
        stride: Some(stride),
        ..Default::default()
    };
    let entities = classifier.classify(text, &opts).unwrap();
    check_entities(text, &entities, "coverage");
    let mut covered = vec![false; text.len()];
    for e in &entities {
        covered[e.start..e.end].iter_mut().for_each(|c| *c = true);
    }
    for (i, c) in text.char_indices() {
        if c.is_alphanumeric() {
            assert!(
                covered[i],
                "char {c:?} at byte {i} in no token (stride {stride})"
            );
        }
    }
    // Each token reported once: sorted, non-overlapping.
    for pair in entities.windows(2) {
        assert!(
            pair[0].end <= pair[1].start,
            "overlap {:?} {:?}",
            pair[0],
            pair[1]
        );
    }
}

#[test]
fn windows_cover_a_long_text() {
    let classifier = TokenClassifier::new(tiny("bert-token")).unwrap();
    let text = "Ada Lovelace met Charles Babbage in London. ".repeat(60);
    for stride in [0, 1, 8, 31, 61] {
        assert_covered(&text, &classifier, stride);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn windows_cover_any_text(
        words in prop::collection::vec("[a-zA-Z0-9]{1,12}|[\\p{L}\\p{M}]{1,6}|\\PC{1,3}", 0..160),
        stride in 0usize..62,
    ) {
        let classifier = TokenClassifier::new(tiny("bert-token")).unwrap();
        assert_covered(&words.join(" "), &classifier, stride);
    }
}
