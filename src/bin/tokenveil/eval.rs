//! `tokenveil eval`: a model (or the redactor, or another system's spans) scored on a
//! labelled file.

use crate::args::{EvalArgs, Metric};
use crate::redact::{default_pii_model, read_redactor_config};
use crate::{print_json, read_text};
use std::process::ExitCode;
use tokenveil::eval::{
    accuracy, entity_scores, leak_scores, pii_byte_spans, read_conll, read_pii_json, read_tsv,
    span_scores, TypedSpans,
};
use tokenveil::offsets::{OffsetEncoding, OffsetMap};
use tokenveil::pipelines::redaction::PiiRedactor;
use tokenveil::pipelines::text_classification::{TextClassificationOptions, TextClassifier};
use tokenveil::pipelines::token_classification::TokenClassifier;
use tokenveil::redact::{DetectorSet, RedactorConfig};
use tokenveil::{Error, ModelBundle, Result};

pub fn run(args: &EvalArgs, json: bool) -> Result<ExitCode> {
    let EvalArgs {
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
    } = args;
    let model = match (model, pii) {
        (None, Some(_)) if !*no_model && predictions.is_none() => Some(default_pii_model()?),
        _ => model.clone(),
    };
    let load = || match &model {
        Some(m) => ModelBundle::from_path(m, None),
        None => Err(Error::InvalidOption(
            "--model is required (with --pii: or --no-model, or --predictions)".into(),
        )),
    };
    let report = match (conll, tsv, pii) {
        (Some(path), None, None) => eval_conll(load()?, path, *column, *metric, *batch_size)?,
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
    if json {
        print_json(&report)?;
    } else {
        print_eval(&report);
    }
    Ok(ExitCode::SUCCESS)
}

fn eval_conll(
    bundle: ModelBundle,
    path: &std::path::Path,
    column: isize,
    metric: Metric,
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
        Metric::Entities => {
            report["entities"] =
                serde_json::to_value(entity_scores(&truth, &predicted)).unwrap_or_default()
        }
        Metric::Accuracy => report["accuracy"] = accuracy(&truth, &predicted).into(),
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

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
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
