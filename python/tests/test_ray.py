"""python/examples/ray_redact.py on a local 2-CPU Ray cluster: every record comes back, keyed,
equal to one process's `redact_batch`. scripts/test.sh's python tier installs
python/requirements-ray.txt and sets TOKENVEIL_RAY=1; without it (a venv with no Ray) it is skipped.
"""

import json
import os
import random
import sys
from pathlib import Path

import pytest

if os.environ.get("TOKENVEIL_RAY") != "1":
    pytest.skip("the Ray test runs with TOKENVEIL_RAY=1 and python/requirements-ray.txt installed (scripts/test.sh python)", allow_module_level=True)

import ray  # noqa: E402

import tokenveil  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = str(ROOT / "python/examples")
sys.path.insert(0, EXAMPLES)
from ray_redact import redact_dataset  # noqa: E402

PII = str(ROOT / "models/pii/pii-q8_0.gguf")


def records(n):
    rng = random.Random(7)
    names = ["Ada Lovelace", "Zoë Müller", "Yuki Tanaka", "John Smith", "Amina Diallo"]
    out = []
    for i in range(n):
        name = rng.choice(names)
        phone = f"415-555-{rng.randrange(10000):04d}"
        text = rng.choice(
            [
                f"Call {name} on {phone} 🙂",
                f"{name} <{name.split()[0].lower()}@example.com> wrote from 東京.",
                f"Ticket {i}: nothing personal.",
                f"Card 4111 1111 1111 1111 for {name}, born 03/04/1985.",
            ]
        )
        out.append({"id": i, "text": text})
    return out


def test_ray_job_equals_one_process(tmp_path):
    rows = records(300)
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    want = tokenveil.PiiRedactor(PII).redact_batch([r["text"] for r in rows])

    # The workers unpickle the actor class by module name: they need the example on their path.
    ray.init(num_cpus=2, include_dashboard=False, runtime_env={"env_vars": {"PYTHONPATH": EXAMPLES}})
    try:
        ray.data.DataContext.get_current().execution_options.preserve_order = True
        # Two actors of half a CPU each (one rayon thread each): two whole CPUs for them would
        # leave none for the read and write tasks, and the job would wait forever.
        ds = redact_dataset(ray.data.read_json(str(src)), model=PII, actors=2, batch_size=32, num_cpus=0.5)
        out_dir = tmp_path / "out"
        ds.write_json(str(out_dir))
        # In order, straight from the dataset, as well as through the written files.
        in_order = [r["id"] for r in ds.take_all()]
    finally:
        ray.shutdown()
    assert in_order == list(range(len(rows)))
    got = {}
    for f in sorted(out_dir.glob("*.json*")):
        for line in f.read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            assert rec["id"] not in got
            got[rec["id"]] = rec
    assert sorted(got) == list(range(len(rows)))
    for r, w in zip(rows, want):
        rec = got[r["id"]]
        assert rec["text"] == w["text"], (r, rec, w)
        assert list(rec["pii_types"]) == sorted({s["entity_type"] for s in w["spans"]})
    assert sum(1 for w in want if w["spans"]) > 200
