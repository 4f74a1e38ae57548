//! A model ready to run: config, tokenizer and network, loaded from one tokenveil GGUF, from
//! a Hugging Face folder, or from the three parts in memory (the browser's case).

use crate::config::{Head, ModelConfig};
use crate::error::{Error, Result};
use crate::file::source::ByteSource;
use crate::file::weights::{detect_format, detect_format_of, Format, Metadata, Weights};
use crate::model::layout::{tensor_specs, CLASSIFIER};
use crate::model::Network;
use crate::tokenize::{Encoded, TextTokenizer};
use candle_core::Tensor;

pub struct ModelBundle {
    pub config: ModelConfig,
    pub tokenizer: TextTokenizer,
    network: Network,
    /// Present for tokenveil GGUF files: provenance, licence, quantization.
    pub metadata: Option<Metadata>,
}

impl ModelBundle {
    /// Load a self-contained tokenveil GGUF from its bytes (read while loading, not kept).
    pub fn from_bytes(bytes: impl AsRef<[u8]>) -> Result<Self> {
        Self::from_source(&bytes.as_ref())
    }

    /// Load a self-contained tokenveil GGUF from wherever its bytes are, reading the header,
    /// then each tensor as its layer is built.
    pub fn from_source(source: &dyn ByteSource) -> Result<Self> {
        let head = source.read(0, source.len().min(16) as usize)?;
        match detect_format_of(&head, source.len())? {
            Format::Gguf => {
                let (weights, meta) = Weights::from_gguf(source)?;
                let mut bundle = Self::assemble(&meta.config_json, &meta.tokenizer_json, &weights)?;
                check_no_extra_tensors(&bundle.config, &weights)?;
                bundle.metadata = Some(meta);
                Ok(bundle)
            }
            Format::Safetensors => Err(Error::ModelFormat(
                "a safetensors file holds only weights: load it with its config.json and tokenizer.json \
                 (a Hugging Face folder), or convert the folder with `tokenveil convert`"
                    .into(),
            )),
        }
    }

    /// Load `config.json`, `tokenizer.json` and safetensors weights held in memory.
    pub fn from_parts(config_json: &str, tokenizer_json: &str, weights: &[u8]) -> Result<Self> {
        let weights = match detect_format(weights)? {
            Format::Safetensors => Weights::from_safetensors(weights)?,
            Format::Gguf => Weights::from_gguf(&weights)?.0,
        };
        Self::assemble(config_json, tokenizer_json, &weights)
    }

    /// A tokenveil GGUF file, or a Hugging Face folder with `config.json`, `tokenizer.json`
    /// and `model.safetensors` (`weights_file` picks another safetensors file in it).
    pub fn from_path(
        path: impl AsRef<std::path::Path>,
        weights_file: Option<&str>,
    ) -> Result<Self> {
        let path = path.as_ref();
        if path.is_dir() {
            let read = |name: &str| {
                let p = path.join(name);
                std::fs::read(&p).map_err(|e| Error::io(&p, e))
            };
            let text = |name: &str| {
                String::from_utf8(read(name)?)
                    .map_err(|_| Error::Config(format!("{name} is not UTF-8")))
            };
            let weights = read(weights_file.unwrap_or("model.safetensors"))?;
            Self::from_parts(&text("config.json")?, &text("tokenizer.json")?, &weights)
        } else {
            let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
            Self::from_bytes(bytes)
        }
    }

    fn assemble(config_json: &str, tokenizer_json: &str, weights: &Weights) -> Result<Self> {
        let config = ModelConfig::from_json(config_json)?;
        check_label_map(&config, weights)?;
        let tokenizer = TextTokenizer::from_json(
            tokenizer_json,
            config.vocab_size,
            config.max_position_embeddings,
        )?;
        let network = Network::load(weights, &config)?;
        Ok(ModelBundle {
            config,
            tokenizer,
            network,
            metadata: None,
        })
    }

    pub fn labels(&self) -> &[String] {
        &self.config.labels
    }

    /// Run a batch of encodings, padded to the longest with the pad id; returns logits
    /// (`[batch, seq, labels]` for token heads, `[batch, labels]` for sequence heads).
    pub fn forward(&self, batch: &[&Encoded]) -> Result<Tensor> {
        let seq = batch.iter().map(|e| e.len()).max().unwrap_or(0);
        let pad = self.config.pad_token_id.unwrap_or(0);
        let mut ids = Vec::with_capacity(batch.len());
        let mut mask = Vec::with_capacity(batch.len());
        for e in batch {
            let mut row = e.ids.clone();
            row.resize(seq, pad);
            let mut m = vec![1u32; e.len()];
            m.resize(seq, 0);
            ids.push(row);
            mask.push(m);
        }
        self.network.forward(&ids, &mask)
    }

    /// Raw padded-batch entry point, for parity tests against other runtimes.
    pub fn forward_ids(
        &self,
        input_ids: &[Vec<u32>],
        attention_mask: &[Vec<u32>],
    ) -> Result<Tensor> {
        self.network.forward(input_ids, attention_mask)
    }

    pub fn head(&self) -> Head {
        self.config.head
    }
}

/// A tokenveil GGUF holds exactly the model's tensors (the converter writes nothing else): a
/// tensor the model would not read means the file was built for another model or tampered with.
/// (Hugging Face safetensors may carry extras, such as a pooler, and they are ignored there.)
fn check_no_extra_tensors(config: &ModelConfig, weights: &Weights) -> Result<()> {
    let expected: std::collections::HashSet<String> =
        tensor_specs(config).into_iter().map(|s| s.name).collect();
    match weights.names().into_iter().find(|n| !expected.contains(*n)) {
        Some(extra) => Err(Error::ModelFormat(format!(
            "unexpected tensor `{extra}`: this file holds tensors a {} does not have",
            config.architecture
        ))),
        None => Ok(()),
    }
}

/// A label map that disagrees with the classifier would silently mislabel every prediction.
fn check_label_map(config: &ModelConfig, weights: &Weights) -> Result<()> {
    let name = format!("{CLASSIFIER}.weight");
    let rows = weights.shape(&name).and_then(|s| s.first().copied());
    match rows {
        Some(rows) if rows != config.num_labels() => Err(Error::LabelMap(format!(
            "config.json names {} labels but `{name}` has {rows} rows",
            config.num_labels()
        ))),
        _ => Ok(()),
    }
}
