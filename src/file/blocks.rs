//! GGML's Q8_0 and Q4_0 blocks, the one definition of their layout: encoders that write them
//! byte for byte, and the decoder the kernels, the embedding table and the tests read them with.
//!
//! A block is 32 values and an f16 scale `d`, stored little-endian first:
//! - Q8_0: 32 signed bytes `q`; value = `d * q`.
//! - Q4_0: 16 bytes of nibbles; value `j` is the low nibble of byte `j`, value `j + 16` the high
//!   nibble, each `q + 8` for `q` in -8..=7; value = `d * q`.
//!
//! Q4_0 is grid-aware: when a block's values already lie on a 4-bit grid `s * k`,
//! `k` in -8..=7 (a model that was quantized before, such as Rampart's MatMulNBits
//! weights with zero point 8), the same grid is kept, so the 4-bit values survive
//! exactly and only the scale is rounded to f16. Other blocks follow ggml's reference
//! rounding (`quantize_row_q4_0_ref`, ggml-quants.c).

use candle_core::quantized::GgmlDType;
use half::f16;

/// Values per block.
pub const BLOCK: usize = 32;

/// Which block format bytes hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockFormat {
    Q4_0,
    Q8_0,
}

impl BlockFormat {
    /// The format of a GGML tensor type, if it is one of ours.
    pub fn of(dtype: GgmlDType) -> Option<Self> {
        match dtype {
            GgmlDType::Q4_0 => Some(BlockFormat::Q4_0),
            GgmlDType::Q8_0 => Some(BlockFormat::Q8_0),
            _ => None,
        }
    }

    /// Bytes of one block: the f16 scale and the values.
    pub const fn block_bytes(self) -> usize {
        match self {
            BlockFormat::Q4_0 => 2 + BLOCK / 2,
            BlockFormat::Q8_0 => 2 + BLOCK,
        }
    }

    /// The 32 values and the scale of one block.
    pub fn decode(self, block: &[u8]) -> ([i8; BLOCK], f32) {
        let scale = f16::from_le_bytes([block[0], block[1]]).to_f32();
        let values = match self {
            BlockFormat::Q4_0 => unpack_nibbles(&block[2..2 + BLOCK / 2]).map(|c| c as i8 - 8),
            BlockFormat::Q8_0 => std::array::from_fn(|j| block[2 + j] as i8),
        };
        (values, scale)
    }

    /// Appends the f32 values of whole blocks, `d * q` each, as ggml dequantizes them.
    pub fn dequantize_into(self, bytes: &[u8], out: &mut Vec<f32>) {
        for block in bytes.chunks_exact(self.block_bytes()) {
            let (values, d) = self.decode(block);
            out.extend(values.iter().map(|&q| q as f32 * d));
        }
    }
}

/// 32 codes (0..=15) in Q4_0's nibble order: byte `j` holds code `j` in its low nibble and
/// code `j + 16` in its high one.
pub(crate) fn pack_nibbles(codes: &[u8; BLOCK]) -> [u8; BLOCK / 2] {
    std::array::from_fn(|j| codes[j] | (codes[j + BLOCK / 2] << 4))
}

/// `pack_nibbles` undone: the 32 codes (0..=15) of 16 bytes.
pub(crate) fn unpack_nibbles(bytes: &[u8]) -> [u8; BLOCK] {
    std::array::from_fn(|j| {
        let byte = bytes[j % (BLOCK / 2)];
        if j < BLOCK / 2 {
            byte & 0x0F
        } else {
            byte >> 4
        }
    })
}

/// Q8_0 blocks of `values` (a multiple of 32 of them). Reference: `quantize_row_q8_0_ref`.
pub fn q8_0(values: &[f32]) -> Vec<u8> {
    let mut out = Vec::with_capacity(values.len() / BLOCK * BlockFormat::Q8_0.block_bytes());
    for block in values.chunks_exact(BLOCK) {
        let amax = block.iter().fold(0f32, |m, v| m.max(v.abs()));
        let d = amax / 127.0;
        let id = if d != 0.0 { 1.0 / d } else { 0.0 };
        out.extend_from_slice(&f16::from_f32(d).to_le_bytes());
        out.extend(block.iter().map(|&v| (v * id).round() as i8 as u8));
    }
    out
}

/// Q4_0 blocks of `values` (a multiple of 32 of them), grid-aware (see the module comment).
pub fn q4_0(values: &[f32]) -> Vec<u8> {
    let mut out = Vec::with_capacity(values.len() / BLOCK * BlockFormat::Q4_0.block_bytes());
    for block in values.chunks_exact(BLOCK) {
        let (d, codes) = exact_grid(block).unwrap_or_else(|| ggml_q4_0(block));
        out.extend_from_slice(&f16::from_f32(d).to_le_bytes());
        out.extend_from_slice(&pack_nibbles(&codes));
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

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::quantized::QTensor;
    use candle_core::{Device, Tensor};

    fn lcg(seed: &mut u64) -> f32 {
        *seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((*seed >> 33) as f32 / (1u64 << 31) as f32) * 2.0 - 1.0
    }

    fn dequantize(format: BlockFormat, bytes: &[u8]) -> Vec<f32> {
        let mut out = Vec::new();
        format.dequantize_into(bytes, &mut out);
        out
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
            let back = dequantize(BlockFormat::Q4_0, &q4_0(&block));
            assert_eq!(back, block, "positive_max={positive_max}");
        }
    }

    #[test]
    fn off_grid_values_follow_ggml_rounding() {
        let mut seed = 3;
        let block: Vec<f32> = (0..32).map(|_| lcg(&mut seed)).collect();
        let back = dequantize(BlockFormat::Q4_0, &q4_0(&block));
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
        assert_eq!(bytes.len(), 2 * BlockFormat::Q8_0.block_bytes());
        for (i, chunk) in bytes.chunks_exact(34).enumerate() {
            let d = f16::from_le_bytes([chunk[0], chunk[1]]).to_f32();
            for j in 0..32 {
                let v = chunk[2 + j] as i8 as f32 * d;
                assert!((v - block[i * 32 + j]).abs() <= d * 0.5 + 1e-3);
            }
        }
    }

    #[test]
    fn q4_0_decoding_follows_ggml_nibble_order() {
        let mut block = vec![0u8; 18];
        block[..2].copy_from_slice(&f16::from_f32(0.5).to_le_bytes());
        block[2] = 0x1F; // value 0 = 15 - 8 = 7, value 16 = 1 - 8 = -7
        let (v, d) = BlockFormat::Q4_0.decode(&block);
        assert_eq!((v[0], v[16], v[1], d), (7, -7, -8, 0.5));
        let codes: [u8; BLOCK] = std::array::from_fn(|j| (j * 7 % 16) as u8);
        assert_eq!(unpack_nibbles(&pack_nibbles(&codes)), codes);
    }

    /// Our decoder against candle's (ggml's) dequantization of blocks candle wrote.
    #[test]
    fn decoding_matches_ggml_dequantization() {
        let mut seed = 5;
        let values: Vec<f32> = (0..4 * 64).map(|_| lcg(&mut seed) * 3.0).collect();
        let t = Tensor::from_vec(values, (4, 64), &Device::Cpu).unwrap();
        for (dtype, format) in [
            (GgmlDType::Q4_0, BlockFormat::Q4_0),
            (GgmlDType::Q8_0, BlockFormat::Q8_0),
        ] {
            assert_eq!(BlockFormat::of(dtype), Some(format));
            let q = QTensor::quantize(&t, dtype).unwrap();
            let want = q.dequantize(&Device::Cpu).unwrap().flatten_all().unwrap();
            let got = dequantize(format, &q.data().unwrap());
            assert_eq!(got, want.to_vec1::<f32>().unwrap(), "{format:?}");
        }
        assert_eq!(BlockFormat::of(GgmlDType::F16), None);
    }
}
