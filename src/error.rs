//! One error type for the whole crate. Every variant has a stable, machine-readable
//! code (`Error::code`) that the CLI prints and the JS facade exposes as `ModelError.code`.

/// Result alias used throughout tokenveil.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// The bytes are not a model file we can read (bad magic, truncated, corrupt header).
    #[error("model file: {0}")]
    ModelFormat(String),
    /// A tokenveil GGUF written by a newer format than this build understands.
    #[error(
        "model file format version {found} is not supported (this build reads up to {supported})"
    )]
    UnsupportedVersion { found: u32, supported: u32 },
    /// config.json is missing, malformed, or describes an architecture we do not run.
    #[error("config: {0}")]
    Config(String),
    /// A tensor the architecture needs is not in the weights.
    #[error("missing tensor `{0}` (looked for it with and without the model prefix)")]
    MissingTensor(String),
    /// A tensor exists but its shape or type does not fit the config.
    #[error("tensor `{name}`: expected shape {expected:?}, found {found:?}")]
    TensorShape {
        name: String,
        expected: Vec<usize>,
        found: Vec<usize>,
    },
    /// tokenizer.json is malformed or does not fit the model.
    #[error("tokenizer: {0}")]
    Tokenizer(String),
    /// The label map in config.json disagrees with the classifier.
    #[error("label map: {0}")]
    LabelMap(String),
    /// An option passed by the caller is out of range or unknown.
    #[error("invalid option: {0}")]
    InvalidOption(String),
    /// The numerical backend failed while running the model.
    #[error("inference: {0}")]
    Inference(String),
    /// A file of a kind tokenveil does not redact (binary, images, office documents).
    #[error("unsupported format: {0}")]
    UnsupportedFormat(String),
    /// A document that does not parse as its format (a CSV quote never closed, broken JSON).
    #[error("invalid document: {0}")]
    InvalidDocument(String),
}

impl Error {
    /// Stable code for programs (CLI exit JSON, JS `ModelError.code`). Never renamed.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Io { .. } => "io",
            Error::ModelFormat(_) => "model_format",
            Error::UnsupportedVersion { .. } => "unsupported_version",
            Error::Config(_) => "config",
            Error::MissingTensor(_) => "missing_tensor",
            Error::TensorShape { .. } => "tensor_shape",
            Error::Tokenizer(_) => "tokenizer",
            Error::LabelMap(_) => "label_map",
            Error::InvalidOption(_) => "invalid_option",
            Error::Inference(_) => "inference",
            Error::UnsupportedFormat(_) => "unsupported_format",
            Error::InvalidDocument(_) => "invalid_document",
        }
    }

    pub fn io(path: impl AsRef<std::path::Path>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.as_ref().display().to_string(),
            source,
        }
    }
}

/// Candle errors only arise while running (or assembling) a model whose inputs we already
/// validated, so they surface as `inference`.
impl From<candle_core::Error> for Error {
    fn from(e: candle_core::Error) -> Self {
        Error::Inference(e.to_string())
    }
}
