//! tokenveil's native reference for the benchmark (bench/run.mjs runs it):
//!
//!     tokenveil-bench-native convert HF_DIR OUT.gguf --quant q8_0 [--embeddings f16]
//!     tokenveil-bench-native run MODEL INPUTS.json [--lengths 16,64] [--batches 1,8] ...
//!     tokenveil-bench-native spin MODEL INPUTS.json --length 128 --seconds 10
//!
//! `run` times whole pipeline calls (`classify_batch_timed`: tokenize, forward, post-process)
//! with the same warm-up and repetition rule as the browser pages, and prints raw per-call
//! times as JSON; statistics are computed by bench/report.mjs for every runner alike.
//! Threads: candle reads RAYON_NUM_THREADS, which bench/run.mjs sets to 1 or 2.
//! `spin` runs one input for a while so that a sampling profiler (perf) can watch it.

use clap::{Parser, Subcommand};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;
use tokenveil::convert::{convert_dir, ConvertOptions, Quant};
use tokenveil::pipelines::timing::{Clock, SystemClock};
use tokenveil::pipelines::token_classification::{
    AggregationStrategy, TokenClassificationOptions, TokenClassifier,
};
use tokenveil::ModelBundle;

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// A Hugging Face folder to a tokenveil GGUF (tokenveil::convert::convert_dir).
    Convert {
        dir: PathBuf,
        out: PathBuf,
        #[arg(long)]
        quant: String,
        #[arg(long)]
        embeddings: Option<String>,
    },
    /// Time pipeline calls; JSON on stdout.
    Run {
        model: PathBuf,
        /// bench/prepare.py's inputs.json: {"texts": {"16": [8 texts], ...}}.
        inputs: PathBuf,
        #[arg(long, value_delimiter = ',', default_value = "16,64,128,256,512")]
        lengths: Vec<String>,
        #[arg(long, value_delimiter = ',', default_value = "1,8")]
        batches: Vec<usize>,
        #[command(flatten)]
        reps: Reps,
    },
    /// Classify one input over and over for `seconds` (for a sampling profiler).
    Spin {
        model: PathBuf,
        inputs: PathBuf,
        #[arg(long, default_value = "128")]
        length: String,
        #[arg(long, default_value_t = 10.0)]
        seconds: f64,
    },
}

/// The repetition rule shared with the pages (bench/pages/harness.mjs): up to `warmup`
/// untimed calls (the first always, later ones while warm-up has taken less than
/// `warmup_budget_ms`), then at least `min_reps` and at most `max_reps` timed calls, stopping
/// once `budget_ms` is spent.
#[derive(clap::Args, Clone, Copy)]
struct Reps {
    #[arg(long, default_value_t = 3)]
    warmup: usize,
    #[arg(long, default_value_t = 2000.0)]
    warmup_budget_ms: f64,
    #[arg(long, default_value_t = 5)]
    min_reps: usize,
    #[arg(long, default_value_t = 20)]
    max_reps: usize,
    #[arg(long, default_value_t = 4000.0)]
    budget_ms: f64,
}

#[derive(Deserialize)]
struct Inputs {
    texts: BTreeMap<String, Vec<String>>,
}

#[derive(Serialize)]
struct Case {
    length: String,
    batch: usize,
    /// Tokens the model read per call (all texts of the batch).
    tokens: usize,
    /// Whole pipeline call, milliseconds.
    call_ms: Vec<f64>,
    tokenize_ms: Vec<f64>,
    forward_ms: Vec<f64>,
    postprocess_ms: Vec<f64>,
}

fn main() {
    if let Err(e) = run(Cli::parse()) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn options() -> TokenClassificationOptions {
    TokenClassificationOptions {
        aggregation_strategy: AggregationStrategy::None,
        // All texts of a batch go through the model together, as Transformers.js does.
        batch_size: 8,
        ..TokenClassificationOptions::default()
    }
}

fn load(model: &PathBuf, inputs: &PathBuf) -> Result<(TokenClassifier, Inputs), Box<dyn std::error::Error>> {
    let classifier = TokenClassifier::new(ModelBundle::from_path(model, None)?)?;
    let inputs: Inputs = serde_json::from_slice(&std::fs::read(inputs)?)?;
    Ok((classifier, inputs))
}

fn texts<'a>(inputs: &'a Inputs, length: &str, batch: usize) -> Result<Vec<&'a str>, String> {
    let all = inputs
        .texts
        .get(length)
        .ok_or_else(|| format!("no inputs of length {length}"))?;
    if all.len() < batch {
        return Err(format!("{} inputs of length {length}, {batch} needed", all.len()));
    }
    Ok(all[..batch].iter().map(String::as_str).collect())
}

fn run(cli: Cli) -> Result<(), Box<dyn std::error::Error>> {
    match cli.command {
        Command::Convert { dir, out, quant, embeddings } => {
            let opts = ConvertOptions {
                quant: quant.parse::<Quant>()?,
                embeddings: embeddings.map(|e| e.parse::<Quant>()).transpose()?,
                name: None,
                overrides: Vec::new(),
            };
            let report = convert_dir(&dir, &out, &opts)?;
            eprintln!("wrote {} ({} bytes)", out.display(), report.bytes);
        }
        Command::Run { model, inputs, lengths, batches, reps } => {
            let (classifier, inputs) = load(&model, &inputs)?;
            let clock = SystemClock::default();
            let opts = options();
            let mut cases = Vec::new();
            for length in &lengths {
                for &batch in &batches {
                    let texts = texts(&inputs, length, batch)?;
                    let mut case = Case {
                        length: length.clone(),
                        batch,
                        tokens: 0,
                        call_ms: vec![],
                        tokenize_ms: vec![],
                        forward_ms: vec![],
                        postprocess_ms: vec![],
                    };
                    let mut warm = 0.0;
                    for n in 0..reps.warmup.max(1) {
                        if n > 0 && warm >= reps.warmup_budget_ms {
                            break;
                        }
                        let start = clock.now_ms();
                        let (_, t) = classifier.classify_batch_timed(&texts, &opts, &clock)?;
                        warm += clock.now_ms() - start;
                        case.tokens = t.tokens;
                    }
                    let mut spent = 0.0;
                    while case.call_ms.len() < reps.max_reps
                        && (case.call_ms.len() < reps.min_reps || spent < reps.budget_ms)
                    {
                        let start = clock.now_ms();
                        let (_, t) = classifier.classify_batch_timed(&texts, &opts, &clock)?;
                        let ms = clock.now_ms() - start;
                        spent += ms;
                        case.tokens = t.tokens;
                        case.call_ms.push(ms);
                        case.tokenize_ms.push(t.tokenize_ms);
                        case.forward_ms.push(t.forward_ms);
                        case.postprocess_ms.push(t.postprocess_ms);
                    }
                    eprintln!(
                        "  {} tokens x{}: {} calls, median {:.2} ms",
                        length,
                        batch,
                        case.call_ms.len(),
                        median(&case.call_ms)
                    );
                    cases.push(case);
                }
            }
            println!("{}", serde_json::to_string(&serde_json::json!({ "cases": cases }))?);
        }
        Command::Spin { model, inputs, length, seconds } => {
            let (classifier, inputs) = load(&model, &inputs)?;
            let texts = texts(&inputs, &length, 1)?;
            let opts = options();
            let start = Instant::now();
            let mut calls = 0;
            while start.elapsed().as_secs_f64() < seconds {
                classifier.classify_batch(&texts, &opts)?;
                calls += 1;
            }
            eprintln!("{calls} calls in {seconds} s");
        }
    }
    Ok(())
}

fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    s.get(s.len() / 2).copied().unwrap_or(f64::NAN)
}
