//! Per-token detail: every token with its offsets, logits, softmax probabilities and
//! predicted label. It feeds `tokenveil logits` and the demo's logits table.

use super::timing::{Clock, NoClock, Stopwatch, Timings};
use super::{argmax, softmax};
use crate::bundle::ModelBundle;
use crate::config::Head;
use crate::error::{Error, Result};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct TokenDetail {
    pub index: usize,
    pub token: String,
    pub id: u32,
    /// Byte offsets into the input text.
    pub start: usize,
    pub end: usize,
    pub special: bool,
    pub word_id: Option<u32>,
    pub logits: Vec<f32>,
    pub probabilities: Vec<f32>,
    pub label: String,
    pub score: f32,
}

#[derive(Debug, Clone, Serialize)]
pub struct TokenLogits {
    pub labels: Vec<String>,
    pub tokens: Vec<TokenDetail>,
    /// The text had more tokens than the model's window; windows come with the pipelines.
    pub truncated: bool,
}

/// Tokenize `text`, run the token-classification model, and describe every token.
pub fn token_logits(model: &ModelBundle, text: &str) -> Result<TokenLogits> {
    Ok(token_logits_timed(model, text, &NoClock)?.0)
}

/// [`token_logits`], with the time each stage took by `clock`.
pub fn token_logits_timed(
    model: &ModelBundle,
    text: &str,
    clock: &dyn Clock,
) -> Result<(TokenLogits, Timings)> {
    let mut watch = Stopwatch::start(clock);
    if model.head() != Head::TokenClassification {
        return Err(Error::InvalidOption(format!(
            "per-token logits need a token-classification model; this is {}",
            model.config.architecture
        )));
    }
    let enc = model.tokenizer.encode(text)?;
    let tokenize_ms = watch.lap();
    let logits = model.forward(&[&enc])?.squeeze(0)?.to_vec2::<f32>()?;
    let forward_ms = watch.lap();
    let labels = model.labels().to_vec();
    let tokens = logits
        .into_iter()
        .enumerate()
        .map(|(i, row)| {
            let probabilities = softmax(&row);
            let best = argmax(&row);
            TokenDetail {
                index: i,
                token: enc.tokens[i].clone(),
                id: enc.ids[i],
                start: enc.offsets[i].0,
                end: enc.offsets[i].1,
                special: enc.special_tokens_mask[i] == 1,
                word_id: enc.word_ids[i],
                label: labels[best].clone(),
                score: probabilities[best],
                logits: row,
                probabilities,
            }
        })
        .collect();
    let out = TokenLogits {
        labels,
        tokens,
        truncated: enc.truncated,
    };
    let timings = Timings {
        tokenize_ms,
        forward_ms,
        postprocess_ms: watch.lap(),
        tokens: enc.len(),
    };
    Ok((out, timings))
}
