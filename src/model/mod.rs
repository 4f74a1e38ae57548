//! The network: one encoder implementation for BERT and DistilBERT, a task head, and the
//! name resolution that lets any Hugging Face checkpoint (with or without the model prefix)
//! load into it from any weight format.

pub mod activations;
pub mod embedding;
pub mod encoder;
pub mod heads;
pub mod layout;
pub mod linear;
pub(crate) mod ops;
pub mod qgemm;

use crate::config::ModelConfig;
use crate::error::{Error, Result};
use crate::file::weights::Weights;
use candle_core::Tensor;
use linear::{Linear, LinearWeight};

/// Finds Hugging Face names in a checkpoint: `bert.encoder...` or `encoder...` (a base
/// model's state dict), and the old TF-style `LayerNorm.gamma` / `.beta`.
pub struct Resolver<'a> {
    weights: &'a Weights<'a>,
    prefix: &'static str,
}

impl<'a> Resolver<'a> {
    pub fn new(weights: &'a Weights<'a>, config: &ModelConfig) -> Self {
        Resolver {
            weights,
            prefix: config.weight_prefix(),
        }
    }

    /// The name under which `canonical` is stored in this checkpoint.
    pub fn resolve(&self, canonical: &str) -> Result<String> {
        let bare = canonical
            .strip_prefix(self.prefix)
            .and_then(|s| s.strip_prefix('.'));
        let mut candidates = vec![canonical.to_string()];
        if let Some(bare) = bare {
            candidates.push(bare.to_string());
        }
        let tf_style: Vec<String> = candidates
            .iter()
            .filter(|n| n.contains("LayerNorm") || n.contains("layer_norm"))
            .filter_map(|n| {
                n.strip_suffix(".weight")
                    .map(|b| format!("{b}.gamma"))
                    .or_else(|| n.strip_suffix(".bias").map(|b| format!("{b}.beta")))
            })
            .collect();
        candidates.extend(tf_style);
        candidates
            .into_iter()
            .find(|n| self.weights.contains(n))
            .ok_or_else(|| Error::MissingTensor(canonical.to_string()))
    }

    pub fn embedding(&self, name: &str, shape: &[usize]) -> Result<embedding::EmbeddingTable> {
        embedding::EmbeddingTable::from_stored(self.weights.tensor(&self.resolve(name)?, shape)?)
    }

    pub fn norm(&self, name: &str, size: usize) -> Result<Tensor> {
        self.weights.f32(&self.resolve(name)?, &[size])
    }

    /// `base.weight` `[out, in]` and `base.bias` `[out]`.
    pub fn linear(&self, base: &str, out: usize, inp: usize) -> Result<Linear> {
        let w = LinearWeight::from_stored(
            self.weights
                .tensor(&self.resolve(&format!("{base}.weight"))?, &[out, inp])?,
        )?;
        let b = self
            .weights
            .f32(&self.resolve(&format!("{base}.bias"))?, &[out])?;
        Linear::new(w, b)
    }
}

/// Encoder + head, ready to run.
pub struct Network {
    encoder: encoder::Encoder,
    head: heads::TaskHead,
}

impl Network {
    pub fn load(weights: &Weights, config: &ModelConfig) -> Result<Self> {
        let r = Resolver::new(weights, config);
        Ok(Network {
            encoder: encoder::Encoder::load(&r, config)?,
            head: heads::TaskHead::load(&r, config)?,
        })
    }

    /// Padded batch in, logits out (`[batch, seq, labels]` or `[batch, labels]`).
    pub fn forward(&self, input_ids: &[Vec<u32>], attention_mask: &[Vec<u32>]) -> Result<Tensor> {
        let hidden = self.encoder.forward(input_ids, attention_mask)?;
        self.head.forward(&hidden)
    }
}
