//! A linear layer whose weight is f32, candle-quantized, or packed for our int8 kernel. This is
//! the only place the quantized paths differ from the float path, and where a stored weight's
//! compute form is chosen.

use crate::error::{Error, Result};
use crate::file::blocks::BlockFormat;
use crate::file::weights::{to_f32, StoredData, StoredTensor};
use crate::model::qgemm::PackedWeight;
#[cfg(not(target_arch = "wasm32"))]
use crate::model::qgemm::VECTOR_KERNEL;
#[cfg(not(target_arch = "wasm32"))]
use candle_core::{quantized::QMatMul, Module};
use candle_core::{Device, Storage, Tensor};

/// What a linear layer's weight becomes for computing.
pub enum LinearWeight {
    /// f32 `[out, in]`.
    Dense(Tensor),
    /// Quantized blocks; candle quantizes the activations on the fly (native builds without a
    /// vector kernel; never in wasm, where candle's quantized matmul and the `to_dtype` it
    /// calls would weigh 200 KB).
    #[cfg(not(target_arch = "wasm32"))]
    Quantized(QMatMul),
    /// Q4_0/Q8_0 blocks decoded for our int8 kernel (wasm simd128, x86-64): see `model::qgemm`.
    Packed(PackedWeight),
}

impl LinearWeight {
    /// The compute form of a stored `[out, in]` weight: floats become f32, quantized blocks
    /// stay quantized.
    pub fn from_stored(stored: StoredTensor) -> Result<Self> {
        let (format, bytes) = match &stored.data {
            StoredData::Float(t) => return Ok(LinearWeight::Dense(to_f32(t)?)),
            StoredData::Blocks { dtype, bytes } => match BlockFormat::of(*dtype) {
                Some(format) => (format, bytes),
                None => {
                    let name = &stored.name;
                    return Err(Error::ModelFormat(format!(
                        "tensor `{name}` has type {dtype:?}; tokenveil reads f32, f16, bf16, Q8_0 and Q4_0"
                    )));
                }
            },
        };
        // Our packed kernel where it has a vector backend (faster than candle's and more
        // accurate: 16-bit activations, see `model::qgemm`) and always in wasm (candle's
        // quantized matmul stays out of the module, see `LinearWeight`); candle's elsewhere.
        #[cfg(not(target_arch = "wasm32"))]
        if !VECTOR_KERNEL {
            return Ok(LinearWeight::Quantized(QMatMul::from_qtensor(
                stored.qtensor()?,
            )?));
        }
        let &[n, k] = &stored.shape[..] else {
            return Err(Error::ModelFormat(format!(
                "linear weight `{}` is not a matrix: shape {:?}",
                stored.name, stored.shape
            )));
        };
        Ok(LinearWeight::Packed(PackedWeight::from_blocks(
            format, bytes, n, k,
        )?))
    }
}

pub struct Linear {
    weight: LinearWeight,
    bias: Tensor,
    /// The bias as a slice for the packed kernel, which adds it while storing its outputs.
    bias_values: Vec<f32>,
}

impl Linear {
    pub fn new(weight: LinearWeight, bias: Tensor) -> Result<Self> {
        let bias_values = match weight {
            LinearWeight::Packed(_) => bias.to_vec1::<f32>()?,
            _ => Vec::new(),
        };
        Ok(Linear {
            weight,
            bias,
            bias_values,
        })
    }

    /// One layer computing what `parts` compute side by side (outputs concatenated), when
    /// their weights can be joined: f32 or packed int8 with whole column-group pairs. Else
    /// `Err(parts)`, given back to be run one by one.
    pub fn fuse(parts: Vec<Linear>) -> std::result::Result<Linear, Vec<Linear>> {
        let joined = match parts.first().map(|p| &p.weight) {
            Some(LinearWeight::Packed(_)) => {
                let ws: Option<Vec<_>> = parts
                    .iter()
                    .map(|p| match &p.weight {
                        LinearWeight::Packed(w) => Some(w),
                        _ => None,
                    })
                    .collect();
                ws.and_then(|ws| PackedWeight::concat(&ws))
                    .map(LinearWeight::Packed)
            }
            Some(LinearWeight::Dense(_)) => {
                let ws: Option<Vec<_>> = parts
                    .iter()
                    .map(|p| match &p.weight {
                        LinearWeight::Dense(w) => Some(w.clone()),
                        _ => None,
                    })
                    .collect();
                ws.and_then(|ws| Tensor::cat(&ws, 0).ok())
                    .map(LinearWeight::Dense)
            }
            _ => None,
        };
        let biases: Vec<&Tensor> = parts.iter().map(|p| &p.bias).collect();
        match (joined, Tensor::cat(&biases, 0)) {
            (Some(weight), Ok(bias)) => Linear::new(weight, bias).map_err(|_| parts),
            _ => Err(parts),
        }
    }

    pub fn out_features(&self) -> Result<usize> {
        Ok(self.bias.dim(0)?)
    }

    /// `x[..., in] -> [..., out]`.
    pub fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let dims = x.dims();
        let in_dim = dims[dims.len() - 1];
        let rows = x.elem_count() / in_dim.max(1);
        // Flatten leading dims so one 2-D matmul covers the whole batch.
        let x2 = x.reshape((rows, in_dim))?;
        let y = match &self.weight {
            LinearWeight::Dense(w) => x2.matmul(&w.t()?)?.broadcast_add(&self.bias)?,
            #[cfg(not(target_arch = "wasm32"))]
            LinearWeight::Quantized(q) => q.forward(&x2)?.broadcast_add(&self.bias)?,
            LinearWeight::Packed(w) => {
                let x2 = x2.contiguous()?;
                let mut out = vec![0f32; rows * w.out_features()];
                with_f32_slice(&x2, |xs| w.matmul(xs, &self.bias_values, &mut out))?;
                Tensor::from_vec(out, (rows, w.out_features()), &Device::Cpu)?
            }
        };
        let mut out_dims = dims.to_vec();
        let last = out_dims.len() - 1;
        out_dims[last] = self.bias.dim(0)?;
        Ok(y.reshape(out_dims)?)
    }
}

/// Run `f` on a contiguous f32 CPU tensor's elements without copying them.
fn with_f32_slice<T>(t: &Tensor, f: impl FnOnce(&[f32]) -> Result<T>) -> Result<T> {
    let (storage, layout) = t.storage_and_layout();
    let (Storage::Cpu(cpu), Some((start, end))) = (&*storage, layout.contiguous_offsets()) else {
        return Err(Error::Inference(
            "packed matmul needs a contiguous CPU tensor".into(),
        ));
    };
    f(&cpu.as_slice::<f32>()?[start..end])
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::quantized::{GgmlDType, QMatMul, QTensor};
    use candle_core::DType;

    /// Deterministic values in about [-scale, scale].
    fn wave(shape: (usize, usize), scale: f32, phase: f32) -> Tensor {
        let v: Vec<f32> = (0..shape.0 * shape.1)
            .map(|i| scale * ((i as f32 * 0.731 + phase).sin() + 0.3 * (i as f32 * 0.057).cos()))
            .collect();
        Tensor::from_vec(v, shape, &Device::Cpu).unwrap()
    }

    /// The packed path against the f32 product with the dequantized weights (tight: only the
    /// 16-bit activation rounding is left) and against candle's quantized matmul (loose: candle
    /// rounds activations to 8 bits).
    #[test]
    fn packed_matches_dequantized_product_and_candle() {
        let (n, k) = (40, 96);
        let w = wave((n, k), 0.2, 0.0);
        let bias = wave((1, n), 1.0, 1.0).squeeze(0).unwrap();
        let x = wave((10, k), 1.5, 2.0).reshape((2, 5, k)).unwrap();
        let max_diff = |a: &Tensor, b: &Tensor| {
            let (a, b) = (
                a.flatten_all().unwrap().to_vec1::<f32>().unwrap(),
                b.flatten_all().unwrap().to_vec1::<f32>().unwrap(),
            );
            let largest = b.iter().fold(0f32, |m, v| m.max(v.abs()));
            assert!(
                largest > 1.0,
                "a test that could fail: outputs are not all tiny"
            );
            a.iter()
                .zip(&b)
                .fold(0f32, |m, (x, y)| m.max((x - y).abs()))
                / largest
        };
        for (dtype, format) in [
            (GgmlDType::Q4_0, BlockFormat::Q4_0),
            (GgmlDType::Q8_0, BlockFormat::Q8_0),
        ] {
            let q = QTensor::quantize(&w, dtype).unwrap();
            let packed = PackedWeight::from_blocks(format, &q.data().unwrap(), n, k).unwrap();
            let ours = Linear::new(LinearWeight::Packed(packed), bias.clone()).unwrap();
            let dense = Linear::new(
                LinearWeight::Dense(q.dequantize(&Device::Cpu).unwrap()),
                bias.clone(),
            )
            .unwrap();
            let candle = Linear::new(
                LinearWeight::Quantized(QMatMul::from_qtensor(q).unwrap()),
                bias.clone(),
            )
            .unwrap();
            let a = ours.forward(&x).unwrap();
            assert_eq!(a.dims(), &[2, 5, n]);
            let exact = max_diff(&a, &dense.forward(&x).unwrap());
            let loose = max_diff(&a, &candle.forward(&x).unwrap());
            assert!(exact <= 2e-5, "{dtype:?}: {exact} of the largest output");
            assert!(loose <= 2e-2, "{dtype:?}: {loose} of the largest output");
        }
    }

    #[test]
    fn packed_path_reads_strided_input() {
        let dev = Device::Cpu;
        let w = Tensor::randn(0f32, 0.2, (8, 32), &dev).unwrap();
        let q = QTensor::quantize(&w, GgmlDType::Q8_0).unwrap();
        let packed =
            PackedWeight::from_blocks(BlockFormat::Q8_0, &q.data().unwrap(), 8, 32).unwrap();
        let lin = Linear::new(
            LinearWeight::Packed(packed),
            Tensor::zeros(8, DType::F32, &dev).unwrap(),
        )
        .unwrap();
        let x = Tensor::randn(0f32, 1.0, (32, 3), &dev).unwrap();
        let strided = lin.forward(&x.t().unwrap()).unwrap();
        let contiguous = lin.forward(&x.t().unwrap().contiguous().unwrap()).unwrap();
        assert_eq!(
            strided.to_vec2::<f32>().unwrap(),
            contiguous.to_vec2::<f32>().unwrap()
        );
    }
}
