//! wasm `simd128`: the kernel's vector operations and the activation quantizer, each bit for bit
//! what its portable twin in `mod.rs` computes (tests/wasm_qgemm.rs compares them).

use super::kernel::Vector;
use super::BLOCK;
use super::{PackedWeight, QuantizedRows};
use core::arch::wasm32::*;

/// wasm's 128-bit SIMD: `i32x4.dot_i16x8_s` is the pair dot product.
pub(super) struct Simd128;

pub(super) const VECTOR: bool = true;

/// The tiled kernel over this target's vectors.
pub(super) fn gemm(
    w: &PackedWeight,
    values: &[i8],
    x: &QuantizedRows,
    bias: &[f32],
    out: &mut [f32],
) {
    super::kernel::gemm::<Simd128>(w, values, x, bias, out);
}

impl Vector for Simd128 {
    type I = v128;
    type F = v128;
    #[inline(always)]
    unsafe fn zero_i() -> v128 {
        i32x4_splat(0)
    }
    #[inline(always)]
    unsafe fn zero_f() -> v128 {
        f32x4_splat(0.0)
    }
    #[inline(always)]
    unsafe fn load_i8x8(p: *const i8) -> v128 {
        i16x8_load_extend_i8x8(p)
    }
    #[inline(always)]
    unsafe fn splat_i16_pair(p: *const i16) -> v128 {
        v128_load32_splat(p as *const u32)
    }
    #[inline(always)]
    unsafe fn dot_add(acc: v128, a: v128, b: v128) -> v128 {
        i32x4_add(acc, i32x4_dot_i16x8(a, b))
    }
    #[inline(always)]
    unsafe fn load_f(p: *const f32) -> v128 {
        v128_load(p as *const v128)
    }
    #[inline(always)]
    unsafe fn splat_f(v: f32) -> v128 {
        f32x4_splat(v)
    }
    #[inline(always)]
    unsafe fn scale_add(acc: v128, sum: v128, scales: v128, d: v128) -> v128 {
        f32x4_add(
            acc,
            f32x4_mul(f32x4_convert_i32x4(sum), f32x4_mul(scales, d)),
        )
    }
    #[inline(always)]
    unsafe fn store_f(p: *mut f32, v: v128) {
        v128_store(p as *mut v128, v)
    }
}

/// `quantize_block` with vectors: the same max, scale, multiply and round-to-even.
#[inline(always)]
pub(super) fn quantize_block(src: &[f32], dst: &mut [i16], max: f32) -> f32 {
    assert!(src.len() == BLOCK && dst.len() == BLOCK);
    // SAFETY: both slices hold exactly BLOCK elements (checked above).
    unsafe {
        let s = src.as_ptr();
        let (d, id) = block_scale(s, max);
        for i in 0..BLOCK / 8 {
            let packed = i16x8_narrow_i32x4(
                codes(s.add(8 * i), id, max),
                codes(s.add(8 * i + 4), id, max),
            );
            v128_store(dst.as_mut_ptr().add(8 * i) as *mut v128, packed);
        }
        d
    }
}

/// A block's scale `d = max|x| / max` (NaN when the block holds a NaN or an infinity, as the
/// portable `quantize_block` returns) and `1 / d` in every lane (0 for an all-zero block).
///
/// # Safety
/// `s` points to BLOCK readable f32.
#[inline(always)]
pub(super) unsafe fn block_scale(s: *const f32, max: f32) -> (f32, v128) {
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
    let d = amax / max;
    let id = f32x4_splat(if d != 0.0 { 1.0 / d } else { 0.0 });
    (if amax.is_finite() { d } else { f32::NAN }, id)
}

/// Four codes `clamp(nearest(x · id), ±max)` from `s`, as i32 lanes.
///
/// # Safety
/// `s` points to 4 readable f32.
#[inline(always)]
pub(super) unsafe fn codes(s: *const f32, id: v128, max: f32) -> v128 {
    let v = f32x4_mul(v128_load(s as *const v128), id);
    // pmax(v, lo) / pmin(v, hi) keep a NaN `v` as `clamp` does; the saturating conversion then
    // makes it 0 in both.
    let v = f32x4_pmin(
        f32x4_pmax(f32x4_nearest(v), f32x4_splat(-max)),
        f32x4_splat(max),
    );
    i32x4_trunc_sat_f32x4(v)
}

/// `unpack_nibbles_portable` with vectors: each 16 bytes give 32 values (low nibbles first).
pub(super) fn unpack_nibbles(src: &[u8], dst: &mut [i8]) {
    assert!(src.len() % 16 == 0 && dst.len() == 2 * src.len());
    for (run, out) in src.chunks_exact(16).zip(dst.chunks_exact_mut(32)) {
        // SAFETY: `run` holds 16 bytes (one vector), `out` 32 (two).
        unsafe {
            let v = v128_load(run.as_ptr() as *const v128);
            let eight = i8x16_splat(8);
            let lo = i8x16_sub(v128_and(v, u8x16_splat(0x0F)), eight);
            let hi = i8x16_sub(u8x16_shr(v, 4), eight);
            v128_store(out.as_mut_ptr() as *mut v128, lo);
            v128_store(out.as_mut_ptr().add(16) as *mut v128, hi);
        }
    }
}
