//! Any bytes as the safetensors weights of a (tiny) Hugging Face folder.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tokenveil::pipelines::token_details::token_logits;
use tokenveil::ModelBundle;

const CONFIG: &str = include_str!("../../tests/golden/tiny/distilbert-token/config.json");
const TOKENIZER: &str = include_str!("../../tests/golden/tiny/distilbert-token/tokenizer.json");

fuzz_target!(|data: &[u8]| {
    if let Ok(model) = ModelBundle::from_parts(CONFIG, TOKENIZER, data) {
        let _ = token_logits(&model, "Ada Lovelace, 1843");
    }
});
