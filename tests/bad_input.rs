//! Bad model files and bad input: each gets an error with a stable code and a message that
//! names the problem. A panic here fails the test binary, so every case also proves "no panic".

mod common;
use candle_core::quantized::{gguf_file, QTensor};
use candle_core::Device;
use common::*;
use std::io::Cursor;
use tokenveil::convert::{convert_parts, ConvertOptions, Provenance, Quant};
use tokenveil::weights::keys;
use tokenveil::ModelBundle;

fn tiny_dir() -> std::path::PathBuf {
    root().join("tests/golden/tiny/distilbert-token")
}

fn part(name: &str) -> String {
    std::fs::read_to_string(tiny_dir().join(name)).unwrap()
}

fn safetensors() -> Vec<u8> {
    std::fs::read(tiny_dir().join("model.safetensors")).unwrap()
}

fn good_gguf() -> Vec<u8> {
    let opts = ConvertOptions {
        quant: Quant::Q8_0,
        embeddings: None,
        name: None,
        overrides: Vec::new(),
    };
    convert_parts(
        &part("config.json"),
        &part("tokenizer.json"),
        &safetensors(),
        &Provenance::default(),
        &opts,
    )
    .unwrap()
    .0
}

/// Re-write a GGUF after editing its metadata and tensor list.
fn rewrite(
    bytes: &[u8],
    edit_meta: impl FnOnce(&mut Vec<(String, gguf_file::Value)>),
    edit_tensors: impl FnOnce(&mut Vec<(String, QTensor)>),
) -> Vec<u8> {
    let mut cur = Cursor::new(bytes);
    let content = gguf_file::Content::read(&mut cur).unwrap();
    let mut meta: Vec<(String, gguf_file::Value)> = content.metadata.clone().into_iter().collect();
    meta.sort_by(|a, b| a.0.cmp(&b.0));
    let mut names: Vec<&String> = content.tensor_infos.keys().collect();
    names.sort();
    let mut tensors: Vec<(String, QTensor)> = names
        .into_iter()
        .map(|n| {
            (
                n.clone(),
                content.tensor(&mut cur, n, &Device::Cpu).unwrap(),
            )
        })
        .collect();
    edit_meta(&mut meta);
    edit_tensors(&mut tensors);
    let m: Vec<(&str, &gguf_file::Value)> = meta.iter().map(|(k, v)| (k.as_str(), v)).collect();
    let t: Vec<(&str, &QTensor)> = tensors.iter().map(|(k, v)| (k.as_str(), v)).collect();
    let mut out = Cursor::new(Vec::new());
    gguf_file::write(&mut out, &m, &t).unwrap();
    out.into_inner()
}

fn set_meta(meta: &mut Vec<(String, gguf_file::Value)>, key: &str, value: gguf_file::Value) {
    meta.retain(|(k, _)| k != key);
    meta.push((key.to_string(), value));
}

#[track_caller]
fn expect_err(result: tokenveil::Result<ModelBundle>, code: &str, needle: &str) {
    match result {
        Ok(_) => panic!("expected error {code} ({needle}), got a model"),
        Err(e) => {
            assert_eq!(e.code(), code, "{e}");
            assert!(
                e.to_string().contains(needle),
                "`{e}` should mention `{needle}`"
            );
        }
    }
}

#[test]
fn the_good_file_loads() {
    let m = ModelBundle::from_bytes(good_gguf()).unwrap();
    assert_eq!(m.metadata.as_ref().unwrap().quantization, "q8_0");
}

#[test]
fn truncated_anywhere_is_a_model_format_error() {
    let bytes = good_gguf();
    // Every header byte for the first 2 KiB, then every 97th byte through the tensor data.
    let cuts = (0..2048.min(bytes.len())).chain((2048..bytes.len()).step_by(97));
    for cut in cuts {
        match ModelBundle::from_bytes(&bytes[..cut]) {
            Ok(_) => panic!("a file cut at {cut} of {} bytes loaded", bytes.len()),
            Err(e) => assert_eq!(e.code(), "model_format", "cut at {cut}: {e}"),
        }
    }
}

#[test]
fn random_bytes_and_wrong_magic() {
    let mut seed = 0x9e3779b97f4a7c15u64;
    for len in [0usize, 1, 7, 8, 9, 64, 4096] {
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                seed as u8
            })
            .collect();
        expect_err(ModelBundle::from_bytes(bytes), "model_format", "");
    }
    let mut bytes = good_gguf();
    bytes[3] = b'X';
    expect_err(
        ModelBundle::from_bytes(bytes),
        "model_format",
        "expected GGUF or safetensors",
    );
    // A GGUF header with a version we do not know.
    let mut bytes = good_gguf();
    bytes[4] = 9;
    expect_err(ModelBundle::from_bytes(bytes), "model_format", "version");
}

#[test]
fn gguf_without_tokenveil_metadata() {
    let bytes = rewrite(
        &good_gguf(),
        |m| m.retain(|(k, _)| !k.starts_with("tokenveil.")),
        |_| {},
    );
    expect_err(
        ModelBundle::from_bytes(bytes),
        "model_format",
        "no tokenveil metadata",
    );
    let bytes = rewrite(
        &good_gguf(),
        |m| m.retain(|(k, _)| k != keys::TOKENIZER_JSON),
        |_| {},
    );
    expect_err(
        ModelBundle::from_bytes(bytes),
        "model_format",
        keys::TOKENIZER_JSON,
    );
}

#[test]
fn newer_format_version() {
    let bytes = rewrite(
        &good_gguf(),
        |m| set_meta(m, keys::FORMAT_VERSION, gguf_file::Value::U32(99)),
        |_| {},
    );
    expect_err(ModelBundle::from_bytes(bytes), "unsupported_version", "99");
}

#[test]
fn missing_tensor() {
    let bytes = rewrite(
        &good_gguf(),
        |_| {},
        |t| t.retain(|(n, _)| !n.ends_with("layer.1.ffn.lin2.bias")),
    );
    expect_err(
        ModelBundle::from_bytes(bytes),
        "missing_tensor",
        "layer.1.ffn.lin2.bias",
    );
}

#[test]
fn extra_tensor() {
    let bytes = rewrite(
        &good_gguf(),
        |_| {},
        |t| {
            let copy = t[0].1.dequantize(&Device::Cpu).unwrap();
            t.push((
                "distilbert.transformer.layer.9.ffn.lin2.bias".into(),
                QTensor::quantize(&copy, candle_core::quantized::GgmlDType::F32).unwrap(),
            ));
        },
    );
    expect_err(
        ModelBundle::from_bytes(bytes),
        "model_format",
        "unexpected tensor `distilbert.transformer.layer.9.ffn.lin2.bias`",
    );
}

#[test]
fn misshaped_tensor() {
    let bytes = rewrite(
        &good_gguf(),
        |_| {},
        |t| {
            let wrong =
                candle_core::Tensor::zeros(16, candle_core::DType::F32, &Device::Cpu).unwrap();
            for (n, q) in t.iter_mut() {
                if n == "distilbert.embeddings.LayerNorm.weight" {
                    *q = QTensor::quantize(&wrong, candle_core::quantized::GgmlDType::F32).unwrap();
                }
            }
        },
    );
    expect_err(
        ModelBundle::from_bytes(bytes),
        "tensor_shape",
        "distilbert.embeddings.LayerNorm.weight",
    );
}

/// A header that claims a tensor far bigger than the file: rejected before any allocation.
#[test]
fn tensor_claiming_absurd_size() {
    let huge = 1usize << 20; // the largest vocabulary the config accepts
    let config = part("config.json").replace(
        "\"vocab_size\":",
        "\"vocab_size\": 1048576, \"_old_vocab\":",
    );
    assert!(
        config.contains("1048576"),
        "config.json layout changed: {config}"
    );
    let bytes = rewrite(
        &good_gguf(),
        |m| set_meta(m, keys::CONFIG_JSON, gguf_file::Value::String(config)),
        |_| {},
    );
    // Patch the word-embedding row count in the tensor table (dims are stored innermost first).
    let name = b"distilbert.embeddings.word_embeddings.weight";
    let at = bytes.windows(name.len()).position(|w| w == name).unwrap() + name.len();
    let mut bytes = bytes;
    let rows_at = at + 4 + 8; // n_dims (u32), then hidden (u64), then rows (u64)
    bytes[rows_at..rows_at + 8].copy_from_slice(&(huge as u64).to_le_bytes());
    expect_err(
        ModelBundle::from_bytes(bytes),
        "model_format",
        "does not fit in the file",
    );
}

#[test]
fn tokenizer_that_does_not_fit_the_embeddings() {
    let config = part("config.json");
    let v: serde_json::Value = serde_json::from_str(&config).unwrap();
    let vocab = v["vocab_size"].as_u64().unwrap();
    let small = config.replace(&format!("\"vocab_size\": {vocab}"), "\"vocab_size\": 10");
    assert_ne!(small, config, "config.json layout changed");
    expect_err(
        ModelBundle::from_parts(&small, &part("tokenizer.json"), &safetensors()),
        "tokenizer",
        "does not belong to this model",
    );
    expect_err(
        ModelBundle::from_parts(&config, "{\"not\": \"a tokenizer\"}", &safetensors()),
        "tokenizer",
        "not valid",
    ); // Found by fuzzing: tokenizers 0.23.2 panics (rather than erring) on malformed JSON inside
       // the decoder section, and on a malformed Precompiled normalizer.
    let tokenizer = part("tokenizer.json");
    let broken = tokenizer.replace("\"prefix\": \"##\"", "\"prefix\": \"#\u{1}#\"");
    assert_ne!(broken, tokenizer, "tokenizer.json layout changed");
    expect_err(
        ModelBundle::from_parts(&config, &broken, &safetensors()),
        "tokenizer",
        "not valid JSON",
    );
    let mut v: serde_json::Value = serde_json::from_str(&tokenizer).unwrap();
    v["normalizer"] = serde_json::json!({"type": "Sequence", "normalizers": [
        {"type": "Precompiled", "precompiled_charsmap": "AAAA"}]});
    expect_err(
        ModelBundle::from_parts(&config, &v.to_string(), &safetensors()),
        "tokenizer",
        "Precompiled",
    );
    // A template naming a special token it does not define, or reading sequence B alone.
    let mut v: serde_json::Value = serde_json::from_str(&tokenizer).unwrap();
    v["post_processor"]["single"][0]["SpecialToken"]["id"] = "[JOHN]".into();
    expect_err(
        ModelBundle::from_parts(&config, &v.to_string(), &safetensors()),
        "tokenizer",
        "undefined special token `[JOHN]`",
    );
    let mut v: serde_json::Value = serde_json::from_str(&tokenizer).unwrap();
    v["post_processor"]["single"][1]["Sequence"]["id"] = "B".into();
    expect_err(
        ModelBundle::from_parts(&config, &v.to_string(), &safetensors()),
        "tokenizer",
        "reads sequence `B`",
    );
}

#[test]
fn label_map_that_disagrees_with_the_classifier() {
    let mut v: serde_json::Value = serde_json::from_str(&part("config.json")).unwrap();
    v["id2label"] = serde_json::json!({"0": "O", "1": "X", "2": "Y"});
    v["label2id"] = serde_json::json!({"O": 0, "X": 1, "Y": 2});
    expect_err(
        ModelBundle::from_parts(&v.to_string(), &part("tokenizer.json"), &safetensors()),
        "label_map",
        "names 3 labels but `classifier.weight` has 5 rows",
    );
}

#[test]
fn bad_safetensors() {
    let st = safetensors();
    for cut in [0, 5, 8, 9, 100, st.len() / 2, st.len() - 1] {
        let r = ModelBundle::from_parts(&part("config.json"), &part("tokenizer.json"), &st[..cut]);
        expect_err(r, "model_format", "");
    }
    expect_err(
        ModelBundle::from_bytes(st),
        "model_format",
        "holds only weights",
    );
}

#[test]
fn missing_files_are_io_errors() {
    expect_err(
        ModelBundle::from_path("/nonexistent/model.gguf", None),
        "io",
        "/nonexistent/model.gguf",
    );
}

#[test]
fn bad_quantization_option() {
    let e = "q3_k".parse::<Quant>().unwrap_err();
    assert_eq!(e.code(), "invalid_option");
}
