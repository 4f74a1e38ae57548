//! Golden parity with PyTorch on tiny random DistilBERT and BERT checkpoints
//! (made by tests/golden/make_tiny.py, pinned versions, fixed seeds).
//! Every weight format runs through the same model code; bounds per format:
//! f32 <= 1e-4, f16 <= 1e-2, Q8_0 / Q4_0: the documented bounds below.

mod common;
use common::*;
use serde_json::Value;
use tokenveil::config::Head;
use tokenveil::convert::{convert_parts, ConvertOptions, Provenance, Quant};
use tokenveil::ModelBundle;

const MODELS: [&str; 6] = [
    "distilbert-token",
    "distilbert-seq",
    "bert-token",
    "bert-seq",
    "bert-seq-multilabel",
    "distilbert-token-nolabels",
];

/// Documented bounds per format on these tiny random models: (max |Δlogit| against PyTorch
/// f32, least share of tokens/texts whose argmax agrees). Measured: f16 3.3e-3 / 100%;
/// Q8_0 8.9e-2 / 98.2%; Q4_0 1.26 / 81.8% (logits up to 4.0). Random 32-wide weights are the
/// worst case for 4 bits (no structure, nothing to average over); candle also quantizes the
/// activations to 8 bits on the fly. The real-model bound (Rampart Q4_0 against onnxruntime
/// on the same 4-bit weights) is in tests/rampart.rs.
const BOUNDS: [(Quant, f32, f32); 4] = [
    (Quant::F32, 1e-4, 1.0),
    (Quant::F16, 1e-2, 1.0),
    (Quant::Q8_0, 0.1, 0.97),
    (Quant::Q4_0, 1.5, 0.80),
];

fn dir(model: &str) -> std::path::PathBuf {
    root().join("tests/golden/tiny").join(model)
}

/// Rows of logits that PyTorch computed for real (non-pad) positions, ours and theirs.
fn compare(bundle: &ModelBundle, golden: &Value, key: &str) -> (Vec<Vec<f32>>, Vec<Vec<f32>>) {
    let mut ours_rows = Vec::new();
    let mut ref_rows = Vec::new();
    for case in golden["cases"].as_array().unwrap() {
        let ids: Vec<Vec<u32>> = case["input_ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(u32s)
            .collect();
        let mask: Vec<Vec<u32>> = case["attention_mask"]
            .as_array()
            .unwrap()
            .iter()
            .map(u32s)
            .collect();
        let logits = bundle.forward_ids(&ids, &mask).unwrap();
        let reference = &case[key];
        match bundle.head() {
            Head::TokenClassification => {
                let ours = logits.to_vec3::<f32>().unwrap();
                for (b, row_mask) in mask.iter().enumerate() {
                    for (s, &m) in row_mask.iter().enumerate() {
                        if m == 1 {
                            ours_rows.push(ours[b][s].clone());
                            ref_rows.push(f32s(&reference[b][s]));
                        }
                    }
                }
            }
            Head::SequenceClassification => {
                let ours = logits.to_vec2::<f32>().unwrap();
                for (b, row) in ours.into_iter().enumerate() {
                    ours_rows.push(row);
                    ref_rows.push(f32s(&reference[b]));
                }
            }
            other => panic!("no parity golden for a {other:?} head"),
        }
    }
    (ours_rows, ref_rows)
}

/// A Hugging Face folder converted to tokenveil GGUF bytes in `quant`, then loaded.
fn convert_in_memory(dir: &std::path::Path, quant: Quant) -> ModelBundle {
    let read = |n: &str| std::fs::read_to_string(dir.join(n)).unwrap();
    let weights = std::fs::read(dir.join("model.safetensors")).unwrap();
    let opts = ConvertOptions {
        quant,
        embeddings: None,
        name: None,
        overrides: Vec::new(),
    };
    let (bytes, _) = convert_parts(
        &read("config.json"),
        &read("tokenizer.json"),
        &weights,
        &Provenance::default(),
        &opts,
    )
    .unwrap();
    ModelBundle::from_bytes(bytes).unwrap()
}

fn max_diff(a: &[Vec<f32>], b: &[Vec<f32>]) -> f32 {
    a.iter()
        .zip(b)
        .map(|(x, y)| max_abs_diff(x, y))
        .fold(0.0, f32::max)
}

#[test]
fn tokenizer_matches_python_tokenizers() {
    for model in MODELS {
        let bundle = ModelBundle::from_path(dir(model), None).unwrap();
        let golden = golden(dir(model).join("golden.json"));
        for case in golden["cases"].as_array().unwrap() {
            for (b, text) in case["texts"].as_array().unwrap().iter().enumerate() {
                let enc = bundle.tokenizer.encode(text.as_str().unwrap()).unwrap();
                let mask = u32s(&case["attention_mask"][b]);
                let want: Vec<u32> = u32s(&case["input_ids"][b])
                    .into_iter()
                    .zip(&mask)
                    .filter(|(_, &m)| m == 1)
                    .map(|(id, _)| id)
                    .collect();
                assert_eq!(enc.ids, want, "{model} / {}", case["name"]);
                let truncated = case
                    .get("truncated")
                    .and_then(Value::as_bool)
                    .unwrap_or(false);
                assert_eq!(enc.truncated, truncated, "{model} / {}", case["name"]);
            }
        }
    }
}

#[test]
fn f32_safetensors_match_pytorch() {
    for model in MODELS {
        let bundle = ModelBundle::from_path(dir(model), None).unwrap();
        let golden = golden(dir(model).join("golden.json"));
        let (ours, theirs) = compare(&bundle, &golden, "logits");
        let d = max_diff(&ours, &theirs);
        eprintln!("{model:28} f32 safetensors  max |Δlogit| = {d:.2e}");
        assert!(d <= 1e-4, "{model}: {d}");
    }
}

/// Padding must not change results: each text alone gives the logits it gets in a batch.
#[test]
fn padded_batch_equals_single_texts() {
    for model in ["distilbert-token", "bert-seq"] {
        let bundle = ModelBundle::from_path(dir(model), None).unwrap();
        let texts = ["a", "the quick brown fox jumps over the lazy dog", "tokyo"];
        let encs: Vec<_> = texts
            .iter()
            .map(|t| bundle.tokenizer.encode(t).unwrap())
            .collect();
        let refs: Vec<_> = encs.iter().collect();
        let batch = bundle.forward(&refs).unwrap();
        for (i, e) in encs.iter().enumerate() {
            let single = bundle
                .forward(&[e])
                .unwrap()
                .flatten_all()
                .unwrap()
                .to_vec1::<f32>()
                .unwrap();
            let row = batch.get(i).unwrap();
            let row = match bundle.head() {
                Head::TokenClassification => row.narrow(0, 0, e.len()).unwrap(),
                Head::SequenceClassification => row,
                other => panic!("no batch check for a {other:?} head"),
            };
            let d = max_abs_diff(
                &single,
                &row.flatten_all().unwrap().to_vec1::<f32>().unwrap(),
            );
            assert!(d < 1e-5, "{model} text {i}: {d}");
        }
    }
}

#[test]
fn half_precision_safetensors_match_pytorch() {
    for model in ["distilbert-token", "bert-token"] {
        let golden = golden(dir(model).join("golden.json"));
        for (file, key) in [
            ("model.f16.safetensors", "logits_f16"),
            ("model.bf16.safetensors", "logits_bf16"),
        ] {
            let bundle = ModelBundle::from_path(dir(model), Some(file)).unwrap();
            let (ours, theirs) = compare(&bundle, &golden, key);
            let d = max_diff(&ours, &theirs);
            let (_, f32_ref) = compare(&bundle, &golden, "logits");
            let vs_f32 = max_diff(&ours, &f32_ref);
            eprintln!("{model:28} {file:24} max |Δlogit| = {d:.2e} (vs f32 weights {vs_f32:.2e})");
            assert!(d <= 1e-4, "{model} {file}: {d}");
            if file == "model.f16.safetensors" {
                assert!(vs_f32 <= 1e-2, "{model} {file} vs f32: {vs_f32}");
            }
        }
    }
}

#[test]
fn gguf_every_format_through_the_same_model() {
    for model in MODELS {
        let d = dir(model);
        let golden = golden(d.join("golden.json"));
        for (quant, bound, min_agreement) in BOUNDS {
            let bundle = convert_in_memory(&d, quant);
            let (ours, theirs) = compare(&bundle, &golden, "logits");
            let diff = max_diff(&ours, &theirs);
            let agree = ours
                .iter()
                .zip(&theirs)
                .filter(|(o, t)| argmax(o) == argmax(t))
                .count();
            let agreement = agree as f32 / ours.len() as f32;
            let scale = theirs.iter().flatten().fold(0f32, |m, v| m.max(v.abs()));
            eprintln!("{model:28} gguf {:5} max |Δlogit| = {diff:.2e} (max |logit| {scale:.2}), argmax agreement {:.1}% of {}", quant.name(), agreement * 100.0, ours.len());
            assert!(diff <= bound, "{model} {}: {diff} > {bound}", quant.name());
            assert!(
                agreement >= min_agreement,
                "{model} {}: argmax agreement {agreement}",
                quant.name()
            );
        }
    }
}

/// One-off check on a random DistilBERT of the real base size (768 wide, 6 layers, 3072 FFN):
/// `python3 tests/golden/make_tiny.py --base-size DIR` (needs PyTorch), then
/// `TOKENVEIL_BASE_DIR=DIR/distilbert-base-token cargo test --release --test parity base_size -- --ignored --nocapture`.
/// Not committed (170 MB of weights); its figures are reported in the closing note.
#[test]
#[ignore]
fn base_size_distilbert() {
    let dir = std::path::PathBuf::from(
        std::env::var("TOKENVEIL_BASE_DIR").expect("set TOKENVEIL_BASE_DIR"),
    );
    let golden = golden(dir.join("golden.json"));
    let bundle = ModelBundle::from_path(&dir, None).unwrap();
    let (ours, theirs) = compare(&bundle, &golden, "logits");
    let d = max_diff(&ours, &theirs);
    eprintln!("base-size f32 safetensors max |Δlogit| = {d:.2e}");
    assert!(d <= 1e-4, "{d}");
    for (quant, bound, min_agreement) in BOUNDS {
        let bundle = convert_in_memory(&dir, quant);
        let (ours, theirs) = compare(&bundle, &golden, "logits");
        let diff = max_diff(&ours, &theirs);
        let agree = ours
            .iter()
            .zip(&theirs)
            .filter(|(o, t)| argmax(o) == argmax(t))
            .count();
        eprintln!(
            "base-size gguf {:5} max |Δlogit| = {diff:.2e}, argmax agreement {agree}/{}",
            quant.name(),
            ours.len()
        );
        assert!(diff <= bound && agree as f32 / ours.len() as f32 >= min_agreement);
    }
}
