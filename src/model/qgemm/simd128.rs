//! The wasm `simd128` kernels. Each computes bit for bit what its portable twin in `mod.rs`
//! computes (tests/wasm_qgemm.rs compares them): integer sums are exact, and the float steps
//! are the same IEEE operations in the same order per output.

use super::{PackedWeight, QuantizedRows, ACT_MAX, BLOCK, GROUP, GROUP_BLOCK_BYTES};
use core::arch::wasm32::*;

/// Rows per register tile. 4 rows × 2 column groups = 8 i32 accumulators + 2 weight vectors +
/// 1 activation vector: within the 16 vector registers V8 has on x86-64 and arm64.
const ROWS: usize = 4;

pub(super) fn gemm(w: &PackedWeight, x: &QuantizedRows, bias: &[f32], out: &mut [f32]) {
    // The kernel reads through raw pointers: check every extent it relies on, once.
    let blocks = w.k / BLOCK;
    assert!(x.k == w.k && w.groups % 2 == 0 && w.groups * GROUP >= w.n);
    assert!(w.values.len() == w.groups * blocks * GROUP_BLOCK_BYTES);
    assert!(w.scales.len() == w.groups * blocks * GROUP);
    assert!(x.values.len() == x.m * x.k && x.scales.len() == x.m * blocks);
    assert!(bias.len() == w.n && out.len() == x.m * w.n);
    let mut r = 0;
    while r + ROWS <= x.m {
        tile::<ROWS>(w, x, r, bias, out);
        r += ROWS;
    }
    match x.m - r {
        3 => tile::<3>(w, x, r, bias, out),
        2 => tile::<2>(w, x, r, bias, out),
        1 => tile::<1>(w, x, r, bias, out),
        _ => {}
    }
}

/// Rows `r0..r0 + R`, every column.
fn tile<const R: usize>(
    w: &PackedWeight,
    x: &QuantizedRows,
    r0: usize,
    bias: &[f32],
    out: &mut [f32],
) {
    let blocks = w.k / BLOCK;
    let rows: [usize; R] = std::array::from_fn(|i| r0 + i);
    for g in (0..w.groups).step_by(2) {
        // SAFETY: `gemm` checked that groups g and g + 1 (g + 1 < groups, as groups is even)
        // have `blocks` group-blocks of values and scales, and that rows r0..r0 + R exist.
        let acc = unsafe {
            accumulate::<R>(
                w.values.as_ptr().add(g * blocks * GROUP_BLOCK_BYTES),
                w.scales.as_ptr().add(g * blocks * GROUP),
                blocks,
                rows.map(|r| x.values.as_ptr().add(r * x.k)),
                rows.map(|r| x.scales.as_ptr().add(r * blocks)),
            )
        };
        for (i, pair) in acc.iter().enumerate() {
            let mut lanes = [0f32; 2 * GROUP];
            // SAFETY: `lanes` holds exactly two vectors of four f32.
            unsafe {
                v128_store(lanes.as_mut_ptr() as *mut v128, pair[0]);
                v128_store(lanes.as_mut_ptr().add(GROUP) as *mut v128, pair[1]);
            }
            let row = &mut out[(r0 + i) * w.n..(r0 + i + 1) * w.n];
            for (j, &v) in lanes.iter().enumerate() {
                let c = g * GROUP + j;
                if c < w.n {
                    row[c] = v + bias[c];
                }
            }
        }
    }
}

/// Two column groups (8 outputs) for R rows over all blocks. `wv`/`ws` point at the first
/// group's values/scales; the second group follows right after (`blocks` group-blocks later).
#[inline(always)]
unsafe fn accumulate<const R: usize>(
    wv: *const i8,
    ws: *const f32,
    blocks: usize,
    xv: [*const i16; R],
    xs: [*const f32; R],
) -> [[v128; 2]; R] {
    let wv1 = wv.add(blocks * GROUP_BLOCK_BYTES);
    let ws1 = ws.add(blocks * GROUP);
    let mut acc = [[f32x4_splat(0.0); 2]; R];
    for b in 0..blocks {
        let w0p = wv.add(b * GROUP_BLOCK_BYTES);
        let w1p = wv1.add(b * GROUP_BLOCK_BYTES);
        let mut sum = [[i32x4_splat(0); 2]; R];
        for p in 0..BLOCK / 2 {
            // Two inputs for four columns, widened to i16; one activation pair splatted.
            let w0 = i16x8_load_extend_i8x8(w0p.add(p * 8));
            let w1 = i16x8_load_extend_i8x8(w1p.add(p * 8));
            for r in 0..R {
                let a = v128_load32_splat(xv[r].add(b * BLOCK + 2 * p) as *const u32);
                sum[r][0] = i32x4_add(sum[r][0], i32x4_dot_i16x8(w0, a));
                sum[r][1] = i32x4_add(sum[r][1], i32x4_dot_i16x8(w1, a));
            }
        }
        let s0 = v128_load(ws.add(b * GROUP) as *const v128);
        let s1 = v128_load(ws1.add(b * GROUP) as *const v128);
        for r in 0..R {
            let d = f32x4_splat(*xs[r].add(b));
            acc[r][0] = f32x4_add(
                acc[r][0],
                f32x4_mul(f32x4_convert_i32x4(sum[r][0]), f32x4_mul(s0, d)),
            );
            acc[r][1] = f32x4_add(
                acc[r][1],
                f32x4_mul(f32x4_convert_i32x4(sum[r][1]), f32x4_mul(s1, d)),
            );
        }
    }
    acc
}

/// `quantize_block` with vectors: the same max, scale, multiply and round-to-even.
#[inline(always)]
pub(super) fn quantize_block(src: &[f32], dst: &mut [i16]) -> f32 {
    assert!(src.len() == BLOCK && dst.len() == BLOCK);
    // SAFETY: both slices hold exactly BLOCK elements (checked above).
    unsafe {
        let s = src.as_ptr();
        let mut m = f32x4_abs(v128_load(s as *const v128));
        for i in 1..BLOCK / 4 {
            m = f32x4_max(m, f32x4_abs(v128_load(s.add(4 * i) as *const v128)));
        }
        let lanes = [
            f32x4_extract_lane::<0>(m),
            f32x4_extract_lane::<1>(m),
            f32x4_extract_lane::<2>(m),
            f32x4_extract_lane::<3>(m),
        ];
        let amax = lanes
            .iter()
            .fold(0f32, |a, &v| if v.is_nan() || v > a { v } else { a });
        let d = amax / ACT_MAX;
        let id = f32x4_splat(if d != 0.0 { 1.0 / d } else { 0.0 });
        let lo = f32x4_splat(-ACT_MAX);
        let hi = f32x4_splat(ACT_MAX);
        for i in 0..BLOCK / 8 {
            let q = |j: usize| {
                let v = f32x4_mul(v128_load(s.add(8 * i + 4 * j) as *const v128), id);
                // pmax(v, lo) / pmin(v, hi) keep a NaN `v` as `clamp` does; the saturating
                // conversion then makes it 0 in both.
                let v = f32x4_pmin(f32x4_pmax(f32x4_nearest(v), lo), hi);
                i32x4_trunc_sat_f32x4(v)
            };
            let packed = i16x8_narrow_i32x4(q(0), q(1));
            v128_store(dst.as_mut_ptr().add(8 * i) as *mut v128, packed);
        }
        if amax.is_finite() {
            d
        } else {
            f32::NAN
        }
    }
}
