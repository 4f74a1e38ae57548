//! What users call: token classification, text classification, per-token detail.

pub mod redaction;
pub mod text_classification;
pub mod timing;
pub mod token_classification;
pub mod token_details;

use crate::bundle::ModelBundle;
use crate::error::Result;
use crate::tokenize::Encoded;

/// Padded tokens one forward pass may hold. Activation memory grows with batch × length (and
/// attention scores with batch × length²), and wasm memory never shrinks: with eight 512-token
/// texts in one pass, Rampart Q4_0's page ended at 132.3 MiB of wasm memory in the bench; with
/// this limit, 44.6 MiB (bench/RESULTS.md, throughput page).
const MAX_PADDED_TOKENS_PER_PASS: usize = 512;

/// Run windows through the model in batches of similar length (little padding) and return
/// each window's logits rows (`[tokens][labels]` for token heads, `[1][labels]` for sequence
/// heads), in the windows' order.
pub(crate) fn logits_per_window(
    model: &ModelBundle,
    windows: &[Encoded],
    batch_size: usize,
) -> Result<Vec<Vec<Vec<f32>>>> {
    let lengths: Vec<usize> = windows.iter().map(Encoded::len).collect();
    let mut out: Vec<Vec<Vec<f32>>> = vec![Vec::new(); windows.len()];
    for pass in group_into_passes(&lengths, batch_size, MAX_PADDED_TOKENS_PER_PASS) {
        let batch: Vec<&Encoded> = pass.iter().map(|&i| &windows[i]).collect();
        let logits = model.forward(&batch)?;
        match logits.rank() {
            3 => {
                for (row, &i) in logits.to_vec3::<f32>()?.into_iter().zip(&pass) {
                    out[i] = row.into_iter().take(windows[i].len()).collect();
                }
            }
            _ => {
                for (row, &i) in logits.to_vec2::<f32>()?.into_iter().zip(&pass) {
                    out[i] = vec![row];
                }
            }
        }
    }
    Ok(out)
}

/// Window indices grouped into forward passes: shortest first (so a pass pads little), at most
/// `batch_size` windows and `max_padded_tokens` padded tokens a pass; a window longer than the
/// budget runs alone.
fn group_into_passes(
    lengths: &[usize],
    batch_size: usize,
    max_padded_tokens: usize,
) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..lengths.len()).collect();
    order.sort_by_key(|&i| lengths[i]);
    let mut passes: Vec<Vec<usize>> = Vec::new();
    let mut current: Vec<usize> = Vec::new();
    for i in order {
        // Sorted ascending, so the newcomer sets the pass's padded length.
        let padded = (current.len() + 1) * lengths[i];
        if !current.is_empty() && (current.len() == batch_size.max(1) || padded > max_padded_tokens)
        {
            passes.push(std::mem::take(&mut current));
        }
        current.push(i);
    }
    if !current.is_empty() {
        passes.push(current);
    }
    passes
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

    #[test]
    fn passes_respect_batch_size_and_token_budget() {
        // Two full windows never share a pass; short ones fill up to batch_size.
        assert_eq!(
            group_into_passes(&[512, 300, 512], 8, 512),
            vec![vec![1], vec![0], vec![2]]
        );
        assert_eq!(
            group_into_passes(&[16; 5], 2, 512),
            vec![vec![0, 1], vec![2, 3], vec![4]]
        );
        assert_eq!(
            group_into_passes(&[128, 20, 128, 128, 128], 8, 512),
            vec![vec![1, 0, 2, 3], vec![4]]
        );
        // A window over the budget still runs, alone.
        assert_eq!(
            group_into_passes(&[700, 10], 8, 512),
            vec![vec![1], vec![0]]
        );
        assert!(group_into_passes(&[], 8, 512).is_empty());
        // Every window exactly once, whatever the lengths.
        let lengths: Vec<usize> = (0..50).map(|i| (i * 37) % 513 + 1).collect();
        let mut seen: Vec<usize> = group_into_passes(&lengths, 8, 512)
            .into_iter()
            .flatten()
            .collect();
        seen.sort();
        assert_eq!(seen, (0..50).collect::<Vec<_>>());
    }
}
