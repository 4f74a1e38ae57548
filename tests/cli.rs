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
    let out: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(out["offsets"], "char");
    let entities = out["entities"].as_array().unwrap();
    assert!(!entities.is_empty());
    // The default aggregation is `none`, as Hugging Face and the Rust and npm APIs: one row per
    // token, with `entity` and `index`.
    assert!(entities
        .iter()
        .all(|e| e.get("entity").is_some() && e.get("index").is_some()));
    let (ok, out, err) = tokenveil(&[
        "ner",
        "--json",
        "--aggregation",
        "simple",
        "--model",
        token.to_str().unwrap(),
        "John Smith lives in Tokyo",
    ]);
    assert!(ok, "{err}");
    let out: serde_json::Value = serde_json::from_str(&out).unwrap();
    let groups = out["entities"].as_array().unwrap();
    assert!(!groups.is_empty(), "{out}");
    assert!(groups
        .iter()
        .all(|e| e.get("entity_group").is_some() && e.get("index").is_none()));

    // --top-k: 1 by default, as Hugging Face and the Rust API; `all` gives every label.
    let seq = root().join("tests/golden/tiny/bert-seq");
    let classify = |extra: &[&str]| {
        let mut args = vec!["classify", "--json", "--model", seq.to_str().unwrap()];
        args.extend_from_slice(extra);
        args.push("great film");
        let (ok, out, err) = tokenveil(&args);
        assert!(ok, "{err}");
        serde_json::from_str::<serde_json::Value>(&out).unwrap()
    };
    let all = classify(&["--top-k", "all"]);
    assert_eq!(all["labels"].as_array().unwrap().len(), 2, "{all}");
    let out = classify(&[]);
    assert_eq!(out["labels"].as_array().unwrap().len(), 1);
    assert_eq!(out["labels"][0], all["labels"][0]);

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
    assert!(
        !ok && err.contains("error [invalid_option]")
            && err.contains("[possible values: none, simple, first, average, max]"),
        "{err}"
    );
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
    assert_eq!(r["offsets"], "char");
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
    // The JS options' names read the same as the Rust ones, and a mask needs only its kind.
    let same = |name: &str, json: &str| {
        let path = write(name, json);
        let (ok, out, err) = tokenveil(&[
            "redact",
            "--no-model",
            "--config",
            &path,
            "mail jo@example.com, ask Acme",
        ]);
        assert!(ok, "{name}: {err}");
        out
    };
    let js = same(
        "js.json",
        r##"{"operators": {"email": {"kind": "mask", "char": "#", "keep": 3, "fromEnd": true}},
            "denyList": [{"entityType": "ORGANIZATION", "term": "acme", "caseInsensitive": true}],
            "minScore": 0.1}"##,
    );
    let rust = same(
        "rust.json",
        r##"{"operators": {"EMAIL": {"kind": "mask", "ch": "#", "keep": 3, "from_end": true}},
            "deny_list": [{"entity_type": "ORGANIZATION", "term": "acme", "case_insensitive": true}],
            "min_score": 0.1}"##,
    );
    assert_eq!(js, rust);
    assert_eq!(js.trim(), "mail ###########com, ask <ORGANIZATION_1>");
    assert_eq!(
        same("mask.json", r#"{"operators": {"EMAIL": {"kind": "mask"}}}"#).trim(),
        "mail **************, ask Acme"
    );
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
    let (code, out, err) = tokenveil_code(args, input);
    (code == Some(0), out, err)
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
    assert_eq!(first["redaction"]["offsets"], "char");
    assert!(first["redaction"].get("text").is_none(), "{first}");
}

/// Runs the CLI with `input` on its stdin; returns the exit code, stdout and stderr.
fn tokenveil_code(args: &[&str], input: &str) -> (Option<i32>, String, String) {
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
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_string();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    (
        out.status.code(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// Equal JSON, except that numbers with a fraction may differ by 1e-4.
fn same_but_rounding(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value::*;
    match (a, b) {
        (Number(x), Number(y)) if x.is_f64() || y.is_f64() => {
            (x.as_f64().unwrap() - y.as_f64().unwrap()).abs() <= 1e-4
        }
        (Array(x), Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_but_rounding(x, y))
        }
        (Object(x), Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_but_rounding(v, w)))
        }
        _ => a == b,
    }
}

fn json_lines(out: &str) -> Vec<serde_json::Value> {
    out.lines()
        .map(|l| serde_json::from_str(l).unwrap_or(serde_json::Value::Null))
        .collect()
}

/// `--offsets char|byte|utf16` (default char) on a text where the three differ: "ë" is 1 char,
/// 2 bytes, 1 UTF-16 unit; "😀" 1 char, 4 bytes, 2 units. JSON names its unit.
#[test]
fn offsets_count_the_unit_asked_for() {
    let text = "Zoë 😀 mail zoe@example.com";
    let redact = |unit: &[&str]| {
        let mut args = vec!["redact", "--no-model", "--json"];
        args.extend_from_slice(unit);
        args.push(text);
        let (ok, out, err) = tokenveil(&args);
        assert!(ok, "{err}");
        let r: serde_json::Value = serde_json::from_str(&out).unwrap();
        let s = &r["spans"][0];
        assert_eq!(s["original"], "zoe@example.com");
        let n = |k: &str| s[k].as_u64().unwrap();
        (
            r["offsets"].as_str().unwrap().to_string(),
            [n("start"), n("end"), n("new_start"), n("new_end")],
        )
    };
    // "Zoë 😀 mail " is 11 chars, 15 bytes, 12 UTF-16 units; "<EMAIL_1>" is 9 of each.
    assert_eq!(redact(&[]), ("char".into(), [11, 26, 11, 20]));
    assert_eq!(
        redact(&["--offsets", "byte"]),
        ("byte".into(), [15, 30, 15, 24])
    );
    assert_eq!(
        redact(&["--offsets", "utf16"]),
        ("utf16".into(), [12, 27, 12, 21])
    );
    // The old spellings still work.
    assert_eq!(redact(&["--offsets", "bytes"]).1, [15, 30, 15, 24]);
    assert_eq!(redact(&["--offsets", "chars"]).1, [11, 26, 11, 20]);

    // `ner`: every token (aggregation none, nothing ignored); the emoji is its own token.
    let token = root().join("tests/golden/tiny/bert-token");
    let ner = |unit: &str| {
        let (ok, out, err) = tokenveil(&[
            "ner",
            "--json",
            "--ignore-labels",
            "",
            "--offsets",
            unit,
            "--model",
            token.to_str().unwrap(),
            text,
        ]);
        assert!(ok, "{err}");
        let out: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(out["offsets"], unit);
        let emoji = out["entities"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["word"] == "😀")
            .cloned()
            .expect("the emoji is a token");
        (
            emoji["start"].as_u64().unwrap(),
            emoji["end"].as_u64().unwrap(),
        )
    };
    assert_eq!(ner("char"), (4, 5));
    assert_eq!(ner("byte"), (5, 9));
    assert_eq!(ner("utf16"), (4, 6));
    // `logits` names its unit too.
    let (ok, out, err) = tokenveil(&[
        "logits",
        "--json",
        "--offsets",
        "utf16",
        "--model",
        token.to_str().unwrap(),
        text,
    ]);
    assert!(ok, "{err}");
    let out: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(out["offsets"], "utf16");
    let emoji = out["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["start"] == 4 && t["end"] == 6);
    assert!(emoji.is_some(), "{out}");
}

/// Enum flags are clap choices: a bad value is an `invalid_option` usage error that lists
/// them, and `--help` lists them with their defaults.
#[test]
fn enum_flags_list_their_choices() {
    for (args, choices) in [
        (
            vec!["ner", "--offsets", "utf32", "-m", "x", "y"],
            "[possible values: char, byte, utf16]",
        ),
        (
            vec!["classify", "--function", "softplus", "-m", "x", "y"],
            "[possible values: default, softmax, sigmoid, none]",
        ),
        (
            vec!["eval", "--metric", "f1", "--conll", "x"],
            "[possible values: entities, accuracy]",
        ),
        (
            vec!["convert", "d", "-o", "x", "--embeddings", "q4_0"],
            "[possible values: f32, f16, q8_0]",
        ),
        (
            vec!["convert", "d", "-o", "x", "--quant", "q5_k"],
            "[possible values: f32, f16, q8_0, q4_0]",
        ),
    ] {
        let (ok, _, err) = tokenveil(&args);
        assert!(
            !ok && err.starts_with("error [invalid_option]: invalid value")
                && err.contains(choices),
            "{args:?}: {err}"
        );
    }
    let (ok, out, _) = tokenveil(&["--json", "classify", "--top-k", "0", "-m", "x", "y"]);
    let e: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(!ok && e["error"]["code"] == "invalid_option", "{out}");
    assert!(
        e["error"]["message"].as_str().unwrap().contains("`all`"),
        "{out}"
    );

    let (ok, help, _) = tokenveil(&["ner", "--help"]);
    assert!(ok);
    for needle in [
        "- simple:",
        "- utf16:",
        "[default: none]",
        "[default: char]",
    ] {
        assert!(help.contains(needle), "{needle}: {help}");
    }
    let (_, help, _) = tokenveil(&["classify", "--help"]);
    assert!(
        help.contains("[default: 1]") && help.contains("- sigmoid"),
        "{help}"
    );
}

/// `ner --jsonl` and `classify --jsonl`: one line out per line in, each record's result the
/// same as a run on its text alone, bad records reported on their lines, exit status 1.
#[test]
fn ner_and_classify_jsonl_report_bad_records() {
    let texts = ["Zoë Ñúñez lives in Kraków", "great film 😀", "John Smith"];
    let input = format!(
        "{}\n{}\n{{\"id\":3}}\n\n[1]\n{}\n",
        serde_json::json!({"id": 1, "text": texts[0]}),
        serde_json::json!(texts[1]),
        serde_json::json!({"id": 6, "text": texts[2]}),
    );
    let token = root().join("tests/golden/tiny/bert-token");
    let seq = root().join("tests/golden/tiny/bert-seq");
    for (cmd, model, key) in [("ner", &token, "ner"), ("classify", &seq, "classification")] {
        let m = model.to_str().unwrap();
        let (code, out, err) = tokenveil_code(&[cmd, "--jsonl", "--model", m], &input);
        assert_eq!(code, Some(1), "{cmd}: {err}");
        assert!(err.contains("2 of 5 records"), "{cmd}: {err}");
        let lines = json_lines(&out);
        assert_eq!(out.lines().count(), 6, "{cmd}: {out}");
        assert_eq!(out.lines().nth(3), Some(""));
        assert_eq!(lines[2]["error"]["line"], 3);
        assert!(lines[2]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no field `text`"));
        assert_eq!(lines[4]["error"]["line"], 5);
        assert_eq!(lines[4]["error"]["code"], "invalid_option");
        assert_eq!(
            (lines[0]["id"].clone(), lines[5]["id"].clone()),
            (1.into(), 6.into())
        );
        assert_eq!(lines[1]["text"], texts[1]);
        // Each record's result is what the command gives for that text alone (batched with
        // padding, scores may differ in float rounding).
        for (line, text) in [(0, texts[0]), (1, texts[1]), (5, texts[2])] {
            let (ok, alone, err) = tokenveil(&[cmd, "--json", "--model", m, text]);
            assert!(ok, "{err}");
            let alone: serde_json::Value = serde_json::from_str(&alone).unwrap();
            assert!(
                same_but_rounding(&lines[line][key], &alone),
                "{cmd} line {}: {} vs {alone}",
                line + 1,
                lines[line][key]
            );
        }
    }
    // --input reads a file; all records good: exit status 0.
    let path = std::env::temp_dir().join(format!("tokenveil-jsonl-{}.jsonl", std::process::id()));
    std::fs::write(&path, "\"great film\"\n\"awful\"\n").unwrap();
    let (code, out, err) = tokenveil_code(
        &[
            "classify",
            "--jsonl",
            "--top-k",
            "all",
            "--model",
            seq.to_str().unwrap(),
            "--input",
            path.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(code, Some(0), "{err}");
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 2);
    assert_eq!(
        lines[1]["classification"]["labels"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    std::fs::remove_file(&path).ok();
}

/// `restore --mapping` puts back what `redact --json` took out.
#[test]
fn restore_round_trip() {
    let dir = std::env::temp_dir().join(format!("tokenveil-cli-restore-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let text = "Zoë 😀 wrote from zoe@example.com, card 4111 1111 1111 1111; call 415-555-0132.";
    let (ok, out, err) = tokenveil(&["redact", "--no-model", "--json", text]);
    assert!(ok, "{err}");
    let r: serde_json::Value = serde_json::from_str(&out).unwrap();
    let redacted = r["text"].as_str().unwrap();
    assert!(
        !redacted.contains("zoe@") && !redacted.contains("0132"),
        "{redacted}"
    );
    let mapping = dir.join("redaction.json");
    std::fs::write(&mapping, &out).unwrap();
    let m = mapping.to_str().unwrap();
    let (ok, back, err) = tokenveil(&["restore", "--mapping", m, redacted]);
    assert!(ok, "{err}");
    assert_eq!(back, format!("{text}\n"));
    // A reply from stdin keeps its line end; --json wraps the text.
    let reply = "Dear <EMAIL_1>, I called <PHONE_1>.\n";
    let (code, back, _) = tokenveil_code(&["restore", "--mapping", m], reply);
    assert_eq!(code, Some(0));
    assert_eq!(back, "Dear zoe@example.com, I called 415-555-0132.\n");
    let (ok, back, _) = tokenveil(&["restore", "--json", "--mapping", m, "<EMAIL_1>"]);
    assert!(ok);
    let back: serde_json::Value = serde_json::from_str(&back).unwrap();
    assert_eq!(back["text"], "zoe@example.com");
    // One `redact --jsonl --json` record holds its mapping too.
    let (_, line, _) = tokenveil_code(
        &["redact", "--no-model", "--jsonl", "--json"],
        "\"mail ann@example.org\"\n",
    );
    std::fs::write(&mapping, &line).unwrap();
    let (ok, back, _) = tokenveil(&["restore", "--mapping", m, "hi <EMAIL_1>"]);
    assert!(ok);
    assert_eq!(back.trim_end(), "hi ann@example.org");
    // Errors are coded.
    let (ok, out, _) = tokenveil(&["restore", "--json", "--mapping", "/nonexistent.json", "x"]);
    let e: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(!ok && e["error"]["code"] == "io", "{out}");
    std::fs::write(&mapping, r#"{"mapping": [["<EMAIL_1>"]]}"#).unwrap();
    let (ok, out, _) = tokenveil(&["restore", "--json", "--mapping", m, "x"]);
    let e: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(!ok && e["error"]["code"] == "invalid_option", "{out}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn redact_file_rewrites_a_csv_in_its_format_and_restore_reverses_it() {
    let tmp = std::env::temp_dir().join(format!("tokenveil-cli-file-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let csv = tmp.join("customers.csv");
    let original = "id,name,email,note\r\n7,Margarethe Vogelsang,m.vogelsang@posteo.de,\"wrote \"\"thanks\"\", call +49 30 901820\"\r\n8,Tomás Ibarra,,none\r\n";
    std::fs::write(&csv, original).unwrap();
    let out = tmp.join("red.csv");
    // The shipped PII model reads each row as `column: value` lines; `id` is kept.
    let (ok, report, err) = tokenveil(&[
        "--json",
        "redact",
        "--file",
        csv.to_str().unwrap(),
        "--skip",
        "id",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    let redacted = std::fs::read_to_string(&out).unwrap();
    assert_eq!(
        redacted,
        "id,name,email,note\r\n7,<PERSON_1>,<EMAIL_1>,\"wrote \"\"thanks\"\", call <PHONE_1>\"\r\n8,<PERSON_2>,,none\r\n"
    );
    let report: serde_json::Value = serde_json::from_str(&report).unwrap();
    assert_eq!(report["format"], "csv");
    assert_eq!(
        (report["records"].as_u64(), report["values"].as_u64()),
        (Some(2), Some(5))
    );
    assert!(report.get("content").is_none(), "content is in the file");
    // Offsets are characters of the redacted document.
    let chars: Vec<char> = redacted.chars().collect();
    for s in report["spans"].as_array().unwrap() {
        let (a, b) = (
            s["start"].as_u64().unwrap() as usize,
            s["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(
            chars[a..b].iter().collect::<String>(),
            s["replacement"].as_str().unwrap()
        );
    }
    let map = tmp.join("report.json");
    std::fs::write(&map, report.to_string()).unwrap();
    let (ok, restored, err) =
        tokenveil(&["restore", "--mapping", map.to_str().unwrap(), &redacted]);
    assert!(ok, "{err}");
    assert_eq!(restored, original);
}

#[test]
fn redact_file_json_lines_force_and_the_errors() {
    let tmp = std::env::temp_dir().join(format!("tokenveil-cli-jsonl-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let jsonl = tmp.join("t.jsonl");
    std::fs::write(
        &jsonl,
        "{\"n\": 1, \"who\": \"zq\", \"body\": \"mail a@b.example\"}\n{\"n\": 2, \"who\": \"xv\"}\n",
    )
    .unwrap();
    // Patterns alone; `who` forced to PERSON.
    let (ok, out, err) = tokenveil(&[
        "redact",
        "--no-model",
        "--file",
        jsonl.to_str().unwrap(),
        "--force",
        "who=person",
    ]);
    assert!(ok, "{err}");
    assert_eq!(
        out,
        "{\"n\": 1, \"who\": \"<PERSON_1>\", \"body\": \"mail <EMAIL_1>\"}\n{\"n\": 2, \"who\": \"<PERSON_2>\"}\n"
    );
    // A selector that matches nothing, a broken line, a binary file, an unknown extension.
    let (ok, _, err) = tokenveil(&[
        "redact",
        "--no-model",
        "--file",
        jsonl.to_str().unwrap(),
        "--skip",
        "bdy",
    ]);
    assert!(
        !ok && err.contains("error [invalid_option]") && err.contains("bdy"),
        "{err}"
    );
    std::fs::write(&jsonl, "{\"a\": 1}\n{\"a\": \n").unwrap();
    let (ok, _, err) = tokenveil(&["redact", "--no-model", "--file", jsonl.to_str().unwrap()]);
    assert!(
        !ok && err.contains("error [invalid_document]") && err.contains("line 2"),
        "{err}"
    );
    let bin = tmp.join("blob.txt");
    std::fs::write(&bin, [0x50u8, 0x4b, 0x03, 0x04, 0xff, 0xfe, 0x00]).unwrap();
    let (ok, _, err) = tokenveil(&["redact", "--no-model", "--file", bin.to_str().unwrap()]);
    assert!(
        !ok && err.contains("error [unsupported_format]") && err.contains("UTF-8"),
        "{err}"
    );
    let (ok, _, err) = tokenveil(&["redact", "--no-model", "--file", "photo.png"]);
    assert!(!ok && err.contains("error [unsupported_format]"), "{err}");
    // --file takes no text and no --jsonl.
    let (ok, _, err) = tokenveil(&["redact", "--file", "a.csv", "some text"]);
    assert!(!ok && err.contains("cannot be used with"), "{err}");
}
