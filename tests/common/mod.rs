//! Helpers shared by the integration tests: golden files and comparisons.
#![allow(dead_code)] // each test binary uses a different subset

use serde_json::Value;
use std::path::{Path, PathBuf};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn golden(path: impl AsRef<Path>) -> Value {
    let p = root().join(path);
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_str(&text).unwrap()
}

pub fn u32s(v: &Value) -> Vec<u32> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as u32)
        .collect()
}

pub fn f32s(v: &Value) -> Vec<f32> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap() as f32)
        .collect()
}

pub fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

pub fn argmax(v: &[f32]) -> usize {
    tokenveil::pipelines::argmax(v)
}

/// Models in `models/.cache` come from `scripts/setup.sh`. Under the README's test command
/// (`TOKENVEIL_REQUIRE_MODELS=1`) their absence fails the test; a bare `cargo test` says
/// what it skipped.
pub fn cached_model(rel: &str) -> Option<PathBuf> {
    let p = root().join(rel);
    if p.exists() {
        return Some(p);
    }
    if std::env::var("TOKENVEIL_REQUIRE_MODELS").is_ok_and(|v| v == "1") {
        panic!("{} is missing: run scripts/setup.sh", p.display());
    }
    eprintln!("SKIPPED: {} is missing (run scripts/setup.sh)", p.display());
    None
}
