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

# Default NER, POS and sentiment models: Q8_0 (24.6 MB) and Q4_0 (19.4 MB) linear layers,
# Q8_0 embeddings (f16 embeddings would make the Q8_0 file 35 MB). Their f32 weights come from the GPU recipe in models/train/
# and are not in the repository, so these are rebuilt only where that recipe has been run.
for m in ner pos sst2; do
  if [ -f "models/.cache/trained/$m/model.safetensors" ]; then
    mkdir -p "$out/$m"
    for q in q8_0 q4_0; do
      target/debug/tokenveil convert "models/.cache/trained/$m" -o "$out/$m/$m-$q.gguf" \
        --quant $q --embeddings q8_0 --name "tokenveil $m (${q^^})"
    done
  else
    echo "models/$m: skipped (no models/.cache/trained/$m: run the recipe in models/train/)"
  fi
done

# The PII model: the soup of models/.cache/trained/pii-soup (models/pii/README.md), same layout.
# Its Q4_0 file keeps the attention and FFN-output weights in Q8_0 (22.8 MB): with every linear
# layer in 4 bits it leaks more than the card's bound allows (the comparison is in the card).
if [ -f models/.cache/trained/pii-soup/model.safetensors ]; then
  mkdir -p "$out/pii"
  target/debug/tokenveil convert models/.cache/trained/pii-soup -o "$out/pii/pii-q8_0.gguf" \
    --quant q8_0 --embeddings q8_0 --name "tokenveil PII (Q8_0)"
  target/debug/tokenveil convert models/.cache/trained/pii-soup -o "$out/pii/pii-q4_0.gguf" \
    --quant q4_0 --embeddings q8_0 --name "tokenveil PII (Q4_0)" \
    --quant-override '*.attention.*=q8_0' --quant-override '*.ffn.lin2.weight=q8_0'
else
  echo "models/pii: skipped (no models/.cache/trained/pii-soup: run the recipe in models/pii/README.md)"
fi

if [ "$check" = "--check" ]; then
  for f in "$out"/*/*.gguf; do
    rel=models/${f#"$out"/}
    cmp "$rel" "$f"
    echo "$rel: identical to a fresh build"
  done
fi
