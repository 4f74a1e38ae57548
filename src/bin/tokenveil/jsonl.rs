//! `--jsonl`, one loop for `ner`, `classify` and `redact`: JSON Lines in (stdin or a file),
//! each record's text to a task, each record back out on its own line, in order.
//!
//! A reader thread hands lines over; the loop takes the lines already read, up to `BATCH`,
//! so that a task sees many texts at once under load and a single line is not kept waiting
//! for the next one.

use crate::args::JsonlArgs;
use serde_json::{Map, Value};
use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;
use std::sync::mpsc;
use std::time::{Duration, Instant};
use tokenveil::{Error, Result};

/// Records handed to a task at once, at most.
const BATCH: usize = 32;

/// What a task makes of one record's text.
pub struct Outcome {
    /// Replaces the text in the record.
    pub text: Option<String>,
    /// Added to the record under this key; a string record becomes `{"text": ..., key: ...}`.
    pub result: Option<(&'static str, Value)>,
}

/// Runs `task` over every record of `args`' input. `task` gets a batch of texts and returns
/// one result per text, in order. Returns failure (after a summary on stderr) when some record
/// failed; an unreadable input or stdout is an error.
pub fn run<F>(args: &JsonlArgs, mut task: F) -> Result<ExitCode>
where
    F: FnMut(&[&str]) -> Vec<Result<Outcome>>,
{
    let source = args
        .input
        .as_ref()
        .map_or_else(|| "<stdin>".to_string(), |p| p.display().to_string());
    let reader: Box<dyn BufRead + Send> = match &args.input {
        Some(p) => Box::new(std::io::BufReader::new(
            std::fs::File::open(p).map_err(|e| Error::io(p, e))?,
        )),
        None => Box::new(std::io::BufReader::new(std::io::stdin())),
    };
    let lines = spawn_reader(reader);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut progress = Progress::new();
    let (mut line_no, mut records, mut failed) = (0usize, 0usize, 0usize);
    while let Ok(first) = lines.recv() {
        let mut chunk = vec![first];
        while chunk.len() < BATCH {
            match lines.try_recv() {
                Ok(line) => chunk.push(line),
                Err(_) => break,
            }
        }
        // A read error ends the run after the lines before it are written.
        let mut read_error = None;
        let mut parsed = Vec::with_capacity(chunk.len());
        for raw in chunk {
            match raw {
                Ok(line) => {
                    line_no += 1;
                    parsed.push(parse(line, &args.field));
                }
                Err(e) => {
                    read_error = Some(Error::io(&source, e));
                    break;
                }
            }
        }
        let texts: Vec<&str> = parsed
            .iter()
            .filter_map(|p| match p {
                Parsed::Record { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect();
        let mut results = task(&texts).into_iter();
        let first_line = line_no + 1 - parsed.len();
        for (i, p) in parsed.into_iter().enumerate() {
            let line = match p {
                Parsed::Blank => String::new(),
                Parsed::Bad(e) => {
                    records += 1;
                    failed += 1;
                    error_line(&e, first_line + i)
                }
                Parsed::Record { record, .. } => {
                    records += 1;
                    let result = results.next().unwrap_or_else(|| {
                        Err(Error::Inference("the task returned no result".into()))
                    });
                    match result {
                        Ok(outcome) => merge(record, &args.field, outcome).to_string(),
                        Err(e) => {
                            failed += 1;
                            error_line(&e, first_line + i)
                        }
                    }
                }
            };
            writeln!(out, "{line}").map_err(|e| Error::io("<stdout>", e))?;
        }
        out.flush().map_err(|e| Error::io("<stdout>", e))?;
        progress.update(records, failed);
        if let Some(e) = read_error {
            progress.finish(records, failed);
            return Err(e);
        }
    }
    progress.finish(records, failed);
    if failed == 0 {
        return Ok(ExitCode::SUCCESS);
    }
    // On stderr even with --json: stdout keeps one line per input line.
    eprintln!(
        "error [invalid_option]: {failed} of {records} records in {source} failed (their lines hold the errors)"
    );
    Ok(ExitCode::FAILURE)
}

/// Lines of `reader` (without their line end) on a channel, then the channel closes. The
/// bound keeps a fast reader from holding the whole input in memory.
fn spawn_reader(mut reader: Box<dyn BufRead + Send>) -> mpsc::Receiver<std::io::Result<Vec<u8>>> {
    let (tx, rx) = mpsc::sync_channel(4 * BATCH);
    std::thread::spawn(move || loop {
        let mut line = Vec::new();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) => break,
            Ok(_) => {
                if line.ends_with(b"\n") {
                    line.pop();
                    if line.ends_with(b"\r") {
                        line.pop();
                    }
                }
                if tx.send(Ok(line)).is_err() {
                    break;
                }
            }
            Err(e) => {
                let _ = tx.send(Err(e));
                break;
            }
        }
    });
    rx
}

enum Parsed {
    Blank,
    Bad(Error),
    Record { record: Value, text: String },
}

/// One input line: blank, a record with its text, or why it is not one.
fn parse(line: Vec<u8>, field: &str) -> Parsed {
    let line = match String::from_utf8(line) {
        Ok(line) => line,
        Err(_) => return Parsed::Bad(Error::InvalidOption("the line is not UTF-8".into())),
    };
    if line.trim().is_empty() {
        return Parsed::Blank;
    }
    let record: Value = match serde_json::from_str(&line) {
        Ok(v) => v,
        Err(e) => return Parsed::Bad(Error::InvalidOption(format!("not a JSON value: {e}"))),
    };
    let text = match &record {
        Value::String(s) => s.clone(),
        Value::Object(map) => match map.get(field) {
            Some(Value::String(s)) => s.clone(),
            Some(_) => {
                return Parsed::Bad(Error::InvalidOption(format!(
                    "field `{field}` is not a string"
                )))
            }
            None => {
                return Parsed::Bad(Error::InvalidOption(format!(
                    "the record has no field `{field}`"
                )))
            }
        },
        _ => {
            return Parsed::Bad(Error::InvalidOption(
                "a record must be a JSON string or an object".into(),
            ))
        }
    };
    Parsed::Record { record, text }
}

/// `record` with the outcome written in.
fn merge(mut record: Value, field: &str, outcome: Outcome) -> Value {
    if let Some(text) = outcome.text {
        match &mut record {
            Value::Object(map) => {
                map.insert(field.to_string(), Value::String(text));
            }
            slot => *slot = Value::String(text),
        }
    }
    let Some((key, value)) = outcome.result else {
        return record;
    };
    let mut map = match record {
        Value::Object(map) => map,
        text => Map::from_iter([("text".to_string(), text)]),
    };
    map.insert(key.to_string(), value);
    Value::Object(map)
}

fn error_line(e: &Error, line: usize) -> String {
    serde_json::json!({"error": {"code": e.code(), "message": e.to_string(), "line": line}})
        .to_string()
}

/// A record counter on stderr, redrawn at most every 200 ms, when stderr is a terminal.
struct Progress {
    start: Instant,
    last: Option<Instant>,
    on: bool,
}

impl Progress {
    fn new() -> Self {
        Progress {
            start: Instant::now(),
            last: None,
            on: std::io::stderr().is_terminal(),
        }
    }

    fn update(&mut self, records: usize, failed: usize) {
        let now = Instant::now();
        if self.on
            && self
                .last
                .is_none_or(|t| now - t >= Duration::from_millis(200))
        {
            self.last = Some(now);
            self.draw(records, failed);
        }
    }

    fn draw(&self, records: usize, failed: usize) {
        let seconds = self.start.elapsed().as_secs_f64();
        let rate = if seconds > 0.0 {
            records as f64 / seconds
        } else {
            0.0
        };
        // \x1b[K clears what a longer earlier line left.
        eprint!("\r{records} records, {failed} failed, {rate:.1} records/s\x1b[K");
    }

    fn finish(&self, records: usize, failed: usize) {
        if self.on && self.last.is_some() {
            self.draw(records, failed);
            eprintln!();
        }
    }
}
