//! What crosses the JavaScript boundary: options in and results out, camelCase, offsets in
//! the caller's encoding (UTF-16 unless the options say otherwise). Plain serde structs; the
//! conversion to and from `JsValue` lives in `mod.rs`.

use crate::config::Family;
use crate::documents::{DocumentOptions, DocumentRedaction};
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
use std::collections::{BTreeMap, HashMap};
#[cfg(test)]
use ts_rs::TS;

/// The offset encoding options ask for; UTF-16 (JavaScript string indices) by default.
pub fn encoding(offsets: Option<OffsetEncoding>) -> OffsetEncoding {
    offsets.unwrap_or(OffsetEncoding::Utf16)
}

// ---- options in ------------------------------------------------------------------------

#[derive(Deserialize, Default)]
#[cfg_attr(
    test,
    derive(TS),
    ts(rename = "TokenClassificationOptions", optional_fields)
)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct TokenOptions {
    /// Default "none" (one entry per token), as the Hugging Face pipeline.
    #[cfg_attr(test, ts(as = "Option<AggregationStrategy>"))]
    aggregation_strategy: Option<String>,
    /// Labels left out of the result; default ["O"].
    ignore_labels: Option<Vec<String>>,
    /// Tokens shared by neighbouring windows over long text; default a quarter of the window.
    stride: Option<usize>,
    /// Windows run through the model together, at most; default 8 (a pass also holds at most
    /// 512 padded tokens).
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
#[cfg_attr(
    test,
    derive(TS),
    ts(rename = "TextClassificationOptions", optional_fields)
)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct TextOptions {
    /// Labels returned, best first: default 1, as Hugging Face and Transformers.js; `null`
    /// returns every label.
    #[serde(deserialize_with = "present")]
    #[cfg_attr(test, ts(as = "Option<usize>", optional = nullable))]
    top_k: Option<Option<usize>>,
    /// Default, as Hugging Face: none for a regression head, sigmoid for a multi-label or
    /// one-label head, softmax otherwise.
    #[cfg_attr(
        test,
        ts(type = "\"default\" | \"sigmoid\" | \"softmax\" | \"none\"", optional)
    )]
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
#[cfg_attr(test, derive(TS), ts(optional_fields))]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct OffsetOptions {
    pub offsets: Option<OffsetEncoding>,
}

/// What a detected value becomes in the redacted text.
// As JavaScript writes it: `{ kind: "mask", char: "*", keep: 4, fromEnd: true }`. Every variant
// has braces, so a field the kind does not take is an error.
#[derive(Deserialize)]
#[cfg_attr(test, derive(TS), ts(rename = "Operator"))]
#[serde(tag = "kind", rename_all = "camelCase", deny_unknown_fields)]
enum JsOperator {
    /// `template` with `{type}` replaced by the entity type; default "[{type}]".
    Replace {
        #[cfg_attr(test, ts(optional))]
        template: Option<String>,
    },
    /// `<TYPE_n>`, numbered per type; reversible with `restore`.
    Placeholder {},
    /// Every character replaced by `char` (default "*") but the first (or last) `keep`.
    #[serde(rename_all = "camelCase")]
    Mask {
        #[cfg_attr(test, ts(optional))]
        char: Option<char>,
        #[cfg_attr(test, ts(optional))]
        keep: Option<usize>,
        #[cfg_attr(test, ts(optional))]
        from_end: Option<bool>,
    },
    /// The first 16 hex digits of HMAC-SHA256 of the value under `hashKey` (a random key when
    /// none is given, so nobody can test guesses against it); reversible with `restore`.
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
#[cfg_attr(test, derive(TS), ts(rename = "CustomPattern", optional_fields))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct JsCustomPattern {
    name: String,
    entity_type: String,
    /// Rust `regex` syntax.
    regex: String,
    /// 0..1, compared with other detectors on overlaps; default 1.
    score: Option<f32>,
}

#[derive(Deserialize)]
#[cfg_attr(test, derive(TS), ts(rename = "DenyTerm"))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct JsDenyTerm {
    entity_type: String,
    term: String,
    #[serde(default)]
    #[cfg_attr(test, ts(as = "Option<bool>", optional))]
    case_insensitive: bool,
}

/// A value the caller found itself, in the call's offset unit (`offsets`, UTF-16 by default).
#[derive(Deserialize)]
#[cfg_attr(test, derive(TS), ts(rename = "CallerSpan", optional_fields))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct JsCallerSpan {
    start: usize,
    end: usize,
    entity_type: String,
    /// 0..1, compared with other detectors on overlaps; default 1.
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

// Fields that are not `Option`s default to empty; the TypeScript marks them optional too.
#[derive(Deserialize, Default)]
#[cfg_attr(test, derive(TS), ts(optional_fields))]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct RedactOptions {
    /// Built-in detectors to run; default all.
    #[cfg_attr(test, ts(as = "Option<Vec<PatternKind>>"))]
    detectors: Option<Vec<String>>,
    #[cfg_attr(test, ts(as = "Option<Vec<JsCustomPattern>>"))]
    custom_patterns: Vec<JsCustomPattern>,
    #[cfg_attr(test, ts(as = "Option<Vec<JsDenyTerm>>"))]
    deny_list: Vec<JsDenyTerm>,
    /// Values never redacted, whoever finds them (compared ignoring case and outer spaces); a
    /// span inside an occurrence of one is dropped too.
    #[cfg_attr(test, ts(as = "Option<Vec<String>>"))]
    allow_list: Vec<String>,
    /// Entity types not to redact.
    #[cfg_attr(test, ts(as = "Option<Vec<String>>"))]
    disabled_types: Vec<String>,
    /// Lowest score kept, per entity type.
    #[cfg_attr(test, ts(as = "Option<HashMap<String, f32>>"))]
    thresholds: HashMap<String, f32>,
    /// Lowest score kept for types without a threshold; default 0.
    min_score: Option<f32>,
    /// Operator per entity type (PERSON, EMAIL, ...); others use `defaultOperator`.
    #[cfg_attr(test, ts(as = "Option<HashMap<String, JsOperator>>"))]
    operators: HashMap<String, JsOperator>,
    /// Default `{ kind: "placeholder" }`.
    default_operator: Option<JsOperator>,
    /// Model label (without B-/I-) to entity type; `null` ignores the label.
    #[cfg_attr(test, ts(as = "Option<HashMap<String, Option<String>>>"))]
    model_label_map: HashMap<String, Option<String>>,
    /// Key of the `hash` operator's HMAC; default a random key per call or session.
    hash_key: Option<String>,
    /// Values the caller found itself, redacted with the rest (not in a session's options).
    #[cfg_attr(test, ts(as = "Option<Vec<JsCallerSpan>>"))]
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

/// What one message of a redaction session takes besides its text.
#[derive(Deserialize, Default)]
#[cfg_attr(test, derive(TS), ts(optional_fields))]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct MessageOptions {
    #[cfg_attr(test, ts(as = "Option<Vec<JsCallerSpan>>"))]
    spans: Vec<JsCallerSpan>,
}

impl MessageOptions {
    pub fn spans(&self, text: &str, enc: OffsetEncoding) -> Result<Vec<Span>> {
        caller_spans(&self.spans, text, enc)
    }
}

// ---- results out -----------------------------------------------------------------------

/// Where one call's time went, in milliseconds; `tokens` counts every token the model read.
/// A `classifyBatch` call runs its texts as one: every result carries the whole batch's timings.
#[derive(Serialize)]
#[cfg_attr(test, derive(TS), ts(rename = "Timings"))]
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

/// One entity. With aggregation "none" it is one token (`entity`, `index`); otherwise a group
/// of tokens (`entityGroup`).
#[derive(Serialize)]
#[cfg_attr(test, derive(TS), ts(rename = "Entity", optional_fields))]
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
#[cfg_attr(test, derive(TS), ts(rename = "TokenClassification"))]
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
#[cfg_attr(test, derive(TS), ts(rename = "TokenDetail"))]
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
    /// One per label, in `TokenLogits.labels` order.
    logits: Vec<f32>,
    probabilities: Vec<f32>,
}

#[derive(Serialize)]
#[cfg_attr(test, derive(TS), ts(rename = "TokenLogits"))]
pub struct JsTokenLogits {
    labels: Vec<String>,
    tokens: Vec<JsToken>,
    /// The text was longer than one window; only the first window is described.
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
#[cfg_attr(test, derive(TS), ts(rename = "TextClassification"))]
pub struct JsTextClassification {
    /// Best first.
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
#[cfg_attr(test, derive(TS), ts(rename = "RedactedSpan"))]
#[serde(rename_all = "camelCase")]
struct JsRedactedSpan {
    entity_type: String,
    /// "model", "pattern:EMAIL", "custom:NAME", "deny_list", "caller", or several joined by "+".
    detector: String,
    score: f32,
    /// Offsets of `original` in the input.
    start: usize,
    end: usize,
    /// Offsets of `replacement` in the redacted text.
    new_start: usize,
    new_end: usize,
    original: String,
    replacement: String,
}

#[derive(Serialize)]
#[cfg_attr(test, derive(TS), ts(rename = "Redaction"))]
pub struct JsRedaction {
    text: String,
    spans: Vec<JsRedactedSpan>,
    /// `[replacement, original]` for reversible replacements; what `restore` reads.
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

// ---- documents (redactFile, redactFormData, RedactionSession.redactDocument) -------------

/// Which values of a CSV/TSV file or a JSON document to leave alone or replace whole. A selector
/// names a column (by header, or by 1-based number) or a JSON value (by key, or key path with
/// array indices left out: `customer.email`). One that matches nothing is `invalid_option`, so a
/// misspelt column never lets a value through; text and Markdown take none.
#[derive(Deserialize, Default)]
#[cfg_attr(test, derive(TS), ts(rename = "DocumentOptions"))]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct JsDocumentOptions {
    /// Values kept as they are (an order id).
    #[cfg_attr(test, ts(as = "Option<Vec<String>>", optional))]
    skip: Vec<String>,
    /// Values replaced whole as this entity type, whatever the detectors say
    /// (`{ name: "PERSON" }`).
    #[cfg_attr(test, ts(as = "Option<BTreeMap<String, String>>", optional))]
    force: BTreeMap<String, String>,
    /// CSV/TSV: the first row is data, not column names (columns are then `1`, `2`, ...).
    #[cfg_attr(test, ts(as = "Option<bool>", optional))]
    no_header: bool,
    /// Set by `js/documents.ts`, not by users: the content is one piece of a larger document,
    /// so a selector that matches nothing here is not an error (it may match in another
    /// piece), and the result lists in `matched` the selectors that did, for the caller to
    /// judge over every piece.
    #[cfg_attr(test, ts(skip))]
    piece: bool,
}

impl JsDocumentOptions {
    /// The native options, and whether this is a piece.
    pub fn native(self) -> (DocumentOptions, bool) {
        let options = DocumentOptions {
            skip: self.skip,
            // The CLI's `--force name=person` reads the same: Presidio's names and any case.
            force: self
                .force
                .into_iter()
                .map(|(selector, ty)| (selector, crate::redact::canonical_name(&ty)))
                .collect(),
            no_header: self.no_header,
        };
        (options, self.piece)
    }
}

/// One replacement in a redacted document.
#[derive(Serialize)]
#[cfg_attr(test, derive(TS), ts(rename = "DocumentSpan"))]
#[serde(rename_all = "camelCase")]
struct JsDocumentSpan {
    /// `""` for text, the column for CSV/TSV, the key path for JSON (`orders[3].customer.email`).
    field: String,
    /// The data row (CSV/TSV, from 0 after the header), the line's record (JSON Lines), the
    /// element of a top-level JSON array; else 0.
    record: usize,
    /// Offsets of `replacement` in the redacted document (UTF-16 unless the session's `offsets`
    /// say otherwise), as written there (CSV-quoted or JSON-escaped where the value needed it).
    start: usize,
    end: usize,
    entity_type: String,
    detector: String,
    score: f32,
    original: String,
    replacement: String,
}

/// What `RedactionSession.redactDocument` returns.
#[derive(Serialize)]
#[cfg_attr(test, derive(TS), ts(rename = "DocumentRedaction"))]
#[serde(rename_all = "camelCase")]
pub struct JsDocumentRedaction {
    #[cfg_attr(test, ts(type = "DocumentFormat"))]
    format: &'static str,
    /// The redacted document.
    content: String,
    /// Every replacement, in document order.
    spans: Vec<JsDocumentSpan>,
    /// Records read: text 1; CSV/TSV data rows; JSON Lines non-blank lines; a top-level JSON
    /// array's elements that hold strings, else 1.
    records: usize,
    /// Values handed to the detectors (cells, string values; text 1).
    values: usize,
    /// `[replacement, original]` for the whole session so far (so the last piece's restores
    /// every piece); what `restore` reads.
    mapping: Vec<(String, String)>,
    /// Pieces only: the selectors that matched (see `JsDocumentOptions::piece`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(skip))]
    matched: Option<Vec<String>>,
}

impl JsDocumentRedaction {
    pub fn new(
        out: DocumentRedaction,
        enc: OffsetEncoding,
        mapping: Vec<(String, String)>,
        matched: Option<Vec<String>>,
    ) -> Self {
        let map = OffsetMap::new(&out.content, enc);
        let spans = out
            .spans
            .into_iter()
            .map(|s| JsDocumentSpan {
                field: s.field,
                record: s.record,
                start: map.convert(s.start),
                end: map.convert(s.end),
                entity_type: s.entity_type,
                detector: s.detector,
                score: s.score,
                original: s.original,
                replacement: s.replacement,
            })
            .collect();
        JsDocumentRedaction {
            format: out.format.name(),
            content: out.content,
            spans,
            records: out.records,
            values: out.values,
            mapping,
            matched,
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
#[cfg_attr(test, derive(TS))]
#[serde(rename_all = "camelCase")]
pub struct ModelInfo {
    #[cfg_attr(test, ts(type = "\"token-classification\" | \"text-classification\""))]
    task: &'static str,
    architecture: String,
    family: Family,
    labels: Vec<String>,
    hidden_size: usize,
    num_layers: usize,
    /// Tokens the model reads at once (longer text is windowed or truncated).
    max_tokens: usize,
    vocab_size: usize,
    quantization: Option<String>,
    license: Option<String>,
    provenance: Option<String>,
    notice: Option<String>,
    /// The WebAssembly build that runs: "relaxed-simd" where the engine has relaxed SIMD (Q8_0
    /// weights run its byte dot product with activations quantized to 7 bits; Q4_0 weights keep
    /// the 16-bit kernel), else "simd128" (16-bit activations for both). `init` picks it; pass
    /// `wasm` to choose.
    #[cfg_attr(test, ts(type = "\"relaxed-simd\" | \"simd128\""))]
    wasm_build: &'static str,
    /// Threads the int8 matmuls run on: 1, or in the threaded build (cross-origin-isolated pages
    /// with relaxed SIMD; see `InitOptions.threads`) this thread plus its pool workers.
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

/// `js/types.generated.ts`: the TypeScript of the shapes above, which `js/types.ts` re-exports,
/// so each JS-facing shape is written once, here. The test fails when the file is stale;
/// `TOKENVEIL_WRITE_TYPES=1 cargo test --lib typescript` writes it.
#[cfg(test)]
mod typescript {
    use super::*;
    use crate::config::Family;
    use crate::offsets::OffsetEncoding;
    use crate::pipelines::token_classification::AggregationStrategy;
    use ts_rs::Config;

    fn declaration<T: TS>(cfg: &Config) -> String {
        format!("{}export {}\n", T::docs().unwrap_or_default(), T::decl(cfg))
    }

    /// The format names `documentFormat` returns (`DocumentFormat::name`, not its serde form).
    fn document_format() -> String {
        let names: Vec<String> = crate::documents::DocumentFormat::ALL
            .iter()
            .map(|f| format!("\"{}\"", f.name()))
            .collect();
        format!(
            "/**\n * The formats a document is redacted in: plain text, Markdown, CSV, TSV, JSON, \
             JSON Lines.\n * Anything else (images, PDFs, office files, any binary) is a \
             `ModelError(\"unsupported_format\")`,\n * never passed through.\n */\n\
             export type DocumentFormat = {};\n",
            names.join(" | ")
        )
    }

    fn generated() -> String {
        let cfg = Config::new();
        let decls = [
            declaration::<OffsetEncoding>(&cfg),
            declaration::<AggregationStrategy>(&cfg),
            declaration::<Family>(&cfg),
            declaration::<ModelInfo>(&cfg),
            declaration::<JsTimings>(&cfg),
            declaration::<TokenOptions>(&cfg),
            declaration::<JsEntity>(&cfg),
            declaration::<JsTokenClassification>(&cfg),
            declaration::<OffsetOptions>(&cfg),
            declaration::<JsToken>(&cfg),
            declaration::<JsTokenLogits>(&cfg),
            declaration::<TextOptions>(&cfg),
            declaration::<ClassLabel>(&cfg),
            declaration::<JsTextClassification>(&cfg),
            declaration::<JsOperator>(&cfg),
            declaration::<PatternKind>(&cfg),
            declaration::<JsCustomPattern>(&cfg),
            declaration::<JsDenyTerm>(&cfg),
            declaration::<JsCallerSpan>(&cfg),
            declaration::<RedactOptions>(&cfg),
            declaration::<JsRedactedSpan>(&cfg),
            declaration::<MessageOptions>(&cfg),
            declaration::<JsRedaction>(&cfg),
            document_format(),
            declaration::<JsDocumentOptions>(&cfg),
            declaration::<JsDocumentSpan>(&cfg),
            declaration::<JsDocumentRedaction>(&cfg),
        ];
        format!(
            "// Generated from the Rust types of src/wasm/dto.rs by\n\
             // `TOKENVEIL_WRITE_TYPES=1 cargo test --lib typescript`: edit those, not this file.\n\
             // Offsets are UTF-16 code units unless `offsets` says otherwise.\n\n{}",
            decls.join("\n")
        )
    }

    #[test]
    fn typescript_is_current() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/js/types.generated.ts");
        let want = generated();
        if std::env::var_os("TOKENVEIL_WRITE_TYPES").is_some() {
            std::fs::write(path, &want).unwrap();
        }
        let have = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            have == want,
            "js/types.generated.ts is stale: run TOKENVEIL_WRITE_TYPES=1 cargo test --lib typescript"
        );
    }
}
