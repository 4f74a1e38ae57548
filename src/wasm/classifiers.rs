//! The JS-visible classes. Each method: options from JS, the native call, results to JS.

use super::dto::{
    encoding, JsRedaction, JsTextClassification, JsTokenClassification, JsTokenLogits,
    MessageOptions, ModelInfo, OffsetOptions, RedactOptions, RestoreInput, TextOptions,
    TokenOptions,
};
use super::{js_error, model_error, options, texts, to_js, PerformanceClock};
use crate::file::source::{out_of_file, ByteSource};
use crate::offsets::OffsetEncoding;
use crate::pipelines::redaction::model_spans;
use crate::pipelines::text_classification::TextClassifier;
use crate::pipelines::token_classification::TokenClassifier;
use crate::pipelines::token_details::token_logits_timed;
use crate::redact::{self, ModelTypes, Redaction, RedactionSession, RedactorConfig};
use crate::ModelBundle;
use std::borrow::Cow;
use wasm_bindgen::prelude::*;

/// A model file held by JavaScript, read range by range: only the header and one tensor at a
/// time are ever copied into wasm memory, never the whole file (see `crate::file::source`).
struct JsBytes(js_sys::Uint8Array);

impl ByteSource for JsBytes {
    fn len(&self) -> u64 {
        self.0.length() as u64
    }

    fn read(&self, offset: u64, len: usize) -> crate::Result<Cow<'_, [u8]>> {
        let file = self.len();
        match offset.checked_add(len as u64) {
            Some(end) if end <= file => Ok(Cow::Owned(
                self.0.subarray(offset as u32, end as u32).to_vec(),
            )),
            _ => Err(out_of_file(offset, len, file)),
        }
    }
}

fn bundle(bytes: js_sys::Uint8Array) -> Result<ModelBundle, JsValue> {
    ModelBundle::from_source(&JsBytes(bytes)).map_err(js_error)
}

/// A Hugging Face model's three files: `config.json`, `tokenizer.json` and the weights
/// (safetensors, f32/f16/bf16).
fn bundle_from_parts(
    config: &str,
    tokenizer: &str,
    weights: &[u8],
) -> Result<ModelBundle, JsValue> {
    ModelBundle::from_parts(config, tokenizer, weights).map_err(js_error)
}

/// A token-classification model (NER, PII, part-of-speech) from one tokenveil GGUF file.
#[wasm_bindgen]
pub struct RawTokenClassifier {
    pub(super) inner: TokenClassifier,
}

#[wasm_bindgen]
impl RawTokenClassifier {
    #[wasm_bindgen(constructor)]
    pub fn new(bytes: js_sys::Uint8Array) -> Result<RawTokenClassifier, JsValue> {
        let inner = TokenClassifier::new(bundle(bytes)?).map_err(js_error)?;
        Ok(RawTokenClassifier { inner })
    }

    #[wasm_bindgen(js_name = fromParts)]
    pub fn from_parts(
        config: &str,
        tokenizer: &str,
        weights: &[u8],
    ) -> Result<RawTokenClassifier, JsValue> {
        let inner = TokenClassifier::new(bundle_from_parts(config, tokenizer, weights)?)
            .map_err(js_error)?;
        Ok(RawTokenClassifier { inner })
    }

    pub fn info(&self) -> Result<JsValue, JsValue> {
        to_js(&ModelInfo::new("token-classification", self.inner.model()))
    }

    /// Entities (or tokens, with `aggregationStrategy: "none"`) and stage timings.
    pub fn classify(&self, text: &str, options_: JsValue) -> Result<JsValue, JsValue> {
        let opts: TokenOptions = options(options_)?;
        let native = opts.native().map_err(js_error)?;
        let (mut out, timings) = self
            .inner
            .classify_batch_timed(&[text], &native, &PerformanceClock::new())
            .map_err(js_error)?;
        let entities = out.pop().unwrap_or_default();
        to_js(&JsTokenClassification::new(
            text,
            entities,
            timings,
            encoding(opts.offsets),
        ))
    }

    /// `classify` for many texts in one pass (their windows batched together): one result
    /// per text, in order, each carrying the whole batch's timings.
    #[wasm_bindgen(js_name = classifyBatch)]
    pub fn classify_batch(&self, texts_: JsValue, options_: JsValue) -> Result<JsValue, JsValue> {
        let opts: TokenOptions = options(options_)?;
        let native = opts.native().map_err(js_error)?;
        let texts = texts(&texts_)?;
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let (out, timings) = self
            .inner
            .classify_batch_timed(&refs, &native, &PerformanceClock::new())
            .map_err(js_error)?;
        let enc = encoding(opts.offsets);
        let results: Vec<JsTokenClassification> = refs
            .iter()
            .zip(out)
            .map(|(text, entities)| JsTokenClassification::new(text, entities, timings, enc))
            .collect();
        to_js(&results)
    }

    /// Every token of the first window with its logits and softmax probabilities.
    pub fn logits(&self, text: &str, options_: JsValue) -> Result<JsValue, JsValue> {
        let opts: OffsetOptions = options(options_)?;
        let (out, timings) = token_logits_timed(self.inner.model(), text, &PerformanceClock::new())
            .map_err(js_error)?;
        to_js(&JsTokenLogits::new(
            text,
            out,
            timings,
            encoding(opts.offsets),
        ))
    }

    /// The model's entities pooled with the pattern detectors and the caller's spans, then
    /// each type's operator.
    pub fn redact(&self, text: &str, options_: JsValue) -> Result<JsValue, JsValue> {
        let opts: RedactOptions = options(options_)?;
        let enc = encoding(opts.offsets);
        let (config, caller) = opts.native(text).map_err(js_error)?;
        let mut spans = model_spans(&self.inner, text).map_err(js_error)?;
        spans.extend(caller);
        let r = redact::redact(text, &spans, &config).map_err(js_error)?;
        to_js(&JsRedaction::new(text, r, enc))
    }
}

/// A sequence-classification model (sentiment, topics) from one tokenveil GGUF file.
#[wasm_bindgen]
pub struct RawTextClassifier {
    inner: TextClassifier,
}

#[wasm_bindgen]
impl RawTextClassifier {
    #[wasm_bindgen(constructor)]
    pub fn new(bytes: js_sys::Uint8Array) -> Result<RawTextClassifier, JsValue> {
        let inner = TextClassifier::new(bundle(bytes)?).map_err(js_error)?;
        Ok(RawTextClassifier { inner })
    }

    #[wasm_bindgen(js_name = fromParts)]
    pub fn from_parts(
        config: &str,
        tokenizer: &str,
        weights: &[u8],
    ) -> Result<RawTextClassifier, JsValue> {
        let inner = TextClassifier::new(bundle_from_parts(config, tokenizer, weights)?)
            .map_err(js_error)?;
        Ok(RawTextClassifier { inner })
    }

    pub fn info(&self) -> Result<JsValue, JsValue> {
        to_js(&ModelInfo::new("text-classification", self.inner.model()))
    }

    /// Labels with scores, best first, and stage timings.
    pub fn classify(&self, text: &str, options_: JsValue) -> Result<JsValue, JsValue> {
        let opts: TextOptions = options(options_)?;
        let native = opts.native().map_err(js_error)?;
        let (mut out, timings) = self
            .inner
            .classify_batch_timed(&[text], &native, &PerformanceClock::new())
            .map_err(js_error)?;
        let result = out
            .pop()
            .ok_or_else(|| model_error("inference", "no result for the text"))?;
        to_js(&JsTextClassification::new(result, timings))
    }

    /// `classify` for many texts in one pass: one result per text, in order, each carrying
    /// the whole batch's timings.
    #[wasm_bindgen(js_name = classifyBatch)]
    pub fn classify_batch(&self, texts_: JsValue, options_: JsValue) -> Result<JsValue, JsValue> {
        let opts: TextOptions = options(options_)?;
        let native = opts.native().map_err(js_error)?;
        let texts = texts(&texts_)?;
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let (out, timings) = self
            .inner
            .classify_batch_timed(&refs, &native, &PerformanceClock::new())
            .map_err(js_error)?;
        let results: Vec<JsTextClassification> = out
            .into_iter()
            .map(|result| JsTextClassification::new(result, timings))
            .collect();
        to_js(&results)
    }
}

/// Redaction by the pattern detectors (and the caller's spans) alone, no model.
#[wasm_bindgen]
pub fn redact(text: &str, options_: JsValue) -> Result<JsValue, JsValue> {
    let opts: RedactOptions = options(options_)?;
    let enc = encoding(opts.offsets);
    let (config, caller) = opts.native(text).map_err(js_error)?;
    let r = redact::redact(text, &caller, &config).map_err(js_error)?;
    to_js(&JsRedaction::new(text, r, enc))
}

/// One conversation's redactions: the same value keeps its placeholder across messages, and
/// `restore` knows every message's values. The options are fixed at creation (the JS package
/// passes a random `hashKey` when none is given); spans of a model come per message.
#[wasm_bindgen]
pub struct RawRedactionSession {
    pub(super) inner: RedactionSession,
    pub(super) enc: OffsetEncoding,
}

#[wasm_bindgen]
impl RawRedactionSession {
    #[wasm_bindgen(constructor)]
    pub fn new(options_: JsValue) -> Result<RawRedactionSession, JsValue> {
        let opts: RedactOptions = options(options_)?;
        let enc = encoding(opts.offsets);
        let (config, caller) = opts.native("").map_err(js_error)?;
        if !caller.is_empty() {
            return Err(model_error(
                "invalid_option",
                "a session takes spans with each message, not at creation",
            ));
        }
        let inner = RedactionSession::for_models(config, ModelTypes::any()).map_err(js_error)?;
        Ok(RawRedactionSession { inner, enc })
    }

    /// One message, with the pattern detectors and the message's own `spans`.
    pub fn redact(&mut self, text: &str, options_: JsValue) -> Result<JsValue, JsValue> {
        self.redact_spans(text, Vec::new(), options_)
    }

    /// One message, with `classifier`'s entities pooled in.
    #[wasm_bindgen(js_name = redactWithModel)]
    pub fn redact_with_model(
        &mut self,
        classifier: &RawTokenClassifier,
        text: &str,
        options_: JsValue,
    ) -> Result<JsValue, JsValue> {
        let spans = model_spans(&classifier.inner, text).map_err(js_error)?;
        self.redact_spans(text, spans, options_)
    }

    fn redact_spans(
        &mut self,
        text: &str,
        mut spans: Vec<redact::Span>,
        options_: JsValue,
    ) -> Result<JsValue, JsValue> {
        let opts: MessageOptions = options(options_)?;
        spans.extend(opts.spans(text, self.enc).map_err(js_error)?);
        let r = self.inner.redact(text, &spans).map_err(js_error)?;
        to_js(&JsRedaction::new(text, r, self.enc))
    }

    /// Puts back every value the session has replaced reversibly.
    pub fn restore(&self, reply: &str) -> String {
        self.inner.restore(reply)
    }

    /// `[replacement, original]` pairs of the whole session.
    pub fn mapping(&self) -> Result<JsValue, JsValue> {
        to_js(&self.inner.mapping())
    }
}

/// The entity type redaction gives a model label (`B-GIVEN_NAME` -> `PERSON`), or `undefined`
/// for labels that are not personal data (`O`, `MISC`, ...).
#[wasm_bindgen(js_name = entityType)]
pub fn entity_type(model_label: &str) -> Option<String> {
    RedactorConfig::default().canonical(model_label)
}

/// Puts the originals of a redaction's reversible replacements back into `reply`.
#[wasm_bindgen]
pub fn restore(reply: &str, redaction: JsValue) -> Result<String, JsValue> {
    let input: RestoreInput = serde_wasm_bindgen::from_value(redaction).map_err(|e| {
        model_error(
            "invalid_option",
            &format!("restore needs the object redact returned: {e}"),
        )
    })?;
    let r = Redaction {
        text: String::new(),
        spans: Vec::new(),
        mapping: input.mapping,
    };
    Ok(redact::restore(reply, &r))
}
