//! Block quantizers that write GGML's Q8_0 and Q4_0 layouts byte for byte.
//!
//! Q4_0 is grid-aware: when a block's values already lie on a 4-bit grid `s * k`,
//! `k` in -8..=7 (a model that was quantized before, such as Rampart's MatMulNBits
//! weights with zero point 8), the same grid is kept, so the 4-bit values survive
//! exactly and only the scale is rounded to f16. Other blocks follow ggml's reference
//! rounding (`quantize_row_q4_0_ref`, ggml-quants.c).

use half::f16;

pub const BLOCK: usize = 32;

/// Q8_0 block: f16 scale, 32 signed bytes. Reference: `quantize_row_q8_0_ref`.
pub fn q8_0(values: &[f32]) -> Vec<u8> {
    let mut out = Vec::with_capacity(values.len() / BLOCK * 34);
    for block in values.chunks_exact(BLOCK) {
        let amax = block.iter().fold(0f32, |m, v| m.max(v.abs()));
        let d = amax / 127.0;
        let id = if d != 0.0 { 1.0 / d } else { 0.0 };
        out.extend_from_slice(&f16::from_f32(d).to_le_bytes());
        out.extend(block.iter().map(|&v| (v * id).round() as i8 as u8));
    }
    out
}

/// Q4_0 block: f16 scale `d`, 16 bytes; element `j` is the low nibble of byte `j`, element
/// `j + 16` the high nibble; value = `d * (q - 8)`.
pub fn q4_0(values: &[f32]) -> Vec<u8> {
    let mut out = Vec::with_capacity(values.len() / BLOCK * 18);
    for block in values.chunks_exact(BLOCK) {
        let (d, codes) = exact_grid(block).unwrap_or_else(|| ggml_q4_0(block));
        out.extend_from_slice(&f16::from_f32(d).to_le_bytes());
        for j in 0..BLOCK / 2 {
            out.push(codes[j] | (codes[j + BLOCK / 2] << 4));
        }
    }
    out
}

/// The value of largest magnitude, with its sign.
fn signed_max(block: &[f32]) -> f32 {
    let mut max = 0f32;
    for &v in block {
        if v.abs() > max.abs() {
            max = v;
        }
    }
    max
}

fn ggml_q4_0(block: &[f32]) -> (f32, [u8; BLOCK]) {
    let d = signed_max(block) / -8.0;
    let id = if d != 0.0 { 1.0 / d } else { 0.0 };
    let mut codes = [0u8; BLOCK];
    for (c, &v) in codes.iter_mut().zip(block) {
        *c = ((v * id + 8.5) as i8).clamp(0, 15) as u8;
    }
    (d, codes)
}

/// If every value is `d * k` for one `d` and integers `k` in -8..=7, return that grid.
fn exact_grid(block: &[f32]) -> Option<(f32, [u8; BLOCK])> {
    let max = signed_max(block);
    if max == 0.0 {
        return Some((0.0, [8; BLOCK]));
    }
    // The largest value maps to code c; try the finest grids first, -8 (ggml's choice) first.
    const CODES: [f32; 15] = [
        -8., 7., -7., 6., -6., 5., -5., 4., -4., 3., -3., 2., -2., 1., -1.,
    ];
    'grid: for c in CODES {
        let d = max / c;
        let mut codes = [0u8; BLOCK];
        for (code, &v) in codes.iter_mut().zip(block) {
            let r = v / d;
            let k = r.round();
            if (r - k).abs() > 1e-3 || !(-8.0..=7.0).contains(&k) {
                continue 'grid;
            }
            *code = (k + 8.0) as u8;
        }
        return Some((d, codes));
    }
    None
}

/// Decode Q4_0 bytes back to f32: the round trip the tests below check.
#[cfg(test)]
fn dequantize_q4_0(bytes: &[u8]) -> Vec<f32> {
    let mut out = Vec::with_capacity(bytes.len() / 18 * BLOCK);
    for block in bytes.chunks_exact(18) {
        let d = f16::from_le_bytes([block[0], block[1]]).to_f32();
        let mut vals = [0f32; BLOCK];
        for j in 0..BLOCK / 2 {
            vals[j] = ((block[2 + j] & 0x0f) as f32 - 8.0) * d;
            vals[j + BLOCK / 2] = ((block[2 + j] >> 4) as f32 - 8.0) * d;
        }
        out.extend_from_slice(&vals);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lcg(seed: &mut u64) -> f32 {
        *seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((*seed >> 33) as f32 / (1u64 << 31) as f32) * 2.0 - 1.0
    }

    #[test]
    fn values_on_a_4bit_grid_survive_exactly() {
        let mut seed = 7;
        for positive_max in [false, true] {
            // A scale that f16 represents exactly, so the round trip is bit-exact.
            let s = 0.0078125f32;
            let mut block: Vec<f32> = (0..32)
                .map(|_| ((lcg(&mut seed) * 7.0).round()) * s)
                .collect();
            block[5] = if positive_max { 7.0 * s } else { -8.0 * s };
            let back = dequantize_q4_0(&q4_0(&block));
            assert_eq!(back, block, "positive_max={positive_max}");
        }
    }

    #[test]
    fn off_grid_values_follow_ggml_rounding() {
        let mut seed = 3;
        let block: Vec<f32> = (0..32).map(|_| lcg(&mut seed)).collect();
        let back = dequantize_q4_0(&q4_0(&block));
        let amax = block.iter().fold(0f32, |m, v| m.max(v.abs()));
        for (a, b) in block.iter().zip(&back) {
            assert!((a - b).abs() <= amax / 8.0 * 0.5 + 1e-3, "{a} vs {b}");
        }
    }

    #[test]
    fn q8_0_layout_and_error() {
        let mut seed = 11;
        let block: Vec<f32> = (0..64).map(|_| lcg(&mut seed)).collect();
        let bytes = q8_0(&block);
        assert_eq!(bytes.len(), 2 * 34);
        for (i, chunk) in bytes.chunks_exact(34).enumerate() {
            let d = f16::from_le_bytes([chunk[0], chunk[1]]).to_f32();
            for j in 0..32 {
                let v = chunk[2 + j] as i8 as f32 * d;
                assert!((v - block[i * 32 + j]).abs() <= d * 0.5 + 1e-3);
            }
        }
    }
}
