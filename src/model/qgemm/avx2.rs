//! x86-64 AVX2, chosen at run time where the CPU has it (`sse2::gemm` asks): the same packed
//! weights and 16-bit activations as the SSE2 kernel, and the same exact i32 block sums and
//! float steps, so the outputs are bit for bit the portable kernel's. What changes is the
//! width: one 256-bit `vpmaddwd` takes four inputs of four columns (two of SSE2's pairs), and
//! the two column groups' block sums are scaled in one 8-lane float vector.
//!
//! Every function here is compiled with AVX2 enabled (`#[target_feature]`), the row and column
//! loops included, so that the intrinsics inline into them.

use super::parallel::{for_column_parts, SharedOut};
use super::{PackedWeight, QuantizedRows, BLOCK, GROUP, GROUP_BLOCK_BYTES};
use core::arch::x86_64::*;
use std::ops::Range;

/// Rows per register tile: 4 rows × 2 column groups = 8 i32 accumulators, 4 f32 ones, 2 weight
/// vectors, 1 activation vector and the permutation: the 16 `ymm` registers.
const ROWS: usize = 4;

/// Whether this CPU runs AVX2 (`is_x86_feature_detected!` caches its answer).
pub(super) fn available() -> bool {
    std::arch::is_x86_feature_detected!("avx2")
}

/// The tiled kernel. The caller has checked `available()` and the extents
/// (`kernel::check_extents`).
///
/// # Safety
/// The CPU has AVX2.
pub(super) unsafe fn gemm(
    w: &PackedWeight,
    values: &[i8],
    x: &QuantizedRows,
    bias: &[f32],
    out: &mut [f32],
) {
    let out = SharedOut::new(out);
    // SAFETY: the caller has checked AVX2 and the extents.
    for_column_parts(w, x.m, |pairs| unsafe {
        columns(w, values, x, pairs, bias, out)
    });
}

/// Every row tile of the columns of group pairs `pairs`.
#[target_feature(enable = "avx2")]
unsafe fn columns(
    w: &PackedWeight,
    values: &[i8],
    x: &QuantizedRows,
    pairs: Range<usize>,
    bias: &[f32],
    out: SharedOut,
) {
    let mut r = 0;
    while r + ROWS <= x.m {
        tile::<ROWS>(w, values, x, r, pairs.clone(), bias, out);
        r += ROWS;
    }
    match x.m - r {
        3 => tile::<3>(w, values, x, r, pairs, bias, out),
        2 => tile::<2>(w, values, x, r, pairs, bias, out),
        1 => tile::<1>(w, values, x, r, pairs, bias, out),
        _ => {}
    }
}

/// Rows `r0..r0 + R`, the columns of group pairs `pairs` (see `kernel::tile`).
#[target_feature(enable = "avx2")]
#[inline]
unsafe fn tile<const R: usize>(
    w: &PackedWeight,
    values: &[i8],
    x: &QuantizedRows,
    r0: usize,
    pairs: Range<usize>,
    bias: &[f32],
    out: SharedOut,
) {
    let blocks = w.k / BLOCK;
    let rows: [usize; R] = std::array::from_fn(|i| r0 + i);
    for g in pairs.map(|p| 2 * p) {
        let mut lanes = [[0f32; 2 * GROUP]; R];
        let acc = accumulate::<R>(
            values.as_ptr().add(g * blocks * GROUP_BLOCK_BYTES),
            w.scales.as_ptr().add(g * blocks * GROUP),
            blocks,
            rows.map(|r| x.values.as_ptr().add(r * x.k)),
            rows.map(|r| x.scales.as_ptr().add(r * blocks)),
        );
        for (dst, v) in lanes.iter_mut().zip(acc) {
            _mm256_storeu_ps(dst.as_mut_ptr(), v);
        }
        super::add_bias_and_store(&lanes, w, g, r0, bias, out);
    }
}

/// Two column groups (8 outputs, group `g` in the low four lanes) for R rows over all blocks.
/// `wv`/`ws` point at the first group's values/scales; the second group's follow `blocks`
/// group-blocks later.
#[target_feature(enable = "avx2")]
#[inline]
unsafe fn accumulate<const R: usize>(
    wv: *const i8,
    ws: *const f32,
    blocks: usize,
    xv: [*const i16; R],
    xs: [*const f32; R],
) -> [__m256; R] {
    let wv1 = wv.add(blocks * GROUP_BLOCK_BYTES);
    let ws1 = ws.add(blocks * GROUP);
    // Two activation pairs (p, p + 1), each repeated over the four lanes of its 128-bit half.
    let halves = _mm256_setr_epi32(0, 0, 0, 0, 1, 1, 1, 1);
    let mut acc = [_mm256_setzero_ps(); R];
    for b in 0..blocks {
        let w0p = wv.add(b * GROUP_BLOCK_BYTES);
        let w1p = wv1.add(b * GROUP_BLOCK_BYTES);
        let mut sum = [[_mm256_setzero_si256(); 2]; R];
        // Four inputs a step: 16 bytes of a group-block are the pairs p and p + 1 of its four
        // columns (`packed_index` with step 2), widened to 16 × i16.
        for q in 0..BLOCK / 4 {
            let w0 = _mm256_cvtepi8_epi16(_mm_loadu_si128(w0p.add(q * 16) as *const __m128i));
            let w1 = _mm256_cvtepi8_epi16(_mm_loadu_si128(w1p.add(q * 16) as *const __m128i));
            for r in 0..R {
                let pairs = _mm_loadl_epi64(xv[r].add(b * BLOCK + 4 * q) as *const __m128i);
                let a = _mm256_permutevar8x32_epi32(_mm256_castsi128_si256(pairs), halves);
                sum[r][0] = _mm256_add_epi32(sum[r][0], _mm256_madd_epi16(w0, a));
                sum[r][1] = _mm256_add_epi32(sum[r][1], _mm256_madd_epi16(w1, a));
            }
        }
        // Each column's block sum is its two halves' (pair p and p + 1) sum: exact in i32.
        // Then, lane by lane, the same float steps as every other kernel:
        // acc + f32(sum) × (weight scale × activation scale).
        let scales = _mm256_set_m128(
            _mm_loadu_ps(ws1.add(b * GROUP)),
            _mm_loadu_ps(ws.add(b * GROUP)),
        );
        for r in 0..R {
            let low = _mm256_permute2x128_si256::<0x20>(sum[r][0], sum[r][1]);
            let high = _mm256_permute2x128_si256::<0x31>(sum[r][0], sum[r][1]);
            let s = _mm256_cvtepi32_ps(_mm256_add_epi32(low, high));
            let d = _mm256_set1_ps(*xs[r].add(b));
            acc[r] = _mm256_add_ps(acc[r], _mm256_mul_ps(s, _mm256_mul_ps(scales, d)));
        }
    }
    acc
}
