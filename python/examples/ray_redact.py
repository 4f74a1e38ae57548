"""Bulk PII redaction on Ray Data: JSON Lines in, the same records out with one field redacted.

    python python/examples/ray_redact.py INPUT.jsonl OUTPUT_DIR [--field text] [--actors 2]
        [--batch-size 64] [--num-cpus 1] [--model PATH | --no-model] [--hash-key KEY]

Each actor loads the model once and redacts whole batches with `PiiRedactor.redact_batch`
(the GIL released, `RAYON_NUM_THREADS` = the actor's `num_cpus` threads). Records keep their
other fields (give them an id to join on) and their order (`preserve_order`). docs/python.md
says how to run it on a multi-node cluster.
"""

import argparse
import os

import ray


class Redactor:
    """One model per actor: `__init__` runs once per actor, `__call__` once per batch."""

    def __init__(self, model, field, num_cpus, options):
        # rayon builds its pool at the first parallel call and reads this then: one thread per
        # CPU Ray reserved for the actor (at least one), so actors on one node do not
        # oversubscribe it.
        os.environ["RAYON_NUM_THREADS"] = str(max(1, round(num_cpus)))
        import tokenveil

        self.field = field
        self.redactor = tokenveil.PiiRedactor(model, no_model=model is None, **options)

    def __call__(self, batch):
        texts = [str(t) for t in batch[self.field]]
        out = self.redactor.redact_batch(texts)
        batch[self.field] = [r["text"] for r in out]
        batch["pii_types"] = [sorted({s["entity_type"] for s in r["spans"]}) for r in out]
        return batch


def redact_dataset(ds, *, model, field="text", actors=2, batch_size=64, num_cpus=1, options=None):
    """`ds` with `field` redacted and a `pii_types` column, by a pool of `actors` actors."""
    return ds.map_batches(
        Redactor,
        fn_constructor_kwargs={"model": model, "field": field, "num_cpus": num_cpus, "options": options or {}},
        batch_size=batch_size,
        batch_format="pandas",
        num_cpus=num_cpus,
        compute=ray.data.ActorPoolStrategy(size=actors),
    )


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--field", default="text")
    ap.add_argument("--actors", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=64)
    # Below 1 (0.5) leaves logical CPUs to the read and write tasks when the actors would
    # otherwise take every CPU of the cluster (they would then wait for each other forever).
    ap.add_argument("--num-cpus", type=float, default=1)
    ap.add_argument("--model", default="models/pii/pii-q8_0.gguf")
    ap.add_argument("--no-model", action="store_true")
    ap.add_argument("--hash-key", help="needed when an operator is hash: every actor must hash alike")
    args = ap.parse_args()

    ray.init(address=os.environ.get("RAY_ADDRESS"))
    ray.data.DataContext.get_current().execution_options.preserve_order = True
    model = None if args.no_model else os.path.abspath(args.model)
    options = {"hash_key": args.hash_key} if args.hash_key else {}
    ds = ray.data.read_json(args.input)
    out = redact_dataset(
        ds, model=model, field=args.field, actors=args.actors, batch_size=args.batch_size,
        num_cpus=args.num_cpus, options=options,
    )
    out.write_json(args.output)


if __name__ == "__main__":
    main()
