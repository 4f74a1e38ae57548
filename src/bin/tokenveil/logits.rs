//! `tokenveil logits`: every token with its logits, probabilities and label.

use crate::args::LogitsArgs;
use crate::{print_json, text_or_stdin, units};
use std::process::ExitCode;
use tokenveil::pipelines::token_details::{token_logits, TokenLogits};
use tokenveil::{ModelBundle, Result};

pub fn run(args: &LogitsArgs, json: bool) -> Result<ExitCode> {
    let bundle = ModelBundle::from_path(&args.model, args.weights.as_deref())?;
    let text = text_or_stdin(&args.text)?;
    let out = units::token_logits(&text, token_logits(&bundle, &text)?, args.offsets);
    let unit = args.offsets.name();
    if json {
        let mut value = crate::to_json(&out)?;
        if let Some(map) = value.as_object_mut() {
            map.insert("offsets".into(), unit.into());
        }
        print_json(&value)?;
        return Ok(ExitCode::SUCCESS);
    }
    match args.top {
        Some(k) => print_top_table(&out, k, unit),
        None => print_table(&out, unit),
    }
    Ok(ExitCode::SUCCESS)
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

/// One row per token; per label "logit (probability)". Offsets count `unit`s.
fn print_table(out: &TokenLogits, unit: &str) {
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
        "#", "token", unit, "label", "score"
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
fn print_top_table(out: &TokenLogits, k: usize, unit: &str) {
    let tok_w = token_width(out);
    println!(
        "{:>3}  {:<tok_w$}  {:>9}  top {k} labels: logit (probability)",
        "#", "token", unit
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
