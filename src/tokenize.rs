//! The model's own `tokenizer.json`, through the `tokenizers` crate: ids, byte offsets,
//! special-token mask and word ids, truncated to the model's window.

use crate::error::{Error, Result};
use tokenizers::{Tokenizer, TruncationDirection, TruncationParams, TruncationStrategy};

/// One tokenized text. Offsets are byte ranges into the input `&str`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Encoded {
    pub ids: Vec<u32>,
    pub tokens: Vec<String>,
    /// `(start, end)` byte offsets; `(0, 0)` for special tokens.
    pub offsets: Vec<(usize, usize)>,
    pub special_tokens_mask: Vec<u32>,
    /// Which pre-tokenized word each token came from (`None` for special tokens).
    pub word_ids: Vec<Option<u32>>,
    /// True when the text had more tokens than the window and was cut.
    pub truncated: bool,
}

impl Encoded {
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

pub struct TextTokenizer {
    inner: Tokenizer,
    max_len: usize,
}

impl TextTokenizer {
    /// Parse `tokenizer.json` and check it fits a model with `vocab_size` embedding rows and
    /// `max_positions` positions. Padding and truncation stored in the file are replaced by
    /// ours (some published tokenizer.json files pad everything to 128).
    pub fn from_json(json: &str, vocab_size: usize, max_positions: usize) -> Result<Self> {
        let mut inner = Tokenizer::from_bytes(json.as_bytes())
            .map_err(|e| Error::Tokenizer(format!("tokenizer.json is not valid: {e}")))?;
        let largest = inner.get_vocab(true).into_values().max().unwrap_or(0) as usize;
        if largest >= vocab_size {
            return Err(Error::Tokenizer(format!(
                "the tokenizer has token id {largest} but the model's embedding has only {vocab_size} rows: \
                 this tokenizer does not belong to this model"
            )));
        }
        inner.with_padding(None);
        inner
            .with_truncation(Some(TruncationParams {
                direction: TruncationDirection::Right,
                max_length: max_positions,
                strategy: TruncationStrategy::LongestFirst,
                stride: 0,
            }))
            .map_err(|e| Error::Tokenizer(e.to_string()))?;
        Ok(TextTokenizer {
            inner,
            max_len: max_positions,
        })
    }

    /// Longest sequence (special tokens included) the model accepts.
    pub fn max_len(&self) -> usize {
        self.max_len
    }

    pub fn encode(&self, text: &str) -> Result<Encoded> {
        let enc = self
            .inner
            .encode(text, true)
            .map_err(|e| Error::Tokenizer(format!("could not tokenize: {e}")))?;
        Ok(Encoded {
            ids: enc.get_ids().to_vec(),
            tokens: enc.get_tokens().to_vec(),
            offsets: enc.get_offsets().to_vec(),
            special_tokens_mask: enc.get_special_tokens_mask().to_vec(),
            word_ids: enc.get_word_ids().to_vec(),
            truncated: !enc.get_overflowing().is_empty(),
        })
    }

    pub fn inner(&self) -> &Tokenizer {
        &self.inner
    }
}
