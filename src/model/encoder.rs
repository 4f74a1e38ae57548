//! The transformer encoder shared by BERT and DistilBERT (both post-LayerNorm). They differ
//! only in weight names (see `layout`), BERT's token-type embeddings, and LayerNorm eps.

use super::embedding::EmbeddingTable;
use super::layout::{
    self, EMBEDDINGS_NORM, POSITION_EMBEDDINGS, TOKEN_TYPE_EMBEDDINGS, WORD_EMBEDDINGS,
};
use super::linear::Linear;
use super::ops;
use super::Resolver;
use crate::config::{Activation, ModelConfig};
use crate::error::{Error, Result};
use candle_core::Tensor;

/// Bytes of attention scores computed at once (see `layer_forward`): all heads up to about
/// 200 tokens, two heads at a time at 512.
const ATTENTION_SCORES_BUDGET: usize = 2 << 20;

/// Bytes of feed-forward intermediate activations computed at once (see `feed_forward`): all
/// rows up to 341 tokens of a 1536-wide FFN (Rampart), two runs of 256 at 512; for a 3072-wide
/// one (DistilBERT base), 170 tokens, three runs at 512. Half this budget saved 1.5 MiB more
/// (Rampart Q4_0, a 482-token call in Node: 37.5 against 39.0 MiB) for twice the weight reads.
const FFN_INTERMEDIATE_BUDGET: usize = 2 << 20;

pub struct LayerNorm {
    weight: Tensor,
    bias: Tensor,
    eps: f32,
}

impl LayerNorm {
    fn load(r: &Resolver, base: &str, size: usize, eps: f64) -> Result<Self> {
        Ok(LayerNorm {
            weight: r.norm(&format!("{base}.weight"), size)?,
            bias: r.norm(&format!("{base}.bias"), size)?,
            eps: eps as f32,
        })
    }

    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        Ok(candle_nn::ops::layer_norm(
            x,
            &self.weight,
            &self.bias,
            self.eps,
        )?)
    }
}

/// Query, key and value read the same input: one product when their weights can be joined
/// (one activation quantization and one larger, better-tiled matmul instead of three).
enum Projections {
    Fused(Linear),
    Separate(Vec<Linear>),
}

impl Projections {
    fn new(query: Linear, key: Linear, value: Linear) -> Self {
        match Linear::fuse(vec![query, key, value]) {
            Ok(l) => Projections::Fused(l),
            Err(parts) => Projections::Separate(parts),
        }
    }

    /// `x[b, s, h]` -> query, key and value, each `[b, s, h]`.
    fn forward(&self, x: &Tensor) -> Result<(Tensor, Tensor, Tensor)> {
        Ok(match self {
            Projections::Fused(l) => {
                let y = l.forward(x)?;
                let h = y.dim(2)? / 3;
                (
                    y.narrow(2, 0, h)?,
                    y.narrow(2, h, h)?,
                    y.narrow(2, 2 * h, h)?,
                )
            }
            Projections::Separate(p) => (p[0].forward(x)?, p[1].forward(x)?, p[2].forward(x)?),
        })
    }
}

struct Layer {
    qkv: Projections,
    attn_out: Linear,
    attn_norm: LayerNorm,
    ffn_in: Linear,
    ffn_out: Linear,
    ffn_norm: LayerNorm,
}

pub struct Encoder {
    word_embeddings: EmbeddingTable,
    position_embeddings: EmbeddingTable,
    /// BERT only. Single-segment input uses row 0.
    token_type_embeddings: Option<EmbeddingTable>,
    embeddings_norm: LayerNorm,
    layers: Vec<Layer>,
    num_heads: usize,
    activation: Activation,
    vocab_size: usize,
    max_positions: usize,
}

impl Encoder {
    pub fn load(r: &Resolver, c: &ModelConfig) -> Result<Self> {
        let h = c.hidden_size;
        let p = c.weight_prefix();
        let enc = |name: &str| format!("{p}.{name}");
        let word_embeddings = r.embedding(&enc(WORD_EMBEDDINGS), &[c.vocab_size, h])?;
        let position_embeddings =
            r.embedding(&enc(POSITION_EMBEDDINGS), &[c.max_position_embeddings, h])?;
        let token_type_embeddings = match c.family {
            crate::config::Family::Bert => {
                Some(r.embedding(&enc(TOKEN_TYPE_EMBEDDINGS), &[c.type_vocab_size, h])?)
            }
            crate::config::Family::DistilBert => None,
        };
        let embeddings_norm = LayerNorm::load(r, &enc(EMBEDDINGS_NORM), h, c.layer_norm_eps)?;
        let mut layers = Vec::with_capacity(c.num_layers);
        for i in 0..c.num_layers {
            let n = layout::layer_names(c.family, i);
            let i_size = c.intermediate_size;
            layers.push(Layer {
                qkv: Projections::new(
                    r.linear(&enc(&n.query), h, h)?,
                    r.linear(&enc(&n.key), h, h)?,
                    r.linear(&enc(&n.value), h, h)?,
                ),
                attn_out: r.linear(&enc(&n.attn_out), h, h)?,
                attn_norm: LayerNorm::load(r, &enc(&n.attn_norm), h, c.layer_norm_eps)?,
                ffn_in: r.linear(&enc(&n.ffn_in), i_size, h)?,
                ffn_out: r.linear(&enc(&n.ffn_out), h, i_size)?,
                ffn_norm: LayerNorm::load(r, &enc(&n.ffn_norm), h, c.layer_norm_eps)?,
            });
        }
        Ok(Encoder {
            word_embeddings,
            position_embeddings,
            token_type_embeddings,
            embeddings_norm,
            layers,
            num_heads: c.num_heads,
            activation: c.activation,
            vocab_size: c.vocab_size,
            max_positions: c.max_position_embeddings,
        })
    }

    /// `input_ids` and `attention_mask` are `[batch, seq]` (u32; mask 1 = attend, as in
    /// Hugging Face). Returns hidden states `[batch, seq, hidden]`.
    pub fn forward(&self, input_ids: &[Vec<u32>], attention_mask: &[Vec<u32>]) -> Result<Tensor> {
        let batch = input_ids.len();
        let seq = input_ids.first().map_or(0, |r| r.len());
        if batch == 0 || seq == 0 {
            return Err(Error::InvalidOption("empty batch".into()));
        }
        if seq > self.max_positions {
            return Err(Error::InvalidOption(format!(
                "sequence of {seq} tokens exceeds the model's {} positions",
                self.max_positions
            )));
        }
        if attention_mask.len() != batch
            || input_ids
                .iter()
                .chain(attention_mask)
                .any(|r| r.len() != seq)
        {
            return Err(Error::InvalidOption(
                "input_ids and attention_mask must be rectangular and the same shape".into(),
            ));
        }
        if let Some(&bad) = input_ids
            .iter()
            .flatten()
            .find(|&&id| id as usize >= self.vocab_size)
        {
            return Err(Error::InvalidOption(format!(
                "token id {bad} is outside the vocabulary of {} entries",
                self.vocab_size
            )));
        }
        let ids: Vec<u32> = input_ids.concat();
        let hidden = self.word_embeddings.cols()?;
        let mut x = self
            .word_embeddings
            .lookup(&ids)?
            .reshape((batch, seq, hidden))?;
        x = x.broadcast_add(&self.position_embeddings.first_rows(seq)?)?;
        if let Some(tt) = &self.token_type_embeddings {
            x = x.broadcast_add(&tt.first_rows(1)?)?;
        }
        x = self.embeddings_norm.forward(&x)?;

        // Additive mask as Hugging Face builds it: 0 where attended, dtype-min where padded.
        let mask: Vec<f32> = attention_mask
            .iter()
            .flatten()
            .map(|&m| if m == 0 { f32::MIN } else { 0.0 })
            .collect();
        for layer in &self.layers {
            x = self.layer_forward(layer, &x, &mask)?;
        }
        Ok(x)
    }

    /// `mask` is `[batch, seq]`, additive.
    fn layer_forward(&self, l: &Layer, x: &Tensor, mask: &[f32]) -> Result<Tensor> {
        let (b, s, h) = x.dims3()?;
        let nh = self.num_heads;
        let dh = h / nh;
        let heads = |t: Tensor| -> Result<Tensor> {
            Ok(t.reshape((b, s, nh, dh))?.transpose(1, 2)?.contiguous()?)
        };
        let (q, k, v) = l.qkv.forward(x)?;
        let (q, k, v) = (heads(q)?, heads(k)?, heads(v)?);
        let scale = (1.0 / (dh as f64).sqrt()) as f32;
        // Scores for a few heads at a time: all of them at once would be the largest tensor of
        // the pass (12 heads × 512² × 4 B = 12.6 MB at 512 tokens), and so set peak memory.
        let per_head = b * s * s * std::mem::size_of::<f32>();
        let chunk = (ATTENTION_SCORES_BUDGET / per_head).clamp(1, nh);
        let mut ctx = Vec::with_capacity(nh.div_ceil(chunk));
        for h0 in (0..nh).step_by(chunk) {
            let n = chunk.min(nh - h0);
            // A slice of heads from a batch of several is strided: matmul wants it contiguous.
            let part = |t: &Tensor| -> Result<Tensor> {
                Ok(if n == nh {
                    t.clone()
                } else {
                    t.narrow(1, h0, n)?.contiguous()?
                })
            };
            let (q, k, v) = (part(&q)?, part(&k)?, part(&v)?);
            let probs = ops::attention_softmax(q.matmul(&k.t()?)?, scale, mask)?;
            ctx.push(probs.matmul(&v)?);
        }
        let ctx = if ctx.len() == 1 {
            ctx.remove(0)
        } else {
            Tensor::cat(&ctx, 1)?
        };
        let ctx = ctx.transpose(1, 2)?.reshape((b, s, h))?;
        let x = l.attn_norm.forward(&(l.attn_out.forward(&ctx)? + x)?)?;
        let ff = self.feed_forward(l, &x)?;
        l.ffn_norm.forward(&(ff + x)?)
    }

    /// The feed-forward block, a run of rows at a time: each row's output depends on that row
    /// alone, and the intermediate activations (4 × the hidden size wide, plus their quantized
    /// copy) would otherwise be the largest tensors of a long pass, and so set peak memory.
    fn feed_forward(&self, l: &Layer, x: &Tensor) -> Result<Tensor> {
        let (b, s, h) = x.dims3()?;
        let rows = b * s;
        let width = l.ffn_in.out_features()?;
        let runs = (rows * width * std::mem::size_of::<f32>()).div_ceil(FFN_INTERMEDIATE_BUDGET);
        if runs <= 1 {
            return self.feed_forward_rows(l, x);
        }
        let x = x.reshape((rows, h))?;
        let per_run = rows.div_ceil(runs);
        let mut outs = Vec::with_capacity(runs);
        for r0 in (0..rows).step_by(per_run) {
            outs.push(self.feed_forward_rows(l, &x.narrow(0, r0, per_run.min(rows - r0))?)?);
        }
        Ok(Tensor::cat(&outs, 0)?.reshape((b, s, h))?)
    }

    fn feed_forward_rows(&self, l: &Layer, x: &Tensor) -> Result<Tensor> {
        let ff = l.ffn_in.forward(x)?;
        let ff = match self.activation {
            Activation::Gelu => ops::gelu_erf(ff)?,
            Activation::GeluTanh => ff.gelu()?,
            Activation::Relu => ops::relu(ff)?,
            Activation::Silu => ff.silu()?,
        };
        l.ffn_out.forward(&ff)
    }
}
