//! The `tokenveil` command line: the native face of the same core the browser runs.

use clap::{Parser, Subcommand};
use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;
use tokenveil::convert::{convert_dir, ConvertOptions, Quant};
use tokenveil::eval::{
    accuracy, entity_scores, leak_scores, pii_byte_spans, read_conll, read_pii_json, read_tsv,
    span_scores, TypedSpans,
};
use tokenveil::offsets::{OffsetEncoding, OffsetMap};
use tokenveil::pipelines::redaction::PiiRedactor;
use tokenveil::pipelines::text_classification::{TextClassificationOptions, TextClassifier};
use tokenveil::pipelines::token_classification::{TokenClassificationOptions, TokenClassifier};
use tokenveil::pipelines::token_details::{token_logits, TokenLogits};
use tokenveil::redact::{DetectorSet, Operator, RedactorConfig};
use tokenveil::{Error, ModelBundle, Result};

#[derive(Parser)]
#[command(
    name = "tokenveil",
    version,
    about = "Token and text classification with DistilBERT/BERT models, on device"
)]
struct Cli {
    /// Print results (and errors) as JSON.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Per-token logits, softmax probabilities and predicted labels.
    Logits {
        /// A tokenveil .gguf file or a Hugging Face folder.
        #[arg(long, short)]
        model: PathBuf,
        /// In a Hugging Face folder: the safetensors file to read (default model.safetensors).
        #[arg(long)]
        weights: Option<String>,
        /// Table only: show each token's K most probable labels instead of every label.
        #[arg(long)]
        top: Option<usize>,
        /// The text; read from stdin when absent.
        text: Option<String>,
    },
    /// Entities (named entities, PII, part-of-speech tags) with Hugging Face's pipeline fields;
    /// `start`/`end` count characters (Unicode scalar values, as Python's str and the HF
    /// pipeline do), or UTF-8 bytes with `--offsets bytes`.
    Ner {
        #[arg(long, short)]
        model: PathBuf,
        /// How word pieces become entities (Hugging Face's aggregation_strategy).
        #[arg(long, default_value = "simple", value_parser = ["none", "simple", "first", "average", "max"])]
        aggregation: String,
        /// What `start`/`end` count: characters (Hugging Face's offsets) or UTF-8 bytes.
        #[arg(long, default_value = "chars", value_parser = ["chars", "bytes"])]
        offsets: String,
        /// Tokens shared by consecutive windows over long text (default: a quarter window).
        #[arg(long)]
        stride: Option<usize>,
        /// Comma-separated labels to drop (default: O). Pass "" to keep every label.
        #[arg(long, default_value = "O")]
        ignore_labels: String,
        text: Option<String>,
    },
    /// Text classification (sentiment, ...): labels with scores, best first.
    Classify {
        #[arg(long, short)]
        model: PathBuf,
        /// How many labels to show, or "all".
        #[arg(long, default_value = "all")]
        top_k: String,
        /// The function over the logits: the model's default (as Hugging Face: none for a
        /// regression head, sigmoid for a multi-label or one-label head, else softmax), or one
        /// named.
        #[arg(long, default_value = "default", value_parser = ["default", "softmax", "sigmoid", "none"])]
        function: String,
        text: Option<String>,
    },
    /// Redact personal data: model entities plus validated patterns, then an operator per type.
    /// Prints the redacted text (or, with --json, the text, every span and the restore mapping).
    Redact {
        /// Token-classification models for names, addresses, ... (repeatable: their entities
        /// are pooled). Without one: $TOKENVEIL_MODEL, else the repository's
        /// models/pii/pii-q8_0.gguf.
        #[arg(long, short)]
        model: Vec<PathBuf>,
        /// Patterns alone, no model.
        #[arg(long, conflicts_with = "model")]
        no_model: bool,
        /// A RedactorConfig as JSON (detectors, custom_patterns, deny_list, allow_list,
        /// disabled_types, thresholds, min_score, operators, default_operator,
        /// model_label_map, hash_key); unknown keys are errors.
        #[arg(long)]
        config: Option<PathBuf>,
        /// TYPE=OP, repeatable; TYPE `default` sets the default. OP: placeholder, remove, keep,
        /// replace[:TEMPLATE], mask[:CHAR[:KEEP[:end]]], hash.
        #[arg(long = "operator")]
        operators: Vec<String>,
        /// The key of the `hash` operator's HMAC (else $TOKENVEIL_HASH_KEY, else a random key
        /// for this run: hashes then differ between runs).
        #[arg(long)]
        hash_key: Option<String>,
        /// Bulk: JSON Lines from stdin (or --input), one record per line: a JSON string, or an
        /// object whose --field is a string. Each record is written back on its own line with
        /// that string redacted (with --json, plus "redaction": its spans and mapping). The
        /// model loads once; records are independent, and hashes share the run's one key. A
        /// record that cannot be redacted becomes {"error": {code, message, line}} on its line,
        /// the others go on, and the exit status is then 1.
        #[arg(long, conflicts_with = "text")]
        jsonl: bool,
        /// With --jsonl: the field of each object to redact.
        #[arg(long, default_value = "text", requires = "jsonl")]
        field: String,
        /// With --jsonl: read this file instead of stdin.
        #[arg(long, requires = "jsonl")]
        input: Option<PathBuf>,
        text: Option<String>,
    },
    /// Evaluate a model: entity F1 (seqeval semantics) or tag accuracy on a CoNLL file,
    /// accuracy on a `sentence<TAB>label` TSV file.
    Eval {
        /// The model to evaluate (with --pii: by default the redactor's default model, see
        /// `redact --help`; or --no-model, or --predictions).
        #[arg(long, short)]
        model: Option<PathBuf>,
        /// CoNLL file (whitespace columns, blank line between sentences).
        #[arg(long, conflicts_with = "tsv")]
        conll: Option<PathBuf>,
        /// Which CoNLL column holds the tags (0-based; -1 = last).
        #[arg(long, default_value_t = -1, allow_negative_numbers = true)]
        column: isize,
        /// For CoNLL: `entities` (IOB2 entity P/R/F1) or `accuracy` (per-word tags).
        #[arg(long, default_value = "entities", value_parser = ["entities", "accuracy"])]
        metric: String,
        /// TSV file with `sentence<TAB>label` (label: a label name or its id).
        #[arg(long)]
        tsv: Option<PathBuf>,
        /// Presidio-style PII JSON (`full_text`, `spans` with code-point offsets): what the
        /// redactor (the model plus the pattern detectors) leaves in the clear (protected
        /// share of gold spans, over-redaction), and span precision/recall per type.
        #[arg(long)]
        pii: Option<PathBuf>,
        /// With --pii: the model alone, pattern detectors off.
        #[arg(long)]
        no_patterns: bool,
        /// With --pii: the pattern detectors alone, no model.
        #[arg(long, conflicts_with = "model")]
        no_model: bool,
        /// With --pii: score another system's spans instead of running tokenveil: a JSON list
        /// in the same form as the gold file, the same texts in the same order.
        #[arg(long, conflicts_with_all = ["model", "no_model", "no_patterns"])]
        predictions: Option<PathBuf>,
        /// With --pii: also write tokenveil's spans to this file, in the gold file's form
        /// (code-point offsets), to read what leaked or to score again with --predictions.
        #[arg(long, conflicts_with = "predictions")]
        save_predictions: Option<PathBuf>,
        /// With --pii: score the redactor with these options (a RedactorConfig as JSON, as
        /// `redact --config` reads it: thresholds, min_score, detectors, lists, ...).
        #[arg(long, conflicts_with = "predictions")]
        config: Option<PathBuf>,
        #[arg(long, default_value_t = 16)]
        batch_size: usize,
    },
    /// Convert a Hugging Face folder into one self-contained tokenveil GGUF file.
    Convert {
        /// Folder with config.json, tokenizer.json, model.safetensors (and optionally
        /// provenance.json, LICENSE, NOTICE, which travel in the file).
        dir: PathBuf,
        #[arg(long, short)]
        output: PathBuf,
        /// Linear-layer weights: f32, f16, q8_0 or q4_0.
        #[arg(long, default_value = "f32")]
        quant: String,
        /// Embedding tables: f32, f16 or q8_0 (default: f16 for --quant f16, else f32).
        #[arg(long)]
        embeddings: Option<String>,
        /// Store the linear-layer weights whose name matches GLOB as TYPE instead of --quant
        /// (`*` matches any characters), e.g. `'*.ffn.lin2.weight=q8_0'` or
        /// `classifier.weight=q8_0`. Repeatable; the last match wins. Names are the Hugging
        /// Face ones; `convert --json` lists every tensor with the type it got.
        #[arg(long, value_name = "GLOB=TYPE")]
        quant_override: Vec<String>,
        /// A human-readable model name stored as general.name.
        #[arg(long)]
        name: Option<String>,
    },
    /// What a model file holds: architecture, labels, quantization, provenance.
    Info {
        #[arg(long, short)]
        model: PathBuf,
    },
}

fn main() -> ExitCode {
    // Rust ignores SIGPIPE, so a closed pipe (`tokenveil eval ... | head`) would make the next
    // println! panic; with the default action the process ends quietly, as other CLIs do.
    #[cfg(unix)]
    // SAFETY: called first, before any thread exists; SIG_DFL is a valid action for SIGPIPE.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // --help and --version print to stdout and succeed.
        Err(e) if !e.use_stderr() => e.exit(),
        // Usage errors (unknown flag, a value outside its choices) carry a code like every
        // other error: `invalid_option`, as JSON with --json; clap's exit status 2.
        Err(e) => {
            let message = e.to_string();
            let message = message.trim_start_matches("error: ").trim_end();
            if std::env::args().any(|a| a == "--json") {
                let err =
                    serde_json::json!({"error": {"code": "invalid_option", "message": message}});
                println!("{err}");
            } else {
                eprintln!("error [invalid_option]: {message}");
            }
            return ExitCode::from(2);
        }
    };
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if cli.json {
                let err =
                    serde_json::json!({"error": {"code": e.code(), "message": e.to_string()}});
                println!("{err}");
            } else {
                eprintln!("error [{}]: {e}", e.code());
            }
            ExitCode::FAILURE
        }
    }
}

fn run(cli: &Cli) -> Result<()> {
    match &cli.command {
        Command::Logits {
            model,
            weights,
            top,
            text,
        } => {
            let bundle = ModelBundle::from_path(model, weights.as_deref())?;
            let text = text_or_stdin(text)?;
            let out = token_logits(&bundle, &text)?;
            if cli.json {
                print_json(&out)
            } else {
                match top {
                    Some(k) => print_top_table(&out, *k),
                    None => print_table(&out),
                }
                Ok(())
            }
        }
        Command::Ner {
            model,
            aggregation,
            offsets,
            stride,
            ignore_labels,
            text,
        } => {
            let classifier = TokenClassifier::new(ModelBundle::from_path(model, None)?)?;
            let opts = TokenClassificationOptions {
                aggregation_strategy: aggregation.parse()?,
                stride: *stride,
                ignore_labels: ignore_labels
                    .split(',')
                    .filter(|l| !l.is_empty())
                    .map(String::from)
                    .collect(),
                ..Default::default()
            };
            let text = text_or_stdin(text)?;
            let mut entities = classifier.classify(&text, &opts)?;
            let shown: Vec<String> = entities
                .iter()
                .map(|e| text[e.start..e.end].to_string())
                .collect();
            if offsets == "chars" {
                let map = OffsetMap::new(&text, OffsetEncoding::Codepoint);
                for e in &mut entities {
                    (e.start, e.end) = (map.convert(e.start), map.convert(e.end));
                }
            }
            if cli.json {
                return print_json(&entities);
            }
            for (e, s) in entities.iter().zip(&shown) {
                println!(
                    "{:>6}..{:<6} {:<20} {:.4}  {}",
                    e.start,
                    e.end,
                    e.label(),
                    e.score,
                    s
                );
            }
            Ok(())
        }
        Command::Classify {
            model,
            top_k,
            function,
            text,
        } => {
            let classifier = TextClassifier::new(ModelBundle::from_path(model, None)?)?;
            let top_k = match top_k.as_str() {
                "all" => None,
                k => Some(k.parse::<usize>().map_err(|_| {
                    Error::InvalidOption(format!("--top-k must be a number or `all`, not `{k}`"))
                })?),
            };
            let opts = TextClassificationOptions {
                top_k,
                function_to_apply: function.parse()?,
                ..Default::default()
            };
            let out = classifier.classify(&text_or_stdin(text)?, &opts)?;
            if cli.json {
                return print_json(&out);
            }
            for l in &out.labels {
                println!("{:<20} {:.4}", l.label, l.score);
            }
            if out.truncated {
                println!("(text truncated to the model's window)");
            }
            Ok(())
        }
        Command::Redact {
            model,
            no_model,
            config,
            operators,
            hash_key,
            jsonl,
            field,
            input,
            text,
        } => {
            let mut cfg = read_redactor_config(config.as_deref())?;
            for spec in operators {
                let (ty, op) = spec.split_once('=').ok_or_else(|| {
                    Error::InvalidOption(format!("--operator wants TYPE=OP, got `{spec}`"))
                })?;
                let op = parse_operator(op)?;
                if ty == "default" {
                    cfg.default_operator = op;
                } else {
                    cfg.operators
                        .insert(tokenveil::redact::canonical_name(ty), op);
                }
            }
            if let Some(key) = hash_key
                .clone()
                .or_else(|| std::env::var("TOKENVEIL_HASH_KEY").ok())
            {
                cfg.hash_key = Some(key);
            }
            let model = match (model.is_empty(), no_model) {
                (_, true) => Vec::new(),
                (true, false) => vec![default_pii_model()?],
                (false, false) => model.clone(),
            };
            let classifiers = model
                .iter()
                .map(|m| TokenClassifier::new(ModelBundle::from_path(m, None)?))
                .collect::<Result<Vec<_>>>()?;
            let redactor = PiiRedactor::new(classifiers, cfg)?;
            // One message of a session: it supplies a random hash key when none was given.
            let mut session = redactor.session()?;
            if *jsonl {
                return redact_jsonl(&redactor, &session, field, input.as_deref(), cli.json);
            }
            let out = redactor.redact_in(&mut session, &text_or_stdin(text)?, &[])?;
            if cli.json {
                return print_json(&out);
            }
            // The text as it came: a newline is added only where it had none (stdin's last
            // line keeps its one newline instead of gaining a second).
            match out.text.ends_with('\n') {
                true => print!("{}", out.text),
                false => println!("{}", out.text),
            }
            Ok(())
        }
        Command::Eval {
            model,
            conll,
            column,
            metric,
            tsv,
            pii,
            no_patterns,
            no_model,
            predictions,
            save_predictions,
            config,
            batch_size,
        } => {
            let model = match (model, pii) {
                (None, Some(_)) if !*no_model && predictions.is_none() => {
                    Some(default_pii_model()?)
                }
                _ => model.clone(),
            };
            let load = || match &model {
                Some(m) => ModelBundle::from_path(m, None),
                None => Err(Error::InvalidOption(
                    "--model is required (with --pii: or --no-model, or --predictions)".into(),
                )),
            };
            let report = match (conll, tsv, pii) {
                (Some(path), None, None) => {
                    eval_conll(load()?, path, *column, metric, *batch_size)?
                }
                (None, Some(path), None) => eval_tsv(load()?, path, *batch_size)?,
                (None, None, Some(path)) => {
                    let system = match (predictions, no_model) {
                        (Some(p), _) => PiiSystem::Predictions(p.clone()),
                        (None, true) => PiiSystem::Tokenveil {
                            model: None,
                            patterns: true,
                            config: Box::new(read_redactor_config(config.as_deref())?),
                        },
                        (None, false) => PiiSystem::Tokenveil {
                            model: Some((
                                model
                                    .as_ref()
                                    .map_or(String::new(), |m| m.display().to_string()),
                                Box::new(load()?),
                            )),
                            patterns: !no_patterns,
                            config: Box::new(read_redactor_config(config.as_deref())?),
                        },
                    };
                    eval_pii(system, path, save_predictions.as_deref())?
                }
                _ => {
                    return Err(Error::InvalidOption(
                        "give one of --conll, --tsv or --pii".into(),
                    ))
                }
            };
            if cli.json {
                return print_json(&report);
            }
            print_eval(&report);
            Ok(())
        }
        Command::Convert {
            dir,
            output,
            quant,
            embeddings,
            quant_override,
            name,
        } => {
            let opts = ConvertOptions {
                quant: quant.parse()?,
                embeddings: embeddings.as_deref().map(str::parse::<Quant>).transpose()?,
                name: name.clone(),
                overrides: quant_override
                    .iter()
                    .map(|o| o.parse())
                    .collect::<Result<_>>()?,
            };
            let report = convert_dir(dir, output, &opts)?;
            if cli.json {
                return print_json(&report);
            }
            for t in &report.tensors {
                if let Some(note) = &t.note {
                    eprintln!("note: {} {:?}: {note}", t.name, t.shape);
                }
            }
            let mut counts = std::collections::BTreeMap::new();
            for t in &report.tensors {
                *counts.entry(t.dtype.as_str()).or_insert(0) += 1;
            }
            println!(
                "wrote {} ({} bytes, {} tensors: {:?})",
                output.display(),
                report.bytes,
                report.tensors.len(),
                counts
            );
            Ok(())
        }
        Command::Info { model } => {
            let bundle = ModelBundle::from_path(model, None)?;
            let c = &bundle.config;
            let meta = bundle.metadata.as_ref();
            let info = serde_json::json!({
                "architecture": c.architecture,
                "layers": c.num_layers,
                "hidden_size": c.hidden_size,
                "heads": c.num_heads,
                "vocab_size": c.vocab_size,
                "max_position_embeddings": c.max_position_embeddings,
                "labels": c.labels,
                "quantization": meta.map(|m| m.quantization.clone()),
                "format_version": meta.map(|m| m.format_version),
                "provenance": meta.and_then(|m| m.provenance.clone()),
                "has_license": meta.is_some_and(|m| m.license.is_some()),
            });
            print_json(&info)
        }
    }
}

/// The PII model used when `redact` or `eval --pii` is given none: $TOKENVEIL_MODEL when set
/// (it must exist), else models/pii/pii-q8_0.gguf under the current directory, else in the
/// repository this binary was built from. None of them: an `io` error naming every path tried.
fn default_pii_model() -> Result<PathBuf> {
    const SHIPPED: &str = "models/pii/pii-q8_0.gguf";
    if let Some(path) = std::env::var_os("TOKENVEIL_MODEL") {
        let path = PathBuf::from(path);
        return match path.is_file() {
            true => Ok(path),
            false => Err(Error::io(
                format!("$TOKENVEIL_MODEL={}", path.display()),
                std::io::Error::new(std::io::ErrorKind::NotFound, "no such model file"),
            )),
        };
    }
    let tried = [
        PathBuf::from(SHIPPED),
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(SHIPPED),
    ];
    if let Some(found) = tried.iter().find(|p| p.is_file()) {
        return Ok(found.clone());
    }
    let list: Vec<String> = tried.iter().map(|p| p.display().to_string()).collect();
    Err(Error::io(
        format!(
            "the default PII model (tried $TOKENVEIL_MODEL (unset), {})",
            list.join(", ")
        ),
        std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "not found: pass --model FILE, set $TOKENVEIL_MODEL, or --no-model for patterns alone",
        ),
    ))
}

fn read_text(path: &std::path::Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| Error::io(path, e))
}

fn eval_conll(
    bundle: ModelBundle,
    path: &std::path::Path,
    column: isize,
    metric: &str,
    batch: usize,
) -> Result<serde_json::Value> {
    let sentences = read_conll(&read_text(path)?, column)?;
    let words: Vec<Vec<String>> = sentences.iter().map(|s| s.words.clone()).collect();
    let truth: Vec<Vec<String>> = sentences.iter().map(|s| s.tags.clone()).collect();
    let classifier = TokenClassifier::new(bundle)?;
    let start = std::time::Instant::now();
    let predicted = classifier.tag_words(&words, batch)?;
    let seconds = start.elapsed().as_secs_f64();
    let base = serde_json::json!({
        "file": path.display().to_string(),
        "sentences": sentences.len(),
        "words": truth.iter().map(Vec::len).sum::<usize>(),
        "seconds": seconds,
    });
    let mut report = base;
    match metric {
        "entities" => {
            report["entities"] =
                serde_json::to_value(entity_scores(&truth, &predicted)).unwrap_or_default()
        }
        "accuracy" => report["accuracy"] = accuracy(&truth, &predicted).into(),
        other => {
            return Err(Error::InvalidOption(format!(
                "--metric must be entities or accuracy, not `{other}`"
            )))
        }
    }
    Ok(report)
}

fn eval_tsv(
    bundle: ModelBundle,
    path: &std::path::Path,
    batch: usize,
) -> Result<serde_json::Value> {
    let rows = read_tsv(&read_text(path)?)?;
    let labels = bundle.labels().to_vec();
    let classifier = TextClassifier::new(bundle)?;
    let texts: Vec<&str> = rows.iter().map(|(s, _)| s.as_str()).collect();
    let opts = TextClassificationOptions {
        top_k: Some(1),
        batch_size: batch,
        ..Default::default()
    };
    let start = std::time::Instant::now();
    let out = classifier.classify_batch(&texts, &opts)?;
    let seconds = start.elapsed().as_secs_f64();
    let mut right = 0;
    for ((_, want), got) in rows.iter().zip(&out) {
        // A numeric label is an id into the model's labels.
        let want = want
            .parse::<usize>()
            .ok()
            .and_then(|i| labels.get(i))
            .unwrap_or(want);
        if got.labels.first().is_some_and(|l| &l.label == want) {
            right += 1;
        }
    }
    Ok(serde_json::json!({
        "file": path.display().to_string(),
        "examples": rows.len(),
        "accuracy": if rows.is_empty() { 0.0 } else { right as f64 / rows.len() as f64 },
        "seconds": seconds,
    }))
}

/// What `eval --pii` scores: tokenveil's redactor (a model or none, patterns or none), or
/// another system's saved spans.
enum PiiSystem {
    Tokenveil {
        /// The model file and the model read from it.
        model: Option<(String, Box<ModelBundle>)>,
        patterns: bool,
        /// The redactor's options (`--config`).
        config: Box<RedactorConfig>,
    },
    Predictions(std::path::PathBuf),
}

fn eval_pii(
    system: PiiSystem,
    path: &std::path::Path,
    save_predictions: Option<&std::path::Path>,
) -> Result<serde_json::Value> {
    let raw = read_text(path)?;
    let samples = read_pii_json(&raw)?;
    let start = std::time::Instant::now();
    let gold: Vec<TypedSpans> = samples.iter().map(pii_byte_spans).collect();
    let (predicted, system_json): (Vec<TypedSpans>, serde_json::Value) = match system {
        PiiSystem::Tokenveil {
            model,
            patterns,
            mut config,
        } => {
            if !patterns {
                config.detectors = DetectorSet::none();
            }
            let described = serde_json::json!({
                "tokenveil": {
                    "model": model.as_ref().map(|(path, _)| path.clone()),
                    "patterns": patterns,
                }
            });
            let classifiers = match model {
                Some((_, bundle)) => vec![TokenClassifier::new(*bundle)?],
                None => Vec::new(),
            };
            let redactor = PiiRedactor::new(classifiers, *config)?;
            let mut predicted = Vec::with_capacity(samples.len());
            for s in &samples {
                let r = redactor.redact(&s.full_text)?;
                predicted.push(
                    r.spans
                        .iter()
                        .map(|s| (s.entity_type.clone(), s.start, s.end))
                        .collect(),
                );
            }
            (predicted, described)
        }
        PiiSystem::Predictions(pred_path) => {
            let pred = read_pii_json(&read_text(&pred_path)?)?;
            if pred.len() != samples.len()
                || pred
                    .iter()
                    .zip(&samples)
                    .any(|(p, g)| p.full_text != g.full_text)
            {
                return Err(Error::InvalidOption(format!(
                    "{}: predictions must list the gold file's texts in its order ({} texts there, {} here)",
                    pred_path.display(),
                    samples.len(),
                    pred.len()
                )));
            }
            let spans = pred.iter().map(pii_byte_spans).collect();
            (
                spans,
                serde_json::json!({ "predictions": pred_path.display().to_string() }),
            )
        }
    };
    if let Some(out) = save_predictions {
        write_predictions(out, &samples, &predicted)?;
    }
    let triples: Vec<(&str, &TypedSpans, &TypedSpans)> = samples
        .iter()
        .zip(gold.iter().zip(&predicted))
        .map(|(s, (g, p))| (s.full_text.as_str(), g, p))
        .collect();
    Ok(serde_json::json!({
        "file": path.display().to_string(),
        "file_sha256": sha256_hex(raw.as_bytes()),
        "examples": samples.len(),
        "system": system_json,
        "leak": leak_scores(&triples),
        "entities": span_scores(&gold, &predicted),
        "seconds": start.elapsed().as_secs_f64(),
    }))
}

/// Predicted byte spans written as a PII JSON file like the gold one (code-point offsets).
fn write_predictions(
    out: &std::path::Path,
    samples: &[tokenveil::eval::PiiSample],
    predicted: &[TypedSpans],
) -> Result<()> {
    let list: Vec<serde_json::Value> = samples
        .iter()
        .zip(predicted)
        .map(|(s, spans)| {
            let map = OffsetMap::new(&s.full_text, OffsetEncoding::Codepoint);
            let chars = |b: usize| map.convert(b);
            serde_json::json!({
                "full_text": s.full_text,
                "spans": spans.iter().map(|(t, start, end)| serde_json::json!({
                    "entity_type": t,
                    "entity_value": &s.full_text[*start..*end],
                    "start_position": chars(*start),
                    "end_position": chars(*end),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let json = serde_json::to_string_pretty(&list)
        .map_err(|e| Error::InvalidOption(format!("predictions: {e}")))?;
    std::fs::write(out, json).map_err(|e| Error::io(out, e))
}

/// `--config FILE` of `redact` and `eval --pii`: a RedactorConfig as JSON (unknown keys are
/// errors); none means the defaults.
fn read_redactor_config(path: Option<&std::path::Path>) -> Result<RedactorConfig> {
    match path {
        Some(path) => serde_json::from_str(&read_text(path)?)
            .map_err(|e| Error::InvalidOption(format!("{}: {e}", path.display()))),
        None => Ok(RedactorConfig::default()),
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `placeholder`, `remove`, `keep`, `replace[:TEMPLATE]`, `mask[:CHAR[:KEEP[:end]]]`, `hash`.
fn parse_operator(spec: &str) -> Result<Operator> {
    let bad = || {
        Error::InvalidOption(format!("unknown operator `{spec}` (placeholder, remove, keep, replace[:TEMPLATE], mask[:CHAR[:KEEP[:end]]], hash)"))
    };
    let (kind, rest) = spec
        .split_once(':')
        .map_or((spec, None), |(k, r)| (k, Some(r)));
    Ok(match (kind, rest) {
        ("placeholder", None) => Operator::Placeholder,
        ("remove", None) => Operator::Remove,
        ("keep", None) => Operator::Keep,
        ("replace", None) => Operator::Replace {
            template: Operator::DEFAULT_TEMPLATE.to_string(),
        },
        ("replace", Some(t)) => Operator::Replace {
            template: t.to_string(),
        },
        ("hash", None) => Operator::Hash,
        ("mask", rest) => {
            let mut parts = rest.unwrap_or("").split(':');
            let ch = parts.next().and_then(|c| c.chars().next()).unwrap_or('*');
            let keep = match parts.next() {
                Some(k) => k.parse().map_err(|_| bad())?,
                None => 0,
            };
            let from_end = match parts.next() {
                None => false,
                Some("end") => true,
                Some(_) => return Err(bad()),
            };
            Operator::Mask { ch, keep, from_end }
        }
        _ => return Err(bad()),
    })
}

fn print_eval(report: &serde_json::Value) {
    println!("{}", report["file"].as_str().unwrap_or(""));
    if let Some(acc) = report["accuracy"].as_f64() {
        println!("accuracy {:.2}%", acc * 100.0);
    }
    if let Some(leak) = report.get("leak") {
        let pct = |v: &serde_json::Value| v.as_f64().unwrap_or(0.0) * 100.0;
        println!(
            "protected {:.2}% of {} personal-data spans (>= 90% of their characters hidden); over-redaction {:.2}% of {} other characters",
            pct(&leak["protected"]),
            leak["gold_spans"],
            pct(&leak["over_redaction"]),
            leak["non_personal_chars"]
        );
        println!("{:<18} {:>9} {:>8}", "type", "protected", "spans");
        if let Some(types) = leak["per_type"].as_object() {
            for (t, v) in types {
                println!(
                    "{:<18} {:>9.2} {:>8}",
                    t,
                    pct(&v["protected"]),
                    v["gold_spans"]
                );
            }
        }
        if let Some(types) = leak["over_redaction_by_type"].as_object() {
            let parts: Vec<String> = types
                .iter()
                .map(|(t, v)| format!("{t} {:.2}%", pct(v)))
                .collect();
            println!("over-redaction by predicted type: {}", parts.join(", "));
        }
        println!("typed spans (same type, any overlap):");
    }
    if let Some(ents) = report.get("entities") {
        println!(
            "{:<12} {:>9} {:>9} {:>9} {:>8}",
            "type", "precision", "recall", "f1", "support"
        );
        let row = |name: &str, v: &serde_json::Value| {
            println!(
                "{:<12} {:>9.2} {:>9.2} {:>9.2} {:>8}",
                name,
                v["precision"].as_f64().unwrap_or(0.0) * 100.0,
                v["recall"].as_f64().unwrap_or(0.0) * 100.0,
                v["f1"].as_f64().unwrap_or(0.0) * 100.0,
                v["support"]
            )
        };
        if let Some(types) = ents["per_type"].as_object() {
            for (t, v) in types {
                row(t, v);
            }
        }
        row("micro", &ents["micro"]);
    }
    println!("({:.1} s)", report["seconds"].as_f64().unwrap_or(0.0));
}

fn text_or_stdin(text: &Option<String>) -> Result<String> {
    match text {
        Some(t) => Ok(t.clone()),
        None => {
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .map_err(|e| Error::io("<stdin>", e))?;
            Ok(s)
        }
    }
}

/// `redact --jsonl`: each line's record redacted with a fresh copy of `template` (one hash key
/// for the run, placeholder numbering per record). Returns an error after the last line when
/// some record failed (each failure is already reported on its own line).
fn redact_jsonl(
    redactor: &PiiRedactor,
    template: &tokenveil::redact::RedactionSession,
    field: &str,
    input: Option<&std::path::Path>,
    with_redaction: bool,
) -> Result<()> {
    use std::io::{BufRead, Write};
    let source = input.map_or_else(|| "<stdin>".to_string(), |p| p.display().to_string());
    let reader: Box<dyn BufRead> = match input {
        Some(p) => Box::new(std::io::BufReader::new(
            std::fs::File::open(p).map_err(|e| Error::io(p, e))?,
        )),
        None => Box::new(std::io::BufReader::new(std::io::stdin())),
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let (mut records, mut failed) = (0usize, 0usize);
    for (i, line) in reader.lines().enumerate() {
        let line = line.map_err(|e| Error::io(&source, e))?;
        if line.trim().is_empty() {
            writeln!(out).map_err(|e| Error::io("<stdout>", e))?;
            continue;
        }
        records += 1;
        let record = redact_record(redactor, template, field, &line, with_redaction)
            .unwrap_or_else(|e| {
                failed += 1;
                serde_json::json!({"error": {"code": e.code(), "message": e.to_string(), "line": i + 1}})
            });
        writeln!(out, "{record}").map_err(|e| Error::io("<stdout>", e))?;
    }
    out.flush().map_err(|e| Error::io("<stdout>", e))?;
    match failed {
        0 => Ok(()),
        n => Err(Error::InvalidOption(format!(
            "{n} of {records} records in {source} could not be redacted (their lines hold the errors)"
        ))),
    }
}

/// One JSON Lines record with its `field` (or the record itself, when it is a string) redacted.
fn redact_record(
    redactor: &PiiRedactor,
    template: &tokenveil::redact::RedactionSession,
    field: &str,
    line: &str,
    with_redaction: bool,
) -> Result<serde_json::Value> {
    let mut record: serde_json::Value = serde_json::from_str(line)
        .map_err(|e| Error::InvalidOption(format!("not a JSON value: {e}")))?;
    let slot = match &mut record {
        serde_json::Value::String(_) => &mut record,
        serde_json::Value::Object(map) => map
            .get_mut(field)
            .ok_or_else(|| Error::InvalidOption(format!("the record has no field `{field}`")))?,
        _ => {
            return Err(Error::InvalidOption(
                "a record must be a JSON string or an object".into(),
            ))
        }
    };
    let text = slot
        .as_str()
        .ok_or_else(|| Error::InvalidOption(format!("field `{field}` is not a string")))?;
    let r = redactor.redact_in(&mut template.clone(), text, &[])?;
    *slot = serde_json::Value::String(r.text.clone());
    if with_redaction {
        let redaction = serde_json::json!({"spans": r.spans, "mapping": r.mapping});
        record = match record {
            serde_json::Value::Object(mut map) => {
                map.insert("redaction".into(), redaction);
                serde_json::Value::Object(map)
            }
            text => serde_json::json!({"text": text, "redaction": redaction}),
        };
    }
    Ok(record)
}

fn print_json<T: serde::Serialize>(value: &T) -> Result<()> {
    let s = serde_json::to_string_pretty(value)
        .map_err(|e| Error::InvalidOption(format!("cannot serialise output: {e}")))?;
    println!("{s}");
    Ok(())
}

/// Width of the token column: the longest token, at least the header's.
fn token_width(out: &TokenLogits) -> usize {
    out.tokens
        .iter()
        .map(|t| t.token.chars().count())
        .max()
        .unwrap_or(0)
        .max(5)
}

/// One row per token; per label "logit (probability)". Offsets are byte offsets.
fn print_table(out: &TokenLogits) {
    let tok_w = token_width(out);
    let lab_w = out
        .labels
        .iter()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(5)
        .max(5);
    let cell_w = lab_w.max(16);
    print!(
        "{:>3}  {:<tok_w$}  {:>9}  {:<lab_w$}  {:>6}",
        "#", "token", "bytes", "label", "score"
    );
    for l in &out.labels {
        print!("  {l:>cell_w$}");
    }
    println!();
    for t in &out.tokens {
        let span = format!("{}..{}", t.start, t.end);
        print!(
            "{:>3}  {:<tok_w$}  {:>9}  {:<lab_w$}  {:>6.4}",
            t.index, t.token, span, t.label, t.score
        );
        for (l, p) in t.logits.iter().zip(&t.probabilities) {
            print!("  {:>cell_w$}", format!("{l:.3} ({p:.3})"));
        }
        println!();
    }
    if out.truncated {
        println!("(text truncated to the model's window)");
    }
}

/// One row per token with its `k` most probable labels, for models with many labels.
fn print_top_table(out: &TokenLogits, k: usize) {
    let tok_w = token_width(out);
    println!(
        "{:>3}  {:<tok_w$}  {:>9}  top {k} labels: logit (probability)",
        "#", "token", "bytes"
    );
    for t in &out.tokens {
        let mut order: Vec<usize> = (0..t.logits.len()).collect();
        order.sort_by(|&a, &b| t.probabilities[b].total_cmp(&t.probabilities[a]));
        let cells: Vec<String> = order
            .iter()
            .take(k)
            .map(|&i| {
                format!(
                    "{} {:.3} ({:.3})",
                    out.labels[i], t.logits[i], t.probabilities[i]
                )
            })
            .collect();
        let span = format!("{}..{}", t.start, t.end);
        println!(
            "{:>3}  {:<tok_w$}  {:>9}  {}",
            t.index,
            t.token,
            span,
            cells.join("   ")
        );
    }
    if out.truncated {
        println!("(text truncated to the model's window)");
    }
}
