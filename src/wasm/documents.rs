//! Whole documents from JS (`redactFile`, `redactFormData` in `js/`): a session redacts a
//! document, or one piece of a document too large to read at once, in its own format (see
//! `crate::documents`), with or without a token classifier. Reading files, cutting them into
//! pieces and making a `File` of the result stay in JS; this file only converts.

use super::classifiers::{RawRedactionSession, RawTokenClassifier};
use super::{js_error, model_error, options, to_js};
use crate::documents::{self, DocumentFormat, DocumentOptions, FieldRedactor};
use crate::offsets::OffsetMap;
use crate::pipelines::redaction::model_spans;
use crate::pipelines::token_classification::TokenClassifier;
use crate::redact::{Redaction, RedactionSession, Span};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use wasm_bindgen::prelude::*;

/// `DocumentOptions` as JS passes them, plus `piece`.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
struct JsDocumentOptions {
    skip: Vec<String>,
    force: BTreeMap<String, String>,
    no_header: bool,
    /// The content is one piece of a larger document: a selector that matches nothing here is
    /// not an error (it may match in another piece), and the result lists in `matched` the
    /// selectors that did match, for the caller to judge over every piece.
    piece: bool,
}

impl JsDocumentOptions {
    fn native(self) -> (DocumentOptions, bool) {
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

/// A session (and a model, if any) as the document walkers' `FieldRedactor`, as the CLI's
/// `PiiRedactor::redact_document` does it: the model reads each record's context, the
/// session's detectors and operators redact each value.
struct SessionFields<'a> {
    classifier: Option<&'a TokenClassifier>,
    session: &'a mut RedactionSession,
}

impl FieldRedactor for SessionFields<'_> {
    fn detect(&mut self, text: &str) -> crate::Result<Vec<Span>> {
        match self.classifier {
            Some(c) => model_spans(c, text),
            None => Ok(Vec::new()),
        }
    }

    fn redact(&mut self, text: &str, spans: &[Span]) -> crate::Result<Redaction> {
        self.session.redact(text, spans)
    }
}

/// One replacement; `start`/`end` in the session's offset unit of the redacted `content`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsDocumentSpan {
    field: String,
    record: usize,
    start: usize,
    end: usize,
    entity_type: String,
    detector: String,
    score: f32,
    original: String,
    replacement: String,
}

/// `mapping` is the whole session's, so the last piece's restores every piece.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsDocumentRedaction {
    format: &'static str,
    content: String,
    spans: Vec<JsDocumentSpan>,
    records: usize,
    values: usize,
    mapping: Vec<(String, String)>,
    #[serde(skip_serializing_if = "Option::is_none")]
    matched: Option<Vec<String>>,
}

#[wasm_bindgen]
impl RawRedactionSession {
    /// A whole document (or, with `piece`, one piece of one) in this session, with the
    /// pattern detectors; `format` is a name as `documentFormat` returns.
    #[wasm_bindgen(js_name = redactDocument)]
    pub fn redact_document(
        &mut self,
        content: &str,
        format: &str,
        options_: JsValue,
    ) -> Result<JsValue, JsValue> {
        self.document(None, content, format, options_)
    }

    /// `redactDocument` with `classifier`'s entities pooled in.
    #[wasm_bindgen(js_name = redactDocumentWithModel)]
    pub fn redact_document_with_model(
        &mut self,
        classifier: &RawTokenClassifier,
        content: &str,
        format: &str,
        options_: JsValue,
    ) -> Result<JsValue, JsValue> {
        self.document(Some(&classifier.inner), content, format, options_)
    }
}

impl RawRedactionSession {
    fn document(
        &mut self,
        classifier: Option<&TokenClassifier>,
        content: &str,
        format: &str,
        options_: JsValue,
    ) -> Result<JsValue, JsValue> {
        let (opts, piece) = options::<JsDocumentOptions>(options_)?.native();
        let format = DocumentFormat::from_name(format).map_err(js_error)?;
        let mut fields = SessionFields {
            classifier,
            session: &mut self.inner,
        };
        let (out, used) = documents::redact_document_part(content, format, &opts, &mut fields)
            .map_err(js_error)?;
        if !piece {
            documents::check_selectors(format, &opts, &used).map_err(js_error)?;
        }
        let map = OffsetMap::new(&out.content, self.enc);
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
        to_js(&JsDocumentRedaction {
            format: format.name(),
            content: out.content,
            spans,
            records: out.records,
            values: out.values,
            mapping: self.inner.mapping().to_vec(),
            matched: piece.then(|| used.into_iter().collect()),
        })
    }
}

/// The format of a file: by its name's extension when it has one (an extension that is not
/// ours is `unsupported_format`, whatever the media type says), else by its media type.
#[wasm_bindgen(js_name = documentFormat)]
pub fn document_format(file_name: &str, media_type: &str) -> Result<String, JsValue> {
    let has_extension = file_name
        .rsplit_once('.')
        .is_some_and(|(stem, ext)| !stem.is_empty() && !ext.contains(['/', '\\']));
    let format = if has_extension {
        DocumentFormat::from_file_name(file_name).map_err(js_error)?
    } else {
        DocumentFormat::from_media_type(media_type).ok_or_else(|| {
            model_error(
                "unsupported_format",
                &format!(
                    "{}media type `{media_type}`: not a document tokenveil reads (txt, md, csv, \
                     tsv, json, jsonl); binary files are never passed through (give `format` \
                     to name one)",
                    if file_name.is_empty() {
                        String::new()
                    } else {
                        format!("file `{file_name}` (no extension), ")
                    }
                ),
            )
        })?
    };
    Ok(format.name().to_string())
}
