//! Operators: what each kept span becomes, and `restore`, which puts originals back.

use super::resolve::Resolved;
use super::{Operator, RedactedSpan, Redaction, RedactorConfig};
use regex::Regex;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

/// Hex digits of the HMAC a `Hash` replacement keeps: 64 bits, short enough to read and long
/// enough that two values of one document practically never share one.
pub const HASH_HEX_LEN: usize = 16;

/// First `HASH_HEX_LEN` lower-case hex digits of HMAC-SHA256 (RFC 2104) of the UTF-8 bytes of
/// `value` under the UTF-8 bytes of `key`.
pub fn hash_value(key: &str, value: &str) -> String {
    hmac_sha256(key.as_bytes(), value.as_bytes())
        .iter()
        .take(HASH_HEX_LEN / 2)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `value` with every char but the first (or last) `keep` replaced by `ch`, counted in Unicode
/// scalar values.
pub fn mask(value: &str, ch: char, keep: usize, from_end: bool) -> String {
    let count = value.chars().count();
    let visible = |i: usize| {
        if from_end {
            i >= count.saturating_sub(keep)
        } else {
            i < keep
        }
    };
    value
        .chars()
        .enumerate()
        .map(|(i, c)| if visible(i) { c } else { ch })
        .collect()
}

/// HMAC-SHA256 as RFC 2104 defines it (block size 64; longer keys are hashed first). Written
/// out on `sha2`, which the crate already has: the `hmac` crate would add a dependency for
/// these few lines.
fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| block.map(|k| k ^ byte);
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize()
        .into()
}

/// Numbered placeholders for one document or a whole session: `<TYPE_n>`, numbered per type
/// in order of first appearance, one number per distinct (type, exact original). A number
/// whose placeholder occurs in any input seen so far is skipped, so `restore` can never touch
/// text that was there.
#[derive(Debug, Clone, Default)]
pub(crate) struct Placeholders {
    next: HashMap<String, usize>,
    assigned: HashMap<(String, String), String>,
    /// Placeholder-shaped tokens (`<…_n>`) that occurred in an input.
    in_inputs: HashSet<String>,
}

impl Placeholders {
    /// Notes the placeholder-shaped tokens of an input before its values are numbered (one
    /// linear regex pass: text like `<<<<…>` costs no more than any other).
    fn see_input(&mut self, input: &str) {
        static BRACKETED: OnceLock<Option<Regex>> = OnceLock::new();
        let Some(re) = BRACKETED.get_or_init(|| Regex::new(r"<[^<>]+>").ok()) else {
            return;
        };
        for m in re.find_iter(input) {
            let inner = &m.as_str()[1..m.as_str().len() - 1];
            let shaped = inner
                .rsplit_once('_')
                .is_some_and(|(_, n)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
            if shaped {
                self.in_inputs.insert(m.as_str().to_string());
            }
        }
    }

    fn get(&mut self, entity_type: &str, original: &str) -> String {
        let key = (entity_type.to_string(), original.to_string());
        if let Some(token) = self.assigned.get(&key) {
            return token.clone();
        }
        let next = self.next.entry(entity_type.to_string()).or_insert(1);
        let token = loop {
            let candidate = format!("<{entity_type}_{next}>");
            *next += 1;
            if !self.in_inputs.contains(&candidate) {
                break candidate;
            }
        };
        self.assigned.insert(key, token.clone());
        token
    }
}

/// Rewrites `text` with each of `spans` (sorted, non-overlapping) replaced by its operator,
/// numbering placeholders on from `placeholders` (fresh for one call, kept by a session).
/// The config has been validated, so `hash` has its key.
pub(super) fn apply(
    text: &str,
    spans: Vec<Resolved>,
    config: &RedactorConfig,
    placeholders: &mut Placeholders,
) -> Redaction {
    placeholders.see_input(text);
    let mut out = String::with_capacity(text.len());
    let mut redacted = Vec::with_capacity(spans.len());
    let mut mapping: Vec<(String, String)> = Vec::new();
    let mut copied = 0;
    for span in spans {
        let original = &text[span.start..span.end];
        let operator = config.operator(&span.entity_type);
        let replacement = match operator {
            Operator::Replace { template } => template.replace("{type}", &span.entity_type),
            Operator::Placeholder => placeholders.get(&span.entity_type, original),
            Operator::Mask { ch, keep, from_end } => mask(original, *ch, *keep, *from_end),
            Operator::Hash => hash_value(config.hash_key.as_deref().unwrap_or_default(), original),
            Operator::Remove => String::new(),
            Operator::Keep => original.to_string(),
        };
        let reversible = matches!(operator, Operator::Placeholder | Operator::Hash);
        if reversible
            && !mapping
                .iter()
                .any(|(r, o)| *r == replacement && o == original)
        {
            mapping.push((replacement.clone(), original.to_string()));
        }
        out.push_str(&text[copied..span.start]);
        let new_start = out.len();
        out.push_str(&replacement);
        copied = span.end;
        redacted.push(RedactedSpan {
            detector: span.detector_label(),
            entity_type: span.entity_type,
            score: span.score,
            start: span.start,
            end: span.end,
            new_start,
            new_end: out.len(),
            original: original.to_string(),
            replacement,
        });
    }
    out.push_str(&text[copied..]);
    Redaction {
        text: out,
        spans: redacted,
        mapping,
    }
}

/// See `redact::restore`.
pub(super) fn restore(reply: &str, mapping: &[(String, String)]) -> String {
    // Only tokens that stand for exactly one original can be reversed.
    let mut originals: HashMap<&str, Option<&str>> = HashMap::new();
    for (token, original) in mapping {
        originals
            .entry(token.as_str())
            .and_modify(|o| {
                if *o != Some(original.as_str()) {
                    *o = None;
                }
            })
            .or_insert(Some(original.as_str()));
    }
    // Candidates by first byte, longest first, so `<P_1>` can never cut `<P_10>` short.
    let mut by_first_byte: HashMap<u8, Vec<(&str, &str)>> = HashMap::new();
    for (token, original) in originals {
        if let (Some(&first), Some(original)) = (token.as_bytes().first(), original) {
            by_first_byte
                .entry(first)
                .or_default()
                .push((token, original));
        }
    }
    for candidates in by_first_byte.values_mut() {
        candidates.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(b.0)));
    }
    let mut out = String::with_capacity(reply.len());
    let mut rest = reply;
    // One left-to-right pass: restored originals are never searched again.
    while let Some(c) = rest.chars().next() {
        let hit = rest
            .as_bytes()
            .first()
            .and_then(|b| by_first_byte.get(b))
            .and_then(|candidates| candidates.iter().find(|(token, _)| rest.starts_with(token)));
        match hit {
            Some((token, original)) => {
                out.push_str(original);
                rest = &rest[token.len()..];
            }
            None => {
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_unicode_chars() {
        assert_eq!(mask("4111 1111", '*', 4, true), "*****1111");
        assert_eq!(mask("Zoë Ångström", '#', 3, false), "Zoë#########");
        assert_eq!(mask("日本語", '•', 1, true), "••語");
        assert_eq!(mask("ab", '*', 5, false), "ab");
        assert_eq!(mask("ab", '*', 0, true), "**");
        assert_eq!(mask("ab", '*', usize::MAX, true), "ab");
    }

    #[test]
    fn hashes_are_hmac_sha256() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        assert_eq!(
            hash_value("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e"
        );
        // RFC 4231 test case 6: a 131-byte key (hashed first).
        let long_key = [0xaau8; 131];
        let digest = hmac_sha256(
            &long_key,
            b"Test Using Larger Than Block-Size Key - Hash Key First",
        );
        assert_eq!(digest[..4], [0x60, 0xe4, 0x31, 0x59]);
        assert_ne!(
            hash_value("k1", "123-45-6789"),
            hash_value("k2", "123-45-6789")
        );
        assert_eq!(hash_value("s", "x").len(), HASH_HEX_LEN);
    }

    #[test]
    fn placeholders_skip_numbers_present_in_the_input() {
        let mut p = Placeholders::default();
        p.see_input("see <PERSON_1> and <x> <A_b>");
        assert_eq!(p.get("PERSON", "Ada"), "<PERSON_2>");
        assert_eq!(p.get("PERSON", "Bob"), "<PERSON_3>");
        assert_eq!(p.get("PERSON", "Ada"), "<PERSON_2>");
        assert_eq!(p.get("LOCATION", "Ada"), "<LOCATION_1>");
        // Many unclosed brackets before a token: found, in one pass.
        let mut p = Placeholders::default();
        p.see_input(&format!("{}<PERSON_1>", "<".repeat(200_000)));
        assert_eq!(p.get("PERSON", "Ada"), "<PERSON_2>");
    }

    #[test]
    fn restore_is_one_pass_and_skips_ambiguous_tokens() {
        let mapping = vec![
            ("<P_1>".to_string(), "<P_2>".to_string()),
            ("<P_2>".to_string(), "Bob".to_string()),
            ("<P_10>".to_string(), "Ten".to_string()),
            ("dup".to_string(), "x".to_string()),
            ("dup".to_string(), "y".to_string()),
        ];
        assert_eq!(
            restore("<P_1> <P_2> <P_10> dup", &mapping),
            "<P_2> Bob Ten dup"
        );
    }
}
