//! Any bytes as a model file (GGUF header, metadata, tensor table, or not GGUF at all): an
//! error with a code or a model that runs; never a panic, an abort or an absurd allocation.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tokenveil::pipelines::token_details::token_logits;
use tokenveil::ModelBundle;

fuzz_target!(|data: &[u8]| {
    if let Ok(model) = ModelBundle::from_bytes(data.to_vec()) {
        let _ = token_logits(&model, "Ada Lovelace, 1843");
    }
});
