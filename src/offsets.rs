//! Byte offsets (how Rust indexes a `str`, and so the native API) converted to the units other
//! runtimes index strings in: UTF-16 code units for JavaScript (`String.prototype.slice`),
//! code points for Python. ASCII costs nothing; each non-ASCII char costs one table entry.

use serde::Deserialize;

/// How result offsets count: UTF-16 code units (JavaScript string indices; the npm package's
/// default), UTF-8 bytes (the native API's unit), or code points (Python's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum OffsetEncoding {
    /// Bytes of the UTF-8 text: the native API's offsets, unchanged.
    Utf8,
    /// UTF-16 code units: JavaScript string indices.
    Utf16,
    /// Unicode scalar values: Python string indices.
    Codepoint,
}

impl OffsetEncoding {
    /// How many units of this encoding one char takes.
    fn units(self, c: char) -> usize {
        match self {
            OffsetEncoding::Utf8 => c.len_utf8(),
            OffsetEncoding::Utf16 => c.len_utf16(),
            OffsetEncoding::Codepoint => 1,
        }
    }
}

/// Converts byte offsets of one text into another encoding's offsets.
pub struct OffsetMap {
    /// `(byte offset just past a char that shrinks, bytes saved up to and including it)`,
    /// ascending in both; empty for ASCII text or the UTF-8 encoding.
    shrinks: Vec<(usize, usize)>,
}

impl OffsetMap {
    pub fn new(text: &str, encoding: OffsetEncoding) -> Self {
        let mut shrinks = Vec::new();
        if encoding != OffsetEncoding::Utf8 && !text.is_ascii() {
            let mut saved = 0;
            for (i, c) in text.char_indices() {
                let delta = c.len_utf8() - encoding.units(c);
                if delta > 0 {
                    saved += delta;
                    shrinks.push((i + c.len_utf8(), saved));
                }
            }
        }
        OffsetMap { shrinks }
    }

    /// The offset in the target encoding of `byte`, a char boundary of the text.
    pub fn convert(&self, byte: usize) -> usize {
        // Entries ending at or before `byte` are the chars wholly before it.
        let before = self.shrinks.partition_point(|&(end, _)| end <= byte);
        match before {
            0 => byte,
            n => byte - self.shrinks[n - 1].1,
        }
    }
}

/// The byte offset of `units` (an offset in `encoding`) in `text`, or `None` when it lies past
/// the end or inside a char (half a surrogate pair, the middle of a UTF-8 sequence).
pub fn byte_offset(text: &str, encoding: OffsetEncoding, units: usize) -> Option<usize> {
    let mut seen = 0;
    for (i, c) in text.char_indices() {
        if seen == units {
            return Some(i);
        }
        if seen > units {
            return None;
        }
        seen += encoding.units(c);
    }
    (seen == units).then_some(text.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn naive(text: &str, byte: usize, encoding: OffsetEncoding) -> usize {
        let head = &text[..byte];
        match encoding {
            OffsetEncoding::Utf8 => byte,
            OffsetEncoding::Utf16 => head.encode_utf16().count(),
            OffsetEncoding::Codepoint => head.chars().count(),
        }
    }

    fn check_every_boundary(text: &str) {
        for encoding in [
            OffsetEncoding::Utf8,
            OffsetEncoding::Utf16,
            OffsetEncoding::Codepoint,
        ] {
            let map = OffsetMap::new(text, encoding);
            for byte in (0..=text.len()).filter(|&b| text.is_char_boundary(b)) {
                assert_eq!(
                    map.convert(byte),
                    naive(text, byte, encoding),
                    "{encoding:?} at byte {byte} of {text:?}"
                );
            }
        }
    }

    #[test]
    fn emoji_combining_cjk_rtl() {
        // 😀 is 4 bytes, 2 UTF-16 units, 1 code point; é here is e + U+0301.
        check_every_boundary("Hi 😀 Zoe\u{0301} 東京 שלום 👩‍👩‍👧 end");
        let map = OffsetMap::new("😀a", OffsetEncoding::Utf16);
        assert_eq!((map.convert(4), map.convert(5)), (2, 3));
        let map = OffsetMap::new("😀a", OffsetEncoding::Codepoint);
        assert_eq!((map.convert(4), map.convert(5)), (1, 2));
    }

    #[test]
    fn back_to_bytes() {
        let text = "😀a é";
        assert_eq!(byte_offset(text, OffsetEncoding::Utf16, 2), Some(4));
        assert_eq!(byte_offset(text, OffsetEncoding::Utf16, 1), None); // half of 😀
        assert_eq!(
            byte_offset(text, OffsetEncoding::Codepoint, 4),
            Some(text.len())
        );
        assert_eq!(byte_offset(text, OffsetEncoding::Codepoint, 5), None);
        assert_eq!(byte_offset(text, OffsetEncoding::Utf8, 2), None);
    }

    proptest! {
        #[test]
        fn matches_naive_count(text in "\\PC{0,40}") {
            check_every_boundary(&text);
        }

        #[test]
        fn byte_offset_inverts_convert(text in "\\PC{0,40}") {
            for encoding in [OffsetEncoding::Utf8, OffsetEncoding::Utf16, OffsetEncoding::Codepoint] {
                let map = OffsetMap::new(&text, encoding);
                for byte in (0..=text.len()).filter(|&b| text.is_char_boundary(b)) {
                    prop_assert_eq!(byte_offset(&text, encoding, map.convert(byte)), Some(byte));
                }
            }
        }
    }
}
