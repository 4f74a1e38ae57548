// The threaded build in Chromium: on a cross-origin-isolated page it loads and starts its pool
// workers (on the main thread and inside tokenveil's own worker), and its outputs equal the
// single-threaded relaxed build's bit for bit (each output column is computed whole by one
// thread, in the same order); elsewhere it falls back to one thread without fetching it; bad
// thread counts are errors. Assumes `npm run build`. Run: node tests/e2e/threads.test.mjs
import { Checks, assert, launch, startServer } from "./lib.mjs";

const repo = new URL("../../", import.meta.url).pathname;
const checks = new Checks();

// Long inputs and a batch, so that the matmuls are above the size the pool splits
// (qgemm::PARALLEL_MIN_MACS), as well as short ones below it.
const CASES = [
  { file: "models/ner/ner-q8_0.gguf", kind: "token" },
  { file: "models/rampart/rampart-q4_0.gguf", kind: "token" },
  { file: "models/sst2/sst2-q8_0.gguf", kind: "text" },
];

/** In the page: every case's logits (token models) or scores (text models), as JSON. */
async function outputs({ cases, api, threads }) {
  const { TokenClassifier, TextClassifier } = await import(api);
  const golden = await (await fetch("/tests/golden/default_models.json")).json();
  const texts = golden.models.ner.cases.map((c) => c.text);
  const long = texts.join(" ").repeat(8).slice(0, 2400);
  const out = { models: [] };
  for (const { file, kind } of cases) {
    const model = await (kind === "text" ? TextClassifier : TokenClassifier).load(`/${file}`, { threads });
    const results = [];
    for (const t of [...texts, long]) {
      results.push(kind === "text" ? (await model.classify(t, { functionToApply: "none", topK: null })).labels : (await model.logits(t)).tokens.map((x) => x.logits));
    }
    results.push((await model.classifyBatch([long, texts[0], long.slice(0, 900)])).map((r) => r.entities ?? r.labels));
    out.models.push({ file, info: model.info, json: JSON.stringify(results) });
    await model.dispose();
  }
  return out;
}

async function run(context, url, api, threads) {
  const page = await context.newPage();
  const fetched = [];
  page.on("requestfinished", (r) => fetched.push(new URL(r.url()).pathname.split("/").pop()));
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`${url}dist/index.js`); // same origin for the module imports
  const isolated = await page.evaluate(() => crossOriginIsolated);
  const result = await page.evaluate(outputs, { cases: CASES, api, threads }).catch((e) => ({ error: String(e) }));
  await page.close();
  return { isolated, fetched, errors, ...result };
}

const isolatedServer = await startServer(repo, { isolate: true });
const plainServer = await startServer(repo);
const browser = await launch();
try {
  const one = await run(browser.context, isolatedServer.url, "/dist/index.js", 1);
  const two = await run(browser.context, isolatedServer.url, "/dist/index.js", 2);
  const inWorker = await run(browser.context, isolatedServer.url, "/dist/worker.js", 2);
  const notIsolated = await run(browser.context, plainServer.url, "/dist/index.js", 2);
  for (const r of [one, two, inWorker, notIsolated]) {
    if (r.error || r.errors.length) throw new Error(`page failed: ${r.error ?? ""} ${r.errors.join("; ")}`);
  }

  await checks.run("an isolated page with threads: 2 runs the threaded build on 2 threads", async () => {
    assert(two.isolated, "the page is not cross-origin isolated");
    for (const m of two.models) assert(m.info.threads === 2 && m.info.wasmBuild === "relaxed-simd", `${m.file}: ${JSON.stringify(m.info)}`);
    assert(two.fetched.includes("tokenveil_threads_bg.wasm") && two.fetched.includes("pool-worker.js"), two.fetched.join(", "));
    assert(!two.fetched.includes("tokenveil_relaxed_bg.wasm"), "the single-threaded build was fetched too");
  });
  await checks.run("threads: 1 on the same page runs the single-threaded relaxed build", async () => {
    for (const m of one.models) assert(m.info.threads === 1, `${m.file}: ${JSON.stringify(m.info)}`);
    assert(!one.fetched.includes("tokenveil_threads_bg.wasm") && one.fetched.includes("tokenveil_relaxed_bg.wasm"), one.fetched.join(", "));
  });
  for (const m of two.models) {
    await checks.run(`${m.file.split("/").pop()}: 2 threads give the 1-thread outputs bit for bit`, async () => {
      const ref = one.models.find((x) => x.file === m.file);
      assert(m.json === ref.json, "outputs differ");
      return `${m.json.length.toLocaleString("en")} characters of logits`;
    });
  }
  await checks.run("inside tokenveil/worker: 2 threads (nested pool workers), the same outputs", async () => {
    for (const m of inWorker.models) {
      assert(m.info.threads === 2, `${m.file}: ${JSON.stringify(m.info)}`);
      assert(m.json === one.models.find((x) => x.file === m.file).json, `${m.file}: outputs differ`);
    }
  });
  await checks.run("a page that is not isolated falls back to 1 thread and never fetches the threaded build", async () => {
    assert(!notIsolated.isolated, "the plain server's page is isolated");
    for (const m of notIsolated.models) assert(m.info.threads === 1, `${m.file}: ${JSON.stringify(m.info)}`);
    assert(!notIsolated.fetched.some((f) => f.startsWith("tokenveil_threads") || f === "pool-worker.js"), notIsolated.fetched.join(", "));
  });

  await checks.run("if the threaded build cannot be fetched, the page falls back to one thread", async () => {
    const page = await browser.context.newPage();
    await page.route("**/tokenveil_threads_bg.wasm", (route) => route.fulfill({ status: 404, body: "gone" }));
    await page.goto(`${isolatedServer.url}dist/index.js`);
    const info = await page.evaluate(async () => {
      const { TokenClassifier } = await import("/dist/index.js");
      const m = await TokenClassifier.load("/models/ner/ner-q8_0.gguf", { threads: 2 });
      return { ...m.info, entities: m.classify("Angela Merkel visited Paris.", { aggregationStrategy: "simple" }).entities.length };
    });
    await page.close();
    assert(info.threads === 1 && info.wasmBuild === "relaxed-simd" && info.entities === 2, JSON.stringify(info));
  });

  await checks.run("bad thread counts are invalid_option errors, and init works after one", async () => {
    const page = await browser.context.newPage();
    await page.goto(`${isolatedServer.url}dist/index.js`);
    const res = await page.evaluate(async () => {
      const { init, ModelError } = await import("/dist/index.js");
      const codes = [];
      for (const threads of [0, 1.5, 17, "2", NaN]) {
        try {
          await init(undefined, { threads });
          codes.push("resolved");
        } catch (e) {
          codes.push(e instanceof ModelError ? e.code : String(e));
        }
      }
      await init(undefined, { threads: 2 });
      return codes;
    });
    await page.close();
    assert(res.every((c) => c === "invalid_option"), res.join(", "));
  });
} finally {
  await browser.close();
  await isolatedServer.close();
  await plainServer.close();
}
process.exit(checks.summary() ? 0 : 1);
