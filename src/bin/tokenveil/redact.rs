//! `tokenveil redact` and `tokenveil restore`, and what they share with `eval --pii`: the
//! default PII model, `--config` and `--operator`.

use crate::args::{DocumentArgs, OffsetUnit, RedactArgs, RestoreArgs};
use crate::jsonl::{self, Outcome};
use crate::{print_json, print_text, read_text, text_or_stdin, units};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use tokenveil::documents::{DocumentFormat, DocumentOptions};
use tokenveil::offsets::OffsetMap;
use tokenveil::pipelines::redaction::PiiRedactor;
use tokenveil::pipelines::token_classification::TokenClassifier;
use tokenveil::redact::{Operator, Redaction, RedactionSession, RedactorConfig};
use tokenveil::{Error, ModelBundle, Result};

pub fn run(args: &RedactArgs, json: bool) -> Result<ExitCode> {
    let mut cfg = read_redactor_config(args.config.as_deref())?;
    for spec in &args.operators {
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
    if let Some(key) = args
        .hash_key
        .clone()
        .or_else(|| std::env::var("TOKENVEIL_HASH_KEY").ok())
    {
        cfg.hash_key = Some(key);
    }
    let model = match (args.model.is_empty(), args.no_model) {
        (_, true) => Vec::new(),
        (true, false) => vec![default_pii_model()?],
        (false, false) => args.model.clone(),
    };
    let classifiers = model
        .iter()
        .map(|m| TokenClassifier::new(ModelBundle::from_path(m, None)?))
        .collect::<Result<Vec<_>>>()?;
    let redactor = PiiRedactor::new(classifiers, cfg)?;
    // One message of a session: it supplies a random hash key when none was given.
    let mut session = redactor.session()?;
    let unit = args.offsets;
    if let Some(path) = &args.document.file {
        return document(&redactor, &mut session, &args.document, path, json, unit);
    }
    if args.bulk.jsonl {
        // Records are independent (placeholders restart at _1) and share the run's hash key.
        return jsonl::run(&args.bulk, |texts| {
            redactor
                .redact_batch_in(&session, texts)
                .into_iter()
                .zip(texts)
                .map(|(r, text)| {
                    let r = r?;
                    let result = json.then(|| {
                        let mut all = units::redaction_json(text, &r, unit);
                        if let Some(map) = all.as_object_mut() {
                            map.remove("text");
                        }
                        ("redaction", all)
                    });
                    Ok(Outcome {
                        text: Some(r.text),
                        result,
                    })
                })
                .collect()
        });
    }
    let text = text_or_stdin(&args.text)?;
    let out = redactor.redact_in(&mut session, &text, &[])?;
    if json {
        print_json(&units::redaction_json(&text, &out, unit))?;
    } else {
        print_text(&out.text);
    }
    Ok(ExitCode::SUCCESS)
}

/// `redact --file`: one document, redacted in its own format in one session.
fn document(
    redactor: &PiiRedactor,
    session: &mut RedactionSession,
    args: &DocumentArgs,
    path: &Path,
    json: bool,
    unit: OffsetUnit,
) -> Result<ExitCode> {
    let format = match args.format {
        Some(f) => f.format(),
        None => DocumentFormat::from_file_name(&path.to_string_lossy())?,
    };
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let content = String::from_utf8(bytes).map_err(|e| {
        Error::UnsupportedFormat(format!(
            "{}: not UTF-8 text (invalid byte at {}): binary files are not redacted",
            path.display(),
            e.utf8_error().valid_up_to()
        ))
    })?;
    let mut options = DocumentOptions {
        skip: args.skip.clone(),
        no_header: args.no_header,
        ..Default::default()
    };
    for spec in &args.force {
        let (selector, ty) = spec.rsplit_once('=').ok_or_else(|| {
            Error::InvalidOption(format!("--force wants SELECTOR=TYPE, got `{spec}`"))
        })?;
        options
            .force
            .insert(selector.to_string(), tokenveil::redact::canonical_name(ty));
    }
    let out = redactor.redact_document(session, &content, format, &options)?;
    if let Some(o) = &args.output {
        std::fs::write(o, &out.content).map_err(|e| Error::io(o, e))?;
    }
    if json {
        let map = OffsetMap::new(&out.content, unit.encoding());
        let spans: Vec<_> = out
            .spans
            .iter()
            .cloned()
            .map(|mut s| {
                (s.start, s.end) = (map.convert(s.start), map.convert(s.end));
                s
            })
            .collect();
        let mut report = serde_json::json!({
            "format": format.name(),
            "output": args.output.as_ref().map(|o| o.display().to_string()),
            "records": out.records,
            "values": out.values,
            "offsets": unit.name(),
            "spans": spans,
            "mapping": session.mapping(),
        });
        if args.output.is_none() {
            report["content"] = out.content.into();
        }
        print_json(&report)?;
    } else if args.output.is_none() {
        // The document as it is, with no newline added.
        print!("{}", out.content);
    }
    Ok(ExitCode::SUCCESS)
}

/// `tokenveil restore`: `text` with the replacements of the mapping file swapped back.
pub fn restore(args: &RestoreArgs, json: bool) -> Result<ExitCode> {
    let redaction = Redaction {
        mapping: read_mapping(&args.mapping)?,
        // `restore` reads only the mapping.
        text: String::new(),
        spans: Vec::new(),
    };
    let restored = tokenveil::redact::restore(&text_or_stdin(&args.text)?, &redaction);
    if json {
        print_json(&serde_json::json!({ "text": restored }))?;
    } else {
        print_text(&restored);
    }
    Ok(ExitCode::SUCCESS)
}

/// The `(replacement, original)` pairs of a `redact --json` output, of a
/// `redact --jsonl --json` record, or of a bare list.
fn read_mapping(path: &Path) -> Result<Vec<(String, String)>> {
    let bad = |what: String| Error::InvalidOption(format!("{}: {what}", path.display()));
    let value: Value = serde_json::from_str(&read_text(path)?).map_err(|e| bad(e.to_string()))?;
    let list = match &value {
        Value::Array(_) => Some(&value),
        Value::Object(map) => map
            .get("mapping")
            .or_else(|| map.get("redaction").and_then(|r| r.get("mapping"))),
        _ => None,
    }
    .ok_or_else(|| {
        bad("no mapping: give the output of `redact --json` (or a list of [replacement, original] pairs)".into())
    })?;
    serde_json::from_value(list.clone()).map_err(|e| {
        bad(format!(
            "mapping: {e} (a list of [replacement, original] pairs)"
        ))
    })
}

/// The PII model used when `redact` or `eval --pii` is given none: $TOKENVEIL_MODEL when set
/// (it must exist), else models/pii/pii-q8_0.gguf under the current directory, else in the
/// repository this binary was built from. None of them: an `io` error naming every path tried.
pub fn default_pii_model() -> Result<PathBuf> {
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

/// `--config FILE` of `redact` and `eval --pii`: a RedactorConfig as JSON (unknown keys are
/// errors); none means the defaults.
pub fn read_redactor_config(path: Option<&Path>) -> Result<RedactorConfig> {
    match path {
        Some(path) => serde_json::from_str(&read_text(path)?)
            .map_err(|e| Error::InvalidOption(format!("{}: {e}", path.display()))),
        None => Ok(RedactorConfig::default()),
    }
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
