//! PII redaction as a pipeline: the token classifier's entities (optional: patterns alone
//! work without a model) pooled with the pattern detectors, then `redact::redact`.

use super::token_classification::{
    AggregationStrategy, TokenClassificationOptions, TokenClassifier,
};
use crate::error::Result;
use crate::redact::{self, Redaction, RedactorConfig, Span};

pub struct PiiRedactor {
    classifier: Option<TokenClassifier>,
    pub config: RedactorConfig,
}

impl PiiRedactor {
    pub fn new(classifier: Option<TokenClassifier>, config: RedactorConfig) -> Self {
        PiiRedactor { classifier, config }
    }

    /// The model's entities as spans ([`model_spans`]); none without a model.
    pub fn model_spans(&self, text: &str) -> Result<Vec<Span>> {
        match &self.classifier {
            Some(classifier) => model_spans(classifier, text),
            None => Ok(Vec::new()),
        }
    }

    pub fn redact(&self, text: &str) -> Result<Redaction> {
        redact::redact(text, &self.model_spans(text)?, &self.config)
    }
}

/// A token classifier's entities as redaction spans. Whole words (`first` aggregation): a
/// word the model marks is redacted entirely even when its later word pieces disagree.
pub fn model_spans(classifier: &TokenClassifier, text: &str) -> Result<Vec<Span>> {
    let opts = TokenClassificationOptions {
        aggregation_strategy: AggregationStrategy::First,
        ..Default::default()
    };
    Ok(classifier
        .classify(text, &opts)?
        .iter()
        .map(Span::from)
        .collect())
}
