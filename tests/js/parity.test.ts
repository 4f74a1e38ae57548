// The package against the Hugging Face pipelines: the same goldens the Rust tests read
// (tests/golden/pipelines, made by transformers 5.17), now through wasm and the TypeScript API.
// Goldens count offsets in code points (Python), so the calls ask for `offsets: "codepoint"`.
import { describe, expect, test } from "vitest";
import { TextClassifier, TokenClassifier, type AggregationStrategy } from "../../dist/index.js";
import { cachedModel, hfFolder, json } from "./helpers.js";

interface TokenCase {
  text: string;
  aggregation_strategy: AggregationStrategy;
  stride: number | null;
  ignore_labels?: string[];
  entities: { entity?: string; entity_group?: string; score: number; index?: number; word: string; start: number; end: number }[];
}
interface TextCase {
  text: string;
  function_to_apply: "default" | "sigmoid" | "softmax" | "none";
  top_k: number | null;
  labels: { label: string; score: number }[];
}

function checkTokenCases(model: TokenClassifier, cases: TokenCase[]): number {
  let worst = 0;
  for (const c of cases) {
    const { entities } = model.classify(c.text, {
      aggregationStrategy: c.aggregation_strategy,
      stride: c.stride ?? undefined,
      ignoreLabels: c.ignore_labels,
      offsets: "codepoint",
    });
    const what = `${c.aggregation_strategy} stride ${c.stride} ${c.text.slice(0, 30)}`;
    expect(entities.length, what).toBe(c.entities.length);
    entities.forEach((ours, i) => {
      const theirs = c.entities[i]!;
      expect(ours.entityGroup, what).toBe(theirs.entity_group);
      expect(ours.entity, what).toBe(theirs.entity);
      expect(ours.index, what).toBe(theirs.index);
      expect([ours.word, ours.start, ours.end], what).toEqual([theirs.word, theirs.start, theirs.end]);
      worst = Math.max(worst, Math.abs(ours.score - theirs.score));
    });
  }
  return worst;
}

const tiny = json<{ models: Record<string, (TokenCase | TextCase)[]> }>("tests/golden/pipelines/tiny.json");

describe("tiny models, every aggregation strategy and stride (Hugging Face goldens)", () => {
  for (const name of ["distilbert-token", "bert-token", "distilbert-token-nolabels"]) {
    test(name, async () => {
      const model = await TokenClassifier.load(hfFolder(`tests/golden/tiny/${name}`));
      expect(model.info.task).toBe("token-classification");
      const worst = checkTokenCases(model, tiny.models[name] as TokenCase[]);
      expect(worst).toBeLessThanOrEqual(1e-4);
      model.dispose();
    });
  }
  for (const name of ["distilbert-seq", "bert-seq", "bert-seq-multilabel"]) {
    test(name, async () => {
      const model = await TextClassifier.load(hfFolder(`tests/golden/tiny/${name}`));
      for (const c of tiny.models[name] as TextCase[]) {
        const out = model.classify(c.text, { functionToApply: c.function_to_apply, topK: c.top_k });
        expect(out.labels.map((l) => l.label)).toEqual(c.labels.map((l) => l.label));
        out.labels.forEach((l, i) => expect(Math.abs(l.score - c.labels[i]!.score)).toBeLessThanOrEqual(1e-4));
      }
      model.dispose();
    });
  }
});

test.runIf(cachedModel("models/.cache/rampart/hf"))(
  "Rampart PII model (f32 safetensors), every strategy and a ~700-token text with stride 64",
  async () => {
    const model = await TokenClassifier.load(hfFolder("models/.cache/rampart/hf"));
    const golden = json<{ cases: TokenCase[] }>("tests/golden/pipelines/rampart.json");
    expect(checkTokenCases(model, golden.cases)).toBeLessThanOrEqual(1e-4);
    model.dispose();
  },
);
