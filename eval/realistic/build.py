#!/usr/bin/env python3
"""Build a hand-written PII test set: DIR/pii.json from DIR/source.txt (DIR: eval/realistic by
default, or eval/holdout).

Markup of source.txt (python3 stdlib only, no third-party code):
  * Lines before the first document header are comments and are ignored.
  * A document starts with a header line  "===== <id> <kind>"  and runs up to the
    next header (leading and trailing blank lines of a document are dropped).
  * A gold span is written  ⟦TYPE|value⟧  (U+27E6 ... U+27E7); the value may run
    across line breaks. Spans do not nest.
  * Escapes, usable anywhere (inside or outside spans):
      ⟨tab⟩ -> U+0009   ⟨nbsp⟩ -> U+00A0   ⟨nnbsp⟩ -> U+202F   ⟨zwsp⟩ -> U+200B
The mathematical brackets ⟦ ⟧ ⟨ ⟩ never occur in the texts themselves, so the
markup cannot clash with brackets, pipes or other characters in the data.

Usage:  python3 eval/realistic/build.py [DIR]     (writes DIR/pii.json; DIR defaults to eval/realistic)
"""
import collections
import hashlib
import json
import os
import re
import sys
import unicodedata

HERE = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(HERE, "source.txt")
OUTPUT = os.path.join(HERE, "pii.json")

TYPES = {
    "PERSON", "ORGANIZATION", "LOCATION", "ADDRESS", "DATE", "DATE_OF_BIRTH", "AGE",
    "TITLE", "NRP", "EMAIL", "PHONE", "URL", "USERNAME", "IP_ADDRESS", "CREDIT_CARD",
    "IBAN", "BANK_ACCOUNT", "ROUTING_NUMBER", "US_SSN", "PASSPORT", "DRIVERS_LICENSE",
    "TAX_ID", "MEDICAL_CONDITION",
}
ESCAPES = {"tab": "\t", "nbsp": "\u00a0", "nnbsp": "\u202f", "zwsp": "\u200b"}
MARKUP_CHARS = "⟦⟧⟨⟩"
HEADER = re.compile(r"^===== (\S+) (\S+)\s*$")
ESCAPE = re.compile(r"⟨([a-z]+)⟩")
SPAN = re.compile(r"⟦([A-Z_]+)\|([^⟦⟧]*)⟧")


def unescape(s):
    def sub(m):
        if m.group(1) not in ESCAPES:
            raise ValueError(f"unknown escape {m.group(0)!r}")
        return ESCAPES[m.group(1)]
    return ESCAPE.sub(sub, s)


def digits(value):
    """The decimal digits of value, full-width and other Unicode digits normalised."""
    return "".join(str(unicodedata.decimal(c)) for c in value if unicodedata.decimal(c, None) is not None)


def luhn_ok(value):
    d = digits(value)
    if not 12 <= len(d) <= 19:
        return False
    total = 0
    for i, ch in enumerate(reversed(d)):
        n = int(ch)
        if i % 2:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


def iban_ok(value):
    s = "".join(c for c in unicodedata.normalize("NFKC", value) if c.isalnum()).upper()
    if not re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{10,30}", s):
        return False
    r = s[4:] + s[:4]
    return int("".join(str(int(c, 36)) for c in r)) % 97 == 1


def aba_ok(value):
    d = [int(c) for c in digits(value)]
    if len(d) != 9:
        return False
    return (3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + d[2] + d[5] + d[8]) % 10 == 0


def ssn_ok(value):
    d = digits(value)
    if len(d) != 9:
        return False
    area, group, serial = d[:3], d[3:5], d[5:]
    return area not in ("000", "666") and not area.startswith("9") and group != "00" and serial != "0000"


CHECKS = {"CREDIT_CARD": luhn_ok, "IBAN": iban_ok, "ROUTING_NUMBER": aba_ok, "US_SSN": ssn_ok}


def split_documents(source):
    docs, current = [], None
    for lineno, line in enumerate(source.split("\n"), 1):
        m = HEADER.match(line)
        if m:
            current = {"id": m.group(1), "kind": m.group(2), "line": lineno, "lines": []}
            docs.append(current)
        elif line.startswith("=====") and current is not None:
            raise ValueError(f"line {lineno}: malformed header {line!r}")
        elif current is not None:
            current["lines"].append(line)
    return docs


def parse(raw, where):
    """Turn one marked-up document into (full_text, spans)."""
    text, spans, pos = [], [], 0
    offset = 0  # length of the text built so far, in code points
    for m in SPAN.finditer(raw):
        before = unescape(raw[pos:m.start()])
        text.append(before)
        offset += len(before)
        etype, value = m.group(1), unescape(m.group(2))
        if etype not in TYPES:
            raise ValueError(f"{where}: unknown type {etype!r}")
        if not value or value != value.strip() or value.strip("\u200b\u00a0\u202f") != value:
            raise ValueError(f"{where}: empty span or span with surrounding space: {value!r}")
        spans.append({"entity_type": etype, "entity_value": value,
                      "start_position": offset, "end_position": offset + len(value)})
        text.append(value)
        offset += len(value)
        pos = m.end()
    tail = unescape(raw[pos:])
    text.append(tail)
    return "".join(text), spans


def main():
    with open(SOURCE, encoding="utf-8") as f:
        source = f.read()
    docs = split_documents(source)
    out, seen = [], set()
    for d in docs:
        where = f"{d['id']} (source line {d['line']})"
        lines = d["lines"]
        while lines and not lines[0].strip():
            lines = lines[1:]
        while lines and not lines[-1].strip():
            lines = lines[:-1]
        if not lines:
            raise ValueError(f"{where}: empty document")
        full_text, spans = parse("\n".join(lines), where)
        if d["id"] in seen:
            raise ValueError(f"{where}: duplicate id")
        seen.add(d["id"])
        assert not any(c in full_text for c in MARKUP_CHARS), f"{where}: markup left in text"
        assert not any(HEADER.match(l) for l in full_text.split("\n")), f"{where}: header in text"
        spans.sort(key=lambda s: (s["start_position"], s["end_position"]))
        for a, b in zip(spans, spans[1:]):
            assert a["end_position"] <= b["start_position"], f"{where}: overlapping spans {a} {b}"
        for s in spans:
            assert full_text[s["start_position"]:s["end_position"]] == s["entity_value"], f"{where}: {s}"
            check = CHECKS.get(s["entity_type"])
            if check and not check(s["entity_value"]):
                raise ValueError(f"{where}: {s['entity_type']} {s['entity_value']!r} fails its checksum")
        out.append({"id": d["id"], "kind": d["kind"], "full_text": full_text, "spans": spans})

    with open(OUTPUT, "w", encoding="utf-8", newline="\n") as f:
        json.dump(out, f, ensure_ascii=False, indent=1, sort_keys=False)
        f.write("\n")
    with open(OUTPUT, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()

    by_type = collections.Counter(s["entity_type"] for d in out for s in d["spans"])
    by_kind = collections.Counter(d["kind"] for d in out)
    spans_by_kind = collections.Counter()
    for d in out:
        spans_by_kind[d["kind"]] += len(d["spans"])
    print(f"documents: {len(out)}   spans: {sum(by_type.values())}   "
          f"documents without spans: {sum(1 for d in out if not d['spans'])}")
    print("spans per type:")
    for t in sorted(TYPES, key=lambda t: (-by_type[t], t)):
        print(f"  {t:<18} {by_type[t]:>4}")
    print("documents (spans) per kind:")
    for k in sorted(by_kind):
        print(f"  {k:<18} {by_kind[k]:>4} ({spans_by_kind[k]})")
    missing = sorted(t for t in TYPES if by_type[t] < 5)
    if missing:
        print(f"WARNING: types with fewer than 5 spans: {missing}", file=sys.stderr)
    print(f"sha256 {digest}  {os.path.relpath(OUTPUT)}")


if __name__ == "__main__":
    main()
