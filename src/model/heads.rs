//! Task heads on top of the encoder's hidden states.

use super::layout::{CLASSIFIER, POOLER, PRE_CLASSIFIER};
use super::linear::Linear;
use super::ops;
use super::Resolver;
use crate::config::{Family, Head, ModelConfig};
use crate::error::Result;
use candle_core::{IndexOp, Tensor};

pub enum TaskHead {
    /// `classifier` on every token: `[batch, seq, labels]`.
    Token { classifier: Linear },
    /// DistilBERT: first token -> `pre_classifier` -> ReLU -> `classifier`.
    DistilBertSequence {
        pre_classifier: Linear,
        classifier: Linear,
    },
    /// BERT: first token -> pooler dense -> tanh -> `classifier`.
    BertSequence { pooler: Linear, classifier: Linear },
}

impl TaskHead {
    pub fn load(r: &Resolver, c: &ModelConfig) -> Result<Self> {
        let h = c.hidden_size;
        let classifier = r.linear(CLASSIFIER, c.num_labels(), h)?;
        Ok(match (c.head, c.family) {
            (Head::TokenClassification, _) => TaskHead::Token { classifier },
            (Head::SequenceClassification, Family::DistilBert) => TaskHead::DistilBertSequence {
                pre_classifier: r.linear(PRE_CLASSIFIER, h, h)?,
                classifier,
            },
            (Head::SequenceClassification, Family::Bert) => TaskHead::BertSequence {
                pooler: r.linear(&format!("{}.{POOLER}", c.weight_prefix()), h, h)?,
                classifier,
            },
        })
    }

    /// Hidden states `[batch, seq, hidden]` to logits: `[batch, seq, labels]` for token
    /// heads, `[batch, labels]` for sequence heads.
    pub fn forward(&self, hidden: &Tensor) -> Result<Tensor> {
        match self {
            TaskHead::Token { classifier } => classifier.forward(hidden),
            TaskHead::DistilBertSequence {
                pre_classifier,
                classifier,
            } => {
                let first = hidden.i((.., 0))?;
                classifier.forward(&ops::relu(pre_classifier.forward(&first)?)?)
            }
            TaskHead::BertSequence { pooler, classifier } => {
                let first = hidden.i((.., 0))?;
                classifier.forward(&pooler.forward(&first)?.tanh()?)
            }
        }
    }
}
