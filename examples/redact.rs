//! Redact personal data before text leaves the device, then put the values back into a reply
//! written against the redacted text: the shipped PII model plus the validated pattern
//! detectors, placeholders by default.
//!
//! ```sh
//! cargo run --example redact -- [MODEL] [TEXT]   # default: the shipped PII model
//! ```

use tokenveil::pipelines::redaction::PiiRedactor;
use tokenveil::pipelines::token_classification::TokenClassifier;
use tokenveil::redact::{restore, Redaction, RedactorConfig};
use tokenveil::ModelBundle;

const MODEL: &str = "models/pii/pii-q8_0.gguf";
const TEXT: &str = "Hi, I'm Maria Garcia. Email maria.garcia@example.com or call (415) 555-0132.";

fn redact(model: &str, text: &str) -> tokenveil::Result<Redaction> {
    let pii = TokenClassifier::new(ModelBundle::from_path(model, None)?)?;
    let redactor = PiiRedactor::new(vec![pii], RedactorConfig::default())?;
    redactor.redact(text)
}

fn main() -> tokenveil::Result<()> {
    let mut args = std::env::args().skip(1);
    let model = args.next().unwrap_or_else(|| MODEL.to_string());
    let text = args.next().unwrap_or_else(|| TEXT.to_string());
    let redaction = redact(&model, &text)?;
    println!("{}", redaction.text);
    for span in &redaction.spans {
        println!(
            "  {:<18} {:?} -> {}",
            span.entity_type, span.original, span.replacement
        );
    }
    // What a server would answer, written against the placeholders, with the values put back.
    let reply = format!("Thanks, we have noted: {}", redaction.text);
    println!("{}", restore(&reply, &redaction));
    Ok(())
}

#[test]
fn the_name_address_and_phone_leave_as_placeholders_and_come_back() {
    let r = redact(MODEL, TEXT).unwrap();
    assert_eq!(
        r.text,
        "Hi, I'm <PERSON_1>. Email <EMAIL_1> or call <PHONE_1>."
    );
    assert_eq!(restore("Dear <PERSON_1>", &r), "Dear Maria Garcia");
}
