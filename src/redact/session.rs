//! A redaction session: one conversation's messages redacted with one numbering, so the same
//! value gets the same placeholder in every message, and a reply restored with everything the
//! conversation has mapped.

use super::config::{ModelTypes, RedactorConfig};
use super::operators::{self, Placeholders};
use super::{redact_with, Redaction, Span};
use crate::error::{Error, Result};

/// Redacts the messages of one conversation.
///
/// ```
/// use tokenveil::redact::{Operator, RedactionSession, RedactorConfig, Span};
/// let mut config = RedactorConfig::default();
/// config.operators.insert("PHONE".into(), Operator::Hash); // keyed: the session makes a key
/// let mut session = RedactionSession::new(config)?;
/// let first = session.redact("Call Ada on 415-555-0132", &[Span::model(5, 8, "PER", 0.9)])?;
/// let second = session.redact("Ada again: 415-555-0132", &[Span::model(0, 3, "PER", 0.9)])?;
/// assert!(first.text.starts_with("Call <PERSON_1> on "));
/// assert!(second.text.starts_with("<PERSON_1> again: "));
/// assert_eq!(session.restore("Hello <PERSON_1>"), "Hello Ada");
/// # Ok::<(), tokenveil::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct RedactionSession {
    config: RedactorConfig,
    model: ModelTypes,
    placeholders: Placeholders,
    /// Every reversible `(replacement, original)` of the session, once each.
    mapping: Vec<(String, String)>,
}

impl RedactionSession {
    /// A session whose spans may come from any model (see [`ModelTypes::any`]). When `hash`
    /// is used without a `hash_key`, the session makes a random one (natively; in WebAssembly
    /// the JS package passes one), so its hashes cannot be recomputed by anyone else.
    pub fn new(config: RedactorConfig) -> Result<Self> {
        Self::for_models(config, ModelTypes::any())
    }

    /// A session whose options are checked against the types `model` can produce.
    pub fn for_models(mut config: RedactorConfig, model: ModelTypes) -> Result<Self> {
        if config.hash_key.is_none() && config.uses_hash() {
            config.hash_key = Some(random_key()?);
        }
        config.validate(&model)?;
        Ok(RedactionSession {
            config,
            model,
            placeholders: Placeholders::default(),
            mapping: Vec::new(),
        })
    }

    /// Redacts one message (see [`redact`](super::redact)); placeholders go on from the
    /// earlier messages. The result's `mapping` is this message's; [`Self::mapping`] is the
    /// session's.
    pub fn redact(&mut self, text: &str, spans: &[Span]) -> Result<Redaction> {
        let r = redact_with(
            text,
            spans,
            &self.config,
            &self.model,
            &mut self.placeholders,
        )?;
        for pair in &r.mapping {
            if !self.mapping.contains(pair) {
                self.mapping.push(pair.clone());
            }
        }
        Ok(r)
    }

    /// Puts back every original the session has replaced reversibly (see
    /// [`restore`](super::restore)).
    pub fn restore(&self, reply: &str) -> String {
        operators::restore(reply, &self.mapping)
    }

    /// `(replacement, original)` for every reversible replacement so far, in order.
    pub fn mapping(&self) -> &[(String, String)] {
        &self.mapping
    }

    pub fn config(&self) -> &RedactorConfig {
        &self.config
    }
}

/// 32 random bytes as hex, from the operating system.
#[cfg(not(target_arch = "wasm32"))]
fn random_key() -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| Error::InvalidOption(format!("no random hash key could be made: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// In WebAssembly the crate has no entropy source of its own: the JS package passes
/// `crypto.getRandomValues` bytes as the key.
#[cfg(target_arch = "wasm32")]
fn random_key() -> Result<String> {
    Err(Error::InvalidOption(
        "a redaction session in WebAssembly needs hash_key from the caller".into(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::redact::Operator;

    #[test]
    fn numbering_and_restore_span_the_conversation() {
        let mut s = RedactionSession::new(RedactorConfig::default()).unwrap();
        let a = s.redact("mail ada@example.com", &[]).unwrap();
        let b = s
            .redact("bob@example.com and ada@example.com", &[])
            .unwrap();
        assert_eq!(a.text, "mail <EMAIL_1>");
        assert_eq!(b.text, "<EMAIL_2> and <EMAIL_1>");
        assert_eq!(b.mapping.len(), 2);
        assert_eq!(s.mapping().len(), 2);
        assert_eq!(
            s.restore("<EMAIL_1> wrote to <EMAIL_2>"),
            "ada@example.com wrote to bob@example.com"
        );
        // A placeholder typed by the user in an earlier message is never handed out.
        let c = s.redact("I wrote <EMAIL_3> myself", &[]).unwrap();
        assert_eq!(c.text, "I wrote <EMAIL_3> myself");
        let d = s.redact("new: eve@example.com", &[]).unwrap();
        assert_eq!(d.text, "new: <EMAIL_4>");
    }

    #[test]
    fn sessions_hash_with_a_random_key_unless_given_one() {
        let mut config = RedactorConfig {
            default_operator: Operator::Hash,
            ..RedactorConfig::default()
        };
        let mut one = RedactionSession::new(config.clone()).unwrap();
        let mut two = RedactionSession::new(config.clone()).unwrap();
        let text = "SSN 123-45-6789";
        assert_ne!(
            one.redact(text, &[]).unwrap().text,
            two.redact(text, &[]).unwrap().text
        );
        config.hash_key = Some("shared".into());
        let mut three = RedactionSession::new(config.clone()).unwrap();
        let mut four = RedactionSession::new(config).unwrap();
        let h = three.redact(text, &[]).unwrap().text;
        assert_eq!(h, four.redact(text, &[]).unwrap().text);
        assert_eq!(
            h,
            format!("SSN {}", crate::redact::hash_value("shared", "123-45-6789"))
        );
        assert_eq!(three.restore(&h), text);
    }
}
