#!/usr/bin/env bash
# Sets everything up (scripts/setup.sh) and runs every test tier. What CI runs (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

# Tests that need the converted Rampart model fail (rather than skip) when it is missing.
export TOKENVEIL_REQUIRE_MODELS=1

log=$(mktemp)
trap 'rm -f "$log"' EXIT
printf '\n== tier 1: native unit, integration and parity tests, doc tests\n'
cargo test --all-targets 2>&1 | tee "$log"
cargo test --doc 2>&1 | tee -a "$log"

printf '\n== shipped model files are reproducible from their recipe\n'
scripts/build-models.sh --check

printf '\n== wasm32 build (simd128)\n'
cargo build --release --lib --target wasm32-unknown-unknown --no-default-features
ls -l target/wasm32-unknown-unknown/release/tokenveil.wasm

# One closing line over every cargo test binary run above.
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($i ~ /^passed;?$/) p += $(i-1); if ($i ~ /^failed;?$/) f += $(i-1) } }
     END { printf "\ntests: %d passed, %d failed\n", p, f }' "$log"
