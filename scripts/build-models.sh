#!/usr/bin/env bash
# Builds the shipped model files in models/ from their sources (run scripts/setup.sh first).
#   scripts/build-models.sh          write them
#   scripts/build-models.sh --check  rebuild into a temp dir and fail if any differs
set -euo pipefail
cd "$(dirname "$0")/.."
check=${1:-}
out=models
if [ "$check" = "--check" ]; then out=$(mktemp -d); trap 'rm -rf "$out"' EXIT; fi
mkdir -p "$out/rampart"

cargo build --quiet --bin tokenveil
# Rampart: the 4-bit linear weights keep their exact values in Q4_0; embeddings in f16
# keep the file under 30 MB (f32 would add 15 MB).
target/debug/tokenveil convert models/.cache/rampart/hf -o "$out/rampart/rampart-q4_0.gguf" \
  --quant q4_0 --embeddings f16 --name "Rampart PII (Q4_0)"

if [ "$check" = "--check" ]; then
  cmp models/rampart/rampart-q4_0.gguf "$out/rampart/rampart-q4_0.gguf"
  echo "models/rampart/rampart-q4_0.gguf: identical to a fresh build"
fi
