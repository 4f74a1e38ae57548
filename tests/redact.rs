//! PII redaction end to end: model spans + pattern detectors, overlap rules, every operator,
//! restore, config errors, and properties over generated text with embedded PII and over
//! arbitrary Unicode.

use proptest::prelude::*;
use std::collections::HashMap;
use tokenveil::redact::{
    detect_patterns, hash_value, redact, restore, CustomPattern, DenyTerm, DetectorSet, Operator,
    PatternKind, Redaction, RedactionSession, RedactorConfig, Span,
};

fn config_with(default_operator: Operator) -> RedactorConfig {
    RedactorConfig {
        default_operator,
        ..RedactorConfig::default()
    }
}

/// (type, original, replacement) of each span.
fn summary(r: &Redaction) -> Vec<(&str, &str, &str)> {
    r.spans
        .iter()
        .map(|s| {
            (
                s.entity_type.as_str(),
                s.original.as_str(),
                s.replacement.as_str(),
            )
        })
        .collect()
}

/// Every offset invariant of a redaction of `input`.
fn check_offsets(input: &str, r: &Redaction) -> Result<(), TestCaseError> {
    let mut previous_end = 0;
    let mut previous_new_end = 0;
    for s in &r.spans {
        prop_assert!(
            s.start < s.end && s.start >= previous_end,
            "sorted, non-empty, non-overlapping: {s:?}"
        );
        prop_assert!(s.new_start >= previous_new_end && s.new_start <= s.new_end);
        prop_assert!(input.is_char_boundary(s.start) && input.is_char_boundary(s.end));
        prop_assert!(r.text.is_char_boundary(s.new_start) && r.text.is_char_boundary(s.new_end));
        prop_assert_eq!(&input[s.start..s.end], s.original.as_str());
        prop_assert_eq!(&r.text[s.new_start..s.new_end], s.replacement.as_str());
        previous_end = s.end;
        previous_new_end = s.new_end;
    }
    Ok(())
}

#[test]
fn model_and_patterns_together() {
    let text = "Hi, I'm Ada Lovelace. Write to ada@example.com or call +44 20 7946 0958; I live at 12 Baker Street, London NW1 6XE.";
    let find = |s: &str| text.find(s).unwrap();
    let at =
        |s: &str, label: &str, score: f32| Span::model(find(s), find(s) + s.len(), label, score);
    let model = [
        at("Ada", "B-GIVEN_NAME", 0.99),
        at("Lovelace", "B-SURNAME", 0.97),
        at("ada@example", "B-EMAIL", 0.6), // a partial model span inside the pattern's email
        at("12", "B-BUILDING_NUMBER", 0.9),
        at("Baker Street", "B-STREET_NAME", 0.9),
        at("London", "B-CITY", 0.9),
        at("NW1 6XE", "B-ZIP_CODE", 0.8),
        at("Hi", "B-MISC", 0.9), // not personal data
    ];
    let r = redact(text, &model, &RedactorConfig::default()).unwrap();
    assert_eq!(
        r.text,
        "Hi, I'm <PERSON_1>. Write to <EMAIL_1> or call <PHONE_1>; I live at <ADDRESS_1>."
    );
    assert_eq!(
        summary(&r),
        [
            ("PERSON", "Ada Lovelace", "<PERSON_1>"),
            ("EMAIL", "ada@example.com", "<EMAIL_1>"),
            ("PHONE", "+44 20 7946 0958", "<PHONE_1>"),
            ("ADDRESS", "12 Baker Street, London NW1 6XE", "<ADDRESS_1>"),
        ]
    );
    assert_eq!(r.spans[0].score, 0.99);
    assert_eq!(r.spans[1].detector, "pattern:EMAIL");
    assert_eq!(
        restore("Dear <PERSON_1>, we will call <PHONE_1>.", &r),
        "Dear Ada Lovelace, we will call +44 20 7946 0958."
    );
    assert_eq!(restore(&r.text, &r), text);
}

#[test]
fn a_higher_scoring_model_span_beats_a_partially_overlapping_pattern() {
    // The model claims "0132 desk" as an ID with more confidence than the phone detector has.
    let text = "call 415-555-0132 desk 7";
    let start = text.find("0132").unwrap();
    let model = [Span::model(start, start + 9, "ACCOUNT", 0.9)];
    let r = redact(text, &model, &RedactorConfig::default()).unwrap();
    assert_eq!(summary(&r), [("ACCOUNT", "0132 desk", "<ACCOUNT_1>")]);
    let model = [Span::model(start, start + 9, "ACCOUNT", 0.5)];
    let r = redact(text, &model, &RedactorConfig::default()).unwrap();
    assert_eq!(summary(&r), [("PHONE", "415-555-0132", "<PHONE_1>")]);
}

#[test]
fn a_pattern_span_containing_a_model_span_wins() {
    let text = "IBAN DE89 3704 0044 0532 0130 00.";
    let start = text.find("3704").unwrap();
    let model = [Span::model(start, start + 9, "BANK_ACCOUNT", 0.999)];
    let r = redact(text, &model, &RedactorConfig::default()).unwrap();
    assert_eq!(
        summary(&r),
        [("IBAN", "DE89 3704 0044 0532 0130 00", "<IBAN_1>")]
    );
}

#[test]
fn placeholders_number_values_per_type() {
    let text = "Ada met Bob; Ada paid bob@x.io and ada@x.io, then Bob again.";
    let spans: Vec<Span> = ["Ada", "Bob"]
        .iter()
        .flat_map(|name| {
            text.match_indices(name)
                .map(|(i, m)| Span::model(i, i + m.len(), "PER", 0.9))
        })
        .collect();
    let r = redact(text, &spans, &RedactorConfig::default()).unwrap();
    assert_eq!(
        r.text,
        "<PERSON_1> met <PERSON_2>; <PERSON_1> paid <EMAIL_1> and <EMAIL_2>, then <PERSON_2> again."
    );
    assert_eq!(
        r.mapping,
        [
            ("<PERSON_1>".to_string(), "Ada".to_string()),
            ("<PERSON_2>".to_string(), "Bob".to_string()),
            ("<EMAIL_1>".to_string(), "bob@x.io".to_string()),
            ("<EMAIL_2>".to_string(), "ada@x.io".to_string()),
        ]
    );
}

#[test]
fn placeholders_avoid_tokens_already_in_the_text() {
    let text = "Literal <EMAIL_1> and real ada@example.com";
    let r = redact(text, &[], &RedactorConfig::default()).unwrap();
    assert_eq!(r.text, "Literal <EMAIL_1> and real <EMAIL_2>");
    assert_eq!(restore(&r.text, &r), text);
}

#[test]
fn every_operator() {
    let text = "Card 4111 1111 1111 1111 for Zoë Ångström.";
    let name = text.find("Zoë").unwrap();
    let model = [Span::model(name, text.len() - 1, "PERSON", 0.9)];
    let run = |card: Operator, person: Operator| {
        let mut config = RedactorConfig::default();
        config.operators.insert("CREDIT_CARD".into(), card);
        config.operators.insert("PERSON".into(), person);
        config.hash_key = Some("s".into());
        redact(text, &model, &config).unwrap()
    };

    let r = run(
        Operator::Replace {
            template: Operator::DEFAULT_TEMPLATE.into(),
        },
        Operator::Replace {
            template: "<{type} removed>".into(),
        },
    );
    assert_eq!(r.text, "Card [CREDIT_CARD] for <PERSON removed>.");
    assert!(r.mapping.is_empty());

    let r = run(
        Operator::Mask {
            ch: '*',
            keep: 4,
            from_end: true,
        },
        Operator::Mask {
            ch: '#',
            keep: 2,
            from_end: false,
        },
    );
    assert_eq!(r.text, "Card ***************1111 for Zo##########.");

    let r = run(Operator::Hash, Operator::Keep);
    let card_hash = hash_value("s", "4111 1111 1111 1111");
    assert_eq!(r.text, format!("Card {card_hash} for Zoë Ångström."));
    assert_eq!(
        r.mapping,
        [(card_hash.clone(), "4111 1111 1111 1111".to_string())]
    );
    assert_eq!(r.spans[1].replacement, "Zoë Ångström"); // Keep still reports the span
    assert_eq!(
        restore(&format!("hash {card_hash}"), &r),
        "hash 4111 1111 1111 1111"
    );

    let r = run(Operator::Remove, Operator::Remove);
    assert_eq!(r.text, "Card  for .");
    assert_eq!((r.spans[0].new_start, r.spans[0].new_end), (5, 5));
}

#[test]
fn restore_leaves_irreversible_replacements() {
    let text = "Ada and Bob";
    let model = [
        Span::model(0, 3, "PER", 0.9),
        Span::model(8, 11, "PER", 0.9),
    ];
    let r = redact(
        text,
        &model,
        &config_with(Operator::Replace {
            template: Operator::DEFAULT_TEMPLATE.into(),
        }),
    )
    .unwrap();
    assert_eq!(r.text, "[PERSON] and [PERSON]");
    assert_eq!(restore("Hello [PERSON]", &r), "Hello [PERSON]");
}

#[test]
fn custom_patterns_deny_list_and_errors() {
    let config = RedactorConfig {
        custom_patterns: vec![CustomPattern {
            name: "employee".into(),
            entity_type: "EMPLOYEE_ID".into(),
            regex: r"\bEMP-\d{5}\b".into(),
            score: 0.9,
        }],
        deny_list: vec![DenyTerm {
            entity_type: "PROJECT".into(),
            term: "blue falcon".into(),
            case_insensitive: true,
        }],
        ..RedactorConfig::default()
    };
    let r = redact(
        "EMP-00042 leads Blue Falcon (not Blue Falconry).",
        &[],
        &config,
    )
    .unwrap();
    assert_eq!(
        r.text,
        "<EMPLOYEE_ID_1> leads <PROJECT_1> (not Blue Falconry)."
    );
    assert_eq!(r.spans[0].detector, "custom:employee");
    assert_eq!(r.spans[1].detector, "deny_list");

    let bad = RedactorConfig {
        custom_patterns: vec![CustomPattern {
            name: "broken".into(),
            entity_type: "X".into(),
            regex: "(unclosed".into(),
            score: 0.5,
        }],
        ..RedactorConfig::default()
    };
    let err = redact("text", &[], &bad).unwrap_err();
    assert_eq!(err.code(), "invalid_option");
    assert!(err.to_string().contains("broken"), "{err}");

    let bad = RedactorConfig {
        deny_list: vec![DenyTerm {
            entity_type: "X".into(),
            term: "  ".into(),
            case_insensitive: false,
        }],
        ..RedactorConfig::default()
    };
    assert_eq!(
        detect_patterns("text", &bad).unwrap_err().code(),
        "invalid_option"
    );
}

#[test]
fn only_enabled_detectors_run() {
    let text = "ada@example.com 4111111111111111";
    let config = RedactorConfig {
        detectors: DetectorSet::none().with(PatternKind::CreditCard),
        ..RedactorConfig::default()
    };
    let r = redact(text, &[], &config).unwrap();
    assert_eq!(r.text, "ada@example.com <CREDIT_CARD_1>");
}

#[test]
fn spans_from_token_classification_entities() {
    let entity = tokenveil::pipelines::token_classification::Entity {
        entity: None,
        entity_group: Some("GIVEN_NAME".into()),
        score: 0.9,
        index: None,
        word: "Ada".into(),
        start: 0,
        end: 3,
    };
    let span = tokenveil::pipelines::redaction::entity_span(&entity);
    assert_eq!(
        (
            span.start,
            span.end,
            span.entity_type.as_str(),
            span.detector.to_string().as_str()
        ),
        (0, 3, "GIVEN_NAME", "model")
    );
    let r = redact("Ada", &[span], &RedactorConfig::default()).unwrap();
    assert_eq!(r.text, "<PERSON_1>");
}

// ---- values written to slip past a detector ---------------------------------------------------

/// The one span of `r` whose original is `value` (the whole value, nothing more).
fn covers_exactly(r: &Redaction, value: &str) -> bool {
    r.spans.iter().any(|s| s.original == value)
}

#[test]
fn full_width_and_spaced_out_card_numbers() {
    let config = RedactorConfig::default();
    for (text, value) in [
        (
            "pay with ５５５５ ５５５５ ５５５５ ４４４４ please",
            "５５５５ ５５５５ ５５５５ ４４４４",
        ),
        (
            "Kartennr.: ３７８２８２２４６３１０００５",
            "３７８２８２２４６３１０００５",
        ),
        (
            "it's 4 0 1 2 8 8 8 8 8 8 8 8 1 8 8 1 ok?",
            "4 0 1 2 8 8 8 8 8 8 8 8 1 8 8 1",
        ),
    ] {
        let r = redact(text, &[], &config).unwrap();
        assert!(covers_exactly(&r, value), "{text} -> {}", r.text);
        assert!(
            r.spans.iter().all(|s| s.entity_type == "CREDIT_CARD"),
            "{:?}",
            r.spans
        );
    }
}

#[test]
fn lower_case_and_no_break_ibans() {
    let config = RedactorConfig::default();
    for (text, value) in [
        (
            "my iban: nl91 abna 0417 1643 00 (joint)",
            "nl91 abna 0417 1643 00",
        ),
        (
            "IBAN\u{a0}FR14\u{a0}2004\u{a0}1010\u{a0}0505\u{a0}0001\u{a0}3M02\u{a0}606.",
            "FR14\u{a0}2004\u{a0}1010\u{a0}0505\u{a0}0001\u{a0}3M02\u{a0}606",
        ),
    ] {
        let r = redact(text, &[], &config).unwrap();
        assert!(covers_exactly(&r, value), "{text} -> {}", r.text);
    }
}

#[test]
fn spelled_out_email_addresses_are_one_span() {
    let config = RedactorConfig::default();
    for (text, value) in [
        (
            "REPLY TO MARIA.SILVA(AT)EXAMPLE(DOT)COM.BR",
            "MARIA.SILVA(AT)EXAMPLE(DOT)COM.BR",
        ),
        (
            "contact: t.nguyen [at] uni-hamburg [dot] de",
            "t.nguyen [at] uni-hamburg [dot] de",
        ),
        (
            "write to omar at example dot org tomorrow",
            "omar at example dot org",
        ),
    ] {
        let r = redact(text, &[], &config).unwrap();
        assert!(covers_exactly(&r, value), "{text} -> {}", r.text);
        assert!(
            !r.text.to_lowercase().contains("(at)") && !r.text.contains("[at]"),
            "{}",
            r.text
        );
    }
    // Prose with "at" and "dot" is left alone.
    let r = redact("Meet me at the station, dot on time.", &[], &config).unwrap();
    assert!(r.spans.is_empty(), "{:?}", r.spans);
}

#[test]
fn a_checksummed_pattern_beats_the_models_pieces() {
    // A model that reads a card with no-break spaces as a phone and an address.
    let text = "card 5555\u{a0}5555\u{a0}5555\u{a0}4444 thanks";
    let at = |s: &str| text.find(s).unwrap();
    let model = [
        Span::model(at("5555"), at("5555") + 14, "B-PHONE", 0.9),
        Span::model(at("4444") - 2, at("4444") + 4, "B-ZIP_CODE", 0.8),
    ];
    let r = redact(text, &model, &RedactorConfig::default()).unwrap();
    assert_eq!(
        summary(&r),
        [(
            "CREDIT_CARD",
            "5555\u{a0}5555\u{a0}5555\u{a0}4444",
            "<CREDIT_CARD_1>"
        )]
    );
}

#[test]
fn model_spans_without_their_types_shape_are_dropped() {
    // The word after an address tagged EMAIL, and a short number tagged CREDIT_CARD.
    let text = "Email priya@example.in tomorrow, ref 4242 then.";
    let at = |s: &str| text.find(s).unwrap();
    let model = [
        Span::model(at("priya"), at("priya") + 16, "B-EMAIL", 0.99),
        Span::model(at("tomorrow"), at("tomorrow") + 8, "B-EMAIL", 0.7),
        Span::model(at("4242"), at("4242") + 4, "B-CREDIT_CARD", 0.6),
    ];
    let r = redact(text, &model, &RedactorConfig::default()).unwrap();
    assert_eq!(r.text, "Email <EMAIL_1> tomorrow, ref 4242 then.");
}

#[test]
fn tab_separated_form_values() {
    let text = "Name:\tAnke Vogt\nPhone:\t+49 30 9012 3456\nEmail:\tanke.vogt@example.de\nDOB:\t1979-11-02\nIBAN:\tDE89 3704 0044 0532 0130 00\n";
    let at = |s: &str| text.find(s).unwrap();
    let model = [Span::model(at("Anke"), at("Anke") + 9, "B-PER", 0.9)];
    let r = redact(text, &model, &RedactorConfig::default()).unwrap();
    assert_eq!(
        r.text,
        "Name:\t<PERSON_1>\nPhone:\t<PHONE_1>\nEmail:\t<EMAIL_1>\nDOB:\t<DATE_OF_BIRTH_1>\nIBAN:\t<IBAN_1>\n"
    );
}

#[test]
fn dates_ages_handles_and_keyword_numbers() {
    let text = "Pt. aged 58, seen 03/14/2025; DOB 2 Feb 1967. Ping @m_okafor. \
                Passport no. K48213977, routing 021000021, acct 0012345678, EIN 12-3456789, ZIP 30301.";
    let r = redact(text, &[], &RedactorConfig::default()).unwrap();
    let types: Vec<(&str, &str)> = r
        .spans
        .iter()
        .map(|s| (s.entity_type.as_str(), s.original.as_str()))
        .collect();
    assert_eq!(
        types,
        [
            ("AGE", "58"),
            ("DATE", "03/14/2025"),
            ("DATE_OF_BIRTH", "2 Feb 1967"),
            ("USERNAME", "@m_okafor"),
            ("PASSPORT", "K48213977"),
            ("ROUTING_NUMBER", "021000021"),
            ("BANK_ACCOUNT", "0012345678"),
            ("TAX_ID", "12-3456789"),
            ("ADDRESS", "30301"),
        ]
    );
}

// ---- options --------------------------------------------------------------------------------

#[test]
fn allow_list_disabled_types_thresholds_and_caller_spans() {
    let text =
        "Write to support@acme.example or jo@example.com, call 415-555-0132; ticket T-99812 by Jo.";
    let base = redact(text, &[], &RedactorConfig::default()).unwrap();
    assert!(covers_exactly(&base, "support@acme.example"));

    let config = RedactorConfig {
        allow_list: vec![" SUPPORT@acme.example ".into()],
        disabled_types: ["PHONE".to_string()].into(),
        ..RedactorConfig::default()
    };
    let r = redact(text, &[], &config).unwrap();
    assert_eq!(
        r.text,
        "Write to support@acme.example or <EMAIL_1>, call 415-555-0132; ticket T-99812 by Jo."
    );
    // A span inside an allowed term (a model that found only the domain) is allowed too; one
    // that reaches past it is not.
    let at = |s: &str| text.find(s).unwrap();
    let domain = at("acme.example");
    let partial = [Span::model(domain, domain + 12, "ORGANIZATION", 0.9)];
    let r = redact(text, &partial, &config).unwrap();
    assert!(
        r.text
            .starts_with("Write to support@acme.example or <EMAIL_1>"),
        "{}",
        r.text
    );
    let wider = [Span::model(
        at("to support"),
        domain + 12,
        "ORGANIZATION",
        0.9,
    )];
    let r = redact(text, &wider, &config).unwrap();
    assert!(
        r.text.starts_with("Write <ORGANIZATION_1> or"),
        "{}",
        r.text
    );
    // PHONE matches score 0.75: a threshold of 0.8 drops them too.
    let config = RedactorConfig {
        thresholds: [("PHONE".to_string(), 0.8)].into(),
        ..RedactorConfig::default()
    };
    assert!(!redact(text, &[], &config)
        .unwrap()
        .text
        .contains("<PHONE_1>"));
    // Spans the caller knows: a ticket id of its own type, and a name.
    let at = |s: &str| text.find(s).unwrap();
    let caller = [
        Span::caller(at("T-99812"), at("T-99812") + 7, "TICKET", 1.0),
        Span::caller(at("Jo."), at("Jo.") + 2, "PERSON", 1.0),
    ];
    let mut config = RedactorConfig::default();
    config.operators.insert(
        "TICKET".into(),
        Operator::Replace {
            template: "[ticket]".into(),
        },
    );
    let r = redact(text, &caller, &config).unwrap();
    assert!(
        r.text.ends_with("ticket [ticket] by <PERSON_1>."),
        "{}",
        r.text
    );
    assert_eq!(r.spans.last().unwrap().detector, "caller");
}

#[test]
fn sessions_number_values_across_messages() {
    let mut session = RedactionSession::new(RedactorConfig::default()).unwrap();
    let one = session
        .redact("From lin.wei@example.cn: call +86 10 6552 9988", &[])
        .unwrap();
    let two = session
        .redact("Again +86 10 6552 9988, and cc lin.wei@example.cn", &[])
        .unwrap();
    assert_eq!(one.text, "From <EMAIL_1>: call <PHONE_1>");
    assert_eq!(two.text, "Again <PHONE_1>, and cc <EMAIL_1>");
    assert_eq!(
        session.restore("I emailed <EMAIL_1> and called <PHONE_1>."),
        "I emailed lin.wei@example.cn and called +86 10 6552 9988."
    );
    // One-shot calls start over.
    let three = redact("cc lin.wei@example.cn", &[], &RedactorConfig::default()).unwrap();
    assert_eq!(three.text, "cc <EMAIL_1>");
}

// ---- properties ------------------------------------------------------------------------------

/// Appends the Luhn check digit to `body`.
fn with_luhn(body: &str) -> String {
    let sum: u32 = body
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 0 {
                let x = d * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                d
            }
        })
        .sum();
    format!("{body}{}", (10 - sum % 10) % 10)
}

fn card() -> impl Strategy<Value = String> {
    ("[0-9]{14}", 0..3usize).prop_map(|(digits, style)| {
        let number = with_luhn(&format!("4{digits}"));
        let groups: Vec<&str> = (0..4).map(|i| &number[i * 4..i * 4 + 4]).collect();
        match style {
            0 => number.clone(),
            1 => groups.join(" "),
            _ => groups.join("-"),
        }
    })
}

fn iban() -> impl Strategy<Value = String> {
    let bban = prop_oneof![
        "[0-9]{18}".prop_map(|b| ("DE", b)),
        "[A-Z]{4}[0-9]{10}".prop_map(|b| ("NL", b)),
        "[A-Z]{4}[0-9]{14}".prop_map(|b| ("GB", b)),
        "[0-9]{12}".prop_map(|b| ("BE", b)),
    ];
    (bban, any::<bool>()).prop_map(|((country, bban), spaced)| {
        let numeric: String = format!("{bban}{country}00")
            .chars()
            .map(|c| c.to_digit(36).map(|v| v.to_string()).unwrap_or_default())
            .collect();
        let remainder = numeric
            .bytes()
            .fold(0u32, |acc, b| (acc * 10 + u32::from(b - b'0')) % 97);
        let compact = format!("{country}{:02}{bban}", 98 - remainder);
        if spaced {
            compact
                .as_bytes()
                .chunks(4)
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect::<Vec<_>>()
                .join(" ")
        } else {
            compact
        }
    })
}

fn ssn() -> impl Strategy<Value = String> {
    (
        prop_oneof![1..666u32, 667..900u32],
        1..100u32,
        1..10000u32,
        prop_oneof![Just('-'), Just(' ')],
    )
        .prop_map(|(a, g, s, sep)| format!("{a:03}{sep}{g:02}{sep}{s:04}"))
}

fn phone() -> impl Strategy<Value = String> {
    prop_oneof![
        "[2-9][0-9]{2}".prop_map(|x| format!("+1 (415) {x}-0132")),
        "[0-9]{4}".prop_map(|x| format!("415-555-{x}")),
        "[0-9]{4} [0-9]{4}".prop_map(|x| format!("+44 20 {x}")),
        "[0-9]{8}".prop_map(|x| format!("+49 30 {x}")),
        "[0-9]{2} [0-9]{2} [0-9]{2} [0-9]{2}".prop_map(|x| format!("01 {x}")),
    ]
}

fn email() -> impl Strategy<Value = String> {
    (
        "[a-z][a-z0-9]{0,8}(\\.[a-z0-9]{1,5})?",
        "[a-z]{2,8}",
        prop_oneof![Just("com"), Just("org"), Just("co.uk")],
    )
        .prop_map(|(local, domain, tld)| format!("{local}@{domain}.{tld}"))
}

fn pii() -> impl Strategy<Value = String> {
    prop_oneof![email(), card(), iban(), ssn(), phone()]
}

/// Filler without digits or `@`, so every value's text can only come from the value itself.
fn filler() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            "[a-z]{1,8}",
            Just("Zoë".to_string()),
            Just("日本語".to_string()),
            Just("مرحبا".to_string()),
            Just("🙂👍🏽".to_string()),
            Just("e\u{301}".to_string()),
        ],
        0..4,
    )
    .prop_map(|words| words.join(" "))
}

/// Text with PII values embedded among filler, and the values.
fn document() -> impl Strategy<Value = (String, Vec<String>)> {
    prop::collection::vec(
        (
            filler(),
            pii(),
            prop_oneof![Just(" "), Just(", "), Just(". "), Just("; ")],
        ),
        1..5,
    )
    .prop_map(|parts| {
        let mut text = String::new();
        let mut values = Vec::new();
        for (words, value, separator) in parts {
            text.push_str(&words);
            text.push(' ');
            text.push_str(&value);
            text.push_str(separator);
            values.push(value);
        }
        (text, values)
    })
}

/// Text from the troublesome corners of Unicode, mixed with PII-ish punctuation and digits.
fn unicode_text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            any::<char>().prop_map(String::from),
            Just("🙂".to_string()),
            Just("👨‍👩‍👧".to_string()),
            Just("\u{301}".to_string()),
            Just("漢字".to_string()),
            Just("שלום".to_string()),
            Just("\u{200f}".to_string()),
            "[0-9@.+()\\- :]{1,6}",
            "[A-Z]{2}[0-9]{2}",
            Just(" ".to_string()),
        ],
        0..40,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn embedded_values_never_survive((text, values) in document(), which in 0..4usize) {
        let operator = match which {
            0 => Operator::Placeholder,
            1 => Operator::Replace { template: Operator::DEFAULT_TEMPLATE.into() },
            2 => Operator::Mask { ch: '*', keep: 0, from_end: false },
            _ => Operator::Remove,
        };
        let r = redact(&text, &[], &config_with(operator)).unwrap();
        for value in &values {
            prop_assert!(!r.text.contains(value.as_str()), "{value:?} survived in {:?}", r.text);
        }
        check_offsets(&text, &r)?;
    }

    #[test]
    fn invisible_and_no_break_characters_never_turn_a_value_into_a_leak(
        (text, values) in document(),
        inserts in prop::collection::vec((any::<prop::sample::Index>(), prop_oneof![Just('\u{200b}'), Just('\u{a0}'), Just('\u{feff}'), Just('\u{2060}'), Just('\u{200d}')]), 1..4),
    ) {
        // Insert the characters inside the values (not at their edges), then check that every
        // value is still covered in full.
        let mut text = text;
        let mut spans: Vec<(usize, usize)> = Vec::new();
        let mut from = 0;
        for v in &values {
            let s = from + text[from..].find(v.as_str()).unwrap();
            spans.push((s, s + v.len()));
            from = s + v.len();
        }
        for (index, ch) in inserts {
            let (s, e) = spans[index.index(spans.len())];
            let inner: Vec<usize> = text[s..e].char_indices().map(|(i, _)| s + i).filter(|&i| i > s).collect();
            let at = inner[index.index(inner.len())];
            text.insert(at, ch);
            for span in spans.iter_mut() {
                if span.0 >= at { span.0 += ch.len_utf8(); }
                if span.1 >= at { span.1 += ch.len_utf8(); }
            }
        }
        let r = redact(&text, &[], &RedactorConfig::default()).unwrap();
        for &(s, e) in &spans {
            prop_assert!(
                r.spans.iter().any(|x| x.start <= s && e <= x.end),
                "{:?} not covered in {:?} -> {:?}", &text[s..e], text, r.text
            );
        }
        check_offsets(&text, &r)?;
    }

    #[test]
    fn placeholders_restore_the_input((text, _) in document()) {
        let r = redact(&text, &[], &RedactorConfig::default()).unwrap();
        prop_assert_eq!(restore(&r.text, &r), text);
    }

    #[test]
    fn unicode_never_panics(text in unicode_text(), cuts in prop::collection::vec((any::<prop::sample::Index>(), any::<prop::sample::Index>(), 0.0f32..1.0), 0..6)) {
        // Model spans on random char boundaries (every one valid), with a mix of labels.
        let boundaries: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
        let labels = ["B-GIVEN_NAME", "I-SURNAME", "CITY", "MISC", "ORG", "weird label"];
        let spans: Vec<Span> = cuts
            .iter()
            .enumerate()
            .map(|(n, (a, b, score))| {
                let (a, b) = (*a.get(&boundaries), *b.get(&boundaries));
                Span::model(a.min(b), a.max(b), labels[n % labels.len()], *score)
            })
            .collect();
        let r = redact(&text, &spans, &RedactorConfig::default()).unwrap();
        check_offsets(&text, &r)?;
        prop_assert_eq!(restore(&r.text, &r), text.clone());
        let masked = RedactorConfig {
            default_operator: Operator::Mask { ch: '•', keep: 2, from_end: true },
            operators: HashMap::from([("PERSON".to_string(), Operator::Hash)]),
            hash_key: Some("x".into()),
            ..RedactorConfig::default()
        };
        let r = redact(&text, &spans, &masked).unwrap();
        check_offsets(&text, &r)?;
        // Offsets one byte off a boundary are an error, never a panic.
        if let Some(i) = (1..text.len()).find(|&i| !text.is_char_boundary(i)) {
            prop_assert!(redact(&text, &[Span::model(0, i, "PER", 0.9)], &masked).is_err());
        }
    }
}
