//! The view of the text that detectors read, and the way back to the caller's offsets.
//!
//! Values written to slip past a detector must still be caught: full-width digits and letters
//! (`４１１１`), no-break and other typographic spaces, zero-width characters inside a value,
//! typographic dashes and apostrophes. The view is the text with each character replaced by
//! its NFKC form (through `unicode-normalization-alignments`, the crate tokenizers already
//! depends on), every space-like character turned into a plain space, dashes into `-`, curly
//! apostrophes into `'`, and zero-width and formatting characters removed. Line breaks and
//! tabs are kept: they separate values. A percent-encoded `@` or `+` (`%40`, `%2B`, as in query
//! strings and form bodies: `email=jo%40example.com&tel=%2B44...`) reads as itself; no other
//! escape is decoded, since a decoded `%20` would cut a URL in two.
//!
//! Every byte of the view remembers the original character it came from, so a span found in
//! the view maps back to exact original offsets: from the start of its first character's source
//! to the end of its last one's, covering anything removed in between.

use unicode_normalization_alignments::UnicodeNormalization;

/// Characters removed from the view: zero-width spaces and joiners, word joiner, BOM,
/// soft hyphen, and the bidirectional marks that render as nothing.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{00AD}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// Horizontal space other than the ASCII space and tab: no-break, narrow no-break, the
/// typographic spaces, ideographic space, and so on.
fn is_odd_space(c: char) -> bool {
    c.is_whitespace()
        && !matches!(
            c,
            ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c' | '\u{85}' | '\u{2028}' | '\u{2029}'
        )
}

fn is_dash(c: char) -> bool {
    matches!(
        c,
        '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}'
    )
}

/// The char of a percent escape the view decodes (`%40` `@`, `%2B` `+`) at the start of `s`.
fn decoded_escape(s: &str) -> Option<char> {
    match s.as_bytes().get(..3)? {
        b"%40" => Some('@'),
        b"%2B" | b"%2b" => Some('+'),
        _ => None,
    }
}

/// The normalised text and, for the view's characters, where they came from.
pub struct NormalizedView<'a> {
    original: &'a str,
    /// The view. Equal to `original` when nothing needed normalising.
    pub text: String,
    /// `(view byte, original start, original end)` per view character, in order; empty when
    /// the view is the original.
    origins: Vec<(usize, usize, usize)>,
}

/// No-break spaces: they separate digit groups in print, but nobody types one inside a value
/// except to break a detector.
fn is_no_break(c: char) -> bool {
    matches!(c, '\u{A0}' | '\u{202F}' | '\u{2007}')
}

impl<'a> NormalizedView<'a> {
    /// The view: no-break spaces read as spaces.
    pub fn new(original: &'a str) -> Self {
        Self::build(original, false)
    }

    /// A second view for text with no-break spaces, where they are removed like zero-width
    /// characters, so `jo\u{a0}hn@example.com` reads as one address; `None` when the text has
    /// none (then it equals [`Self::new`]).
    pub fn joined(original: &'a str) -> Option<Self> {
        original
            .contains(is_no_break)
            .then(|| Self::build(original, true))
    }

    fn build(original: &'a str, drop_no_break: bool) -> Self {
        if original.is_ascii() && !original.contains('%') {
            return NormalizedView {
                original,
                text: original.to_string(),
                origins: Vec::new(),
            };
        }
        let mut text = String::with_capacity(original.len());
        let mut origins = Vec::with_capacity(original.len());
        let mut resume = 0; // the byte after a decoded escape
        for (start, c) in original.char_indices() {
            if start < resume {
                continue;
            }
            if let Some(decoded) = decoded_escape(&original[start..]) {
                resume = start + 3;
                origins.push((text.len(), start, resume));
                text.push(decoded);
                continue;
            }
            let end = start + c.len_utf8();
            let mut push = |out: char| {
                origins.push((text.len(), start, end));
                text.push(out);
            };
            if is_invisible(c) || (drop_no_break && is_no_break(c)) {
                continue;
            } else if is_odd_space(c) {
                push(' ');
            } else if is_dash(c) {
                push('-');
            } else if matches!(c, '\u{2018}' | '\u{2019}' | '\u{02BC}') {
                push('\'');
            } else if c.is_ascii() {
                push(c);
            } else {
                for (out, _) in std::iter::once(c).nfkc() {
                    push(out);
                }
            }
        }
        NormalizedView {
            original,
            text,
            origins,
        }
    }

    /// The original byte range of the view's `start..end` (char boundaries of the view): from
    /// the source of its first char to the end of its last one's, so a span that cuts an
    /// expansion (`ﬁ` -> `fi`) takes in the whole source char. Empty or out of range: `None`.
    pub fn original_range(&self, start: usize, end: usize) -> Option<(usize, usize)> {
        if start >= end || end > self.text.len() {
            return None;
        }
        if self.origins.is_empty() {
            return Some((start, end));
        }
        let first = self.origins.partition_point(|o| o.0 < start);
        let last = self.origins.partition_point(|o| o.0 < end).checked_sub(1)?;
        let (_, from, _) = *self.origins.get(first)?;
        let (_, _, to) = *self.origins.get(last)?;
        (from < to && to <= self.original.len()).then_some((from, to))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn back(original: &str, needle: &str) -> String {
        let view = NormalizedView::new(original);
        let s = view.text.find(needle).expect(needle);
        let (a, b) = view.original_range(s, s + needle.len()).unwrap();
        original[a..b].to_string()
    }

    #[test]
    fn ascii_is_its_own_view() {
        let v = NormalizedView::new("plain text 123");
        assert_eq!(v.text, "plain text 123");
        assert_eq!(v.original_range(6, 10), Some((6, 10)));
        assert_eq!(v.original_range(4, 4), None);
    }

    #[test]
    fn full_width_spaces_and_invisibles() {
        let card = "Card ４１１１ １１１１\u{a0}１１１１ 1\u{200b}111!";
        let v = NormalizedView::new(card);
        assert_eq!(v.text, "Card 4111 1111 1111 1111!");
        assert_eq!(
            back(card, "4111 1111 1111 1111"),
            "４１１１ １１１１\u{a0}１１１１ 1\u{200b}111"
        );
        let dash = "SSN 123\u{2011}45\u{2013}6789";
        assert_eq!(NormalizedView::new(dash).text, "SSN 123-45-6789");
        assert_eq!(back(dash, "123-45-6789"), "123\u{2011}45\u{2013}6789");
    }

    #[test]
    fn the_joined_view_drops_no_break_spaces() {
        assert!(NormalizedView::joined("plain").is_none());
        let text = "jo\u{a0}hn@example.com";
        let v = NormalizedView::joined(text).unwrap();
        assert_eq!(v.text, "john@example.com");
        assert_eq!(v.original_range(0, v.text.len()), Some((0, text.len())));
    }

    #[test]
    fn expansions_map_to_their_whole_source() {
        // U+FB01 (fi ligature) becomes two chars; U+2460 (circled 1) becomes "1".
        let text = "ﬁle ①";
        let v = NormalizedView::new(text);
        assert_eq!(v.text, "file 1");
        assert_eq!(back(text, "file"), "ﬁle");
        assert_eq!(back(text, "1"), "①");
        // A span that starts or ends inside an expansion takes in its whole source.
        assert_eq!(v.original_range(1, 4), Some((0, 5)));
    }

    #[test]
    fn a_percent_encoded_at_reads_as_at() {
        let form = "name=Jo%C3%A3o&email=joao.silva%40gmail.com&x=100%25";
        let v = NormalizedView::new(form);
        assert_eq!(v.text, "name=Jo%C3%A3o&email=joao.silva@gmail.com&x=100%25");
        assert_eq!(back(form, "joao.silva@gmail.com"), "joao.silva%40gmail.com");
        assert_eq!(back(form, "@"), "%40");
        // Beside non-ASCII text, and at the very end.
        let phone = "tel=%2b351912345678";
        assert_eq!(back(phone, "+351912345678"), "%2b351912345678");
        let tail = "ﬁ k%40";
        assert_eq!(NormalizedView::new(tail).text, "fi k@");
        assert_eq!(back(tail, "k@"), "k%40");
    }
}
