//! The `simd128` GELU and softmax kernels in wasm: bit for bit what the portable scalar code
//! computes, close to candle, and (ignored by default) how fast both are:
//! `cargo test --profile wasm-release --target wasm32-unknown-unknown --no-default-features
//!  --test wasm_activations -- --include-ignored` prints the timings.
#![cfg(target_arch = "wasm32")]

use candle_core::{Device, Tensor};
use tokenveil::model::activations::{
    gelu_erf_in_place, gelu_erf_portable, softmax_rows_in_place, softmax_rows_portable,
};
use wasm_bindgen_test::{console_log, wasm_bindgen_test};

mod wasm_support;
use wasm_support::{best_ms, max_abs_diff, wave};

fn assert_same_bits(simd: &[f32], portable: &[f32], what: &str) {
    for (i, (a, b)) in simd.iter().zip(portable).enumerate() {
        assert!(
            a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()),
            "{what} at {i}: simd {a} portable {b}"
        );
    }
}

#[wasm_bindgen_test]
fn gelu_simd_equals_portable_bit_for_bit() {
    // A dense grid over [-25, 25] (past the clamp at 20) plus special values, at every length
    // 0..40: each mix of 16-value steps, 4-value steps and a scalar tail.
    let n = 400_000;
    let mut xs: Vec<f32> = (0..=n)
        .map(|i| -25.0 + 50.0 * i as f32 / n as f32)
        .collect();
    xs.extend([
        f32::NAN,
        f32::INFINITY,
        f32::NEG_INFINITY,
        0.0,
        -0.0,
        f32::MAX,
        f32::MIN,
        1e-40,
        -1e-40,
        5.656854,
        -5.656854,
    ]);
    for len in (0..40).chain([xs.len()]) {
        for start in [0, xs.len() - 11] {
            let input = &xs[start..(start + len).min(xs.len())];
            let (mut simd, mut portable) = (input.to_vec(), input.to_vec());
            gelu_erf_in_place(&mut simd);
            gelu_erf_portable(&mut portable);
            assert_same_bits(&simd, &portable, &format!("gelu len {len}"));
        }
    }
}

#[wasm_bindgen_test]
#[ignore = "slow (every f32, about a minute): run with --include-ignored"]
fn gelu_simd_equals_portable_on_every_f32() {
    let (mut simd, mut portable) = (vec![0f32; 1 << 20], vec![0f32; 1 << 20]);
    for start in (0..=u32::MAX).step_by(1 << 20) {
        simd.iter_mut()
            .zip(start..)
            .for_each(|(x, bits)| *x = f32::from_bits(bits));
        portable.copy_from_slice(&simd);
        gelu_erf_in_place(&mut simd);
        gelu_erf_portable(&mut portable);
        assert_same_bits(&simd, &portable, &format!("gelu from bits {start:#x}"));
    }
}

#[wasm_bindgen_test]
fn softmax_simd_equals_portable_bit_for_bit() {
    let inf = f32::INFINITY;
    for len in (1..=9).chain([16, 17, 31, 128, 512]) {
        for scale in [1.0, 10.0, 80.0] {
            let rows = 5;
            let mut xs = wave(rows * len, scale, len as f32);
            // Row 1: some -inf; row 2: f32::MIN mask; row 3: NaN; row 4: all -inf.
            xs[len..2 * len]
                .iter_mut()
                .skip(1)
                .step_by(3)
                .for_each(|v| *v = -inf);
            xs[2 * len..3 * len]
                .iter_mut()
                .skip(1)
                .step_by(2)
                .for_each(|v| *v = f32::MIN);
            xs[3 * len + len / 2] = f32::NAN;
            xs[4 * len..].fill(-inf);
            let (mut simd, mut portable) = (xs.clone(), xs.clone());
            softmax_rows_in_place(&mut simd, len);
            softmax_rows_portable(&mut portable, len);
            assert_same_bits(
                &simd,
                &portable,
                &format!("softmax len {len} scale {scale}"),
            );
            assert!(simd[..3 * len].iter().all(|v| v.is_finite()));
            assert!(
                simd[3 * len..].iter().all(|v| v.is_nan()),
                "NaN rows, as candle's"
            );
        }
    }
}

#[wasm_bindgen_test]
fn simd_kernels_are_close_to_candle() {
    let xs = wave(128 * 1536 + 3, 4.0, 0.5);
    let mut ours = xs.clone();
    gelu_erf_in_place(&mut ours);
    let t = Tensor::from_vec(xs.clone(), xs.len(), &Device::Cpu).unwrap();
    let theirs = t.gelu_erf().unwrap().to_vec1::<f32>().unwrap();
    let diff = max_abs_diff(&ours, &theirs);
    console_log!("gelu: at most {diff:e} from candle");
    assert!(diff <= 1e-6, "gelu: {diff}");

    let len = 128;
    let mut xs = wave(12 * len * len, 12.0, 1.5);
    xs.iter_mut()
        .skip(5)
        .step_by(7)
        .for_each(|v| *v = f32::NEG_INFINITY);
    let mut ours = xs.clone();
    softmax_rows_in_place(&mut ours, len);
    let t = Tensor::from_vec(xs, (12, len, len), &Device::Cpu).unwrap();
    let theirs = candle_nn::ops::softmax_last_dim(&t).unwrap();
    let theirs = theirs.flatten_all().unwrap().to_vec1::<f32>().unwrap();
    let diff = max_abs_diff(&ours, &theirs);
    console_log!("softmax: at most {diff:e} from candle");
    assert!(diff <= 1e-6, "softmax: {diff}");
}

#[wasm_bindgen_test]
#[ignore = "timing, not a test: run with --include-ignored"]
fn timing_against_candle() {
    // The feed-forward activation of one layer at 128 tokens (intermediate 1536), and the
    // attention probabilities of one layer with 12 heads at 128 tokens.
    // Each call refills the buffer (applied to its own output again and again, GELU would
    // drive the negative values into slow subnormals); the refill alone is timed too.
    let ff = wave(128 * 1536, 4.0, 0.5);
    let mut buf = ff.clone();
    let copy = best_ms(10, 20, || {
        std::hint::black_box(&mut buf).copy_from_slice(&ff)
    });
    let ours = best_ms(10, 20, || {
        buf.copy_from_slice(&ff);
        gelu_erf_in_place(&mut buf)
    });
    let portable = best_ms(10, 20, || {
        buf.copy_from_slice(&ff);
        gelu_erf_portable(&mut buf)
    });
    let t = Tensor::from_vec(ff, (128, 1536), &Device::Cpu).unwrap();
    let theirs = best_ms(10, 20, || drop(t.gelu_erf().unwrap()));
    console_log!(
        "gelu 128x1536: simd128 {ours:.3} ms, portable {portable:.3} ms (each with a {copy:.3} ms refill), candle gelu_erf {theirs:.3} ms ({:.1}x)",
        theirs / ours
    );
    let scores = wave(12 * 128 * 128, 12.0, 1.5);
    let mut buf = scores.clone();
    let ours = best_ms(10, 20, || {
        buf.copy_from_slice(&scores);
        softmax_rows_in_place(&mut buf, 128)
    });
    let portable = best_ms(10, 20, || {
        buf.copy_from_slice(&scores);
        softmax_rows_portable(&mut buf, 128)
    });
    let copy = best_ms(10, 20, || {
        std::hint::black_box(&mut buf).copy_from_slice(&scores)
    });
    let t = Tensor::from_vec(scores, (12, 128, 128), &Device::Cpu).unwrap();
    let theirs = best_ms(10, 20, || {
        drop(candle_nn::ops::softmax_last_dim(&t).unwrap())
    });
    console_log!(
        "softmax 12x128x128: simd128 {ours:.3} ms, portable {portable:.3} ms (each with a {copy:.3} ms refill), candle softmax_last_dim {theirs:.3} ms ({:.1}x)",
        theirs / ours
    );
}
