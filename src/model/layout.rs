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
    let prefix = config.weight_prefix();
    let mut specs = Vec::new();
    let mut push =
        |name: String, shape: Vec<usize>, kind: Kind| specs.push(TensorSpec { name, shape, kind });
    fn linear(push: &mut dyn FnMut(String, Vec<usize>, Kind), base: &str, out: usize, inp: usize) {
        push(format!("{base}.weight"), vec![out, inp], Kind::Linear);
        push(format!("{base}.bias"), vec![out], Kind::Bias);
    }
    let norm = |push: &mut dyn FnMut(String, Vec<usize>, Kind), base: &str| {
        push(format!("{base}.weight"), vec![h], Kind::Norm);
        push(format!("{base}.bias"), vec![h], Kind::Norm);
    };

    push(
        format!("{prefix}.{WORD_EMBEDDINGS}"),
        vec![config.vocab_size, h],
        Kind::Embedding,
    );
    push(
        format!("{prefix}.{POSITION_EMBEDDINGS}"),
        vec![config.max_position_embeddings, h],
        Kind::Embedding,
    );
    if config.family == Family::Bert {
        push(
            format!("{prefix}.{TOKEN_TYPE_EMBEDDINGS}"),
            vec![config.type_vocab_size, h],
            Kind::Embedding,
        );
    }
    norm(&mut push, &format!("{prefix}.{EMBEDDINGS_NORM}"));
    for i in 0..config.num_layers {
        let n = layer_names(config.family, i);
        for base in [&n.query, &n.key, &n.value, &n.attn_out] {
            linear(&mut push, &format!("{prefix}.{base}"), h, h);
        }
        norm(&mut push, &format!("{prefix}.{}", n.attn_norm));
        linear(
            &mut push,
            &format!("{prefix}.{}", n.ffn_in),
            config.intermediate_size,
            h,
        );
        linear(
            &mut push,
            &format!("{prefix}.{}", n.ffn_out),
            h,
            config.intermediate_size,
        );
        norm(&mut push, &format!("{prefix}.{}", n.ffn_norm));
    }
    match (config.head, config.family) {
        (Head::SequenceClassification, Family::Bert) => {
            linear(&mut push, &format!("{prefix}.{POOLER}"), h, h)
        }
        (Head::SequenceClassification, Family::DistilBert) => {
            linear(&mut push, PRE_CLASSIFIER, h, h)
        }
        (Head::TokenClassification, _) => {}
    }
    linear(&mut push, CLASSIFIER, config.num_labels(), h);
    specs
}
