//! The `tokenveil` command line: the native face of the same core the browser runs.

use clap::{Parser, Subcommand};
use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;
use tokenveil::convert::{convert_dir, ConvertOptions, Quant};
use tokenveil::pipelines::token_details::{token_logits, TokenLogits};
use tokenveil::{Error, ModelBundle, Result};

#[derive(Parser)]
#[command(name = "tokenveil", version, about = "Token and text classification with DistilBERT/BERT models, on device")]
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
        /// Embedding tables: f32 or f16 (default: f16 for --quant f16, else f32).
        #[arg(long)]
        embeddings: Option<String>,
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
    let cli = Cli::parse();
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if cli.json {
                let err = serde_json::json!({"error": {"code": e.code(), "message": e.to_string()}});
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
        Command::Logits { model, weights, top, text } => {
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
        Command::Convert { dir, output, quant, embeddings, name } => {
            let opts = ConvertOptions {
                quant: quant.parse()?,
                embeddings: embeddings.as_deref().map(str::parse::<Quant>).transpose()?,
                name: name.clone(),
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

fn print_json<T: serde::Serialize>(value: &T) -> Result<()> {
    let s = serde_json::to_string_pretty(value)
        .map_err(|e| Error::InvalidOption(format!("cannot serialise output: {e}")))?;
    println!("{s}");
    Ok(())
}

/// One row per token; per label "logit (probability)". Offsets are byte offsets.
fn print_table(out: &TokenLogits) {
    let tok_w = out.tokens.iter().map(|t| t.token.chars().count()).max().unwrap_or(5).max(5);
    let lab_w = out.labels.iter().map(|l| l.chars().count()).max().unwrap_or(5).max(5);
    let cell_w = lab_w.max(16);
    print!("{:>3}  {:<tok_w$}  {:>9}  {:<lab_w$}  {:>6}", "#", "token", "bytes", "label", "score");
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
    let tok_w = out.tokens.iter().map(|t| t.token.chars().count()).max().unwrap_or(5).max(5);
    println!("{:>3}  {:<tok_w$}  {:>9}  top {k} labels: logit (probability)", "#", "token", "bytes");
    for t in &out.tokens {
        let mut order: Vec<usize> = (0..t.logits.len()).collect();
        order.sort_by(|&a, &b| t.probabilities[b].total_cmp(&t.probabilities[a]));
        let cells: Vec<String> = order
            .iter()
            .take(k)
            .map(|&i| format!("{} {:.3} ({:.3})", out.labels[i], t.logits[i], t.probabilities[i]))
            .collect();
        let span = format!("{}..{}", t.start, t.end);
        println!("{:>3}  {:<tok_w$}  {:>9}  {}", t.index, t.token, span, cells.join("   "));
    }
    if out.truncated {
        println!("(text truncated to the model's window)");
    }
}
