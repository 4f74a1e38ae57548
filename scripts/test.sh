#!/usr/bin/env bash
# Sets everything up (scripts/setup.sh) and runs every test tier. What CI runs (.ci/run).
#   1. native Rust: unit, integration, parity and pipeline tests, doc tests; model reproducibility
#   2. wasm: the release builds (simd128, relaxed SIMD, threads), the npm package build,
#      wasm-bindgen-test in Node and in Chromium
#   3. TypeScript package: vitest (in Node, on the built package) and type tests
#   4. end to end in Debian's Chromium: the relaxed and threaded builds, the demo page, a
#      throwaway app using the packed package, and a 10,000-call soak through the worker
#   5. a short fuzz run of every cargo-fuzz target (FUZZ_SECONDS each, default 20)
#   6. the Python package: its wheel (maturin) installed in a fresh venv, pytest against the CLI,
#      and the Ray Data job on a local cluster
#
# Usage:
#   scripts/test.sh                  every tier, in order (what CI runs)
#   scripts/test.sh TIER...          only the named tiers, in the order given above
#   scripts/test.sh --list           the tier names, one a line (--help: what each runs)
#   scripts/test.sh --no-setup TIER...  skip scripts/setup.sh (on a machine already set up)
#   scripts/test.sh --heavy [TIER...]    also the slow check kept out of CI: in the native tier,
#                                    `cargo publish --dry-run` (a full build of the packaged crate)
# Tiers: native, reproducible, wasm-build, wasm-test, js, e2e, fuzz, python (tests/README.md says what
# each needs and how long it takes). wasm-test, js and e2e test the package that wasm-build last
# built (dist/, target/relaxed/): run wasm-build with them after changing src/ or js/.
set -euo pipefail
cd "$(dirname "$0")/.."

# name|what it runs; the order is the order tiers run in.
TIERS=(
  "native|1. cargo test --all-targets and the doc tests"
  "reproducible|1. the shipped model files rebuilt from their recipe, byte for byte"
  "wasm-build|2. the three wasm32 release builds and the npm package (npm run build)"
  "wasm-test|2. wasm-bindgen-test in Node and in headless Chromium (simd128, then relaxed SIMD)"
  "js|3. vitest on the built package and the type tests (npm test)"
  "e2e|4. end to end in Chromium: relaxed and threaded builds, demo page, demo uploads, packed package, soak"
  "fuzz|5. each cargo-fuzz target for FUZZ_SECONDS (default 20) from the committed seeds"
  "python|6. the Python wheel (maturin) in a fresh venv: pytest against the CLI, and the Ray Data job on a local cluster"
)
names=()
for t in "${TIERS[@]}"; do names+=("${t%%|*}"); done

usage() {
  echo "usage: scripts/test.sh [--no-setup] [--heavy] [TIER...]   (no TIER: every tier; --list: the names)"
  echo "tiers:"
  for t in "${TIERS[@]}"; do printf '  %-13s %s\n' "${t%%|*}" "${t#*|}"; done
}

setup=1
heavy=0
wanted=()
for arg in "$@"; do
  case "$arg" in
    --list)
      printf '%s\n' "${names[@]}"
      exit 0 ;;
    --no-setup) setup=0 ;;
    --heavy) heavy=1 ;;
    -h|--help) usage; exit 0 ;;
    *)
      known=0
      for n in "${names[@]}"; do [ "$n" = "$arg" ] && known=1; done
      if [ "$known" = 0 ]; then
        echo "scripts/test.sh: unknown tier '$arg'; the tiers are: ${names[*]}" >&2
        usage >&2
        exit 2
      fi
      wanted+=("$arg") ;;
  esac
done
[ "${#wanted[@]}" -eq 0 ] && wanted=("${names[@]}")
selected() { local w; for w in "${wanted[@]}"; do [ "$w" = "$1" ] && return 0; done; return 1; }

# A tier that tests the built package needs one, when wasm-build is not in this run.
if ! selected wasm-build && { selected js || selected e2e; } && [ ! -f dist/index.js ]; then
  echo "scripts/test.sh: no built package in dist/: run 'scripts/test.sh wasm-build' first (or name it with the others)" >&2
  exit 2
fi

if [ "$setup" = 1 ]; then scripts/setup.sh; fi
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

# Tests that need the converted Rampart model fail (rather than skip) when it is missing.
export TOKENVEIL_REQUIRE_MODELS=1

# fuzz/ is its own workspace with its own committed Cargo.lock, which cargo does not update when
# Cargo.toml's dependencies change; `cargo fuzz run` has no --locked and would rewrite the file
# (so a test run left the tree modified). Check it before any tier runs: the fuzz targets build
# against the committed lock, and a stale one fails now rather than after the other tiers.
if selected fuzz && ! cargo +nightly metadata --manifest-path fuzz/Cargo.toml --format-version 1 --locked >/dev/null; then
  echo "scripts/test.sh: fuzz/Cargo.lock does not match Cargo.toml; update it with" >&2
  echo "  cargo +nightly update --manifest-path fuzz/Cargo.toml --workspace" >&2
  echo "and commit it (git diff fuzz/Cargo.lock shows the change)" >&2
  exit 1
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
tier() { printf '\n== %s\n' "$*"; }

tier_native() {
  tier "1. native unit, integration and parity tests, doc tests"
  cargo test --all-targets 2>&1 | tee -a "$log"
  cargo test --doc 2>&1 | tee -a "$log"
  if [ "$heavy" = 1 ]; then
    cargo test --test crate_package -- --ignored 2>&1 | tee -a "$log"
  fi
}

tier_reproducible() {
  tier "1. shipped model files are reproducible from their recipe"
  scripts/build-models.sh --check
}

tier_wasm_build() {
  tier "2. wasm32 release builds (simd128; simd128 + relaxed SIMD; relaxed SIMD + threads) and the npm package (wasm-bindgen, wasm-opt, tsc)"
  npm run build
}

tier_wasm_test() {
  tier "2. wasm-bindgen-test: the facade in Node, then in headless Chromium"
  local wasm_test=(cargo test --profile wasm-release --target wasm32-unknown-unknown --no-default-features --test wasm --test wasm_qgemm --test wasm_activations)
  "${wasm_test[@]}" 2>&1 | tee -a "$log"
  WASM_BINDGEN_USE_BROWSER=1 CHROMEDRIVER=/usr/bin/chromedriver "${wasm_test[@]}" 2>&1 | tee -a "$log"
  # The relaxed-SIMD kernel, in Chromium (Node 20's relaxed SIMD computes wrong sums: js/wasm.ts),
  # in the target dir `npm run build` compiled that build in, so its dependencies are reused.
  RUSTFLAGS="-C target-feature=+simd128,+relaxed-simd" CARGO_TARGET_DIR=target/relaxed \
    WASM_BINDGEN_USE_BROWSER=1 CHROMEDRIVER=/usr/bin/chromedriver \
    cargo test --profile wasm-release --target wasm32-unknown-unknown --no-default-features --test wasm_qgemm 2>&1 | tee -a "$log"
}

tier_js() {
  tier "3. TypeScript package: vitest and type tests"
  npm run --silent test:js 2>&1 | tee -a "$log"
  npm run --silent test:types
  echo "type tests: ok"
}

tier_e2e() {
  tier "4. end to end: the relaxed-SIMD build's accuracy and the threaded build in Chromium, the demo page, its uploads, the packed package in a fresh Vite app, the worker soak"
  # package.json's test:e2e: tests/e2e/relaxed, threads, then build:demo and demo, upload, package, soak.
  npm run --silent test:e2e 2>&1 | tee -a "$log"
}

tier_fuzz() {
  tier "5. fuzz smoke: each cargo-fuzz target for ${FUZZ_SECONDS:=20} s from the committed seeds"
  local flog target
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
}

tier_python() {
  tier "6. Python package: the wheel built by maturin, installed in a fresh venv, pytest"
  local started=$SECONDS wheels=target/wheels
  # The tests' reference is the CLI: the debug build, which the native and reproducible tiers
  # have already built in a full run (a release build of it would cost minutes more).
  cargo build --bin tokenveil 2>&1 | tee -a "$log"
  rm -rf "$wheels"
  # One target dir with the root, and the dev profile (python/Cargo.toml copies the root's
  # profiles): the wheel reuses the dependencies the native tier compiled, whose features
  # Cargo.toml and python/Cargo.toml line up; tests/README.md says what it costs. The tests
  # check behaviour, not speed; a wheel to use is `maturin build --release`.
  CARGO_TARGET_DIR="$PWD/target" .dev/venv/bin/maturin build --profile dev -m python/Cargo.toml \
    -o "$wheels" -i python3 2>&1 | grep -v '^ *Compiling '
  # A fresh venv each run: the tests see the wheel as a user installs it, not a stale copy.
  rm -rf .dev/pyvenv
  python3 -m venv .dev/pyvenv
  # Ray Data is part of the tier: its test runs the example job on a local 2-CPU cluster.
  .dev/pyvenv/bin/python -m pip install -q --disable-pip-version-check "$wheels"/tokenveil-*.whl pytest==9.2.0 \
    -r python/requirements-ray.txt
  TOKENVEIL_RAY=1 TOKENVEIL_CLI="$PWD/target/debug/tokenveil" .dev/pyvenv/bin/python -m pytest python/tests -q -p no:cacheprovider 2>&1 | tee -a "$log"
  echo "python tier: $((SECONDS - started)) s"
}

for n in "${names[@]}"; do
  if selected "$n"; then "tier_${n//-/_}"; fi
done

# One closing line over every test run above: cargo's "test result:", vitest's "Tests  N passed
# | M failed", and the end-to-end scripts' "# N passed, M failed".
sed 's/\x1b\[[0-9;]*m//g' "$log" | awk '
  /^test result:/ { for (i = 1; i <= NF; i++) { if ($i ~ /^passed;?$/) p += $(i-1); if ($i ~ /^failed;?$/) f += $(i-1) } }
  /^ *Tests +[0-9]/ { for (i = 1; i <= NF; i++) { if ($i ~ /^passed/) p += $(i-1); if ($i ~ /^failed/) f += $(i-1) } }
  /^# [0-9]+ passed, [0-9]+ failed$/ { p += $2; f += $4 }
  /^=* *([0-9]+ [a-z]+, )*[0-9]+ [a-z]+ in [0-9.]+s/ { for (i = 2; i <= NF; i++) { if ($i ~ /^passed,?$/) p += $(i-1); if ($i ~ /^failed,?$/) f += $(i-1) } }
  END { printf "\ntests: %d passed, %d failed\n", p, f }'
