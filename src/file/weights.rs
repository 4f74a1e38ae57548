//! Model files: detect the format by its magic bytes and hand out tensors by Hugging Face name,
//! as the file stores them.
//!
//! Two containers hold the same weights:
//! - safetensors, exactly as Hugging Face saves them (f32, f16 or bf16);
//! - tokenveil GGUF: one self-contained file with `config.json`, `tokenizer.json` and
//!   provenance as metadata, linear layers optionally quantized (Q8_0, Q4_0, f16).
//!
//! Every tensor is checked against the shape the config implies *before* it is read, and its
//! byte size against what the file holds, so a hostile file cannot make us allocate absurd sizes.

use super::source::{ByteSource, SourceReader};
use crate::error::{Error, Result};
use candle_core::quantized::ggml_file::qtensor_from_ggml;
use candle_core::quantized::{gguf_file, GgmlDType, QTensor};
use candle_core::{DType, Device, Tensor};
use half::{bf16, f16};
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

/// One tensor as its file stores it. `crate::model` decides what it becomes.
pub struct StoredTensor<'a> {
    /// The name it is stored under.
    pub name: String,
    /// Its shape, in candle's order (outermost first), as checked against the one asked for.
    pub shape: Vec<usize>,
    pub data: StoredData<'a>,
}

/// A stored tensor's values.
pub enum StoredData<'a> {
    /// Float values in the dtype the file holds them in: f32, f16 or bf16 (a safetensors file
    /// may hold other dtypes; `to_f32` rejects them, f64 aside).
    Float(Tensor),
    /// GGML blocks (Q8_0, Q4_0, or another type candle reads), row-major, byte for byte as in
    /// the file; borrowed from the source where it holds the bytes in memory.
    Blocks {
        dtype: GgmlDType,
        bytes: Cow<'a, [u8]>,
    },
}

impl StoredTensor<'_> {
    /// Blocks as candle's quantized tensor (for its quantized matmul, and to dequantize them).
    pub fn qtensor(&self) -> Result<QTensor> {
        match &self.data {
            StoredData::Blocks { dtype, bytes } => {
                qtensor_from_ggml(*dtype, bytes, self.shape.clone(), &Device::Cpu)
                    .map_err(|e| Error::ModelFormat(format!("tensor `{}`: {e}", self.name)))
            }
            StoredData::Float(_) => Err(Error::ModelFormat(format!(
                "internal: tensor `{}` holds floats, not GGML blocks",
                self.name
            ))),
        }
    }

    /// The values in f32: floats upcast, blocks dequantized as GGML defines them.
    pub fn to_f32(&self) -> Result<Tensor> {
        match &self.data {
            StoredData::Float(t) => Ok(to_f32(t)?),
            StoredData::Blocks { .. } => Ok(self.qtensor()?.dequantize(&Device::Cpu)?),
        }
    }
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

    /// The tensor `name`, as stored, after checking that its shape is `shape`.
    pub fn tensor(&self, name: &str, shape: &[usize]) -> Result<StoredTensor<'a>> {
        self.check_shape(name, shape)?;
        let data = match self {
            Weights::Safetensors(m) => StoredData::Float(m[name].clone()),
            Weights::Gguf { .. } => match self.gguf_raw(name)? {
                (dtype @ (GgmlDType::F32 | GgmlDType::F16 | GgmlDType::BF16), raw) => {
                    StoredData::Float(float_tensor(dtype, &raw, shape)?)
                }
                (dtype, bytes) => StoredData::Blocks { dtype, bytes },
            },
        };
        Ok(StoredTensor {
            name: name.to_string(),
            shape: shape.to_vec(),
            data,
        })
    }

    /// A tensor in f32, whatever its stored type (LayerNorm, biases; the converter's input).
    pub fn f32(&self, name: &str, shape: &[usize]) -> Result<Tensor> {
        self.tensor(name, shape)?.to_f32()
    }
}

/// A GGUF float tensor from its little-endian bytes, in its own dtype.
fn float_tensor(dtype: GgmlDType, raw: &[u8], shape: &[usize]) -> Result<Tensor> {
    let t = match dtype {
        GgmlDType::F32 => Tensor::from_vec(
            raw.chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect::<Vec<_>>(),
            shape,
            &Device::Cpu,
        ),
        GgmlDType::F16 => Tensor::from_vec(
            raw.chunks_exact(2)
                .map(|b| f16::from_le_bytes([b[0], b[1]]))
                .collect::<Vec<_>>(),
            shape,
            &Device::Cpu,
        ),
        GgmlDType::BF16 => Tensor::from_vec(
            raw.chunks_exact(2)
                .map(|b| bf16::from_le_bytes([b[0], b[1]]))
                .collect::<Vec<_>>(),
            shape,
            &Device::Cpu,
        ),
        other => {
            return Err(Error::ModelFormat(format!(
                "internal: {other:?} is not a float type"
            )))
        }
    };
    Ok(t?)
}

// The conversion the model needs, instead of candle's `Tensor::to_dtype`, which
// instantiates every pair of its 13 dtypes: 180 KB of wasm, 15 % of the module's code.

/// An f32 copy of a float tensor (f32 itself is returned as is).
pub(crate) fn to_f32(t: &Tensor) -> candle_core::Result<Tensor> {
    let flat = t.flatten_all()?;
    let values: Vec<f32> = match t.dtype() {
        DType::F32 => return Ok(t.clone()),
        DType::F16 => flat.to_vec1::<f16>()?.into_iter().map(f32::from).collect(),
        DType::BF16 => flat.to_vec1::<bf16>()?.into_iter().map(f32::from).collect(),
        DType::F64 => flat
            .to_vec1::<f64>()?
            .into_iter()
            .map(|v| v as f32)
            .collect(),
        other => candle_core::bail!("a float tensor was expected, found {other:?}"),
    };
    Tensor::from_vec(values, t.shape(), t.device())
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
    fn conversions_match_candles_to_dtype() {
        let xs = [0.1f32, -2.5, 65504.0, 1e-8, f32::NAN, -0.0, 3.0e5];
        let t = Tensor::new(&xs[..], &Device::Cpu)
            .unwrap()
            .reshape((7, 1))
            .unwrap();
        let bits = |t: &Tensor| -> Vec<u32> {
            let v = t.flatten_all().unwrap().to_vec1::<f32>().unwrap();
            v.iter().map(|f| f.to_bits()).collect()
        };
        for dtype in [DType::F16, DType::BF16, DType::F64] {
            let theirs = t.to_dtype(dtype).unwrap();
            assert_eq!(
                bits(&to_f32(&theirs).unwrap()),
                bits(&theirs.to_dtype(DType::F32).unwrap()),
                "{dtype:?}"
            );
        }
        let ints = Tensor::new(&[1u32, 2][..], &Device::Cpu).unwrap();
        assert!(to_f32(&ints).is_err());
    }

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
