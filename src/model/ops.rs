//! The encoder's element-wise steps as candle in-place ops over our `activations` kernels:
//! GELU on the feed-forward output, and scale + mask + softmax on the attention scores in one
//! pass. In place, so the forward pass allocates no tensor for them (the attention scores are
//! the largest tensor: 12 heads × 512² × 4 B = 12.6 MB at 512 tokens).

use super::activations::{gelu_erf_in_place, softmax_rows_in_place};
use candle_core::{CpuStorage, InplaceOp1, Layout, Tensor};

/// Run `f` on the elements of a contiguous f32 tensor, in place.
fn f32_in_place(
    storage: &mut CpuStorage,
    layout: &Layout,
    what: &str,
    f: impl FnOnce(&mut [f32]) -> candle_core::Result<()>,
) -> candle_core::Result<()> {
    let (CpuStorage::F32(data), Some((start, end))) = (storage, layout.contiguous_offsets()) else {
        candle_core::bail!("{what} needs a contiguous f32 tensor");
    };
    f(&mut data[start..end])
}

/// Exact (erf) GELU, as Hugging Face's `gelu`.
struct GeluErf;

impl InplaceOp1 for GeluErf {
    fn name(&self) -> &'static str {
        "tokenveil-gelu-erf"
    }

    fn cpu_fwd(&self, storage: &mut CpuStorage, layout: &Layout) -> candle_core::Result<()> {
        f32_in_place(storage, layout, "gelu", |xs| {
            gelu_erf_in_place(xs);
            Ok(())
        })
    }
}

pub fn gelu_erf(x: Tensor) -> candle_core::Result<Tensor> {
    x.inplace_op1(&GeluErf)?;
    Ok(x)
}

/// `softmax(scores × scale + mask)` over the last dimension of `[batch, heads, seq, seq]`, where
/// `mask` is `[batch, seq]` (0 or `f32::MIN`, as Hugging Face's additive mask).
struct AttentionSoftmax<'a> {
    scale: f32,
    mask: &'a [f32],
}

impl InplaceOp1 for AttentionSoftmax<'_> {
    fn name(&self) -> &'static str {
        "tokenveil-attention-softmax"
    }

    fn cpu_fwd(&self, storage: &mut CpuStorage, layout: &Layout) -> candle_core::Result<()> {
        let dims = layout.dims();
        let &[batch, heads, rows, seq] = dims else {
            candle_core::bail!("attention scores must be [batch, heads, seq, seq], got {dims:?}");
        };
        if self.mask.len() != batch * seq || rows != seq {
            candle_core::bail!("attention mask of {} for scores {dims:?}", self.mask.len());
        }
        f32_in_place(storage, layout, "attention softmax", |xs| {
            for (b, per_batch) in xs.chunks_exact_mut(heads * rows * seq).enumerate() {
                let mask = &self.mask[b * seq..(b + 1) * seq];
                for row in per_batch.chunks_exact_mut(seq) {
                    // The same two roundings as `(scores * scale) + mask` in separate ops.
                    for (x, &m) in row.iter_mut().zip(mask) {
                        *x = *x * self.scale + m;
                    }
                }
                softmax_rows_in_place(per_batch, seq);
            }
            Ok(())
        })
    }
}

/// `scores` `[batch, heads, seq, seq]` → attention probabilities, in place.
pub fn attention_softmax(scores: Tensor, scale: f32, mask: &[f32]) -> candle_core::Result<Tensor> {
    scores.inplace_op1(&AttentionSoftmax { scale, mask })?;
    Ok(scores)
}

/// ReLU, in place.
struct Relu;

impl InplaceOp1 for Relu {
    fn name(&self) -> &'static str {
        "tokenveil-relu"
    }

    fn cpu_fwd(&self, storage: &mut CpuStorage, layout: &Layout) -> candle_core::Result<()> {
        f32_in_place(storage, layout, "relu", |xs| {
            for x in xs {
                // `max` would turn a NaN into 0; ReLU keeps it, as candle's does.
                if *x < 0.0 {
                    *x = 0.0;
                }
            }
            Ok(())
        })
    }
}

pub fn relu(x: Tensor) -> candle_core::Result<Tensor> {
    let x = x.contiguous()?;
    x.inplace_op1(&Relu)?;
    Ok(x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    #[test]
    fn relu_zeroes_negatives_and_keeps_nan() {
        let t = Tensor::new(&[-1.0f32, 0.5, f32::NAN, -0.0], &Device::Cpu).unwrap();
        let v = relu(t).unwrap().to_vec1::<f32>().unwrap();
        assert_eq!((v[0], v[1], v[3]), (0.0, 0.5, -0.0));
        assert!(v[2].is_nan());
    }
}
