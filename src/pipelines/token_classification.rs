//! Token classification (NER, PII, part of speech) with the Hugging Face pipeline's semantics
//! (`transformers/pipelines/token_classification.py`, v5.17): subword detection from offsets,
//! the five aggregation strategies, B-/I- grouping, `ignore_labels`, and overlapping windows
//! merged like `aggregate_overlapping_entities`. Unlike that pipeline, long text is never
//! truncated: it is always windowed, and `none` works over windows too.

use super::timing::{Clock, NoClock, Stopwatch, Timings};
use super::{logits_per_window, softmax};
use crate::bundle::ModelBundle;
use crate::config::Head;
use crate::error::{Error, Result};
use crate::tokenize::Encoded;
use serde::Serialize;
use std::str::FromStr;

/// Hugging Face's aggregation strategies for token classification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum AggregationStrategy {
    /// Every token on its own (`entity`, `index`).
    #[default]
    None,
    /// Adjacent tokens with the same tag grouped (B- starts a new group).
    Simple,
    /// Words take the label of their first token.
    First,
    /// Words take the label with the highest mean score over their tokens.
    Average,
    /// Words take the label of their most confident token.
    Max,
}

impl FromStr for AggregationStrategy {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "none" => Ok(Self::None),
            "simple" => Ok(Self::Simple),
            "first" => Ok(Self::First),
            "average" => Ok(Self::Average),
            "max" => Ok(Self::Max),
            _ => Err(Error::InvalidOption(format!(
                "unknown aggregation strategy `{s}` (none, simple, first, average, max)"
            ))),
        }
    }
}

#[derive(Debug, Clone)]
pub struct TokenClassificationOptions {
    pub aggregation_strategy: AggregationStrategy,
    /// Labels (or groups) dropped from the output. Default `["O"]`.
    pub ignore_labels: Vec<String>,
    /// Content tokens shared by consecutive windows over long text. Default: a quarter of the
    /// window (127 for a 512-position BERT).
    pub stride: Option<usize>,
    /// Windows run through the model together, at most (a pass also holds at most 512 padded
    /// tokens, so long windows run one or a few at a time).
    pub batch_size: usize,
}

impl Default for TokenClassificationOptions {
    fn default() -> Self {
        TokenClassificationOptions {
            aggregation_strategy: AggregationStrategy::None,
            ignore_labels: vec!["O".to_string()],
            stride: None,
            batch_size: 8,
        }
    }
}

/// One output row, with the Hugging Face field names: `entity` + `index` for
/// `aggregation_strategy = none`, `entity_group` otherwise. Offsets are bytes of the input.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entity {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entity: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entity_group: Option<String>,
    pub score: f32,
    /// Token position in the whole text's encoding (`[CLS]` is 0), as in Hugging Face.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<usize>,
    pub word: String,
    pub start: usize,
    pub end: usize,
}

impl Entity {
    /// `entity_group` or `entity`, whichever this row has.
    pub fn label(&self) -> &str {
        self.entity_group
            .as_deref()
            .or(self.entity.as_deref())
            .unwrap_or("")
    }
}

/// A token ready for aggregation: Hugging Face's "pre-entity".
struct PreEntity {
    word: String,
    scores: Vec<f32>,
    start: usize,
    end: usize,
    index: usize,
    is_subword: bool,
}

/// A token or word with its decided label, before grouping.
struct Labelled {
    label: String,
    score: f32,
    index: usize,
    word: String,
    start: usize,
    end: usize,
}

pub struct TokenClassifier {
    model: ModelBundle,
}

impl TokenClassifier {
    pub fn new(model: ModelBundle) -> Result<Self> {
        if model.head() != Head::TokenClassification {
            return Err(Error::InvalidOption(format!(
                "token classification needs a *ForTokenClassification model; this is {}",
                model.config.architecture
            )));
        }
        Ok(TokenClassifier { model })
    }

    pub fn model(&self) -> &ModelBundle {
        &self.model
    }

    fn stride(&self, opts: &TokenClassificationOptions) -> usize {
        opts.stride.unwrap_or(self.model.tokenizer.window_len() / 4)
    }

    pub fn classify(&self, text: &str, opts: &TokenClassificationOptions) -> Result<Vec<Entity>> {
        let mut out = self.classify_batch(&[text], opts)?;
        Ok(out.pop().unwrap_or_default())
    }

    /// Many texts at once: all their windows are batched together, shortest with shortest.
    pub fn classify_batch(
        &self,
        texts: &[&str],
        opts: &TokenClassificationOptions,
    ) -> Result<Vec<Vec<Entity>>> {
        Ok(self.classify_batch_timed(texts, opts, &NoClock)?.0)
    }

    /// [`Self::classify_batch`], with the time each stage took by `clock`.
    pub fn classify_batch_timed(
        &self,
        texts: &[&str],
        opts: &TokenClassificationOptions,
        clock: &dyn Clock,
    ) -> Result<(Vec<Vec<Entity>>, Timings)> {
        let mut watch = Stopwatch::start(clock);
        if opts.batch_size == 0 {
            return Err(Error::InvalidOption("batch_size must be at least 1".into()));
        }
        let stride = self.stride(opts);
        let mut windows: Vec<Encoded> = Vec::new();
        // Each text's windows are contiguous: `counts[t]` of them, in order.
        let mut counts: Vec<usize> = Vec::with_capacity(texts.len());
        for text in texts {
            let w = self.model.tokenizer.encode_windows(text, stride)?;
            counts.push(w.len());
            windows.extend(w);
        }
        let tokenize_ms = watch.lap();
        let logits = logits_per_window(&self.model, &windows, opts.batch_size)?;
        let forward_ms = watch.lap();
        let mut results = Vec::with_capacity(texts.len());
        let mut first = 0;
        for (text, n) in texts.iter().zip(counts) {
            let mine: Vec<(&Encoded, &Vec<Vec<f32>>)> = windows[first..first + n]
                .iter()
                .zip(&logits[first..first + n])
                .collect();
            first += n;
            results.push(self.postprocess(text, &mine, stride, opts));
        }
        let timings = Timings {
            tokenize_ms,
            forward_ms,
            postprocess_ms: watch.lap(),
            tokens: windows.iter().map(Encoded::len).sum(),
        };
        Ok((results, timings))
    }

    /// Word-level tags for pre-split sentences (CoNLL-style evaluation): the words are joined
    /// with spaces and each word takes the label of its first token, the convention models
    /// are trained with (`aggregation_strategy = first`).
    pub fn tag_words(
        &self,
        sentences: &[Vec<String>],
        batch_size: usize,
    ) -> Result<Vec<Vec<String>>> {
        let texts: Vec<String> = sentences.iter().map(|w| w.join(" ")).collect();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let opts = TokenClassificationOptions {
            ignore_labels: vec![],
            batch_size,
            ..Default::default()
        };
        let tokens = self.classify_batch(&refs, &opts)?;
        let fallback = self.model.labels().first().cloned().unwrap_or_default();
        Ok(sentences
            .iter()
            .zip(tokens)
            .map(|(words, toks)| {
                let mut start = 0;
                words
                    .iter()
                    .map(|w| {
                        let end = start + w.len();
                        let label = toks
                            .iter()
                            .find(|t| t.start >= start && t.start < end)
                            .map_or(fallback.clone(), |t| t.label().to_string());
                        start = end + 1;
                        label
                    })
                    .collect()
            })
            .collect())
    }

    fn postprocess(
        &self,
        text: &str,
        windows: &[(&Encoded, &Vec<Vec<f32>>)],
        stride: usize,
        opts: &TokenClassificationOptions,
    ) -> Vec<Entity> {
        let ignored = |label: &str| opts.ignore_labels.iter().any(|l| l == label);
        if opts.aggregation_strategy == AggregationStrategy::None && windows.len() > 1 {
            // Each token once, from the window where it sits farthest from an edge.
            let pre = self.central_pre_entities(text, windows, stride);
            return self
                .aggregate(pre, AggregationStrategy::None)
                .into_iter()
                .filter(|e| !ignored(e.label()))
                .collect();
        }
        let step = self.model.tokenizer.window_len() - stride;
        let mut all = Vec::new();
        for (w, (enc, logits)) in windows.iter().enumerate() {
            let pre = self.pre_entities(text, enc, logits, w * step);
            all.extend(
                self.aggregate(pre, opts.aggregation_strategy)
                    .into_iter()
                    .filter(|e| !ignored(e.label())),
            );
        }
        if windows.len() > 1 {
            all = aggregate_overlapping(all);
        }
        all
    }

    /// Hugging Face's `gather_pre_entities` for one window. `first_content` is the position
    /// of this window's first content token in the whole text's content tokens.
    fn pre_entities(
        &self,
        text: &str,
        enc: &Encoded,
        logits: &[Vec<f32>],
        first_content: usize,
    ) -> Vec<PreEntity> {
        let tok = &self.model.tokenizer;
        let mut content = 0;
        let mut pre = Vec::new();
        for (i, row) in logits.iter().enumerate() {
            if enc.special_tokens_mask[i] == 1 {
                continue;
            }
            let (start, end) = enc.offsets[i];
            let word_ref = text.get(start..end).unwrap_or("");
            let mut word = enc.tokens[i].clone();
            let mut is_subword = if tok.is_word_aware() {
                word.chars().count() != word_ref.chars().count()
            } else {
                // HF's fallback: no space just before or at the token's start means it
                // continues a word.
                let before = text.get(..start).and_then(|s| s.chars().next_back());
                let at = text.get(start..).and_then(|s| s.chars().next());
                start > 0 && before != Some(' ') && at != Some(' ')
            };
            if Some(enc.ids[i]) == tok.unk_id() {
                word = word_ref.to_string();
                is_subword = false;
            }
            pre.push(PreEntity {
                word,
                scores: softmax(row),
                start,
                end,
                // +1 for the leading special token, as in a single-window encoding.
                index: first_content + content + 1,
                is_subword,
            });
            content += 1;
        }
        pre
    }

    /// Pre-entities over all windows, each token taken once from the window in which it is
    /// farthest from the window's edges (most context on both sides).
    fn central_pre_entities(
        &self,
        text: &str,
        windows: &[(&Encoded, &Vec<Vec<f32>>)],
        stride: usize,
    ) -> Vec<PreEntity> {
        let step = self.model.tokenizer.window_len() - stride;
        let mut best: std::collections::BTreeMap<usize, (usize, PreEntity)> = Default::default();
        for (w, (enc, logits)) in windows.iter().enumerate() {
            let pre = self.pre_entities(text, enc, logits, w * step);
            let n = pre.len();
            for (k, p) in pre.into_iter().enumerate() {
                let distance = k.min(n - 1 - k);
                match best.get(&p.index) {
                    Some((d, _)) if *d >= distance => {}
                    _ => {
                        best.insert(p.index, (distance, p));
                    }
                }
            }
        }
        best.into_values().map(|(_, p)| p).collect()
    }

    fn aggregate(&self, pre: Vec<PreEntity>, strategy: AggregationStrategy) -> Vec<Entity> {
        let labels = self.model.labels();
        let labelled: Vec<Labelled> = match strategy {
            AggregationStrategy::None | AggregationStrategy::Simple => pre
                .into_iter()
                .map(|p| {
                    let best = super::argmax(&p.scores);
                    Labelled {
                        label: labels[best].clone(),
                        score: p.scores[best],
                        index: p.index,
                        word: p.word,
                        start: p.start,
                        end: p.end,
                    }
                })
                .collect(),
            _ => self.aggregate_words(pre, strategy),
        };
        if strategy == AggregationStrategy::None {
            return labelled
                .into_iter()
                .map(|l| Entity {
                    entity: Some(l.label),
                    entity_group: None,
                    score: l.score,
                    index: Some(l.index),
                    word: l.word,
                    start: l.start,
                    end: l.end,
                })
                .collect();
        }
        self.group_entities(labelled)
    }

    /// Words are runs of tokens whose followers are subwords.
    fn aggregate_words(&self, pre: Vec<PreEntity>, strategy: AggregationStrategy) -> Vec<Labelled> {
        let mut words: Vec<Vec<PreEntity>> = Vec::new();
        for p in pre {
            match words.last_mut() {
                Some(group) if p.is_subword => group.push(p),
                _ => words.push(vec![p]),
            }
        }
        words
            .into_iter()
            .map(|group| self.aggregate_word(group, strategy))
            .collect()
    }

    fn aggregate_word(&self, group: Vec<PreEntity>, strategy: AggregationStrategy) -> Labelled {
        let labels = self.model.labels();
        let (label_id, score) = match strategy {
            AggregationStrategy::Max => {
                // The token whose best score is highest (the first such token on ties).
                let mut best = &group[0];
                let top =
                    |p: &PreEntity| p.scores.iter().copied().fold(f32::NEG_INFINITY, f32::max);
                for p in &group[1..] {
                    if top(p) > top(best) {
                        best = p;
                    }
                }
                let i = super::argmax(&best.scores);
                (i, best.scores[i])
            }
            AggregationStrategy::Average => {
                let n = group.len() as f32;
                let mean: Vec<f32> = (0..labels.len())
                    .map(|l| group.iter().map(|p| p.scores[l]).sum::<f32>() / n)
                    .collect();
                let i = super::argmax(&mean);
                (i, mean[i])
            }
            // First (None/Simple never reach word aggregation).
            _ => {
                let i = super::argmax(&group[0].scores);
                (i, group[0].scores[i])
            }
        };
        let first = &group[0];
        let last = &group[group.len() - 1];
        Labelled {
            label: labels[label_id].clone(),
            score,
            index: first.index,
            word: self
                .model
                .tokenizer
                .tokens_to_string(group.iter().map(|p| p.word.clone()).collect()),
            start: first.start,
            end: last.end,
        }
    }

    /// Hugging Face's `group_entities`: adjacent rows with the same tag merge unless the
    /// newcomer is a `B-`; a label without a prefix counts as `I-`.
    fn group_entities(&self, rows: Vec<Labelled>) -> Vec<Entity> {
        let mut groups: Vec<Vec<Labelled>> = Vec::new();
        for row in rows {
            let (bi, tag) = split_tag(&row.label);
            match groups.last_mut() {
                Some(g) if split_tag(&g[g.len() - 1].label).1 == tag && bi != "B" => g.push(row),
                _ => groups.push(vec![row]),
            }
        }
        groups
            .into_iter()
            .map(|g| {
                // HF: `entity.split("-")[-1]` of the first member.
                let group = g[0].label.rsplit('-').next().unwrap_or("").to_string();
                let score = g.iter().map(|r| r.score).sum::<f32>() / g.len() as f32;
                let word = self
                    .model
                    .tokenizer
                    .tokens_to_string(g.iter().map(|r| r.word.clone()).collect());
                Entity {
                    entity: None,
                    entity_group: Some(group),
                    score,
                    index: None,
                    word,
                    start: g[0].start,
                    end: g[g.len() - 1].end,
                }
            })
            .collect()
    }
}

fn split_tag(label: &str) -> (&str, &str) {
    if let Some(tag) = label.strip_prefix("B-") {
        ("B", tag)
    } else if let Some(tag) = label.strip_prefix("I-") {
        ("I", tag)
    } else {
        ("I", label)
    }
}

/// Hugging Face's `aggregate_overlapping_entities`: sorted by start (stably), an entity that
/// starts inside the previous one replaces it if it is longer, or as long and more confident.
fn aggregate_overlapping(mut entities: Vec<Entity>) -> Vec<Entity> {
    if entities.is_empty() {
        return entities;
    }
    entities.sort_by_key(|e| e.start);
    let mut out = Vec::new();
    let mut iter = entities.into_iter();
    let Some(mut previous) = iter.next() else {
        return out;
    };
    for e in iter {
        if previous.start <= e.start && e.start < previous.end {
            let (cur, prev) = (e.end - e.start, previous.end - previous.start);
            if cur > prev || (cur == prev && e.score > previous.score) {
                previous = e;
            }
        } else {
            out.push(std::mem::replace(&mut previous, e));
        }
    }
    out.push(previous);
    out
}
