//! Model files: detect the format by its magic bytes and hand out tensors by Hugging Face name.
//!
//! Two containers hold the same weights:
//! - safetensors, exactly as Hugging Face saves them (f32, f16 or bf16; upcast to f32 on load);
//! - tokenveil GGUF: one self-contained file with `config.json`, `tokenizer.json` and
//!   provenance as metadata, linear layers optionally quantized (Q8_0, Q4_0, f16).
//!
//! Every tensor is checked against the shape the config implies *before* it is read, and its
//! byte size against what the file holds, so a hostile file cannot make us allocate absurd sizes.

use crate::error::{Error, Result};
use crate::model::ops;
use crate::model::qgemm::{BlockFormat, PackedWeight, VECTOR_KERNEL};
#[cfg(not(target_arch = "wasm32"))]
use candle_core::quantized::QMatMul;
use candle_core::quantized::{gguf_file, GgmlDType, QTensor};
use candle_core::{DType, Device, Tensor};
use std::collections::HashMap;
use std::io::Cursor;
use std::sync::Arc;

/// Version of the metadata layout tokenveil writes into GGUF files.
pub const FORMAT_VERSION: u32 = 1;

/// GGUF metadata keys of a tokenveil model file.
pub mod keys {
    pub const FORMAT_VERSION: &str = "tokenveil.format_version";
    pub const CONFIG_JSON: &str = "tokenveil.config_json";
    pub const TOKENIZER_JSON: &str = "tokenveil.tokenizer_json";
    pub const QUANTIZATION: &str = "tokenveil.quantization";
    pub const PROVENANCE: &str = "tokenveil.provenance";
    pub const LICENSE: &str = "tokenveil.license";
    pub const NOTICE: &str = "tokenveil.notice";
    pub const ARCHITECTURE: &str = "general.architecture";
    pub const NAME: &str = "general.name";
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Gguf,
    Safetensors,
}

/// Recognise a model file by its first bytes.
pub fn detect_format(bytes: &[u8]) -> Result<Format> {
    if bytes.starts_with(b"GGUF") {
        return Ok(Format::Gguf);
    }
    // safetensors: u64 little-endian header length, then a JSON object.
    if bytes.len() >= 9 && bytes[8] == b'{' {
        let mut len = [0u8; 8];
        len.copy_from_slice(&bytes[..8]);
        if u64::from_le_bytes(len) <= (bytes.len() as u64 - 8) {
            return Ok(Format::Safetensors);
        }
        return Err(Error::ModelFormat(
            "safetensors header claims more bytes than the file has (truncated?)".into(),
        ));
    }
    let head: Vec<String> = bytes.iter().take(8).map(|b| format!("{b:02x}")).collect();
    Err(Error::ModelFormat(format!(
        "unrecognised model file ({} bytes, starts with {}): expected GGUF or safetensors",
        bytes.len(),
        if head.is_empty() {
            "nothing".to_string()
        } else {
            head.join(" ")
        }
    )))
}

/// The metadata a tokenveil GGUF carries besides its tensors.
#[derive(Debug, Clone, Default)]
pub struct Metadata {
    pub format_version: u32,
    pub config_json: String,
    pub tokenizer_json: String,
    pub quantization: String,
    pub provenance: Option<String>,
    pub license: Option<String>,
    pub notice: Option<String>,
}

/// Tensors by name, from either container.
pub enum Weights {
    Safetensors(HashMap<String, Tensor>),
    Gguf {
        content: gguf_file::Content,
        bytes: Arc<[u8]>,
    },
}

/// What a linear layer's weight became after loading.
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

impl Weights {
    pub fn from_safetensors(bytes: &[u8]) -> Result<Self> {
        let map = candle_core::safetensors::load_buffer(bytes, &Device::Cpu)
            .map_err(|e| Error::ModelFormat(format!("safetensors: {e}")))?;
        Ok(Weights::Safetensors(map))
    }

    /// Parse a tokenveil GGUF: its header, our metadata, and the tensor table.
    pub fn from_gguf(bytes: Arc<[u8]>) -> Result<(Self, Metadata)> {
        let content = gguf_file::Content::read(&mut Cursor::new(&bytes[..]))
            .map_err(|e| Error::ModelFormat(format!("GGUF: {e}")))?;
        let meta = read_metadata(&content.metadata)?;
        Ok((Weights::Gguf { content, bytes }, meta))
    }

    /// The stored shape of `name`, if the file has it.
    pub fn shape(&self, name: &str) -> Option<Vec<usize>> {
        match self {
            Weights::Safetensors(m) => m.get(name).map(|t| t.dims().to_vec()),
            Weights::Gguf { content, .. } => content
                .tensor_infos
                .get(name)
                .map(|i| i.shape.dims().to_vec()),
        }
    }

    /// Every tensor name in the file.
    pub fn names(&self) -> Vec<&str> {
        match self {
            Weights::Safetensors(m) => m.keys().map(String::as_str).collect(),
            Weights::Gguf { content, .. } => {
                content.tensor_infos.keys().map(String::as_str).collect()
            }
        }
    }

    pub fn contains(&self, name: &str) -> bool {
        self.shape(name).is_some()
    }

    fn check_shape(&self, name: &str, expected: &[usize]) -> Result<()> {
        let found = self
            .shape(name)
            .ok_or_else(|| Error::MissingTensor(name.to_string()))?;
        if found != expected {
            return Err(Error::TensorShape {
                name: name.to_string(),
                expected: expected.to_vec(),
                found,
            });
        }
        Ok(())
    }

    /// Read a GGUF tensor after checking that its bytes are really in the file.
    fn gguf_tensor(&self, name: &str) -> Result<QTensor> {
        let Weights::Gguf { content, bytes } = self else {
            unreachable_format()?
        };
        let info = content
            .tensor_infos
            .get(name)
            .ok_or_else(|| Error::MissingTensor(name.to_string()))?;
        let elems = info
            .shape
            .dims()
            .iter()
            .try_fold(1u64, |acc, &d| acc.checked_mul(d as u64));
        let block = info.ggml_dtype.block_size() as u64;
        let need = elems
            .filter(|e| e % block == 0)
            .and_then(|e| (e / block).checked_mul(info.ggml_dtype.type_size() as u64));
        let start = content.tensor_data_offset.checked_add(info.offset);
        match (need, start) {
            (Some(need), Some(start))
                if start.checked_add(need).is_some_and(|end| end <= bytes.len() as u64) => {}
            _ => {
                return Err(Error::ModelFormat(format!(
                    "tensor `{name}` ({:?}, {:?}) does not fit in the file ({} bytes): truncated or corrupt",
                    info.ggml_dtype,
                    info.shape.dims(),
                    bytes.len()
                )))
            }
        }
        content
            .tensor(&mut Cursor::new(&bytes[..]), name, &Device::Cpu)
            .map_err(|e| Error::ModelFormat(format!("tensor `{name}`: {e}")))
    }

    /// A tensor used as-is in f32 (LayerNorm, biases).
    pub fn f32(&self, name: &str, shape: &[usize]) -> Result<Tensor> {
        self.check_shape(name, shape)?;
        let t = match self {
            Weights::Safetensors(m) => m[name].clone(),
            Weights::Gguf { .. } => self.gguf_tensor(name)?.dequantize(&Device::Cpu)?,
        };
        Ok(ops::to_f32(&t)?)
    }

    /// An embedding table. f16 tables stay f16 in memory (half the bytes), and Q8_0 tables
    /// become f16 (their 8-bit values times f16 scales lose little there); rows are upcast
    /// after the lookup. Anything else becomes f32.
    pub fn embedding(&self, name: &str, shape: &[usize]) -> Result<Tensor> {
        self.check_shape(name, shape)?;
        let t = match self {
            Weights::Safetensors(m) => m[name].clone(),
            Weights::Gguf { .. } => {
                let q = self.gguf_tensor(name)?;
                let t = q.dequantize(&Device::Cpu)?;
                match q.dtype() {
                    GgmlDType::F16 | GgmlDType::Q8_0 => ops::f32_to_f16(&t)?,
                    _ => t,
                }
            }
        };
        Ok(match t.dtype() {
            DType::F16 | DType::F32 => t,
            _ => ops::to_f32(&t)?,
        })
    }

    /// A linear layer's `[out, in]` weight: quantized blocks stay quantized.
    pub fn linear(&self, name: &str, shape: &[usize]) -> Result<LinearWeight> {
        self.check_shape(name, shape)?;
        match self {
            Weights::Safetensors(m) => Ok(LinearWeight::Dense(ops::to_f32(&m[name])?)),
            Weights::Gguf { .. } => {
                let q = self.gguf_tensor(name)?;
                match q.dtype() {
                    GgmlDType::F32 | GgmlDType::F16 | GgmlDType::BF16 => {
                        Ok(LinearWeight::Dense(q.dequantize(&Device::Cpu)?))
                    }
                    // Our packed kernel where it has a vector backend (faster than candle's and more
                    // accurate: 16-bit activations, see `model::qgemm`), candle's elsewhere.
                    GgmlDType::Q4_0 | GgmlDType::Q8_0 if VECTOR_KERNEL => {
                        let format = match q.dtype() {
                            GgmlDType::Q4_0 => BlockFormat::Q4_0,
                            _ => BlockFormat::Q8_0,
                        };
                        let packed =
                            PackedWeight::from_blocks(format, &q.data()?, shape[0], shape[1])?;
                        Ok(LinearWeight::Packed(packed))
                    }
                    #[cfg(not(target_arch = "wasm32"))]
                    GgmlDType::Q4_0 | GgmlDType::Q8_0 => {
                        Ok(LinearWeight::Quantized(QMatMul::from_qtensor(q)?))
                    }
                    // wasm32 without simd128: the portable kernel (candle's quantized matmul
                    // stays out of the wasm module, see `Linear`).
                    #[cfg(target_arch = "wasm32")]
                    GgmlDType::Q4_0 | GgmlDType::Q8_0 => {
                        let format = match q.dtype() {
                            GgmlDType::Q4_0 => BlockFormat::Q4_0,
                            _ => BlockFormat::Q8_0,
                        };
                        let packed =
                            PackedWeight::from_blocks(format, &q.data()?, shape[0], shape[1])?;
                        Ok(LinearWeight::Packed(packed))
                    }
                    other => Err(Error::ModelFormat(format!(
                        "tensor `{name}` has type {other:?}; tokenveil reads f32, f16, bf16, Q8_0 and Q4_0"
                    ))),
                }
            }
        }
    }
}

fn unreachable_format<T>() -> Result<T> {
    Err(Error::ModelFormat(
        "internal: GGUF tensor asked of a safetensors file".into(),
    ))
}

fn read_metadata(md: &HashMap<String, gguf_file::Value>) -> Result<Metadata> {
    let string = |key: &str| -> Option<String> {
        match md.get(key) {
            Some(gguf_file::Value::String(s)) => Some(s.clone()),
            _ => None,
        }
    };
    let version = match md.get(keys::FORMAT_VERSION) {
        Some(v) => v.to_u32().map_err(|_| {
            Error::ModelFormat(format!("`{}` is not an unsigned integer", keys::FORMAT_VERSION))
        })?,
        None => {
            return Err(Error::ModelFormat(format!(
                "this GGUF has no tokenveil metadata (`{}`); write model files with `tokenveil convert`",
                keys::FORMAT_VERSION
            )))
        }
    };
    if version == 0 || version > FORMAT_VERSION {
        return Err(Error::UnsupportedVersion {
            found: version,
            supported: FORMAT_VERSION,
        });
    }
    let required = |key: &str| {
        string(key).ok_or_else(|| {
            Error::ModelFormat(format!("tokenveil GGUF is missing the string `{key}`"))
        })
    };
    Ok(Metadata {
        format_version: version,
        config_json: required(keys::CONFIG_JSON)?,
        tokenizer_json: required(keys::TOKENIZER_JSON)?,
        quantization: string(keys::QUANTIZATION).unwrap_or_default(),
        provenance: string(keys::PROVENANCE),
        license: string(keys::LICENSE),
        notice: string(keys::NOTICE),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_formats_and_rejects_junk() {
        assert_eq!(detect_format(b"GGUF\x03\0\0\0").unwrap(), Format::Gguf);
        let mut st = 2u64.to_le_bytes().to_vec();
        st.extend_from_slice(b"{}");
        assert_eq!(detect_format(&st).unwrap(), Format::Safetensors);
        let mut lying = 1000u64.to_le_bytes().to_vec();
        lying.extend_from_slice(b"{}");
        assert_eq!(detect_format(&lying).unwrap_err().code(), "model_format");
        let e = detect_format(b"PK\x03\x04zip").unwrap_err();
        assert_eq!(e.code(), "model_format");
        assert!(e.to_string().contains("50 4b 03 04"), "{e}");
        assert_eq!(detect_format(b"").unwrap_err().code(), "model_format");
    }
}
