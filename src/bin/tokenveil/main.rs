//! The `tokenveil` command line: the native face of the same core the browser runs. One module
//! per subcommand (or pair of them) under `tokenveil/`; `args` is what clap reads, `jsonl` the
//! bulk loop that `ner`, `classify` and `redact` share, `units` the offsets they print.

mod args;
mod classify;
mod convert;
mod eval;
mod jsonl;
mod logits;
mod ner;
mod redact;
mod units;

use args::{Cli, Command};
use clap::Parser;
use std::io::Read;
use std::process::ExitCode;
use tokenveil::{Error, Result};

fn main() -> ExitCode {
    // Rust ignores SIGPIPE, so a closed pipe (`tokenveil eval ... | head`) would make the next
    // println! panic; with the default action the process ends quietly, as other CLIs do.
    #[cfg(unix)]
    // SAFETY: called first, before any thread exists; SIG_DFL is a valid action for SIGPIPE.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // --help and --version print to stdout and succeed.
        Err(e) if !e.use_stderr() => e.exit(),
        // Usage errors (unknown flag, a value outside its choices) carry a code like every
        // other error: `invalid_option`, as JSON with --json; clap's exit status 2.
        Err(e) => {
            let message = e.to_string();
            let message = message.trim_start_matches("error: ").trim_end();
            if std::env::args().any(|a| a == "--json") {
                let err =
                    serde_json::json!({"error": {"code": "invalid_option", "message": message}});
                println!("{err}");
            } else {
                eprintln!("error [invalid_option]: {message}");
            }
            return ExitCode::from(2);
        }
    };
    match run(&cli) {
        Ok(code) => code,
        Err(e) => {
            if cli.json {
                let err =
                    serde_json::json!({"error": {"code": e.code(), "message": e.to_string()}});
                println!("{err}");
            } else {
                eprintln!("error [{}]: {e}", e.code());
            }
            ExitCode::FAILURE
        }
    }
}

fn run(cli: &Cli) -> Result<ExitCode> {
    let json = cli.json;
    match &cli.command {
        Command::Logits(args) => logits::run(args, json),
        Command::Ner(args) => ner::run(args, json),
        Command::Classify(args) => classify::run(args, json),
        Command::Redact(args) => redact::run(args, json),
        Command::Restore(args) => redact::restore(args, json),
        Command::Eval(args) => eval::run(args, json),
        Command::Convert(args) => convert::run(args, json),
        Command::Info(args) => convert::info(args),
    }
}

fn read_text(path: &std::path::Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| Error::io(path, e))
}

fn text_or_stdin(text: &Option<String>) -> Result<String> {
    match text {
        Some(t) => Ok(t.clone()),
        None => {
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .map_err(|e| Error::io("<stdin>", e))?;
            Ok(s)
        }
    }
}

/// Text as it came: a newline is added only where it had none (stdin's last line keeps its
/// one newline instead of gaining a second).
fn print_text(text: &str) {
    match text.ends_with('\n') {
        true => print!("{text}"),
        false => println!("{text}"),
    }
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<serde_json::Value> {
    serde_json::to_value(value)
        .map_err(|e| Error::InvalidOption(format!("cannot serialise output: {e}")))
}

fn print_json<T: serde::Serialize>(value: &T) -> Result<()> {
    let s = serde_json::to_string_pretty(value)
        .map_err(|e| Error::InvalidOption(format!("cannot serialise output: {e}")))?;
    println!("{s}");
    Ok(())
}
