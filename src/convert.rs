//! Hugging Face folder -> one self-contained tokenveil GGUF: tensors (canonical HF names,
//! linear layers optionally quantized) plus `config.json`, `tokenizer.json`, provenance,
//! licence and notice as metadata, so a browser fetches one file per model.

use crate::bundle::ModelBundle;
use crate::config::ModelConfig;
use crate::error::{Error, Result};
use crate::file::blocks;
use crate::file::weights::{keys, Weights, FORMAT_VERSION};
use crate::model::layout::{tensor_specs, Kind, CLASSIFIER};
use crate::model::Resolver;
use candle_core::quantized::{ggml_file::qtensor_from_ggml, gguf_file, GgmlDType, QTensor};
use candle_core::Device;
use std::io::Cursor;
use std::str::FromStr;

/// Storage type of linear-layer weights (and, for f16, of embeddings).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[non_exhaustive]
pub enum Quant {
    F32,
    F16,
    #[cfg_attr(feature = "cli", value(name = "q8_0"))]
    Q8_0,
    #[cfg_attr(feature = "cli", value(name = "q4_0"))]
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
    /// Linear-layer weights to store in another type than `quant`, llama.cpp-style mixed
    /// precision (the most sensitive layers in Q8_0 inside a Q4_0 file, say). Where several
    /// patterns match a tensor, the last one wins; each must match at least one linear weight.
    pub overrides: Vec<QuantOverride>,
}

/// `GLOB=TYPE`: linear weights whose canonical name (`distilbert.transformer.layer.5.ffn.lin2.weight`,
/// `classifier.weight`) matches `GLOB`, where `*` stands for any run of characters, are stored
/// as `TYPE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuantOverride {
    pub pattern: String,
    pub quant: Quant,
}

impl FromStr for QuantOverride {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let (pattern, quant) = s.rsplit_once('=').ok_or_else(|| {
            Error::InvalidOption(format!(
                "quantization override `{s}`: expected GLOB=TYPE, as in `*.ffn.lin2.weight=q8_0`"
            ))
        })?;
        if pattern.is_empty() {
            return Err(Error::InvalidOption(format!(
                "quantization override `{s}`: the pattern before `=` is empty"
            )));
        }
        Ok(QuantOverride {
            pattern: pattern.to_string(),
            quant: quant.parse().map_err(|_| {
                Error::InvalidOption(format!(
                    "quantization override `{s}`: unknown type `{quant}` (f32, f16, q8_0, q4_0)"
                ))
            })?,
        })
    }
}

impl std::fmt::Display for QuantOverride {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}={}", self.pattern, self.quant.name())
    }
}

impl QuantOverride {
    fn matches(&self, name: &str) -> bool {
        glob_match(&self.pattern, name)
    }
}

/// Whole-string match where `*` matches any run of characters (dots included) and every other
/// character matches itself: greedy with backtracking to the last `*`, linear in practice.
fn glob_match(pattern: &str, name: &str) -> bool {
    let (p, n) = (pattern.as_bytes(), name.as_bytes());
    let (mut i, mut j) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while j < n.len() {
        if i < p.len() && p[i] == b'*' {
            star = Some((i, j));
            i += 1;
        } else if i < p.len() && p[i] == n[j] {
            i += 1;
            j += 1;
        } else if let Some((si, sj)) = star {
            i = si + 1;
            j = sj + 1;
            star = Some((si, sj + 1));
        } else {
            return false;
        }
    }
    p[i..].iter().all(|&c| c == b'*')
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
    /// Why a linear layer's type is not `quant`: an override chose it, or it stayed f32
    /// although quantization was asked for.
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

    let specs = tensor_specs(&config);
    for o in &opts.overrides {
        if !specs
            .iter()
            .any(|s| s.kind == Kind::Linear && o.matches(&s.name))
        {
            let example = specs
                .iter()
                .find(|s| s.kind == Kind::Linear)
                .map_or("", |s| s.name.as_str());
            let other = if specs.iter().any(|s| o.matches(&s.name)) {
                " (it matches only embeddings, norms or biases, which overrides do not change)"
            } else {
                ""
            };
            return Err(Error::InvalidOption(format!(
                "quantization override `{o}` matches no linear-layer weight{other}; their names look like `{example}` or `{CLASSIFIER}.weight`"
            )));
        }
    }

    let linear = specs.iter().filter(|s| s.kind == Kind::Linear).count();
    // Override types that differ from `quant`, and how many linear layers got each.
    let mut overridden = std::collections::BTreeMap::new();
    let mut qtensors = Vec::new();
    let mut report = Vec::new();
    for spec in specs {
        let stored = resolver.resolve(&spec.name)?;
        let values = weights
            .f32(&stored, &spec.shape)?
            .flatten_all()?
            .to_vec1::<f32>()?;
        let in_dim = spec.shape.last().copied().unwrap_or(1);
        let (ty, note) = match spec.kind {
            Kind::Norm | Kind::Bias => (Quant::F32, None),
            Kind::Embedding if embeddings == Quant::Q8_0 && in_dim % blocks::BLOCK != 0 => (
                Quant::F16,
                Some(format!(
                    "kept in f16: width {in_dim} is not a multiple of the 32-element q8_0 block"
                )),
            ),
            Kind::Embedding => (embeddings, None),
            Kind::Linear => {
                let chosen = opts.overrides.iter().rev().find(|o| o.matches(&spec.name));
                match chosen.map_or(opts.quant, |o| o.quant) {
                    q @ (Quant::Q8_0 | Quant::Q4_0) if in_dim % blocks::BLOCK != 0 => (
                        Quant::F32,
                        Some(format!(
                            "kept in f32: input size {in_dim} is not a multiple of the {}-element {} block",
                            blocks::BLOCK,
                            q.name()
                        )),
                    ),
                    q => match chosen.filter(|_| q != opts.quant) {
                        Some(o) => {
                            *overridden.entry(q.name()).or_insert(0) += 1;
                            (q, Some(format!("{} by override `{o}`", q.name())))
                        }
                        None => (q, None),
                    },
                }
            }
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
            gguf_file::Value::String(quantization_summary(opts.quant, &overridden, linear)),
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

/// `quant`, or for a mixed file what else it holds: `q4_0 (q8_0: 7 of 37 linear layers)`.
fn quantization_summary(
    quant: Quant,
    overridden: &std::collections::BTreeMap<&str, usize>,
    linear: usize,
) -> String {
    if overridden.is_empty() {
        return quant.name().to_string();
    }
    let parts: Vec<String> = overridden
        .iter()
        .map(|(ty, n)| format!("{ty}: {n} of {linear} linear layers"))
        .collect();
    format!("{} ({})", quant.name(), parts.join(", "))
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
        Quant::Q8_0 => (GgmlDType::Q8_0, blocks::q8_0(values)),
        Quant::Q4_0 => (GgmlDType::Q4_0, blocks::q4_0(values)),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The tiny DistilBERT token classifier (dim 32, hidden 48, 2 layers): `ffn.lin2` reads 48
    /// inputs, not a whole number of 32-element blocks, so it stays f32 whatever is asked.
    fn convert_tiny(quant: Quant, overrides: &[&str]) -> Result<(Vec<u8>, ConvertReport)> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/golden/tiny/distilbert-token");
        let read = |n: &str| std::fs::read(dir.join(n)).unwrap();
        let text = |n: &str| String::from_utf8(read(n)).unwrap();
        let opts = ConvertOptions {
            quant,
            embeddings: None,
            name: None,
            overrides: overrides.iter().map(|o| o.parse()).collect::<Result<_>>()?,
        };
        convert_parts(
            &text("config.json"),
            &text("tokenizer.json"),
            &read("model.safetensors"),
            &Provenance::default(),
            &opts,
        )
    }

    /// Tensor name -> GGML type, as written in the file.
    fn stored_types(bytes: &[u8]) -> std::collections::HashMap<String, GgmlDType> {
        let content = gguf_file::Content::read(&mut Cursor::new(bytes)).unwrap();
        content
            .tensor_infos
            .iter()
            .map(|(n, i)| (n.clone(), i.ggml_dtype))
            .collect()
    }

    #[test]
    fn glob_matches_whole_names() {
        let name = "distilbert.transformer.layer.1.ffn.lin2.weight";
        for p in [
            name,
            "*",
            "*.lin2.weight",
            "distilbert.*.layer.1.*",
            "*layer.1*lin2*",
            "**.weight",
        ] {
            assert!(glob_match(p, name), "{p}");
        }
        for p in [
            "*.lin2",
            "lin2.weight",
            "*.layer.0.*",
            "distilbert.transformer.layer.1.ffn.lin2.weight.",
            "",
        ] {
            assert!(!glob_match(p, name), "{p}");
        }
        assert!(glob_match("", ""));
        assert!(glob_match("a*a*a", "aaa") && !glob_match("a*a*a", "aa"));
    }

    #[test]
    fn overrides_set_the_type_of_the_matching_linear_layers_only() {
        let (bytes, report) = convert_tiny(
            Quant::Q4_0,
            &[
                "*.layer.1.attention.*_lin.weight=q8_0",
                "classifier.weight=f16",
                // Later overrides win: k_lin goes back to q4_0, which is `quant`, so no note.
                "*.layer.1.attention.k_lin.weight=q4_0",
                // Stays f32: 48 inputs are not whole blocks.
                "*.ffn.lin2.weight=q8_0",
            ],
        )
        .unwrap();
        let types = stored_types(&bytes);
        let layer1 = "distilbert.transformer.layer.1";
        for (name, want) in [
            (format!("{layer1}.attention.q_lin.weight"), GgmlDType::Q8_0),
            (format!("{layer1}.attention.v_lin.weight"), GgmlDType::Q8_0),
            (
                format!("{layer1}.attention.out_lin.weight"),
                GgmlDType::Q8_0,
            ),
            (format!("{layer1}.attention.k_lin.weight"), GgmlDType::Q4_0),
            ("classifier.weight".into(), GgmlDType::F16),
            (format!("{layer1}.ffn.lin1.weight"), GgmlDType::Q4_0),
            (format!("{layer1}.ffn.lin2.weight"), GgmlDType::F32),
            (
                "distilbert.transformer.layer.0.attention.q_lin.weight".into(),
                GgmlDType::Q4_0,
            ),
            (
                "distilbert.transformer.layer.0.ffn.lin2.weight".into(),
                GgmlDType::F32,
            ),
            // Biases and embeddings are not linear weights: `*` patterns leave them alone.
            (format!("{layer1}.attention.q_lin.bias"), GgmlDType::F32),
            (
                "distilbert.embeddings.word_embeddings.weight".into(),
                GgmlDType::F32,
            ),
        ] {
            assert_eq!(types[&name], want, "{name}");
        }
        let notes: Vec<(&str, &str)> = report
            .tensors
            .iter()
            .filter_map(|t| Some((t.name.as_str(), t.note.as_deref()?)))
            .filter(|(_, n)| n.contains("override"))
            .collect();
        assert_eq!(notes.len(), 4, "{notes:?}");
        assert!(notes.contains(&(
            "classifier.weight",
            "f16 by override `classifier.weight=f16`"
        )));

        let bundle = ModelBundle::from_bytes(bytes).unwrap();
        assert_eq!(
            bundle.metadata.unwrap().quantization,
            "q4_0 (f16: 1 of 13 linear layers, q8_0: 3 of 13 linear layers)"
        );
    }

    #[test]
    fn the_loader_reads_each_tensor_in_its_own_type() {
        let logits = |quant, overrides: &[&str]| {
            let bundle =
                ModelBundle::from_bytes(convert_tiny(quant, overrides).unwrap().0).unwrap();
            let ids = [vec![0u32, 5, 9, 12, 3, 1]];
            let mask = [vec![1u32; 6]];
            let t = bundle.forward_ids(&ids, &mask).unwrap();
            t.flatten_all().unwrap().to_vec1::<f32>().unwrap()
        };
        // Every linear layer overridden to q8_0 in a q4_0 file: the q8_0 file's numbers.
        assert_eq!(logits(Quant::Q4_0, &["*=q8_0"]), logits(Quant::Q8_0, &[]));
        // A true mixture (q, k, v still share one format, so they still fuse) runs, and its
        // q8_0 layers are read as such: it is neither file.
        let mixed = logits(Quant::Q4_0, &["*.attention.*=q8_0"]);
        assert!(mixed.iter().all(|v| v.is_finite()));
        assert_ne!(mixed, logits(Quant::Q4_0, &[]));
        assert_ne!(mixed, logits(Quant::Q8_0, &[]));
    }

    #[test]
    fn bad_overrides_are_invalid_options() {
        for (overrides, says) in [
            (&["*.lin2.weight"][..], "expected GLOB=TYPE"),
            (&["=q8_0"][..], "pattern before `=` is empty"),
            (&["*.lin2.weight=q5_k"][..], "unknown type `q5_k`"),
            (
                &["*.lin3.weight=q8_0"][..],
                "matches no linear-layer weight;",
            ),
            (
                &["classifier.weight=q8_0", "*.lin3.weight=q8_0"][..],
                "`*.lin3.weight=q8_0`",
            ),
            (
                &["*.bias=q8_0"][..],
                "matches only embeddings, norms or biases",
            ),
            (&["*word_embeddings*=q8_0"][..], "matches only embeddings"),
        ] {
            let e = convert_tiny(Quant::Q4_0, overrides).unwrap_err();
            assert_eq!(e.code(), "invalid_option", "{overrides:?}: {e}");
            assert!(e.to_string().contains(says), "{overrides:?}: {e}");
        }
        // The error names real tensors to copy from.
        let e = convert_tiny(Quant::Q4_0, &["lin2=q8_0"])
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("distilbert.transformer.layer.0.attention.q_lin.weight")
                && e.contains("classifier.weight"),
            "{e}"
        );
    }

    #[test]
    fn no_override_keeps_the_plain_file() {
        let (plain, _) = convert_tiny(Quant::Q8_0, &[]).unwrap();
        // An override to the type already asked for changes nothing, not even the metadata.
        let (same, report) = convert_tiny(Quant::Q8_0, &["*=q8_0"]).unwrap();
        assert_eq!(plain, same);
        assert!(report.tensors.iter().all(|t| !t
            .note
            .as_deref()
            .unwrap_or("")
            .contains("override")));
    }
}
