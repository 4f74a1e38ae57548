//! The command line as clap reads it: subcommands, flags and their choices.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use tokenveil::convert::Quant;
use tokenveil::documents::DocumentFormat;
use tokenveil::offsets::OffsetEncoding;
use tokenveil::pipelines::text_classification::FunctionToApply;
use tokenveil::pipelines::token_classification::AggregationStrategy;

#[derive(Parser)]
#[command(
    name = "tokenveil",
    version,
    about = "Token and text classification with DistilBERT/BERT models, on device"
)]
pub struct Cli {
    /// Print results (and errors) as JSON.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Per-token logits, softmax probabilities and predicted labels.
    Logits(LogitsArgs),
    /// Entities (named entities, PII, part-of-speech tags) with Hugging Face's pipeline fields.
    /// With --json: {"offsets": UNIT, "entities": [...]}; with --jsonl each record gains that
    /// object as "ner".
    Ner(NerArgs),
    /// Text classification (sentiment, ...): labels with scores, best first. With --json:
    /// {"labels": [...], "truncated": BOOL}; with --jsonl each record gains that object as
    /// "classification".
    Classify(ClassifyArgs),
    /// Redact personal data: model entities plus validated patterns, then an operator per type.
    /// Prints the redacted text; with --json: {"offsets", "text", "spans", "mapping"} (the
    /// mapping is what `restore` reads). With --jsonl each record comes back with its text
    /// redacted (and with --json, "redaction": {"offsets", "spans", "mapping"}). With --file a
    /// whole document (txt, md, csv, tsv, json, jsonl) is redacted in its own format.
    Redact(RedactArgs),
    /// Put the original values back into a reply written against redacted text: every
    /// placeholder or hash in the mapping becomes the value it replaced.
    Restore(RestoreArgs),
    /// Evaluate a model: entity F1 (seqeval semantics) or tag accuracy on a CoNLL file,
    /// accuracy on a `sentence<TAB>label` TSV file.
    Eval(EvalArgs),
    /// Convert a Hugging Face folder into one self-contained tokenveil GGUF file.
    Convert(ConvertArgs),
    /// What a model file holds: architecture, labels, quantization, provenance.
    Info(InfoArgs),
}

#[derive(Args)]
pub struct LogitsArgs {
    /// A tokenveil .gguf file or a Hugging Face folder.
    #[arg(long, short)]
    pub model: PathBuf,
    /// In a Hugging Face folder: the safetensors file to read (default model.safetensors).
    #[arg(long)]
    pub weights: Option<String>,
    /// Table only: show each token's K most probable labels instead of every label.
    #[arg(long)]
    pub top: Option<usize>,
    /// What each token's `start`/`end` count.
    #[arg(long, value_enum, default_value_t = OffsetUnit::Char)]
    pub offsets: OffsetUnit,
    /// The text; read from stdin when absent.
    pub text: Option<String>,
}

#[derive(Args)]
pub struct NerArgs {
    /// A token-classification model: a tokenveil .gguf file or a Hugging Face folder.
    #[arg(long, short)]
    pub model: PathBuf,
    /// How word pieces become entities (Hugging Face's aggregation_strategy; `none`, its
    /// default and the Rust and npm APIs', gives one row per token).
    #[arg(long, value_enum, default_value_t = AggregationStrategy::None)]
    pub aggregation: AggregationStrategy,
    /// What `start`/`end` count (characters: what Hugging Face gives).
    #[arg(long, value_enum, default_value_t = OffsetUnit::Char)]
    pub offsets: OffsetUnit,
    /// Tokens shared by consecutive windows over long text (default: a quarter window).
    #[arg(long)]
    pub stride: Option<usize>,
    /// Comma-separated labels to drop. Pass "" to keep every label.
    #[arg(long, default_value = "O")]
    pub ignore_labels: String,
    #[command(flatten)]
    pub bulk: JsonlArgs,
    /// The text; read from stdin when absent.
    pub text: Option<String>,
}

#[derive(Args)]
pub struct ClassifyArgs {
    /// A sequence-classification model: a tokenveil .gguf file or a Hugging Face folder.
    #[arg(long, short)]
    pub model: PathBuf,
    /// How many labels to show, best first: a number, or `all` (default 1, as Hugging Face,
    /// Transformers.js and the Rust and npm APIs).
    #[arg(long, value_name = "N|all", default_value = "1", value_parser = parse_top_k)]
    pub top_k: TopK,
    /// The function over the logits.
    #[arg(long, value_enum, default_value_t = FunctionToApply::Default)]
    pub function: FunctionToApply,
    #[command(flatten)]
    pub bulk: JsonlArgs,
    /// The text; read from stdin when absent.
    pub text: Option<String>,
}

#[derive(Args)]
pub struct RedactArgs {
    /// Token-classification models for names, addresses, ... (repeatable: their entities
    /// are pooled). Without one: $TOKENVEIL_MODEL, else the repository's
    /// models/pii/pii-q8_0.gguf.
    #[arg(long, short)]
    pub model: Vec<PathBuf>,
    /// Patterns alone, no model.
    #[arg(long, conflicts_with = "model")]
    pub no_model: bool,
    /// A RedactorConfig as JSON (detectors, custom_patterns, deny_list, allow_list,
    /// disabled_types, thresholds, min_score, operators, default_operator,
    /// model_label_map, hash_key; or the JS options' names: allowList, fromEnd, ...); unknown
    /// keys are errors, missing ones take their defaults.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// TYPE=OP, repeatable; TYPE `default` sets the default. OP: placeholder, remove, keep,
    /// replace[:TEMPLATE], mask[:CHAR[:KEEP[:end]]], hash.
    #[arg(long = "operator")]
    pub operators: Vec<String>,
    /// The key of the `hash` operator's HMAC (else $TOKENVEIL_HASH_KEY, else a random key
    /// for this run: hashes then differ between runs).
    #[arg(long)]
    pub hash_key: Option<String>,
    /// With --json: what the spans' `start`/`end` and `new_start`/`new_end` count.
    #[arg(long, value_enum, default_value_t = OffsetUnit::Char)]
    pub offsets: OffsetUnit,
    #[command(flatten)]
    pub bulk: JsonlArgs,
    #[command(flatten)]
    pub document: DocumentArgs,
    /// The text; read from stdin when absent.
    pub text: Option<String>,
}

/// `redact --file`: a whole document, the walkers the npm package's `redactFile` uses.
#[derive(Args)]
pub struct DocumentArgs {
    /// Redact this document and print it (or write it to --output): txt and md whole; csv and
    /// tsv cell by cell, each row read as context, header and quoting kept; json and jsonl
    /// every string value, keys and everything else byte for byte. One value gets one
    /// placeholder throughout the file. Other file types are an `unsupported_format` error.
    /// With --json: {"format", "output", "records", "values", "offsets", "spans", "mapping"}
    /// (plus "content" without --output; `restore --mapping` reads it).
    #[arg(long, conflicts_with_all = ["jsonl", "text"])]
    pub file: Option<PathBuf>,
    /// With --file: its format, when its extension does not say.
    #[arg(long, value_enum, requires = "file")]
    pub format: Option<FormatArg>,
    /// With --file: write the redacted document here instead of stdout.
    #[arg(long, short, requires = "file")]
    pub output: Option<PathBuf>,
    /// With --file: keep these values as they are: a CSV/TSV column (header name or 1-based
    /// number) or a JSON key or key path (`customer.email`; array indices left out).
    /// Repeatable; a selector that matches nothing is an error.
    #[arg(long, requires = "file")]
    pub skip: Vec<String>,
    /// With --file: SELECTOR=TYPE, replace these values whole as TYPE, whatever the detectors
    /// say (`--force name=PERSON`). Repeatable.
    #[arg(long, requires = "file")]
    pub force: Vec<String>,
    /// With --file: the CSV/TSV file has no header row (columns are then 1, 2, ...).
    #[arg(long, requires = "file")]
    pub no_header: bool,
}

/// `redact --format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Txt,
    Md,
    Csv,
    Tsv,
    Json,
    Jsonl,
}

impl FormatArg {
    pub fn format(self) -> DocumentFormat {
        match self {
            FormatArg::Txt => DocumentFormat::Text,
            FormatArg::Md => DocumentFormat::Markdown,
            FormatArg::Csv => DocumentFormat::Csv,
            FormatArg::Tsv => DocumentFormat::Tsv,
            FormatArg::Json => DocumentFormat::Json,
            FormatArg::Jsonl => DocumentFormat::Jsonl,
        }
    }
}

#[derive(Args)]
pub struct RestoreArgs {
    /// JSON with the mapping: the output of `redact --json`, one record of
    /// `redact --jsonl --json`, or a list of [replacement, original] pairs.
    #[arg(long)]
    pub mapping: PathBuf,
    /// The reply; read from stdin when absent.
    pub text: Option<String>,
}

#[derive(Args)]
pub struct EvalArgs {
    /// The model to evaluate (with --pii: by default the redactor's default model, see
    /// `redact --help`; or --no-model, or --predictions).
    #[arg(long, short)]
    pub model: Option<PathBuf>,
    /// CoNLL file (whitespace columns, blank line between sentences).
    #[arg(long, conflicts_with = "tsv")]
    pub conll: Option<PathBuf>,
    /// Which CoNLL column holds the tags (0-based; -1 = last).
    #[arg(long, default_value_t = -1, allow_negative_numbers = true)]
    pub column: isize,
    /// For CoNLL: what to score.
    #[arg(long, value_enum, default_value_t = Metric::Entities)]
    pub metric: Metric,
    /// TSV file with `sentence<TAB>label` (label: a label name or its id).
    #[arg(long)]
    pub tsv: Option<PathBuf>,
    /// Presidio-style PII JSON (`full_text`, `spans` with code-point offsets): what the
    /// redactor (the model plus the pattern detectors) leaves in the clear (protected
    /// share of gold spans, over-redaction), and span precision/recall per type.
    #[arg(long)]
    pub pii: Option<PathBuf>,
    /// With --pii: the model alone, pattern detectors off.
    #[arg(long)]
    pub no_patterns: bool,
    /// With --pii: the pattern detectors alone, no model.
    #[arg(long, conflicts_with = "model")]
    pub no_model: bool,
    /// With --pii: score another system's spans instead of running tokenveil: a JSON list
    /// in the same form as the gold file, the same texts in the same order.
    #[arg(long, conflicts_with_all = ["model", "no_model", "no_patterns"])]
    pub predictions: Option<PathBuf>,
    /// With --pii: also write tokenveil's spans to this file, in the gold file's form
    /// (code-point offsets), to read what leaked or to score again with --predictions.
    #[arg(long, conflicts_with = "predictions")]
    pub save_predictions: Option<PathBuf>,
    /// With --pii: score the redactor with these options (a RedactorConfig as JSON, as
    /// `redact --config` reads it: thresholds, min_score, detectors, lists, ...).
    #[arg(long, conflicts_with = "predictions")]
    pub config: Option<PathBuf>,
    #[arg(long, default_value_t = 16)]
    pub batch_size: usize,
}

#[derive(Args)]
pub struct ConvertArgs {
    /// Folder with config.json, tokenizer.json, model.safetensors (and optionally
    /// provenance.json, LICENSE, NOTICE, which travel in the file).
    pub dir: PathBuf,
    #[arg(long, short)]
    pub output: PathBuf,
    /// Linear-layer weights.
    #[arg(long, value_enum, default_value_t = Quant::F32)]
    pub quant: Quant,
    /// Embedding tables (default: f16 for --quant f16, else f32).
    #[arg(long, value_enum)]
    pub embeddings: Option<EmbeddingType>,
    /// Store the linear-layer weights whose name matches GLOB as TYPE instead of --quant
    /// (`*` matches any characters), e.g. `'*.ffn.lin2.weight=q8_0'` or
    /// `classifier.weight=q8_0`. Repeatable; the last match wins. Names are the Hugging
    /// Face ones; `convert --json` lists every tensor with the type it got.
    #[arg(long, value_name = "GLOB=TYPE")]
    pub quant_override: Vec<String>,
    /// A human-readable model name stored as general.name.
    #[arg(long)]
    pub name: Option<String>,
}

#[derive(Args)]
pub struct InfoArgs {
    #[arg(long, short)]
    pub model: PathBuf,
}

/// What `start`/`end` (and `new_start`/`new_end`) count in printed spans.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OffsetUnit {
    /// Characters (Unicode scalar values), as Python and the Hugging Face pipelines count.
    #[value(alias = "chars", alias = "codepoint")]
    Char,
    /// UTF-8 bytes, as the Rust API counts.
    #[value(alias = "bytes", alias = "utf8")]
    Byte,
    /// UTF-16 code units, as JavaScript strings (and the npm package) count.
    Utf16,
}

impl OffsetUnit {
    pub fn encoding(self) -> OffsetEncoding {
        match self {
            OffsetUnit::Char => OffsetEncoding::Codepoint,
            OffsetUnit::Byte => OffsetEncoding::Utf8,
            OffsetUnit::Utf16 => OffsetEncoding::Utf16,
        }
    }

    /// The name JSON output gives the unit (`"offsets": "char"`).
    pub fn name(self) -> &'static str {
        match self {
            OffsetUnit::Char => "char",
            OffsetUnit::Byte => "byte",
            OffsetUnit::Utf16 => "utf16",
        }
    }
}

/// `--jsonl`, shared by `ner`, `classify` and `redact`.
#[derive(Args)]
pub struct JsonlArgs {
    /// Bulk: JSON Lines from stdin (or --input), one record per line: a JSON string, or an
    /// object whose --field is a string. Each record comes back on its own line, in order,
    /// with its result (a string record as {"text": ..., RESULT: ...}); blank lines stay
    /// blank. The model loads once and reads records in batches. A record that fails becomes
    /// {"error": {code, message, line}} on its line, the others go on, and the exit status is
    /// then 1. A record counter goes to stderr when it is a terminal.
    #[arg(long, conflicts_with = "text")]
    pub jsonl: bool,
    /// With --jsonl: the field of each object that holds the text.
    #[arg(long, default_value = "text", requires = "jsonl")]
    pub field: String,
    /// With --jsonl: read this file instead of stdin.
    #[arg(long, requires = "jsonl")]
    pub input: Option<PathBuf>,
}

/// `classify --top-k`: a count, or `None` for every label.
#[derive(Clone, Copy, Debug)]
pub struct TopK(pub Option<usize>);

fn parse_top_k(s: &str) -> Result<TopK, String> {
    match s {
        "all" => Ok(TopK(None)),
        n => match n.parse::<usize>() {
            Ok(k) if k >= 1 => Ok(TopK(Some(k))),
            _ => Err("expected a number of labels (1 or more) or `all`".into()),
        },
    }
}

/// `eval --metric` over a CoNLL file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Metric {
    /// IOB2 entity precision, recall and F1 (seqeval's default semantics).
    Entities,
    /// Per-word tag accuracy.
    Accuracy,
}

/// `convert --embeddings`: the types an embedding table can be stored in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum EmbeddingType {
    F32,
    F16,
    #[value(name = "q8_0")]
    Q8_0,
}

impl From<EmbeddingType> for Quant {
    fn from(t: EmbeddingType) -> Quant {
        match t {
            EmbeddingType::F32 => Quant::F32,
            EmbeddingType::F16 => Quant::F16,
            EmbeddingType::Q8_0 => Quant::Q8_0,
        }
    }
}
