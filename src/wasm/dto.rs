//! What crosses the JavaScript boundary: options in and results out, camelCase, offsets in
//! the caller's encoding (UTF-16 unless the options say otherwise). Plain serde structs; the
//! conversion to and from `JsValue` lives in `mod.rs`.

use crate::config::Family;
use crate::offsets::{byte_offset, OffsetEncoding, OffsetMap};
use crate::pipelines::text_classification::{
    ClassLabel, FunctionToApply, TextClassificationOptions,
};
use crate::pipelines::timing::Timings;
use crate::pipelines::token_classification::{
    AggregationStrategy, Entity, TokenClassificationOptions,
};
use crate::pipelines::token_details::TokenLogits;
use crate::redact::{
    CustomPattern, DenyTerm, DetectorSet, Operator, PatternKind, Redaction, RedactorConfig, Span,
};
use crate::{Error, ModelBundle, Result};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The offset encoding options ask for; UTF-16 (JavaScript string indices) by default.
pub fn encoding(offsets: Option<OffsetEncoding>) -> OffsetEncoding {
    offsets.unwrap_or(OffsetEncoding::Utf16)
}

// ---- options in ------------------------------------------------------------------------

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct TokenOptions {
    aggregation_strategy: Option<String>,
    ignore_labels: Option<Vec<String>>,
    stride: Option<usize>,
    batch_size: Option<usize>,
    pub offsets: Option<OffsetEncoding>,
}

impl TokenOptions {
    pub fn native(&self) -> Result<TokenClassificationOptions> {
        let mut opts = TokenClassificationOptions::default();
        if let Some(s) = &self.aggregation_strategy {
            opts.aggregation_strategy = s.parse::<AggregationStrategy>()?;
        }
        if let Some(labels) = &self.ignore_labels {
            opts.ignore_labels = labels.clone();
        }
        opts.stride = self.stride;
        if let Some(b) = self.batch_size {
            opts.batch_size = b;
        }
        Ok(opts)
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct TextOptions {
    /// Absent: the Rust default (1, as Hugging Face and Transformers.js); `null`: every label.
    #[serde(deserialize_with = "present")]
    top_k: Option<Option<usize>>,
    function_to_apply: Option<String>,
}

impl TextOptions {
    pub fn native(&self) -> Result<TextClassificationOptions> {
        let mut opts = TextClassificationOptions::default();
        if let Some(top_k) = self.top_k {
            opts.top_k = top_k;
        }
        if let Some(f) = &self.function_to_apply {
            opts.function_to_apply = f.parse::<FunctionToApply>()?;
        }
        Ok(opts)
    }
}

/// A field that is there: `null` reads as `Some(None)`, where a missing field is `None`.
fn present<'de, D, T>(d: D) -> std::result::Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct OffsetOptions {
    pub offsets: Option<OffsetEncoding>,
}

/// An operator as JavaScript writes it: `{ kind: "mask", char: "*", keep: 4, fromEnd: true }`.
/// Every variant has braces, so a field the kind does not take is an error.
#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase", deny_unknown_fields)]
enum JsOperator {
    Replace {
        template: Option<String>,
    },
    Placeholder {},
    #[serde(rename_all = "camelCase")]
    Mask {
        char: Option<char>,
        keep: Option<usize>,
        from_end: Option<bool>,
    },
    Hash {},
    Remove {},
    Keep {},
}

impl From<JsOperator> for Operator {
    fn from(op: JsOperator) -> Operator {
        match op {
            JsOperator::Replace { template } => Operator::Replace {
                template: template.unwrap_or_else(|| Operator::DEFAULT_TEMPLATE.to_string()),
            },
            JsOperator::Placeholder {} => Operator::Placeholder,
            JsOperator::Mask {
                char,
                keep,
                from_end,
            } => Operator::Mask {
                ch: char.unwrap_or('*'),
                keep: keep.unwrap_or(0),
                from_end: from_end.unwrap_or(false),
            },
            JsOperator::Hash {} => Operator::Hash,
            JsOperator::Remove {} => Operator::Remove,
            JsOperator::Keep {} => Operator::Keep,
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct JsCustomPattern {
    name: String,
    entity_type: String,
    regex: String,
    score: Option<f32>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct JsDenyTerm {
    entity_type: String,
    term: String,
    #[serde(default)]
    case_insensitive: bool,
}

/// A span the caller found itself, in the call's offset unit.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct JsCallerSpan {
    start: usize,
    end: usize,
    entity_type: String,
    score: Option<f32>,
}

/// The caller's spans in byte offsets of `text`; offsets inside a char or past the end are
/// `invalid_option` errors.
fn caller_spans(spans: &[JsCallerSpan], text: &str, enc: OffsetEncoding) -> Result<Vec<Span>> {
    spans
        .iter()
        .map(|s| {
            let byte = |units: usize| {
                byte_offset(text, enc, units).ok_or_else(|| {
                    Error::InvalidOption(format!(
                        "span {}..{} ({}) does not fit the text",
                        s.start, s.end, s.entity_type
                    ))
                })
            };
            Ok(Span::caller(
                byte(s.start)?,
                byte(s.end)?,
                &s.entity_type,
                s.score.unwrap_or(1.0),
            ))
        })
        .collect()
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct RedactOptions {
    detectors: Option<Vec<String>>,
    custom_patterns: Vec<JsCustomPattern>,
    deny_list: Vec<JsDenyTerm>,
    allow_list: Vec<String>,
    disabled_types: Vec<String>,
    thresholds: HashMap<String, f32>,
    min_score: Option<f32>,
    operators: HashMap<String, JsOperator>,
    default_operator: Option<JsOperator>,
    model_label_map: HashMap<String, Option<String>>,
    hash_key: Option<String>,
    spans: Vec<JsCallerSpan>,
    pub offsets: Option<OffsetEncoding>,
}

impl RedactOptions {
    /// The options as a native config, and the caller's spans in bytes of `text` (a session
    /// takes spans per message: see [`MessageOptions`]).
    pub fn native(self, text: &str) -> Result<(RedactorConfig, Vec<Span>)> {
        let spans = caller_spans(&self.spans, text, encoding(self.offsets))?;
        let mut config = RedactorConfig::default();
        if let Some(names) = self.detectors {
            config.detectors = names.iter().try_fold(DetectorSet::none(), |set, name| {
                Ok::<_, Error>(set.with(name.parse::<PatternKind>()?))
            })?;
        }
        config.custom_patterns = self
            .custom_patterns
            .into_iter()
            .map(|p| CustomPattern {
                name: p.name,
                entity_type: p.entity_type,
                regex: p.regex,
                score: p.score.unwrap_or(1.0),
            })
            .collect();
        config.deny_list = self
            .deny_list
            .into_iter()
            .map(|d| DenyTerm {
                entity_type: d.entity_type,
                term: d.term,
                case_insensitive: d.case_insensitive,
            })
            .collect();
        config.allow_list = self.allow_list;
        config.disabled_types = self
            .disabled_types
            .iter()
            .map(|t| crate::redact::canonical_name(t))
            .collect();
        config.thresholds = self
            .thresholds
            .into_iter()
            .map(|(t, v)| (crate::redact::canonical_name(&t), v))
            .collect();
        if let Some(min) = self.min_score {
            config.min_score = min;
        }
        config.operators = self
            .operators
            .into_iter()
            .map(|(t, op)| (crate::redact::canonical_name(&t), op.into()))
            .collect();
        if let Some(op) = self.default_operator {
            config.default_operator = op.into();
        }
        config.model_label_map = self.model_label_map;
        config.hash_key = self.hash_key;
        Ok((config, spans))
    }
}

/// What one message of a session takes besides its text.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct MessageOptions {
    spans: Vec<JsCallerSpan>,
}

impl MessageOptions {
    pub fn spans(&self, text: &str, enc: OffsetEncoding) -> Result<Vec<Span>> {
        caller_spans(&self.spans, text, enc)
    }
}

// ---- results out -----------------------------------------------------------------------

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JsTimings {
    tokenize_ms: f64,
    forward_ms: f64,
    postprocess_ms: f64,
    tokens: usize,
}

impl From<Timings> for JsTimings {
    fn from(t: Timings) -> Self {
        JsTimings {
            tokenize_ms: t.tokenize_ms,
            forward_ms: t.forward_ms,
            postprocess_ms: t.postprocess_ms,
            tokens: t.tokens,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsEntity {
    #[serde(skip_serializing_if = "Option::is_none")]
    entity: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    entity_group: Option<String>,
    score: f32,
    #[serde(skip_serializing_if = "Option::is_none")]
    index: Option<usize>,
    word: String,
    start: usize,
    end: usize,
}

#[derive(Serialize)]
pub struct JsTokenClassification {
    entities: Vec<JsEntity>,
    timings: JsTimings,
}

impl JsTokenClassification {
    pub fn new(text: &str, entities: Vec<Entity>, timings: Timings, enc: OffsetEncoding) -> Self {
        let map = OffsetMap::new(text, enc);
        let entities = entities
            .into_iter()
            .map(|e| JsEntity {
                start: map.convert(e.start),
                end: map.convert(e.end),
                entity: e.entity,
                entity_group: e.entity_group,
                score: e.score,
                index: e.index,
                word: e.word,
            })
            .collect();
        JsTokenClassification {
            entities,
            timings: timings.into(),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsToken {
    index: usize,
    token: String,
    id: u32,
    start: usize,
    end: usize,
    special: bool,
    word_id: Option<u32>,
    label: String,
    score: f32,
    logits: Vec<f32>,
    probabilities: Vec<f32>,
}

#[derive(Serialize)]
pub struct JsTokenLogits {
    labels: Vec<String>,
    tokens: Vec<JsToken>,
    truncated: bool,
    timings: JsTimings,
}

impl JsTokenLogits {
    pub fn new(text: &str, out: TokenLogits, timings: Timings, enc: OffsetEncoding) -> Self {
        let map = OffsetMap::new(text, enc);
        let tokens = out
            .tokens
            .into_iter()
            .map(|t| JsToken {
                index: t.index,
                start: map.convert(t.start),
                end: map.convert(t.end),
                token: t.token,
                id: t.id,
                special: t.special,
                word_id: t.word_id,
                label: t.label,
                score: t.score,
                logits: t.logits,
                probabilities: t.probabilities,
            })
            .collect();
        JsTokenLogits {
            labels: out.labels,
            tokens,
            truncated: out.truncated,
            timings: timings.into(),
        }
    }
}

#[derive(Serialize)]
pub struct JsTextClassification {
    labels: Vec<ClassLabel>,
    truncated: bool,
    timings: JsTimings,
}

impl JsTextClassification {
    pub fn new(
        out: crate::pipelines::text_classification::TextClassification,
        timings: Timings,
    ) -> Self {
        JsTextClassification {
            labels: out.labels,
            truncated: out.truncated,
            timings: timings.into(),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsRedactedSpan {
    entity_type: String,
    detector: String,
    score: f32,
    start: usize,
    end: usize,
    new_start: usize,
    new_end: usize,
    original: String,
    replacement: String,
}

/// `mapping` is what `restore` reads back: `[replacement, original]` pairs.
#[derive(Serialize)]
pub struct JsRedaction {
    text: String,
    spans: Vec<JsRedactedSpan>,
    mapping: Vec<(String, String)>,
}

impl JsRedaction {
    pub fn new(input: &str, r: Redaction, enc: OffsetEncoding) -> Self {
        let before = OffsetMap::new(input, enc);
        let after = OffsetMap::new(&r.text, enc);
        let spans = r
            .spans
            .into_iter()
            .map(|s| JsRedactedSpan {
                start: before.convert(s.start),
                end: before.convert(s.end),
                new_start: after.convert(s.new_start),
                new_end: after.convert(s.new_end),
                entity_type: s.entity_type,
                detector: s.detector,
                score: s.score,
                original: s.original,
                replacement: s.replacement,
            })
            .collect();
        JsRedaction {
            text: r.text,
            spans,
            mapping: r.mapping,
        }
    }
}

/// What `restore` needs of a redaction; other fields of the object passed in are ignored.
#[derive(Deserialize)]
pub struct RestoreInput {
    pub mapping: Vec<(String, String)>,
}

/// Describes a loaded model to JavaScript.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelInfo {
    task: &'static str,
    architecture: String,
    family: Family,
    labels: Vec<String>,
    hidden_size: usize,
    num_layers: usize,
    max_tokens: usize,
    vocab_size: usize,
    quantization: Option<String>,
    license: Option<String>,
    provenance: Option<String>,
    notice: Option<String>,
    /// Which of the two wasm builds runs: "relaxed-simd" (7-bit activations for Q8_0 weights,
    /// 16-bit for Q4_0) or "simd128" (16-bit for both).
    wasm_build: &'static str,
    /// Threads the int8 matmuls run on (1 but in the threaded build with its pool started).
    threads: usize,
}

impl ModelInfo {
    pub fn new(task: &'static str, model: &ModelBundle) -> Self {
        let c = &model.config;
        let meta = model.metadata.as_ref();
        ModelInfo {
            task,
            architecture: c.architecture.clone(),
            family: c.family,
            labels: model.labels().to_vec(),
            hidden_size: c.hidden_size,
            num_layers: c.num_layers,
            max_tokens: model.tokenizer.window_len(),
            vocab_size: c.vocab_size,
            quantization: meta.map(|m| m.quantization.clone()),
            license: meta.and_then(|m| m.license.clone()),
            provenance: meta.and_then(|m| m.provenance.clone()),
            notice: meta.and_then(|m| m.notice.clone()),
            wasm_build: if crate::model::qgemm::RELAXED {
                "relaxed-simd"
            } else {
                "simd128"
            },
            threads: crate::parallel::threads(),
        }
    }
}
