#!/usr/bin/env python3
"""PyTorch f32 logits of the default NER, POS and SST-2 models (models/.cache/trained/, made by
models/train/) on a few held-out sentences, for tests/default_models.rs.

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
    tok = tokenizers.Tokenizer.from_file(os.path.join(root, "ner", "tokenizer.json"))
    out = {"generator": {"script": "tests/golden/make_default_models_golden.py", "torch": torch.__version__,
                         "transformers": transformers.__version__, "tokenizers": tokenizers.__version__},
           "models": {}}
    for name, kind in [("ner", "token"), ("pos", "token"), ("sst2", "sequence")]:
        folder = os.path.join(root, name)
        cls = AutoModelForTokenClassification if kind == "token" else AutoModelForSequenceClassification
        model = cls.from_pretrained(folder).eval()
        cases = []
        for text in SENTENCES[kind]:
            ids = tok.encode(text).ids
            with torch.no_grad():
                logits = model(input_ids=torch.tensor([ids])).logits[0]
            cases.append({"text": text, "input_ids": ids,
                          "logits": [[round(float(x), 5) for x in row] for row in logits.reshape(-1, logits.shape[-1])]})
        out["models"][name] = {"labels": [model.config.id2label[i] for i in range(model.config.num_labels)], "cases": cases}
    path = "tests/golden/default_models.json"
    with open(path, "w") as f:
        json.dump(out, f, ensure_ascii=False, indent=0)
    print("wrote", path, os.path.getsize(path))

if __name__ == "__main__":
    main()
