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
use crate::model::embedding::EmbeddingTable;
use crate::model::ops;
use crate::model::qgemm::{BlockFormat, PackedWeight, VECTOR_KERNEL};
use crate::source::{ByteSource, SourceReader};
use candle_core::quantized::ggml_file::qtensor_from_ggml;
#[cfg(not(target_arch = "wasm32"))]
use candle_core::quantized::QMatMul;
use candle_core::quantized::{gguf_file, GgmlDType, QTensor};
use candle_core::{DType, Device, Tensor};
use half::f16;
use std::borrow::Cow;
use std::collections::HashMap;

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
    detect_format_of(bytes, bytes.len() as u64)
}

/// `detect_format` from the first bytes of a file of `file_len` bytes (16 are enough).
pub(crate) fn detect_format_of(head: &[u8], file_len: u64) -> Result<Format> {
    if head.starts_with(b"GGUF") {
        return Ok(Format::Gguf);
    }
    // safetensors: u64 little-endian header length, then a JSON object.
    if head.len() >= 9 && head[8] == b'{' {
        let mut len = [0u8; 8];
        len.copy_from_slice(&head[..8]);
        if u64::from_le_bytes(len) <= file_len - 8 {
            return Ok(Format::Safetensors);
        }
        return Err(Error::ModelFormat(
            "safetensors header claims more bytes than the file has (truncated?)".into(),
        ));
    }
    let shown: Vec<String> = head.iter().take(8).map(|b| format!("{b:02x}")).collect();
    Err(Error::ModelFormat(format!(
        "unrecognised model file ({file_len} bytes, starts with {}): expected GGUF or safetensors",
        if shown.is_empty() {
            "nothing".to_string()
        } else {
            shown.join(" ")
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

/// Tensors by name, from either container. A GGUF's tensors are read from its source as
/// layers are built: no copy of the whole file is made.
pub enum Weights<'a> {
    Safetensors(HashMap<String, Tensor>),
    Gguf {
        content: gguf_file::Content,
        source: &'a dyn ByteSource,
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

impl<'a> Weights<'a> {
    pub fn from_safetensors(bytes: &[u8]) -> Result<Self> {
        let map = candle_core::safetensors::load_buffer(bytes, &Device::Cpu)
            .map_err(|e| Error::ModelFormat(format!("safetensors: {e}")))?;
        Ok(Weights::Safetensors(map))
    }

    /// Parse a tokenveil GGUF: its header, our metadata, and the tensor table (reading only
    /// the header from `source`).
    pub fn from_gguf(source: &'a dyn ByteSource) -> Result<(Self, Metadata)> {
        let content = gguf_file::Content::read(&mut SourceReader::new(source))
            .map_err(|e| Error::ModelFormat(format!("GGUF: {e}")))?;
        let meta = read_metadata(&content.metadata)?;
        Ok((Weights::Gguf { content, source }, meta))
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

    /// A GGUF tensor's type and bytes, after checking that they are really in the file.
    fn gguf_raw(&self, name: &str) -> Result<(GgmlDType, Cow<'a, [u8]>)> {
        let Weights::Gguf { content, source } = self else {
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
                if start.checked_add(need).is_some_and(|end| end <= source.len()) =>
            {
                Ok((info.ggml_dtype, source.read(start, need as usize)?))
            }
            _ => Err(Error::ModelFormat(format!(
                "tensor `{name}` ({:?}, {:?}) does not fit in the file ({} bytes): truncated or corrupt",
                info.ggml_dtype,
                info.shape.dims(),
                source.len()
            ))),
        }
    }

    /// A GGUF tensor as candle's quantized tensor (for the formats it dequantizes).
    fn gguf_tensor(&self, name: &str) -> Result<QTensor> {
        let (dtype, raw) = self.gguf_raw(name)?;
        // `shape` is in candle's order already (its header parser reverses GGUF's).
        let dims = self.shape(name).unwrap_or_default();
        qtensor_from_ggml(dtype, &raw, dims, &Device::Cpu)
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

    /// An embedding table: Q8_0 tables stay Q8_0 (rows decoded on lookup), f16 tables stay
    /// f16, anything else becomes f32 (see `EmbeddingTable`).
    pub fn embedding(&self, name: &str, shape: &[usize]) -> Result<EmbeddingTable> {
        self.check_shape(name, shape)?;
        let t = match self {
            Weights::Safetensors(m) => m[name].clone(),
            Weights::Gguf { .. } => match self.gguf_raw(name)? {
                (GgmlDType::Q8_0, raw) => {
                    return EmbeddingTable::q8_0(raw.into_owned(), shape[0], shape[1]);
                }
                (GgmlDType::F16, raw) => {
                    let values: Vec<f16> = raw
                        .chunks_exact(2)
                        .map(|b| f16::from_le_bytes([b[0], b[1]]))
                        .collect();
                    Tensor::from_vec(values, shape, &Device::Cpu)?
                }
                _ => self.gguf_tensor(name)?.dequantize(&Device::Cpu)?,
            },
        };
        Ok(EmbeddingTable::Float(match t.dtype() {
            DType::F16 | DType::F32 => t,
            _ => ops::to_f32(&t)?,
        }))
    }

    /// A linear layer's `[out, in]` weight: quantized blocks stay quantized.
    pub fn linear(&self, name: &str, shape: &[usize]) -> Result<LinearWeight> {
        self.check_shape(name, shape)?;
        match self {
            Weights::Safetensors(m) => Ok(LinearWeight::Dense(ops::to_f32(&m[name])?)),
            Weights::Gguf { .. } => {
                let (dtype, raw) = self.gguf_raw(name)?;
                let format = match dtype {
                    GgmlDType::Q4_0 => BlockFormat::Q4_0,
                    _ => BlockFormat::Q8_0,
                };
                match dtype {
                    GgmlDType::F32 | GgmlDType::F16 | GgmlDType::BF16 => Ok(LinearWeight::Dense(
                        self.gguf_tensor(name)?.dequantize(&Device::Cpu)?,
                    )),
                    // Our packed kernel where it has a vector backend (faster than candle's and more
                    // accurate: 16-bit activations, see `model::qgemm`), candle's elsewhere.
                    // Our packed kernel where it has a vector backend (faster than candle's and
                    // more accurate: 16-bit activations, see `model::qgemm`) and always in wasm
                    // (candle's quantized matmul stays out of the module, see `LinearWeight`).
                    GgmlDType::Q4_0 | GgmlDType::Q8_0 if VECTOR_KERNEL || cfg!(target_arch = "wasm32") => {
                        let packed = PackedWeight::from_blocks(format, &raw, shape[0], shape[1])?;
                        Ok(LinearWeight::Packed(packed))
                    }
                    #[cfg(not(target_arch = "wasm32"))]
                    GgmlDType::Q4_0 | GgmlDType::Q8_0 => Ok(LinearWeight::Quantized(
                        QMatMul::from_qtensor(self.gguf_tensor(name)?)?,
                    )),
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
