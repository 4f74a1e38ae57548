// Hostile text from JavaScript: what only JS can send (lone surrogates), and the rest of the
// hostile list through wasm. Every call returns a result whose offsets slice the caller's string.
import { expect, test } from "vitest";
import { TokenClassifier, redact, type Entity } from "../../dist/index.js";
import { hfFolder } from "./helpers.js";

const model = await TokenClassifier.load(hfFolder("tests/golden/tiny/distilbert-token"));

function checkOffsets(text: string, entities: Entity[]) {
  for (const e of entities) {
    expect(0 <= e.start && e.start <= e.end && e.end <= text.length, `${e.start}..${e.end} of ${text.length}`).toBe(true);
  }
}

const texts: [string, string][] = [
  ["empty", ""],
  ["whitespace only", " \t\n\u00a0\u3000 ".repeat(100)],
  ["lone surrogates", "\ud800 John \udfff Smith \udbff\udbff Tokyo \udc00"],
  ["surrogate pairs split by a lone one", "😀\ud83d😀 John"],
  ["100,000 emoji", "😀".repeat(100_000)],
  ["combining-mark storm", `Zalgo${"\u0301\u0308".repeat(500)} John`],
  ["NUL and controls", "a\u0000b\u0001c\u001b[31m John\u007f\u2028 Smith\ufeff"],
  ["mixed scripts", "Tokyo 東京 Москва القاهرة दिल्ली 서울 John".repeat(20)],
];

for (const [what, text] of texts) {
  test(`${what}: every call answers, offsets index the JS string`, () => {
    const { entities } = model.classify(text, { aggregationStrategy: "none", ignoreLabels: [] });
    checkOffsets(text, entities);
    for (const t of model.logits(text).tokens) {
      if (!t.special) expect(t.end).toBeLessThanOrEqual(text.length);
    }
    const r = redact(text);
    expect(r.spans).toHaveLength(0);
  });
}

test("a word after lone surrogates is sliced exactly", () => {
  const text = "\ud800\ud800 John \udfff Smith";
  const words = model.classify(text, { aggregationStrategy: "none", ignoreLabels: [] }).entities.map((e) => text.slice(e.start, e.end));
  expect(words).toContain("John");
  expect(words).toContain("Smith");
});

test("redaction keeps lone surrogates' positions: a value after them is replaced exactly", () => {
  const text = "\udfff mail ada@example.com \ud800!";
  const r = redact(text, { defaultOperator: { kind: "replace" } });
  expect(text.slice(r.spans[0]!.start, r.spans[0]!.end)).toBe("ada@example.com");
  // Lone surrogates cannot cross into Rust strings: they come back as U+FFFD, one unit each.
  expect(r.text).toBe("\ufffd mail [EMAIL] \ufffd!");
});
