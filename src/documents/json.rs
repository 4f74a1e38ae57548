//! JSON and JSON Lines: every string value is redacted; keys, numbers, literals, whitespace and
//! the order of everything stay byte for byte. The document is first checked with serde_json (so
//! a malformed one is an error with its line and column), then walked over its raw text, and only
//! the replaced string tokens are re-encoded.

use super::{action_for, document_span, redact_record, DocumentOptions, Value};
use super::{DocumentRedaction, FieldRedactor};
use crate::error::{Error, Result};
use std::collections::BTreeSet;

/// A string value: its token in the text (quotes included) and where it sits.
struct Leaf {
    raw: (usize, usize),
    value: String,
    /// `orders[3].customer.email`
    path: String,
    /// `orders.customer.email`: the keys alone, what selectors name.
    keys: String,
    /// The innermost key (`email`), or the path's last part for an array of strings.
    label: String,
    /// The element of a top-level array it belongs to (0 otherwise).
    record: usize,
}

enum Frame {
    Object { key: Option<String> },
    Array { index: usize },
}

fn decode(token: &str) -> String {
    // The document already parsed, so every string token does.
    serde_json::from_str(token).unwrap_or_default()
}

/// The string values of one well-formed JSON text, in order.
fn leaves(text: &str) -> Vec<Leaf> {
    let bytes = text.as_bytes();
    let mut stack: Vec<Frame> = Vec::new();
    let mut expect_key = false;
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'{' => {
                stack.push(Frame::Object { key: None });
                expect_key = true;
            }
            b'[' => {
                stack.push(Frame::Array { index: 0 });
                expect_key = false;
            }
            b'}' | b']' => {
                stack.pop();
            }
            b',' => match stack.last_mut() {
                Some(Frame::Array { index }) => *index += 1,
                _ => expect_key = true,
            },
            b':' => expect_key = false,
            b'"' => {
                let mut j = i + 1;
                while bytes[j] != b'"' {
                    j += if bytes[j] == b'\\' { 2 } else { 1 };
                }
                let token = &text[i..=j];
                match stack.last_mut() {
                    Some(Frame::Object { key }) if expect_key => *key = Some(decode(token)),
                    _ => out.push(leaf(&stack, (i, j + 1), decode(token))),
                }
                i = j;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

fn leaf(stack: &[Frame], raw: (usize, usize), value: String) -> Leaf {
    let mut path = String::new();
    let mut keys = Vec::new();
    for frame in stack {
        match frame {
            Frame::Object { key: Some(k) } => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
                keys.push(k.as_str());
            }
            Frame::Object { key: None } => {}
            Frame::Array { index } => path.push_str(&format!("[{index}]")),
        }
    }
    let record = match stack.first() {
        Some(Frame::Array { index }) => *index,
        _ => 0,
    };
    let label = keys.last().map_or_else(|| path.clone(), |k| k.to_string());
    Leaf {
        raw,
        value,
        keys: keys.join("."),
        path,
        label,
        record,
    }
}

/// Byte length of `s` once JSON-escaped (without the quotes).
fn escaped_len(s: &str) -> usize {
    serde_json::to_string(s).map_or(s.len(), |t| t.len() - 2)
}

pub(super) fn redact(
    content: &str,
    lines: bool,
    options: &DocumentOptions,
    redactor: &mut dyn FieldRedactor,
    out: &mut DocumentRedaction,
    used: &mut BTreeSet<String>,
) -> Result<()> {
    let mut written = String::with_capacity(content.len());
    if lines {
        for (n, line) in content.split_inclusive('\n').enumerate() {
            if !line.trim().is_empty() {
                check(line, n)?;
                let record = out.records;
                let base = written.len();
                let text = redact_text(line, Some(record), options, redactor, out, used, base)?;
                written.push_str(&text);
            } else {
                written.push_str(line);
            }
        }
    } else {
        check(content, 0)?;
        written = redact_text(content, None, options, redactor, out, used, 0)?;
    }
    out.content = written;
    Ok(())
}

/// Fails with `invalid_document` unless `text` is one JSON value; `first_line` is its line in
/// the file (from 0).
fn check(text: &str, first_line: usize) -> Result<()> {
    serde_json::from_str::<serde::de::IgnoredAny>(text)
        .map(|_| ())
        .map_err(|e| {
            Error::InvalidDocument(format!(
                "line {}, column {}: {e}",
                first_line + e.line(),
                e.column()
            ))
        })
}

/// Redacts one JSON text (a document, or one line of JSON Lines, which is `record` then),
/// appending spans to `out` at offsets from `base` (where its output starts in the document's).
fn redact_text(
    text: &str,
    record: Option<usize>,
    options: &DocumentOptions,
    redactor: &mut dyn FieldRedactor,
    out: &mut DocumentRedaction,
    used: &mut BTreeSet<String>,
    base: usize,
) -> Result<String> {
    let all = leaves(text);
    let mut replaced: Vec<Option<crate::redact::Redaction>> = Vec::with_capacity(all.len());
    let mut k = 0;
    let mut records = 0;
    while k < all.len() {
        // The leaves of one record are consecutive.
        let rec = all[k].record;
        let end = all[k..]
            .iter()
            .position(|l| l.record != rec)
            .map_or(all.len(), |n| k + n);
        let values: Vec<Value<'_>> = all[k..end]
            .iter()
            .map(|l| Value {
                label: &l.label,
                text: &l.value,
                action: action_for([l.keys.as_str(), l.label.as_str()], options, used),
            })
            .collect();
        replaced.extend(redact_record(&values, redactor)?);
        records += 1;
        k = end;
    }
    // A document with no string values is still a record.
    out.records += match record {
        Some(_) => 1,
        None => records.max(1),
    };
    let mut written = String::with_capacity(text.len());
    let mut copied = 0;
    for (l, red) in all.iter().zip(replaced) {
        let Some(red) = red else { continue };
        out.values += 1;
        if red.spans.is_empty() {
            continue;
        }
        written.push_str(&text[copied..l.raw.0]);
        let at = base + written.len() + 1; // after the opening quote
        for s in &red.spans {
            out.spans.push(document_span(
                &l.path,
                record.unwrap_or(l.record),
                at + escaped_len(&red.text[..s.new_start]),
                at + escaped_len(&red.text[..s.new_end]),
                s,
            ));
        }
        written.push_str(&serde_json::to_string(&red.text).map_err(|e| {
            Error::InvalidDocument(format!("{}: cannot write the value: {e}", l.path))
        })?);
        copied = l.raw.1;
    }
    written.push_str(&text[copied..]);
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::super::tests::{check_spans, Toy};
    use super::super::{redact_document, DocumentFormat, DocumentOptions};
    use super::*;

    #[test]
    fn paths_keys_and_records() {
        let text = r#"[{"name": "Ada", "tags": ["x", {"k": "v"}]}, {"a\"b": "é\n"}]"#;
        let got: Vec<(String, String, String, usize, String)> = leaves(text)
            .into_iter()
            .map(|l| (l.path, l.keys, l.label, l.record, l.value))
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "[0].name".into(),
                    "name".into(),
                    "name".into(),
                    0,
                    "Ada".into()
                ),
                (
                    "[0].tags[0]".into(),
                    "tags".into(),
                    "tags".into(),
                    0,
                    "x".into()
                ),
                (
                    "[0].tags[1].k".into(),
                    "tags.k".into(),
                    "k".into(),
                    0,
                    "v".into()
                ),
                (
                    "[1].a\"b".into(),
                    "a\"b".into(),
                    "a\"b".into(),
                    1,
                    "é\n".into()
                ),
            ]
        );
    }

    #[test]
    fn redacts_string_values_and_keeps_the_rest_byte_for_byte() {
        let json = "{\n  \"id\": 1.50e2, \"ok\": true,\n  \"user\": {\"name\": \"Ada Lovelace\", \"email\": \"ada@example.com\"},\n  \"note\": \"call \\\"Ada Lovelace\\\" at +44 20 7946 0958\"\n}\n";
        let mut toy = Toy::new(&["Ada Lovelace"]);
        let out = redact_document(
            json,
            DocumentFormat::Json,
            &DocumentOptions::default(),
            &mut toy,
        )
        .unwrap();
        assert_eq!(
            out.content,
            "{\n  \"id\": 1.50e2, \"ok\": true,\n  \"user\": {\"name\": \"<PERSON_1>\", \"email\": \"<EMAIL_1>\"},\n  \"note\": \"call \\\"<PERSON_1>\\\" at <PHONE_1>\"\n}\n"
        );
        check_spans(&out);
        assert_eq!(out.spans[0].field, "user.name");
        assert_eq!((out.records, out.values), (1, 3));
        let back: serde_json::Value =
            serde_json::from_str(&toy.session.restore(&out.content)).unwrap();
        assert_eq!(
            back,
            serde_json::from_str::<serde_json::Value>(json).unwrap()
        );
    }

    #[test]
    fn json_lines_records_selectors_and_errors() {
        let jsonl = "{\"name\": \"Ada\", \"order\": \"A-1\"}\n\n{\"name\": \"Bob\", \"order\": \"B-2\", \"items\": [{\"name\": \"lamp\"}]}\n";
        let mut options = DocumentOptions::default();
        options.force.insert("name".into(), "PERSON".into());
        options.skip.push("order".into());
        options.skip.push("items.name".into());
        let mut toy = Toy::new(&[]);
        let out = redact_document(jsonl, DocumentFormat::Jsonl, &options, &mut toy).unwrap();
        assert_eq!(
            out.content,
            "{\"name\": \"<PERSON_1>\", \"order\": \"A-1\"}\n\n{\"name\": \"<PERSON_2>\", \"order\": \"B-2\", \"items\": [{\"name\": \"lamp\"}]}\n"
        );
        assert_eq!(out.records, 2);
        assert_eq!(out.spans[1].record, 1);
        check_spans(&out);

        let e = redact_document(
            "{\"a\": 1}\n{\"a\": }\n",
            DocumentFormat::Jsonl,
            &DocumentOptions::default(),
            &mut Toy::new(&[]),
        )
        .unwrap_err();
        assert_eq!(e.code(), "invalid_document");
        assert!(e.to_string().contains("line 2"), "{e}");
        let e = redact_document(
            "{\"a\": 1",
            DocumentFormat::Json,
            &DocumentOptions::default(),
            &mut Toy::new(&[]),
        )
        .unwrap_err();
        assert_eq!(e.code(), "invalid_document");
    }
}
