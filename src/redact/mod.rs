//! PII redaction: find personal data in text, replace it per entity type, and put the originals
//! back into a reply written against the redacted text.
//!
//! ```text
//! model spans (token classifier) ──► canonical types ─┐
//! text ──► detect_patterns (built-ins, custom regexes, deny list) ─┴─► resolve overlaps ──► merge
//!      ──► operators per type ──► Redaction { text, spans, mapping } ──► restore(reply)
//! ```
//!
//! All offsets are byte offsets into the `&str` they index, always on char boundaries.
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
//! ([`canonical_type`], or `RedactorConfig::model_label_map`) and dropped when they map to none.
//! Every span is trimmed of surrounding whitespace (dropped if nothing is left). Then, in order:
//!
//! - **(a) Containment.** A span that strictly contains another (covers it and is longer) wins
//!   over it, whatever the scores.
//! - **(b) Partial overlap.** Among the spans contained in no other, the one ranked first is
//!   kept and every span overlapping it is dropped, repeatedly. Rank: higher score; on a tie,
//!   pattern-side detectors (`pattern:*`, `custom:*`, `deny_list`) before the model; then
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
mod labels;
mod operators;
mod patterns;
mod resolve;

pub use labels::canonical_type;
pub use operators::{hash_value, mask, HASH_HEX_LEN};
pub use patterns::{detect_patterns, DetectorSet, PatternKind};

use crate::error::{Error, Result};
use crate::pipelines::token_classification::Entity;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// One detected piece of personal data in the input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Span {
    /// Byte offsets into the input.
    pub start: usize,
    pub end: usize,
    /// Canonical type (`PERSON`, `EMAIL`, …); for model spans passed to [`redact`], the model's
    /// label, which `redact` maps (see [`canonical_type`]).
    pub entity_type: String,
    pub score: f32,
    /// `model`, `pattern:EMAIL` (any [`PatternKind`] name), `custom:NAME` or `deny_list`.
    pub detector: String,
}

impl Span {
    /// A span from the token classifier, carrying its raw label.
    pub fn model(start: usize, end: usize, label: &str, score: f32) -> Self {
        Span {
            start,
            end,
            entity_type: label.to_string(),
            score,
            detector: "model".to_string(),
        }
    }
}

/// Token-classification output (any aggregation strategy) as model spans.
impl From<&Entity> for Span {
    fn from(e: &Entity) -> Self {
        Span::model(e.start, e.end, e.label(), e.score)
    }
}

/// A user regex whose matches are `entity_type`. Detector name: `custom:NAME`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomPattern {
    pub name: String,
    pub entity_type: String,
    /// Rust `regex` syntax; matched as written (add `\b` for word boundaries).
    pub regex: String,
    /// 0..=1, compared with the other detectors' scores on overlaps.
    pub score: f32,
}

/// An exact term that is always `entity_type`, matched as a whole word (no word char may
/// continue it on a side where the term itself starts or ends with a word char). Score 1.0.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DenyTerm {
    pub entity_type: String,
    pub term: String,
    #[serde(default)]
    pub case_insensitive: bool,
}

/// What a span becomes in the redacted text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Operator {
    /// `template` with every `{type}` replaced by the entity type; default `[{type}]`.
    Replace {
        #[serde(default = "default_template")]
        template: String,
    },
    /// `<TYPE_n>`, numbered per type in order of appearance; the same exact original gets the
    /// same number throughout one `redact` call. Reversible.
    Placeholder,
    /// Every char replaced by `ch` except the first `keep` (or the last, `from_end`); chars are
    /// Unicode scalar values, and whitespace inside the value is masked too.
    Mask {
        ch: char,
        keep: usize,
        from_end: bool,
    },
    /// The first [`HASH_HEX_LEN`] hex digits of SHA-256 over `salt` then the value (see
    /// [`hash_value`]). Reversible through the mapping, not by itself.
    Hash { salt: String },
    /// Deletes exactly the span; the whitespace around it stays as it was.
    Remove,
    /// Leaves the value in place (the span is still reported).
    Keep,
}

impl Operator {
    /// `Replace`'s template when none is given: `[PERSON]`, `[EMAIL]`, …
    pub const DEFAULT_TEMPLATE: &'static str = "[{type}]";
}

fn default_template() -> String {
    Operator::DEFAULT_TEMPLATE.to_string()
}

/// What to detect and how to replace it. `Default`: every built-in detector, no custom
/// patterns or deny list, [`Operator::Placeholder`] for every type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RedactorConfig {
    pub detectors: DetectorSet,
    pub custom_patterns: Vec<CustomPattern>,
    pub deny_list: Vec<DenyTerm>,
    /// Operator per canonical type; types not listed use `default_operator`.
    pub operators: HashMap<String, Operator>,
    pub default_operator: Operator,
    /// Model label (without `B-`/`I-`, any case) to canonical type, consulted before
    /// [`canonical_type`]; `None` drops the label (not personal data).
    pub model_label_map: HashMap<String, Option<String>>,
}

impl Default for RedactorConfig {
    fn default() -> Self {
        RedactorConfig {
            detectors: DetectorSet::default(),
            custom_patterns: Vec::new(),
            deny_list: Vec::new(),
            operators: HashMap::new(),
            default_operator: Operator::Placeholder,
            model_label_map: HashMap::new(),
        }
    }
}

impl RedactorConfig {
    /// The operator for a canonical type.
    pub fn operator(&self, entity_type: &str) -> &Operator {
        self.operators
            .get(entity_type)
            .unwrap_or(&self.default_operator)
    }

    /// Canonical type of a model label: `model_label_map` first, then [`canonical_type`].
    pub fn canonical(&self, model_label: &str) -> Option<String> {
        let bare = labels::bare_label(model_label);
        match self
            .model_label_map
            .iter()
            .find(|(label, _)| labels::bare_label(label) == bare)
        {
            Some((_, mapped)) => mapped.as_ref().map(|t| t.to_uppercase()),
            None => canonical_type(&bare),
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

/// Redacts `text`: pools `model_spans` (labels mapped by `config.canonical`) with the config's
/// pattern detectors, resolves overlaps (module docs) and applies each type's operator.
///
/// Fails with `InvalidOption` for a model span off the text (past its end, reversed, or not on
/// char boundaries) or with a non-finite score, and for the config errors of
/// [`detect_patterns`].
pub fn redact(text: &str, model_spans: &[Span], config: &RedactorConfig) -> Result<Redaction> {
    let mut spans = Vec::with_capacity(model_spans.len());
    for span in model_spans {
        let on_text = span.start <= span.end
            && span.end <= text.len()
            && text.is_char_boundary(span.start)
            && text.is_char_boundary(span.end);
        if !on_text || !span.score.is_finite() {
            return Err(Error::InvalidOption(format!(
                "model span {}..{} ({}, score {}) does not fit a text of {} bytes",
                span.start,
                span.end,
                span.entity_type,
                span.score,
                text.len()
            )));
        }
        if let Some(entity_type) = config.canonical(&span.entity_type) {
            spans.push(Span {
                entity_type,
                ..span.clone()
            });
        }
    }
    spans.extend(detect_patterns(text, config)?);
    Ok(operators::apply(
        text,
        resolve::resolve(text, spans),
        config,
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

    #[test]
    fn label_map_overrides_and_drops() {
        let mut config = RedactorConfig::default();
        config
            .model_label_map
            .insert("misc".into(), Some("product".into()));
        config.model_label_map.insert("ORG".into(), None);
        assert_eq!(config.canonical("B-MISC").as_deref(), Some("PRODUCT"));
        assert_eq!(config.canonical("I-ORG"), None);
        assert_eq!(config.canonical("B-GIVEN_NAME").as_deref(), Some("PERSON"));
    }

    #[test]
    fn config_from_json() {
        let config: RedactorConfig = serde_json::from_str(
            r#"{"detectors": ["EMAIL", "IBAN"], "operators": {"EMAIL": {"kind": "replace"}, "PERSON": {"kind": "mask", "ch": "*", "keep": 1, "from_end": false}}}"#,
        )
        .unwrap();
        assert!(
            config.detectors.contains(PatternKind::Iban)
                && !config.detectors.contains(PatternKind::Phone)
        );
        assert_eq!(
            config.operator("EMAIL"),
            &Operator::Replace {
                template: "[{type}]".into()
            }
        );
        assert_eq!(config.operator("PHONE"), &Operator::Placeholder);
    }
}
