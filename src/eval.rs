//! Built-in evaluation: entity-level precision/recall/F1 with seqeval's default semantics
//! (IOB2, chunks as `seqeval.metrics.sequence_labeling.get_entities` finds them), token
//! accuracy, and readers for CoNLL columns and `sentence<TAB>label` TSV files.

use crate::error::{Error, Result};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// One sentence of a CoNLL file: words and the chosen column's tags.
#[derive(Debug, Clone, PartialEq)]
pub struct TaggedSentence {
    pub words: Vec<String>,
    pub tags: Vec<String>,
}

/// Read a CoNLL file (whitespace-separated columns, blank line between sentences,
/// `-DOCSTART-` lines skipped), taking tags from `column` (0-based; negative = from the end).
pub fn read_conll(text: &str, column: isize) -> Result<Vec<TaggedSentence>> {
    let mut out = Vec::new();
    let mut cur = TaggedSentence {
        words: vec![],
        tags: vec![],
    };
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with("-DOCSTART-") {
            if !cur.words.is_empty() {
                out.push(std::mem::replace(
                    &mut cur,
                    TaggedSentence {
                        words: vec![],
                        tags: vec![],
                    },
                ));
            }
            continue;
        }
        let cols: Vec<&str> = line.split_whitespace().collect();
        let idx = if column < 0 {
            cols.len() as isize + column
        } else {
            column
        };
        let tag = usize::try_from(idx)
            .ok()
            .and_then(|i| cols.get(i))
            .ok_or_else(|| {
                Error::InvalidOption(format!("line {}: no column {column} in `{line}`", n + 1))
            })?;
        cur.words.push(cols[0].to_string());
        cur.tags.push(tag.to_string());
    }
    if !cur.words.is_empty() {
        out.push(cur);
    }
    Ok(out)
}

/// Read `sentence<TAB>label` rows (a header line whose label column is `label` is skipped).
pub fn read_tsv(text: &str) -> Result<Vec<(String, String)>> {
    let mut rows = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let (sentence, label) = line.rsplit_once('\t').ok_or_else(|| {
            Error::InvalidOption(format!("line {}: expected `sentence<TAB>label`", n + 1))
        })?;
        if n == 0 && label.trim() == "label" {
            continue;
        }
        rows.push((sentence.trim().to_string(), label.trim().to_string()));
    }
    Ok(rows)
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Prf {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    /// Number of true entities of this type.
    pub support: usize,
}

impl Prf {
    /// Precision = `correct / predicted`, recall = `found / support`; for exact matching
    /// `correct == found`, for overlap matching they can differ.
    fn from_counts(correct: usize, predicted: usize, found: usize, support: usize) -> Self {
        let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        let (p, r) = (ratio(correct, predicted), ratio(found, support));
        let f1 = if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        };
        Prf {
            precision: p,
            recall: r,
            f1,
            support,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntityScores {
    pub micro: Prf,
    pub per_type: BTreeMap<String, Prf>,
}

/// `(type, start, end)` chunks (end inclusive, as seqeval) of IOB tags; sentences are
/// joined with an `O` between them, as seqeval does.
pub fn entities(sentences: &[Vec<String>]) -> Vec<(String, usize, usize)> {
    let mut seq: Vec<&str> = Vec::new();
    for s in sentences {
        seq.extend(s.iter().map(String::as_str));
        seq.push("O");
    }
    let parse = |t: &str| -> (char, String) {
        let tag = t.chars().next().unwrap_or('O');
        let rest: String = t.chars().skip(1).collect();
        let ty = rest
            .split_once('-')
            .map_or(rest.as_str(), |(_, b)| b)
            .to_string();
        let ty = if ty.is_empty() { "_".to_string() } else { ty };
        (tag, ty)
    };
    let mut chunks = Vec::new();
    let (mut prev_tag, mut prev_type) = ('O', String::new());
    let mut begin = 0;
    for (i, t) in seq.iter().chain(std::iter::once(&"O")).enumerate() {
        let (tag, ty) = parse(t);
        if end_of_chunk(prev_tag, tag, &prev_type, &ty) {
            chunks.push((prev_type.clone(), begin, i - 1));
        }
        if start_of_chunk(prev_tag, tag, &prev_type, &ty) {
            begin = i;
        }
        prev_tag = tag;
        prev_type = ty;
    }
    chunks
}

// seqeval.metrics.sequence_labeling.end_of_chunk / start_of_chunk (default mode).
fn end_of_chunk(prev: char, tag: char, prev_type: &str, ty: &str) -> bool {
    matches!(prev, 'E' | 'S')
        || matches!((prev, tag), ('B' | 'I', 'B' | 'S' | 'O'))
        || (prev != 'O' && prev != '.' && prev_type != ty)
}

fn start_of_chunk(prev: char, tag: char, prev_type: &str, ty: &str) -> bool {
    matches!(tag, 'B' | 'S')
        || matches!((prev, tag), ('E' | 'S' | 'O', 'E' | 'I'))
        || (tag != 'O' && tag != '.' && prev_type != ty)
}

/// Entity-level micro and per-type scores (seqeval `classification_report` semantics).
pub fn entity_scores(truth: &[Vec<String>], predicted: &[Vec<String>]) -> EntityScores {
    let t: BTreeSet<_> = entities(truth).into_iter().collect();
    let p: BTreeSet<_> = entities(predicted).into_iter().collect();
    let types: BTreeSet<&String> = t.iter().chain(&p).map(|e| &e.0).collect();
    let per_type = types
        .into_iter()
        .map(|ty| {
            let tp = t.iter().filter(|e| &e.0 == ty && p.contains(*e)).count();
            let np = p.iter().filter(|e| &e.0 == ty).count();
            let nt = t.iter().filter(|e| &e.0 == ty).count();
            (ty.clone(), Prf::from_counts(tp, np, tp, nt))
        })
        .collect();
    let tp = t.intersection(&p).count();
    EntityScores {
        micro: Prf::from_counts(tp, p.len(), tp, t.len()),
        per_type,
    }
}

/// Share of positions where the tags agree.
pub fn accuracy(truth: &[Vec<String>], predicted: &[Vec<String>]) -> f64 {
    let (mut right, mut all) = (0usize, 0usize);
    for (t, p) in truth.iter().zip(predicted) {
        for (a, b) in t.iter().zip(p) {
            all += 1;
            right += usize::from(a == b);
        }
    }
    if all == 0 {
        0.0
    } else {
        right as f64 / all as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn chunks_like_seqeval() {
        // seqeval.get_entities(['B-PER','I-PER','O','B-LOC']) == [('PER',0,1),('LOC',3,3)]
        assert_eq!(
            entities(&[tags("B-PER I-PER O B-LOC")]),
            vec![("PER".into(), 0, 1), ("LOC".into(), 3, 3)]
        );
        // An I- after O starts a chunk; a type change splits one.
        assert_eq!(
            entities(&[tags("I-PER I-LOC B-LOC I-LOC")]),
            vec![
                ("PER".into(), 0, 0),
                ("LOC".into(), 1, 1),
                ("LOC".into(), 2, 3)
            ]
        );
        // Sentences are joined with an O between them.
        assert_eq!(
            entities(&[tags("B-PER"), tags("I-PER")]),
            vec![("PER".into(), 0, 0), ("PER".into(), 2, 2)]
        );
    }

    #[test]
    fn scores_like_seqeval() {
        // seqeval: y_true [[B-MISC I-MISC I-MISC O O O O],[B-PER I-PER O]],
        // y_pred [[O B-MISC I-MISC I-MISC O O O],[B-PER I-PER O]] -> P = R = F1 = 0.5
        let truth = vec![tags("B-MISC I-MISC I-MISC O O O O"), tags("B-PER I-PER O")];
        let pred = vec![tags("O B-MISC I-MISC I-MISC O O O"), tags("B-PER I-PER O")];
        let s = entity_scores(&truth, &pred);
        assert!((s.micro.f1 - 0.5).abs() < 1e-12);
        assert_eq!(s.per_type["PER"].f1, 1.0);
        assert_eq!(s.per_type["MISC"].f1, 0.0);
        assert!((accuracy(&truth, &pred) - 0.7).abs() < 1e-12);
    }

    #[test]
    fn readers() {
        let conll = "-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\n\nPeter NNP B-NP B-PER\n";
        let s = read_conll(conll, -1).unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].tags, ["B-ORG", "O"]);
        assert_eq!(read_conll(conll, 1).unwrap()[0].tags, ["NNP", "VBZ"]);
        assert_eq!(read_conll(conll, 9).unwrap_err().code(), "invalid_option");
        let tsv = read_tsv("sentence\tlabel\nit 's good . \t1\nbad\t0\n").unwrap();
        assert_eq!(
            tsv,
            vec![
                ("it 's good .".into(), "1".into()),
                ("bad".into(), "0".into())
            ]
        );
    }
}

/// One labelled text of the Presidio-style synthetic PII set.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct PiiSample {
    pub full_text: String,
    pub spans: Vec<PiiGoldSpan>,
}

#[derive(Debug, Clone, serde::Deserialize)]
pub struct PiiGoldSpan {
    pub entity_type: String,
    /// Python string (code point) offsets.
    pub start_position: usize,
    pub end_position: usize,
}

pub fn read_pii_json(text: &str) -> Result<Vec<PiiSample>> {
    serde_json::from_str(text).map_err(|e| {
        Error::InvalidOption(format!(
            "PII JSON: expected a list of {{full_text, spans}}: {e}"
        ))
    })
}

/// The data set's entity types in tokenveil's canonical names; the rest keep their own.
pub fn canonical_gold_type(t: &str) -> String {
    match t {
        "STREET_ADDRESS" => "ADDRESS",
        "PHONE_NUMBER" => "PHONE",
        "EMAIL_ADDRESS" => "EMAIL",
        "IBAN_CODE" => "IBAN",
        "GPE" => "LOCATION",
        other => other,
    }
    .to_string()
}

/// Code-point offset -> byte offset.
pub fn char_to_byte(text: &str, chars: usize) -> usize {
    text.char_indices()
        .nth(chars)
        .map_or(text.len(), |(b, _)| b)
}

/// Span-level precision and recall per type: a gold span counts as found, and a predicted
/// span as correct, when a span of the same type on the other side overlaps it.
pub fn span_scores(
    gold: &[Vec<(String, usize, usize)>],
    predicted: &[Vec<(String, usize, usize)>],
) -> EntityScores {
    let overlaps = |a: &(String, usize, usize), b: &(String, usize, usize)| {
        a.0 == b.0 && a.1 < b.2 && b.1 < a.2
    };
    let mut counts: BTreeMap<String, [usize; 4]> = BTreeMap::new(); // found, gold, correct, predicted
    for (g, p) in gold.iter().zip(predicted) {
        for s in g {
            let c = counts.entry(s.0.clone()).or_default();
            c[1] += 1;
            c[0] += usize::from(p.iter().any(|q| overlaps(s, q)));
        }
        for s in p {
            let c = counts.entry(s.0.clone()).or_default();
            c[3] += 1;
            c[2] += usize::from(g.iter().any(|q| overlaps(s, q)));
        }
    }
    let prf = |c: [usize; 4]| Prf::from_counts(c[2], c[3], c[0], c[1]);
    let total = counts.values().fold([0; 4], |mut t, c| {
        for i in 0..4 {
            t[i] += c[i];
        }
        t
    });
    EntityScores {
        micro: prf(total),
        per_type: counts.into_iter().map(|(k, c)| (k, prf(c))).collect(),
    }
}

#[cfg(test)]
mod pii_tests {
    use super::*;

    #[test]
    fn overlap_matching_per_type() {
        let s = |t: &str, a, b| (t.to_string(), a, b);
        let gold = vec![vec![s("PERSON", 0, 10), s("EMAIL", 20, 30)]];
        let pred = vec![vec![
            s("PERSON", 5, 12),
            s("PHONE", 20, 30),
            s("PERSON", 40, 45),
        ]];
        let r = span_scores(&gold, &pred);
        assert_eq!(r.per_type["PERSON"].recall, 1.0);
        assert_eq!(r.per_type["PERSON"].precision, 0.5);
        assert_eq!(r.per_type["EMAIL"].recall, 0.0);
        assert_eq!(r.per_type["PHONE"].precision, 0.0);
        assert!((r.micro.recall - 0.5).abs() < 1e-12);
        assert_eq!(char_to_byte("é1", 1), 2);
    }
}
