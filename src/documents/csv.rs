//! CSV and TSV: RFC 4180 records read with their exact bytes, so that a cell the redactor leaves
//! alone is written back as it was, quotes and all, and only replaced cells are re-quoted (a
//! quoted cell stays quoted; an unquoted one is quoted only when its new value needs it).

use super::{action_for, document_span, redact_record, Action, DocumentOptions, Value};
use super::{DocumentRedaction, FieldRedactor};
use crate::error::{Error, Result};
use std::borrow::Cow;
use std::collections::BTreeSet;

/// One cell: its bytes in the input (quotes included) and its value.
struct Cell<'a> {
    raw: (usize, usize),
    quoted: bool,
    value: Cow<'a, str>,
}

/// The cells of each record, in order. Line endings (`\n`, `\r\n`) and a last line without one
/// are all kept by the writer, which copies every byte between cells.
fn parse(content: &str, delimiter: u8) -> Result<Vec<Vec<Cell<'_>>>> {
    let bytes = content.as_bytes();
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut i = 0;
    let line_of = |at: usize| content[..at].matches('\n').count() + 1;
    while i < bytes.len() {
        let start = i;
        let cell = if bytes[i] == b'"' {
            // Quoted: up to the quote that is not doubled.
            let mut value = String::new();
            let mut j = i + 1;
            let mut run = j;
            loop {
                match bytes[j..].iter().position(|&b| b == b'"') {
                    None => {
                        return Err(Error::InvalidDocument(format!(
                            "line {}: a quoted field is never closed",
                            line_of(start)
                        )))
                    }
                    Some(k) => {
                        let q = j + k;
                        if bytes.get(q + 1) == Some(&b'"') {
                            value.push_str(&content[run..=q]);
                            j = q + 2;
                            run = j;
                        } else {
                            value.push_str(&content[run..q]);
                            j = q + 1;
                            break;
                        }
                    }
                }
            }
            if j < bytes.len() && bytes[j] != delimiter && bytes[j] != b'\n' && bytes[j] != b'\r' {
                return Err(Error::InvalidDocument(format!(
                    "line {}: text after a quoted field's closing quote (a quote inside a quoted field is written twice: \"\")",
                    line_of(j)
                )));
            }
            i = j;
            Cell {
                raw: (start, j),
                quoted: true,
                value: Cow::Owned(value),
            }
        } else {
            let end = bytes[i..]
                .iter()
                .position(|&b| b == delimiter || b == b'\n' || b == b'\r')
                .map_or(bytes.len(), |k| i + k);
            i = end;
            Cell {
                raw: (start, end),
                quoted: false,
                value: Cow::Borrowed(&content[start..end]),
            }
        };
        row.push(cell);
        match bytes.get(i) {
            Some(&b) if b == delimiter => {
                i += 1;
                if i == bytes.len() {
                    // A trailing delimiter: one more, empty cell.
                    row.push(Cell {
                        raw: (i, i),
                        quoted: false,
                        value: Cow::Borrowed(""),
                    });
                    rows.push(std::mem::take(&mut row));
                }
            }
            Some(b'\r') | Some(b'\n') => {
                if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                i += 1;
                rows.push(std::mem::take(&mut row));
            }
            _ => rows.push(std::mem::take(&mut row)),
        }
    }
    if !row.is_empty() {
        rows.push(row);
    }
    Ok(rows)
}

/// The cell as written: quoted when it was, or when the new value holds a delimiter, quote or
/// line break.
fn write_cell(value: &str, was_quoted: bool, delimiter: u8) -> (String, bool) {
    let needs = value
        .bytes()
        .any(|b| b == delimiter || b == b'"' || b == b'\n' || b == b'\r');
    if was_quoted || needs {
        (format!("\"{}\"", value.replace('"', "\"\"")), true)
    } else {
        (value.to_string(), false)
    }
}

/// Where byte `k` of a cell's value lands in the written cell.
fn written_offset(value: &str, k: usize, quoted: bool) -> usize {
    if quoted {
        1 + k + value[..k].matches('"').count()
    } else {
        k
    }
}

pub(super) fn redact(
    content: &str,
    delimiter: u8,
    options: &DocumentOptions,
    redactor: &mut dyn FieldRedactor,
    out: &mut DocumentRedaction,
    used: &mut BTreeSet<String>,
) -> Result<()> {
    let rows = parse(content, delimiter)?;
    let header: Vec<String> = match (options.no_header, rows.first()) {
        (false, Some(first)) => first.iter().map(|c| c.value.trim().to_string()).collect(),
        _ => Vec::new(),
    };
    let width = rows.iter().map(Vec::len).max().unwrap_or(0);
    let names: Vec<String> = (0..width)
        .map(|i| match header.get(i) {
            Some(h) if !h.is_empty() => h.clone(),
            _ => (i + 1).to_string(),
        })
        .collect();
    let actions: Vec<Action> = (0..width)
        .map(|i| {
            let number = (i + 1).to_string();
            action_for([names[i].as_str(), number.as_str()], options, used)
        })
        .collect();
    let data_from = usize::from(!options.no_header && !rows.is_empty());
    let mut written = String::with_capacity(content.len());
    let mut copied = 0;
    for (r, row) in rows.iter().enumerate() {
        if r < data_from {
            continue;
        }
        let values: Vec<Value<'_>> = row
            .iter()
            .enumerate()
            .map(|(c, cell)| Value {
                label: &names[c],
                text: &cell.value,
                action: actions[c].clone(),
            })
            .collect();
        let redacted = redact_record(&values, redactor)?;
        out.records += 1;
        for ((c, cell), red) in row.iter().enumerate().zip(redacted) {
            let Some(red) = red else { continue };
            out.values += 1;
            if red.spans.is_empty() {
                continue;
            }
            written.push_str(&content[copied..cell.raw.0]);
            let (cell_text, quoted) = write_cell(&red.text, cell.quoted, delimiter);
            let at = written.len();
            for s in &red.spans {
                out.spans.push(document_span(
                    &names[c],
                    r - data_from,
                    at + written_offset(&red.text, s.new_start, quoted),
                    at + written_offset(&red.text, s.new_end, quoted),
                    s,
                ));
            }
            written.push_str(&cell_text);
            copied = cell.raw.1;
        }
    }
    written.push_str(&content[copied..]);
    out.content = written;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::tests::{check_spans, Toy};
    use super::super::{redact_document, DocumentFormat, DocumentOptions};
    use super::*;

    fn values(content: &str) -> Vec<Vec<String>> {
        parse(content, b',')
            .unwrap()
            .iter()
            .map(|r| r.iter().map(|c| c.value.to_string()).collect())
            .collect()
    }

    #[test]
    fn parses_quotes_line_endings_and_empty_cells() {
        assert_eq!(
            values("a,\"b,\"\"c\"\"\",\r\n\"x\ny\",,z"),
            vec![vec!["a", "b,\"c\"", ""], vec!["x\ny", "", "z"]]
        );
        assert_eq!(values("a,b\n"), vec![vec!["a", "b"]]);
        assert_eq!(values("a,"), vec![vec!["a", ""]]);
        assert!(values("").is_empty());
        for bad in ["\"never closed", "\"a\"b,c"] {
            let e = parse(bad, b',').err().unwrap();
            assert_eq!(e.code(), "invalid_document", "{bad}");
            assert!(e.to_string().contains("line 1"), "{e}");
        }
    }

    #[test]
    fn redacts_cells_with_row_context_and_keeps_everything_else() {
        let csv = "id,\"name\",note,phone\r\n7,Ada Lovelace,\"says \"\"hi\"\", Ada Lovelace\",+44 20 7946 0958\r\n8,Bob,none,\r\n";
        let mut toy = Toy::new(&["Ada Lovelace"]);
        let out = redact_document(
            csv,
            DocumentFormat::Csv,
            &DocumentOptions::default(),
            &mut toy,
        )
        .unwrap();
        assert_eq!(
            out.content,
            "id,\"name\",note,phone\r\n7,<PERSON_1>,\"says \"\"hi\"\", <PERSON_1>\",<PHONE_1>\r\n8,Bob,none,\r\n"
        );
        assert_eq!((out.records, out.values), (2, 7));
        check_spans(&out);
        assert_eq!(out.spans[1].field, "note");
        assert_eq!(toy.session.restore(&out.content), csv);
        // One detect per row, each value on its own `column: value` line.
        assert_eq!(toy.contexts[1], "id: 8\nname: Bob\nnote: none\n");
    }

    #[test]
    fn skip_and_force_by_name_or_number() {
        let tsv = "who\tcity\tcode\nAda\tLondon\tAB-12\n";
        let mut options = DocumentOptions::default();
        options.force.insert("who".into(), "PERSON".into());
        options.force.insert("2".into(), "LOCATION".into());
        options.skip.push("code".into());
        let mut toy = Toy::new(&[]);
        let out = redact_document(tsv, DocumentFormat::Tsv, &options, &mut toy).unwrap();
        assert_eq!(
            out.content,
            "who\tcity\tcode\n<PERSON_1>\t<LOCATION_1>\tAB-12\n"
        );
        check_spans(&out);

        options.skip.push("zip".into());
        let e =
            redact_document(tsv, DocumentFormat::Tsv, &options, &mut Toy::new(&[])).unwrap_err();
        assert_eq!(e.code(), "invalid_option");
        assert!(e.to_string().contains("zip"), "{e}");
    }

    #[test]
    fn a_replacement_that_needs_quotes_gets_them() {
        let mut options = DocumentOptions {
            no_header: true,
            ..Default::default()
        };
        options.force.insert("1".into(), "PERSON".into());
        let mut toy = Toy::new(&[]);
        toy.session = crate::redact::RedactionSession::new({
            let mut c = crate::redact::RedactorConfig::default();
            c.operators.insert(
                "PERSON".into(),
                crate::redact::Operator::Replace {
                    template: "a, \"b\"".into(),
                },
            );
            c
        })
        .unwrap();
        let out = redact_document("Ada,1\n", DocumentFormat::Csv, &options, &mut toy).unwrap();
        assert_eq!(out.content, "\"a, \"\"b\"\"\",1\n");
        check_spans(&out);
    }
}
