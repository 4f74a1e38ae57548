//! tokenveil: DistilBERT- and BERT-family token and text classifiers on Candle, natively and
//! in the browser (wasm32 + SIMD128).
//!
//! Data flows one way; each stage is one module:
//!
//! ```text
//! model file ──► weights (GGUF / safetensors) ──► model (encoder + head)
//! text ──► tokenize (ids, byte offsets, special mask, word ids) ──► forward ──► logits
//!      ──► pipelines (softmax, labels, aggregation, windows, per-token detail) ──► entities / labels
//!      ──► redact (entities + pattern detectors ──► non-overlapping spans ──► operators) ──► text + spans
//! ```
//!
//! ```no_run
//! use tokenveil::{ModelBundle, pipelines::token_details::token_logits};
//! let model = ModelBundle::from_path("models/rampart/rampart-q4_0.gguf", None)?;
//! let out = token_logits(&model, "My name is Ada Lovelace")?;
//! for t in &out.tokens {
//!     println!("{:>12} {:>3}..{:<3} {}", t.token, t.start, t.end, t.label);
//! }
//! # Ok::<(), tokenveil::Error>(())
//! ```
//!
//! The pipelines a user starts from: [`pipelines::token_classification::TokenClassifier`]
//! (entities, every Hugging Face aggregation strategy), [`pipelines::text_classification::TextClassifier`]
//! (labels with scores) and [`pipelines::redaction::PiiRedactor`] (redaction and
//! [`redact::restore`]). Runnable examples, one each, read the repository's shipped models:
//! `cargo run --example ner`, `--example sentiment`, `--example redact` (`examples/`; `cargo
//! test` runs their tests). The public enums are `#[non_exhaustive]`: match them with a `_` arm.

// The threaded wasm build is nightly-only anyway (`-Z build-std` for atomics); its pool parks
// workers with `memory.atomic.wait32`.
#![cfg_attr(
    all(target_arch = "wasm32", target_feature = "atomics"),
    feature(stdarch_wasm_atomic_wait)
)]

// The public API: what a user builds on (pipelines, redaction, conversion, evaluation, and the
// types they take and return).
pub mod bundle;
pub mod config;
pub mod convert;
pub mod documents;
pub mod error;
pub mod eval;
pub mod offsets;
pub mod pipelines;
pub mod redact;

// Internals. `file`, `model` and `wasm` stay reachable, hidden from the docs and outside any
// semver promise, because the test suites, fuzz targets and benchmarks check them directly (the
// kernels bit for bit, the loader against malformed files, the wasm facade in wasm-bindgen-test).
#[doc(hidden)]
pub mod file;
#[doc(hidden)]
pub mod model;
pub(crate) mod parallel;
pub(crate) mod tokenize;
#[cfg(target_arch = "wasm32")]
#[doc(hidden)]
pub mod wasm;
// The JS-facing shapes alone, natively, so that a unit test writes their TypeScript
// (js/types.generated.ts) without a wasm toolchain.
#[cfg(all(test, not(target_arch = "wasm32")))]
#[path = "wasm/dto.rs"]
#[allow(dead_code)]
mod wasm_dto;

// The model-file modules under the paths they had before `file/` held them (hidden, as above).
#[doc(hidden)]
pub use file::{blocks as quantize, source, weights};

pub use bundle::ModelBundle;
pub use config::ModelConfig;
pub use error::{Error, Result};
