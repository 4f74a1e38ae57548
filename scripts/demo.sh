#!/usr/bin/env bash
# Sets everything up and runs the default model on an example: per-token labels, logits and
# softmax scores from the Rampart PII model, computed on this machine. (The browser demo page
# arrives with the web package.)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh >/dev/null
cargo build --quiet --release --bin tokenveil
text=${1:-"Hi, I'm Maria Garcia. Email maria.garcia@example.com or call (415) 555-0132."}
target/release/tokenveil logits --top 3 --model models/rampart/rampart-q4_0.gguf "$text"
