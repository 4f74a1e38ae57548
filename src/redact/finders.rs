//! The searches behind the built-in rows that a regex and a validator alone cannot express:
//! numbers written in groups (phones, cards: whole runs of digit groups are found first, then
//! split into their longest valid sub-runs, so neighbouring numbers cannot spoil each other),
//! IBANs in print, URLs and their trailing punctuation, e-mail boundaries, spelled-out
//! addresses, @handles, dates that follow a birth keyword, and postal codes beside a place that
//! another detector found; and the boundary helpers every
//! row shares. A rejected candidate is retried one char later, so a bad candidate never hides a
//! good value starting inside it. Word boundaries are checked in code (`standalone`) rather
//! than with `\b` where a regex is hot, which keeps it on the fast DFA path for non-ASCII text.

use super::checks;
use super::patterns::{find, PatternKind};
use regex::Regex;

/// Word chars for boundaries: letters and digits of any script, and `_` (as regex `\w`).
pub(super) fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// True when `text[start..end]` is not a piece of a longer token: the char on each side is not
/// a word char, and not one of `joiners` continuing into a word char (`1.2.3.4.5` is a version,
/// not an address followed by `.5`).
pub(super) fn standalone(text: &str, start: usize, end: usize, joiners: &str) -> bool {
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
pub(super) fn scan(
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
    let country = rest.get(..2)?.to_ascii_uppercase();
    let expected = checks::iban_length(&country)?;
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
        compact.push(c.to_ascii_uppercase());
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

pub(super) fn phones(text: &str, re: &Regex) -> Vec<(usize, usize)> {
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

pub(super) fn cards(text: &str, re: &Regex) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    for run in re.find_iter(text) {
        let groups = digit_groups(run.as_str(), run.start());
        // Necessary conditions of `credit_card_ok` (length; printed groups open with four
        // digits, or every group is one digit) keep long runs of small numbers cheap.
        let extents = |first: usize, last: usize| {
            let len = |g: &(usize, usize)| g.1 - g.0;
            let opens_with_four = first == last || len(&groups[first]) == 4;
            let digit_by_digit = groups[first..=last].iter().all(|g| len(g) == 1);
            match digit_count(&groups[first..=last]) {
                12..=19 if opens_with_four || digit_by_digit => {
                    vec![(groups[first].0, groups[last].1)]
                }
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

/// An email's local part may not continue before the match (`a..b@x.com` is not `b@x.com`),
/// nor its domain after it.
fn email_bounded(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start]
        .chars()
        .next_back()
        .is_some_and(|c| is_word(c) || "._%+-@".contains(c));
    !before && standalone(text, start, end, ".-@")
}

pub(super) fn emails(text: &str, re: &Regex) -> Vec<(usize, usize)> {
    scan(text, re, |s, e| {
        (email_ok(&text[s..e]) && email_bounded(text, s, e)).then_some((s, e))
    })
}

pub(super) fn urls(text: &str, re: &Regex) -> Vec<(usize, usize)> {
    scan(text, re, |s, e| {
        let end = s + trim_url(&text[s..e]).len();
        (url_ok(&text[s..end]) && side_ok(text[..s].chars().rev(), "")).then_some((s, end))
    })
}

pub(super) fn ibans(text: &str, re: &Regex) -> Vec<(usize, usize)> {
    scan(text, re, |s, _| iban_at(text, s))
}

/// Top-level domains a plainly spelled-out address (`jane at example dot com`) may end in:
/// with bare " at " and " dot ", prose ("meet at noon dot …") must not pass.
const COMMON_TLDS: &[&str] = &[
    "com", "org", "net", "edu", "gov", "io", "co", "uk", "de", "fr", "es", "it", "nl", "be", "ch",
    "at", "se", "no", "dk", "fi", "pl", "pt", "br", "in", "jp", "cn", "au", "ca", "us", "eu",
    "info", "biz", "me", "ai", "dev", "app", "mx", "ie", "nz", "za", "ru", "cz",
];

/// `jane (at) example (dot) org`, `j.doe[at]mail[dot]co[dot]uk`, `jane at example dot com`:
/// read as an address (at -> `@`, dot -> `.`, spaces dropped), it must be a valid one whose
/// top-level domain is letters; with an unbracketed " at ", a common top-level domain.
pub(super) fn spelled_emails(text: &str, re: &Regex) -> Vec<(usize, usize)> {
    scan(text, re, |s, e| {
        let candidate = &text[s..e];
        let lower = candidate.to_ascii_lowercase();
        let bracketed_at = ["(at)", "[at]", "{at}", "<at>"]
            .iter()
            .any(|f| lower.replace(' ', "").contains(f));
        let mut address = String::with_capacity(candidate.len());
        for w in lower.split_whitespace() {
            match w {
                "at" if !bracketed_at => address.push('@'),
                "dot" => address.push('.'),
                _ => address.push_str(w),
            }
        }
        for (form, with) in [
            ("(at)", "@"),
            ("[at]", "@"),
            ("{at}", "@"),
            ("<at>", "@"),
            ("(dot)", "."),
            ("[dot]", "."),
            ("{dot}", "."),
            ("<dot>", "."),
        ] {
            address = address.replace(form, with);
        }
        let tld = address.rsplit('.').next().unwrap_or_default();
        let tld_ok = (2..=24).contains(&tld.len())
            && tld.chars().all(|c| c.is_ascii_alphabetic())
            && (bracketed_at || COMMON_TLDS.contains(&tld));
        (address.matches('@').count() == 1
            && tld_ok
            && email_ok(&address)
            && email_bounded(text, s, e))
        .then_some((s, e))
    })
}

/// `@handle`s: not the domain half of an e-mail address (nothing of an address's local part
/// right before the `@`), and not followed by another `@`.
pub(super) fn handles(text: &str, re: &Regex) -> Vec<(usize, usize)> {
    scan(text, re, |s, e| {
        let before = text[..s]
            .chars()
            .next_back()
            .is_some_and(|c| is_word(c) || "._%+-@".contains(c));
        let after = text[e..]
            .chars()
            .next()
            .is_some_and(|c| is_word(c) || c == '@');
        (!before && !after && e - s >= 3).then_some((s, e))
    })
}

/// A user name after its keyword: at least two characters.
pub(super) fn username_ok(candidate: &str) -> bool {
    candidate.chars().count() >= 2
}

/// Dates (every `Date` row) that follow a birth keyword; `keyword_before` is anchored at the
/// end and is tried on the 40 bytes before the date.
pub(super) fn dates_of_birth(text: &str, keyword_before: &Regex) -> Vec<(usize, usize)> {
    let mut found: Vec<(usize, usize)> = find(PatternKind::Date, text)
        .into_iter()
        .filter(|&(start, _, _)| {
            let mut from = start.saturating_sub(40);
            while !text.is_char_boundary(from) {
                from += 1;
            }
            keyword_before.is_match(&text[from..start])
        })
        .map(|(s, e, _)| (s, e))
        .collect();
    found.sort_unstable();
    found.dedup();
    found
}

/// A deny-list match is a whole word where the term itself starts or ends with a word char
/// (so `C++` still matches before a space, and `Falcon` not inside `Falconry`).
pub(super) fn whole_words(text: &str, s: usize, e: usize) -> bool {
    let word_before = text[..s].chars().next_back().is_some_and(is_word);
    let word_after = text[e..].chars().next().is_some_and(is_word);
    let starts_word = text[s..e].chars().next().is_some_and(is_word);
    let ends_word = text[s..e].chars().next_back().is_some_and(is_word);
    !((word_before && starts_word) || (word_after && ends_word))
}

/// A postal code (4 to 6 digits, or `123 45`) written right beside a place that another
/// detector found (`Norway 64389`, `75001 Paris`, `Hungary, 06554`), separated from it by at
/// most two spaces or commas: the code of that place, so part of its address. A lone number
/// is too common to redact without that context, and one that reads as a year (1900 to 2099,
/// `Tokyo 2020`) is left alone. Returns byte ranges not already inside a place.
pub(super) fn postcodes_beside(text: &str, places: &[(usize, usize)]) -> Vec<(usize, usize)> {
    use std::sync::OnceLock;
    static AFTER: OnceLock<Option<Regex>> = OnceLock::new();
    static BEFORE: OnceLock<Option<Regex>> = OnceLock::new();
    let (Some(after), Some(before)) = (
        AFTER.get_or_init(|| Regex::new(r"^[ ,]{0,2}(\d{3} \d{2}|\d{4,6})").ok()),
        BEFORE.get_or_init(|| Regex::new(r"(\d{3} \d{2}|\d{4,6})[ ,]{0,2}$").ok()),
    ) else {
        return Vec::new();
    };
    let year = |s: &str| s.len() == 4 && s.parse::<u32>().is_ok_and(|y| (1900..=2099).contains(&y));
    let inside = |s: usize, e: usize| places.iter().any(|&(a, b)| a <= s && e <= b);
    let mut found = Vec::new();
    for &(start, end) in places {
        let candidates = [
            after
                .captures(&text[end..])
                .and_then(|c| c.get(1))
                .map(|m| (end + m.start(), end + m.end())),
            before
                .captures(&text[..start])
                .and_then(|c| c.get(1))
                .map(|m| (m.start(), m.end())),
        ];
        for (s, e) in candidates.into_iter().flatten() {
            if standalone(text, s, e, ".-/:") && !year(&text[s..e]) && !inside(s, e) {
                found.push((s, e));
            }
        }
    }
    found.sort_unstable();
    found.dedup();
    found
}
