#!/usr/bin/env python3
"""Seeded generator of tiny random BERT / DistilBERT classifiers and their
PyTorch reference logits (golden files for tokenveil's parity tests).

Usage:
    python3 tests/golden/make_tiny.py --out tests/golden/tiny
    python3 tests/golden/make_tiny.py --base-size OUT_DIR   # one base-size model, not committed

Reference environment (recorded in every golden.json under "generator"):
    torch 2.11.0, transformers 5.17.0, tokenizers 0.23.2, safetensors 0.8.0

Everything is deterministic: fixed seeds, a dedicated torch.Generator for the
weights, a forward pass on CPU in float32 with one thread and eager attention.
Running the script twice gives byte-identical files.

Output layout (``--out DIR``):
    DIR/<model>/config.json          save_pretrained (transformers' own writer)
    DIR/<model>/model.safetensors    save_pretrained(safe_serialization=True)
    DIR/<model>/tokenizer.json       tokenizers' own JSON, no padding, no truncation
    DIR/<model>/golden.json          inputs + reference logits
    DIR/distilbert-token/model.{f16,bf16}.safetensors and the same for bert-token:
                                     the same state dict, cast to half precision
    DIR/vocab.txt                    the WordPiece vocabulary (one token a line, id = line index)

golden.json:
    {"generator": {...}, "architecture": "...", "num_labels": N, "id2label": {...},
     "max_length": 64, "cases": [{"name", "texts", "tokens", "input_ids", "attention_mask",
     "truncated", "logits", ["logits_f16", "logits_bf16"]}]}
    * input_ids are padded with 0 ([PAD]) to the longest sequence of the batch;
      token_type_ids are all 0 (not stored).
    * token heads: logits[batch][seq][label] (padding positions included: they come from
      the same batched forward; compare only where attention_mask == 1 if your runtime
      does not compute them the same way); sequence heads: logits[batch][label].
    * values are float32 logits rounded to 7 significant digits.
    * logits_f16 / logits_bf16: the model whose weights are read from
      model.{f16,bf16}.safetensors, upcast to float32, run in float32.
    * the case with "truncated": true was encoded with truncation to max_length (64)
      tokens, [SEP] kept last; "untruncated_length" gives the length before truncation.
"""

import argparse
import hashlib
import json
import os
import platform
import sys

from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
import tokenizers

SEED = 20240917
MAX_LEN = 64

SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]

WORDS = [
    "the", "a", "an", "and", "or", "is", "in", "of", "to", "i", "it", "this", "that",
    "was", "not", "very", "good", "bad", "great", "movie", "love", "hate", "crab",
    "lives", "live", "friends", "friend", "hello", "world", "my", "name", "new",
    "york", "city", "paris", "john", "smith", "he", "she", "they", "we", "you",
    "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "line", "text", "with",
    "tab", "space", "jose", "zurich", "muller", "tokyo", "japan", "for", "on", "at",
    "by", "from", "as", "be", "are", "were", "have", "has", "had", "but", "all", "one",
    "two", "three", "day", "time", "people", "year", "like", "just", "can", "will",
    "would", "about", "out", "up", "what", "there", "so", "if", "no", "yes", "much",
    "more", "talk", "city", "much", "loves", "movies",
    # capitalised entries (only reachable through the cased tokenizer); José and Müller
    # are deliberately absent so that the cased tokenizer splits them into ##é / ##ü pieces
    "The", "I", "John", "Smith", "Paris", "London", "Tokyo", "New", "York", "City", "Zürich",
]

SUBWORDS = [
    "##s", "##ing", "##ed", "##er", "##ly", "##es", "##ion", "##tion", "##ment",
    "##ness", "##able", "##ll", "##th", "##ab", "un", "re",
]

PUNCT = list("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")

ACCENTED = ["é", "ü", "ñ"]
CJK = ["東", "京", "日", "本"]
ARABIC = ["م", "ر", "ح", "ب", "ا"]   # مرحبا is fully covered: م ##ر ##ح ##ب ##ا
HEBREW = ["ש", "ל", "ו"]             # no final mem (ם): שלום becomes [UNK]
EMOJI = ["😀"]                       # 🦀 is not in the vocabulary -> [UNK]

LABELS_NER = {0: "O", 1: "B-PER", 2: "I-PER", 3: "B-LOC", 4: "I-LOC"}

CASES = [
    ("single", ["hello world, this is a good movie."]),
    ("batch_padded", [
        "hi",
        "The quick brown fox jumps over the lazy dog, and my friend John Smith lives in New York City!",
        "I hate this, Señor.",
    ]),
    ("emoji", ["I love 😀 and 🦀 crabs"]),
    ("accents", ["José Müller lives in Zürich"]),
    ("cjk", ["東京 is in 日本"]),
    ("rtl", ["שלום and مرحبا friends"]),
    ("unk", ["ⵣⵣⵣ ☃ qzx"]),
    ("max_length_truncated", [
        "The quick brown fox jumps over the lazy dog. " * 4
        + "My friend John Smith lives in Paris, and he loves the city very much; "
        "we were talking about movies, crabs and Tokyo."
    ]),
    ("whitespace", ["  hello\tworld \n\n this\r\nis   a\u00a0new\u3000line \t\n "]),
]

# (folder, architecture, family, tokenizer variant, num_labels, id2label, problem_type, half copies)
MODELS = [
    ("distilbert-token", "DistilBertForTokenClassification", "distilbert", "uncased",
     5, LABELS_NER, None, True),
    ("distilbert-seq", "DistilBertForSequenceClassification", "distilbert", "uncased",
     3, {0: "negative", 1: "neutral", 2: "positive"}, "single_label_classification", False),
    ("bert-token", "BertForTokenClassification", "bert", "cased",
     5, LABELS_NER, None, True),
    ("bert-seq", "BertForSequenceClassification", "bert", "cased",
     2, {0: "NEGATIVE", 1: "POSITIVE"}, "single_label_classification", False),
    ("bert-seq-multilabel", "BertForSequenceClassification", "bert", "uncased",
     4, {0: "toxic", 1: "insult", 2: "threat", 3: "obscene"}, "multi_label_classification", False),
    ("distilbert-token-nolabels", "DistilBertForTokenClassification", "distilbert", "uncased",
     3, None, None, False),
]

TINY = dict(dim=32, layers=2, heads=4, ffn=48, max_pos=MAX_LEN)


# --------------------------------------------------------------------------- vocabulary

def build_vocab():
    vocab = []
    seen = set()

    def add(tok):
        if tok not in seen:
            seen.add(tok)
            vocab.append(tok)

    for t in SPECIALS:
        add(t)
    lower = [chr(c) for c in range(ord("a"), ord("z") + 1)]
    upper = [chr(c) for c in range(ord("A"), ord("Z") + 1)]
    digits = [chr(c) for c in range(ord("0"), ord("9") + 1)]
    for t in lower + upper + digits + PUNCT:
        add(t)
    for t in lower + upper + digits:
        add("##" + t)
    for t in WORDS:
        add(t)
    for t in SUBWORDS:
        add(t)
    for t in ACCENTED:
        add(t)
        add("##" + t)
    for t in CJK:
        add(t)
    for t in ARABIC:
        add(t)
        add("##" + t)
    for t in HEBREW:
        add(t)
        add("##" + t)
    for t in EMOJI:
        add(t)
    return vocab


def build_tokenizer(vocab, variant):
    wp = models.WordPiece(
        {t: i for i, t in enumerate(vocab)},
        unk_token="[UNK]",
        continuing_subword_prefix="##",
        max_input_chars_per_word=100,
    )
    tok = Tokenizer(wp)
    if variant == "uncased":
        # BERT default: strip_accents follows lowercase (None -> True here)
        tok.normalizer = normalizers.BertNormalizer(
            clean_text=True, handle_chinese_chars=True, strip_accents=None, lowercase=True)
    elif variant == "cased":
        tok.normalizer = normalizers.BertNormalizer(
            clean_text=True, handle_chinese_chars=True, strip_accents=False, lowercase=False)
    else:
        raise ValueError(variant)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    cls_id, sep_id = vocab.index("[CLS]"), vocab.index("[SEP]")
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", cls_id), ("[SEP]", sep_id)],
    )
    tok.decoder = decoders.WordPiece(prefix="##")
    tok.add_special_tokens(SPECIALS)
    tok.no_padding()
    tok.no_truncation()
    return tok


def encode_cases(tok):
    """Returns the list of case dicts (no logits yet)."""
    out = []
    for name, texts in CASES:
        truncated = name == "max_length_truncated"
        case = {"name": name, "texts": texts}
        if truncated:
            full = tok.encode_batch(texts)
            untrunc = max(len(e.ids) for e in full)
            assert untrunc > MAX_LEN, f"truncation case is only {untrunc} tokens"
            t2 = Tokenizer.from_str(tok.to_str())
            t2.enable_truncation(max_length=MAX_LEN)
            encs = t2.encode_batch(texts)
            assert all(len(e.ids) == MAX_LEN and e.ids[-1] == tok.token_to_id("[SEP]") for e in encs)
            case["truncated"] = True
            case["max_length"] = MAX_LEN
            case["untruncated_length"] = untrunc
        else:
            encs = tok.encode_batch(texts)
            assert all(len(e.ids) <= MAX_LEN for e in encs)
            case["truncated"] = False
        longest = max(len(e.ids) for e in encs)
        case["tokens"] = [list(e.tokens) for e in encs]
        case["input_ids"] = [list(e.ids) + [0] * (longest - len(e.ids)) for e in encs]
        case["attention_mask"] = [[1] * len(e.ids) + [0] * (longest - len(e.ids)) for e in encs]
        out.append(case)
    return out


# --------------------------------------------------------------------------- JSON output

def r7(x):
    return float(f"{x:.7g}")


def round_nested(v):
    if isinstance(v, list):
        return [round_nested(x) for x in v]
    return r7(v)


def dumps(obj, indent=0):
    """JSON with indentation, but lists of scalars on one line (compact, diff-friendly)."""
    pad = " " * indent
    pad2 = " " * (indent + 1)
    if isinstance(obj, dict):
        if not obj:
            return "{}"
        items = [f"{pad2}{json.dumps(str(k), ensure_ascii=False)}: {dumps(v, indent + 1)}"
                 for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(obj, list):
        if all(not isinstance(x, (list, dict)) for x in obj):
            return "[" + ", ".join(json.dumps(x, ensure_ascii=False) for x in obj) + "]"
        items = [pad2 + dumps(x, indent + 1) for x in obj]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    return json.dumps(obj, ensure_ascii=False)


def write_text(path, s):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(s)
        if not s.endswith("\n"):
            f.write("\n")


# --------------------------------------------------------------------------- torch part

def torch_imports():
    import torch
    import transformers
    import safetensors
    import numpy
    return torch, transformers, safetensors, numpy


def generator_info(torch, transformers, safetensors, numpy, seed):
    return {
        "script": "tests/golden/make_tiny.py",
        "seed": seed,
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "tokenizers": tokenizers.__version__,
        "safetensors": safetensors.__version__,
        "numpy": numpy.__version__,
        "python": platform.python_version(),
        "device": "cpu",
        "dtype": "float32",
        "num_threads": 1,
        "attn_implementation": "eager",
        "token_type_ids": "all zeros",
        "logits_rounding": "7 significant digits",
    }


def make_config(transformers, family, vocab_size, sizes, num_labels, id2label, problem_type):
    kw = {}
    if id2label is not None:
        kw["id2label"] = {int(k): v for k, v in id2label.items()}
        kw["label2id"] = {v: int(k) for k, v in id2label.items()}
    else:
        kw["num_labels"] = num_labels
    if problem_type is not None:
        kw["problem_type"] = problem_type
    if family == "distilbert":
        cfg = transformers.DistilBertConfig(
            vocab_size=vocab_size,
            dim=sizes["dim"],
            n_layers=sizes["layers"],
            n_heads=sizes["heads"],
            hidden_dim=sizes["ffn"],
            max_position_embeddings=sizes["max_pos"],
            activation="gelu",
            sinusoidal_pos_embds=False,
            pad_token_id=0,
            **kw,
        )
    else:
        cfg = transformers.BertConfig(
            vocab_size=vocab_size,
            hidden_size=sizes["dim"],
            num_hidden_layers=sizes["layers"],
            num_attention_heads=sizes["heads"],
            intermediate_size=sizes["ffn"],
            max_position_embeddings=sizes["max_pos"],
            type_vocab_size=2,
            hidden_act="gelu",
            layer_norm_eps=1e-12,
            pad_token_id=0,
            **kw,
        )
    assert cfg.num_labels == num_labels
    return cfg


def init_weights(torch, model, seed, std):
    """Overwrite every parameter from a dedicated generator: normal(std) for matrices and
    embeddings, 1 + N(0, 0.1) for LayerNorm weights, N(0, 0.1) for biases."""
    g = torch.Generator(device="cpu").manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            noise = torch.randn(p.shape, generator=g, dtype=torch.float32)
            is_ln = ("LayerNorm" in name or "layer_norm" in name) and name.endswith(".weight")
            if is_ln:
                p.copy_(1.0 + 0.1 * noise)
            elif name.endswith(".bias"):
                p.copy_(0.1 * noise)
            else:
                p.copy_(std * noise)


def forward_logits(torch, model, family, case):
    ids = torch.tensor(case["input_ids"], dtype=torch.long)
    mask = torch.tensor(case["attention_mask"], dtype=torch.long)
    kw = dict(input_ids=ids, attention_mask=mask)
    if family == "bert":
        kw["token_type_ids"] = torch.zeros_like(ids)
    with torch.no_grad():
        out = model(**kw)
    return out.logits.to(torch.float32)


def load_ref_model(transformers, arch, folder):
    cls = getattr(transformers, arch)
    m = cls.from_pretrained(folder, attn_implementation="eager", dtype="float32")
    m.eval()
    return m


def build_model_dir(libs, out_dir, spec, vocab, tok, sizes, std, seed, gen_info):
    torch, transformers, safetensors, numpy = libs
    from safetensors.torch import load_file, save_file

    folder_name, arch, family, variant, num_labels, id2label, problem_type, halves = spec
    folder = os.path.join(out_dir, folder_name)
    os.makedirs(folder, exist_ok=True)

    cfg = make_config(transformers, family, len(vocab), sizes, num_labels, id2label, problem_type)
    torch.manual_seed(seed)
    cls = getattr(transformers, arch)
    model = cls(cfg)
    init_weights(torch, model, seed, std)
    model.eval()

    if family == "bert":
        tte = model.bert.embeddings.token_type_embeddings.weight
        assert tte[0].abs().sum() > 0, "token_type_embeddings row 0 must be non-zero"

    model.save_pretrained(folder, safe_serialization=True)
    tok.save(os.path.join(folder, "tokenizer.json"), pretty=True)

    # Reload exactly what was written and make sure it is the same model.
    ref = load_ref_model(transformers, arch, folder)
    sd_mem = model.state_dict()
    sd_ref = ref.state_dict()
    for k, v in sd_ref.items():
        assert torch.equal(v, sd_mem[k]), f"reloaded tensor differs: {k}"

    saved = load_file(os.path.join(folder, "model.safetensors"))
    half_sets = {}
    if halves:
        for suffix, dt in (("f16", torch.float16), ("bf16", torch.bfloat16)):
            hsd = {k: v.to(dt).contiguous() for k, v in saved.items()}
            path = os.path.join(folder, f"model.{suffix}.safetensors")
            save_file(hsd, path, metadata={"format": "pt"})
            half_sets[suffix] = path

    cases = encode_cases(tok)
    for case in cases:
        lg = forward_logits(torch, ref, family, case)
        lg_mem = forward_logits(torch, model, family, case)
        assert torch.allclose(lg, lg_mem, atol=1e-5, rtol=1e-5), "in-memory and reloaded model disagree"
        case["logits"] = round_nested(lg.tolist())

    for suffix, path in half_sets.items():
        hm = load_ref_model(transformers, arch, folder)
        hsd = load_file(path)
        up = {k: v.to(torch.float32) for k, v in hsd.items()}
        missing, unexpected = hm.load_state_dict(up, strict=False)
        assert not unexpected, unexpected
        # only non-persistent buffers may be missing
        assert all(k.endswith("position_ids") or k.endswith("token_type_ids") for k in missing), missing
        hm.eval()
        for case in cases:
            case["logits_" + suffix] = round_nested(forward_logits(torch, hm, family, case).tolist())

    golden = {
        "generator": gen_info,
        "architecture": arch,
        "model_type": family,
        "tokenizer": variant,
        "num_labels": num_labels,
        "id2label": {str(i): n for i, n in sorted(((int(k), v) for k, v in ref.config.id2label.items()))},
        "problem_type": problem_type,
        "max_length": sizes["max_pos"],
        "weight_names": sorted(saved.keys()),
        "cases": cases,
    }
    write_text(os.path.join(folder, "golden.json"), dumps(golden))
    for f in os.listdir(folder):  # safetensors writes 0600; make the tree uniform
        os.chmod(os.path.join(folder, f), 0o644)
    return folder


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        h.update(f.read())
    return h.hexdigest()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--out", help="output folder for the six tiny models (tests/golden/tiny)")
    g.add_argument("--base-size", metavar="OUT_DIR",
                   help="write one random base-size DistilBertForTokenClassification (not committed)")
    ap.add_argument("--tokenizer-only", action="store_true",
                    help="only write vocab.txt and the two tokenizers + encoded cases (no torch needed)")
    args = ap.parse_args()

    vocab = build_vocab()
    toks = {v: build_tokenizer(vocab, v) for v in ("uncased", "cased")}

    if args.tokenizer_only:
        out = args.out or args.base_size
        os.makedirs(out, exist_ok=True)
        write_text(os.path.join(out, "vocab.txt"), "\n".join(vocab))
        for v, t in toks.items():
            t.save(os.path.join(out, f"tokenizer-{v}.json"), pretty=True)
            write_text(os.path.join(out, f"cases-{v}.json"), dumps(encode_cases(t)))
        print(f"vocab size {len(vocab)}; wrote tokenizers to {out}")
        return

    libs = torch_imports()
    torch = libs[0]
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)

    if args.base_size:
        out = args.base_size
        os.makedirs(out, exist_ok=True)
        base_seed = SEED + 1000
        sizes = dict(dim=768, layers=6, heads=12, ffn=3072, max_pos=MAX_LEN)
        labels9 = {0: "O", 1: "B-PER", 2: "I-PER", 3: "B-ORG", 4: "I-ORG",
                   5: "B-LOC", 6: "I-LOC", 7: "B-MISC", 8: "I-MISC"}
        spec = ("distilbert-base-token", "DistilBertForTokenClassification", "distilbert", "uncased",
                9, labels9, None, True)
        # keep activations in the same range as the tiny models: std scaled by sqrt(32/768)
        std = 0.2 * (32 / 768) ** 0.5
        gen_info = generator_info(*libs, base_seed)
        gen_info["init_std"] = std
        folder = build_model_dir(libs, out, spec, vocab, toks["uncased"], sizes, std, base_seed, gen_info)
        print("wrote", folder)
        return

    out = args.out
    os.makedirs(out, exist_ok=True)
    write_text(os.path.join(out, "vocab.txt"), "\n".join(vocab))
    for i, spec in enumerate(MODELS):
        seed = SEED + i
        std = 0.2
        gen_info = generator_info(*libs, seed)
        gen_info["init_std"] = std
        folder = build_model_dir(libs, out, spec, vocab, toks[spec[3]], TINY, std, seed, gen_info)
        print("wrote", folder)

    print("sha256:")
    for root, _, files in sorted(os.walk(out)):
        for f in sorted(files):
            p = os.path.join(root, f)
            print(f"  {sha256(p)}  {os.path.relpath(p, out)}  {os.path.getsize(p)}")


if __name__ == "__main__":
    sys.exit(main())
