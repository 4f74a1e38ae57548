//! The crate as crates.io would get it: `cargo package --list` holds the code, the examples and
//! the licence texts, and none of the repository's model files, tests, npm package or demo
//! (crates.io takes 10 MB; the models alone are about 150 MB). `cargo publish --dry-run`, which
//! builds the packaged crate on its own, is slow (a full build), so it is ignored by default:
//! `cargo test --test crate_package -- --ignored` or `scripts/test.sh --heavy native` runs it.

use std::process::Command;

fn cargo(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_package_holds_code_examples_and_licences_only() {
    let (ok, stdout, stderr) = cargo(&["package", "--list", "--allow-dirty", "--offline"]);
    assert!(ok, "cargo package --list failed: {stderr}");
    let files: Vec<&str> = stdout.lines().collect();
    for needed in [
        "Cargo.toml",
        "Cargo.lock",
        "README.md",
        "LICENSE",
        "NOTICE",
        "src/lib.rs",
        "src/bin/tokenveil/main.rs",
        "examples/ner.rs",
        "examples/sentiment.rs",
        "examples/redact.rs",
    ] {
        assert!(
            files.contains(&needed),
            "{needed} is not packaged: {files:?}"
        );
    }
    let allowed = |f: &str| {
        f.starts_with("src/")
            || f.starts_with("examples/")
            || [
                "Cargo.toml",
                "Cargo.toml.orig",
                "Cargo.lock",
                "README.md",
                "LICENSE",
                "NOTICE",
                ".cargo_vcs_info.json",
            ]
            .contains(&f)
    };
    let stray: Vec<&&str> = files.iter().filter(|f| !allowed(f)).collect();
    assert!(
        stray.is_empty(),
        "packaged beyond code and licences: {stray:?}"
    );
    assert!(
        !files
            .iter()
            .any(|f| f.ends_with(".gguf") || f.ends_with(".safetensors")),
        "model files in the package"
    );
}

#[test]
#[ignore = "a full build of the packaged crate: run with --ignored"]
fn publish_dry_run_builds_the_packaged_crate() {
    let (ok, _, stderr) = cargo(&["publish", "--dry-run", "--allow-dirty"]);
    assert!(ok, "cargo publish --dry-run failed: {stderr}");
}
