// What both pages share: the query string, the inputs, the timing loop (the same rule as the
// native runner, bench/native/src/main.rs) and the memory figures. A page calls `expose()`
// with two functions (load the model and run once; classify a batch) and Playwright drives
// `window.bench`.
export const params = Object.fromEntries(new URLSearchParams(location.search));

/** inputs.json of the model (bench/prepare.py): eight texts of each token length. */
export async function inputs(model) {
  const r = await fetch(`/models/${model}/inputs.json`);
  if (!r.ok) throw new Error(`inputs.json: HTTP ${r.status}`);
  return r.json();
}

/**
 * The repetition rule (the native runner, bench/native/src/main.rs, and bench/ort_native.py
 * use the same): up to `warmup` untimed calls — the first always, later ones while warm-up has
 * taken less than `warmupBudgetMs` — then at least `minReps` and at most `maxReps` timed
 * calls, stopping once `budgetMs` is spent. `call()` may return a promise (Transformers.js);
 * `first(output)` sees the first warm-up call's output; `after(output)` runs outside the timer.
 */
async function measure(call, first, after, { warmup, warmupBudgetMs, minReps, maxReps, budgetMs }) {
  let warm = 0;
  for (let n = 0; n < Math.max(1, warmup) && (n === 0 || warm < warmupBudgetMs); n++) {
    const t0 = performance.now();
    const out = await call();
    warm += performance.now() - t0;
    if (n === 0) first(out);
  }
  const times = [];
  let spent = 0;
  while (times.length < maxReps && (times.length < minReps || spent < budgetMs)) {
    const t0 = performance.now();
    const out = await call();
    const ms = performance.now() - t0;
    times.push(ms);
    spent += ms;
    after(out);
  }
  return times;
}

async function uaMemory() {
  if (!crossOriginIsolated || !performance.measureUserAgentSpecificMemory) return null;
  const m = await performance.measureUserAgentSpecificMemory();
  return m.bytes;
}

/**
 * start(text): loads the library and model and classifies `text`; resolves with `{info}`.
 * classify(texts): the timed call, over a batch of texts; resolves with the library's output.
 * describe(texts, output): untimed; `{tokens, labels, stages}` where labels[t][i] is the label
 * of token i of text t ("O" where nothing was reported) and stages the library's own
 * per-stage times, if it reports them.
 */
export function expose({ start, classify, describe }) {
  const state = { status: "starting" };
  window.bench = state;
  (async () => {
    const data = await inputs(params.model);
    const { info } = await start(data.texts["16"][0]);
    state.cold = { firstResultMs: performance.now() };
    state.info = info;
    state.run = async ({ length, batch, ...reps }) => {
      const texts = data.texts[String(length)].slice(0, batch);
      let tokens;
      const stages = [];
      const times = await measure(
        () => classify(texts),
        (out) => ({ tokens } = describe(texts, out)),
        (out) => stages.push(describe(texts, out, { stagesOnly: true }).stages),
        reps,
      );
      return { times, tokens, stages };
    };
    state.labels = async (length) => {
      const texts = [data.texts[String(length)][0]];
      return describe(texts, await classify(texts)).labels[0];
    };
    state.memory = async ({ ua }) => ({ wasmBytes: wasmMemoryTotal(), wasmMemories: wasmMemoryCount(), wasmShared: wasmMemoryShared(), uaBytes: ua ? await uaMemory() : null });
    state.status = "ready";
  })().catch((err) => {
    state.status = "error";
    state.error = String(err?.stack ?? err);
  });
}

/** Labels per token position (0 = [CLS]) from entity rows with `index` and `entity`. */
export function labelsFrom(entities, length) {
  const labels = new Array(length).fill("O");
  for (const e of entities) labels[e.index] = e.entity;
  return labels;
}
