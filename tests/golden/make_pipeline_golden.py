#!/usr/bin/env python3
"""Reference outputs of the Hugging Face pipelines for tokenveil's pipeline tests.

    python3 tests/golden/make_pipeline_golden.py            # tiny models -> tests/golden/pipelines/
    python3 tests/golden/make_pipeline_golden.py --rampart models/.cache/rampart/hf

Pinned reference environment (recorded in the output): transformers 5.17.0, torch 2.11.0,
tokenizers 0.23.2; CPU, float32. Offsets in the output are Python string (code point)
offsets, exactly as the pipeline returns them.

Cases: every aggregation strategy without stride; every strategy but `none` with a stride
over a text longer than the model's window (the pipeline refuses `none` with a stride);
text classification with top_k=None and every function_to_apply, and a truncated long text.
"""
import argparse, json, os, platform, sys

import torch
import transformers
import tokenizers
from transformers import (AutoModelForSequenceClassification, AutoModelForTokenClassification,
                          PreTrainedTokenizerFast, pipeline)

TEXTS = [
    "John Smith lives in Tokyo and works at the bank.",
    "José Müller moved to Zürich 😀 last year!",
    "東京 is in 日本, said Señor Alvarez.",
    "ⵣⵣⵣ ☃ qzx unknown tokens here",
    "hello\n\tworld   spaced out",
    "",
]
# Longer than 64 tokens for the tiny models (and than 512 for Rampart with --rampart).
LONG_TINY = " ".join(["John Smith met Mary Jones in Paris and Tokyo on a sunny day."] * 12)

class WindowedTokenizer(PreTrainedTokenizerFast):
    """The pipeline's tokenizer, except that `return_overflowing_tokens` returns every window.

    tokenizers 0.23.2 (the Python binding and the Rust crate's `encode`) returns only the first
    overflowing window: a 314-token text with max_length 64 and stride 8 comes back as windows
    of 64 and 13 tokens, and the pipeline then silently ignores the rest of the text. The
    windows here are cut exactly as `Encoding::truncate` in tokenizers describes (parts of
    `max_length - 2` content tokens starting every `max_length - 2 - stride` tokens, the last
    one reaching the end), each wrapped in [CLS] ... [SEP]; everything after tokenization is
    the pipeline's own code.
    """

    def __call__(self, text, **kwargs):
        if not kwargs.get("return_overflowing_tokens"):
            return super().__call__(text, **kwargs)
        stride = kwargs["stride"]
        # Earlier calls leave truncation switched on in the backend: switch it off.
        self._tokenizer.no_truncation()
        enc = self._tokenizer.encode(text, add_special_tokens=False)
        n, width = len(enc.ids), self.model_max_length - 2
        parts, start = [], 0
        while True:
            stop = min(start + width, n)
            parts.append((start, stop))
            if stop == n:
                break
            start += width - stride
        longest = max(stop - start for start, stop in parts) + 2
        rows = {k: [] for k in ["input_ids", "attention_mask", "special_tokens_mask", "offset_mapping"]}
        for start, stop in parts:
            ids = [self.cls_token_id] + enc.ids[start:stop] + [self.sep_token_id]
            offsets = [(0, 0)] + enc.offsets[start:stop] + [(0, 0)]
            pad = longest - len(ids)
            rows["input_ids"].append(ids + [self.pad_token_id] * pad)
            rows["attention_mask"].append([1] * len(ids) + [0] * pad)
            rows["special_tokens_mask"].append([1] + [0] * (len(ids) - 2) + [1] + [1] * pad)
            rows["offset_mapping"].append(offsets + [(0, 0)] * pad)
        return transformers.BatchEncoding({k: torch.tensor(v) for k, v in rows.items()})


def tokenizer_for(folder, max_len):
    tok = WindowedTokenizer(
        tokenizer_file=os.path.join(folder, "tokenizer.json"),
        unk_token="[UNK]", cls_token="[CLS]", sep_token="[SEP]", pad_token="[PAD]", mask_token="[MASK]",
        model_max_length=max_len,
    )
    return tok

def plain(x):
    if isinstance(x, dict):
        return {k: plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [plain(v) for v in x]
    if hasattr(x, "item"):
        return x.item()
    return x

def token_cases(folder, max_len, long_text, strides):
    tok = tokenizer_for(folder, max_len)
    model = AutoModelForTokenClassification.from_pretrained(folder).eval()
    pipe = pipeline("token-classification", model=model, tokenizer=tok, device="cpu")
    cases = []
    for text in TEXTS:
        for strategy in ["none", "simple", "first", "average", "max"]:
            out = pipe(text, aggregation_strategy=strategy)
            cases.append({"text": text, "aggregation_strategy": strategy, "stride": None, "entities": plain(out)})
        out = pipe(text, aggregation_strategy="simple", ignore_labels=[])
        cases.append({"text": text, "aggregation_strategy": "simple", "stride": None, "ignore_labels": [], "entities": plain(out)})
    for stride in strides:
        for strategy in ["simple", "first", "average", "max"]:
            out = pipe(long_text, aggregation_strategy=strategy, stride=stride)
            cases.append({"text": long_text, "aggregation_strategy": strategy, "stride": stride, "entities": plain(out)})
    return cases

def text_cases(folder, max_len):
    tok = tokenizer_for(folder, max_len)
    model = AutoModelForSequenceClassification.from_pretrained(folder).eval()
    pipe = pipeline("text-classification", model=model, tokenizer=tok, device="cpu")
    cases = []
    for text in TEXTS + [LONG_TINY]:
        for fn in [None, "softmax", "sigmoid", "none"]:
            kwargs = {"top_k": None, "truncation": True}
            if fn is not None:
                kwargs["function_to_apply"] = fn
            out = pipe(text, **kwargs)
            cases.append({"text": text, "function_to_apply": fn or "default", "top_k": None, "labels": plain(out)})
        out = pipe(text, truncation=True)  # default top_k=1
        cases.append({"text": text, "function_to_apply": "default", "top_k": 1, "labels": plain(out)})
    return cases

def generator():
    return {"script": "tests/golden/make_pipeline_golden.py", "transformers": transformers.__version__,
            "torch": torch.__version__, "tokenizers": tokenizers.__version__, "python": platform.python_version()}

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tiny", default="tests/golden/tiny")
    ap.add_argument("--out", default="tests/golden/pipelines")
    ap.add_argument("--rampart", help="converted Rampart HF folder; writes rampart.json")
    args = ap.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(1)
    os.makedirs(args.out, exist_ok=True)
    if args.rampart:
        long_text = " ".join([
            "My name is Maria Garcia and my email is maria.garcia@example.com.",
            "Call me at (415) 555-0132 or visit 1600 Amphitheatre Parkway, Mountain View, CA 94043.",
        ] * 14)
        data = {"generator": generator(), "model": "rampart", "max_length": 512,
                "cases": token_cases(args.rampart, 512, long_text, [64])}
        path = os.path.join(args.out, "rampart.json")
    else:
        data = {"generator": generator(), "max_length": 64, "models": {}}
        for name in ["distilbert-token", "bert-token", "distilbert-token-nolabels"]:
            data["models"][name] = token_cases(os.path.join(args.tiny, name), 64, LONG_TINY, [8, 24])
        for name in ["distilbert-seq", "bert-seq", "bert-seq-multilabel"]:
            data["models"][name] = text_cases(os.path.join(args.tiny, name), 64)
        path = os.path.join(args.out, "tiny.json")
    with open(path, "w") as f:
        json.dump(data, f, ensure_ascii=False, indent=0)
    print("wrote", path, os.path.getsize(path), "bytes")

if __name__ == "__main__":
    sys.exit(main())
