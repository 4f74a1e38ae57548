#!/usr/bin/env bash
# Sets everything up, builds the npm package and the demo page with the default models, and
# serves it on http://127.0.0.1:${PORT:-8080}/ (Ctrl-C stops it). Everything runs in the page:
# the text typed there never leaves it.
#   scripts/demo.sh            the browser demo
#   scripts/demo.sh --cli "text"   the same PII model on the command line (redacted text)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh >/dev/null
if [ "${1:-}" = "--cli" ]; then
  cargo build --quiet --release --bin tokenveil
  text=${2:-"Hi, I'm Maria Garcia. Email maria.garcia@example.com or call (415) 555-0132."}
  exec target/release/tokenveil redact --model models/pii/pii-q8_0.gguf "$text"
fi
npm run --silent build
npm run --silent build:demo
echo
echo "demo: open the URL below (served with a strict Content-Security-Policy and cross-origin"
echo "isolated, so the threaded build runs; Ctrl-C stops it)"
exec node scripts/serve.mjs www/dist --port "${PORT:-8080}" --csp --isolate
