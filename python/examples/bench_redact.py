"""Records per second of PiiRedactor.redact_batch on the `full_text` fields of a Presidio-style
JSON file, replicated to --records; in one process, or with --ray on a local Ray cluster
through ray_redact.py's actor pool.

    RAYON_NUM_THREADS=2 python python/examples/bench_redact.py DATA.json --records 2000
    python python/examples/bench_redact.py DATA.json --records 2000 --ray --actors 2
"""

import argparse
import json
import os
import sys
import time

ap = argparse.ArgumentParser()
ap.add_argument("data")
ap.add_argument("--records", type=int, default=100_000)
ap.add_argument("--batch-size", type=int, default=256)
ap.add_argument("--model", default="models/pii/pii-q8_0.gguf")
ap.add_argument("--ray", action="store_true")
ap.add_argument("--actors", type=int, default=2)
args = ap.parse_args()

with open(args.data, encoding="utf-8") as f:
    texts = [r["full_text"] for r in json.load(f)]
texts = (texts * (args.records // len(texts) + 1))[: args.records]
model = os.path.abspath(args.model)

if args.ray:
    import ray

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from ray_redact import redact_dataset

    ray.init(num_cpus=args.actors, include_dashboard=False,
             runtime_env={"env_vars": {"PYTHONPATH": os.path.dirname(os.path.abspath(__file__))}})
    ray.data.DataContext.get_current().execution_options.preserve_order = True
    ds = ray.data.from_items([{"id": i, "text": t} for i, t in enumerate(texts)])
    start = time.perf_counter()
    # Half a CPU per actor (one rayon thread each) leaves CPUs for the other tasks.
    n = redact_dataset(ds, model=model, actors=args.actors, batch_size=args.batch_size, num_cpus=0.5).materialize().count()
    seconds = time.perf_counter() - start
else:
    import tokenveil

    redactor = tokenveil.PiiRedactor(model)
    start = time.perf_counter()
    n = 0
    for i in range(0, len(texts), args.batch_size):
        n += len(redactor.redact_batch(texts[i : i + args.batch_size]))
    seconds = time.perf_counter() - start
chars = sum(len(t) for t in texts)
print(f"{n} records ({chars / n:.0f} chars each on average) in {seconds:.1f} s: {n / seconds:.1f} records/s")
