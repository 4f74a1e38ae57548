//! Overlap resolution and merging (rules in the module docs of `redact`): from every detector's
//! spans to a sorted, non-overlapping set.

use super::detector::Detector;
use super::Span;
use std::cmp::Ordering;
use std::collections::BTreeMap;

/// A kept span: one value to replace, found by one or (merged) several detectors.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Resolved {
    pub start: usize,
    pub end: usize,
    pub entity_type: String,
    pub score: f32,
    pub detectors: Vec<Detector>,
}

impl Resolved {
    /// The detectors as one wire string: `model`, or `model+deny_list` for merged parts.
    pub fn detector_label(&self) -> String {
        let names: Vec<String> = self.detectors.iter().map(Detector::to_string).collect();
        names.join("+")
    }
}

/// Rule (b)'s order, made total so the outcome never depends on input order: higher score,
/// pattern side before the model, earlier start, longer, then detector and type names.
fn priority(a: &Span, b: &Span) -> Ordering {
    b.score
        .total_cmp(&a.score)
        .then_with(|| a.detector.is_model().cmp(&b.detector.is_model()))
        .then(a.start.cmp(&b.start))
        .then((b.end - b.start).cmp(&(a.end - a.start)))
        .then_with(|| a.detector.cmp(&b.detector))
        .then_with(|| a.entity_type.cmp(&b.entity_type))
}

/// Shrinks a span to its text without surrounding whitespace (model offsets may include it);
/// `None` when nothing but whitespace is left.
fn trimmed(text: &str, mut span: Span) -> Option<Span> {
    let inner = &text[span.start..span.end];
    let leading = inner.len() - inner.trim_start().len();
    let kept = inner.trim().len();
    span.start += leading;
    span.end = span.start + kept;
    (kept > 0).then_some(span)
}

/// Applies rules (a)–(c). Spans must lie on char boundaries of `text` (checked by the caller).
pub(super) fn resolve(text: &str, spans: Vec<Span>) -> Vec<Resolved> {
    let mut spans: Vec<Span> = spans.into_iter().filter_map(|s| trimmed(text, s)).collect();

    // (a) Strict containment: sorted by start, then longest first, a span is inside an earlier
    // one with a different extent exactly when that one reaches at least as far.
    spans.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
    let mut contained = vec![false; spans.len()];
    let mut reach_before = None::<usize>; // furthest end among spans of earlier extents
    let mut i = 0;
    while i < spans.len() {
        let extent = (spans[i].start, spans[i].end);
        let group_end = i + spans[i..]
            .iter()
            .take_while(|s| (s.start, s.end) == extent)
            .count();
        for flag in &mut contained[i..group_end] {
            *flag = reach_before.is_some_and(|r| r >= extent.1);
        }
        reach_before = reach_before.max(Some(extent.1));
        i = group_end;
    }
    let mut outer = Vec::with_capacity(spans.len());
    let mut inner = Vec::new();
    for (span, is_contained) in spans.into_iter().zip(contained) {
        if is_contained {
            inner.push(span)
        } else {
            outer.push(span)
        }
    }
    outer.sort_by(priority);
    inner.sort_by(priority);

    // (b) Greedy by priority among the containers, then (rule b's fallback) the contained spans
    // that overlap nothing kept.
    let mut kept: BTreeMap<usize, Span> = BTreeMap::new();
    for span in outer.into_iter().chain(inner) {
        let clashes = kept
            .range(..span.end)
            .next_back()
            .is_some_and(|(_, k)| k.end > span.start);
        if !clashes {
            kept.insert(span.start, span);
        }
    }

    // (c) Merge neighbours of one type.
    let mut merged: Vec<Resolved> = Vec::with_capacity(kept.len());
    for span in kept.into_values() {
        match merged.last_mut() {
            Some(prev) if joins(text, prev, &span) => {
                prev.end = span.end;
                prev.score = prev.score.max(span.score);
                if !prev.detectors.contains(&span.detector) {
                    prev.detectors.push(span.detector);
                }
            }
            _ => merged.push(Resolved {
                start: span.start,
                end: span.end,
                entity_type: span.entity_type,
                score: span.score,
                detectors: vec![span.detector],
            }),
        }
    }
    merged
}

/// Rule (c): same type, neither a built-in pattern match, and only horizontal whitespace
/// between them (commas too for ADDRESS and LOCATION: "Baker Street, London").
fn joins(text: &str, prev: &Resolved, next: &Span) -> bool {
    let comma_ok = matches!(prev.entity_type.as_str(), "ADDRESS" | "LOCATION");
    prev.entity_type == next.entity_type
        && !prev.detectors.iter().any(Detector::matches_whole_values)
        && !next.detector.matches_whole_values()
        && text[prev.end..next.start].chars().all(|c| {
            (c.is_whitespace()
                && !matches!(
                    c,
                    '\n' | '\r' | '\x0b' | '\x0c' | '\u{85}' | '\u{2028}' | '\u{2029}'
                ))
                || (comma_ok && c == ',')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(start: usize, end: usize, entity_type: &str, score: f32, detector: &str) -> Span {
        Span {
            start,
            end,
            entity_type: entity_type.into(),
            score,
            detector: detector.parse().unwrap(),
        }
    }

    fn extents(spans: &[Resolved]) -> Vec<(usize, usize, &str)> {
        spans
            .iter()
            .map(|s| (s.start, s.end, s.entity_type.as_str()))
            .collect()
    }

    const TEXT: &str = "0123456789012345678901234567890123456789";

    #[test]
    fn container_wins_even_with_a_lower_score() {
        let out = resolve(
            TEXT,
            vec![
                span(2, 5, "B", 0.99, "model"),
                span(0, 10, "A", 0.5, "model"),
            ],
        );
        assert_eq!(extents(&out), [(0, 10, "A")]);
    }

    #[test]
    fn partial_overlap_goes_to_the_higher_score_then_pattern_then_earlier_then_longer() {
        let out = resolve(
            TEXT,
            vec![
                span(0, 6, "A", 0.6, "model"),
                span(4, 10, "B", 0.9, "model"),
            ],
        );
        assert_eq!(extents(&out), [(4, 10, "B")]);
        let out = resolve(
            TEXT,
            vec![
                span(0, 6, "A", 0.9, "model"),
                span(4, 10, "B", 0.9, "pattern:PHONE"),
            ],
        );
        assert_eq!(extents(&out), [(4, 10, "B")]);
        let out = resolve(
            TEXT,
            vec![
                span(4, 10, "B", 0.9, "model"),
                span(0, 6, "A", 0.9, "model"),
            ],
        );
        assert_eq!(extents(&out), [(0, 6, "A")]);
        let out = resolve(
            TEXT,
            vec![
                span(0, 6, "A", 0.9, "model"),
                span(0, 8, "B", 0.9, "model"),
                span(7, 12, "C", 0.9, "model"),
            ],
        );
        // (0,8) contains (0,6); then (0,8) vs (7,12): same score and side, earlier start wins.
        assert_eq!(extents(&out), [(0, 8, "B")]);
    }

    #[test]
    fn equal_extents_go_by_priority() {
        let out = resolve(
            TEXT,
            vec![
                span(0, 5, "PHONE", 0.75, "pattern:PHONE"),
                span(0, 5, "US_SSN", 0.85, "pattern:US_SSN"),
            ],
        );
        assert_eq!(extents(&out), [(0, 5, "US_SSN")]);
    }

    #[test]
    fn contained_span_returns_when_its_container_lost() {
        // A (0,10) contains C (1,3) but loses to B (8,15); C overlaps nothing kept and stays.
        let out = resolve(
            TEXT,
            vec![
                span(0, 10, "A", 0.5, "model"),
                span(8, 15, "B", 0.9, "model"),
                span(1, 3, "C", 0.4, "model"),
            ],
        );
        assert_eq!(extents(&out), [(1, 3, "C"), (8, 15, "B")]);
    }

    #[test]
    fn resolution_ignores_input_order() {
        let spans = vec![
            span(0, 6, "A", 0.7, "model"),
            span(3, 9, "B", 0.7, "deny_list"),
            span(8, 14, "C", 0.8, "model"),
            span(20, 25, "D", 0.1, "model"),
            span(21, 23, "E", 0.9, "pattern:EMAIL"),
        ];
        let forward = resolve(TEXT, spans.clone());
        let backward = resolve(TEXT, spans.into_iter().rev().collect());
        assert_eq!(forward, backward);
        assert_eq!(
            extents(&forward),
            [(0, 6, "A"), (8, 14, "C"), (20, 25, "D")]
        );
    }

    #[test]
    fn merging() {
        let text = "Ada Lovelace, 12 Baker Street, London NW1\nParis; x@y.io a@b.io";
        let person = |s, e, score| span(s, e, "PERSON", score, "model");
        let address = |s, e| span(s, e, "ADDRESS", 0.9, "model");
        let out = resolve(
            text,
            vec![
                person(0, 3, 0.8),
                person(4, 12, 0.95),
                address(14, 16),
                address(17, 29),
                address(31, 37),
                address(38, 41),
                address(42, 47), // after a newline: stays apart
                span(49, 55, "EMAIL", 1.0, "pattern:EMAIL"),
                span(56, 62, "EMAIL", 1.0, "pattern:EMAIL"),
            ],
        );
        let texts: Vec<&str> = out.iter().map(|s| &text[s.start..s.end]).collect();
        assert_eq!(
            texts,
            [
                "Ada Lovelace",
                "12 Baker Street, London NW1",
                "Paris",
                "x@y.io",
                "a@b.io"
            ]
        );
        assert_eq!(out[0].score, 0.95);
        // A comma does not join persons; mixed detectors are both named.
        let text = "Ada, Bob Smith";
        let out = resolve(
            text,
            vec![
                person(0, 3, 0.9),
                person(5, 8, 0.9),
                span(9, 14, "PERSON", 1.0, "deny_list"),
            ],
        );
        let texts: Vec<&str> = out.iter().map(|s| &text[s.start..s.end]).collect();
        assert_eq!(texts, ["Ada", "Bob Smith"]);
        assert_eq!(out[1].detector_label(), "model+deny_list");
    }

    #[test]
    fn whitespace_is_trimmed_and_blank_spans_dropped() {
        let text = "  Ada   ";
        let out = resolve(
            text,
            vec![
                span(0, 6, "PERSON", 0.9, "model"),
                span(6, 8, "PERSON", 0.9, "model"),
            ],
        );
        assert_eq!(extents(&out), [(2, 5, "PERSON")]);
    }
}
