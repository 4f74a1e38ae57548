#!/usr/bin/env python3
"""Records per second of Presidio redacting: AnalyzerEngine.analyze then AnonymizerEngine.anonymize
(its default operator, "<ENTITY_TYPE>"), one record after the other, on the `full_text` fields of
a Presidio-style JSON file replicated to --records. The peer row of docs/python.md's speed table.

    bash eval/presidio/setup.sh
    .dev/presidio/bin/python eval/presidio/speed.py --data GOLD.json --records 10000

The analyzer is the baseline's (run.py: Presidio's default configuration with spaCy's small model).
Prints one line; writes nothing.
"""

import argparse
import json
import time

from run import build_analyzer, LANGUAGE  # sets the thread and tldextract environment first

from presidio_anonymizer import AnonymizerEngine  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", required=True, help="JSON list of {full_text, ...}")
    ap.add_argument("--records", type=int, default=10_000)
    args = ap.parse_args()
    with open(args.data, encoding="utf-8") as f:
        texts = [r["full_text"] for r in json.load(f)]
    texts = (texts * (args.records // len(texts) + 1))[: args.records]

    analyzer, anonymizer = build_analyzer(), AnonymizerEngine()
    # One untimed record: spaCy and the recognizers do their lazy set-up on the first call.
    anonymizer.anonymize(text=texts[0], analyzer_results=analyzer.analyze(text=texts[0], language=LANGUAGE))
    start = time.perf_counter()
    spans = 0
    for text in texts:
        results = analyzer.analyze(text=text, language=LANGUAGE)
        anonymizer.anonymize(text=text, analyzer_results=results)
        spans += len(results)
    seconds = time.perf_counter() - start
    n = len(texts)
    print(
        f"presidio analyzer+anonymizer: {n} records ({sum(map(len, texts)) / n:.0f} chars each on "
        f"average, {spans} spans) in {seconds:.1f} s: {n / seconds:.1f} records/s"
    )


if __name__ == "__main__":
    main()
