//! Byte offsets converted to UTF-16 and code points agree with counting by hand, for any text.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tokenveil::offsets::{OffsetEncoding, OffsetMap};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let utf16 = OffsetMap::new(&text, OffsetEncoding::Utf16);
    let points = OffsetMap::new(&text, OffsetEncoding::Codepoint);
    let (mut units, mut chars) = (0, 0);
    for (i, c) in text.char_indices() {
        assert_eq!(utf16.convert(i), units);
        assert_eq!(points.convert(i), chars);
        units += c.len_utf16();
        chars += 1;
    }
    assert_eq!(utf16.convert(text.len()), units);
    assert_eq!(points.convert(text.len()), chars);
});
