//! Where one call's time goes (tokenize, forward, post-process), for the demo's timings and
//! the benchmarks. The clock is passed in because `std::time::Instant` panics on
//! wasm32-unknown-unknown: the wasm facade reads `performance.now()` instead.

use serde::Serialize;

/// Milliseconds since an arbitrary origin; only differences are used.
pub trait Clock {
    fn now_ms(&self) -> f64;
}

/// For callers that do not want timings: every stage reads 0.
pub struct NoClock;

impl Clock for NoClock {
    fn now_ms(&self) -> f64 {
        0.0
    }
}

/// The monotonic system clock (not on wasm32, where `Instant` is unavailable).
#[cfg(not(target_arch = "wasm32"))]
pub struct SystemClock(std::time::Instant);

#[cfg(not(target_arch = "wasm32"))]
impl Default for SystemClock {
    fn default() -> Self {
        SystemClock(std::time::Instant::now())
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl Clock for SystemClock {
    fn now_ms(&self) -> f64 {
        self.0.elapsed().as_secs_f64() * 1e3
    }
}

/// Stage times of one pipeline call. `tokens` counts every token the model read, special
/// tokens and window overlaps included, so `tokens / forward_ms` is the model's throughput.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Timings {
    pub tokenize_ms: f64,
    pub forward_ms: f64,
    pub postprocess_ms: f64,
    pub tokens: usize,
}

/// Marks stage boundaries against a clock.
pub(crate) struct Stopwatch<'a> {
    clock: &'a dyn Clock,
    last: f64,
}

impl<'a> Stopwatch<'a> {
    pub(crate) fn start(clock: &'a dyn Clock) -> Self {
        Stopwatch {
            last: clock.now_ms(),
            clock,
        }
    }

    /// Milliseconds since the previous mark (or the start).
    pub(crate) fn lap(&mut self) -> f64 {
        let now = self.clock.now_ms();
        let lap = now - self.last;
        self.last = now;
        lap
    }
}
