//! Redacting whole documents before they leave the device: plain text and Markdown, CSV and TSV,
//! JSON and JSON Lines.
//!
//! Each format's walker finds the values to redact, hands the detectors a record's worth of
//! context (a CSV row or a JSON record as `key: value` lines, so that "Ada" in a `name` column
//! reads like a name), and writes the document back with everything else byte for byte as it
//! was: header row, keys, numbers, whitespace, quoting and line endings. The browser
//! (`redactFile`) and the CLI (`redact --file`) share these walkers. What finds and replaces
//! personal data is the caller's [`FieldRedactor`]; with a [`RedactionSession`] behind it, one
//! value gets one placeholder across the whole document and the session's mapping restores it.
//!
//! [`RedactionSession`]: crate::redact::RedactionSession
//!
//! ```
//! use tokenveil::documents::{redact_document, DocumentFormat, DocumentOptions, FieldRedactor};
//! use tokenveil::redact::{Redaction, RedactionSession, RedactorConfig, Span};
//!
//! // Patterns alone (no model): detect() finds nothing, redact() runs the pattern detectors.
//! struct Patterns(RedactionSession);
//! impl FieldRedactor for Patterns {
//!     fn detect(&mut self, _: &str) -> tokenveil::Result<Vec<Span>> { Ok(Vec::new()) }
//!     fn redact(&mut self, text: &str, spans: &[Span]) -> tokenveil::Result<Redaction> {
//!         self.0.redact(text, spans)
//!     }
//! }
//! let csv = "name,email,visits\r\nAda,ada@example.com,3\r\n";
//! let mut options = DocumentOptions::default();
//! options.force.insert("name".into(), "PERSON".into());
//! let mut fields = Patterns(RedactionSession::new(RedactorConfig::default())?);
//! let out = redact_document(csv, DocumentFormat::Csv, &options, &mut fields)?;
//! assert_eq!(out.content, "name,email,visits\r\n<PERSON_1>,<EMAIL_1>,3\r\n");
//! assert_eq!(fields.0.restore(&out.content), csv);
//! # Ok::<(), tokenveil::Error>(())
//! ```

mod csv;
mod json;

use crate::error::{Error, Result};
use crate::redact::{Redaction, Span};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The formats [`redact_document`] reads. Anything else (binary files, office documents,
/// images) is an `unsupported_format` error, never passed through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum DocumentFormat {
    /// `.txt` (and `.text`, `.log`): the whole text.
    Text,
    /// `.md`: the whole text, as plain text (code, links and headings included).
    Markdown,
    /// `.csv`: comma-separated, RFC 4180 quoting; the first row names the columns.
    Csv,
    /// `.tsv`: tab-separated, with the same quoting rules.
    Tsv,
    /// `.json`: every string value; keys and structure kept.
    Json,
    /// `.jsonl` / `.ndjson`: one JSON value per line, each a record.
    Jsonl,
}

impl DocumentFormat {
    pub const ALL: [DocumentFormat; 6] = [
        DocumentFormat::Text,
        DocumentFormat::Markdown,
        DocumentFormat::Csv,
        DocumentFormat::Tsv,
        DocumentFormat::Json,
        DocumentFormat::Jsonl,
    ];

    /// The format's short name (`txt`, `md`, `csv`, `tsv`, `json`, `jsonl`).
    pub fn name(self) -> &'static str {
        match self {
            DocumentFormat::Text => "txt",
            DocumentFormat::Markdown => "md",
            DocumentFormat::Csv => "csv",
            DocumentFormat::Tsv => "tsv",
            DocumentFormat::Json => "json",
            DocumentFormat::Jsonl => "jsonl",
        }
    }

    /// The media type a redacted file of this format is given.
    pub fn media_type(self) -> &'static str {
        match self {
            DocumentFormat::Text => "text/plain",
            DocumentFormat::Markdown => "text/markdown",
            DocumentFormat::Csv => "text/csv",
            DocumentFormat::Tsv => "text/tab-separated-values",
            DocumentFormat::Json => "application/json",
            DocumentFormat::Jsonl => "application/jsonl",
        }
    }

    /// A format by short name (as [`Self::name`], also `text`, `markdown`, `ndjson`), any case.
    pub fn from_name(name: &str) -> Result<Self> {
        let n = name.trim().to_ascii_lowercase();
        Ok(match n.trim_start_matches('.') {
            "txt" | "text" | "log" => DocumentFormat::Text,
            "md" | "markdown" => DocumentFormat::Markdown,
            "csv" => DocumentFormat::Csv,
            "tsv" | "tab" => DocumentFormat::Tsv,
            "json" => DocumentFormat::Json,
            "jsonl" | "ndjson" => DocumentFormat::Jsonl,
            _ => return Err(unsupported(&format!("format `{name}`"))),
        })
    }

    /// The format of a file name, by its extension.
    pub fn from_file_name(file_name: &str) -> Result<Self> {
        match file_name.rsplit_once('.') {
            Some((stem, ext)) if !stem.is_empty() && !ext.contains(['/', '\\']) => {
                Self::from_name(ext).map_err(|_| unsupported(&format!("file `{file_name}`")))
            }
            _ => Err(unsupported(&format!("file `{file_name}` (no extension)"))),
        }
    }

    /// The format of a media type (`text/csv; charset=utf-8`), if it names one of ours.
    pub fn from_media_type(media_type: &str) -> Option<Self> {
        let essence = media_type.split(';').next()?.trim().to_ascii_lowercase();
        Some(match essence.as_str() {
            "text/plain" => DocumentFormat::Text,
            "text/markdown" | "text/x-markdown" => DocumentFormat::Markdown,
            "text/csv" => DocumentFormat::Csv,
            "text/tab-separated-values" => DocumentFormat::Tsv,
            "application/json" => DocumentFormat::Json,
            "application/jsonl" | "application/x-ndjson" | "application/x-jsonlines" => {
                DocumentFormat::Jsonl
            }
            _ => return None,
        })
    }
}

fn unsupported(what: &str) -> Error {
    let names: Vec<&str> = DocumentFormat::ALL.iter().map(|f| f.name()).collect();
    Error::UnsupportedFormat(format!(
        "{what}: the formats are {} (plain text, Markdown, CSV, TSV, JSON, JSON Lines)",
        names.join(", ")
    ))
}

/// Which values of a structured document to leave alone or to replace whole.
///
/// A selector names a CSV/TSV column (by header name, or by 1-based number) or a JSON value
/// (by its key, or by its key path with array indices left out: `customer.email` matches
/// `orders[3].customer.email`). A selector that matches nothing is an `invalid_option` error,
/// so a misspelt column never lets a value through.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct DocumentOptions {
    /// Values kept as they are (an order id, a product name).
    pub skip: Vec<String>,
    /// Values replaced whole as this entity type, whatever the detectors say (a `name` column
    /// whose cells hold names the model might not recognise alone).
    pub force: BTreeMap<String, String>,
    /// CSV/TSV: the first row is data, not column names (columns are then `1`, `2`, ...).
    pub no_header: bool,
}

/// Finds and replaces personal data in one value. The walkers call [`Self::detect`] once per
/// record (on its `key: value` lines) and [`Self::redact`] once per value, with the detected
/// spans that fall in it.
pub trait FieldRedactor {
    /// Spans found by models (byte offsets into `text`); pattern detectors run in `redact`.
    fn detect(&mut self, text: &str) -> Result<Vec<Span>>;
    /// Redacts `text` with `spans` pooled in (the pattern detectors add their own).
    fn redact(&mut self, text: &str, spans: &[Span]) -> Result<Redaction>;
}

/// One replacement in a redacted document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentSpan {
    /// Where the value is: `""` for text, the column name for CSV/TSV, the key path for JSON
    /// (`orders[3].customer.email`).
    pub field: String,
    /// The record: 0 for text and for a JSON document that is not an array; the data row (from
    /// 0, after the header) for CSV/TSV; the line's record (from 0) for JSON Lines; the element
    /// for a top-level JSON array.
    pub record: usize,
    /// Byte offsets of `replacement` in the redacted document, as written there (inside a
    /// CSV quote a `"` is written `""`; in JSON the replacement is escaped).
    pub start: usize,
    pub end: usize,
    pub entity_type: String,
    pub detector: String,
    pub score: f32,
    pub original: String,
    pub replacement: String,
}

/// The result of [`redact_document`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentRedaction {
    pub format: DocumentFormat,
    /// The redacted document.
    pub content: String,
    /// Every replacement, in document order.
    pub spans: Vec<DocumentSpan>,
    /// Records read (text: 1; CSV/TSV: data rows; JSON Lines: non-blank lines; JSON: the
    /// elements of a top-level array that hold strings, else 1).
    pub records: usize,
    /// Values handed to the redactor (cells, string values; text: 1).
    pub values: usize,
}

/// Redacts `content` as a document of `format`. Fails with `invalid_document` when it does not
/// parse as that format (the message gives the line), `invalid_option` for a selector that
/// matches nothing, and with whatever the redactor fails with.
pub fn redact_document(
    content: &str,
    format: DocumentFormat,
    options: &DocumentOptions,
    redactor: &mut dyn FieldRedactor,
) -> Result<DocumentRedaction> {
    let (out, used) = redact_document_part(content, format, options, redactor)?;
    check_selectors(format, options, &used)?;
    Ok(out)
}

/// [`redact_document`] for one piece of a document too large to hold at once (a run of CSV
/// rows under the header, of JSON Lines), read piece by piece: a selector may match nothing
/// in one piece and something in the next, so this returns the selectors that matched
/// something instead of failing; [`check_selectors`] judges the union once every piece is
/// read.
pub fn redact_document_part(
    content: &str,
    format: DocumentFormat,
    options: &DocumentOptions,
    redactor: &mut dyn FieldRedactor,
) -> Result<(DocumentRedaction, BTreeSet<String>)> {
    let mut out = DocumentRedaction {
        format,
        content: String::new(),
        spans: Vec::new(),
        records: 0,
        values: 0,
    };
    let mut used = BTreeSet::new();
    match format {
        DocumentFormat::Text | DocumentFormat::Markdown => {
            if !options.skip.is_empty() || !options.force.is_empty() {
                return Err(Error::InvalidOption(format!(
                    "skip and force select CSV columns or JSON values; a {} file has none",
                    format.name()
                )));
            }
            let spans = redactor.detect(content)?;
            let r = redactor.redact(content, &spans)?;
            out.spans = r
                .spans
                .iter()
                .map(|s| document_span("", 0, s.new_start, s.new_end, s))
                .collect();
            out.content = r.text;
            out.records = 1;
            out.values = 1;
        }
        DocumentFormat::Csv | DocumentFormat::Tsv => {
            let delimiter = if format == DocumentFormat::Csv {
                b','
            } else {
                b'\t'
            };
            csv::redact(content, delimiter, options, redactor, &mut out, &mut used)?;
        }
        DocumentFormat::Json | DocumentFormat::Jsonl => {
            json::redact(
                content,
                format == DocumentFormat::Jsonl,
                options,
                redactor,
                &mut out,
                &mut used,
            )?;
        }
    }
    Ok((out, used))
}

/// An `invalid_option` error for the selectors of `options` that are not in `used` (what
/// [`redact_document_part`] returned, over every piece), so a misspelt column never lets a
/// value through.
pub fn check_selectors(
    format: DocumentFormat,
    options: &DocumentOptions,
    used: &BTreeSet<String>,
) -> Result<()> {
    let unmatched: Vec<&String> = options
        .skip
        .iter()
        .chain(options.force.keys())
        .filter(|s| !used.contains(s.as_str()))
        .collect();
    if !unmatched.is_empty() && !matches!(format, DocumentFormat::Text | DocumentFormat::Markdown) {
        return Err(Error::InvalidOption(format!(
            "no {} matches {unmatched:?} (skip and force name {})",
            if matches!(format, DocumentFormat::Csv | DocumentFormat::Tsv) {
                "column"
            } else {
                "value"
            },
            if matches!(format, DocumentFormat::Csv | DocumentFormat::Tsv) {
                "columns by header or 1-based number"
            } else {
                "JSON values by key or key path"
            }
        )));
    }
    Ok(())
}

fn document_span(
    field: &str,
    record: usize,
    start: usize,
    end: usize,
    s: &crate::redact::RedactedSpan,
) -> DocumentSpan {
    DocumentSpan {
        field: field.to_string(),
        record,
        start,
        end,
        entity_type: s.entity_type.clone(),
        detector: s.detector.clone(),
        score: s.score,
        original: s.original.clone(),
        replacement: s.replacement.clone(),
    }
}

/// What happens to one value of a record.
#[derive(Debug, Clone, PartialEq)]
enum Action {
    Keep,
    Redact,
    Force(String),
}

/// One value of a record, as the walkers hand it over.
struct Value<'a> {
    /// The `key` of its context line (column name, JSON key).
    label: &'a str,
    text: &'a str,
    action: Action,
}

/// Redacts the values of one record: one `detect` over the record's `label: value` lines (each
/// value on its own lines, so a detected span never joins two values), then one `redact` per
/// value with the spans that fall in it. `None` for a value left as it is.
fn redact_record(
    values: &[Value<'_>],
    redactor: &mut dyn FieldRedactor,
) -> Result<Vec<Option<Redaction>>> {
    let mut context = String::new();
    let mut ranges = Vec::with_capacity(values.len());
    for v in values {
        if v.action == Action::Keep || v.text.trim().is_empty() {
            ranges.push(None);
            continue;
        }
        context.push_str(v.label);
        context.push_str(": ");
        let start = context.len();
        context.push_str(v.text);
        ranges.push(Some((start, context.len())));
        context.push('\n');
    }
    let found = if context.is_empty() {
        Vec::new()
    } else {
        redactor.detect(&context)?
    };
    let mut out = Vec::with_capacity(values.len());
    for (v, range) in values.iter().zip(ranges) {
        let Some((a, b)) = range else {
            out.push(None);
            continue;
        };
        let mut spans: Vec<Span> = found
            .iter()
            .filter(|s| s.start < b && s.end > a)
            .map(|s| Span {
                start: s.start.max(a) - a,
                end: s.end.min(b) - a,
                ..s.clone()
            })
            .collect();
        if let Action::Force(entity_type) = &v.action {
            let trimmed = v.text.trim();
            let start = v.text.len() - v.text.trim_start().len();
            spans.push(Span::caller(start, start + trimmed.len(), entity_type, 1.0));
        }
        out.push(Some(redactor.redact(v.text, &spans)?));
    }
    Ok(out)
}

/// The action for a value, given the selectors it answers to (most specific first); records
/// which selectors were used.
fn action_for<'s>(
    names: impl IntoIterator<Item = &'s str>,
    options: &DocumentOptions,
    used: &mut BTreeSet<String>,
) -> Action {
    for name in names {
        if options.skip.iter().any(|s| s == name) {
            used.insert(name.to_string());
            return Action::Keep;
        }
        if let Some(t) = options.force.get(name) {
            used.insert(name.to_string());
            return Action::Force(t.clone());
        }
    }
    Action::Redact
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::redact::{RedactionSession, RedactorConfig};

    /// Patterns plus a toy "model" that marks every occurrence of the given words as PERSON.
    pub(super) struct Toy {
        pub session: RedactionSession,
        pub names: Vec<&'static str>,
        pub contexts: Vec<String>,
    }

    impl Toy {
        pub fn new(names: &[&'static str]) -> Self {
            Toy {
                session: RedactionSession::new(RedactorConfig::default()).unwrap(),
                names: names.to_vec(),
                contexts: Vec::new(),
            }
        }
    }

    impl FieldRedactor for Toy {
        fn detect(&mut self, text: &str) -> Result<Vec<Span>> {
            self.contexts.push(text.to_string());
            let mut spans = Vec::new();
            for name in &self.names {
                for (i, _) in text.match_indices(name) {
                    spans.push(Span::model(i, i + name.len(), "B-PER", 0.99));
                }
            }
            Ok(spans)
        }
        fn redact(&mut self, text: &str, spans: &[Span]) -> Result<Redaction> {
            self.session.redact(text, spans)
        }
    }

    /// Each span covers its replacement as written: as is, CSV-quoted or JSON-escaped.
    pub(super) fn check_spans(out: &DocumentRedaction) {
        for s in &out.spans {
            let written = &out.content[s.start..s.end];
            let json = serde_json::to_string(&s.replacement).unwrap();
            assert!(
                written == s.replacement
                    || written == s.replacement.replace('"', "\"\"")
                    || written == &json[1..json.len() - 1],
                "{written:?} for {s:?}"
            );
        }
    }

    #[test]
    fn text_and_markdown_are_redacted_whole() {
        let mut toy = Toy::new(&["Ada Lovelace"]);
        let text = "# Visit\n\nAda Lovelace called from +44 20 7946 0958.\n";
        let out = redact_document(
            text,
            DocumentFormat::Markdown,
            &DocumentOptions::default(),
            &mut toy,
        )
        .unwrap();
        assert_eq!(
            out.content,
            "# Visit\n\n<PERSON_1> called from <PHONE_1>.\n"
        );
        assert_eq!(out.spans.len(), 2);
        check_spans(&out);
        assert_eq!(toy.session.restore(&out.content), text);
    }

    #[test]
    fn formats_by_name_extension_and_media_type() {
        assert_eq!(
            DocumentFormat::from_file_name("export.2026.CSV").unwrap(),
            DocumentFormat::Csv
        );
        assert_eq!(
            DocumentFormat::from_file_name("a.ndjson").unwrap(),
            DocumentFormat::Jsonl
        );
        for bad in ["photo.png", "report.pdf", "README", ".csv", "dir.csv/file"] {
            let e = DocumentFormat::from_file_name(bad).unwrap_err();
            assert_eq!(e.code(), "unsupported_format", "{bad}");
        }
        assert_eq!(
            DocumentFormat::from_media_type("text/csv; charset=utf-8"),
            Some(DocumentFormat::Csv)
        );
        assert_eq!(DocumentFormat::from_media_type("image/png"), None);
        for f in DocumentFormat::ALL {
            assert_eq!(DocumentFormat::from_name(f.name()).unwrap(), f);
            assert_eq!(DocumentFormat::from_media_type(f.media_type()), Some(f));
        }
    }

    #[test]
    fn pieces_judge_selectors_over_the_whole_document() {
        // JSON Lines read in two pieces: `note` appears only in the second.
        let options = DocumentOptions {
            skip: vec!["note".into()],
            ..Default::default()
        };
        let format = DocumentFormat::Jsonl;
        let mut toy = Toy::new(&[]);
        let first = "{\"email\":\"ada@example.com\"}\n";
        let second = "{\"note\":\"ada@example.com\"}\n";
        let (a, mut used) = redact_document_part(first, format, &options, &mut toy).unwrap();
        assert_eq!(a.content, "{\"email\":\"<EMAIL_1>\"}\n");
        assert!(check_selectors(format, &options, &used).is_err());
        let (b, more) = redact_document_part(second, format, &options, &mut toy).unwrap();
        assert_eq!(b.content, second);
        used.extend(more);
        check_selectors(format, &options, &used).unwrap();
        // The whole document in one call checks at once.
        let e = redact_document(first, format, &options, &mut toy).unwrap_err();
        assert_eq!(e.code(), "invalid_option");
    }

    #[test]
    fn selectors_on_text_are_an_error() {
        let mut options = DocumentOptions::default();
        options.skip.push("name".into());
        let e =
            redact_document("hi", DocumentFormat::Text, &options, &mut Toy::new(&[])).unwrap_err();
        assert_eq!(e.code(), "invalid_option");
    }
}
