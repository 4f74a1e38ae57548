#!/usr/bin/env python3
"""PyTorch f32 logits of the default NER, POS, SST-2 and PII models (models/.cache/trained/, made
by models/train/; the PII model is the folder pii-soup) on a few held-out sentences, for
tests/default_models.rs. Models whose folder is missing keep their entry in the existing file.

    python3 tests/golden/make_default_models_golden.py [models/.cache/trained]

Pinned reference: transformers 5.17.0, torch 2.11.0, tokenizers 0.23.2; CPU, float32.
"""
import json, os, sys
import torch, transformers, tokenizers
from transformers import AutoModelForSequenceClassification, AutoModelForTokenClassification

SENTENCES = {
    "token": [
        "Angela Merkel met Emmanuel Macron in Berlin on Tuesday.",
        "Shares of Apple Inc. fell 3 percent on the Nasdaq after the report from Reuters.",
        "The European Union will fund a new railway between Lisbon and Madrid.",
        "Manchester United signed the Brazilian striker for 40 million pounds.",
        "she said the weather in tokyo was colder than in new york",
        "Dr. Ruth Okafor of the World Health Organization spoke in Geneva.",
    ],
    "pii": [
        "Hi, I'm Maria Garcia. Email maria.garcia@example.com or call (415) 555-0132.",
        "Pt Tomasz Nowak, 67, seen at St Olaf Hospital on 3 March 2024 for atrial fibrillation.",
        "Ship to Flat 2, 14 Harbour Road, Dunmore East, X91 K2P3, Ireland - attn: the night manager",
        "2025-01-07T09:12:44Z sshd[811]: Accepted publickey for jdoe from 10.4.19.22 port 52110",
        "ciao, sono giulia bianchi e lavoro come infermiera a torino",
        "Our new CFO, Dr. Aiko Tanaka, joined Brightwater Analytics Ltd. last spring.",
    ],
    "sequence": [
        "a gorgeous, witty, seductive movie.",
        "the plot is a tired retread of better films and the acting is wooden.",
        "not bad at all, though it drags in the middle.",
        "an utterly forgettable experience.",
        "one of the most moving films of the year",
        "i wanted to like it, but i could n't.",
    ],
}

def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "models/.cache/trained"
    torch.set_num_threads(1)
    path = "tests/golden/default_models.json"
    old = json.load(open(path))["models"] if os.path.exists(path) else {}
    out = {"generator": {"script": "tests/golden/make_default_models_golden.py", "torch": torch.__version__,
                         "transformers": transformers.__version__, "tokenizers": tokenizers.__version__},
           "models": {}}
    for name, kind, sub in [("ner", "token", "ner"), ("pos", "token", "pos"), ("sst2", "sequence", "sst2"),
                            ("pii", "pii", "pii-soup")]:
        folder = os.path.join(root, sub)
        if not os.path.isdir(folder):
            out["models"][name] = old[name]
            print(f"{name}: no {folder}, kept from the existing file")
            continue
        cls = AutoModelForSequenceClassification if kind == "sequence" else AutoModelForTokenClassification
        tok = tokenizers.Tokenizer.from_file(os.path.join(folder, "tokenizer.json"))  # one vocabulary for all
        model = cls.from_pretrained(folder).eval()
        cases = []
        for text in SENTENCES[kind]:
            ids = tok.encode(text).ids
            with torch.no_grad():
                logits = model(input_ids=torch.tensor([ids])).logits[0]
            cases.append({"text": text, "input_ids": ids,
                          "logits": [[round(float(x), 5) for x in row] for row in logits.reshape(-1, logits.shape[-1])]})
        out["models"][name] = {"labels": [model.config.id2label[i] for i in range(model.config.num_labels)], "cases": cases}
    with open(path, "w") as f:
        json.dump(out, f, ensure_ascii=False, indent=0)
    print("wrote", path, os.path.getsize(path))

if __name__ == "__main__":
    main()
