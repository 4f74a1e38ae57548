#!/usr/bin/env python3
"""Check the converted Rampart folder: a plain numpy BERT on hf/model.safetensors against
onnxruntime on the original 4-bit ONNX file.

    python3 models/rampart/check_numpy.py [models/.cache/rampart] [--tol 1e-3] [--golden [FILE]]

The numpy forward documents the math tokenveil implements (Hugging Face
BertForTokenClassification, eval mode, float32):
    x   = LayerNorm(word[ids] + position[0..T-1] + token_type[0])         eps = layer_norm_eps
    per layer:
        q, k, v = x Wq^T + bq, x Wk^T + bk, x Wv^T + bv                     12 heads of 32
        a   = softmax(q k^T / sqrt(32) + (1 - mask) * finfo(f32).min) v     mask over keys
        x   = LayerNorm(x + a Wo^T + bo)
        h   = gelu(x Wi^T + bi),  gelu(z) = z/2 * (1 + erf(z / sqrt 2))      exact erf GELU
        x   = LayerNorm(x + h Wd^T + bd)
    logits = x Wc^T + bc
It runs the sentences one by one and also as one right-padded batch (attention mask 0 on
padding; logits compared on real tokens only), with --golden also every case of
tests/golden/rampart_ort.json, and exits non-zero if max |Δlogit| > tol or an argmax differs.
"""
import argparse
import json
import math
import sys
from pathlib import Path

import numpy as np
import onnxruntime as ort
from safetensors.numpy import load_file
from tokenizers import Tokenizer

ROOT = Path(__file__).resolve().parents[2]

SENTENCES = [
    "My name is John Smith and my email is john.smith@example.com.",
    "Call me at (415) 555-0132 or +44 20 7946 0958.",
    "I live at 1600 Pennsylvania Avenue NW, Washington, DC 20500.",
    "My SSN is 123-45-6789 and my routing number is 021000021.",
    "José Müller flew from Zürich to 東京 😀",
    "The weather is nice today.",
]


def erf(x):
    # Vectorised math.erf (exact to double precision); numpy has no erf.
    return np.vectorize(math.erf, otypes=[np.float64])(x.astype(np.float64)).astype(np.float32)


def layer_norm(x, w, b, eps):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + np.float32(eps)) * w + b


def linear(x, t, name):
    return x @ t[name + ".weight"].T + t[name + ".bias"]


def forward(t, cfg, ids, mask):
    """ids, mask: (B, T) int arrays. Returns (B, T, num_labels) float32 logits."""
    B, T = ids.shape
    H, nh = cfg["hidden_size"], cfg["num_attention_heads"]
    d = H // nh
    eps = cfg["layer_norm_eps"]
    e = "bert.embeddings."
    x = (t[e + "word_embeddings.weight"][ids] + t[e + "position_embeddings.weight"][np.arange(T)]
         + t[e + "token_type_embeddings.weight"][np.zeros_like(ids)])
    x = layer_norm(x, t[e + "LayerNorm.weight"], t[e + "LayerNorm.bias"], eps)
    bias = ((1.0 - mask.astype(np.float32)) * np.finfo(np.float32).min)[:, None, None, :]
    for i in range(cfg["num_hidden_layers"]):
        p = f"bert.encoder.layer.{i}."
        heads = lambda z: z.reshape(B, T, nh, d).transpose(0, 2, 1, 3)
        q = heads(linear(x, t, p + "attention.self.query"))
        k = heads(linear(x, t, p + "attention.self.key"))
        v = heads(linear(x, t, p + "attention.self.value"))
        s = q @ k.transpose(0, 1, 3, 2) / np.float32(math.sqrt(d)) + bias
        s = np.exp(s - s.max(-1, keepdims=True))
        a = (s / s.sum(-1, keepdims=True)) @ v
        a = a.transpose(0, 2, 1, 3).reshape(B, T, H)
        x = layer_norm(x + linear(a, t, p + "attention.output.dense"),
                       t[p + "attention.output.LayerNorm.weight"],
                       t[p + "attention.output.LayerNorm.bias"], eps)
        h = linear(x, t, p + "intermediate.dense")
        h = h * np.float32(0.5) * (np.float32(1.0) + erf(h / np.float32(math.sqrt(2.0))))
        x = layer_norm(x + linear(h, t, p + "output.dense"),
                       t[p + "output.LayerNorm.weight"], t[p + "output.LayerNorm.bias"], eps)
    return linear(x, t, "classifier")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("folder", nargs="?", type=Path, default=ROOT / "models/.cache/rampart")
    ap.add_argument("--tol", type=float, default=1e-3)
    ap.add_argument("--golden", type=Path, nargs="?", const=ROOT / "tests/golden/rampart_ort.json",
                    help="also compare with every case of a golden file written by "
                         "tests/golden/make_rampart_golden.py (default path if no value)")
    args = ap.parse_args()
    hf = args.folder / "hf"
    cfg = json.loads((hf / "config.json").read_text())
    t = load_file(str(hf / "model.safetensors"))
    assert all(v.dtype == np.float32 for v in t.values())
    tok = Tokenizer.from_file(str(hf / "tokenizer.json"))
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    sess = ort.InferenceSession(str(args.folder / "original/onnx/model_q4.onnx"), so,
                                providers=["CPUExecutionProvider"])
    labels = [cfg["id2label"][str(i)] for i in range(len(cfg["id2label"]))]

    encs = [tok.encode(s) for s in SENTENCES]
    T = max(len(e.ids) for e in encs)
    ids = np.zeros((len(encs), T), np.int64)
    mask = np.zeros((len(encs), T), np.int64)
    for b, e in enumerate(encs):
        ids[b, :len(e.ids)] = e.ids
        mask[b, :len(e.ids)] = 1

    def ort_run(i, m):
        return sess.run(["logits"], {"input_ids": i, "attention_mask": m,
                                     "token_type_ids": np.zeros_like(i)})[0]

    worst = 0.0
    argmax_same = True
    np_batch = forward(t, cfg, ids, mask)
    ort_batch = ort_run(ids, mask)
    for b, (s, e) in enumerate(zip(SENTENCES, encs)):
        n = len(e.ids)
        one_ids, one_mask = ids[b:b + 1, :n], mask[b:b + 1, :n]
        ref = ort_run(one_ids, one_mask)[0]
        ours = forward(t, cfg, one_ids, one_mask)[0]
        d_single = float(np.abs(ours - ref).max())
        d_batch = float(np.abs(np_batch[b, :n] - ref).max())
        d_ort_batch = float(np.abs(ort_batch[b, :n] - ref).max())
        worst = max(worst, d_single, d_batch)
        argmax_same &= bool((ours.argmax(-1) == ref.argmax(-1)).all())
        tags = [f"{tk}/{labels[j]}" for tk, j in zip(e.tokens, ref.argmax(-1)) if labels[j] != "O"]
        print(f"{s!r}: {n} tokens, |Δ| single {d_single:.2e}, padded batch {d_batch:.2e} "
              f"(ORT batch vs single {d_ort_batch:.2e})")
        print("    " + (" ".join(tags) or "(all O)"))
    if args.golden:
        g = json.loads(args.golden.read_text(encoding="utf-8"))
        gw, tokens = 0.0, 0
        for case in g["cases"]:
            i = np.array([case["input_ids"]], np.int64)
            assert tok.encode(case["text"]).ids == case["input_ids"], case["text"]
            ours = forward(t, cfg, i, np.ones_like(i))[0]
            ref = np.array(case["logits"], np.float32)
            gw = max(gw, float(np.abs(ours - ref).max()))
            argmax_same &= bool((ours.argmax(-1) == ref.argmax(-1)).all())
            tokens += len(case["input_ids"])
        print(f"{args.golden.name}: {len(g['cases'])} cases, {tokens} tokens, "
              f"max |Δlogit| {gw:.3e}")
        worst = max(worst, gw)
    print(f"max |Δlogit| numpy vs onnxruntime = {worst:.3e} (tol {args.tol}); "
          f"argmax identical: {argmax_same}")
    if worst > args.tol or not argmax_same:
        sys.exit(1)


if __name__ == "__main__":
    main()
