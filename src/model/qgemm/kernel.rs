//! The tiled kernel, once, over a small vector interface that wasm `simd128` and x86-64 SSE2
//! both provide (4 × i32 / f32 lanes, and a dot product of i16 pairs into i32 lanes). Each
//! backend computes bit for bit what the portable kernel in `mod.rs` computes: integer sums are
//! exact, and the float steps are the same IEEE operations in the same order per output.

use super::parallel::{for_column_parts, SharedOut};
use super::{PackedWeight, QuantizedRows, BLOCK, GROUP, GROUP_BLOCK_BYTES};
use std::ops::Range;

/// The operations the kernel needs. Implementations are `#[inline(always)]` wrappers of one
/// or two instructions; all are unsafe because they read and write through raw pointers.
pub(super) trait Vector {
    /// 4 × i32, or 8 × i16.
    type I: Copy;
    /// 4 × f32.
    type F: Copy;
    unsafe fn zero_i() -> Self::I;
    unsafe fn zero_f() -> Self::F;
    /// 8 signed bytes at `p`, widened to 8 × i16.
    unsafe fn load_i8x8(p: *const i8) -> Self::I;
    /// The two i16 at `p`, repeated in every 32-bit lane.
    unsafe fn splat_i16_pair(p: *const i16) -> Self::I;
    /// `acc + (a[2i] b[2i] + a[2i+1] b[2i+1])` per 32-bit lane.
    unsafe fn dot_add(acc: Self::I, a: Self::I, b: Self::I) -> Self::I;
    unsafe fn load_f(p: *const f32) -> Self::F;
    unsafe fn splat_f(v: f32) -> Self::F;
    /// `acc + f32(sum) × (scales × d)`, lane by lane, rounding after each operation.
    unsafe fn scale_add(acc: Self::F, sum: Self::I, scales: Self::F, d: Self::F) -> Self::F;
    unsafe fn store_f(p: *mut f32, v: Self::F);
}

/// Rows per register tile. 4 rows × 2 column groups = 8 i32 accumulators + 2 weight vectors +
/// 1 activation vector: within the 16 vector registers of x86-64 (and of V8 on it) and arm64.
const ROWS: usize = 4;

/// `values`: the weight's int8 values (`PackedWeight::with_values`).
pub(super) fn gemm<V: Vector>(
    w: &PackedWeight,
    values: &[i8],
    x: &QuantizedRows,
    bias: &[f32],
    out: &mut [f32],
) {
    check_extents(w, values, x, bias, out);
    let out = SharedOut::new(out);
    for_column_parts(w, x.m, |pairs| {
        let mut r = 0;
        while r + ROWS <= x.m {
            tile::<V, ROWS>(w, values, x, r, pairs.clone(), bias, out);
            r += ROWS;
        }
        match x.m - r {
            3 => tile::<V, 3>(w, values, x, r, pairs, bias, out),
            2 => tile::<V, 2>(w, values, x, r, pairs, bias, out),
            1 => tile::<V, 1>(w, values, x, r, pairs, bias, out),
            _ => {}
        }
    });
}

/// The vector kernels (this one and `avx2.rs`) read through raw pointers: every extent they
/// rely on, checked once per product.
pub(super) fn check_extents(
    w: &PackedWeight,
    values: &[i8],
    x: &QuantizedRows,
    bias: &[f32],
    out: &[f32],
) {
    let (blocks, groups) = (w.k / BLOCK, w.groups());
    // The kernels walk the group-blocks in pairs of inputs (8 bytes for 4 columns).
    assert!(w.step() == 2);
    assert!(x.k == w.k && groups % 2 == 0 && groups * GROUP >= w.n);
    assert!(values.len() == groups * blocks * GROUP_BLOCK_BYTES);
    assert!(w.scales.len() == groups * blocks * GROUP);
    assert!(x.values.len() == x.m * x.k && x.scales.len() == x.m * blocks);
    assert!(bias.len() == w.n && out.len() == x.m * w.n);
}

/// Rows `r0..r0 + R`, the columns of group pairs `pairs`.
fn tile<V: Vector, const R: usize>(
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
        // SAFETY: `gemm` checked that groups g and g + 1 (g + 1 < groups, as groups is even)
        // have `blocks` group-blocks of values and scales, that rows r0..r0 + R exist, and the
        // bias; each `lanes` row holds two vectors of four f32; `for_column_parts` gives
        // these columns to this thread alone.
        unsafe {
            let acc = accumulate::<V, R>(
                values.as_ptr().add(g * blocks * GROUP_BLOCK_BYTES),
                w.scales.as_ptr().add(g * blocks * GROUP),
                blocks,
                rows.map(|r| x.values.as_ptr().add(r * x.k)),
                rows.map(|r| x.scales.as_ptr().add(r * blocks)),
            );
            for (dst, pair) in lanes.iter_mut().zip(acc) {
                V::store_f(dst.as_mut_ptr(), pair[0]);
                V::store_f(dst.as_mut_ptr().add(GROUP), pair[1]);
            }
            super::add_bias_and_store(&lanes, w, g, r0, bias, out);
        }
    }
}

/// Two column groups (8 outputs) for R rows over all blocks. `wv`/`ws` point at the first
/// group's values/scales; the second group follows right after (`blocks` group-blocks later).
#[inline(always)]
unsafe fn accumulate<V: Vector, const R: usize>(
    wv: *const i8,
    ws: *const f32,
    blocks: usize,
    xv: [*const i16; R],
    xs: [*const f32; R],
) -> [[V::F; 2]; R] {
    let wv1 = wv.add(blocks * GROUP_BLOCK_BYTES);
    let ws1 = ws.add(blocks * GROUP);
    let mut acc = [[V::zero_f(); 2]; R];
    for b in 0..blocks {
        let w0p = wv.add(b * GROUP_BLOCK_BYTES);
        let w1p = wv1.add(b * GROUP_BLOCK_BYTES);
        let mut sum = [[V::zero_i(); 2]; R];
        for p in 0..BLOCK / 2 {
            // Two inputs for four columns, widened to i16; one activation pair splatted.
            let w0 = V::load_i8x8(w0p.add(p * 8));
            let w1 = V::load_i8x8(w1p.add(p * 8));
            for r in 0..R {
                let a = V::splat_i16_pair(xv[r].add(b * BLOCK + 2 * p));
                sum[r][0] = V::dot_add(sum[r][0], w0, a);
                sum[r][1] = V::dot_add(sum[r][1], w1, a);
            }
        }
        let s0 = V::load_f(ws.add(b * GROUP));
        let s1 = V::load_f(ws1.add(b * GROUP));
        for r in 0..R {
            let d = V::splat_f(*xs[r].add(b));
            acc[r][0] = V::scale_add(acc[r][0], sum[r][0], s0, d);
            acc[r][1] = V::scale_add(acc[r][1], sum[r][1], s1, d);
        }
    }
    acc
}
