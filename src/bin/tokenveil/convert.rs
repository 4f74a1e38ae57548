//! `tokenveil convert` and `tokenveil info`: writing and reading model files.

use crate::args::{ConvertArgs, InfoArgs};
use crate::print_json;
use std::process::ExitCode;
use tokenveil::convert::{convert_dir, ConvertOptions};
use tokenveil::{ModelBundle, Result};

pub fn run(args: &ConvertArgs, json: bool) -> Result<ExitCode> {
    let opts = ConvertOptions {
        quant: args.quant,
        embeddings: args.embeddings.map(Into::into),
        name: args.name.clone(),
        overrides: args
            .quant_override
            .iter()
            .map(|o| o.parse())
            .collect::<Result<_>>()?,
    };
    let report = convert_dir(&args.dir, &args.output, &opts)?;
    if json {
        print_json(&report)?;
        return Ok(ExitCode::SUCCESS);
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
        args.output.display(),
        report.bytes,
        report.tensors.len(),
        counts
    );
    Ok(ExitCode::SUCCESS)
}

pub fn info(args: &InfoArgs) -> Result<ExitCode> {
    let bundle = ModelBundle::from_path(&args.model, None)?;
    let c = &bundle.config;
    let meta = bundle.metadata.as_ref();
    print_json(&serde_json::json!({
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
    }))?;
    Ok(ExitCode::SUCCESS)
}
