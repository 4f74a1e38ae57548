//! Spans as the CLI prints them: the library's byte offsets converted to the unit `--offsets`
//! asks for, and JSON that names that unit.

use crate::args::OffsetUnit;
use serde_json::{json, Value};
use tokenveil::offsets::OffsetMap;
use tokenveil::pipelines::token_classification::Entity;
use tokenveil::pipelines::token_details::TokenLogits;
use tokenveil::redact::Redaction;

/// `entities` (byte offsets into `text`) in `unit`.
pub fn entities(text: &str, mut entities: Vec<Entity>, unit: OffsetUnit) -> Vec<Entity> {
    let map = OffsetMap::new(text, unit.encoding());
    for e in &mut entities {
        (e.start, e.end) = (map.convert(e.start), map.convert(e.end));
    }
    entities
}

/// `{"offsets": UNIT, "entities": [...]}`.
pub fn entities_json(entities: &[Entity], unit: OffsetUnit) -> Value {
    json!({"offsets": unit.name(), "entities": entities})
}

/// Each token's offsets in `unit`.
pub fn token_logits(text: &str, mut out: TokenLogits, unit: OffsetUnit) -> TokenLogits {
    let map = OffsetMap::new(text, unit.encoding());
    for t in &mut out.tokens {
        (t.start, t.end) = (map.convert(t.start), map.convert(t.end));
    }
    out
}

/// A redaction of `input` with its spans in `unit` (`start`/`end` into the input,
/// `new_start`/`new_end` into the redacted text): `{"offsets", "text", "spans", "mapping"}`.
pub fn redaction_json(input: &str, r: &Redaction, unit: OffsetUnit) -> Value {
    let (old, new) = (
        OffsetMap::new(input, unit.encoding()),
        OffsetMap::new(&r.text, unit.encoding()),
    );
    let spans: Vec<_> = r
        .spans
        .iter()
        .cloned()
        .map(|mut s| {
            (s.start, s.end) = (old.convert(s.start), old.convert(s.end));
            (s.new_start, s.new_end) = (new.convert(s.new_start), new.convert(s.new_end));
            s
        })
        .collect();
    json!({"offsets": unit.name(), "text": r.text, "spans": spans, "mapping": r.mapping})
}
