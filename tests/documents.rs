//! Document redaction over arbitrary input: CSV, TSV, JSON and JSON Lines walkers never panic,
//! fail only with `invalid_document`, write back byte for byte what they do not replace, and
//! keep a JSON document's structure.

use proptest::prelude::*;
use tokenveil::documents::{redact_document, DocumentFormat, DocumentOptions, FieldRedactor};
use tokenveil::redact::{Redaction, RedactionSession, RedactorConfig, Span};

/// Changes nothing.
struct Identity;

impl FieldRedactor for Identity {
    fn detect(&mut self, _: &str) -> tokenveil::Result<Vec<Span>> {
        Ok(Vec::new())
    }
    fn redact(&mut self, text: &str, _: &[Span]) -> tokenveil::Result<Redaction> {
        Ok(Redaction {
            text: text.to_string(),
            spans: Vec::new(),
            mapping: Vec::new(),
        })
    }
}

/// Replaces every value with a placeholder (a caller span over all of it).
struct Everything(RedactionSession);

impl FieldRedactor for Everything {
    fn detect(&mut self, text: &str) -> tokenveil::Result<Vec<Span>> {
        Ok(vec![Span::caller(0, text.len(), "PERSON", 1.0)])
    }
    fn redact(&mut self, text: &str, _: &[Span]) -> tokenveil::Result<Redaction> {
        let trimmed = text.trim();
        let start = text.len() - text.trim_start().len();
        self.0.redact(
            text,
            &[Span::caller(start, start + trimmed.len(), "PERSON", 1.0)],
        )
    }
}

fn everything() -> Everything {
    Everything(RedactionSession::new(RedactorConfig::default()).unwrap())
}

const STRUCTURED: [DocumentFormat; 4] = [
    DocumentFormat::Csv,
    DocumentFormat::Tsv,
    DocumentFormat::Json,
    DocumentFormat::Jsonl,
];

/// Text made mostly of the characters that matter to the parsers.
fn structured_text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            Just(","),
            Just("\t"),
            Just("\""),
            Just("\n"),
            Just("\r\n"),
            Just("{"),
            Just("}"),
            Just("["),
            Just("]"),
            Just(":"),
            Just("\\"),
            Just("1"),
            Just("Ada"),
            Just(" "),
            Just("é"),
            Just("\u{200b}"),
            Just("true"),
        ],
        0..40,
    )
    .prop_map(|v| v.concat())
}

/// JSON documents with string values.
fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        any::<i32>().prop_map(serde_json::Value::from),
        "[a-zA-Z0-9 \"\\\\é,\n]{0,12}".prop_map(serde_json::Value::from),
        Just(serde_json::Value::Null),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
            prop::collection::btree_map("[a-z\"]{1,5}", inner, 0..4)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

/// The same shape with every non-blank string replaced by `x`.
fn shape(v: &serde_json::Value) -> serde_json::Value {
    match v {
        serde_json::Value::String(s) if !s.trim().is_empty() => "x".into(),
        serde_json::Value::Array(a) => a.iter().map(shape).collect(),
        serde_json::Value::Object(m) => m
            .iter()
            .map(|(k, v)| (k.clone(), shape(v)))
            .collect::<serde_json::Map<_, _>>()
            .into(),
        other => other.clone(),
    }
}

/// A JSON value as a CSV cell's text: strings as they are, anything else as JSON.
fn cell(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

proptest! {
    #[test]
    fn walkers_never_panic_and_keep_what_they_do_not_replace(text in structured_text()) {
        for format in STRUCTURED {
            match redact_document(&text, format, &DocumentOptions::default(), &mut Identity) {
                Ok(out) => prop_assert_eq!(&out.content, &text, "{:?}", format),
                Err(e) => prop_assert_eq!(e.code(), "invalid_document", "{:?}: {}", format, e),
            }
            if let Ok(out) = redact_document(&text, format, &DocumentOptions::default(), &mut everything()) {
                for s in &out.spans {
                    prop_assert!(out.content.is_char_boundary(s.start) && out.content.is_char_boundary(s.end));
                }
            }
        }
    }

    #[test]
    fn json_keeps_its_structure_and_csv_its_cells(value in json_value()) {
        let text = serde_json::to_string_pretty(&value).unwrap();
        let mut fields = everything();
        let out = redact_document(&text, DocumentFormat::Json, &DocumentOptions::default(), &mut fields).unwrap();
        let back: serde_json::Value = serde_json::from_str(&out.content).unwrap();
        prop_assert_eq!(shape(&back), shape(&value));
        for s in &out.spans {
            let written = &out.content[s.start..s.end];
            let escaped = serde_json::to_string(&s.replacement).unwrap();
            prop_assert_eq!(written, &escaped[1..escaped.len() - 1]);
        }

        // The same values as CSV cells: as many rows and cells come back, and restore gives the
        // file back exactly when no value needed escaping (restore is textual: it puts values
        // back, not the `""` that quoted them).
        let cells: Vec<String> = match &value {
            serde_json::Value::Object(m) => m.values().map(cell).collect(),
            other => vec![cell(other)],
        };
        let row = cells.iter().map(|c| format!("\"{}\"", c.replace('"', "\"\""))).collect::<Vec<_>>().join(",");
        let csv = format!("{}\n{row}\n{row}\n", (1..=cells.len()).map(|i| format!("c{i}")).collect::<Vec<_>>().join(","));
        let mut fields = everything();
        let out = redact_document(&csv, DocumentFormat::Csv, &DocumentOptions::default(), &mut fields).unwrap();
        prop_assert_eq!(out.records, 2);
        if !cells.iter().any(|c| c.contains('\n')) {
            prop_assert_eq!(out.content.lines().count(), 3);
        }
        prop_assert_eq!(out.content.lines().next(), csv.lines().next());
        if !cells.iter().any(|c| c.contains('"')) {
            prop_assert_eq!(fields.0.restore(&out.content), csv);
        }
    }
}
