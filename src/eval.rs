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

/// A data set's entity type in tokenveil's canonical names (the type table's aliases:
/// `STREET_ADDRESS` and `ZIP_CODE` -> `ADDRESS`, `DATE_TIME` -> `DATE`, …); unknown types keep
/// their own name.
pub fn canonical_gold_type(t: &str) -> String {
    crate::redact::canonical_name(t)
}

/// `(type, start, end)` byte spans of one text.
pub type TypedSpans = Vec<(String, usize, usize)>;

/// The redaction figures: what share of the personal data ends up hidden, and what share of
/// the rest is hidden needlessly. Type-agnostic on the protecting side: a gold span counts as
/// protected when predicted spans of any type cover at least [`PROTECTED_SHARE`] of its
/// non-space characters.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LeakScores {
    pub gold_spans: usize,
    pub protected_spans: usize,
    /// `protected_spans / gold_spans`.
    pub protected: f64,
    /// Non-space characters outside every gold span.
    pub non_personal_chars: usize,
    pub redacted_non_personal_chars: usize,
    /// `redacted_non_personal_chars / non_personal_chars`.
    pub over_redaction: f64,
    /// Per gold type: its spans, how many are protected, and the share.
    pub per_type: BTreeMap<String, TypeLeak>,
    /// Per predicted type: the share of all non-personal non-space characters it redacted.
    pub over_redaction_by_type: BTreeMap<String, f64>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TypeLeak {
    pub gold_spans: usize,
    pub protected_spans: usize,
    pub protected: f64,
}

/// Share of a gold span's non-space characters that must be covered for it to count as
/// protected: a redaction that leaves a character or two of a long address still hides it.
pub const PROTECTED_SHARE: f64 = 0.9;

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// Leak figures over `(text, gold, predicted)` triples (byte spans on char boundaries).
pub fn leak_scores(samples: &[(&str, &TypedSpans, &TypedSpans)]) -> LeakScores {
    let mut per_type: BTreeMap<String, [usize; 2]> = BTreeMap::new(); // gold, protected
    let mut over_by_type: BTreeMap<String, usize> = BTreeMap::new();
    let (mut non_personal, mut redacted_non_personal) = (0, 0);
    for (text, gold, predicted) in samples {
        let covering = |b: usize| predicted.iter().find(|p| p.1 <= b && b < p.2);
        for (t, start, end) in gold.iter() {
            let (mut chars, mut covered) = (0, 0);
            for (i, c) in text[*start..*end].char_indices() {
                if !c.is_whitespace() {
                    chars += 1;
                    covered += usize::from(covering(start + i).is_some());
                }
            }
            let entry = per_type.entry(t.clone()).or_default();
            entry[0] += 1;
            entry[1] += usize::from(chars > 0 && covered as f64 >= PROTECTED_SHARE * chars as f64);
        }
        for (b, c) in text.char_indices() {
            if c.is_whitespace() || gold.iter().any(|g| g.1 <= b && b < g.2) {
                continue;
            }
            non_personal += 1;
            if let Some(p) = covering(b) {
                redacted_non_personal += 1;
                *over_by_type.entry(p.0.clone()).or_default() += 1;
            }
        }
    }
    let gold_spans = per_type.values().map(|c| c[0]).sum();
    let protected_spans = per_type.values().map(|c| c[1]).sum();
    LeakScores {
        gold_spans,
        protected_spans,
        protected: ratio(protected_spans, gold_spans),
        non_personal_chars: non_personal,
        redacted_non_personal_chars: redacted_non_personal,
        over_redaction: ratio(redacted_non_personal, non_personal),
        per_type: per_type
            .into_iter()
            .map(|(t, [g, p])| {
                (
                    t,
                    TypeLeak {
                        gold_spans: g,
                        protected_spans: p,
                        protected: ratio(p, g),
                    },
                )
            })
            .collect(),
        over_redaction_by_type: over_by_type
            .into_iter()
            .map(|(t, n)| (t, ratio(n, non_personal)))
            .collect(),
    }
}

/// A PII sample's gold spans as canonical-typed byte spans.
pub fn pii_byte_spans(sample: &PiiSample) -> TypedSpans {
    let t = &sample.full_text;
    sample
        .spans
        .iter()
        .map(|g| {
            (
                canonical_gold_type(&g.entity_type),
                char_to_byte(t, g.start_position),
                char_to_byte(t, g.end_position),
            )
        })
        .collect()
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
    fn leak_figures() {
        let s = |t: &str, a, b| (t.to_string(), a, b);
        //          0         1         2         3
        //          0123456789012345678901234567890123456
        let text = "Call Ada Lovelace at 12 Baker St now";
        let gold = vec![s("PERSON", 5, 17), s("ADDRESS", 21, 32)];
        // PERSON fully covered (by a span of another type: still protected); the address
        // misses "St" (7 of 9 non-space chars = 78% < 90%); "Call" is over-redacted.
        let predicted = vec![
            s("ORGANIZATION", 5, 17),
            s("ADDRESS", 21, 29),
            s("PERSON", 0, 4),
        ];
        let r = leak_scores(&[(text, &gold, &predicted)]);
        assert_eq!((r.gold_spans, r.protected_spans), (2, 1));
        assert_eq!(r.per_type["PERSON"].protected, 1.0);
        assert_eq!(r.per_type["ADDRESS"].protected, 0.0);
        // Non-personal non-space chars: "Call" "at" "now" = 9; redacted: "Call" = 4.
        assert_eq!(
            (r.non_personal_chars, r.redacted_non_personal_chars),
            (9, 4)
        );
        assert!((r.over_redaction_by_type["PERSON"] - 4.0 / 9.0).abs() < 1e-12);
        // 90% exactly is enough: "Ada Lovelace" has 11 non-space chars; cover 10.
        let r = leak_scores(&[(text, &vec![s("PERSON", 5, 17)], &vec![s("X", 5, 16)])]);
        assert_eq!(r.protected_spans, 1);
        let r = leak_scores(&[(text, &vec![s("PERSON", 5, 17)], &vec![s("X", 5, 15)])]);
        assert_eq!(r.protected_spans, 0);
    }

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
