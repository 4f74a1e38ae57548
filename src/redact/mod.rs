//! PII redaction: find personal data in text, replace it per entity type, and put the originals
//! back into a reply written against the redacted text.
//!
//! ```text
//! spans (token classifiers, the caller) ──► canonical types, shape checks ─┐
//! text ──► normalised view ──► detect_patterns (table of built-ins,        ├─► options (disabled types,
//!          deny list) ──► back to original offsets; custom regexes ────────┘   thresholds, allow list)
//!      ──► resolve overlaps ──► merge ──► operators per type ──► Redaction { text, spans, mapping }
//!      ──► restore(reply)
//! ```
//!
//! All offsets are byte offsets into the `&str` they index, always on char boundaries. The
//! types are one table ([`ENTITY_TYPES`]); [`RedactionSession`] keeps placeholders and the
//! restore mapping across the messages of a conversation.
//!
//! ```
//! use tokenveil::redact::{redact, restore, RedactorConfig, Span};
//! let text = "Ada Lovelace (ada@example.com) paid with 4111 1111 1111 1111.";
//! let model = [Span::model(0, 3, "B-GIVEN_NAME", 0.99), Span::model(4, 12, "B-SURNAME", 0.98)];
//! let r = redact(text, &model, &RedactorConfig::default())?;
//! assert_eq!(r.text, "<PERSON_1> (<EMAIL_1>) paid with <CREDIT_CARD_1>.");
//! assert_eq!(restore("Dear <PERSON_1>", &r), "Dear Ada Lovelace");
//! # Ok::<(), tokenveil::Error>(())
//! ```
//!
//! # Overlap resolution
//!
//! Every detector's spans are pooled; model labels are first mapped to canonical types
//! ([`canonical_type`], or `RedactorConfig::model_label_map`) and dropped when they map to none,
//! and a model span of a type with a fixed syntax is dropped when it lacks its shape (an EMAIL
//! without `@`). Spans of disabled types, under their threshold, or whose text is on the allow
//! list are dropped. Every span is trimmed of surrounding whitespace (dropped if nothing is left). Then, in order:
//!
//! - **(a) Containment.** A span that strictly contains another (covers it and is longer) wins
//!   over it, whatever the scores.
//! - **(b) Partial overlap.** Among the spans contained in no other, the one ranked first is
//!   kept and every span overlapping it is dropped, repeatedly. Rank: higher score; on a tie,
//!   every other detector (`pattern:*`, `custom:*`, `deny_list`, `caller`) before the model; then
//!   earlier start; then longer span; then detector and type names (so the result never depends
//!   on input order). Spans with identical extents are ranked the same way. A span dropped by
//!   (a) comes back, in the same rank order, if it overlaps nothing kept: when its container
//!   lost under (b), the contained value is still redacted.
//! - **(c) Merge.** Consecutive kept spans of the same type merge into one when neither comes
//!   from a built-in pattern detector (those match whole values: two phone numbers stay two)
//!   and the text between them is empty or only horizontal whitespace (no line breaks), or for
//!   `ADDRESS` and `LOCATION` also commas: `GIVEN_NAME` + `SURNAME` become one `PERSON`, street +
//!   city + zip one `ADDRESS`. The merged score is the maximum of the parts; the detector is the
//!   parts' detectors joined with `+` (`model+deny_list`) when they differ.
//!
//! The result is sorted by start and non-overlapping.
//!
//! # Operators and `restore`
//!
//! Each type's [`Operator`] (or the default, [`Operator::Placeholder`]) makes the replacement.
//! [`Redaction::mapping`] lists the replacements that can be reversed, Placeholder and Hash, with
//! their originals; [`restore`] swaps them back in any text (typically an LLM reply). Replace,
//! Mask, Remove and Keep are not reversible (`[PERSON]` may stand for several people) and are
//! left as they are.

mod checks;
mod config;
mod detector;
mod finders;
mod labels;
mod normalize;
mod operators;
mod patterns;
mod resolve;
mod session;
mod types;

pub use config::{CustomPattern, DenyTerm, ModelTypes, Operator, RedactorConfig};
pub use detector::Detector;
pub use labels::canonical_type;
pub use normalize::NormalizedView;
pub use operators::{hash_value, mask, HASH_HEX_LEN};
pub use patterns::{detect_patterns, DetectorSet, PatternKind};
pub use session::RedactionSession;
pub use types::{canonical_name, entity_type, EntityType, ENTITY_TYPES};

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// One detected piece of personal data in the input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Span {
    /// Byte offsets into the input.
    pub start: usize,
    pub end: usize,
    /// Canonical type (`PERSON`, `EMAIL`, …); for model spans passed to [`redact`], the model's
    /// label, which `redact` maps (see [`canonical_type`]).
    pub entity_type: String,
    pub score: f32,
    pub detector: Detector,
}

impl Span {
    /// A span from a token classifier, carrying its raw label.
    pub fn model(start: usize, end: usize, label: &str, score: f32) -> Self {
        Span {
            start,
            end,
            entity_type: label.to_string(),
            score,
            detector: Detector::Model,
        }
    }

    /// A span the caller found by other means (a form field it knows, its own detector).
    pub fn caller(start: usize, end: usize, entity_type: &str, score: f32) -> Self {
        Span {
            start,
            end,
            entity_type: entity_type.to_string(),
            score,
            detector: Detector::Caller,
        }
    }
}

/// One replaced span.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RedactedSpan {
    pub entity_type: String,
    pub detector: String,
    pub score: f32,
    /// Byte offsets of `original` in the input.
    pub start: usize,
    pub end: usize,
    /// Byte offsets of `replacement` in the redacted text.
    pub new_start: usize,
    pub new_end: usize,
    pub original: String,
    pub replacement: String,
}

/// Result of [`redact`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Redaction {
    pub text: String,
    /// Sorted, non-overlapping; `text[new_start..new_end] == replacement` for each.
    pub spans: Vec<RedactedSpan>,
    /// `(replacement, original)` for the reversible operators (Placeholder, Hash), once each,
    /// in order of first appearance.
    pub mapping: Vec<(String, String)>,
}

/// Redacts `text`: pools `spans` (from token classifiers or the caller; labels mapped by
/// `config.canonical`) with the config's pattern detectors, drops what the options exclude,
/// resolves overlaps (module docs) and applies each type's operator.
///
/// Fails with `InvalidOption` for a span off the text (past its end, reversed, or not on char
/// boundaries) or with a non-finite score, for the option errors of
/// [`RedactorConfig::validate`] (where any type of the type table counts as producible by a
/// model, as do the given spans' types), and for those of [`detect_patterns`].
pub fn redact(text: &str, spans: &[Span], config: &RedactorConfig) -> Result<Redaction> {
    redact_with(
        text,
        spans,
        config,
        &ModelTypes::any(),
        &mut operators::Placeholders::default(),
    )
}

/// [`redact`] with the model types the options are checked against, and placeholder numbering
/// that goes on from earlier calls (a session's).
pub(crate) fn redact_with(
    text: &str,
    spans: &[Span],
    config: &RedactorConfig,
    model: &ModelTypes,
    placeholders: &mut operators::Placeholders,
) -> Result<Redaction> {
    let mut pooled = Vec::with_capacity(spans.len());
    for span in spans {
        let on_text = span.start <= span.end
            && span.end <= text.len()
            && text.is_char_boundary(span.start)
            && text.is_char_boundary(span.end);
        if !on_text || !span.score.is_finite() {
            return Err(Error::InvalidOption(format!(
                "span {}..{} ({}, score {}) does not fit a text of {} bytes",
                span.start,
                span.end,
                span.entity_type,
                span.score,
                text.len()
            )));
        }
        let Some(entity_type) = config.canonical(&span.entity_type) else {
            continue;
        };
        // A model's span of a structured type must look like one ("today" is no e-mail).
        if span.detector.is_model() && !types::shape_ok(&entity_type, &text[span.start..span.end]) {
            continue;
        }
        pooled.push(Span {
            entity_type,
            ..span.clone()
        });
    }
    let mut model = model.clone();
    model.0.extend(pooled.iter().map(|s| s.entity_type.clone()));
    config.validate(&model)?;
    pooled.extend(detect_patterns(text, config)?);
    // After every other detector: it reads the places they found.
    let postcodes = patterns::postcodes_beside_places(text, &pooled, config);
    pooled.extend(postcodes);
    let allowed = config.allowed_ranges(text);
    pooled.retain(|s| {
        config.keeps(&s.entity_type, s.score)
            && !config.allowed(&text[s.start..s.end])
            && !allowed.iter().any(|&(a, b)| a <= s.start && s.end <= b)
    });
    Ok(operators::apply(
        text,
        resolve::resolve(text, pooled),
        config,
        placeholders,
    ))
}

/// Puts originals back into `reply`: every occurrence of a reversible replacement (Placeholder
/// or Hash, listed in `redaction.mapping`) that stands for exactly one original becomes that
/// original. Replacements of other operators stay as they are. One left-to-right pass, longest
/// replacement first at each position, so restored text is never rewritten again. With
/// Placeholder for every type, `restore(&r.text, &r)` is the input.
pub fn restore(reply: &str, redaction: &Redaction) -> String {
    operators::restore(reply, &redaction.mapping)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_spans_are_checked() {
        let config = RedactorConfig::default();
        for bad in [
            Span::model(0, 9, "PER", 0.9),
            Span::model(3, 1, "PER", 0.9),
            Span::model(0, 2, "PER", f32::NAN),
        ] {
            let err = redact("héllo", &[bad], &config).unwrap_err();
            assert_eq!(err.code(), "invalid_option");
        }
        // "é" is bytes 1..3: 2 is inside it.
        assert!(redact("héllo", &[Span::model(0, 2, "PER", 0.9)], &config).is_err());
    }
}
