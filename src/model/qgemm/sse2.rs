//! x86-64 SSE2 (every x86-64 CPU has it): `pmaddwd` is the pair dot product, as
//! `i32x4.dot_i16x8_s` is in wasm. Where the CPU has AVX2 (asked at run time), `gemm` hands the
//! product to the twice as wide `avx2.rs` instead, which computes the same bits. The quantizer
//! stays the portable one here.

use super::kernel::Vector;
pub(super) use super::quantize_block;
use super::{PackedWeight, QuantizedRows};
use core::arch::x86_64::*;

pub(super) struct Sse2;

pub(super) const VECTOR: bool = true;

/// The tiled kernel: AVX2's where the CPU has it, else SSE2's.
pub(super) fn gemm(
    w: &PackedWeight,
    values: &[i8],
    x: &QuantizedRows,
    bias: &[f32],
    out: &mut [f32],
) {
    if super::avx2::available() {
        super::kernel::check_extents(w, values, x, bias, out);
        // SAFETY: the CPU has AVX2, and the extents are checked.
        unsafe { super::avx2::gemm(w, values, x, bias, out) }
    } else {
        gemm_sse2(w, values, x, bias, out);
    }
}

/// The SSE2 kernel whatever the CPU has (tests compare it with the AVX2 one).
pub(super) fn gemm_sse2(
    w: &PackedWeight,
    values: &[i8],
    x: &QuantizedRows,
    bias: &[f32],
    out: &mut [f32],
) {
    super::kernel::gemm::<Sse2>(w, values, x, bias, out);
}

impl Vector for Sse2 {
    type I = __m128i;
    type F = __m128;
    #[inline(always)]
    unsafe fn zero_i() -> __m128i {
        _mm_setzero_si128()
    }
    #[inline(always)]
    unsafe fn zero_f() -> __m128 {
        _mm_setzero_ps()
    }
    #[inline(always)]
    unsafe fn load_i8x8(p: *const i8) -> __m128i {
        // SSE2 has no sign-extending load: put each byte in the high half of an i16 lane, then
        // shift it down arithmetically.
        let bytes = _mm_loadl_epi64(p as *const __m128i);
        _mm_srai_epi16(_mm_unpacklo_epi8(bytes, bytes), 8)
    }
    #[inline(always)]
    unsafe fn splat_i16_pair(p: *const i16) -> __m128i {
        _mm_set1_epi32((p as *const i32).read_unaligned())
    }
    #[inline(always)]
    unsafe fn dot_add(acc: __m128i, a: __m128i, b: __m128i) -> __m128i {
        _mm_add_epi32(acc, _mm_madd_epi16(a, b))
    }
    #[inline(always)]
    unsafe fn load_f(p: *const f32) -> __m128 {
        _mm_loadu_ps(p)
    }
    #[inline(always)]
    unsafe fn splat_f(v: f32) -> __m128 {
        _mm_set1_ps(v)
    }
    #[inline(always)]
    unsafe fn scale_add(acc: __m128, sum: __m128i, scales: __m128, d: __m128) -> __m128 {
        _mm_add_ps(acc, _mm_mul_ps(_mm_cvtepi32_ps(sum), _mm_mul_ps(scales, d)))
    }
    #[inline(always)]
    unsafe fn store_f(p: *mut f32, v: __m128) {
        _mm_storeu_ps(p, v)
    }
}

/// `unpack_nibbles_portable` with vectors: each 16 bytes give 32 values (low nibbles first).
pub(super) fn unpack_nibbles(src: &[u8], dst: &mut [i8]) {
    assert!(src.len() % 16 == 0 && dst.len() == 2 * src.len());
    for (run, out) in src.chunks_exact(16).zip(dst.chunks_exact_mut(32)) {
        // SAFETY: `run` holds 16 bytes (one vector), `out` 32 (two); SSE2 is part of x86-64.
        unsafe {
            let v = _mm_loadu_si128(run.as_ptr() as *const __m128i);
            let (mask, eight) = (_mm_set1_epi8(0x0F), _mm_set1_epi8(8));
            let lo = _mm_sub_epi8(_mm_and_si128(v, mask), eight);
            // No byte shift in SSE2: shift 16-bit lanes, then mask off what crossed over.
            let hi = _mm_sub_epi8(_mm_and_si128(_mm_srli_epi16(v, 4), mask), eight);
            _mm_storeu_si128(out.as_mut_ptr() as *mut __m128i, lo);
            _mm_storeu_si128(out.as_mut_ptr().add(16) as *mut __m128i, hi);
        }
    }
}
