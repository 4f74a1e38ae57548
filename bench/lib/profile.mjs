// Where the time goes in one tokenveil classify call: a Chromium CPU profile (sampled every
// 100 µs over many calls) of the profiling build, each sample put in one category by its
// call stack. Only samples inside the wasm entry point `rawtokenclassifier_classify` count;
// the rest of the page (harness JS, idle) is left out. Encoder and layer functions are
// inlined into ModelBundle::forward, so the stack names the operation (Linear::forward,
// Tensor::matmul, SoftmaxLastDim, ...) rather than the layer.

const CATEGORIES = [
  // [name, test on the stack (leaf first)]; the first that matches wins.
  ["tokenization", (s) => s.some((f) => /^tokenizers::|tokenveil::tokenize::/.test(f))],
  ["linear layers: activations quantized to Q8_0", (s) => under(s, "Linear::forward") && s.some((f) => /from_float/.test(f))],
  ["linear layers: bias add", (s) => under(s, "Linear::forward") && s.some((f) => /Tensor::(broadcast_)?add/.test(f))],
  ["linear layers: matmul", (s) => under(s, "Linear::forward")],
  ["attention: QK^T and PV matmuls", (s) => s.some((f) => /candle_core::tensor::Tensor::matmul/.test(f))],
  ["attention: softmax", (s) => s.some((f) => /SoftmaxLastDim/.test(f))],
  ["GELU", (s) => s.some((f) => /erff|gelu/i.test(f))],
  ["layer norm", (s) => s.some((f) => /layer_norm|LayerNorm/.test(f))],
  ["embeddings", (s) => s.some((f) => /index_select/.test(f))],
  ["other tensor ops (residual adds, copies, transposes, allocation)", (s) => s.some((f) => /ModelBundle::forward/.test(f))],
  ["post-processing (softmax over labels, entities)", (s) => s.some((f) => /classify_batch_timed/.test(f))],
  ["results to JS (serde-wasm-bindgen)", () => true],
];

const under = (stack, name) => stack.some((f) => f.includes(name));
const clean = (name) => name.replace(/::h[0-9a-f]{16}$/, "").replace(/\[[0-9a-f]{16}\]/g, "");

export function summarize(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stackCache = new Map();
  const stackOf = (id) => {
    if (!stackCache.has(id)) {
      const frames = [];
      for (let x = id; x !== undefined; x = parent.get(x)) frames.push(clean(byId.get(x).callFrame.functionName));
      stackCache.set(id, frames);
    }
    return stackCache.get(id);
  };
  const totals = new Map(CATEGORIES.map(([name]) => [name, 0]));
  const leaves = new Map();
  let inside = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i + 1] ?? 0; // a sample's time is the gap to the next one
    const stack = stackOf(id);
    if (!stack.some((f) => f.startsWith("rawtokenclassifier_classify"))) return;
    inside += us;
    const [name] = CATEGORIES.find(([, test]) => test(stack));
    totals.set(name, totals.get(name) + us);
    leaves.set(stack[0], (leaves.get(stack[0]) ?? 0) + us);
  });
  const share = (us) => (inside ? us / inside : 0);
  return {
    sampledMs: inside / 1000,
    categories: [...totals].map(([name, us]) => ({ name, ms: us / 1000, share: share(us) })),
    topFunctions: [...leaves]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8)
      .map(([name, us]) => ({ name, ms: us / 1000, share: share(us) })),
  };
}
