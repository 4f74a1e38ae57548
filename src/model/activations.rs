//! Erf GELU and row softmax over `f32` slices, in place, for the encoder: a wasm `simd128`
//! kernel and a portable scalar twin that performs the same IEEE operations in the same order,
//! so that the two agree bit for bit (tests/wasm_activations.rs checks it in wasm). They stand
//! in for candle's `Tensor::gelu_erf` (libm `erff` per element) and `softmax_last_dim`.
//!
//! GELU, `y = x·Φ(x)` with `Φ(x) = ½(1 + erf(x/√2))`, goes through the small tail
//! `m = x·Φ(-|x|)`, which has the sign of `x`: `y = m` for `x ≤ 0`, `y = x - m` for `x > 0`,
//! i.e. `y = max(x, 0) - |m|`, with no cancellation. `Φ(-a) = ½/(1 + w)^16` (the form of
//! Abramowitz-Stegun 7.1.28) with `w = a·q(a)`, `a = |x|`, `q` a degree-6 polynomial fitted here
//! (minimax in the GELU error it causes) on `0 ≤ a ≤ 4√2`. The 16th power is four squarings
//! carried on `w` (`(1 + w)² = 1 + w·(2 + w)`), which keeps `Φ(-a)` within a few ulp instead of
//! multiplying the rounding of `1 + w` by 16. `a` is clamped at 20, where `(1 + w)^16` is +inf:
//! `m` is then exactly 0. Cost: 30 vector operations (one division) per four values.
//! Error against `0.5·x·(1 + erf(x/√2))` in f64 (libm), measured over every f32 in [-10, 10]:
//! at most 2.9e-7 (at x = 4.2, where half an ulp of y is 2.4e-7), 1.2e-7 for x < 0; candle's
//! `gelu_erf` is off by up to 4.5e-7 on the same set. NaN → NaN, ±inf → +inf / 0, ±0 → ±0,
//! `y == x` exactly for x ≥ 6, `y == 0` for x ≤ -20.
//!
//! Softmax subtracts the row maximum, exponentiates, and multiplies by the reciprocal of the
//! sum. `exp` is XNNPACK's `rr2_p5`: `n = round(x·log2 e)` by adding a magic number (whose bits
//! then give `2^n` by a shift), a two-constant Cody-Waite reduction `t = x - n·ln 2`, a
//! degree-5 polynomial, and 0 below -87.34 (where `e^x` is subnormal): at most 1.9e-7 relative
//! error (2.3 ulp) over every f32 in [-87.34, 0]. Probabilities are within 8e-8 of an f64
//! softmax and 1.2e-7 of candle's. Special rows come out as candle's: a row of only -inf (as
//! any row holding NaN or +inf) is all NaN, since `max - max` is NaN there; -inf next to finite
//! values gives exactly 0. (The encoder's mask is `f32::MIN`: a fully masked row is uniform.)
//!
//! Both are several times faster than candle's (bench/KERNELS.md has the timings).

use std::f32::consts::LOG2_E;

/// `|x|` is clamped here: `(1 + w)^16` overflows to +inf, so `m` is exactly 0.
const GELU_CLAMP: f32 = 20.0;
/// `q(a) = Q[0] + a·(Q[1] + … + a·Q[6])`, with `½/(1 + a·q(a))^16 ≈ Φ(-a)` on [0, 4√2].
const Q: [f32; 7] = [
    0.049869098,
    0.021127515,
    0.0033133023,
    -5.150236e-6,
    7.478646e-5,
    -2.0735845e-6,
    8.1689797e-7,
];
/// 1.5·2^23 + 127: adding it rounds `x·log2 e` to an integer `n` in the low mantissa bits,
/// biased so that the bits shifted left by 23 are the f32 `2^n`.
const EXP_MAGIC: f32 = 12583039.0;
/// -ln 2 in two parts (the high part ends in 7 zero bits: `n·EXP_MINUS_LN2_HI` is exact).
const EXP_MINUS_LN2_HI: f32 = -0.69314575;
const EXP_MINUS_LN2_LO: f32 = -1.4286068e-6;
/// `e^t ≈ 1 + t·(C[0] + t·(C[1] + t·(C[2] + t·(C[3] + t·C[4]))))` for |t| ≤ ln 2 / 2.
const EXP_C: [f32; 5] = [0.9999997, 0.4999915, 0.16667652, 0.041897822, 0.008289291];
/// Below this `e^x` would be subnormal; `exp` returns 0.
const EXP_CUTOFF: f32 = -87.33654;

/// `0.5·x·(1 + erf(x/√2))` on every element: the `simd128` kernel in wasm, else
/// [`gelu_erf_portable`].
pub fn gelu_erf_in_place(xs: &mut [f32]) {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    simd128::gelu(xs);
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    gelu_erf_portable(xs);
}

/// The scalar GELU on every element: bit for bit what the `simd128` kernel computes.
pub fn gelu_erf_portable(xs: &mut [f32]) {
    xs.iter_mut().for_each(|x| *x = gelu(*x));
}

/// Softmax of each run of `row_len` values (the last dimension of a contiguous tensor), in
/// place: the `simd128` kernel in wasm, else [`softmax_rows_portable`].
///
/// # Panics
/// If `row_len` does not divide `xs.len()` (or is 0 while `xs` is not empty).
pub fn softmax_rows_in_place(xs: &mut [f32], row_len: usize) {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    rows(xs, row_len).for_each(simd128::softmax_row);
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    softmax_rows_portable(xs, row_len);
}

/// The scalar softmax: bit for bit what the `simd128` kernel computes.
///
/// # Panics
/// As [`softmax_rows_in_place`].
pub fn softmax_rows_portable(xs: &mut [f32], row_len: usize) {
    rows(xs, row_len).for_each(softmax_row);
}

fn rows(xs: &mut [f32], row_len: usize) -> std::slice::ChunksExactMut<'_, f32> {
    assert!(
        (row_len > 0 && xs.len() % row_len == 0) || xs.is_empty(),
        "softmax: {} values are not rows of {row_len}",
        xs.len()
    );
    xs.chunks_exact_mut(row_len.max(1))
}

/// wasm's `f32x4.pmax` (a single `maxps` on x86, unlike `f32x4.max`): `v` if `m < v`, so a
/// NaN `m` stays and a NaN `v` is skipped.
#[inline(always)]
fn pmax(m: f32, v: f32) -> f32 {
    if m < v {
        v
    } else {
        m
    }
}

#[inline(always)]
fn gelu(x: f32) -> f32 {
    let x_c = if GELU_CLAMP < x { GELU_CLAMP } else { x }; // f32x4.pmin
    let x_c = pmax(x_c, -GELU_CLAMP);
    let a = x_c.abs();
    let q = Q[..6].iter().rev().fold(Q[6], |q, &k| q * a + k);
    let w = (0..4).fold(a * q, |w, _| w * (2.0 + w));
    let m = x_c * (0.5 / (1.0 + w));
    pmax(x, 0.0) - m.abs()
}

/// `e^x` for `x ≤ 0` (and up to 88.3); NaN stays NaN.
#[inline(always)]
fn exp(x: f32) -> f32 {
    let n = x * LOG2_E + EXP_MAGIC;
    let s = f32::from_bits(n.to_bits() << 23);
    let n = n - EXP_MAGIC;
    let t = n * EXP_MINUS_LN2_LO + (n * EXP_MINUS_LN2_HI + x);
    let p = EXP_C[..4].iter().rev().fold(EXP_C[4], |p, &k| p * t + k);
    let e = (t * s) * p + s;
    if x < EXP_CUTOFF {
        0.0
    } else {
        e
    }
}

/// Element `i` is added to lane `i % 4` of the sum, as in the kernel; the maximum is exact in
/// any order. Four lanes vectorize natively too.
fn softmax_row(row: &mut [f32]) {
    let mut lane_max = [f32::NEG_INFINITY; 4];
    for c in row.chunks(4) {
        lane_max
            .iter_mut()
            .zip(c)
            .for_each(|(m, &v)| *m = pmax(*m, v));
    }
    let max = lane_max.into_iter().fold(f32::NEG_INFINITY, pmax);
    let mut lane_sum = [0f32; 4];
    for c in row.chunks_mut(4) {
        for (v, s) in c.iter_mut().zip(&mut lane_sum) {
            *v = exp(*v - max);
            *s += *v;
        }
    }
    let inv = 1.0 / ((lane_sum[0] + lane_sum[1]) + (lane_sum[2] + lane_sum[3]));
    row.iter_mut().for_each(|v| *v *= inv);
}

/// The kernels: the scalar functions above, operation for operation, on four interleaved
/// vectors (16 values) per step, which lets the CPU overlap their long dependency chains (20%
/// faster than one vector per step in V8). The last, shorter run of a slice goes through a
/// padded buffer: padding adds exactly +0 to every sum and leaves every maximum unchanged.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd128 {
    use super::*;
    use core::arch::wasm32::*;

    type V = [v128; 4];

    fn load(c: &[f32]) -> V {
        // Known from the chunk size at every call: compiled away.
        assert_eq!(c.len(), 16);
        // SAFETY: each load reads 16 bytes inside `c`; wasm loads may be unaligned.
        std::array::from_fn(|i| unsafe { v128_load(c.as_ptr().add(4 * i).cast()) })
    }

    fn store(c: &mut [f32], v: V) {
        assert_eq!(c.len(), 16);
        for (i, v) in v.into_iter().enumerate() {
            // SAFETY: each store writes 16 bytes inside `c`; wasm stores may be unaligned.
            unsafe { v128_store(c.as_mut_ptr().add(4 * i).cast(), v) };
        }
    }

    /// Replaces each run of 16 values `v` of `xs` by `f(v)`; a last, shorter run is padded
    /// with `pad`.
    fn map16(xs: &mut [f32], pad: f32, mut f: impl FnMut(V) -> V) {
        let mut chunks = xs.chunks_exact_mut(16);
        for c in &mut chunks {
            store(c, f(load(c)));
        }
        let rest = chunks.into_remainder();
        if !rest.is_empty() {
            let mut buf = [pad; 16];
            buf[..rest.len()].copy_from_slice(rest);
            let v = f(load(&buf));
            store(&mut buf, v);
            rest.copy_from_slice(&buf[..rest.len()]);
        }
    }

    fn lanes(v: v128) -> [f32; 4] {
        [
            f32x4_extract_lane::<0>(v),
            f32x4_extract_lane::<1>(v),
            f32x4_extract_lane::<2>(v),
            f32x4_extract_lane::<3>(v),
        ]
    }

    #[inline(always)]
    fn mul_add(a: v128, b: v128, c: v128) -> v128 {
        f32x4_add(f32x4_mul(a, b), c)
    }

    /// Mirrors `super::gelu`.
    #[inline(always)]
    fn gelu_v(x: V) -> V {
        let x_c = x.map(|x| f32x4_pmin(x, f32x4_splat(GELU_CLAMP)));
        let x_c = x_c.map(|x| f32x4_pmax(x, f32x4_splat(-GELU_CLAMP)));
        let a = x_c.map(|x| f32x4_abs(x));
        let mut q = [f32x4_splat(Q[6]); 4];
        for &k in Q[..6].iter().rev() {
            q.iter_mut()
                .zip(a)
                .for_each(|(q, a)| *q = mul_add(*q, a, f32x4_splat(k)));
        }
        let mut w: V = std::array::from_fn(|i| f32x4_mul(a[i], q[i]));
        for _ in 0..4 {
            w.iter_mut()
                .for_each(|w| *w = f32x4_mul(*w, f32x4_add(f32x4_splat(2.0), *w)));
        }
        std::array::from_fn(|i| {
            let c = f32x4_div(f32x4_splat(0.5), f32x4_add(f32x4_splat(1.0), w[i]));
            let m = f32x4_mul(x_c[i], c);
            f32x4_sub(f32x4_pmax(x[i], f32x4_splat(0.0)), f32x4_abs(m))
        })
    }

    /// Mirrors `super::exp`.
    #[inline(always)]
    fn exp_v(x: V) -> V {
        let n = x.map(|x| mul_add(x, f32x4_splat(LOG2_E), f32x4_splat(EXP_MAGIC)));
        let s = n.map(|n| i32x4_shl(n, 23));
        let n = n.map(|n| f32x4_sub(n, f32x4_splat(EXP_MAGIC)));
        let t: V = std::array::from_fn(|i| {
            let t = mul_add(n[i], f32x4_splat(EXP_MINUS_LN2_HI), x[i]);
            mul_add(n[i], f32x4_splat(EXP_MINUS_LN2_LO), t)
        });
        let mut p = [f32x4_splat(EXP_C[4]); 4];
        for &k in EXP_C[..4].iter().rev() {
            p.iter_mut()
                .zip(t)
                .for_each(|(p, t)| *p = mul_add(*p, t, f32x4_splat(k)));
        }
        std::array::from_fn(|i| {
            let e = mul_add(f32x4_mul(t[i], s[i]), p[i], s[i]);
            v128_andnot(e, f32x4_lt(x[i], f32x4_splat(EXP_CUTOFF)))
        })
    }

    pub(super) fn gelu(xs: &mut [f32]) {
        map16(xs, 0.0, gelu_v);
    }

    /// Mirrors `super::softmax_row`.
    pub(super) fn softmax_row(row: &mut [f32]) {
        let mut lane_max = [f32x4_splat(f32::NEG_INFINITY); 4];
        let mut chunks = row.chunks_exact(16);
        for c in &mut chunks {
            lane_max
                .iter_mut()
                .zip(load(c))
                .for_each(|(m, v)| *m = f32x4_pmax(*m, v));
        }
        let rest = chunks.remainder().iter().copied();
        let max = lane_max
            .into_iter()
            .flat_map(lanes)
            .chain(rest)
            .fold(f32::NEG_INFINITY, pmax);
        let (vmax, mut acc) = (f32x4_splat(max), f32x4_splat(0.0));
        map16(row, f32::NEG_INFINITY, |v| {
            let e = exp_v(v.map(|v| f32x4_sub(v, vmax)));
            acc = e.iter().fold(acc, |acc, &e| f32x4_add(acc, e));
            e
        });
        let sum = lanes(acc);
        let inv = f32x4_splat(1.0 / ((sum[0] + sum[1]) + (sum[2] + sum[3])));
        map16(row, 0.0, |v| v.map(|v| f32x4_mul(v, inv)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::{Device, Tensor};

    fn reference_gelu(x: f32) -> f64 {
        let x = f64::from(x);
        0.5 * x * (1.0 + candle_core::cpu::erf::erf_f64(x * std::f64::consts::FRAC_1_SQRT_2))
    }

    /// Splitmix64: deterministic values in [-1, 1).
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> f32 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let z = (self.0 ^ (self.0 >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            let z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            ((z ^ (z >> 31)) >> 40) as f32 / (1u64 << 23) as f32 - 1.0
        }
    }

    fn gelu_of(xs: &[f32]) -> Vec<f32> {
        let mut ys = xs.to_vec();
        gelu_erf_in_place(&mut ys);
        ys
    }

    fn max_diff(a: &[f32], b: &[f32]) -> f32 {
        a.iter().zip(b).fold(0f32, |m, (a, b)| m.max((a - b).abs()))
    }

    #[test]
    fn gelu_is_within_3e7_of_f64_on_a_dense_grid() {
        let n = 2_000_000;
        let xs: Vec<f32> = (0..=n)
            .map(|i| (20.0 * f64::from(i) / f64::from(n) - 10.0) as f32)
            .collect();
        let (mut worst, mut at) = (0f64, 0f32);
        for (&x, &y) in xs.iter().zip(&gelu_of(&xs)) {
            let err = (f64::from(y) - reference_gelu(x)).abs();
            if err > worst {
                (worst, at) = (err, x);
            }
        }
        assert!(worst <= 3e-7, "max error {worst:e} at x = {at}");
    }

    #[test]
    fn gelu_special_values_and_limits() {
        let ys = gelu_of(&[f32::NAN, f32::INFINITY, f32::NEG_INFINITY, 0.0, -0.0]);
        assert!(ys[0].is_nan());
        assert_eq!((ys[1], ys[2]), (f32::INFINITY, 0.0));
        assert_eq!((ys[3].to_bits(), ys[4].to_bits()), (0, (-0f32).to_bits()));
        for x in (0..=1900)
            .map(|i| 6.0 + i as f32 / 100.0)
            .chain([1e6, f32::MAX])
        {
            assert_eq!(gelu_of(&[x])[0], x, "x = {x}");
        }
        for x in [-20.0, -1e6, f32::MIN] {
            assert_eq!(gelu_of(&[x])[0], 0.0, "x = {x}");
        }
        // Past the fitted range, up to the clamp, the tail keeps shrinking.
        for x in (0..=1000).map(|i| -5.5 - 15.0 * i as f32 / 1000.0) {
            let y = gelu_of(&[x])[0];
            assert!(
                y <= 0.0 && f64::from(y) - reference_gelu(x) > -1e-7,
                "x = {x}: {y}"
            );
        }
        for x in [1e-30f32, -1e-30, 1e-40, -1e-40, f32::MIN_POSITIVE] {
            assert_eq!(gelu_of(&[x])[0], x * 0.5, "x = {x}");
        }
    }

    #[test]
    fn exp_is_within_2e7_relative_for_x_up_to_0() {
        let mut worst = 0f64;
        for x in (0..=1_000_000).map(|i| -87.3 * i as f32 / 1e6) {
            let r = f64::from(x).exp();
            worst = worst.max((f64::from(exp(x)) - r).abs() / r);
        }
        assert!(worst <= 2e-7, "{worst:e}");
        assert_eq!((exp(0.0), exp(-0.0), exp(-87.4)), (1.0, 1.0, 0.0));
        assert!(exp(f32::NEG_INFINITY) == 0.0 && exp(f32::NAN).is_nan());
    }

    fn reference_softmax(row: &[f32]) -> Vec<f64> {
        let max = row
            .iter()
            .fold(f64::NEG_INFINITY, |m, &v| m.max(f64::from(v)));
        let e: Vec<f64> = row.iter().map(|&v| (f64::from(v) - max).exp()).collect();
        let sum: f64 = e.iter().sum();
        e.iter().map(|v| v / sum).collect()
    }

    fn candle_softmax(xs: &[f32], row_len: usize) -> Vec<f32> {
        let t = Tensor::from_vec(xs.to_vec(), (xs.len() / row_len, row_len), &Device::Cpu);
        let p = candle_nn::ops::softmax_last_dim(&t.unwrap()).unwrap();
        p.flatten_all().unwrap().to_vec1::<f32>().unwrap()
    }

    #[test]
    fn softmax_matches_f64_and_candle_on_random_rows() {
        let mut rng = Rng(42);
        for len in [1usize, 3, 4, 5, 16, 17, 128, 512] {
            for scale in [1.0f32, 8.0, 80.0] {
                let mut xs: Vec<f32> = (0..6 * len).map(|_| scale * rng.next()).collect();
                // Masked entries in rows 1..6 (never all): -inf, and the encoder's f32::MIN.
                for r in 1..6 {
                    let mask = if r % 2 == 0 {
                        f32::NEG_INFINITY
                    } else {
                        f32::MIN
                    };
                    for j in (r % 3..len.saturating_sub(1)).step_by(r + 1) {
                        xs[r * len + j] = mask;
                    }
                }
                let theirs = candle_softmax(&xs, len);
                let mut ours = xs.clone();
                softmax_rows_in_place(&mut ours, len);
                assert!(max_diff(&ours, &theirs) <= 1e-6, "len {len} scale {scale}");
                for (r, row) in xs.chunks(len).enumerate() {
                    for (p, &o) in reference_softmax(row).into_iter().zip(&ours[r * len..]) {
                        assert!(
                            (f64::from(o) - p).abs() <= 1e-6,
                            "len {len} row {r}: {o} {p}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn softmax_special_rows_come_out_as_candles() {
        let inf = f32::INFINITY;
        let rows: [&[f32]; 6] = [
            &[-inf, -inf, -inf, -inf, -inf], // fully masked with -inf: NaN, as candle
            &[f32::MIN; 5],                  // fully masked with f32::MIN: uniform
            &[1.0, f32::NAN, 2.0, 3.0, -inf], // NaN anywhere: a NaN row
            &[1.0, inf, 2.0, 3.0, -inf],     // +inf: a NaN row
            &[-inf, 0.5, -inf, -inf, -inf],  // one finite value: exactly one-hot
            &[1e30, -1e30, 0.0, 1e30, -inf], // huge finite values
        ];
        let xs: Vec<f32> = rows.concat();
        let theirs = candle_softmax(&xs, 5);
        let mut ours = xs.clone();
        softmax_rows_in_place(&mut ours, 5);
        for (i, (o, t)) in ours.iter().zip(&theirs).enumerate() {
            assert!(
                o == t || (o.is_nan() && t.is_nan()),
                "at {i}: ours {o} candle {t}"
            );
        }
        assert!(ours[..5].iter().all(|v| v.is_nan()) && ours[5..10].iter().all(|&v| v == 0.2));
        assert_eq!(
            &ours[20..],
            &[0.0, 1.0, 0.0, 0.0, 0.0, 0.5, 0.0, 0.0, 0.5, 0.0]
        );
        softmax_rows_in_place(&mut [], 0);
    }

    #[test]
    #[should_panic(expected = "not rows of 4")]
    fn softmax_rejects_a_ragged_buffer() {
        softmax_rows_in_place(&mut [0.0; 6], 4);
    }
}
