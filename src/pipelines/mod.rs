//! What users call: token classification, text classification, per-token detail.

pub mod redaction;
pub mod text_classification;
pub mod timing;
pub mod token_classification;
pub mod token_details;

use crate::bundle::ModelBundle;
use crate::error::Result;
use crate::tokenize::Encoded;

/// Run windows through the model in batches of similar length (little padding) and return
/// each window's logits rows (`[tokens][labels]` for token heads, `[1][labels]` for sequence
/// heads), in the windows' order.
pub(crate) fn logits_per_window(
    model: &ModelBundle,
    windows: &[Encoded],
    batch_size: usize,
) -> Result<Vec<Vec<Vec<f32>>>> {
    let mut order: Vec<usize> = (0..windows.len()).collect();
    order.sort_by_key(|&i| windows[i].len());
    let mut out: Vec<Vec<Vec<f32>>> = vec![Vec::new(); windows.len()];
    for chunk in order.chunks(batch_size.max(1)) {
        let batch: Vec<&Encoded> = chunk.iter().map(|&i| &windows[i]).collect();
        let logits = model.forward(&batch)?;
        match logits.rank() {
            3 => {
                for (row, &i) in logits.to_vec3::<f32>()?.into_iter().zip(chunk) {
                    out[i] = row.into_iter().take(windows[i].len()).collect();
                }
            }
            _ => {
                for (row, &i) in logits.to_vec2::<f32>()?.into_iter().zip(chunk) {
                    out[i] = vec![row];
                }
            }
        }
    }
    Ok(out)
}

/// Numerically stable softmax in f64, returned as f32 (scores users read and compare).
pub fn softmax(logits: &[f32]) -> Vec<f32> {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max) as f64;
    let exps: Vec<f64> = logits.iter().map(|&x| (x as f64 - max).exp()).collect();
    let sum: f64 = exps.iter().sum();
    exps.iter().map(|e| (e / sum) as f32).collect()
}

/// Index of the largest value (first on ties, as numpy's argmax).
pub fn argmax(values: &[f32]) -> usize {
    let mut best = 0;
    for (i, &v) in values.iter().enumerate() {
        if v > values[best] {
            best = i;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn softmax_is_stable_and_sums_to_one() {
        let p = softmax(&[1000.0, 1001.0, -1000.0]);
        assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        assert!((p[1] - 0.7310586).abs() < 1e-6);
        assert_eq!(argmax(&[0.1, 0.5, 0.5]), 1);
    }
}
