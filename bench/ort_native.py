#!/usr/bin/env python3
"""onnxruntime's native CPU run of the same ONNX files the Transformers.js page loads.

    bench/.venv/bin/python bench/ort_native.py MODEL.onnx FOLDER --threads 1 [--lengths ...]

FOLDER holds tokenizer.json and inputs.json (bench/prepare.py). Tokenization is done once,
untimed (Hugging Face tokenizers); what is timed is `InferenceSession.run` on the padded batch:
the forward pass, to compare with tokenveil's native forward time. Same repetition rule as
the pages and bench/native. Prints JSON on stdout.
"""
import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("folder")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--lengths", default="16,64,128,256,512")
    ap.add_argument("--batches", default="1,8")
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--warmup-budget-ms", type=float, default=2000)
    ap.add_argument("--min-reps", type=int, default=5)
    ap.add_argument("--max-reps", type=int, default=20)
    ap.add_argument("--budget-ms", type=float, default=4000)
    a = ap.parse_args()

    folder = Path(a.folder)
    tok = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tok.no_truncation()
    tok.no_padding()
    texts = json.loads((folder / "inputs.json").read_text())["texts"]

    so = ort.SessionOptions()
    so.intra_op_num_threads = a.threads
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    session = ort.InferenceSession(a.model, so, providers=["CPUExecutionProvider"])
    names = {i.name for i in session.get_inputs()}

    cases = []
    for length in a.lengths.split(","):
        for batch in map(int, a.batches.split(",")):
            encs = [tok.encode(t) for t in texts[length][:batch]]
            n = max(len(e.ids) for e in encs)
            feeds = {
                "input_ids": np.array([e.ids + [0] * (n - len(e.ids)) for e in encs], dtype=np.int64),
                "attention_mask": np.array([[1] * len(e.ids) + [0] * (n - len(e.ids)) for e in encs], dtype=np.int64),
            }
            if "token_type_ids" in names:
                feeds["token_type_ids"] = np.zeros_like(feeds["input_ids"])
            run = lambda: session.run(None, feeds)
            warm = 0.0
            for i in range(max(1, a.warmup)):
                if i > 0 and warm >= a.warmup_budget_ms:
                    break
                t0 = time.perf_counter()
                run()
                warm += (time.perf_counter() - t0) * 1e3
            times, spent = [], 0.0
            while len(times) < a.max_reps and (len(times) < a.min_reps or spent < a.budget_ms):
                t0 = time.perf_counter()
                run()
                ms = (time.perf_counter() - t0) * 1e3
                times.append(ms)
                spent += ms
            tokens = sum(len(e.ids) for e in encs)
            print(f"  {length} tokens x{batch}: {len(times)} runs, median {sorted(times)[len(times)//2]:.2f} ms",
                  file=sys.stderr)
            cases.append({"length": length, "batch": batch, "tokens": tokens, "forward_ms": times})
    print(json.dumps({"onnxruntime": ort.__version__, "threads": a.threads, "cases": cases}))


if __name__ == "__main__":
    sys.exit(main())
