//! Blocked int8 matrix multiply for Q4_0 and Q8_0 linear layers: wasm `simd128` (and
//! relaxed SIMD where the engine has it), x86-64 SSE2 (and AVX2 where the CPU has it).
//!
//! candle's quantized matmul runs one Q4_0/Q8_0 × Q8_0 dot product per output element: each
//! weight block is decoded again for every input row, and every block pays two software f16
//! to f32 conversions (wasm has no f16). Here the weights are decoded once, at load, into int8
//! column groups: four output columns side by side, `STEP` input values per column per 32-bit
//! lane (2 for `i32x4.dot_i16x8_s` / `pmaddwd`, 4 for `i32x4.relaxed_dot_i8x16_i7x16_add_s`).
//! A tile of rows × 8 columns then accumulates exact i32 block sums in registers, and each block
//! adds `sum × (weight scale × activation scale)` in f32.
//!
//! Activations are quantized per row and block of 32, like candle's Q8_0. The plain kernels
//! (simd128, SSE2) quantize them to 16 bits, not 8: the dot instruction multiplies i16 lanes
//! anyway, and a block's sum still fits i32 (32 × 32767 × 128 < 2^31), so the finer grid costs
//! nothing. What is left is the weights' own quantization: the outputs are as close to the f32
//! product with the dequantized weights as float rounding allows (tests check this against
//! f64), where candle's 8-bit activations add an error of their own.
//!
//! The relaxed-SIMD kernel (`relaxed.rs`, in a second wasm build chosen where the engine has
//! relaxed SIMD) multiplies bytes, one operand 7-bit unsigned, 16 per instruction: twice the
//! plain kernel's speed, for Q8_0 weights with 7-bit activations (`activation_max` 63). Q4_0
//! weights keep the plain kernel and 16-bit activations there too: with 8-bit activations
//! (its 4-bit values as the 7-bit operand) one of Rampart's 761 test tokens changed its label
//! against onnxruntime, and Rampart already runs well under Transformers.js's time.
//!
//! Q4_0 weights are kept two values to a byte (`Values::Nibbles`), half the memory of int8, and
//! unpacked per matmul into a scratch buffer; the kernels only ever see int8.
//!
//! Large products are split by output columns over the threads `crate::parallel` has (natively
//! rayon's, in the threaded wasm build a pool of Web Workers; see `parallel.rs`); each output is
//! computed whole by one thread, so the result is the same on any number of threads.
//!
//! The portable kernel computes bit for bit what the vector kernels do, for the same activation
//! precision (tests compare them: SSE2 and AVX2 natively, simd128 and relaxed in
//! tests/wasm_qgemm.rs).

#[cfg(target_arch = "x86_64")]
mod avx2;
mod kernel;
mod parallel;
#[cfg(all(target_arch = "wasm32", target_feature = "relaxed-simd"))]
mod relaxed;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd128;
#[cfg(target_arch = "x86_64")]
mod sse2;

// This target's backend, picked here once: its activation quantizer, nibble unpacker and
// kernel (`quantize_block`, `unpack_nibbles`, `gemm`), and whether it is a vector one.
#[cfg(not(any(
    all(target_arch = "wasm32", target_feature = "simd128"),
    target_arch = "x86_64"
)))]
use portable as backend;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
use simd128 as backend;
#[cfg(target_arch = "x86_64")]
use sse2 as backend;

/// The scalar kernel as a backend, for targets without a vector one.
#[cfg(not(any(
    all(target_arch = "wasm32", target_feature = "simd128"),
    target_arch = "x86_64"
)))]
mod portable {
    pub(super) use super::{
        portable_gemm as gemm, quantize_block, unpack_nibbles_portable as unpack_nibbles,
    };
    pub(super) const VECTOR: bool = false;
}

/// Whether this target has a vector backend for the kernel (else only the portable scalar
/// kernel, much slower than candle's quantized matmul).
pub const VECTOR_KERNEL: bool = backend::VECTOR;

/// Whether this build runs the relaxed-SIMD kernel for Q8_0 weights (a wasm build with
/// `+relaxed-simd`).
pub const RELAXED: bool = cfg!(all(target_arch = "wasm32", target_feature = "relaxed-simd"));

use crate::error::{Error, Result};
use crate::file::blocks;
pub use crate::file::blocks::{BlockFormat, BLOCK};
use parallel::{SharedMut, SharedOut};
/// Output columns side by side in one packed group (one SIMD vector of i32 / f32).
pub const GROUP: usize = 4;
/// Bytes of one packed group-block: 32 inputs × 4 columns.
const GROUP_BLOCK_BYTES: usize = BLOCK * GROUP;
/// Where input `kk` (0..32) of lane `lane` sits in a group-block, for a kernel whose dot
/// product sums `step` consecutive inputs per 32-bit lane (2 for `i32x4.dot_i16x8_s` and
/// `pmaddwd`, 4 for the relaxed dot): steps of `[c0 × step, c1 × step, c2 × step, c3 × step]`.
const fn packed_index(kk: usize, lane: usize, step: usize) -> usize {
    (kk / step) * (GROUP * step) + lane * step + kk % step
}

/// A `[n, k]` linear weight, decoded from Q4_0 or Q8_0 blocks into int8 column groups.
pub struct PackedWeight {
    n: usize,
    k: usize,
    format: BlockFormat,
    /// Group `g`, block `b`: 128 values at `(g * blocks + b) * 128`, input `kk` of column
    /// `lane` at `packed_index(kk, lane, self.step())` within them. Padding columns are 0.
    values: Values,
    /// Group `g`, block `b`: the 4 columns' scales at `(g * blocks + b) * 4`.
    scales: Vec<f32>,
    /// For the relaxed kernel only (else empty), laid out as `scales`: `-64 × Σ values` of the
    /// column's block, where its sums start (see `relaxed.rs`).
    offsets: Vec<i32>,
}

/// A weight's int8 values, as the kernels read them or two to a byte.
enum Values {
    /// One byte per value (Q8_0).
    Bytes(Vec<i8>),
    /// Q4_0: two 4-bit values per byte (`pack_nibbles`), half the memory. Each matmul unpacks
    /// them into a scratch buffer of the calling thread (`with_values`): a few microseconds per
    /// layer with SIMD, against milliseconds for the product itself.
    Nibbles(Vec<u8>),
}

thread_local! {
    /// The unpacked values of the Q4_0 weight being multiplied (`PackedWeight::with_values`).
    static SCRATCH: std::cell::Cell<Vec<i8>> = const { std::cell::Cell::new(Vec::new()) };
}

/// Q4_0 values (-8..=7) two to a byte, each run of 32 as a Q4_0 block holds them (codes `q + 8`,
/// `blocks::pack_nibbles`), so that one 16-byte vector unpacks into two with a mask, a shift and
/// a subtraction.
fn pack_nibbles(values: &[i8]) -> Vec<u8> {
    debug_assert!(values.len() % BLOCK == 0);
    let mut out = Vec::with_capacity(values.len() / 2);
    for run in values.chunks_exact(BLOCK) {
        out.extend(blocks::pack_nibbles(&std::array::from_fn(|j| {
            (run[j] + 8) as u8
        })));
    }
    out
}

/// `pack_nibbles` undone: `dst` gets 2 values per byte of `src`.
fn unpack_nibbles(src: &[u8], dst: &mut [i8]) {
    assert!(src.len() % 16 == 0 && dst.len() == 2 * src.len());
    backend::unpack_nibbles(src, dst);
}

#[cfg_attr(
    any(
        all(target_arch = "wasm32", target_feature = "simd128"),
        target_arch = "x86_64"
    ),
    allow(dead_code)
)]
fn unpack_nibbles_portable(src: &[u8], dst: &mut [i8]) {
    for (run, out) in src.chunks_exact(BLOCK / 2).zip(dst.chunks_exact_mut(BLOCK)) {
        for (o, code) in out.iter_mut().zip(blocks::unpack_nibbles(run)) {
            *o = code as i8 - 8;
        }
    }
}

/// Column groups for `n` outputs: groups of 4, an even count of them.
fn groups_for(n: usize) -> usize {
    n.div_ceil(GROUP).next_multiple_of(2)
}

impl PackedWeight {
    /// Decode a row-major `[n, k]` tensor of GGML blocks (`k` a multiple of 32).
    pub fn from_blocks(format: BlockFormat, bytes: &[u8], n: usize, k: usize) -> Result<Self> {
        let blocks = k / BLOCK;
        let row_bytes = blocks * format.block_bytes();
        if k == 0 || k % BLOCK != 0 || n == 0 || bytes.len() != n * row_bytes {
            return Err(Error::ModelFormat(format!(
                "a {format:?} weight of [{n}, {k}] needs k a multiple of {BLOCK} and {} bytes, found {}",
                n * row_bytes,
                bytes.len()
            )));
        }
        let groups = groups_for(n);
        let relaxed = uses_relaxed_kernel(format);
        let step = if relaxed { 4 } else { 2 };
        let mut values = vec![0i8; groups * blocks * GROUP_BLOCK_BYTES];
        let mut scales = vec![0f32; groups * blocks * GROUP];
        let mut offsets = vec![0i32; if relaxed { scales.len() } else { 0 }];
        for c in 0..n {
            let (g, lane) = (c / GROUP, c % GROUP);
            let row = &bytes[c * row_bytes..(c + 1) * row_bytes];
            for (b, block) in row.chunks_exact(format.block_bytes()).enumerate() {
                let (vals, scale) = format.decode(block);
                let gb = g * blocks + b;
                for (kk, &v) in vals.iter().enumerate() {
                    values[gb * GROUP_BLOCK_BYTES + packed_index(kk, lane, step)] = v;
                }
                scales[gb * GROUP + lane] = scale;
                if relaxed {
                    offsets[gb * GROUP + lane] = -64 * vals.iter().map(|&v| v as i32).sum::<i32>();
                }
            }
        }
        let values = match format {
            // Only the plain kernel reads Q4_0 (see the module comment), one unpacked layer at a time.
            BlockFormat::Q4_0 => Values::Nibbles(pack_nibbles(&values)),
            BlockFormat::Q8_0 => Values::Bytes(values),
        };
        Ok(PackedWeight {
            n,
            k,
            format,
            values,
            scales,
            offsets,
        })
    }

    /// Runs `f` on the int8 values: the stored ones, or the nibbles unpacked into this thread's
    /// scratch buffer. The buffer is taken out while `f` runs, so a nested call (a rayon thread
    /// running another matmul while it waits) unpacks into a buffer of its own.
    fn with_values<R>(&self, f: impl FnOnce(&[i8]) -> R) -> R {
        match &self.values {
            Values::Bytes(values) => f(values),
            Values::Nibbles(packed) => {
                let mut scratch = SCRATCH.take();
                scratch.resize(2 * packed.len(), 0);
                unpack_nibbles(packed, &mut scratch);
                let result = f(&scratch);
                SCRATCH.set(scratch);
                result
            }
        }
    }

    /// The weights of several layers that read the same input, as one (query, key and value
    /// become one product). `None` unless every part has a whole number of group pairs, so
    /// that no padding column lands in the middle.
    pub fn concat(parts: &[&PackedWeight]) -> Option<PackedWeight> {
        let (k, format) = (parts.first()?.k, parts.first()?.format);
        if parts
            .iter()
            .any(|p| p.k != k || p.format != format || p.n % (2 * GROUP) != 0)
        {
            return None;
        }
        Some(PackedWeight {
            n: parts.iter().map(|p| p.n).sum(),
            k,
            format,
            // Whole group pairs are whole runs of 32 values, so nibbles concatenate as bytes do.
            values: match format {
                BlockFormat::Q4_0 => Values::Nibbles(
                    parts
                        .iter()
                        .flat_map(|p| match &p.values {
                            Values::Nibbles(v) => v.iter().copied(),
                            Values::Bytes(_) => unreachable!("Q4_0 weights are stored as nibbles"),
                        })
                        .collect(),
                ),
                BlockFormat::Q8_0 => Values::Bytes(
                    parts
                        .iter()
                        .flat_map(|p| match &p.values {
                            Values::Bytes(v) => v.iter().copied(),
                            Values::Nibbles(_) => unreachable!("Q8_0 weights are stored as bytes"),
                        })
                        .collect(),
                ),
            },
            scales: parts
                .iter()
                .flat_map(|p| p.scales.iter().copied())
                .collect(),
            offsets: parts
                .iter()
                .flat_map(|p| p.offsets.iter().copied())
                .collect(),
        })
    }

    /// The largest activation code this build's kernel quantizes to for this weight: 32767
    /// (16 bits) in the plain kernels, 63 (7 bits) in the relaxed one.
    pub fn activation_max(&self) -> f32 {
        if uses_relaxed_kernel(self.format) {
            63.0
        } else {
            32767.0
        }
    }

    /// Inputs per 32-bit lane in `values` (see `packed_index`).
    fn step(&self) -> usize {
        if uses_relaxed_kernel(self.format) {
            4
        } else {
            2
        }
    }

    pub fn out_features(&self) -> usize {
        self.n
    }

    pub fn in_features(&self) -> usize {
        self.k
    }

    /// Column groups, rounded up to an even count so the kernel always takes two at a time.
    fn groups(&self) -> usize {
        groups_for(self.n)
    }

    fn check_shapes(&self, x: &[f32], bias: &[f32], out: &[f32]) -> Result<()> {
        let m = x.len() / self.k;
        if x.len() != m * self.k || bias.len() != self.n || out.len() != m * self.n {
            return Err(Error::Inference(format!(
                "packed matmul shapes: x {} (k {}), bias {}, out {} (n {})",
                x.len(),
                self.k,
                bias.len(),
                out.len(),
                self.n
            )));
        }
        Ok(())
    }

    /// `out[m, n] = x[m, k] · Wᵀ + bias`, `x` row-major f32.
    pub fn matmul(&self, x: &[f32], bias: &[f32], out: &mut [f32]) -> Result<()> {
        self.check_shapes(x, bias, out)?;
        self.with_values(|values| {
            #[cfg(all(target_arch = "wasm32", target_feature = "relaxed-simd"))]
            if uses_relaxed_kernel(self.format) {
                let x =
                    QuantizedRows::new(x, self.k, self.activation_max(), relaxed::quantize_block);
                return relaxed::gemm(self, values, &x, bias, out);
            }
            let x = QuantizedRows::new(x, self.k, self.activation_max(), backend::quantize_block);
            backend::gemm(self, values, &x, bias, out);
        });
        Ok(())
    }

    /// The same product by the portable quantizer and kernel, whatever the target (tests
    /// compare them).
    pub fn matmul_portable(&self, x: &[f32], bias: &[f32], out: &mut [f32]) -> Result<()> {
        self.check_shapes(x, bias, out)?;
        let x = QuantizedRows::new(x, self.k, self.activation_max(), quantize_block);
        self.with_values(|values| portable_gemm(self, values, &x, bias, out));
        Ok(())
    }

    /// Bytes the weight takes in memory (values, scales, offsets).
    pub fn memory_bytes(&self) -> usize {
        let values = match &self.values {
            Values::Bytes(v) => v.len(),
            Values::Nibbles(v) => v.len(),
        };
        values + 4 * (self.scales.len() + self.offsets.len())
    }
}

/// Whether weights of this format run the relaxed kernel in this build (Q8_0 in a relaxed build).
const fn uses_relaxed_kernel(format: BlockFormat) -> bool {
    RELAXED && matches!(format, BlockFormat::Q8_0)
}

/// Activations quantized per row and block of 32 to `±max` codes, with f32 scales. The codes
/// are `i16` for the plain kernels and, for the relaxed kernel, bytes `q + 64` (its unsigned
/// 7-bit operand, written directly by its quantizer).
pub(crate) struct QuantizedRows<T = i16> {
    m: usize,
    k: usize,
    values: Vec<T>,
    /// Row `r`, block `b` at `r * blocks + b`.
    scales: Vec<f32>,
}

impl<T: Copy + Default + Send + 'static> QuantizedRows<T> {
    /// Generic over the block quantizer so that it inlines into the loop. Large inputs are
    /// split into runs of blocks over the threads there are.
    fn new(
        x: &[f32],
        k: usize,
        max: f32,
        quantize: impl Fn(&[f32], &mut [T], f32) -> f32 + Sync,
    ) -> Self {
        let m = x.len() / k;
        let blocks = k / BLOCK;
        let mut values = vec![T::default(); m * k];
        let mut scales = vec![0f32; m * blocks];
        let (shared_values, shared_scales) =
            (SharedMut::new(&mut values), SharedMut::new(&mut scales));
        parallel::for_block_runs(m * blocks, m * k, |run| {
            let (b0, b1) = (run.start, run.end);
            // SAFETY: runs are disjoint (BLOCK codes and one scale per block).
            let (dst, dst_scales) = unsafe {
                (
                    shared_values.range(b0 * BLOCK, (b1 - b0) * BLOCK),
                    shared_scales.range(b0, b1 - b0),
                )
            };
            for ((src, dst), scale) in x[b0 * BLOCK..b1 * BLOCK]
                .chunks_exact(BLOCK)
                .zip(dst.chunks_exact_mut(BLOCK))
                .zip(dst_scales.iter_mut())
            {
                *scale = quantize(src, dst, max);
            }
        });
        QuantizedRows {
            m,
            k,
            values,
            scales,
        }
    }
}

/// `d = max|x| / max`, `q = round_ties_even(x / d)` (SIMD's `nearest`), clamped to ±`max`.
/// Non-finite inputs give a NaN scale, so they poison the outputs that read them, as in f32.
fn quantize_block(src: &[f32], dst: &mut [i16], max: f32) -> f32 {
    // NaN propagates (as wasm's `f32x4.max` does); `f32::max` would skip it.
    let amax = src.iter().fold(0f32, |a, &v| {
        if v.is_nan() || v.abs() > a {
            v.abs()
        } else {
            a
        }
    });
    let d = amax / max;
    let id = if d != 0.0 { 1.0 / d } else { 0.0 };
    for (q, &v) in dst.iter_mut().zip(src) {
        *q = round_ties_even_small(v * id).clamp(-max, max) as i16;
    }
    if amax.is_finite() {
        d
    } else {
        f32::NAN
    }
}

/// `x.round_ties_even()` for `|x| < 2^22` (and infinities and NaN as they are): adding and
/// taking away 1.5 × 2^23 leaves no fraction bits, so the addition rounds, to even on ties.
/// Baseline x86-64 has no rounding instruction (SSE4.1's `roundps`), so `round_ties_even`
/// is a libm call per value there, and the quantizer spent more time in it than in anything
/// else. Finite quantizer inputs stay within ±`max` (up to 32767) times `1 + ε`.
#[inline(always)]
fn round_ties_even_small(x: f32) -> f32 {
    const MAGIC: f32 = 12_582_912.0;
    (x + MAGIC) - MAGIC
}

/// A vector kernel's tile result (rows `r0..`, columns of groups `g` and `g + 1`) plus the
/// bias into `out`, dropping the padding columns.
///
/// # Safety
/// Rows `r0..r0 + lanes.len()` of `out` (`w.n` columns each) exist, no other thread writes
/// these columns of them, and `bias` has `w.n` values.
#[cfg_attr(
    not(any(target_arch = "wasm32", target_arch = "x86_64")),
    allow(dead_code)
)]
unsafe fn add_bias_and_store(
    lanes: &[[f32; 2 * GROUP]],
    w: &PackedWeight,
    g: usize,
    r0: usize,
    bias: &[f32],
    out: SharedOut,
) {
    debug_assert!(bias.len() == w.n);
    for (i, vals) in lanes.iter().enumerate() {
        // Only this row's columns g * GROUP.. are written: they are this thread's.
        let row = out.range((r0 + i) * w.n, w.n);
        for (j, &v) in vals.iter().enumerate() {
            let c = g * GROUP + j;
            if c < w.n {
                row[c] = v + bias[c];
            }
        }
    }
}

/// Reference kernel: per output, per block, the exact i32 sum, then
/// `acc += sum as f32 * (weight scale * activation scale)` in block order, as each SIMD lane does.
fn portable_gemm(
    w: &PackedWeight,
    values: &[i8],
    x: &QuantizedRows,
    bias: &[f32],
    out: &mut [f32],
) {
    let blocks = w.k / BLOCK;
    debug_assert!(x.k == w.k);
    for r in 0..x.m {
        let row = &x.values[r * x.k..(r + 1) * x.k];
        for c in 0..w.n {
            let (g, lane) = (c / GROUP, c % GROUP);
            let mut acc = 0f32;
            for b in 0..blocks {
                let gb = g * blocks + b;
                let mut sum = 0i32;
                for kk in 0..BLOCK {
                    let at = gb * GROUP_BLOCK_BYTES + packed_index(kk, lane, w.step());
                    sum += values[at] as i32 * row[b * BLOCK + kk] as i32;
                }
                acc += sum as f32 * (w.scales[gb * GROUP + lane] * x.scales[r * blocks + b]);
            }
            out[r * w.n + c] = acc + bias[c];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator (xorshift), so tests need no extra crates.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn f32(&mut self) -> f32 {
            (self.next() >> 40) as f32 / (1u64 << 24) as f32 * 2.0 - 1.0
        }
    }

    fn blocks_of(format: BlockFormat, rng: &mut Rng, n: usize, k: usize) -> Vec<u8> {
        let mut bytes = Vec::new();
        for _ in 0..n * k / BLOCK {
            let scale = half::f16::from_f32(0.01 + 0.05 * rng.f32().abs());
            bytes.extend_from_slice(&scale.to_le_bytes());
            let len = format.block_bytes() - 2;
            bytes.extend((0..len).map(|_| rng.next() as u8));
        }
        bytes
    }

    /// The dequantized weight, row-major `[n, k]`, from the raw blocks (GGML's definition).
    fn dequantize(format: BlockFormat, bytes: &[u8], n: usize, k: usize) -> Vec<f32> {
        let mut out = Vec::with_capacity(n * k);
        format.dequantize_into(bytes, &mut out);
        out
    }

    /// Against f64 arithmetic on the dequantized weights and the exact float activations:
    /// the only error left is the activations' rounding (16 bits natively).
    #[test]
    fn matmul_matches_float_reference() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        for format in [BlockFormat::Q4_0, BlockFormat::Q8_0] {
            for (m, n, k) in [
                (1, 1, 32),
                (3, 5, 64),
                (4, 8, 96),
                (7, 13, 384),
                (9, 35, 128),
            ] {
                let bytes = blocks_of(format, &mut rng, n, k);
                let w = PackedWeight::from_blocks(format, &bytes, n, k).unwrap();
                let wf = dequantize(format, &bytes, n, k);
                let x: Vec<f32> = (0..m * k).map(|_| rng.f32() * 3.0).collect();
                let bias: Vec<f32> = (0..n).map(|_| rng.f32()).collect();
                let mut out = vec![0f32; m * n];
                w.matmul(&x, &bias, &mut out).unwrap();
                for r in 0..m {
                    for c in 0..n {
                        let exact: f64 = (0..k)
                            .map(|i| x[r * k + i] as f64 * wf[c * k + i] as f64)
                            .sum::<f64>()
                            + bias[c] as f64;
                        // Each activation is off by at most half a step (max|x| / (2 max)).
                        let half_step = 3.0 / (2.0 * w.activation_max() as f64);
                        let bound: f64 = (0..k)
                            .map(|i| (wf[c * k + i] as f64).abs() * half_step)
                            .sum::<f64>()
                            + 1e-5;
                        let got = out[r * n + c] as f64;
                        assert!(
                            (got - exact).abs() <= bound,
                            "{format:?} {m}x{n}x{k} [{r},{c}]: {got} vs {exact} (bound {bound})"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn small_rounding_equals_round_ties_even() {
        let mut rng = Rng(5);
        let edges = [
            0.5, 1.5, 2.5, -0.5, -2.5, 32766.5, -32767.5, 4194303.5, 0.49999997,
        ];
        let random = (0..100_000).map(|_| rng.f32() * 40_000.0);
        for x in edges.into_iter().chain(random) {
            assert_eq!(round_ties_even_small(x), x.round_ties_even(), "{x}");
        }
        assert_eq!(round_ties_even_small(f32::INFINITY), f32::INFINITY);
        assert!(round_ties_even_small(f32::NAN).is_nan());
    }

    #[test]
    fn quantization_rounds_and_keeps_non_finite_visible() {
        let mut q = [0i16; BLOCK];
        let mut x = [0f32; BLOCK];
        x[0] = 32767.0;
        x[1] = -16383.5; // a tie: rounds to even (-16384)
        x[2] = 0.4;
        assert_eq!(quantize_block(&x, &mut q, 32767.0), 1.0);
        assert_eq!((q[0], q[1], q[2], q[3]), (32767, -16384, 0, 0));
        assert_eq!(quantize_block(&x, &mut q, 127.0), 32767.0 / 127.0);
        assert_eq!((q[0], q[1], q[2], q[3]), (127, -64, 0, 0));
        assert_eq!(quantize_block(&[0.0; BLOCK], &mut q, 32767.0), 0.0);
        assert_eq!(q, [0; BLOCK]);
        x[5] = f32::INFINITY;
        assert!(quantize_block(&x, &mut q, 32767.0).is_nan());
        x[5] = f32::NAN;
        assert!(quantize_block(&x, &mut q, 32767.0).is_nan());
    }

    #[test]
    fn concatenated_weights_compute_each_part() {
        let mut rng = Rng(7);
        let (k, m) = (64, 3);
        let parts: Vec<(Vec<u8>, usize)> = [8, 16, 8]
            .into_iter()
            .map(|n| (blocks_of(BlockFormat::Q8_0, &mut rng, n, k), n))
            .collect();
        let packed: Vec<PackedWeight> = parts
            .iter()
            .map(|(b, n)| PackedWeight::from_blocks(BlockFormat::Q8_0, b, *n, k).unwrap())
            .collect();
        let fused = PackedWeight::concat(&packed.iter().collect::<Vec<_>>()).unwrap();
        let x: Vec<f32> = (0..m * k).map(|_| rng.f32()).collect();
        let mut whole = vec![0f32; m * 32];
        fused.matmul(&x, &[0.0; 32], &mut whole).unwrap();
        let mut col = 0;
        for p in &packed {
            let mut out = vec![0f32; m * p.n];
            p.matmul(&x, &vec![0.0; p.n], &mut out).unwrap();
            for r in 0..m {
                assert_eq!(
                    out[r * p.n..(r + 1) * p.n],
                    whole[r * 32 + col..r * 32 + col + p.n]
                );
            }
            col += p.n;
        }
        let odd = PackedWeight::from_blocks(BlockFormat::Q8_0, &parts[0].0[..4 * 34 * 2], 4, k);
        assert!(PackedWeight::concat(&[&odd.unwrap(), &packed[0]]).is_none());
    }

    /// x86-64 has two vector kernels: SSE2 everywhere, AVX2 where the CPU has it (what
    /// `matmul` picks, so the test above covers only that one). Both against the portable one,
    /// bit for bit, on shapes with row remainders and padding columns.
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn sse2_and_avx2_kernels_equal_portable_kernel() {
        let mut rng = Rng(23);
        for format in [BlockFormat::Q4_0, BlockFormat::Q8_0] {
            for (m, n, k) in [(1, 3, 32), (5, 16, 64), (7, 35, 384), (4, 40, 96)] {
                let bytes = blocks_of(format, &mut rng, n, k);
                let w = PackedWeight::from_blocks(format, &bytes, n, k).unwrap();
                let mut xf: Vec<f32> = (0..m * k).map(|_| rng.f32() * 4.0).collect();
                xf[k / 2] = -7e20;
                let bias: Vec<f32> = (0..n).map(|_| rng.f32()).collect();
                let x = QuantizedRows::new(&xf, k, w.activation_max(), quantize_block);
                let bits = |v: &[f32]| v.iter().map(|f| f.to_bits()).collect::<Vec<_>>();
                let mut want = vec![0f32; m * n];
                w.matmul_portable(&xf, &bias, &mut want).unwrap();
                let mut sse2 = vec![0f32; m * n];
                w.with_values(|v| sse2::gemm_sse2(&w, v, &x, &bias, &mut sse2));
                assert_eq!(bits(&sse2), bits(&want), "SSE2 {format:?} {m}x{n}x{k}");
                if avx2::available() {
                    let mut got = vec![0f32; m * n];
                    w.with_values(|v| {
                        kernel::check_extents(&w, v, &x, &bias, &got);
                        // SAFETY: the CPU has AVX2; extents checked.
                        unsafe { avx2::gemm(&w, v, &x, &bias, &mut got) }
                    });
                    assert_eq!(bits(&got), bits(&want), "AVX2 {format:?} {m}x{n}x{k}");
                }
            }
        }
    }

    /// The target's vector kernel (SSE2 or AVX2 on x86-64) against the portable one: bit for bit.
    #[test]
    fn vector_kernel_equals_portable_kernel() {
        let mut rng = Rng(11);
        for format in [BlockFormat::Q4_0, BlockFormat::Q8_0] {
            for (m, n, k) in [
                (1, 1, 32),
                (3, 9, 96),
                (4, 8, 32),
                (6, 35, 384),
                (13, 17, 160),
            ] {
                let bytes = blocks_of(format, &mut rng, n, k);
                let w = PackedWeight::from_blocks(format, &bytes, n, k).unwrap();
                let mut x: Vec<f32> = (0..m * k).map(|_| rng.f32() * 4.0).collect();
                x[0] = 1e30; // an outlier in one block
                let bias: Vec<f32> = (0..n).map(|_| rng.f32()).collect();
                let (mut a, mut b) = (vec![0f32; m * n], vec![0f32; m * n]);
                w.matmul(&x, &bias, &mut a).unwrap();
                w.matmul_portable(&x, &bias, &mut b).unwrap();
                let bits = |v: &[f32]| v.iter().map(|f| f.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(&a), bits(&b), "{format:?} {m}x{n}x{k}");
            }
        }
    }

    #[test]
    fn q4_0_values_are_stored_two_to_a_byte_and_unpack_exactly() {
        let mut rng = Rng(7);
        let (n, k) = (24, 96);
        let q4 = PackedWeight::from_blocks(
            BlockFormat::Q4_0,
            &blocks_of(BlockFormat::Q4_0, &mut rng, n, k),
            n,
            k,
        )
        .unwrap();
        let q8 = PackedWeight::from_blocks(
            BlockFormat::Q8_0,
            &blocks_of(BlockFormat::Q8_0, &mut rng, n, k),
            n,
            k,
        )
        .unwrap();
        let values = groups_for(n) * (k / BLOCK) * GROUP_BLOCK_BYTES;
        assert_eq!(q4.memory_bytes(), values / 2 + 4 * q4.scales.len());
        assert_eq!(
            q8.memory_bytes(),
            values + 4 * (q8.scales.len() + q8.offsets.len())
        );
        // Every value -8..=7 in every position of a run of 32, through the vector unpacker
        // (SSE2 here) and the portable one.
        let all: Vec<i8> = (0..64 * 32)
            .map(|i| ((i * 7 + i / 32) % 16) as i8 - 8)
            .collect();
        let packed = pack_nibbles(&all);
        assert_eq!(packed.len(), all.len() / 2);
        let (mut vector, mut portable) = (vec![0; all.len()], vec![0; all.len()]);
        unpack_nibbles(&packed, &mut vector);
        unpack_nibbles_portable(&packed, &mut portable);
        assert_eq!(vector, all);
        assert_eq!(portable, all);
    }

    #[test]
    fn bad_shapes_are_errors() {
        let bytes = vec![0u8; 34];
        for (n, k) in [(1, 0), (1, 16), (2, 32), (0, 32)] {
            assert!(PackedWeight::from_blocks(BlockFormat::Q8_0, &bytes, n, k).is_err());
        }
        let w = PackedWeight::from_blocks(BlockFormat::Q8_0, &bytes, 1, 32).unwrap();
        let mut out = vec![0f32; 1];
        assert!(w.matmul(&[0.0; 31], &[0.0], &mut out).is_err());
        assert!(w.matmul(&[0.0; 32], &[], &mut out).is_err());
    }
}
