//! The only code that knows about JavaScript: a thin facade over the native API.
//! (The full typed package, worker and demo come with the web issue; this is the
//! first slice, which keeps the wasm32 build honest about what it links.)

use crate::pipelines::token_details::token_logits;
use crate::{Error, ModelBundle};
use wasm_bindgen::prelude::*;

fn js_error(e: Error) -> JsError {
    JsError::new(&format!("{}: {e}", e.code()))
}

/// A model loaded from the bytes of one tokenveil GGUF file.
#[wasm_bindgen]
pub struct Model {
    inner: ModelBundle,
}

#[wasm_bindgen]
impl Model {
    #[wasm_bindgen(constructor)]
    pub fn new(bytes: Vec<u8>) -> Result<Model, JsError> {
        ModelBundle::from_bytes(bytes)
            .map(|inner| Model { inner })
            .map_err(js_error)
    }

    /// Per-token detail as JSON (byte offsets; UTF-16 offsets come with the typed API).
    #[wasm_bindgen(js_name = logitsJson)]
    pub fn logits_json(&self, text: &str) -> Result<String, JsError> {
        let out = token_logits(&self.inner, text).map_err(js_error)?;
        serde_json::to_string(&out).map_err(|e| JsError::new(&e.to_string()))
    }
}
