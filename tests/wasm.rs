//! The wasm facade as JavaScript sees it, run by wasm-bindgen-test in Node and in headless
//! Chromium (scripts/test.sh runs both): classes built from model bytes, results as plain JS
//! objects with UTF-16 offsets, errors as `ModelError`s with a `code`.
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Object, Reflect, JSON};
use tokenveil::wasm::{
    redact, restore, RawRedactionSession, RawTextClassifier, RawTokenClassifier,
};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

const TOKEN_CONFIG: &str = include_str!("golden/tiny/distilbert-token/config.json");
const TOKEN_TOKENIZER: &str = include_str!("golden/tiny/distilbert-token/tokenizer.json");
const TOKEN_WEIGHTS: &[u8] = include_bytes!("golden/tiny/distilbert-token/model.safetensors");
const SEQ_CONFIG: &str = include_str!("golden/tiny/bert-seq/config.json");
const SEQ_TOKENIZER: &str = include_str!("golden/tiny/bert-seq/tokenizer.json");
const SEQ_WEIGHTS: &[u8] = include_bytes!("golden/tiny/bert-seq/model.safetensors");

fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &key.into()).unwrap()
}

fn num(v: &JsValue, key: &str) -> f64 {
    get(v, key).as_f64().unwrap()
}

fn opts(json: &str) -> JsValue {
    JSON::parse(json).unwrap()
}

fn token_model() -> RawTokenClassifier {
    RawTokenClassifier::from_parts(TOKEN_CONFIG, TOKEN_TOKENIZER, TOKEN_WEIGHTS).unwrap()
}

/// UTF-16 length of a Rust string prefix: what JS `String.slice` counts.
fn utf16(s: &str) -> f64 {
    s.encode_utf16().count() as f64
}

#[wasm_bindgen_test]
fn token_entities_have_utf16_offsets() {
    let model = token_model();
    let text = "😀😀 John Smith lives in Tokyo";
    let out = model
        .classify(
            text,
            opts(r#"{"aggregationStrategy": "none", "ignoreLabels": []}"#),
        )
        .unwrap();
    let entities: Array = get(&out, "entities").dyn_into().unwrap();
    let timings = get(&out, "timings");
    // One entry per content token (ignoreLabels empty keeps "O" too): all but [CLS], [SEP].
    assert_eq!(entities.length() as f64, num(&timings, "tokens") - 2.0);
    assert!(num(&timings, "forwardMs") >= 0.0);
    let john = entities
        .iter()
        .find(|e| get(e, "word").as_string().as_deref() == Some("john"))
        .unwrap();
    assert_eq!(num(&john, "start"), utf16("😀😀 "));
    assert_eq!(num(&john, "end"), utf16("😀😀 John"));
    assert!(get(&john, "entityGroup").is_undefined());
}

#[wasm_bindgen_test]
fn logits_are_plain_arrays_one_row_per_token() {
    let model = token_model();
    let out = model.logits("Tokyo 😀", JsValue::UNDEFINED).unwrap();
    let labels: Array = get(&out, "labels").dyn_into().unwrap();
    let tokens: Array = get(&out, "tokens").dyn_into().unwrap();
    assert_eq!(labels.length(), 5);
    let first = tokens.get(0);
    assert_eq!(get(&first, "token").as_string().unwrap(), "[CLS]");
    assert_eq!(get(&first, "special").as_bool(), Some(true));
    let logits: Array = get(&first, "logits").dyn_into().unwrap();
    assert_eq!(logits.length(), labels.length());
    let last_content = tokens.get(tokens.length() - 2);
    assert_eq!(num(&last_content, "end"), utf16("Tokyo 😀"));
}

#[wasm_bindgen_test]
fn text_classifier_scores_sum_to_one() {
    let model = RawTextClassifier::from_parts(SEQ_CONFIG, SEQ_TOKENIZER, SEQ_WEIGHTS).unwrap();
    let info = model.info().unwrap();
    assert_eq!(
        get(&info, "task").as_string().unwrap(),
        "text-classification"
    );
    // `topK: null`: every label.
    let out = model
        .classify("a fine day", opts(r#"{"topK": null}"#))
        .unwrap();
    let labels: Array = get(&out, "labels").dyn_into().unwrap();
    assert_eq!(labels.length(), 2);
    let sum: f64 = labels.iter().map(|l| num(&l, "score")).sum();
    assert!((sum - 1.0).abs() < 1e-5, "{sum}");
    // By default (no options, no topK, or topK undefined) the best label alone, as HF.
    let undefined = Object::new();
    Reflect::set(&undefined, &"topK".into(), &JsValue::UNDEFINED).unwrap();
    for options in [JsValue::NULL, opts("{}"), undefined.into()] {
        let out = model.classify("a fine day", options).unwrap();
        let one: Array = get(&out, "labels").dyn_into().unwrap();
        assert_eq!(one.length(), 1);
        assert_eq!(get(&one.get(0), "label"), get(&labels.get(0), "label"));
    }
}

#[wasm_bindgen_test]
fn redaction_round_trips_through_js_objects() {
    let text = "Write to ada@example.com 😀 or 10.0.0.1";
    let r = redact(
        text,
        opts(r##"{"operators": {"IP_ADDRESS": {"kind": "mask", "char": "#"}}}"##),
    )
    .unwrap();
    assert_eq!(
        get(&r, "text").as_string().unwrap(),
        "Write to <EMAIL_1> 😀 or ########"
    );
    let spans: Array = get(&r, "spans").dyn_into().unwrap();
    let ip = spans.get(1);
    assert_eq!(num(&ip, "start"), utf16("Write to ada@example.com 😀 or "));
    assert_eq!(num(&ip, "newStart"), utf16("Write to <EMAIL_1> 😀 or "));
    assert_eq!(
        restore("Reply to <EMAIL_1>", r).unwrap(),
        "Reply to ada@example.com"
    );
}

#[wasm_bindgen_test]
fn sessions_and_caller_spans_in_utf16() {
    let mut session = RawRedactionSession::new(opts(r#"{"hashKey": "k"}"#)).unwrap();
    // "😀" is two UTF-16 units: the caller's span for "Ada" starts at 3.
    let text = "😀 Ada, ada@example.com";
    let one = session
        .redact(
            text,
            opts(r#"{"spans": [{"start": 3, "end": 6, "entityType": "PERSON"}]}"#),
        )
        .unwrap();
    assert_eq!(
        get(&one, "text").as_string().unwrap(),
        "😀 <PERSON_1>, <EMAIL_1>"
    );
    let two = session
        .redact("cc ada@example.com", JsValue::UNDEFINED)
        .unwrap();
    assert_eq!(get(&two, "text").as_string().unwrap(), "cc <EMAIL_1>");
    assert_eq!(
        session.restore("<PERSON_1>: <EMAIL_1>"),
        "Ada: ada@example.com"
    );
    // Half of a surrogate pair is no offset; spans belong to messages, not the session.
    let err = session
        .redact(
            text,
            opts(r#"{"spans": [{"start": 1, "end": 6, "entityType": "PERSON"}]}"#),
        )
        .err()
        .unwrap();
    assert_eq!(code(err), "invalid_option");
    let err = RawRedactionSession::new(opts(
        r#"{"spans": [{"start": 0, "end": 1, "entityType": "X"}]}"#,
    ))
    .err()
    .unwrap();
    assert_eq!(code(err), "invalid_option");
    // Without hashKey from JavaScript a wasm session has no key to hash with.
    let err = RawRedactionSession::new(opts(r#"{"defaultOperator": {"kind": "hash"}}"#))
        .err()
        .unwrap();
    assert_eq!(code(err), "invalid_option");
}

/// The error a facade call threw: a JS Error named ModelError with its `code`.
fn code(err: JsValue) -> String {
    assert!(err.is_instance_of::<js_sys::Error>());
    assert_eq!(get(&err, "name").as_string().unwrap(), "ModelError");
    get(&err, "code").as_string().unwrap()
}

#[wasm_bindgen_test]
fn errors_are_model_errors_with_codes() {
    let bad_file = RawTokenClassifier::new(js_sys::Uint8Array::from(&[0u8; 64][..]))
        .err()
        .unwrap();
    assert_eq!(code(bad_file), "model_format");
    let wrong_head = RawTokenClassifier::from_parts(SEQ_CONFIG, SEQ_TOKENIZER, SEQ_WEIGHTS)
        .err()
        .unwrap();
    assert_eq!(code(wrong_head), "invalid_option");
    let model = token_model();
    for bad in [
        r#"{"aggregationStrategy": "mean"}"#,
        r#"{"strid": 3}"#,
        r#"{"stride": -1}"#,
        r#"{"batchSize": 0}"#,
        r#"{"offsets": "utf32"}"#,
        r#""simple""#,
    ] {
        let err = model.classify("x", opts(bad)).err().unwrap();
        assert_eq!(code(err), "invalid_option", "{bad}");
    }
    let err = redact(
        "x",
        opts(r#"{"customPatterns": [{"name": "n", "entityType": "T", "regex": "("}]}"#),
    )
    .err()
    .unwrap();
    assert_eq!(code(err), "invalid_option");
    let err = restore("x", Object::new().into()).err().unwrap();
    assert_eq!(code(err), "invalid_option");
}
