//! The `tokenveil` binary as a user runs it: convert, info, logits, and errors with codes.

mod common;
use common::*;
use std::process::Command;

fn tokenveil(args: &[&str]) -> (bool, String, String) {
    tokenveil_env(args, &[])
}

/// Runs the CLI with `env` set and $TOKENVEIL_MODEL cleared unless `env` sets it, so that the
/// caller's shell cannot change which default model a test gets.
#[test]
fn convert_then_logits_matches_pytorch_labels() {
    let dir = root().join("tests/golden/tiny/distilbert-token");
    let tmp = std::env::temp_dir().join(format!("tokenveil-cli-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let gguf = tmp.join("model.gguf");
    let (ok, stdout, stderr) = tokenveil(&[
        "convert",
        dir.to_str().unwrap(),
        "-o",
        gguf.to_str().unwrap(),
        "--quant",
        "q8_0",
    ]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("wrote"), "{stdout}");
    // hidden_dim 48 is not a multiple of 32: the tool says which layers stay f32.
    assert!(
        stderr.contains("ffn.lin2.weight") && stderr.contains("kept in f32"),
        "{stderr}"
    );

    let (ok, info, _) = tokenveil(&["info", "--model", gguf.to_str().unwrap()]);
    assert!(ok);
    let info: serde_json::Value = serde_json::from_str(&info).unwrap();
    assert_eq!(info["architecture"], "DistilBertForTokenClassification");
    assert_eq!(info["quantization"], "q8_0");

    let golden = golden("tests/golden/tiny/distilbert-token/golden.json");
    let case = &golden["cases"][0];
    let text = case["texts"][0].as_str().unwrap();
    let (ok, out, stderr) =
        tokenveil(&["logits", "--json", "--model", dir.to_str().unwrap(), text]);
    assert!(ok, "{stderr}");
    let out: serde_json::Value = serde_json::from_str(&out).unwrap();
    let labels: Vec<&str> = out["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    let tokens = out["tokens"].as_array().unwrap();
    assert_eq!(tokens.len(), u32s(&case["input_ids"][0]).len());
    for (t, reference) in tokens.iter().zip(case["logits"][0].as_array().unwrap()) {
        let want = labels[argmax(&f32s(reference))];
        assert_eq!(t["label"], want);
        let p: f32 = f32s(&t["probabilities"]).iter().sum();
        assert!((p - 1.0).abs() < 1e-5);
        // Byte offsets index the text.
        let (s, e) = (
            t["start"].as_u64().unwrap() as usize,
            t["end"].as_u64().unwrap() as usize,
        );
        assert!(text.get(s..e).is_some());
    }

    // The table form names every label.
    let (ok, table, _) = tokenveil(&["logits", "--model", gguf.to_str().unwrap(), text]);
    assert!(ok);
    for l in &labels {
        assert!(table.contains(l), "{table}");
    }
    std::fs::remove_dir_all(&tmp).ok();
}

#[test]
fn errors_have_codes() {
    let (ok, out, _) = tokenveil(&["logits", "--json", "--model", "/nonexistent.gguf", "hi"]);
    assert!(!ok);
    let e: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(e["error"]["code"], "io");

    let dir = root().join("tests/golden/tiny/distilbert-seq");
    let (ok, _, stderr) = tokenveil(&["logits", "--model", dir.to_str().unwrap(), "hi"]);
    assert!(!ok);
    assert!(stderr.starts_with("error [invalid_option]"), "{stderr}");

    let (ok, _, stderr) = tokenveil(&[
        "convert",
        dir.to_str().unwrap(),
        "-o",
        "/tmp/x.gguf",
        "--quant",
        "q5_k",
    ]);
    assert!(!ok);
    assert!(
        stderr.contains("error [invalid_option]") && stderr.contains("q5_k"),
        "{stderr}"
    );
}

#[test]
fn ner_classify_and_eval_commands() {
    let token = root().join("tests/golden/tiny/bert-token");
    let (ok, out, err) = tokenveil(&[
        "ner",
        "--json",
        "--model",
        token.to_str().unwrap(),
        "John Smith lives in Tokyo",
    ]);
    assert!(ok, "{err}");
    let entities: serde_json::Value = serde_json::from_str(&out).unwrap();
    let entities = entities.as_array().unwrap();
    assert!(!entities.is_empty());
    assert!(entities
        .iter()
        .all(|e| e.get("entity_group").is_some() && e.get("index").is_none()));

    let seq = root().join("tests/golden/tiny/bert-seq");
    let (ok, out, err) = tokenveil(&[
        "classify",
        "--json",
        "--top-k",
        "1",
        "--model",
        seq.to_str().unwrap(),
        "great film",
    ]);
    assert!(ok, "{err}");
    let out: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(out["labels"].as_array().unwrap().len(), 1);

    // Eval on a two-line TSV whose labels are what the model predicts for one and not the other.
    let tmp = std::env::temp_dir().join(format!("tokenveil-eval-{}.tsv", std::process::id()));
    let top = out["labels"][0]["label"].as_str().unwrap();
    let other = if top == "POSITIVE" {
        "NEGATIVE"
    } else {
        "POSITIVE"
    };
    std::fs::write(
        &tmp,
        format!("sentence\tlabel\ngreat film\t{top}\ngreat film\t{other}\n"),
    )
    .unwrap();
    let (ok, out, err) = tokenveil(&[
        "eval",
        "--json",
        "--model",
        seq.to_str().unwrap(),
        "--tsv",
        tmp.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["accuracy"], 0.5);
    std::fs::remove_file(&tmp).ok();

    let (ok, _, err) = tokenveil(&[
        "ner",
        "--model",
        token.to_str().unwrap(),
        "--aggregation",
        "mean",
        "x",
    ]);
    assert!(!ok && err.contains("error [invalid_option]"), "{err}");
}

#[test]
fn redact_command() {
    let text = "Card 4111 1111 1111 1111, mail jo@example.com, SSN 000-12-3456.";
    let (ok, out, err) = tokenveil(&[
        "redact",
        "--no-model",
        "--json",
        "--operator",
        "CREDIT_CARD=mask:#:4:end",
        text,
    ]);
    assert!(ok, "{err}");
    let r: serde_json::Value = serde_json::from_str(&out).unwrap();
    let redacted = r["text"].as_str().unwrap();
    // 19 chars, the last 4 kept; separators are masked too.
    assert!(
        redacted.contains(&format!("{}1111,", "#".repeat(15))),
        "{redacted}"
    );
    assert!(
        redacted.contains("<EMAIL_1>") && !redacted.contains("jo@example.com"),
        "{redacted}"
    );
    // SSN area 000 is never issued, but after its keyword the number is still redacted as
    // one, at the lower score of a keyword-only match (above a phone number's).
    let ssn = r["spans"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["original"] == "000-12-3456")
        .expect("the number after `SSN` is redacted");
    assert_eq!(ssn["entity_type"], "US_SSN");
    assert!((ssn["score"].as_f64().unwrap() - 0.8).abs() < 1e-6, "{out}");
    let (ok, _, err) = tokenveil(&["redact", "--no-model", "--operator", "EMAIL=shred", text]);
    assert!(!ok && err.contains("error [invalid_option]"), "{err}");
}

#[test]
fn redact_config_is_checked() {
    let dir = std::env::temp_dir().join(format!("tokenveil-cli-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let write = |name: &str, json: &str| {
        let path = dir.join(name);
        std::fs::write(&path, json).unwrap();
        path.display().to_string()
    };
    // A misspelt key, an operator for a type nothing produces without a model, a bad field.
    for (name, json, needle) in [
        (
            "typo.json",
            r#"{"operator": {"EMAIL": {"kind": "remove"}}}"#,
            "unknown field",
        ),
        (
            "type.json",
            r#"{"operators": {"PERSON": {"kind": "remove"}}}"#,
            "PERSON",
        ),
        (
            "field.json",
            r#"{"operators": {"EMAIL": {"kind": "hash", "salt": "x"}}}"#,
            "salt",
        ),
    ] {
        let path = write(name, json);
        let (ok, _, err) = tokenveil(&[
            "redact",
            "--no-model",
            "--config",
            &path,
            "mail jo@example.com",
        ]);
        assert!(
            !ok && err.contains("error [invalid_option]") && err.contains(needle),
            "{name}: {err}"
        );
    }
    // `hash` is an HMAC under --hash-key: the same key gives the same digest.
    let text = "mail jo@example.com";
    let run = |key: &str| {
        let (ok, out, err) = tokenveil(&[
            "redact",
            "--no-model",
            "--operator",
            "EMAIL=hash",
            "--hash-key",
            key,
            text,
        ]);
        assert!(ok, "{err}");
        out
    };
    assert_eq!(run("k1"), run("k1"));
    assert_ne!(run("k1"), run("k2"));
    assert_eq!(
        run("k1").trim(),
        format!(
            "mail {}",
            tokenveil::redact::hash_value("k1", "jo@example.com")
        )
    );
    std::fs::remove_dir_all(&dir).ok();
}

fn tokenveil_env(args: &[&str], env: &[(&str, &str)]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_tokenveil"))
        .args(args)
        .env_remove("TOKENVEIL_MODEL")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn redact_finds_the_shipped_pii_model_without_model() {
    let text = "Please call Maria Garcia in Lisbon tomorrow.";
    // Without --model: the repository's models/pii/pii-q8_0.gguf finds the name and the city.
    let (ok, out, err) = tokenveil_env(&["redact", text], &[]);
    assert!(ok, "{err}");
    assert!(
        out.contains("<PERSON_1>") && out.contains("<LOCATION_1>") && !out.contains("Garcia"),
        "{out}"
    );
    // --no-model: patterns alone, which know no names.
    let (ok, out, err) = tokenveil_env(&["redact", "--no-model", text], &[]);
    assert!(ok, "{err}");
    assert_eq!(out.trim(), text);
    // $TOKENVEIL_MODEL wins, and a missing file is an `io` error that names it.
    let (ok, _, err) = tokenveil_env(
        &["redact", text],
        &[("TOKENVEIL_MODEL", "/nonexistent/pii.gguf")],
    );
    assert!(
        !ok && err.contains("error [io]") && err.contains("/nonexistent/pii.gguf"),
        "{err}"
    );
    let (ok, _, err) = tokenveil(&["redact", "--no-model", "--model", "x.gguf", text]);
    assert!(!ok && err.contains("cannot be used with"), "{err}");
}

/// Runs the CLI as `tokenveil_env` does, with `input` on its stdin.
fn tokenveil_stdin(args: &[&str], input: &str) -> (bool, String, String) {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_tokenveil"))
        .args(args)
        .env_remove("TOKENVEIL_MODEL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn redact_from_stdin_keeps_its_line_ends() {
    let (ok, out, err) = tokenveil_stdin(&["redact", "--no-model"], "mail jo@example.com\nbye\n");
    assert!(ok, "{err}");
    assert_eq!(out, "mail <EMAIL_1>\nbye\n");
}

#[test]
fn eval_pii_saved_predictions_score_the_same() {
    let dir = std::env::temp_dir().join(format!("tokenveil-cli-pred-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let gold = dir.join("gold.json");
    // "é" before the email makes byte and code-point offsets differ.
    let text = "Café note: write to ann@example.org or call 415-555-0132.";
    let gold_json = serde_json::json!([{
        "full_text": text,
        "spans": [{"entity_type": "EMAIL_ADDRESS", "start_position": 20, "end_position": 35}],
    }]);
    assert_eq!(
        &text.chars().skip(20).take(15).collect::<String>(),
        "ann@example.org"
    );
    std::fs::write(&gold, gold_json.to_string()).unwrap();
    let saved = dir.join("saved.json");
    let (g, s) = (gold.to_str().unwrap(), saved.to_str().unwrap());
    let (ok, first, err) = tokenveil(&[
        "eval",
        "--json",
        "--pii",
        g,
        "--no-model",
        "--save-predictions",
        s,
    ]);
    assert!(ok, "{err}");
    let preds: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&saved).unwrap()).unwrap();
    let spans = preds[0]["spans"].as_array().unwrap();
    let email = spans
        .iter()
        .find(|x| x["entity_type"] == "EMAIL")
        .expect("the email is found");
    assert_eq!(
        (
            email["start_position"].as_u64(),
            email["end_position"].as_u64()
        ),
        (Some(20), Some(35))
    );
    assert_eq!(email["entity_value"], "ann@example.org");
    assert!(spans.iter().any(|x| x["entity_type"] == "PHONE"), "{preds}");
    let (ok, second, err) = tokenveil(&["eval", "--json", "--pii", g, "--predictions", s]);
    assert!(ok, "{err}");
    let (a, b): (serde_json::Value, serde_json::Value) = (
        serde_json::from_str(&first).unwrap(),
        serde_json::from_str(&second).unwrap(),
    );
    assert_eq!(a["leak"], b["leak"]);
    assert_eq!(a["entities"], b["entities"]);
    assert_eq!(a["leak"]["protected"], 1.0);
    let (ok, _, err) = tokenveil(&[
        "eval",
        "--pii",
        g,
        "--predictions",
        s,
        "--save-predictions",
        s,
    ]);
    assert!(!ok && err.contains("cannot be used with"), "{err}");
    // --config scores the redactor with those options: with EMAIL off, the e-mail leaks.
    let config = dir.join("config.json");
    std::fs::write(&config, r#"{"disabled_types": ["EMAIL"]}"#).unwrap();
    let c = config.to_str().unwrap();
    let (ok, out, err) = tokenveil(&["eval", "--json", "--pii", g, "--no-model", "--config", c]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["leak"]["protected"], 0.0, "{out}");
    std::fs::write(&config, r#"{"min_scor": 0.5}"#).unwrap();
    let (ok, _, err) = tokenveil(&["eval", "--pii", g, "--no-model", "--config", c]);
    assert!(
        !ok && err.contains("invalid_option") && err.contains("min_scor"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// A reader that stops early (`tokenveil ... | head`) ends the CLI quietly: no panic message.
#[cfg(unix)]
#[test]
fn closed_stdout_is_no_panic() {
    use std::io::Read;
    use std::io::Write;
    use std::process::Stdio;
    let long = "Mail jo@example.com today. ".repeat(20_000);
    let mut child = Command::new(env!("CARGO_BIN_EXE_tokenveil"))
        .args(["redact", "--no-model", "--json"])
        .env_remove("TOKENVEIL_MODEL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(long.as_bytes()));
    let mut first = [0u8; 16];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap(); // then the pipe closes
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    child.wait().unwrap();
    writer.join().unwrap().unwrap();
    assert!(!err.contains("panicked"), "{err}");
}

/// `redact --jsonl`: one output line per input line, records independent (numbering restarts,
/// one hash key for the run), a bad record reported on its own line while the others go on.
#[test]
fn redact_jsonl_keeps_lines_and_reports_bad_records() {
    let input = concat!(
        "{\"id\":1,\"body\":\"Mail ann@example.org, call 415-555-0132\"}\n",
        "\n",
        "\"Card 4111 1111 1111 1111 and ann@example.org\"\n",
        "not json\n",
        "{\"id\":4,\"body\":7}\n",
        "{\"id\":5,\"body\":\"ann@example.org again\"}\n",
    );
    let run = |extra: &[&str]| {
        let mut args = vec!["redact", "--no-model", "--jsonl", "--field", "body"];
        args.extend_from_slice(extra);
        tokenveil_stdin(&args, input)
    };
    let (ok, out, err) = run(&[]);
    assert!(!ok && err.contains("2 of 5 records"), "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 6, "{out}");
    let line = |i: usize| serde_json::from_str::<serde_json::Value>(lines[i]).unwrap();
    assert_eq!(line(0)["body"], "Mail <EMAIL_1>, call <PHONE_1>");
    assert_eq!(line(0)["id"], 1);
    assert_eq!(lines[1], "");
    assert_eq!(line(2), "Card <CREDIT_CARD_1> and <EMAIL_1>");
    assert_eq!(line(3)["error"]["line"], 4);
    assert_eq!(line(3)["error"]["code"], "invalid_option");
    assert!(line(4)["error"]["message"]
        .as_str()
        .unwrap()
        .contains("`body` is not a string"));
    assert_eq!(line(5)["body"], "<EMAIL_1> again");
    // Hashes: the same value, the same hash in every record of the run.
    let (_, out, _) = run(&["--operator", "EMAIL=hash"]);
    let hashes: Vec<String> = out
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v.get("body").and_then(|b| b.as_str()).map(str::to_string))
        .filter_map(|b| {
            b.split_whitespace()
                .map(|w| w.trim_end_matches(','))
                .find(|w| w.len() == 16)
                .map(str::to_string)
        })
        .collect();
    assert_eq!(hashes.len(), 2, "{out}");
    assert_eq!(hashes[0], hashes[1]);
    // With --json each record carries its spans and mapping.
    let (_, out, _) = run(&["--json"]);
    let first: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert_eq!(first["redaction"]["mapping"][0][1], "ann@example.org");
}

/// `ner` reports character offsets by default, as the Hugging Face pipeline does, and UTF-8
/// byte offsets with `--offsets bytes`; choices are checked with a code.
#[test]
fn ner_offsets_count_characters_by_default() {
    let token = root().join("tests/golden/tiny/bert-token");
    let text = "Zoë Ñúñez and Łukasz live in Kraków";
    let run = |extra: &[&str]| {
        let mut args = vec![
            "ner",
            "--json",
            "--aggregation",
            "none",
            "--ignore-labels",
            "",
        ];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["--model", token.to_str().unwrap(), text]);
        let (ok, out, err) = tokenveil(&args);
        assert!(ok, "{err}");
        serde_json::from_str::<Vec<serde_json::Value>>(&out).unwrap()
    };
    let (chars, bytes) = (run(&[]), run(&["--offsets", "bytes"]));
    assert_eq!(chars.len(), bytes.len());
    assert!(!chars.is_empty());
    let mut differ = false;
    for (c, b) in chars.iter().zip(&bytes) {
        let (cs, ce) = (
            c["start"].as_u64().unwrap() as usize,
            c["end"].as_u64().unwrap() as usize,
        );
        let (bs, be) = (
            b["start"].as_u64().unwrap() as usize,
            b["end"].as_u64().unwrap() as usize,
        );
        let by_chars: String = text.chars().skip(cs).take(ce - cs).collect();
        assert_eq!(by_chars, text[bs..be]);
        differ |= cs != bs;
    }
    assert!(
        differ,
        "the text has multi-byte characters before some entity"
    );
    let (ok, _, err) = tokenveil(&["ner", "--offsets", "utf16", "--model", "x", "y"]);
    assert!(
        !ok && err.contains("error [invalid_option]") && err.contains("chars, bytes"),
        "{err}"
    );
}
