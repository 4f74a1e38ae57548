// Soak: 10,000 sequential classifications in Node; WebAssembly memory must stay flat after
// warm-up (linear memory never shrinks, so any leak shows as growth). The tiny model keeps the
// run short; leaks would come from the facade (strings, JS objects, tensors), not model size.
import { expect, test } from "vitest";
import { TokenClassifier, redact, wasmMemoryBytes } from "../../dist/index.js";
import { hfFolder } from "./helpers.js";

const CALLS = 10_000;

test(`${CALLS.toLocaleString("en")} classifications, logits and redactions keep memory flat`, async () => {
  const model = await TokenClassifier.load(hfFolder("tests/golden/tiny/distilbert-token"));
  const texts = [
    "John Smith lives in Tokyo 😀",
    "Email ada@example.com, call (415) 555-0132",
    "Ünïcödé ñ 東京 and more text to make a longer window of tokens",
  ];
  const run = (i: number) => {
    const text = `${texts[i % texts.length]} #${i}`;
    const r = model.classify(text, { aggregationStrategy: i % 2 ? "simple" : "none" });
    if (i % 10 === 0) model.logits(text);
    if (i % 10 === 5) redact(text);
    return r.entities.length;
  };
  for (let i = 0; i < 200; i++) run(i);
  const start = wasmMemoryBytes();
  let middle = 0;
  for (let i = 0; i < CALLS; i++) {
    run(i);
    if (i === CALLS / 2) middle = wasmMemoryBytes();
  }
  const end = wasmMemoryBytes();
  console.log(`wasm memory: start ${start}, middle ${middle}, end ${end} bytes`);
  expect(start).toBeGreaterThan(0);
  expect(end).toBe(middle);
  expect(end - start).toBeLessThanOrEqual(64 * 1024); // at most one page of late growth
  model.dispose();
});
