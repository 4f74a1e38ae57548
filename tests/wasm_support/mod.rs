//! What the wasm kernel tests (wasm_qgemm.rs, wasm_activations.rs) share: deterministic input,
//! a largest-difference measure, and a timer for their ignored timing tests.
#![allow(dead_code)] // each test file uses part of it

/// Deterministic values in about [-scale, scale].
pub fn wave(len: usize, scale: f32, phase: f32) -> Vec<f32> {
    (0..len)
        .map(|i| scale * ((i as f32 * 0.731 + phase).sin() + 0.3 * (i as f32 * 0.057).cos()))
        .collect()
}

/// The largest `|a - b|` over two equally long slices.
pub fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).fold(0f32, |m, (x, y)| m.max((x - y).abs()))
}

/// `performance.now()` (Node and browsers): sub-millisecond, unlike `Date.now()`.
fn now() -> f64 {
    let performance = js_sys::Reflect::get(&js_sys::global(), &"performance".into()).unwrap();
    let now = js_sys::Reflect::get(&performance, &"now".into()).unwrap();
    let now: js_sys::Function = now.into();
    now.call0(&performance).unwrap().as_f64().unwrap()
}

/// Milliseconds per call: the best of `batches` batches of `calls` calls (the first batch
/// warms the JIT up).
pub fn best_ms(batches: usize, calls: usize, mut f: impl FnMut()) -> f64 {
    let mut best = f64::MAX;
    for _ in 0..batches {
        let start = now();
        for _ in 0..calls {
            f();
        }
        best = best.min((now() - start) / calls as f64);
    }
    best
}
