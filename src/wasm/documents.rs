//! Whole documents from JS (`redactFile`, `redactFormData` in `js/`): a session redacts a
//! document, or one piece of a document too large to read at once, in its own format (see
//! `crate::documents`), with or without a token classifier. Reading files, cutting them into
//! pieces and making a `File` of the result stay in JS; this file only converts.

use super::classifiers::{RawRedactionSession, RawTokenClassifier};
use super::dto::{JsDocumentOptions, JsDocumentRedaction};
use super::{js_error, model_error, options, to_js};
use crate::documents::{self, DocumentFormat};
use crate::pipelines::redaction::SessionFields;
use crate::pipelines::token_classification::TokenClassifier;
use wasm_bindgen::prelude::*;

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
            classifiers: classifier.map_or(&[][..], std::slice::from_ref),
            session: &mut self.inner,
        };
        let (out, used) = documents::redact_document_part(content, format, &opts, &mut fields)
            .map_err(js_error)?;
        if !piece {
            documents::check_selectors(format, &opts, &used).map_err(js_error)?;
        }
        let matched = piece.then(|| used.into_iter().collect());
        let mapping = self.inner.mapping().to_vec();
        to_js(&JsDocumentRedaction::new(out, self.enc, mapping, matched))
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
