//! Every pattern detector over any text: spans on char boundaries, replacements where the
//! result says, and `restore` giving back exactly the input under the reversible operator.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tokenveil::redact::{redact, restore, RedactorConfig};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let r = redact(&text, &[], &RedactorConfig::default()).unwrap();
    for s in &r.spans {
        assert!(text.is_char_boundary(s.start) && text.is_char_boundary(s.end));
        assert_eq!(&text[s.start..s.end], s.original);
        assert_eq!(&r.text[s.new_start..s.new_end], s.replacement);
    }
    assert_eq!(restore(&r.text, &r), text);
});
