#!/usr/bin/env bash
# Sets everything up (scripts/setup.sh) and runs every test tier. What CI runs (.ci/run).
#   1. native Rust: unit, integration, parity and pipeline tests, doc tests; model reproducibility
#   2. wasm: the release builds (simd128, relaxed SIMD, threads), the npm package build,
#      wasm-bindgen-test in Node and in Chromium
#   3. TypeScript package: vitest (in Node, on the built package) and type tests
#   4. end to end in Debian's Chromium: the relaxed and threaded builds, the demo page, a
#      throwaway app using the packed package, and a 10,000-call soak through the worker
#   5. a short fuzz run of every cargo-fuzz target (FUZZ_SECONDS each, default 20)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

# Tests that need the converted Rampart model fail (rather than skip) when it is missing.
export TOKENVEIL_REQUIRE_MODELS=1

log=$(mktemp)
trap 'rm -f "$log"' EXIT
tier() { printf '\n== %s\n' "$*"; }

tier "1. native unit, integration and parity tests, doc tests"
cargo test --all-targets 2>&1 | tee "$log"
cargo test --doc 2>&1 | tee -a "$log"

tier "1. shipped model files are reproducible from their recipe"
scripts/build-models.sh --check

tier "2. wasm32 release builds (simd128; simd128 + relaxed SIMD; relaxed SIMD + threads) and the npm package (wasm-bindgen, wasm-opt, tsc)"
npm run build

tier "2. wasm-bindgen-test: the facade in Node, then in headless Chromium"
wasm_test=(cargo test --profile wasm-release --target wasm32-unknown-unknown --no-default-features --test wasm --test wasm_qgemm --test wasm_activations)
"${wasm_test[@]}" 2>&1 | tee -a "$log"
WASM_BINDGEN_USE_BROWSER=1 CHROMEDRIVER=/usr/bin/chromedriver "${wasm_test[@]}" 2>&1 | tee -a "$log"
# The relaxed-SIMD kernel, in Chromium (Node 20's relaxed SIMD computes wrong sums: js/wasm.ts),
# in the target dir `npm run build` compiled that build in, so its dependencies are reused.
RUSTFLAGS="-C target-feature=+simd128,+relaxed-simd" CARGO_TARGET_DIR=target/relaxed \
  WASM_BINDGEN_USE_BROWSER=1 CHROMEDRIVER=/usr/bin/chromedriver \
  cargo test --profile wasm-release --target wasm32-unknown-unknown --no-default-features --test wasm_qgemm 2>&1 | tee -a "$log"

tier "3. TypeScript package: vitest and type tests"
npm run --silent test:js 2>&1 | tee -a "$log"
npm run --silent test:types
echo "type tests: ok"

tier "4. end to end: the relaxed-SIMD build's accuracy and the threaded build in Chromium, the demo page, the packed package in a fresh Vite app, the worker soak"
node tests/e2e/relaxed.test.mjs 2>&1 | tee -a "$log"
node tests/e2e/threads.test.mjs 2>&1 | tee -a "$log"
npm run --silent build:demo
node tests/e2e/demo.test.mjs 2>&1 | tee -a "$log"
node tests/e2e/package.test.mjs 2>&1 | tee -a "$log"
node tests/e2e/soak.test.mjs 2>&1 | tee -a "$log"

tier "5. fuzz smoke: each cargo-fuzz target for ${FUZZ_SECONDS:=20} s from the committed seeds"
flog=$(mktemp)
for target in model_file safetensors offsets token_pipeline redaction; do
  if ! cargo +nightly fuzz run -O "$target" -- -max_total_time="$FUZZ_SECONDS" -max_len=120000 \
      -rss_limit_mb=2048 -timeout=30 >"$flog" 2>&1; then
    tail -60 "$flog"
    echo "fuzz: $target failed; the input is in fuzz/artifacts/$target/"
    exit 1
  fi
  echo "test result: ok. 1 passed; 0 failed; fuzz $target: $(grep -E '^Done' "$flog")" | tee -a "$log"
done
rm -f "$flog"

# One closing line over every test run above: cargo's "test result:", vitest's "Tests  N passed
# | M failed", and the end-to-end scripts' "# N passed, M failed".
sed 's/\x1b\[[0-9;]*m//g' "$log" | awk '
  /^test result:/ { for (i = 1; i <= NF; i++) { if ($i ~ /^passed;?$/) p += $(i-1); if ($i ~ /^failed;?$/) f += $(i-1) } }
  /^ *Tests +[0-9]/ { for (i = 1; i <= NF; i++) { if ($i ~ /^passed/) p += $(i-1); if ($i ~ /^failed/) f += $(i-1) } }
  /^# [0-9]+ passed, [0-9]+ failed$/ { p += $2; f += $4 }
  END { printf "\ntests: %d passed, %d failed\n", p, f }'
