#!/usr/bin/env bash
# Records per second of `tokenveil redact`: one process over N records (`--jsonl`) against one
# process per record, on the first N texts of a Presidio-style PII JSON file (default: the
# shared data set, ../shared/data/pii), replicated when N is larger than the file. Prints a
# Markdown table; writes nothing in the repo.
#
#   bench/cli-jsonl.sh [N] [PII_JSON]     # from the repository root, after
#                                         # cargo build --release --features cli
#   JSONL_ONLY=1 bench/cli-jsonl.sh 100000   # only the --jsonl rows (one process per record
#                                            # takes about 0.1 s a record)
set -euo pipefail
n=${1:-200}
data=${2:-../shared/data/pii/presidio_synth_dataset_v2.json}
jsonl_only=${JSONL_ONLY:-0}
bin=target/release/tokenveil
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# One JSON string a line for --jsonl; the same texts NUL-separated for the per-record loop.
python3 - "$data" "$n" "$tmp" <<'EOF'
import json, sys
data, n, tmp = sys.argv[1], int(sys.argv[2]), sys.argv[3]
texts = [s["full_text"] for s in json.load(open(data, encoding="utf-8"))]
texts = (texts * (n // len(texts) + 1))[:n]
with open(f"{tmp}/in.jsonl", "w", encoding="utf-8") as f:
    f.writelines(json.dumps(t) + "\n" for t in texts)
with open(f"{tmp}/in.nul", "w", encoding="utf-8") as f:
    f.write("".join(t + "\0" for t in texts))
EOF

now() { date +%s.%N; }
row() { # label, seconds
  awk -v label="$1" -v s="$2" -v n="$n" 'BEGIN { printf "| %s | %d | %.2f | %.1f |\n", label, n, s, n / s }'
}

echo "| how | records | seconds | records/s |"
echo "|---|---:|---:|---:|"
for mode in model no-model; do
  flags=()
  [ "$mode" = no-model ] && flags=(--no-model)
  what="default PII model"
  [ "$mode" = no-model ] && what="--no-model (patterns)"
  "$bin" redact "${flags[@]}" "warm the page cache" > /dev/null
  t0=$(now)
  "$bin" redact "${flags[@]}" --jsonl --input "$tmp/in.jsonl" > "$tmp/out.jsonl"
  t1=$(now)
  row "$what, one process: \`redact --jsonl\`" "$(echo "$t1 - $t0" | bc -l)"
  [ "$(wc -l < "$tmp/out.jsonl")" -eq "$n" ] || { echo "expected $n output lines" >&2; exit 1; }
  [ "$jsonl_only" = 1 ] && continue
  t0=$(now)
  while IFS= read -r -d '' text; do
    "$bin" redact "${flags[@]}" "$text" > /dev/null
  done < "$tmp/in.nul"
  t1=$(now)
  row "$what, one process per record" "$(echo "$t1 - $t0" | bc -l)"
done
