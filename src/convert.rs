//! Hugging Face folder -> one self-contained tokenveil GGUF: tensors (canonical HF names,
//! linear layers optionally quantized) plus `config.json`, `tokenizer.json`, provenance,
//! licence and notice as metadata, so a browser fetches one file per model.

use crate::bundle::ModelBundle;
use crate::config::ModelConfig;
use crate::error::{Error, Result};
use crate::model::layout::{tensor_specs, Kind};
use crate::model::Resolver;
use crate::quantize;
use crate::weights::{keys, Weights, FORMAT_VERSION};
use candle_core::quantized::{ggml_file::qtensor_from_ggml, gguf_file, GgmlDType, QTensor};
use candle_core::Device;
use std::io::Cursor;
use std::str::FromStr;

/// Storage type of linear-layer weights (and, for f16, of embeddings).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quant {
    F32,
    F16,
    Q8_0,
    Q4_0,
}

impl FromStr for Quant {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "f32" => Ok(Quant::F32),
            "f16" => Ok(Quant::F16),
            "q8_0" => Ok(Quant::Q8_0),
            "q4_0" => Ok(Quant::Q4_0),
            _ => Err(Error::InvalidOption(format!(
                "unknown quantization `{s}` (f32, f16, q8_0, q4_0)"
            ))),
        }
    }
}

impl Quant {
    pub fn name(self) -> &'static str {
        match self {
            Quant::F32 => "f32",
            Quant::F16 => "f16",
            Quant::Q8_0 => "q8_0",
            Quant::Q4_0 => "q4_0",
        }
    }
}

#[derive(Debug, Clone)]
pub struct ConvertOptions {
    pub quant: Quant,
    /// Embedding tables: f32, f16 or q8_0 (half the bytes of f16; the vocabulary table is
    /// most of a small model). Default: f16 when `quant` is f16, else f32.
    pub embeddings: Option<Quant>,
    pub name: Option<String>,
}

/// Texts that travel in the model file besides config and tokenizer.
#[derive(Debug, Clone, Default)]
pub struct Provenance {
    pub provenance: Option<String>,
    pub license: Option<String>,
    pub notice: Option<String>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct TensorReport {
    pub name: String,
    pub shape: Vec<usize>,
    pub dtype: String,
    /// Why a linear layer stayed f32 although quantization was asked for.
    pub note: Option<String>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct ConvertReport {
    pub tensors: Vec<TensorReport>,
    pub bytes: usize,
}

/// Convert the three parts of a Hugging Face model into tokenveil GGUF bytes.
pub fn convert_parts(
    config_json: &str,
    tokenizer_json: &str,
    weights_bytes: &[u8],
    provenance: &Provenance,
    opts: &ConvertOptions,
) -> Result<(Vec<u8>, ConvertReport)> {
    // Load once to validate everything (shapes, label map, tokenizer fit) before writing.
    ModelBundle::from_parts(config_json, tokenizer_json, weights_bytes)?;
    let config = ModelConfig::from_json(config_json)?;
    let weights = Weights::from_safetensors(weights_bytes)?;
    let resolver = Resolver::new(&weights, &config);
    let embeddings = match opts.embeddings.unwrap_or(match opts.quant {
        Quant::F16 => Quant::F16,
        _ => Quant::F32,
    }) {
        e @ (Quant::F32 | Quant::F16 | Quant::Q8_0) => e,
        Quant::Q4_0 => {
            return Err(Error::InvalidOption(
                "embeddings can be f32, f16 or q8_0, not q4_0".into(),
            ))
        }
    };

    let mut qtensors = Vec::new();
    let mut report = Vec::new();
    for spec in tensor_specs(&config) {
        let stored = resolver.resolve(&spec.name)?;
        let values = weights
            .f32(&stored, &spec.shape)?
            .flatten_all()?
            .to_vec1::<f32>()?;
        let in_dim = spec.shape.last().copied().unwrap_or(1);
        let (ty, note) = match spec.kind {
            Kind::Norm | Kind::Bias => (Quant::F32, None),
            Kind::Embedding if embeddings == Quant::Q8_0 && in_dim % quantize::BLOCK != 0 => (
                Quant::F16,
                Some(format!("kept in f16: width {in_dim} is not a multiple of the 32-element q8_0 block")),
            ),
            Kind::Embedding => (embeddings, None),
            Kind::Linear => match opts.quant {
                q @ (Quant::Q8_0 | Quant::Q4_0) if in_dim % quantize::BLOCK != 0 => (
                    Quant::F32,
                    Some(format!(
                        "kept in f32: input size {in_dim} is not a multiple of the {}-element {} block",
                        quantize::BLOCK,
                        q.name()
                    )),
                ),
                q => (q, None),
            },
        };
        let (dtype, raw) = encode(&values, ty);
        let qt = qtensor_from_ggml(dtype, &raw, spec.shape.clone(), &Device::Cpu)?;
        report.push(TensorReport {
            name: spec.name.clone(),
            shape: spec.shape.clone(),
            dtype: ty.name().to_string(),
            note,
        });
        qtensors.push((spec.name, qt));
    }

    let mut meta: Vec<(&str, gguf_file::Value)> = vec![
        (keys::FORMAT_VERSION, gguf_file::Value::U32(FORMAT_VERSION)),
        (
            keys::ARCHITECTURE,
            gguf_file::Value::String(config.weight_prefix().to_string()),
        ),
        (
            keys::CONFIG_JSON,
            gguf_file::Value::String(config_json.to_string()),
        ),
        (
            keys::TOKENIZER_JSON,
            gguf_file::Value::String(tokenizer_json.to_string()),
        ),
        (
            keys::QUANTIZATION,
            gguf_file::Value::String(opts.quant.name().to_string()),
        ),
    ];
    if let Some(name) = &opts.name {
        meta.push((keys::NAME, gguf_file::Value::String(name.clone())));
    }
    for (key, text) in [
        (keys::PROVENANCE, &provenance.provenance),
        (keys::LICENSE, &provenance.license),
        (keys::NOTICE, &provenance.notice),
    ] {
        if let Some(t) = text {
            meta.push((key, gguf_file::Value::String(t.clone())));
        }
    }
    let meta_refs: Vec<(&str, &gguf_file::Value)> = meta.iter().map(|(k, v)| (*k, v)).collect();
    let tensor_refs: Vec<(&str, &QTensor)> =
        qtensors.iter().map(|(n, t)| (n.as_str(), t)).collect();
    let mut out = Cursor::new(Vec::new());
    gguf_file::write(&mut out, &meta_refs, &tensor_refs)
        .map_err(|e| Error::ModelFormat(format!("writing GGUF: {e}")))?;
    let bytes = out.into_inner();
    let report = ConvertReport {
        tensors: report,
        bytes: bytes.len(),
    };
    Ok((bytes, report))
}

fn encode(values: &[f32], ty: Quant) -> (GgmlDType, Vec<u8>) {
    match ty {
        Quant::F32 => (
            GgmlDType::F32,
            values.iter().flat_map(|v| v.to_le_bytes()).collect(),
        ),
        Quant::F16 => (
            GgmlDType::F16,
            values
                .iter()
                .flat_map(|v| half::f16::from_f32(*v).to_le_bytes())
                .collect(),
        ),
        Quant::Q8_0 => (GgmlDType::Q8_0, quantize::q8_0(values)),
        Quant::Q4_0 => (GgmlDType::Q4_0, quantize::q4_0(values)),
    }
}

/// Convert a Hugging Face folder (`config.json`, `tokenizer.json`, `model.safetensors`, and
/// optionally `provenance.json`, `LICENSE`, `NOTICE`) into a GGUF file at `out`.
pub fn convert_dir(
    dir: &std::path::Path,
    out: &std::path::Path,
    opts: &ConvertOptions,
) -> Result<ConvertReport> {
    let read = |name: &str| {
        let p = dir.join(name);
        std::fs::read(&p).map_err(|e| Error::io(&p, e))
    };
    let optional_text = |name: &str| {
        let p = dir.join(name);
        std::fs::read_to_string(&p).ok()
    };
    let text = |name: &str| {
        String::from_utf8(read(name)?).map_err(|_| Error::Config(format!("{name} is not UTF-8")))
    };
    if !dir.join("model.safetensors").exists() && dir.join("pytorch_model.bin").exists() {
        return Err(Error::ModelFormat(
            "found pytorch_model.bin but no model.safetensors: tokenveil does not read pickle files; \
             save the model with safe_serialization=True"
                .into(),
        ));
    }
    let provenance = Provenance {
        provenance: optional_text("provenance.json"),
        license: optional_text("LICENSE"),
        notice: optional_text("NOTICE"),
    };
    let (bytes, report) = convert_parts(
        &text("config.json")?,
        &text("tokenizer.json")?,
        &read("model.safetensors")?,
        &provenance,
        opts,
    )?;
    std::fs::write(out, &bytes).map_err(|e| Error::io(out, e))?;
    Ok(report)
}
