//! The only code that knows about JavaScript: a thin facade over the native API. Three
//! classes (`RawTokenClassifier`, `RawTextClassifier`, `RawRedactionSession`, whose documents
//! are in `documents`) and pattern-only `redact`/`restore` functions that take options and
//! return results as plain JS objects (see `dto`). The
//! TypeScript wrapper in `js/` gives them their public names, loading and types.
//!
//! Errors are JS `Error`s named `ModelError` with a `code` property: the native error's code,
//! or `invalid_option` for options that do not fit.

mod classifiers;
mod documents;
mod dto;

use crate::pipelines::timing::Clock;
use crate::Error;
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

pub use classifiers::{
    entity_type, redact, restore, RawRedactionSession, RawTextClassifier, RawTokenClassifier,
};
pub use documents::document_format;

/// The threaded build's pool worker: js/pool-worker.ts calls this once its instance of the
/// module is up, and it never returns (see `crate::parallel`).
#[cfg(target_feature = "atomics")]
#[wasm_bindgen(js_name = poolWorker)]
pub fn pool_worker() {
    crate::parallel::worker_loop();
}

/// Threads the matmuls run on: 1, or in the threaded build 1 + the pool workers that started.
#[wasm_bindgen(js_name = poolThreads)]
pub fn pool_threads() -> usize {
    crate::parallel::threads()
}

/// A JS `Error` named `ModelError` carrying `code`.
fn model_error(code: &str, message: &str) -> JsValue {
    let err = js_sys::Error::new(message);
    err.set_name("ModelError");
    // Reflect::set on a fresh Error object cannot fail.
    let _ = js_sys::Reflect::set(&err, &"code".into(), &code.into());
    err.into()
}

/// A plain object's copy without its `undefined`-valued keys; anything else as it is.
fn without_undefined(value: JsValue) -> JsValue {
    if !value.is_object() || js_sys::Array::is_array(&value) {
        return value;
    }
    let kept: js_sys::Array = js_sys::Object::entries(value.unchecked_ref())
        .iter()
        .filter(|pair| {
            pair.dyn_ref::<js_sys::Array>()
                .is_some_and(|p| !p.get(1).is_undefined())
        })
        .collect();
    js_sys::Object::from_entries(&kept).map_or(value, Into::into)
}

fn js_error(e: Error) -> JsValue {
    model_error(e.code(), &e.to_string())
}

/// Options from JS: `undefined` and `null` mean the defaults; unknown keys and wrong types
/// are `invalid_option` errors naming the problem. A key whose value is `undefined` is left
/// out, as JS code means it (`{ topK: undefined }`); `null` is a value (`topK: null`: every
/// label).
fn options<T: DeserializeOwned + Default>(value: JsValue) -> Result<T, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(T::default());
    }
    // Through serde_json because serde-wasm-bindgen reads only the fields a struct names, so
    // `deny_unknown_fields` would never see a misspelt option. It reads `undefined` as `null`.
    let json: serde_json::Value = serde_wasm_bindgen::from_value(without_undefined(value))
        .map_err(|e| model_error("invalid_option", &format!("options must be an object: {e}")))?;
    serde_json::from_value(json)
        .map_err(|e| model_error("invalid_option", &format!("options: {e}")))
}

/// The texts of a batch call: a JS array of strings (lone surrogates become U+FFFD, as for
/// one text). Anything else is an `invalid_option` error naming the first element at fault.
fn texts(value: &JsValue) -> Result<Vec<String>, JsValue> {
    if !js_sys::Array::is_array(value) {
        return Err(model_error(
            "invalid_option",
            "texts must be an array of strings",
        ));
    }
    value
        .unchecked_ref::<js_sys::Array>()
        .iter()
        .enumerate()
        .map(|(i, v)| {
            v.as_string().ok_or_else(|| {
                model_error("invalid_option", &format!("texts[{i}] is not a string"))
            })
        })
        .collect()
}

/// Results to JS as plain objects and arrays (maps as objects, not `Map`).
fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| model_error("internal", &format!("result conversion: {e}")))
}

/// `performance.now()` where the global has it (browsers, workers, Node), else `Date.now()`.
struct PerformanceClock(Option<js_sys::Function>, JsValue);

impl PerformanceClock {
    fn new() -> Self {
        let perf = js_sys::Reflect::get(&js_sys::global(), &"performance".into())
            .unwrap_or(JsValue::UNDEFINED);
        let now = js_sys::Reflect::get(&perf, &"now".into())
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
        PerformanceClock(now, perf)
    }
}

impl Clock for PerformanceClock {
    fn now_ms(&self) -> f64 {
        self.0
            .as_ref()
            .and_then(|now| now.call0(&self.1).ok())
            .and_then(|v| v.as_f64())
            .unwrap_or_else(js_sys::Date::now)
    }
}
