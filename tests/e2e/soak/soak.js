// Runs in the page: the package's worker API, unbundled, straight from dist/ (served from the
// repository root). `window.soak(calls)` reports wasm memory along a long run and checks that
// many concurrent requests resolve in order with the same results as sequential ones.
import { TokenClassifier, wasmMemoryBytes } from "/dist/worker.js";

const TINY = "/tests/golden/tiny/distilbert-token";
const TEXTS = [
  "John Smith lives in Tokyo 😀",
  "Email ada@example.com, call (415) 555-0132",
  "Ünïcödé ñ 東京 and more text to make a longer window of tokens",
];

window.soak = async (calls, concurrent) => {
  const model = await TokenClassifier.load(
    { config: `${TINY}/config.json`, tokenizer: `${TINY}/tokenizer.json`, weights: `${TINY}/model.safetensors` },
    { cache: false },
  );
  const text = (i) => `${TEXTS[i % TEXTS.length]} #${i}`;
  for (let i = 0; i < 200; i++) await model.classify(text(i));
  const memory = { start: await wasmMemoryBytes() };
  const started = performance.now();
  for (let i = 0; i < calls; i++) {
    await model.classify(text(i), { aggregationStrategy: i % 2 ? "simple" : "none" });
    if (i === calls / 2) memory.middle = await wasmMemoryBytes();
  }
  memory.end = await wasmMemoryBytes();
  const msPerCall = (performance.now() - started) / calls;

  // Concurrent: all sent at once; each must resolve in the order sent, equal to a lone call.
  const expected = [];
  for (let i = 0; i < concurrent; i++) expected.push(JSON.stringify((await model.classify(text(i))).entities));
  const order = [];
  const results = await Promise.all(
    Array.from({ length: concurrent }, (_, i) =>
      model.classify(text(i)).then((r) => {
        order.push(i);
        return JSON.stringify(r.entities);
      }),
    ),
  );
  const inOrder = order.every((v, i) => v === i);
  const mismatches = results.filter((r, i) => r !== expected[i]).length;
  await model.dispose();
  return { memory, msPerCall, inOrder, mismatches, concurrent };
};
document.getElementById("state").textContent = "ready";
