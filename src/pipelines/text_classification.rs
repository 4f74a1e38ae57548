//! Text classification (sentiment, topics, multi-label) with the Hugging Face
//! `text-classification` pipeline's semantics: `top_k`, `function_to_apply` chosen by
//! `problem_type`, labels sorted by score. Over-long input is truncated and the result says so.

use super::timing::{Clock, NoClock, Stopwatch, Timings};
use super::{logits_per_window, softmax};
use crate::bundle::ModelBundle;
use crate::config::{Head, ProblemType};
use crate::error::{Error, Result};
use crate::tokenize::Encoded;
use serde::Serialize;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum FunctionToApply {
    /// By the model's problem_type, as Hugging Face: none for a regression head, sigmoid for a
    /// multi-label or one-label head, else softmax.
    #[default]
    Default,
    Softmax,
    Sigmoid,
    /// The raw logits.
    None,
}

impl FromStr for FunctionToApply {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "default" => Ok(Self::Default),
            "softmax" => Ok(Self::Softmax),
            "sigmoid" => Ok(Self::Sigmoid),
            "none" => Ok(Self::None),
            _ => Err(Error::InvalidOption(format!(
                "unknown function_to_apply `{s}` (default, softmax, sigmoid, none)"
            ))),
        }
    }
}

#[derive(Debug, Clone)]
pub struct TextClassificationOptions {
    /// How many labels to return, best first; `None` returns all of them.
    pub top_k: Option<usize>,
    pub function_to_apply: FunctionToApply,
    /// Texts run through the model together, at most (a pass also holds at most 512 padded
    /// tokens).
    pub batch_size: usize,
}

impl Default for TextClassificationOptions {
    fn default() -> Self {
        TextClassificationOptions {
            top_k: Some(1),
            function_to_apply: FunctionToApply::Default,
            batch_size: 8,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ClassLabel {
    pub label: String,
    pub score: f32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TextClassification {
    /// Labels sorted by score, best first, at most `top_k`.
    pub labels: Vec<ClassLabel>,
    /// The text had more tokens than the model's window; only the first window was read.
    pub truncated: bool,
}

pub struct TextClassifier {
    model: ModelBundle,
}

impl TextClassifier {
    pub fn new(model: ModelBundle) -> Result<Self> {
        if model.head() != Head::SequenceClassification {
            return Err(Error::InvalidOption(format!(
                "text classification needs a *ForSequenceClassification model; this is {}",
                model.config.architecture
            )));
        }
        Ok(TextClassifier { model })
    }

    pub fn model(&self) -> &ModelBundle {
        &self.model
    }

    pub fn classify(
        &self,
        text: &str,
        opts: &TextClassificationOptions,
    ) -> Result<TextClassification> {
        let mut out = self.classify_batch(&[text], opts)?;
        out.pop()
            .ok_or_else(|| Error::Inference("no result for the text".into()))
    }

    pub fn classify_batch(
        &self,
        texts: &[&str],
        opts: &TextClassificationOptions,
    ) -> Result<Vec<TextClassification>> {
        Ok(self.classify_batch_timed(texts, opts, &NoClock)?.0)
    }

    /// [`Self::classify_batch`], with the time each stage took by `clock`.
    pub fn classify_batch_timed(
        &self,
        texts: &[&str],
        opts: &TextClassificationOptions,
        clock: &dyn Clock,
    ) -> Result<(Vec<TextClassification>, Timings)> {
        let mut watch = Stopwatch::start(clock);
        if opts.batch_size == 0 {
            return Err(Error::InvalidOption("batch_size must be at least 1".into()));
        }
        if opts.top_k == Some(0) {
            return Err(Error::InvalidOption(
                "top_k must be at least 1 (or unset for all labels)".into(),
            ));
        }
        let encodings = texts
            .iter()
            .map(|t| self.model.tokenizer.encode(t))
            .collect::<Result<Vec<_>>>()?;
        let tokenize_ms = watch.lap();
        let logits = logits_per_window(&self.model, &encodings, opts.batch_size)?;
        let forward_ms = watch.lap();
        let function = self.resolve(opts.function_to_apply);
        let results = encodings
            .iter()
            .zip(logits)
            .map(|(enc, rows)| {
                let row = rows.into_iter().next().unwrap_or_default();
                let scores = match function {
                    FunctionToApply::Softmax => softmax(&row),
                    FunctionToApply::Sigmoid => {
                        row.iter().map(|&x| 1.0 / (1.0 + (-x).exp())).collect()
                    }
                    _ => row,
                };
                let mut labels: Vec<ClassLabel> = scores
                    .into_iter()
                    .zip(self.model.labels())
                    .map(|(score, label)| ClassLabel {
                        label: label.clone(),
                        score,
                    })
                    .collect();
                // Stable, like Python's `sort(reverse=True)`: equal scores keep label order.
                labels.sort_by(|a, b| b.score.total_cmp(&a.score));
                if let Some(k) = opts.top_k {
                    labels.truncate(k);
                }
                TextClassification {
                    labels,
                    truncated: enc.truncated,
                }
            })
            .collect();
        let timings = Timings {
            tokenize_ms,
            forward_ms,
            postprocess_ms: watch.lap(),
            tokens: encodings.iter().map(Encoded::len).sum(),
        };
        Ok((results, timings))
    }

    /// Hugging Face's choice for `function_to_apply = default`.
    fn resolve(&self, f: FunctionToApply) -> FunctionToApply {
        if f != FunctionToApply::Default {
            return f;
        }
        let c = &self.model.config;
        if c.problem_type == Some(ProblemType::Regression) {
            FunctionToApply::None
        } else if c.problem_type == Some(ProblemType::MultiLabelClassification)
            || c.num_labels() == 1
        {
            FunctionToApply::Sigmoid
        } else if c.problem_type == Some(ProblemType::SingleLabelClassification)
            || c.num_labels() > 1
        {
            FunctionToApply::Softmax
        } else {
            FunctionToApply::None
        }
    }
}
