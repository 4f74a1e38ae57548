//! Hugging Face `config.json`, normalised: DistilBERT's `dim`/`n_layers`/... and BERT's
//! `hidden_size`/`num_hidden_layers`/... become one `ModelConfig`, with the label map checked.

use crate::error::{Error, Result};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The encoder family: they share one implementation and differ in weight names,
/// token-type embeddings and the BERT pooler.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Family {
    Bert,
    DistilBert,
}

/// What sits on top of the encoder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Head {
    TokenClassification,
    SequenceClassification,
}

/// Feed-forward activation, as named by `hidden_act` / `activation`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Activation {
    /// Exact erf GELU (Hugging Face `"gelu"`).
    Gelu,
    /// tanh approximation (`"gelu_new"`, `"gelu_pytorch_tanh"`, `"gelu_fast"`).
    GeluTanh,
    Relu,
    Silu,
}

/// `problem_type` decides what `function_to_apply = default` means for sequence heads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ProblemType {
    SingleLabelClassification,
    MultiLabelClassification,
    Regression,
}

/// Upper bounds that keep a hostile config.json from asking for absurd allocations.
/// They are far above any DistilBERT/BERT checkpoint in use.
const MAX_VOCAB: usize = 1 << 20;
const MAX_HIDDEN: usize = 8192;
const MAX_LAYERS: usize = 96;
const MAX_POSITIONS: usize = 1 << 16;
const MAX_LABELS: usize = 1 << 16;

#[derive(Debug, Clone)]
pub struct ModelConfig {
    /// The `architectures[0]` string, e.g. `BertForTokenClassification`.
    pub architecture: String,
    pub family: Family,
    pub head: Head,
    pub vocab_size: usize,
    pub hidden_size: usize,
    pub num_layers: usize,
    pub num_heads: usize,
    pub intermediate_size: usize,
    pub max_position_embeddings: usize,
    /// 0 for DistilBERT, which has no token-type embeddings.
    pub type_vocab_size: usize,
    pub layer_norm_eps: f64,
    pub activation: Activation,
    pub pad_token_id: Option<u32>,
    /// `id2label` in id order (`LABEL_i` when the config has none).
    pub labels: Vec<String>,
    pub problem_type: Option<ProblemType>,
}

/// The keys we read from either family's config.json; the rest are ignored as Hugging Face does.
#[derive(Deserialize)]
struct RawConfig {
    architectures: Option<Vec<String>>,
    model_type: Option<String>,
    vocab_size: Option<usize>,
    // BERT names
    hidden_size: Option<usize>,
    num_hidden_layers: Option<usize>,
    num_attention_heads: Option<usize>,
    intermediate_size: Option<usize>,
    hidden_act: Option<String>,
    type_vocab_size: Option<usize>,
    layer_norm_eps: Option<f64>,
    position_embedding_type: Option<String>,
    // DistilBERT names
    dim: Option<usize>,
    n_layers: Option<usize>,
    n_heads: Option<usize>,
    hidden_dim: Option<usize>,
    activation: Option<String>,
    // shared
    max_position_embeddings: Option<usize>,
    pad_token_id: Option<u32>,
    id2label: Option<BTreeMap<String, String>>,
    label2id: Option<BTreeMap<String, i64>>,
    num_labels: Option<usize>,
    problem_type: Option<String>,
}

impl ModelConfig {
    /// Parse and validate a Hugging Face `config.json`.
    pub fn from_json(json: &str) -> Result<Self> {
        let raw: RawConfig = serde_json::from_str(json)
            .map_err(|e| Error::Config(format!("config.json is not valid: {e}")))?;
        let architecture = match raw.architectures.as_deref() {
            Some([one]) => one.clone(),
            Some(many) if !many.is_empty() => {
                return Err(Error::Config(format!(
                    "expected one architecture, found {many:?}"
                )))
            }
            _ => {
                return Err(Error::Config(format!(
                    "config.json has no `architectures` (model_type {:?}); expected one of {SUPPORTED:?}",
                    raw.model_type
                )))
            }
        };
        let (family, head) = match architecture.as_str() {
            "DistilBertForTokenClassification" => (Family::DistilBert, Head::TokenClassification),
            "DistilBertForSequenceClassification" => {
                (Family::DistilBert, Head::SequenceClassification)
            }
            "BertForTokenClassification" => (Family::Bert, Head::TokenClassification),
            "BertForSequenceClassification" => (Family::Bert, Head::SequenceClassification),
            other => {
                return Err(Error::Config(format!(
                    "architecture `{other}` is not supported; expected one of {SUPPORTED:?}"
                )))
            }
        };

        let need = |v: Option<usize>, key: &str| {
            v.ok_or_else(|| Error::Config(format!("`{key}` is missing for {architecture}")))
        };
        let (hidden, layers, heads, inter, act, type_vocab, eps) = match family {
            Family::Bert => {
                if let Some(p) = raw.position_embedding_type.as_deref() {
                    if p != "absolute" {
                        return Err(Error::Config(format!(
                            "position_embedding_type `{p}` is not supported (only `absolute`)"
                        )));
                    }
                }
                (
                    need(raw.hidden_size, "hidden_size")?,
                    need(raw.num_hidden_layers, "num_hidden_layers")?,
                    need(raw.num_attention_heads, "num_attention_heads")?,
                    need(raw.intermediate_size, "intermediate_size")?,
                    raw.hidden_act.as_deref().unwrap_or("gelu").to_string(),
                    raw.type_vocab_size.unwrap_or(2),
                    raw.layer_norm_eps.unwrap_or(1e-12),
                )
            }
            // DistilBERT hard-codes LayerNorm eps 1e-12 (modeling_distilbert.py).
            Family::DistilBert => (
                need(raw.dim, "dim")?,
                need(raw.n_layers, "n_layers")?,
                need(raw.n_heads, "n_heads")?,
                need(raw.hidden_dim, "hidden_dim")?,
                raw.activation.as_deref().unwrap_or("gelu").to_string(),
                0,
                1e-12,
            ),
        };
        let vocab_size = need(raw.vocab_size, "vocab_size")?;
        let max_pos = need(raw.max_position_embeddings, "max_position_embeddings")?;
        check_range("vocab_size", vocab_size, 1, MAX_VOCAB)?;
        check_range("hidden size", hidden, 1, MAX_HIDDEN)?;
        check_range("intermediate size", inter, 1, 8 * MAX_HIDDEN)?;
        check_range("number of layers", layers, 1, MAX_LAYERS)?;
        check_range("number of heads", heads, 1, hidden)?;
        check_range("max_position_embeddings", max_pos, 2, MAX_POSITIONS)?;
        check_range("type_vocab_size", type_vocab, 0, 1024)?;
        if hidden % heads != 0 {
            return Err(Error::Config(format!(
                "hidden size {hidden} is not divisible by {heads} attention heads"
            )));
        }
        if !(eps.is_finite() && eps > 0.0 && eps < 1.0) {
            return Err(Error::Config(format!(
                "layer_norm_eps {eps} is out of range"
            )));
        }
        let activation = match act.as_str() {
            "gelu" => Activation::Gelu,
            "gelu_new" | "gelu_pytorch_tanh" | "gelu_fast" => Activation::GeluTanh,
            "relu" => Activation::Relu,
            "silu" | "swish" => Activation::Silu,
            other => {
                return Err(Error::Config(format!(
                    "activation `{other}` is not supported (gelu, gelu_new, gelu_pytorch_tanh, gelu_fast, relu, silu)"
                )))
            }
        };
        let labels = labels_from(&raw.id2label, &raw.label2id, raw.num_labels)?;
        let problem_type = match raw.problem_type.as_deref() {
            None => None,
            Some("single_label_classification") => Some(ProblemType::SingleLabelClassification),
            Some("multi_label_classification") => Some(ProblemType::MultiLabelClassification),
            Some("regression") => Some(ProblemType::Regression),
            Some(other) => {
                return Err(Error::Config(format!(
                    "problem_type `{other}` is not known"
                )))
            }
        };
        Ok(ModelConfig {
            architecture,
            family,
            head,
            vocab_size,
            hidden_size: hidden,
            num_layers: layers,
            num_heads: heads,
            intermediate_size: inter,
            max_position_embeddings: max_pos,
            type_vocab_size: type_vocab,
            layer_norm_eps: eps,
            activation,
            pad_token_id: raw.pad_token_id,
            labels,
            problem_type,
        })
    }

    pub fn num_labels(&self) -> usize {
        self.labels.len()
    }

    /// The prefix Hugging Face puts before encoder weights in a task model's state dict.
    pub fn weight_prefix(&self) -> &'static str {
        match self.family {
            Family::Bert => "bert",
            Family::DistilBert => "distilbert",
        }
    }
}

const SUPPORTED: [&str; 4] = [
    "DistilBertForTokenClassification",
    "DistilBertForSequenceClassification",
    "BertForTokenClassification",
    "BertForSequenceClassification",
];

fn check_range(what: &str, v: usize, lo: usize, hi: usize) -> Result<()> {
    if v < lo || v > hi {
        return Err(Error::Config(format!(
            "{what} {v} is out of range [{lo}, {hi}]"
        )));
    }
    Ok(())
}

/// `id2label` must name ids 0..n-1 exactly once; `label2id`, when present, must be its inverse.
fn labels_from(
    id2label: &Option<BTreeMap<String, String>>,
    label2id: &Option<BTreeMap<String, i64>>,
    num_labels: Option<usize>,
) -> Result<Vec<String>> {
    let labels = match id2label {
        Some(map) if !map.is_empty() => {
            if map.len() > MAX_LABELS {
                return Err(Error::LabelMap(format!("{} labels is too many", map.len())));
            }
            let mut labels = vec![None; map.len()];
            for (k, v) in map {
                let id: usize = k.parse().map_err(|_| {
                    Error::LabelMap(format!("id2label key `{k}` is not a non-negative integer"))
                })?;
                match labels.get_mut(id) {
                    Some(slot @ None) => *slot = Some(v.clone()),
                    Some(Some(_)) => {
                        return Err(Error::LabelMap(format!("id2label repeats id {id}")))
                    }
                    None => {
                        return Err(Error::LabelMap(format!(
                            "id2label has {} entries but names id {id}; ids must be 0..{}",
                            map.len(),
                            map.len() - 1
                        )))
                    }
                }
            }
            labels.into_iter().flatten().collect::<Vec<_>>()
        }
        _ => {
            let n = num_labels.unwrap_or(2);
            check_range("num_labels", n, 1, MAX_LABELS)?;
            (0..n).map(|i| format!("LABEL_{i}")).collect()
        }
    };
    if let Some(l2i) = label2id {
        // Hugging Face fills label2id from id2label; a hand-edited one that disagrees
        // would make labels and ids mean different things in different tools.
        if !l2i.is_empty() {
            for (i, name) in labels.iter().enumerate() {
                match l2i.get(name) {
                    Some(&id) if id == i as i64 => {}
                    Some(&id) => {
                        return Err(Error::LabelMap(format!(
                            "label2id maps `{name}` to {id} but id2label puts it at {i}"
                        )))
                    }
                    None => {
                        return Err(Error::LabelMap(format!(
                            "label2id has no entry for `{name}` (id {i})"
                        )))
                    }
                }
            }
            if l2i.len() != labels.len() {
                return Err(Error::LabelMap(format!(
                    "label2id has {} entries, id2label {}",
                    l2i.len(),
                    labels.len()
                )));
            }
        }
    }
    Ok(labels)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bert(extra: &str) -> String {
        format!(
            r#"{{"architectures":["BertForTokenClassification"],"vocab_size":100,"hidden_size":32,
            "num_hidden_layers":2,"num_attention_heads":4,"intermediate_size":48,
            "max_position_embeddings":64{extra}}}"#
        )
    }

    #[test]
    fn missing_labels_become_label_i() {
        let c = ModelConfig::from_json(&bert(r#","num_labels":3"#)).unwrap();
        assert_eq!(c.labels, ["LABEL_0", "LABEL_1", "LABEL_2"]);
        assert_eq!(c.family, Family::Bert);
        assert_eq!(c.activation, Activation::Gelu);
    }

    #[test]
    fn id2label_in_id_order() {
        let c = ModelConfig::from_json(&bert(
            r#","id2label":{"10":"k","2":"c","0":"a","1":"b","3":"d","4":"e","5":"f","6":"g","7":"h","8":"i","9":"j"}"#,
        ))
        .unwrap();
        assert_eq!(c.labels[10], "k");
        assert_eq!(c.labels[2], "c");
    }

    #[test]
    fn errors_name_the_problem() {
        let cases = [
            (
                r#"{"architectures":["GPT2LMHeadModel"]}"#.to_string(),
                "config",
                "GPT2LMHeadModel",
            ),
            (
                bert(r#","id2label":{"0":"a","2":"b"}"#),
                "label_map",
                "names id 2",
            ),
            (
                bert(r#","id2label":{"0":"a","1":"b"},"label2id":{"a":1,"b":0}"#),
                "label_map",
                "maps `a` to 1",
            ),
            (bert(r#","hidden_act":"mish""#), "config", "mish"),
            (
                bert(r#","position_embedding_type":"relative_key""#),
                "config",
                "relative_key",
            ),
            ("not json".to_string(), "config", "not valid"),
            (
                r#"{"architectures":["BertForTokenClassification"],"vocab_size":100}"#.to_string(),
                "config",
                "hidden_size",
            ),
        ];
        for (json, code, needle) in cases {
            let e = ModelConfig::from_json(&json).unwrap_err();
            assert_eq!(e.code(), code, "{e}");
            assert!(
                e.to_string().contains(needle),
                "{e} should mention {needle}"
            );
        }
    }

    #[test]
    fn absurd_sizes_are_rejected() {
        let json = bert("").replace("\"vocab_size\":100", "\"vocab_size\":100000000000");
        assert_eq!(ModelConfig::from_json(&json).unwrap_err().code(), "config");
    }
}
