//! Pipeline semantics against the Hugging Face pipelines (tests/golden/make_pipeline_golden.py):
//! token classification with every aggregation strategy, with and without stride over text
//! longer than the window; text classification with top_k and function_to_apply.

mod common;
use common::*;
use serde_json::Value;
use tokenveil::pipelines::text_classification::{TextClassificationOptions, TextClassifier};
use tokenveil::pipelines::token_classification::{
    Entity, TokenClassificationOptions, TokenClassifier,
};
use tokenveil::ModelBundle;

/// Python code-point offset -> byte offset in `text`.
fn byte_offset(text: &str, chars: u64) -> usize {
    text.char_indices()
        .nth(chars as usize)
        .map_or(text.len(), |(b, _)| b)
}

pub fn check_token_case(classifier: &TokenClassifier, case: &Value, what: &str) -> f32 {
    let text = case["text"].as_str().unwrap();
    let mut opts = TokenClassificationOptions {
        aggregation_strategy: case["aggregation_strategy"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap(),
        stride: case["stride"].as_u64().map(|s| s as usize),
        ..Default::default()
    };
    if let Some(labels) = case.get("ignore_labels") {
        opts.ignore_labels = labels
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l.as_str().unwrap().to_string())
            .collect();
    }
    let ours: Vec<Entity> = classifier.classify(text, &opts).unwrap();
    let theirs = case["entities"].as_array().unwrap();
    let ctx = format!(
        "{what} {:?} stride {:?} text {:.40?}",
        opts.aggregation_strategy, opts.stride, text
    );
    assert_eq!(
        ours.len(),
        theirs.len(),
        "{ctx}\nours: {ours:#?}\ntheirs: {theirs:#?}"
    );
    let mut worst = 0f32;
    for (o, t) in ours.iter().zip(theirs) {
        let label = t
            .get("entity_group")
            .or(t.get("entity"))
            .unwrap()
            .as_str()
            .unwrap();
        assert_eq!(o.label(), label, "{ctx}: {o:?} vs {t}");
        assert_eq!(
            o.entity_group.is_some(),
            t.get("entity_group").is_some(),
            "{ctx}"
        );
        assert_eq!(o.word, t["word"].as_str().unwrap(), "{ctx}");
        assert_eq!(
            o.start,
            byte_offset(text, t["start"].as_u64().unwrap()),
            "{ctx}: {o:?} vs {t}"
        );
        assert_eq!(
            o.end,
            byte_offset(text, t["end"].as_u64().unwrap()),
            "{ctx}: {o:?} vs {t}"
        );
        assert_eq!(
            o.index,
            t.get("index").and_then(Value::as_u64).map(|i| i as usize),
            "{ctx}"
        );
        worst = worst.max((o.score - t["score"].as_f64().unwrap() as f32).abs());
    }
    assert!(worst <= 1e-4, "{ctx}: score differs by {worst}");
    worst
}

#[test]
fn token_classification_matches_hugging_face() {
    let golden = golden("tests/golden/pipelines/tiny.json");
    for name in [
        "distilbert-token",
        "bert-token",
        "distilbert-token-nolabels",
    ] {
        let model =
            ModelBundle::from_path(root().join("tests/golden/tiny").join(name), None).unwrap();
        let classifier = TokenClassifier::new(model).unwrap();
        let cases = golden["models"][name].as_array().unwrap();
        let worst = cases
            .iter()
            .map(|c| check_token_case(&classifier, c, name))
            .fold(0.0, f32::max);
        eprintln!("{name}: {} cases, max |Δscore| {worst:.1e}", cases.len());
    }
}

#[test]
fn text_classification_matches_hugging_face() {
    let golden = golden("tests/golden/pipelines/tiny.json");
    for name in ["distilbert-seq", "bert-seq", "bert-seq-multilabel"] {
        let model =
            ModelBundle::from_path(root().join("tests/golden/tiny").join(name), None).unwrap();
        let classifier = TextClassifier::new(model).unwrap();
        for case in golden["models"][name].as_array().unwrap() {
            let text = case["text"].as_str().unwrap();
            let opts = TextClassificationOptions {
                top_k: case["top_k"].as_u64().map(|k| k as usize),
                function_to_apply: case["function_to_apply"].as_str().unwrap().parse().unwrap(),
                ..Default::default()
            };
            let ours = classifier.classify(text, &opts).unwrap();
            let theirs = case["labels"].as_array().unwrap();
            assert_eq!(ours.labels.len(), theirs.len(), "{name} {case}");
            for (o, t) in ours.labels.iter().zip(theirs) {
                assert_eq!(o.label, t["label"].as_str().unwrap(), "{name} {text:.30}");
                assert!(
                    (o.score - t["score"].as_f64().unwrap() as f32).abs() <= 1e-4,
                    "{name} {text:.30}"
                );
            }
            let long = text.split_whitespace().count() > 60;
            assert_eq!(ours.truncated, long, "{name} {text:.30}");
        }
    }
}

/// `function_to_apply: default` on a regression head applies nothing, as Hugging Face does
/// (the check comes before the one-label / multi-label rules).
#[test]
fn default_function_of_a_regression_head_is_none() {
    let dir = root().join("tests/golden/tiny/distilbert-seq");
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap();
    let weights = std::fs::read(dir.join("model.safetensors")).unwrap();
    let mut config: serde_json::Value = serde_json::from_str(&read("config.json")).unwrap();
    let text = "a gorgeous, witty, seductive movie.";
    let scores = |config: &serde_json::Value, f: &str| {
        let model = ModelBundle::from_parts(&config.to_string(), &read("tokenizer.json"), &weights)
            .unwrap();
        let opts = TextClassificationOptions {
            top_k: None,
            function_to_apply: f.parse().unwrap(),
            ..Default::default()
        };
        let mut labels = TextClassifier::new(model)
            .unwrap()
            .classify(text, &opts)
            .unwrap()
            .labels;
        labels.sort_by(|a, b| a.label.cmp(&b.label));
        labels.iter().map(|l| l.score).collect::<Vec<f32>>()
    };
    assert_ne!(scores(&config, "default"), scores(&config, "none"));
    config["problem_type"] = "regression".into();
    assert_eq!(scores(&config, "default"), scores(&config, "none"));
}

/// Long text is never truncated: entities come from every part of a long document.
#[test]
fn long_text_is_windowed_not_truncated() {
    let model =
        ModelBundle::from_path(root().join("tests/golden/tiny/distilbert-token"), None).unwrap();
    let classifier = TokenClassifier::new(model).unwrap();
    let text = "tokyo john smith paris. ".repeat(400); // ~2,400 tokens, 40 windows of 62
    let opts = TokenClassificationOptions {
        ignore_labels: vec![],
        ..Default::default()
    };
    let tokens = classifier.classify(&text, &opts).unwrap();
    // aggregation none over windows: every content token exactly once, in order.
    let enc_len: usize = text.split_whitespace().count();
    assert!(
        tokens.len() >= enc_len,
        "{} tokens for {enc_len} words",
        tokens.len()
    );
    assert!(
        tokens.windows(2).all(|w| w[0].start < w[1].start),
        "tokens out of order or repeated"
    );
    assert!(tokens.last().unwrap().end >= text.trim_end().len() - 1);
    for strategy in ["simple", "first", "average", "max"] {
        let opts = TokenClassificationOptions {
            aggregation_strategy: strategy.parse().unwrap(),
            ignore_labels: vec![],
            ..Default::default()
        };
        let entities = classifier.classify(&text, &opts).unwrap();
        let covered: usize = entities.iter().map(|e| e.end - e.start).sum();
        assert!(
            covered * 10 >= text.replace(' ', "").len() * 9,
            "{strategy}: {covered} bytes covered"
        );
        assert!(
            entities.windows(2).all(|w| w[0].end <= w[1].start),
            "{strategy}: overlapping entities"
        );
    }
}

#[test]
fn batches_equal_single_calls() {
    let model = ModelBundle::from_path(root().join("tests/golden/tiny/bert-token"), None).unwrap();
    let classifier = TokenClassifier::new(model).unwrap();
    let texts = [
        "John Smith",
        "",
        "a much longer sentence about Tokyo and Paris and John",
        "x",
    ];
    let opts = TokenClassificationOptions {
        aggregation_strategy: "simple".parse().unwrap(),
        batch_size: 3,
        ..Default::default()
    };
    let batch = classifier.classify_batch(&texts, &opts).unwrap();
    for (text, got) in texts.iter().zip(batch) {
        let single = classifier.classify(text, &opts).unwrap();
        assert_eq!(got.len(), single.len());
        for (a, b) in got.iter().zip(&single) {
            assert_eq!((a.label(), a.start, a.end), (b.label(), b.start, b.end));
            assert!((a.score - b.score).abs() < 1e-5);
        }
    }
}

#[test]
fn bad_options_are_errors() {
    let model = ModelBundle::from_path(root().join("tests/golden/tiny/bert-token"), None).unwrap();
    let classifier = TokenClassifier::new(model).unwrap();
    let opts = TokenClassificationOptions {
        stride: Some(62),
        ..Default::default()
    };
    assert_eq!(
        classifier.classify("hi", &opts).unwrap_err().code(),
        "invalid_option"
    );
    let opts = TokenClassificationOptions {
        batch_size: 0,
        ..Default::default()
    };
    assert_eq!(
        classifier.classify("hi", &opts).unwrap_err().code(),
        "invalid_option"
    );
    assert_eq!(
        "mean"
            .parse::<tokenveil::pipelines::token_classification::AggregationStrategy>()
            .unwrap_err()
            .code(),
        "invalid_option"
    );
    let seq = ModelBundle::from_path(root().join("tests/golden/tiny/bert-seq"), None).unwrap();
    assert_eq!(
        TokenClassifier::new(seq).err().unwrap().code(),
        "invalid_option"
    );
}

/// The real PII model (f32 path) through the Hugging Face pipeline: every strategy, and a
/// text of ~700 tokens with stride 64.
#[test]
fn rampart_pipeline_matches_hugging_face() {
    let Some(dir) = cached_model("models/.cache/rampart/hf") else {
        return;
    };
    let classifier = TokenClassifier::new(ModelBundle::from_path(dir, None).unwrap()).unwrap();
    let golden = golden("tests/golden/pipelines/rampart.json");
    let cases = golden["cases"].as_array().unwrap();
    let worst = cases
        .iter()
        .map(|c| check_token_case(&classifier, c, "rampart"))
        .fold(0.0, f32::max);
    eprintln!("rampart: {} cases, max |Δscore| {worst:.1e}", cases.len());
}
