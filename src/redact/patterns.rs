//! Detectors that need no model: built-in validated patterns, custom regexes and deny-list terms.
//!
//! Regexes only propose candidates; `checks` decides. A rejected candidate is retried one char
//! later, so a bad candidate never hides a good value starting inside it. Numbers that are
//! written in groups (phones, cards) are found as whole runs of digit groups first and then
//! split into the longest valid sub-runs, so neighbouring numbers cannot spoil each other.

use super::checks;
use super::{RedactorConfig, Span};
use crate::error::{Error, Result};
use regex::{Regex, RegexBuilder};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::str::FromStr;
use std::sync::OnceLock;

/// A built-in pattern detector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PatternKind {
    Email,
    Url,
    Ipv4,
    Ipv6,
    Phone,
    CreditCard,
    Iban,
    UsSsn,
}

impl PatternKind {
    pub const ALL: [PatternKind; 8] = [
        PatternKind::Email,
        PatternKind::Url,
        PatternKind::Ipv4,
        PatternKind::Ipv6,
        PatternKind::Phone,
        PatternKind::CreditCard,
        PatternKind::Iban,
        PatternKind::UsSsn,
    ];

    /// Detector name, as in `Span::detector` after `pattern:`.
    pub fn name(self) -> &'static str {
        match self {
            PatternKind::Email => "EMAIL",
            PatternKind::Url => "URL",
            PatternKind::Ipv4 => "IPV4",
            PatternKind::Ipv6 => "IPV6",
            PatternKind::Phone => "PHONE",
            PatternKind::CreditCard => "CREDIT_CARD",
            PatternKind::Iban => "IBAN",
            PatternKind::UsSsn => "US_SSN",
        }
    }

    /// Canonical entity type of its matches (both IP versions are `IP_ADDRESS`).
    pub fn entity_type(self) -> &'static str {
        match self {
            PatternKind::Ipv4 | PatternKind::Ipv6 => "IP_ADDRESS",
            other => other.name(),
        }
    }

    /// Score of its matches. Checksummed and unambiguous syntaxes score 1.0; shapes that other
    /// numbers can share score lower, so a longer-standing claim (a model span, a checksummed
    /// card) wins a tie of extents against them.
    pub fn score(self) -> f32 {
        match self {
            PatternKind::Email | PatternKind::CreditCard | PatternKind::Iban => 1.0,
            PatternKind::Ipv4 | PatternKind::Ipv6 => 0.95,
            PatternKind::Url => 0.9,
            PatternKind::UsSsn => 0.85,
            PatternKind::Phone => 0.75,
        }
    }
}

impl FromStr for PatternKind {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        PatternKind::ALL
            .into_iter()
            .find(|k| k.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                let names: Vec<&str> = PatternKind::ALL.iter().map(|k| k.name()).collect();
                Error::InvalidOption(format!(
                    "unknown pattern detector `{s}` ({})",
                    names.join(", ")
                ))
            })
    }
}

/// Which built-in pattern detectors run. Default: all of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DetectorSet(BTreeSet<PatternKind>);

impl Default for DetectorSet {
    fn default() -> Self {
        DetectorSet::all()
    }
}

impl DetectorSet {
    pub fn all() -> Self {
        DetectorSet(PatternKind::ALL.into_iter().collect())
    }

    pub fn none() -> Self {
        DetectorSet(BTreeSet::new())
    }

    pub fn with(mut self, kind: PatternKind) -> Self {
        self.0.insert(kind);
        self
    }

    pub fn without(mut self, kind: PatternKind) -> Self {
        self.0.remove(&kind);
        self
    }

    pub fn contains(&self, kind: PatternKind) -> bool {
        self.0.contains(&kind)
    }
}

/// Word chars for boundaries: letters and digits of any script, and `_` (as regex `\w`).
fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// True when `text[start..end]` is not a piece of a longer token: the char on each side is not
/// a word char, and not one of `joiners` continuing into a word char (`1.2.3.4.5` is a version,
/// not an address followed by `.5`).
fn standalone(text: &str, start: usize, end: usize, joiners: &str) -> bool {
    side_ok(text[..start].chars().rev(), joiners) && side_ok(text[end..].chars(), joiners)
}

/// One side of `standalone`: `chars` walks away from the candidate.
fn side_ok(mut chars: impl Iterator<Item = char>, joiners: &str) -> bool {
    match chars.next() {
        Some(c) if is_word(c) => false,
        Some(c) if joiners.contains(c) => !chars.next().is_some_and(is_word),
        _ => true,
    }
}

/// Byte index of the char after the one starting at `i` (or past the end).
fn next_char(text: &str, i: usize) -> usize {
    i + text[i..].chars().next().map_or(1, char::len_utf8)
}

/// Every match of `re`, where `accept` turns a match (start, end) into the accepted span or
/// rejects it. Accepted spans continue the search after themselves; rejected or empty ones one
/// char after their start.
fn scan(
    text: &str,
    re: &Regex,
    mut accept: impl FnMut(usize, usize) -> Option<(usize, usize)>,
) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    let mut pos = 0;
    while pos <= text.len() {
        let Some(m) = re.find_at(text, pos) else {
            break;
        };
        match accept(m.start(), m.end()) {
            Some((start, end)) if end > start => {
                found.push((start, end));
                pos = end;
            }
            _ => pos = next_char(text, m.start()),
        }
    }
    found
}

/// Compiles a built-in regex once per process. The patterns are literals tested below, so the
/// `None` arm (a build that cannot compile them) only turns the detector off. Word boundaries
/// are checked in code (`standalone`) rather than with `\b`, which keeps the regexes on the
/// fast DFA path for non-ASCII text.
fn builtin(cell: &'static OnceLock<Option<Regex>>, pattern: &str) -> Option<&'static Regex> {
    cell.get_or_init(|| Regex::new(pattern).ok()).as_ref()
}

const EMAIL: &str =
    r"[A-Za-z0-9._%+\-]{1,64}@[A-Za-z0-9\-]{1,63}(?:\.[A-Za-z0-9\-]{1,63}){0,8}\.[A-Za-z]{2,63}";
const URL: &str = r#"(?i)(?:https?://|www\.)[^\s<>"'`]+"#;
const IPV4: &str = r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}";
const IPV6: &str = r"[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:(?:\.[0-9]{1,3}){3})?";
/// A run of digit groups as phones are written; `phone_ok` judges sub-runs of it.
const PHONE_RUN: &str = r"\+?\(?[0-9][0-9()\-. ]*";
const CARD_RUN: &str = r"[0-9]+(?:[ \-][0-9]+)*";
const IBAN_START: &str = r"[A-Z]{2}[0-9]{2} ?[A-Z0-9]{4}";
const US_SSN: &str = r"[0-9]{3}[\- ][0-9]{2}[\- ][0-9]{4}";

static EMAIL_RE: OnceLock<Option<Regex>> = OnceLock::new();
static URL_RE: OnceLock<Option<Regex>> = OnceLock::new();
static IPV4_RE: OnceLock<Option<Regex>> = OnceLock::new();
static IPV6_RE: OnceLock<Option<Regex>> = OnceLock::new();
static PHONE_RE: OnceLock<Option<Regex>> = OnceLock::new();
static CARD_RE: OnceLock<Option<Regex>> = OnceLock::new();
static IBAN_RE: OnceLock<Option<Regex>> = OnceLock::new();
static US_SSN_RE: OnceLock<Option<Regex>> = OnceLock::new();

fn email_ok(candidate: &str) -> bool {
    let Some((local, domain)) = candidate.split_once('@') else {
        return false;
    };
    !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && candidate.len() <= 254
        && domain
            .split('.')
            .all(|label| !label.is_empty() && !label.starts_with('-') && !label.ends_with('-'))
}

/// Drops punctuation that ends a sentence rather than the URL; a closing bracket stays only
/// when the URL opened one (Wikipedia-style `…_(disambiguation)`).
fn trim_url(candidate: &str) -> &str {
    let mut url = candidate;
    loop {
        let Some(last) = url.chars().last() else {
            return url;
        };
        let unbalanced = |open: char| url.matches(open).count() < url.matches(last).count();
        let drop = match last {
            '.' | ',' | ';' | ':' | '!' | '?' | '*' => true,
            ')' => unbalanced('('),
            ']' => unbalanced('['),
            '}' => unbalanced('{'),
            _ => false,
        };
        if !drop {
            return url;
        }
        url = &url[..url.len() - last.len_utf8()];
    }
}

fn url_ok(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    let rest = ["https://", "http://"]
        .iter()
        .find_map(|scheme| lower.strip_prefix(scheme))
        .unwrap_or(&lower);
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = host.rsplit('@').next().unwrap_or_default(); // user:password@host
    let named_host = host.split(':').next().unwrap_or_default();
    // `www.` alone, or a scheme with no host, is prose ("see www." / "http://").
    let has_label = |h: &str| {
        h.split('.').filter(|l| !l.is_empty()).count()
            >= if lower.starts_with("www.") { 2 } else { 1 }
    };
    (host.starts_with('[')
        || (named_host.chars().any(|c| c.is_alphanumeric()) && has_label(named_host)))
        && !named_host.contains("..")
}

/// Finds the printed or compact IBAN starting at `start`: exactly as many alphanumerics as the
/// country's IBAN has, either solid or in groups of four separated by single spaces.
fn iban_at(text: &str, start: usize) -> Option<(usize, usize)> {
    let rest = &text[start..];
    let expected = rest.get(..2).and_then(checks::iban_length)?;
    let mut compact = String::with_capacity(expected);
    let mut spaced: Option<bool> = None; // decided at the first group boundary
    let mut end = start;
    for (i, c) in rest.char_indices() {
        if compact.len() == expected {
            break;
        }
        let after_space = rest[..i].ends_with(' ');
        if c == ' ' {
            if spaced == Some(false) || compact.len() % 4 != 0 || after_space {
                return None;
            }
            spaced = Some(true);
            continue;
        }
        if !c.is_ascii_alphanumeric() {
            return None;
        }
        if !compact.is_empty()
            && compact.len() % 4 == 0
            && *spaced.get_or_insert(after_space) != after_space
        {
            return None;
        }
        compact.push(c);
        end = start + i + c.len_utf8();
    }
    (compact.len() == expected && checks::iban_ok(&compact) && standalone(text, start, end, ""))
        .then_some((start, end))
}

/// Where the digit groups of a run are: `(start, end)` of each maximal digit sequence.
fn digit_groups(run: &str, offset: usize) -> Vec<(usize, usize)> {
    let mut groups = Vec::new();
    let mut current: Option<usize> = None;
    for (i, c) in run.char_indices() {
        match (c.is_ascii_digit(), current) {
            (true, None) => current = Some(i),
            (false, Some(s)) => {
                groups.push((offset + s, offset + i));
                current = None;
            }
            _ => {}
        }
    }
    if let Some(s) = current {
        groups.push((offset + s, offset + run.len()));
    }
    groups
}

fn digit_count(groups: &[(usize, usize)]) -> usize {
    groups.iter().map(|(start, end)| end - start).sum()
}

/// Splits a run of digit groups into its longest valid sub-runs, leftmost first. `extents`
/// lists the byte ranges a sub-run (first group, last group) may cover, widest first (to take in
/// a `+` or parentheses, or leave out parentheses that wrap the whole number), or none when it
/// cannot hold a value; at most `max_groups` groups make one value.
fn valid_sub_runs(
    text: &str,
    groups: &[(usize, usize)],
    max_groups: usize,
    extents: impl Fn(usize, usize) -> Vec<(usize, usize)>,
    valid: fn(&str) -> bool,
) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    let mut first = 0;
    while first < groups.len() {
        let last_max = (first + max_groups).min(groups.len()) - 1;
        let hit = (first..=last_max).rev().find_map(|last| {
            extents(first, last)
                .into_iter()
                .find(|&(start, end)| {
                    valid(&text[start..end]) && standalone(text, start, end, "-./")
                })
                .map(|(start, end)| (last, start, end))
        });
        match hit {
            Some((last, start, end)) => {
                found.push((start, end));
                first = last + 1;
            }
            None => first += 1,
        }
    }
    found
}

fn find_phones(text: &str, re: &Regex) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    for run in re.find_iter(text) {
        let groups = digit_groups(run.as_str(), run.start());
        let international = run.as_str().starts_with('+');
        let extents = |first: usize, last: usize| {
            // Cheap necessary conditions of `phone_ok` first: long runs of small numbers
            // ("1 2 3 …") would otherwise cost a full check per sub-run.
            let last_len = groups[last].1 - groups[last].0;
            let national_ending = last_len >= 4 || last_len == 2;
            if !(7..=15).contains(&digit_count(&groups[first..=last]))
                || !(national_ending || (international && first == 0))
            {
                return Vec::new();
            }
            let (bare_start, _) = groups[first];
            let (_, bare_end) = groups[last];
            // The run's own `+` / `(` before the first group, or a `(` right before a later one.
            let wide_start = if first == 0 {
                run.start()
            } else if text[..bare_start].ends_with('(') {
                bare_start - 1
            } else {
                bare_start
            };
            let wide_end = if text[bare_end..run.end()].starts_with(')') {
                bare_end + 1
            } else {
                bare_end
            };
            let mut out = Vec::with_capacity(4);
            for extent in [
                (wide_start, wide_end),
                (wide_start, bare_end),
                (bare_start, wide_end),
                (bare_start, bare_end),
            ] {
                if !out.contains(&extent) {
                    out.push(extent);
                }
            }
            out
        };
        found.extend(valid_sub_runs(text, &groups, 15, extents, checks::phone_ok));
    }
    found
}

fn find_cards(text: &str, re: &Regex) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    for run in re.find_iter(text) {
        let groups = digit_groups(run.as_str(), run.start());
        // Necessary conditions of `credit_card_ok` (length; printed groups open with four
        // digits) keep long runs of small numbers cheap.
        let extents = |first: usize, last: usize| {
            let opens_with_four = first == last || groups[first].1 - groups[first].0 == 4;
            match digit_count(&groups[first..=last]) {
                13..=19 if opens_with_four => vec![(groups[first].0, groups[last].1)],
                _ => Vec::new(),
            }
        };
        found.extend(valid_sub_runs(
            text,
            &groups,
            19,
            extents,
            checks::credit_card_ok,
        ));
    }
    found
}

/// Matches of a built-in regex that `ok` accepts and that stand alone (see `standalone`).
fn validated(
    text: &str,
    cell: &'static OnceLock<Option<Regex>>,
    pattern: &str,
    joiners: &str,
    ok: fn(&str) -> bool,
) -> Vec<(usize, usize)> {
    match builtin(cell, pattern) {
        Some(re) => scan(text, re, |s, e| {
            (ok(&text[s..e]) && standalone(text, s, e, joiners)).then_some((s, e))
        }),
        None => Vec::new(),
    }
}

/// An email's local part may not continue before the match (`a..b@x.com` is not `b@x.com`),
/// nor its domain after it.
fn email_bounded(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start]
        .chars()
        .next_back()
        .is_some_and(|c| is_word(c) || "._%+-@".contains(c));
    !before && standalone(text, start, end, ".-@")
}

/// Byte ranges of one built-in detector's matches.
fn find(kind: PatternKind, text: &str) -> Vec<(usize, usize)> {
    match kind {
        PatternKind::Email => match builtin(&EMAIL_RE, EMAIL) {
            Some(re) => scan(text, re, |s, e| {
                (email_ok(&text[s..e]) && email_bounded(text, s, e)).then_some((s, e))
            }),
            None => Vec::new(),
        },
        PatternKind::Ipv4 => validated(text, &IPV4_RE, IPV4, ".", checks::ipv4_ok),
        PatternKind::Ipv6 => validated(text, &IPV6_RE, IPV6, ":.", checks::ipv6_ok),
        PatternKind::UsSsn => validated(text, &US_SSN_RE, US_SSN, "-./", checks::us_ssn_ok),
        PatternKind::Url => match builtin(&URL_RE, URL) {
            Some(re) => scan(text, re, |s, e| {
                let end = s + trim_url(&text[s..e]).len();
                (url_ok(&text[s..end]) && side_ok(text[..s].chars().rev(), "")).then_some((s, end))
            }),
            None => Vec::new(),
        },
        PatternKind::Iban => match builtin(&IBAN_RE, IBAN_START) {
            Some(re) => scan(text, re, |s, _| iban_at(text, s)),
            None => Vec::new(),
        },
        PatternKind::Phone => builtin(&PHONE_RE, PHONE_RUN)
            .map(|re| find_phones(text, re))
            .unwrap_or_default(),
        PatternKind::CreditCard => builtin(&CARD_RE, CARD_RUN)
            .map(|re| find_cards(text, re))
            .unwrap_or_default(),
    }
}

/// All spans the config's pattern detectors find in `text`: enabled built-ins, custom patterns
/// and deny-list terms, in detector order and then text order (overlaps are resolved by
/// `redact`). Fails with `InvalidOption` for a custom regex that does not compile, a custom
/// score outside 0..=1, or an empty deny-list term.
pub fn detect_patterns(text: &str, config: &RedactorConfig) -> Result<Vec<Span>> {
    let mut spans = Vec::new();
    for kind in PatternKind::ALL
        .into_iter()
        .filter(|&k| config.detectors.contains(k))
    {
        spans.extend(find(kind, text).into_iter().map(|(start, end)| Span {
            start,
            end,
            entity_type: kind.entity_type().to_string(),
            score: kind.score(),
            detector: format!("pattern:{}", kind.name()),
        }));
    }
    for custom in &config.custom_patterns {
        if !(0.0..=1.0).contains(&custom.score) {
            return Err(Error::InvalidOption(format!(
                "custom pattern `{}`: score {} is not within 0..=1",
                custom.name, custom.score
            )));
        }
        let re = Regex::new(&custom.regex).map_err(|e| {
            Error::InvalidOption(format!(
                "custom pattern `{}`: invalid regex: {e}",
                custom.name
            ))
        })?;
        spans.extend(
            scan(text, &re, |s, e| Some((s, e)))
                .into_iter()
                .map(|(start, end)| Span {
                    start,
                    end,
                    entity_type: custom.entity_type.to_uppercase(),
                    score: custom.score,
                    detector: format!("custom:{}", custom.name),
                }),
        );
    }
    for term in &config.deny_list {
        let needle = term.term.trim();
        if needle.is_empty() {
            return Err(Error::InvalidOption(format!(
                "deny-list term for {} is empty",
                term.entity_type
            )));
        }
        let re = RegexBuilder::new(&regex::escape(needle))
            .case_insensitive(term.case_insensitive)
            .build()
            .map_err(|e| Error::InvalidOption(format!("deny-list term `{needle}`: {e}")))?;
        // Whole words: the term's own edges decide, so `C++` still matches before a space.
        let bounded = |s: usize, e: usize| {
            let word_before = text[..s].chars().next_back().is_some_and(is_word);
            let word_after = text[e..].chars().next().is_some_and(is_word);
            let starts_word = text[s..e].chars().next().is_some_and(is_word);
            let ends_word = text[s..e].chars().next_back().is_some_and(is_word);
            !((word_before && starts_word) || (word_after && ends_word))
        };
        spans.extend(
            scan(text, &re, |s, e| bounded(s, e).then_some((s, e)))
                .into_iter()
                .map(|(start, end)| Span {
                    start,
                    end,
                    entity_type: term.entity_type.to_uppercase(),
                    score: 1.0,
                    detector: "deny_list".to_string(),
                }),
        );
    }
    Ok(spans)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::redact::{CustomPattern, DenyTerm};

    /// The texts one detector alone finds in `text`.
    fn found(kind: PatternKind, text: &str) -> Vec<String> {
        find(kind, text)
            .into_iter()
            .map(|(s, e)| text[s..e].to_string())
            .collect()
    }

    #[test]
    fn builtin_regexes_compile() {
        for (cell, pattern) in [
            (&EMAIL_RE, EMAIL),
            (&URL_RE, URL),
            (&IPV4_RE, IPV4),
            (&IPV6_RE, IPV6),
            (&PHONE_RE, PHONE_RUN),
            (&CARD_RE, CARD_RUN),
            (&IBAN_RE, IBAN_START),
            (&US_SSN_RE, US_SSN),
        ] {
            assert!(builtin(cell, pattern).is_some(), "{pattern}");
        }
    }

    #[test]
    fn emails() {
        let text = "Mail ada.lovelace+work@example.co.uk, or bob@mail.example.org. Not: a..b@x.com, x@y, me@-bad.com, foo@bar.c0m.";
        assert_eq!(
            found(PatternKind::Email, text),
            ["ada.lovelace+work@example.co.uk", "bob@mail.example.org"]
        );
        assert!(found(PatternKind::Email, "user@example.com1").is_empty());
    }

    #[test]
    fn urls() {
        let text = "See https://example.com/a?b=c#d. Also www.example.org/path, (http://x.io/wiki/Foo_(bar)) and http:// or www. alone.";
        assert_eq!(
            found(PatternKind::Url, text),
            [
                "https://example.com/a?b=c#d",
                "www.example.org/path",
                "http://x.io/wiki/Foo_(bar)"
            ]
        );
        assert!(found(PatternKind::Url, "xhttps://example.com").is_empty());
    }

    #[test]
    fn ips() {
        let text = "Hosts 192.168.0.1, 10.0.0.255:8080; not 256.1.1.1, 01.2.3.4, version 1.2.3.4.5 or a1.2.3.4.";
        assert_eq!(
            found(PatternKind::Ipv4, text),
            ["192.168.0.1", "10.0.0.255"]
        );
        let text = "v6 2001:db8::8a2e:370:7334 and fe80::1, full 2001:0db8:85a3:0000:0000:8a2e:0370:7334; not 12:30:45 or std::io or 00:1A:2B:3C:4D:5E.";
        assert_eq!(
            found(PatternKind::Ipv6, text),
            [
                "2001:db8::8a2e:370:7334",
                "fe80::1",
                "2001:0db8:85a3:0000:0000:8a2e:0370:7334"
            ]
        );
    }

    #[test]
    fn phones() {
        let text = "Call +1 (415) 555-0132 or 415-555-0132, UK +44 20 7946 0958, DE 030 12345678, FR 01 23 45 67 89.";
        assert_eq!(
            found(PatternKind::Phone, text),
            [
                "+1 (415) 555-0132",
                "415-555-0132",
                "+44 20 7946 0958",
                "030 12345678",
                "01 23 45 67 89"
            ]
        );
        let text =
            "On 2024-01-15 at 192.168.1.100, card 4111 1111 1111 1111, order 123456789012, room 12 415-555-0199.";
        assert_eq!(found(PatternKind::Phone, text), ["415-555-0199"]);
        assert!(found(PatternKind::Phone, "tel 415-555-0132-99").is_empty());
    }

    #[test]
    fn cards() {
        let text = "Cards 4111 1111 1111 1111 2024, 5555-5555-5555-4444 and 378282246310005; not 4111 1111 1111 1112 or 4111-1111-1111-1111-2222.";
        assert_eq!(
            found(PatternKind::CreditCard, text),
            [
                "4111 1111 1111 1111",
                "5555-5555-5555-4444",
                "378282246310005"
            ]
        );
        assert!(found(PatternKind::CreditCard, "id41111111111111111").is_empty());
    }

    #[test]
    fn ibans() {
        let text = "Pay DE89 3704 0044 0532 0130 00 or GB82WEST12345698765432. Not DE89 3704 0044 0532 0130 01, DE893704 00440532013000, XDE89370400440532013000.";
        assert_eq!(
            found(PatternKind::Iban, text),
            ["DE89 3704 0044 0532 0130 00", "GB82WEST12345698765432"]
        );
        assert_eq!(
            found(PatternKind::Iban, "NL91ABNA0417164300 BIC ABNANL2A"),
            ["NL91ABNA0417164300"]
        );
        assert!(found(PatternKind::Iban, "NL91ABNA04171643001").is_empty());
    }

    #[test]
    fn ssns() {
        let text = "SSN 123-45-6789 or 234 56 7890; not 000-12-3456, 666-12-3456, 901-12-3456, 123-00-4567, 123-45-0000, 1123-45-6789, 123-45-6789-1.";
        assert_eq!(
            found(PatternKind::UsSsn, text),
            ["123-45-6789", "234 56 7890"]
        );
    }

    #[test]
    fn custom_patterns_and_deny_list() {
        let config = RedactorConfig {
            detectors: DetectorSet::none(),
            custom_patterns: vec![CustomPattern {
                name: "ticket".into(),
                entity_type: "ticket_id".into(),
                regex: r"\bTKT-\d{4}\b".into(),
                score: 0.9,
            }],
            deny_list: vec![
                DenyTerm {
                    entity_type: "PROJECT".into(),
                    term: "Falcon".into(),
                    case_insensitive: true,
                },
                DenyTerm {
                    entity_type: "LANG".into(),
                    term: "C++".into(),
                    case_insensitive: false,
                },
            ],
            ..RedactorConfig::default()
        };
        let text = "TKT-1234 for FALCON, not Falconry nor TKT-12345; c++ and C++.";
        let spans = detect_patterns(text, &config).unwrap();
        let got: Vec<(&str, &str, &str)> = spans
            .iter()
            .map(|s| {
                (
                    &text[s.start..s.end],
                    s.entity_type.as_str(),
                    s.detector.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("TKT-1234", "TICKET_ID", "custom:ticket"),
                ("FALCON", "PROJECT", "deny_list"),
                ("C++", "LANG", "deny_list"),
            ]
        );
    }

    #[test]
    fn detectors_can_be_turned_off() {
        let text = "ada@example.com 192.168.0.1";
        let config = RedactorConfig {
            detectors: DetectorSet::all().without(PatternKind::Email),
            ..Default::default()
        };
        let spans = detect_patterns(text, &config).unwrap();
        assert_eq!(spans.len(), 1);
        assert_eq!(spans[0].detector, "pattern:IPV4");
        assert_eq!(spans[0].entity_type, "IP_ADDRESS");
        assert_eq!(
            "credit_card".parse::<PatternKind>().unwrap(),
            PatternKind::CreditCard
        );
        assert_eq!(
            "nope".parse::<PatternKind>().unwrap_err().code(),
            "invalid_option"
        );
    }
}
