//! Sentiment with per-class scores, as Hugging Face's `pipeline("text-classification")`
//! (`top_k=None` for every label; the default, as there, is the best one).
//!
//! ```sh
//! cargo run --example sentiment -- [MODEL] [TEXT]   # default: the shipped SST-2 model
//! ```

use tokenveil::pipelines::text_classification::{TextClassificationOptions, TextClassifier};
use tokenveil::ModelBundle;

const MODEL: &str = "models/sst2/sst2-q8_0.gguf";
const TEXT: &str = "A moving, beautifully acted film.";

/// Every label with its score, best first.
fn scores(model: &str, text: &str) -> tokenveil::Result<Vec<(String, f32)>> {
    let classifier = TextClassifier::new(ModelBundle::from_path(model, None)?)?;
    let every_label = TextClassificationOptions {
        top_k: None,
        ..Default::default()
    };
    let out = classifier.classify(text, &every_label)?;
    Ok(out.labels.into_iter().map(|l| (l.label, l.score)).collect())
}

fn main() -> tokenveil::Result<()> {
    let mut args = std::env::args().skip(1);
    let model = args.next().unwrap_or_else(|| MODEL.to_string());
    let text = args.next().unwrap_or_else(|| TEXT.to_string());
    for (label, score) in scores(&model, &text)? {
        println!("{label:<10} {score:.4}");
    }
    Ok(())
}

#[test]
fn a_warm_review_is_positive_and_the_scores_sum_to_one() {
    let out = scores(MODEL, TEXT).unwrap();
    assert_eq!(out[0].0, "POSITIVE");
    assert!((out.iter().map(|(_, s)| s).sum::<f32>() - 1.0).abs() < 1e-5);
    assert_eq!(
        scores(MODEL, "Dull, lifeless and far too long.").unwrap()[0].0,
        "NEGATIVE"
    );
}
