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

pub mod bundle;
pub mod config;
pub mod convert;
pub mod error;
pub mod eval;
pub mod file;
pub mod model;
pub mod offsets;
pub mod parallel;
pub mod pipelines;
pub mod redact;
pub mod tokenize;
#[cfg(target_arch = "wasm32")]
pub mod wasm;

// The model-file modules under the paths they had before `file/` held them.
pub use file::{blocks as quantize, source, weights};

pub use bundle::ModelBundle;
pub use config::ModelConfig;
pub use error::{Error, Result};
