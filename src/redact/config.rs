//! What to detect and how to replace it, and the checks that make a misspelt or impossible
//! option an error rather than a silent no-op.

use super::labels;
use super::patterns::{DetectorSet, PatternKind};
use super::types::{canonical_name, ENTITY_TYPES};
use crate::error::{Error, Result};
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::{BTreeSet, HashMap};

/// A user regex whose matches are `entity_type`. Detector name: `custom:NAME`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomPattern {
    pub name: String,
    #[serde(alias = "entityType")]
    pub entity_type: String,
    /// Rust `regex` syntax; matched as written (add `\b` for word boundaries).
    pub regex: String,
    /// 0..=1, compared with the other detectors' scores on overlaps.
    #[serde(default = "one")]
    pub score: f32,
}

fn one() -> f32 {
    1.0
}

/// An exact term that is always `entity_type`, matched as a whole word (no word char may
/// continue it on a side where the term itself starts or ends with a word char). Score 1.0.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DenyTerm {
    #[serde(alias = "entityType")]
    pub entity_type: String,
    pub term: String,
    #[serde(default, alias = "caseInsensitive")]
    pub case_insensitive: bool,
}

/// What a span becomes in the redacted text. In JSON: `{"kind": "mask", "ch": "#", "keep": 4,
/// "from_end": true}` (or the JS options' `char` and `fromEnd`; missing fields take their
/// defaults); a field the kind does not take is an error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", try_from = "OperatorJson")]
#[non_exhaustive]
pub enum Operator {
    /// `template` with every `{type}` replaced by the entity type; default `[{type}]`.
    Replace { template: String },
    /// `<TYPE_n>`, numbered per type in order of appearance; the same exact original gets the
    /// same number throughout one `redact` call, or a whole session. Reversible.
    Placeholder,
    /// Every char replaced by `ch` except the first `keep` (or the last, `from_end`); chars are
    /// Unicode scalar values, and whitespace inside the value is masked too.
    Mask {
        ch: char,
        keep: usize,
        from_end: bool,
    },
    /// The first [`HASH_HEX_LEN`](super::HASH_HEX_LEN) hex digits of HMAC-SHA256 of the value
    /// under [`RedactorConfig::hash_key`]. Without the key nobody can test guesses against it
    /// (an unkeyed hash of an SSN or phone number is reversed by trying them all). Reversible
    /// through the mapping, not by itself.
    Hash,
    /// Deletes exactly the span; the whitespace around it stays as it was.
    Remove,
    /// Leaves the value in place (the span is still reported).
    Keep,
}

impl Operator {
    /// `Replace`'s template when none is given: `[PERSON]`, `[EMAIL]`, …
    pub const DEFAULT_TEMPLATE: &'static str = "[{type}]";
}

/// Every field any operator takes: serde cannot refuse unknown fields on the unit variants of
/// an internally tagged enum, so JSON is read into this and checked per kind.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OperatorJson {
    kind: String,
    template: Option<String>,
    #[serde(alias = "char")]
    ch: Option<char>,
    keep: Option<usize>,
    #[serde(alias = "fromEnd")]
    from_end: Option<bool>,
}

impl TryFrom<OperatorJson> for Operator {
    type Error = String;
    fn try_from(j: OperatorJson) -> std::result::Result<Self, String> {
        let mask_fields = j.ch.is_some() || j.keep.is_some() || j.from_end.is_some();
        let stray = |fields: bool| {
            if fields {
                Err(format!("operator `{}` takes no such field", j.kind))
            } else {
                Ok(())
            }
        };
        Ok(match j.kind.as_str() {
            "replace" => {
                stray(mask_fields)?;
                Operator::Replace {
                    template: j.template.unwrap_or_else(default_template),
                }
            }
            "mask" => {
                stray(j.template.is_some())?;
                Operator::Mask {
                    ch: j.ch.unwrap_or_else(default_mask_char),
                    keep: j.keep.unwrap_or(0),
                    from_end: j.from_end.unwrap_or(false),
                }
            }
            other => {
                stray(mask_fields || j.template.is_some())?;
                match other {
                    "placeholder" => Operator::Placeholder,
                    "hash" => Operator::Hash,
                    "remove" => Operator::Remove,
                    "keep" => Operator::Keep,
                    _ => {
                        return Err(format!(
                            "unknown operator kind `{other}` (replace, placeholder, mask, hash, remove, keep)"
                        ))
                    }
                }
            }
        })
    }
}

/// JSON keys of type-keyed options as canonical type names, so a config file may spell a type
/// as the JS options or Presidio do (`phone`, `PHONE_NUMBER` -> `PHONE`).
fn canonical_keys<'de, D: Deserializer<'de>, V: Deserialize<'de>>(
    d: D,
) -> std::result::Result<HashMap<String, V>, D::Error> {
    let map = HashMap::<String, V>::deserialize(d)?;
    Ok(map
        .into_iter()
        .map(|(k, v)| (canonical_name(&k), v))
        .collect())
}

fn canonical_set<'de, D: Deserializer<'de>>(
    d: D,
) -> std::result::Result<BTreeSet<String>, D::Error> {
    let set = BTreeSet::<String>::deserialize(d)?;
    Ok(set.iter().map(|t| canonical_name(t)).collect())
}

fn default_template() -> String {
    Operator::DEFAULT_TEMPLATE.to_string()
}

fn default_mask_char() -> char {
    '*'
}

/// What to detect and how to replace it. `Default`: every built-in detector, no custom
/// patterns, deny or allow list, every type on with no score threshold, and
/// [`Operator::Placeholder`] for every type. Unknown fields in JSON are an error; each field
/// may also be spelled as in the JS options (`allowList`, `minScore`, ...), so one options
/// object serves `redact --config` and the npm package.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RedactorConfig {
    pub detectors: DetectorSet,
    #[serde(alias = "customPatterns")]
    pub custom_patterns: Vec<CustomPattern>,
    #[serde(alias = "denyList")]
    pub deny_list: Vec<DenyTerm>,
    /// Values never redacted, whoever finds them: a span whose text equals one of these
    /// (ignoring case and surrounding whitespace), or that lies inside an occurrence of one in
    /// the text, is dropped. For a company's own name, a support address, a public hotline.
    #[serde(alias = "allowList")]
    pub allow_list: Vec<String>,
    /// Canonical types that are not redacted (their spans are dropped before overlaps are
    /// resolved, so they cannot block another type either).
    #[serde(deserialize_with = "canonical_set", alias = "disabledTypes")]
    pub disabled_types: BTreeSet<String>,
    /// Lowest score kept, per canonical type (0..=1); types not listed use `min_score`.
    #[serde(deserialize_with = "canonical_keys")]
    pub thresholds: HashMap<String, f32>,
    /// Lowest score kept for types without a threshold of their own.
    #[serde(alias = "minScore")]
    pub min_score: f32,
    /// Operator per canonical type; types not listed use `default_operator`.
    #[serde(deserialize_with = "canonical_keys")]
    pub operators: HashMap<String, Operator>,
    #[serde(alias = "defaultOperator")]
    pub default_operator: Operator,
    /// Model label (without `B-`/`I-`, any case) to canonical type, consulted before
    /// [`canonical_type`](super::canonical_type); `None` drops the label (not personal data).
    #[serde(alias = "modelLabelMap")]
    pub model_label_map: HashMap<String, Option<String>>,
    /// The key of the `hash` operator's HMAC. Required where `hash` is used, except in a
    /// [`RedactionSession`](super::RedactionSession), which makes a random one when none is
    /// given. Batch jobs must pass one, so that hashes agree across processes.
    #[serde(alias = "hashKey")]
    pub hash_key: Option<String>,
}

impl Default for RedactorConfig {
    fn default() -> Self {
        RedactorConfig {
            detectors: DetectorSet::default(),
            custom_patterns: Vec::new(),
            deny_list: Vec::new(),
            allow_list: Vec::new(),
            disabled_types: BTreeSet::new(),
            thresholds: HashMap::new(),
            min_score: 0.0,
            operators: HashMap::new(),
            default_operator: Operator::Placeholder,
            model_label_map: HashMap::new(),
            hash_key: None,
        }
    }
}

/// The canonical types that spans from outside the pattern detectors (models, the caller) can
/// have, for option checks.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ModelTypes(pub BTreeSet<String>);

impl ModelTypes {
    /// Unknown models: every type of the type table.
    pub fn any() -> Self {
        ModelTypes(ENTITY_TYPES.iter().map(|t| t.name.to_string()).collect())
    }

    /// The canonical types of token classifiers' labels under `config`'s label map.
    pub fn of_labels<'a>(
        config: &RedactorConfig,
        labels: impl IntoIterator<Item = &'a str>,
    ) -> Self {
        ModelTypes(
            labels
                .into_iter()
                .filter_map(|l| config.canonical(l))
                .collect(),
        )
    }
}

impl RedactorConfig {
    /// The operator for a canonical type.
    pub fn operator(&self, entity_type: &str) -> &Operator {
        self.operators
            .get(entity_type)
            .unwrap_or(&self.default_operator)
    }

    /// Canonical type of a model label: `model_label_map` first, then
    /// [`canonical_type`](super::canonical_type).
    pub fn canonical(&self, model_label: &str) -> Option<String> {
        let bare = labels::bare_label(model_label);
        match self
            .model_label_map
            .iter()
            .find(|(label, _)| labels::bare_label(label) == bare)
        {
            Some((_, mapped)) => mapped.as_deref().map(canonical_name),
            None => labels::canonical_type(&bare),
        }
    }

    /// Whether any type is hashed (and so a key is needed).
    pub fn uses_hash(&self) -> bool {
        self.default_operator == Operator::Hash
            || self.operators.values().any(|op| *op == Operator::Hash)
    }

    /// Whether a span of this type and score survives `disabled_types` and the thresholds.
    pub(super) fn keeps(&self, entity_type: &str, score: f32) -> bool {
        !self.disabled_types.contains(entity_type)
            && score >= *self.thresholds.get(entity_type).unwrap_or(&self.min_score)
    }

    /// Whether `value` is on the allow list.
    pub(super) fn allowed(&self, value: &str) -> bool {
        let value = value.trim();
        self.allow_list
            .iter()
            .any(|a| a.trim().to_lowercase() == value.to_lowercase())
    }

    /// Byte ranges of `text` where an allow-list term occurs (any case). A span inside one is
    /// allowed too: a model that finds only `@example.com` of an allowed `support@example.com`
    /// must not redact that part of it.
    pub(super) fn allowed_ranges(&self, text: &str) -> Vec<(usize, usize)> {
        self.allow_list
            .iter()
            .filter_map(|a| {
                regex::RegexBuilder::new(&regex::escape(a.trim()))
                    .case_insensitive(true)
                    .build()
                    .ok()
            })
            .flat_map(|re| {
                re.find_iter(text)
                    .map(|m| (m.start(), m.end()))
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    /// Every canonical type this config and `model` can produce.
    pub fn producible_types(&self, model: &ModelTypes) -> BTreeSet<String> {
        let mut types: BTreeSet<String> = self
            .detectors
            .iter()
            .map(|k: PatternKind| k.entity_type().to_string())
            .collect();
        types.extend(
            self.custom_patterns
                .iter()
                .map(|p| canonical_name(&p.entity_type)),
        );
        types.extend(
            self.deny_list
                .iter()
                .map(|d| canonical_name(&d.entity_type)),
        );
        types.extend(
            self.model_label_map
                .values()
                .flatten()
                .map(|t| canonical_name(t)),
        );
        types.extend(model.0.iter().cloned());
        types
    }

    /// [`Self::check_options`], and a key wherever `hash` is used: what a redaction needs.
    pub fn validate(&self, model: &ModelTypes) -> Result<()> {
        self.check_options(model)?;
        if self.uses_hash() && self.hash_key.as_deref().is_none_or(str::is_empty) {
            return Err(Error::InvalidOption(
                "the hash operator needs a key (hash_key): an unkeyed hash of a phone or SSN can be reversed by trying every value; a redaction session makes a random one".into(),
            ));
        }
        Ok(())
    }

    /// Checks the options against each other: scores and thresholds within 0..=1, operators and
    /// thresholds keyed by types something can produce (a misspelt `"EMIAL"` would otherwise
    /// leave every e-mail address under the default operator), non-empty deny and allow terms.
    /// Custom regexes are compiled when they run. The hash key is checked by [`Self::validate`]
    /// (a session supplies one).
    pub fn check_options(&self, model: &ModelTypes) -> Result<()> {
        let bad = |msg: String| Err(Error::InvalidOption(msg));
        let producible = self.producible_types(model);
        let unknown_type = |what: &str, t: &str| {
            Error::InvalidOption(format!(
                "{what} for type `{t}`, which no enabled detector, custom pattern, deny-list term, label map or model produces (they produce: {})",
                producible.iter().cloned().collect::<Vec<_>>().join(", ")
            ))
        };
        for t in self.operators.keys() {
            if !producible.contains(t) {
                return Err(unknown_type("an operator", t));
            }
        }
        for (t, &score) in &self.thresholds {
            if !producible.contains(t) {
                return Err(unknown_type("a threshold", t));
            }
            if !(0.0..=1.0).contains(&score) {
                return bad(format!("threshold {score} for {t} is not within 0..=1"));
            }
        }
        for t in &self.disabled_types {
            if !producible.contains(t) {
                return Err(unknown_type("disabled_types has an entry", t));
            }
        }
        if !(0.0..=1.0).contains(&self.min_score) {
            return bad(format!("min_score {} is not within 0..=1", self.min_score));
        }
        for p in &self.custom_patterns {
            if !(0.0..=1.0).contains(&p.score) {
                return bad(format!(
                    "custom pattern `{}`: score {} is not within 0..=1",
                    p.name, p.score
                ));
            }
        }
        if self.allow_list.iter().any(|a| a.trim().is_empty()) {
            return bad("an allow-list term is empty".into());
        }
        if self.deny_list.iter().any(|d| d.term.trim().is_empty()) {
            return bad("a deny-list term is empty".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
            r#"{"detectors": ["EMAIL", "IBAN"], "operators": {"EMAIL": {"kind": "replace"}, "PERSON": {"kind": "mask", "keep": 1}}}"#,
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
        assert_eq!(
            config.operator("PERSON"),
            &Operator::Mask {
                ch: '*',
                keep: 1,
                from_end: false
            }
        );
        assert_eq!(config.operator("PHONE"), &Operator::Placeholder);
    }

    #[test]
    fn type_keys_are_canonical_names() {
        // Any case, and Presidio's names, as the JS options and `--operator` accept them.
        let config: RedactorConfig = serde_json::from_str(
            r#"{"operators": {"phone_number": {"kind": "remove"}}, "thresholds": {"Email_Address": 0.5},
                "disabled_types": ["credit_card"],
                "custom_patterns": [{"name": "mail", "entity_type": "EMAIL_ADDRESS", "regex": "x@y"}]}"#,
        )
        .unwrap();
        assert_eq!(config.operator("PHONE"), &Operator::Remove);
        assert_eq!(config.thresholds.get("EMAIL"), Some(&0.5));
        assert!(config.disabled_types.contains("CREDIT_CARD"));
        let r = super::super::redact("mail x@y now", &[], &config).unwrap();
        assert_eq!(r.spans[0].entity_type, "EMAIL");
        config.check_options(&ModelTypes::default()).unwrap();
    }

    #[test]
    fn misspelt_keys_are_errors() {
        for json in [
            r#"{"operator": {}}"#,
            r##"{"operators": {"EMAIL": {"kind": "mask", "chr": "#"}}}"##,
            r#"{"operators": {"EMAIL": {"kind": "hash", "salt": "x"}}}"#,
            r#"{"custom_patterns": [{"name": "a", "entity_type": "B", "regex": "c", "scor": 1}]}"#,
            r#"{"operators": {"EMAIL": {"kind": "remove", "template": "x"}}}"#,
            r#"{"operators": {"EMAIL": {"kind": "redact"}}}"#,
            r#"{"deny_list": [{"entity_type": "B", "term": "c", "case": true}]}"#,
        ] {
            assert!(
                serde_json::from_str::<RedactorConfig>(json).is_err(),
                "{json}"
            );
        }
    }

    #[test]
    fn the_js_options_names_read_as_the_rust_ones() {
        let js: RedactorConfig = serde_json::from_str(
            r##"{"operators": {"EMAIL": {"kind": "mask", "char": "#", "fromEnd": true}},
                "allowList": ["acme"], "minScore": 0.5, "disabledTypes": ["url"],
                "denyList": [{"entityType": "B", "term": "c", "caseInsensitive": true}]}"##,
        )
        .unwrap();
        let rust: RedactorConfig = serde_json::from_str(
            r##"{"operators": {"EMAIL": {"kind": "mask", "ch": "#", "from_end": true}},
                "allow_list": ["acme"], "min_score": 0.5, "disabled_types": ["URL"],
                "deny_list": [{"entity_type": "B", "term": "c", "case_insensitive": true}]}"##,
        )
        .unwrap();
        assert_eq!(js, rust);
        // One key in both spellings is an error, not a silent pick.
        assert!(
            serde_json::from_str::<RedactorConfig>(r#"{"minScore": 0.1, "min_score": 0.2}"#)
                .is_err()
        );
    }

    #[test]
    fn options_for_types_nothing_produces_are_errors() {
        let patterns_only = ModelTypes::default();
        let mut config = RedactorConfig::default();
        config.operators.insert("EMIAL".into(), Operator::Remove);
        let err = config.validate(&patterns_only).unwrap_err();
        assert_eq!(err.code(), "invalid_option");
        assert!(err.to_string().contains("EMIAL"), "{err}");

        // PERSON comes only from a model, a deny list or a label map.
        let mut config = RedactorConfig::default();
        config.operators.insert("PERSON".into(), Operator::Remove);
        assert!(config.validate(&patterns_only).is_err());
        assert!(config.validate(&ModelTypes::any()).is_ok());
        config.deny_list.push(DenyTerm {
            entity_type: "person".into(),
            term: "Ada".into(),
            case_insensitive: false,
        });
        assert!(config.validate(&patterns_only).is_ok());

        let mut config = RedactorConfig::default();
        config.thresholds.insert("EMAIL".into(), 1.5);
        assert!(config.validate(&patterns_only).is_err());
        let mut config = RedactorConfig::default();
        config.disabled_types.insert("NOPE".into());
        assert!(config.validate(&patterns_only).is_err());
    }

    #[test]
    fn hash_needs_a_key() {
        let mut config = RedactorConfig::default();
        config.operators.insert("EMAIL".into(), Operator::Hash);
        assert_eq!(
            config.validate(&ModelTypes::any()).unwrap_err().code(),
            "invalid_option"
        );
        config.hash_key = Some("k".into());
        assert!(config.validate(&ModelTypes::any()).is_ok());
    }
}
