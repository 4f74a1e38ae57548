//! PII redaction as a pipeline: the entities of any number of token classifiers (none: patterns
//! alone work without a model) pooled with the pattern detectors and the caller's own spans,
//! then `redact`. This is where the two halves meet, so the entity-to-span conversion lives
//! here rather than in `redact`, which knows nothing of models.

use super::token_classification::{
    AggregationStrategy, Entity, TokenClassificationOptions, TokenClassifier,
};
use crate::documents::{self, DocumentFormat, DocumentOptions, DocumentRedaction, FieldRedactor};
use crate::error::Result;
use crate::redact::{
    self, ModelTypes, NormalizedView, Redaction, RedactionSession, RedactorConfig, Span,
};

/// A token classifier's entity as a redaction span with its raw label.
pub fn entity_span(e: &Entity) -> Span {
    Span::model(e.start, e.end, e.label(), e.score)
}

pub struct PiiRedactor {
    classifiers: Vec<TokenClassifier>,
    pub config: RedactorConfig,
}

impl PiiRedactor {
    /// A redactor over `classifiers` (their spans are pooled) and the config's detectors.
    /// Fails with `InvalidOption` when an option names a type that nothing here produces (see
    /// [`RedactorConfig::check_options`]). `hash` needs `hash_key` in `redact`, not in a
    /// [`Self::session`], which makes a random one.
    pub fn new(classifiers: Vec<TokenClassifier>, config: RedactorConfig) -> Result<Self> {
        let redactor = PiiRedactor {
            classifiers,
            config,
        };
        redactor.config.check_options(&redactor.model_types())?;
        Ok(redactor)
    }

    /// The canonical types the classifiers' labels map to.
    pub fn model_types(&self) -> ModelTypes {
        ModelTypes::of_labels(
            &self.config,
            self.classifiers
                .iter()
                .flat_map(|c| c.model().labels())
                .map(String::as_str),
        )
    }

    /// Every classifier's entities as spans ([`model_spans`]).
    pub fn model_spans(&self, text: &str) -> Result<Vec<Span>> {
        self.spans_with(text, &[])
    }

    /// The classifiers' spans followed by the caller's `extra` ones.
    fn spans_with(&self, text: &str, extra: &[Span]) -> Result<Vec<Span>> {
        let mut spans = Vec::new();
        for classifier in &self.classifiers {
            spans.extend(model_spans(classifier, text)?);
        }
        spans.extend_from_slice(extra);
        Ok(spans)
    }

    pub fn redact(&self, text: &str) -> Result<Redaction> {
        self.redact_with_spans(text, &[])
    }

    /// Many independent texts, each redacted as [`Self::redact`] redacts it, with the model run
    /// over them together: their windows go through the encoder in padded passes of similar
    /// lengths ([`TokenClassifier::classify_batch`]), which costs less per text than one pass
    /// each. One result per text, in order; when a pass fails, the texts are run one by one so
    /// that each error lands on its own text.
    pub fn redact_batch(&self, texts: &[&str]) -> Vec<Result<Redaction>> {
        self.batch_with(texts, |text, spans| {
            redact::redact(text, spans, &self.config)
        })
    }

    /// [`Self::redact_batch`] with each text in a fresh copy of `session` (made by
    /// [`Self::session`]): the texts share its hash key and operators, not its numbering.
    pub fn redact_batch_in(
        &self,
        session: &RedactionSession,
        texts: &[&str],
    ) -> Vec<Result<Redaction>> {
        self.batch_with(texts, |text, spans| session.clone().redact(text, spans))
    }

    fn batch_with(
        &self,
        texts: &[&str],
        redact: impl Fn(&str, &[Span]) -> Result<Redaction>,
    ) -> Vec<Result<Redaction>> {
        let mut spans = vec![Vec::new(); texts.len()];
        let pooled: Result<()> = self.classifiers.iter().try_for_each(|classifier| {
            for (all, mine) in spans.iter_mut().zip(model_spans_batch(classifier, texts)?) {
                all.extend(mine);
            }
            Ok(())
        });
        match pooled {
            Ok(()) => texts
                .iter()
                .zip(&spans)
                .map(|(t, s)| redact(t, s))
                .collect(),
            Err(_) => texts
                .iter()
                .map(|t| redact(t, &self.spans_with(t, &[])?))
                .collect(),
        }
    }

    /// Redacts with `extra` spans from the caller pooled in (byte offsets into `text`).
    pub fn redact_with_spans(&self, text: &str, extra: &[Span]) -> Result<Redaction> {
        redact::redact(text, &self.spans_with(text, extra)?, &self.config)
    }

    /// A session for one conversation (see [`RedactionSession`]), checked against this
    /// redactor's models.
    pub fn session(&self) -> Result<RedactionSession> {
        RedactionSession::for_models(self.config.clone(), self.model_types())
    }

    /// Redacts one message of `session` (made by [`Self::session`]).
    pub fn redact_in(
        &self,
        session: &mut RedactionSession,
        text: &str,
        extra: &[Span],
    ) -> Result<Redaction> {
        session.redact(text, &self.spans_with(text, extra)?)
    }

    /// Redacts a whole document (text, Markdown, CSV/TSV, JSON, JSON Lines: see
    /// [`documents`](crate::documents)) in `session`, so one value gets one placeholder
    /// throughout and `session.mapping()` restores the document.
    pub fn redact_document(
        &self,
        session: &mut RedactionSession,
        content: &str,
        format: DocumentFormat,
        options: &DocumentOptions,
    ) -> Result<DocumentRedaction> {
        let mut fields = SessionFields {
            classifiers: &self.classifiers,
            session,
        };
        documents::redact_document(content, format, options, &mut fields)
    }
}

/// Classifiers (none: patterns alone) and a session as the document walkers' [`FieldRedactor`]:
/// the models read each record's context, the session's detectors and operators redact each
/// value. [`PiiRedactor::redact_document`] and the wasm `redactDocument` share it.
pub(crate) struct SessionFields<'a> {
    pub(crate) classifiers: &'a [TokenClassifier],
    pub(crate) session: &'a mut RedactionSession,
}

impl FieldRedactor for SessionFields<'_> {
    fn detect(&mut self, text: &str) -> Result<Vec<Span>> {
        let mut spans = Vec::new();
        for classifier in self.classifiers {
            spans.extend(model_spans(classifier, text)?);
        }
        Ok(spans)
    }

    fn redact(&mut self, text: &str, spans: &[Span]) -> Result<Redaction> {
        self.session.redact(text, spans)
    }
}

/// A token classifier's entities as redaction spans. The model reads the normalised view of
/// the text (full-width digits and letters as ASCII, odd spaces as spaces, zero-width
/// characters gone: see `redact::NormalizedView`), and spans come back in the text's offsets.
/// Whole words (`first` aggregation): a word the model marks is redacted entirely even when
/// its later word pieces disagree.
pub fn model_spans(classifier: &TokenClassifier, text: &str) -> Result<Vec<Span>> {
    Ok(model_spans_batch(classifier, &[text])?
        .pop()
        .unwrap_or_default())
}

/// [`model_spans`] of many texts, the model run over them together
/// ([`TokenClassifier::classify_batch`]).
pub fn model_spans_batch(classifier: &TokenClassifier, texts: &[&str]) -> Result<Vec<Vec<Span>>> {
    let opts = TokenClassificationOptions {
        aggregation_strategy: AggregationStrategy::First,
        ..Default::default()
    };
    let views: Vec<NormalizedView> = texts.iter().map(|t| NormalizedView::new(t)).collect();
    let normalized: Vec<&str> = views.iter().map(|v| v.text.as_str()).collect();
    let entities = classifier.classify_batch(&normalized, &opts)?;
    Ok(views
        .iter()
        .zip(entities)
        .map(|(view, entities)| {
            entities
                .iter()
                .filter(|e| {
                    view.text
                        .get(e.start..e.end)
                        .is_some_and(has_word_character)
                })
                .filter_map(|e| {
                    let (start, end) = view.original_range(e.start, e.end)?;
                    Some(Span {
                        start,
                        end,
                        ..entity_span(e)
                    })
                })
                .collect()
        })
        .collect())
}

/// Personal data always holds a letter or a digit; a model span of punctuation, symbols or
/// emoji alone (a lone "," tagged as a name piece) would only hide text that is not personal.
fn has_word_character(s: &str) -> bool {
    s.chars().any(char::is_alphanumeric)
}

#[cfg(test)]
mod tests {
    use super::has_word_character;

    #[test]
    fn spans_without_a_letter_or_digit_are_not_personal() {
        for s in [",", "-", "😬", "🙏 ", "§ –", "(", ""] {
            assert!(!has_word_character(s), "{s:?}");
        }
        for s in ["Anna", "42", "件名", "ΛΕΥΚΩΣΙΑ", "-01", "@x"] {
            assert!(has_word_character(s), "{s:?}");
        }
    }
}
