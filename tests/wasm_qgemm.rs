//! The packed int8 kernel in wasm (simd128, or relaxed SIMD in a `+relaxed-simd` build): bit for
//! bit what the portable kernel computes, as close to the dequantized f32 product as the
//! activations' precision allows (16 bits; 7 for Q8_0 weights in the relaxed build), and (ignored
//! by default) how fast both are:
//! `cargo test --profile wasm-release --target wasm32-unknown-unknown --no-default-features
//!  --test wasm_qgemm -- --include-ignored` prints the timings.
#![cfg(target_arch = "wasm32")]

use candle_core::quantized::{GgmlDType, QMatMul, QTensor};
use candle_core::{Device, Module, Tensor};
use tokenveil::model::qgemm::{BlockFormat, PackedWeight};
use wasm_bindgen_test::{console_log, wasm_bindgen_test};

mod wasm_support;
use wasm_support::{best_ms, wave};

fn packed(format: BlockFormat, n: usize, k: usize) -> (PackedWeight, QTensor) {
    let dtype = match format {
        BlockFormat::Q4_0 => GgmlDType::Q4_0,
        BlockFormat::Q8_0 => GgmlDType::Q8_0,
    };
    let w = Tensor::from_vec(wave(n * k, 0.2, 0.5), (n, k), &Device::Cpu).unwrap();
    let q = QTensor::quantize(&w, dtype).unwrap();
    let p = PackedWeight::from_blocks(format, &q.data().unwrap(), n, k).unwrap();
    (p, q)
}

#[wasm_bindgen_test]
fn simd_kernel_equals_portable_kernel_bit_for_bit() {
    for format in [BlockFormat::Q4_0, BlockFormat::Q8_0] {
        // Row counts around the 4-row tile, column counts around the 8-column pair of groups.
        for (m, n, k) in [
            (1, 1, 32),
            (2, 3, 64),
            (3, 9, 96),
            (4, 8, 32),
            (5, 35, 384),
            (13, 17, 160),
        ] {
            let (w, _) = packed(format, n, k);
            let mut x = wave(m * k, 2.0, 1.0);
            if m > 2 {
                x[k + 3] = f32::NAN; // row 1 becomes NaN in both kernels
                x[2 * k] = 1e30; // a huge outlier in one block of row 2
            }
            let bias = wave(n, 1.0, 3.0);
            let (mut simd, mut portable) = (vec![0f32; m * n], vec![0f32; m * n]);
            w.matmul(&x, &bias, &mut simd).unwrap();
            w.matmul_portable(&x, &bias, &mut portable).unwrap();
            for (i, (a, b)) in simd.iter().zip(&portable).enumerate() {
                assert!(
                    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()),
                    "{format:?} {m}x{n}x{k} at {i}: simd {a} portable {b}"
                );
            }
            if m > 2 {
                assert!(
                    simd[n..2 * n].iter().all(|v| v.is_nan()),
                    "NaN row stays NaN"
                );
                assert!(simd[..n].iter().all(|v| v.is_finite()));
            }
        }
    }
}

/// Against the f32 product with the dequantized weights: only the activations' rounding is
/// left, at most half a step (the block's max|x| / (2 × activation_max)) per input.
#[wasm_bindgen_test]
fn simd_kernel_matches_the_dequantized_product() {
    let (m, n, k) = (7, 48, 384);
    for format in [BlockFormat::Q4_0, BlockFormat::Q8_0] {
        let (w, q) = packed(format, n, k);
        let x = wave(m * k, 1.5, 2.0);
        let mut ours = vec![0f32; m * n];
        w.matmul(&x, &vec![0.0; n], &mut ours).unwrap();
        let wf = q.dequantize(&Device::Cpu).unwrap();
        let wf = wf.flatten_all().unwrap().to_vec1::<f32>().unwrap();
        let steps: Vec<f64> = x
            .chunks(32)
            .map(|b| {
                b.iter().fold(0f64, |a, v| a.max(v.abs() as f64))
                    / (2.0 * w.activation_max() as f64)
            })
            .collect();
        let mut worst_ratio = 0f64;
        for r in 0..m {
            for c in 0..n {
                let (mut exact, mut bound) = (0f64, 1e-4);
                for i in 0..k {
                    let wi = wf[c * k + i] as f64;
                    exact += x[r * k + i] as f64 * wi;
                    bound += wi.abs() * steps[(r * k + i) / 32];
                }
                let diff = (ours[r * n + c] as f64 - exact).abs();
                assert!(diff <= bound, "{format:?} [{r},{c}]: {diff} > {bound}");
                worst_ratio = worst_ratio.max(diff / bound);
            }
        }
        console_log!(
            "{format:?}: worst error {worst_ratio:.3} of the bound (activation max {})",
            w.activation_max()
        );
    }
}

#[wasm_bindgen_test]
#[ignore = "timing, not a test: run with --include-ignored"]
fn timing_against_candle() {
    // The linear layers of a 6 x 384 BERT (Rampart) at 128 tokens: q/k/v/out, ffn in, ffn out.
    let m = 128;
    for format in [BlockFormat::Q4_0, BlockFormat::Q8_0] {
        let mut ours_total = 0.0;
        let mut candle_total = 0.0;
        for (n, k, per_layer) in [(384, 384, 4.0), (1536, 384, 1.0), (384, 1536, 1.0)] {
            let (w, q) = packed(format, n, k);
            let x = wave(m * k, 1.5, 2.0);
            let bias = vec![0f32; n];
            let mut out = vec![0f32; m * n];
            let ours = best_ms(4, 5, || w.matmul(&x, &bias, &mut out).unwrap());
            let qm = QMatMul::from_qtensor(q).unwrap();
            let xt = Tensor::from_vec(x.clone(), (m, k), &Device::Cpu).unwrap();
            let theirs = best_ms(4, 5, || {
                qm.forward(&xt).unwrap();
            });
            let gmacs = (m * n * k) as f64 / 1e9;
            console_log!(
                "{format:?} {m}x{n}x{k}: packed {ours:.2} ms ({:.1} GMAC/s), candle {theirs:.2} ms ({:.1} GMAC/s), {:.2}x",
                gmacs / ours * 1e3,
                gmacs / theirs * 1e3,
                theirs / ours
            );
            ours_total += 6.0 * per_layer * ours;
            candle_total += 6.0 * per_layer * theirs;
        }
        console_log!(
            "{format:?} all linear layers of 6 x 384, {m} tokens: packed {ours_total:.1} ms, candle {candle_total:.1} ms"
        );
    }
}
