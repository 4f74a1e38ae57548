//! Where each tensor lives: Hugging Face state-dict names, kept verbatim, for both families.
//! The loader and the converter both read this table, so they cannot disagree.

use crate::config::{Family, Head, ModelConfig};

/// How a tensor is used, which decides the types it may be stored in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Embedding,
    /// LayerNorm weight or bias: always f32.
    Norm,
    /// Bias of a linear layer: always f32.
    Bias,
    /// `[out, in]` weight of a linear layer: may be f16 or quantized.
    Linear,
}

#[derive(Debug, Clone)]
pub struct TensorSpec {
    /// Canonical name: encoder tensors carry the `bert.` / `distilbert.` prefix.
    pub name: String,
    pub shape: Vec<usize>,
    pub kind: Kind,
}

/// Base names (without `.weight` / `.bias`) of one encoder layer.
pub struct LayerNames {
    pub query: String,
    pub key: String,
    pub value: String,
    pub attn_out: String,
    pub attn_norm: String,
    pub ffn_in: String,
    pub ffn_out: String,
    pub ffn_norm: String,
}

pub fn layer_names(family: Family, i: usize) -> LayerNames {
    match family {
        Family::Bert => {
            let p = format!("encoder.layer.{i}");
            LayerNames {
                query: format!("{p}.attention.self.query"),
                key: format!("{p}.attention.self.key"),
                value: format!("{p}.attention.self.value"),
                attn_out: format!("{p}.attention.output.dense"),
                attn_norm: format!("{p}.attention.output.LayerNorm"),
                ffn_in: format!("{p}.intermediate.dense"),
                ffn_out: format!("{p}.output.dense"),
                ffn_norm: format!("{p}.output.LayerNorm"),
            }
        }
        Family::DistilBert => {
            let p = format!("transformer.layer.{i}");
            LayerNames {
                query: format!("{p}.attention.q_lin"),
                key: format!("{p}.attention.k_lin"),
                value: format!("{p}.attention.v_lin"),
                attn_out: format!("{p}.attention.out_lin"),
                attn_norm: format!("{p}.sa_layer_norm"),
                ffn_in: format!("{p}.ffn.lin1"),
                ffn_out: format!("{p}.ffn.lin2"),
                ffn_norm: format!("{p}.output_layer_norm"),
            }
        }
    }
}

pub const WORD_EMBEDDINGS: &str = "embeddings.word_embeddings.weight";
pub const POSITION_EMBEDDINGS: &str = "embeddings.position_embeddings.weight";
pub const TOKEN_TYPE_EMBEDDINGS: &str = "embeddings.token_type_embeddings.weight";
pub const EMBEDDINGS_NORM: &str = "embeddings.LayerNorm";
/// BERT's pooler (dense + tanh over the first token), used by its sequence head.
pub const POOLER: &str = "pooler.dense";
/// DistilBERT's sequence head: `pre_classifier` -> ReLU -> `classifier`.
pub const PRE_CLASSIFIER: &str = "pre_classifier";
pub const CLASSIFIER: &str = "classifier";

/// Every tensor the architecture in `config` reads, with its shape, in a stable order.
pub fn tensor_specs(config: &ModelConfig) -> Vec<TensorSpec> {
    let h = config.hidden_size;
    let enc = |name: &str| format!("{}.{name}", config.weight_prefix());
    let mut s = Specs(Vec::new());
    s.push(
        enc(WORD_EMBEDDINGS),
        vec![config.vocab_size, h],
        Kind::Embedding,
    );
    s.push(
        enc(POSITION_EMBEDDINGS),
        vec![config.max_position_embeddings, h],
        Kind::Embedding,
    );
    if config.family == Family::Bert {
        s.push(
            enc(TOKEN_TYPE_EMBEDDINGS),
            vec![config.type_vocab_size, h],
            Kind::Embedding,
        );
    }
    s.norm(&enc(EMBEDDINGS_NORM), h);
    for i in 0..config.num_layers {
        let n = layer_names(config.family, i);
        for base in [&n.query, &n.key, &n.value, &n.attn_out] {
            s.linear(&enc(base), h, h);
        }
        s.norm(&enc(&n.attn_norm), h);
        s.linear(&enc(&n.ffn_in), config.intermediate_size, h);
        s.linear(&enc(&n.ffn_out), h, config.intermediate_size);
        s.norm(&enc(&n.ffn_norm), h);
    }
    match (config.head, config.family) {
        (Head::SequenceClassification, Family::Bert) => s.linear(&enc(POOLER), h, h),
        (Head::SequenceClassification, Family::DistilBert) => s.linear(PRE_CLASSIFIER, h, h),
        (Head::TokenClassification, _) => {}
    }
    s.linear(CLASSIFIER, config.num_labels(), h);
    s.0
}

struct Specs(Vec<TensorSpec>);

impl Specs {
    fn push(&mut self, name: String, shape: Vec<usize>, kind: Kind) {
        self.0.push(TensorSpec { name, shape, kind });
    }

    fn linear(&mut self, base: &str, out: usize, inp: usize) {
        self.push(format!("{base}.weight"), vec![out, inp], Kind::Linear);
        self.push(format!("{base}.bias"), vec![out], Kind::Bias);
    }

    fn norm(&mut self, base: &str, size: usize) {
        self.push(format!("{base}.weight"), vec![size], Kind::Norm);
        self.push(format!("{base}.bias"), vec![size], Kind::Norm);
    }
}
