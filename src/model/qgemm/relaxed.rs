//! wasm relaxed SIMD, for Q8_0 weights: `i32x4.relaxed_dot_i8x16_i7x16_add_s` multiplies 16
//! signed bytes by 16 bytes of 0..=127 and adds each four products into an i32 lane: 16
//! multiply-adds in one instruction (one `vpdpbusd` on x86-64 with AVX-VNNI, `sdot` on arm64),
//! against 8 in two instructions for `i32x4.dot_i16x8_s` and an add. The second operand never
//! has its top bit set, which is where relaxed SIMD leaves the result to the engine: every
//! engine must give the exact sum here.
//!
//! The weights, packed 4 inputs per lane, are the signed operand. The activations are 7-bit
//! codes `q` (±63) stored as `u = q + 64` (1..=127), the other operand, and
//! `Σ w q = Σ w u − 64 Σ w`: each block sum starts at the column's `−64 Σ w`
//! (`PackedWeight::offsets`, computed at load). The block sum is the exact `Σ w q`, and the
//! float steps after it are the portable kernel's, so the outputs equal its outputs for the
//! same codes, bit for bit.

use super::parallel::{for_column_parts, SharedOut};
use super::simd128::{block_scale, codes};
use super::{PackedWeight, QuantizedRows, BLOCK, GROUP, GROUP_BLOCK_BYTES};
use core::arch::wasm32::*;
use std::ops::Range;

/// Inputs per 32-bit lane: the four bytes the dot product sums.
const STEP: usize = 4;

/// Rows per register tile: 5 rows × 2 column groups = 10 i32 sums; with 2 weight vectors and
/// an activation vector, 13 of the 15 vector registers V8 allocates on x86-64 (the f32
/// accumulators, touched once per block, may live in memory). Each sum is a chain of dependent
/// dot products (about 5 cycles each on x86-64): with fewer rows the multiplier waits; 5 was the
/// fastest of 4, 5 and 6 (bench/KERNELS.md).
const ROWS: usize = 5;

/// `values`: the weight's int8 values (`PackedWeight::with_values`).
pub(super) fn gemm(
    w: &PackedWeight,
    values: &[i8],
    x: &QuantizedRows<u8>,
    bias: &[f32],
    out: &mut [f32],
) {
    // The kernel reads through raw pointers: check every extent it relies on, once.
    let (blocks, groups) = (w.k / BLOCK, w.groups());
    assert!(x.k == w.k && groups % 2 == 0 && groups * GROUP >= w.n);
    assert!(values.len() == groups * blocks * GROUP_BLOCK_BYTES);
    assert!(w.scales.len() == groups * blocks * GROUP && w.offsets.len() == w.scales.len());
    assert!(x.values.len() == x.m * x.k && x.scales.len() == x.m * blocks);
    assert!(bias.len() == w.n && out.len() == x.m * w.n);
    assert!(w.step() == STEP && w.activation_max() == 63.0);
    let out = SharedOut::new(out);
    for_column_parts(w, x.m, |pairs| {
        let mut r = 0;
        while r + ROWS <= x.m {
            tile::<ROWS>(w, values, x, r, pairs.clone(), bias, out);
            r += ROWS;
        }
        match x.m - r {
            4 => tile::<4>(w, values, x, r, pairs, bias, out),
            3 => tile::<3>(w, values, x, r, pairs, bias, out),
            2 => tile::<2>(w, values, x, r, pairs, bias, out),
            1 => tile::<1>(w, values, x, r, pairs, bias, out),
            _ => {}
        }
    });
}

/// The activation quantizer of this kernel: `simd128::quantize_block`'s codes `q` (±63), written
/// as the dot product's bytes `q + 64` (1..=127) in the same pass.
#[inline(always)]
pub(super) fn quantize_block(src: &[f32], dst: &mut [u8], max: f32) -> f32 {
    assert!(src.len() == BLOCK && dst.len() == BLOCK && max <= 63.0);
    // SAFETY: both slices hold exactly BLOCK elements (checked above). Codes are within ±63, so
    // `q + 64` is 1..=127 and both narrowings are exact.
    unsafe {
        let s = src.as_ptr();
        let (d, id) = block_scale(s, max);
        let bias = i16x8_splat(64);
        for i in 0..BLOCK / 16 {
            let c = |j: usize| codes(s.add(16 * i + 4 * j), id, max);
            let lo = i16x8_add(i16x8_narrow_i32x4(c(0), c(1)), bias);
            let hi = i16x8_add(i16x8_narrow_i32x4(c(2), c(3)), bias);
            v128_store(
                dst.as_mut_ptr().add(16 * i) as *mut v128,
                u8x16_narrow_i16x8(lo, hi),
            );
        }
        d
    }
}

/// Rows `r0..r0 + R`, the columns of group pairs `pairs`.
fn tile<const R: usize>(
    w: &PackedWeight,
    values: &[i8],
    x: &QuantizedRows<u8>,
    r0: usize,
    pairs: Range<usize>,
    bias: &[f32],
    out: SharedOut,
) {
    let blocks = w.k / BLOCK;
    let rows: [usize; R] = std::array::from_fn(|i| r0 + i);
    for g in pairs.map(|p| 2 * p) {
        let mut lanes = [[0f32; 2 * GROUP]; R];
        // SAFETY: `gemm` checked that groups g and g + 1 (g + 1 < groups, as groups is even)
        // have `blocks` group-blocks of values, scales and offsets, and that rows r0..r0 + R
        // exist (`x.values` holds a byte per code), and the bias; each `lanes` row holds two vectors
        // of f32; `for_column_parts` gives these columns to this thread alone.
        unsafe {
            let acc = accumulate::<R>(
                w,
                values,
                g,
                rows.map(|r| x.values.as_ptr().add(r * x.k)),
                rows.map(|r| x.scales.as_ptr().add(r * blocks)),
            );
            for (dst, pair) in lanes.iter_mut().zip(acc) {
                v128_store(dst.as_mut_ptr() as *mut v128, pair[0]);
                v128_store(dst.as_mut_ptr().add(GROUP) as *mut v128, pair[1]);
            }
            super::add_bias_and_store(&lanes, w, g, r0, bias, out);
        }
    }
}

/// Column groups `g` and `g + 1` (8 outputs) for R rows over all blocks.
#[inline(always)]
unsafe fn accumulate<const R: usize>(
    w: &PackedWeight,
    values: &[i8],
    g: usize,
    xb: [*const u8; R],
    xs: [*const f32; R],
) -> [[v128; 2]; R] {
    let blocks = w.k / BLOCK;
    let wv = [0, 1].map(|j| values.as_ptr().add((g + j) * blocks * GROUP_BLOCK_BYTES));
    let ws = [0, 1].map(|j| w.scales.as_ptr().add((g + j) * blocks * GROUP));
    let wo = [0, 1].map(|j| w.offsets.as_ptr().add((g + j) * blocks * GROUP));
    let mut acc = [[f32x4_splat(0.0); 2]; R];
    for b in 0..blocks {
        let wb = wv.map(|p| p.add(b * GROUP_BLOCK_BYTES));
        let mut sum = [wo.map(|p| v128_load(p.add(b * GROUP) as *const v128)); R];
        for step in 0..BLOCK / STEP {
            let w0 = v128_load(wb[0].add(16 * step) as *const v128);
            let w1 = v128_load(wb[1].add(16 * step) as *const v128);
            for r in 0..R {
                let a = v128_load32_splat(xb[r].add(b * BLOCK + STEP * step) as *const u32);
                sum[r][0] = i32x4_relaxed_dot_i8x16_i7x16_add(w0, a, sum[r][0]);
                sum[r][1] = i32x4_relaxed_dot_i8x16_i7x16_add(w1, a, sum[r][1]);
            }
        }
        let s = ws.map(|p| v128_load(p.add(b * GROUP) as *const v128));
        for r in 0..R {
            let d = f32x4_splat(*xs[r].add(b));
            for j in 0..2 {
                // The same IEEE steps, in the same order, as the portable kernel.
                let scaled = f32x4_mul(f32x4_convert_i32x4(sum[r][j]), f32x4_mul(s[j], d));
                acc[r][j] = f32x4_add(acc[r][j], scaled);
            }
        }
    }
    acc
}
