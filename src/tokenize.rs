//! The model's own `tokenizer.json`, through the `tokenizers` crate: ids, byte offsets,
//! special-token mask and word ids, and windows over text longer than the model accepts.

use crate::error::{Error, Result};
use tokenizers::{Decoder, Encoding, ModelWrapper, Tokenizer, TruncationDirection};

/// One tokenized window of text. Offsets are byte ranges into the input `&str`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Encoded {
    pub ids: Vec<u32>,
    pub tokens: Vec<String>,
    /// `(start, end)` byte offsets; `(0, 0)` for special tokens.
    pub offsets: Vec<(usize, usize)>,
    pub special_tokens_mask: Vec<u32>,
    /// Which pre-tokenized word each token came from (`None` for special tokens).
    pub word_ids: Vec<Option<u32>>,
    /// True when the text had more tokens than this window holds.
    pub truncated: bool,
}

impl Encoded {
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    fn from_encoding(enc: &Encoding, truncated: bool) -> Self {
        Encoded {
            ids: enc.get_ids().to_vec(),
            tokens: enc.get_tokens().to_vec(),
            offsets: enc.get_offsets().to_vec(),
            special_tokens_mask: enc.get_special_tokens_mask().to_vec(),
            word_ids: enc.get_word_ids().to_vec(),
            truncated,
        }
    }
}

pub struct TextTokenizer {
    inner: Tokenizer,
    max_len: usize,
    /// Special tokens the post-processor adds around one sequence ([CLS] … [SEP]: 2).
    added: usize,
    unk_id: Option<u32>,
    /// WordPiece-style tokenizers mark continuations (`##`), so words can be rebuilt exactly;
    /// others fall back to Hugging Face's whitespace heuristic.
    word_aware: bool,
}

impl TextTokenizer {
    /// Parse `tokenizer.json` and check it fits a model with `vocab_size` embedding rows and
    /// `max_positions` positions. Padding and truncation stored in the file are dropped
    /// (some published files pad everything to 128); windows are ours.
    pub fn from_json(json: &str, vocab_size: usize, max_positions: usize) -> Result<Self> {
        check_tokenizer_json(json)?;
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
            .with_truncation(None)
            .map_err(|e| Error::Tokenizer(e.to_string()))?;
        let added = inner
            .get_post_processor()
            .map_or(0, |p| tokenizers::PostProcessor::added_tokens(p, false));
        if added >= max_positions {
            return Err(Error::Tokenizer(format!(
                "the tokenizer adds {added} special tokens but the model has only {max_positions} positions"
            )));
        }
        let (unk, word_aware) = match inner.get_model() {
            ModelWrapper::WordPiece(wp) => (
                Some(wp.unk_token.clone()),
                !wp.continuing_subword_prefix.is_empty(),
            ),
            ModelWrapper::BPE(bpe) => (
                bpe.get_unk_token().clone(),
                bpe.get_continuing_subword_prefix()
                    .as_deref()
                    .is_some_and(|p| !p.is_empty()),
            ),
            _ => (None, false),
        };
        let unk_id = unk.and_then(|u| inner.token_to_id(&u));
        Ok(TextTokenizer {
            inner,
            max_len: max_positions,
            added,
            unk_id,
            word_aware,
        })
    }

    /// Longest sequence (special tokens included) the model accepts.
    pub fn max_len(&self) -> usize {
        self.max_len
    }

    /// Content tokens per window (the model's length less the special tokens).
    pub fn window_len(&self) -> usize {
        self.max_len - self.added
    }

    pub fn unk_id(&self) -> Option<u32> {
        self.unk_id
    }

    pub fn is_word_aware(&self) -> bool {
        self.word_aware
    }

    /// The first window of `text` (the whole text when it fits); `truncated` says if it did not.
    pub fn encode(&self, text: &str) -> Result<Encoded> {
        let mut windows = self.encode_windows(text, 0)?;
        let truncated = windows.len() > 1;
        let mut first = windows.swap_remove(0);
        first.truncated = truncated;
        Ok(first)
    }

    /// All of `text` as windows of at most `max_len` tokens, consecutive windows sharing
    /// `stride` content tokens, each with its own special tokens. The windows are cut the way
    /// Hugging Face's fast tokenizers cut overflowing tokens (`return_overflowing_tokens`).
    pub fn encode_windows(&self, text: &str, stride: usize) -> Result<Vec<Encoded>> {
        let window = self.window_len();
        if stride >= window {
            return Err(Error::InvalidOption(format!(
                "stride {stride} must be smaller than the window of {window} content tokens"
            )));
        }
        let mut enc = self
            .inner
            .encode(text, false)
            .map_err(|e| Error::Tokenizer(format!("could not tokenize: {e}")))?;
        enc.truncate(window, stride, TruncationDirection::Right);
        let enc = self
            .inner
            .post_process(enc, None, true)
            .map_err(|e| Error::Tokenizer(format!("could not add special tokens: {e}")))?;
        let mut windows = vec![Encoded::from_encoding(&enc, false)];
        windows.extend(
            enc.get_overflowing()
                .iter()
                .map(|o| Encoded::from_encoding(o, false)),
        );
        Ok(windows)
    }

    /// Join tokens into text the way the tokenizer's decoder does (Hugging Face's
    /// `convert_tokens_to_string` on fast tokenizers), e.g. `["jo", "##hn"]` -> `"john"`.
    pub fn tokens_to_string(&self, tokens: Vec<String>) -> String {
        match self.inner.get_decoder() {
            Some(d) => d
                .decode(tokens.clone())
                .unwrap_or_else(|_| tokens.join(" ")),
            None => tokens.join(" "),
        }
    }
}

/// Rejects what tokenizers 0.23.2 would panic on instead of returning an error (found by
/// fuzzing): its decoder and normalizer deserializers `expect()` on malformed JSON inside their
/// sections, the `Precompiled` normalizer on a malformed charsmap, and a `TemplateProcessing`
/// post-processor indexes its special tokens and sequences unchecked. A panic aborts wasm, so
/// the JSON must be well-formed before tokenizers sees it, templates must be consistent, and
/// SentencePiece's `Precompiled` normalizer (no BERT-family tokenizer uses it) is refused.
fn check_tokenizer_json(json: &str) -> Result<()> {
    let value: serde_json::Value = serde_json::from_str(json)
        .map_err(|e| Error::Tokenizer(format!("tokenizer.json is not valid JSON: {e}")))?;
    fn has_precompiled(v: &serde_json::Value) -> bool {
        match v {
            serde_json::Value::Object(map) => {
                map.get("type").and_then(|t| t.as_str()) == Some("Precompiled")
                    || map.values().any(has_precompiled)
            }
            serde_json::Value::Array(items) => items.iter().any(has_precompiled),
            _ => false,
        }
    }
    if let Some(post) = value.get("post_processor") {
        check_templates(post)?;
    }
    if value.get("normalizer").is_some_and(has_precompiled) {
        return Err(Error::Tokenizer(
            "the Precompiled (SentencePiece) normalizer is not supported: tokenveil runs \
             BERT-family tokenizers"
                .into(),
        ));
    }
    Ok(())
}

/// Every `TemplateProcessing` (alone or inside a `Sequence`) names only special tokens it
/// defines, each with as many ids as tokens, and its single-sequence template reads sequence A.
fn check_templates(post: &serde_json::Value) -> Result<()> {
    let bad = |why: String| Err(Error::Tokenizer(format!("post_processor: {why}")));
    match post.get("type").and_then(|t| t.as_str()) {
        Some("Sequence") => {
            for p in post
                .get("processors")
                .and_then(|p| p.as_array())
                .into_iter()
                .flatten()
            {
                check_templates(p)?;
            }
            Ok(())
        }
        Some("TemplateProcessing") => {
            let specials = post.get("special_tokens").and_then(|s| s.as_object());
            for (name, tok) in specials.into_iter().flatten() {
                let ids = tok.get("ids").and_then(|v| v.as_array()).map(Vec::len);
                let tokens = tok.get("tokens").and_then(|v| v.as_array()).map(Vec::len);
                if ids != tokens {
                    return bad(format!(
                        "special token `{name}` has {ids:?} ids for {tokens:?} tokens"
                    ));
                }
            }
            for (template, sequences) in [("single", &["A"][..]), ("pair", &["A", "B"][..])] {
                let pieces = post.get(template).and_then(|t| t.as_array());
                for piece in pieces.into_iter().flatten() {
                    if let Some(id) = piece.pointer("/SpecialToken/id").and_then(|i| i.as_str()) {
                        if !specials.is_some_and(|s| s.contains_key(id)) {
                            return bad(format!(
                                "template `{template}` uses undefined special token `{id}`"
                            ));
                        }
                    }
                    if let Some(id) = piece.pointer("/Sequence/id").and_then(|i| i.as_str()) {
                        if !sequences.contains(&id) {
                            return bad(format!("template `{template}` reads sequence `{id}`"));
                        }
                    }
                }
            }
            Ok(())
        }
        _ => Ok(()),
    }
}
