// The browser side: Debian's Chromium (headless, through tests/e2e/lib.mjs) against the pages
// in bench/pages, served from 127.0.0.1 by scripts/serve.mjs.
import { readFileSync, statSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { launch, startServer } from "../../tests/e2e/lib.mjs";
import { fileOf } from "./site.mjs";
import { log } from "./setup.mjs";
import { median } from "./stats.mjs";

const READY_TIMEOUT_MS = 180_000;


export function pageUrl(base, model, runner, { threads = 1, pkg } = {}) {
  const q = new URLSearchParams({ model });
  if (runner.lib === "transformers") {
    q.set("dtype", runner.dtype);
    q.set("threads", String(threads));
    return `${base}pages/transformers.html?${q}`;
  }
  q.set("file", runner.file);
  q.set("threads", String(threads));
  if (pkg) q.set("pkg", pkg);
  return `${base}pages/tokenveil.html?${q}`;
}

async function openReady(context, url, onRequest) {
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  if (onRequest) page.on("requestfinished", onRequest);
  await page.goto(url);
  await page.waitForFunction(() => window.bench && window.bench.status !== "starting", null, {
    timeout: READY_TIMEOUT_MS,
  });
  const state = await page.evaluate(() => ({ status: bench.status, error: bench.error, info: bench.info, cold: bench.cold }));
  if (state.status !== "ready") throw new Error(`${url}: ${state.error ?? state.status} ${errors.join("; ")}`);
  return { page, ...state };
}

/**
 * Throughput, memory and agreement for one model at one thread setting: one page per runner,
 * all open in one browser; for each case the runners take turns (order alternating), so every
 * pair is measured side by side in the same minutes.
 */
export async function throughput({ site, model, manifest, threads, isolate, cases, reps, skipMs }) {
  const server = await startServer(site, { isolate });
  const browser = await launch();
  const runners = manifest.runners;
  const pages = {};
  const out = { model, threads, isolated: isolate, runners: {}, cases: [], memory: {}, agreement: {} };
  try {
    for (const r of runners) {
      pages[r.id] = await openReady(browser.context, pageUrl(server.url, model, r, { threads }));
      out.runners[r.id] = { ...r, info: pages[r.id].info };
      // A tokenveil page that fell back to one thread would be reported as two.
      if (r.lib === "tokenveil" && pages[r.id].info?.threads !== threads) {
        throw new Error(`${model} ${r.id}: asked for ${threads} thread(s), runs ${pages[r.id].info?.threads}`);
      }
      log(`  ${model} ${r.id}: ready`);
    }
    let turn = 0;
    for (const { length, batch } of cases) {
      const order = turn++ % 2 ? [...runners].reverse() : runners;
      for (const r of order) {
        // Batch 8 where batch 1 already took long: estimate and skip rather than spend minutes.
        const one = out.cases.find((c) => c.runner === r.id && c.length === length && c.batch === 1);
        const estimate = one ? median(one.times) * batch : 0;
        if (batch > 1 && estimate > skipMs) {
          out.cases.push({ runner: r.id, length, batch, skipped: `estimated ${(estimate / 1000).toFixed(1)} s per call` });
          continue;
        }
        const { page } = pages[r.id];
        await page.bringToFront();
        const res = await page.evaluate((a) => bench.run(a), { length, batch, ...reps });
        out.cases.push({ runner: r.id, length, batch, ...res });
        log(`  ${model} ${threads}T ${r.id} ${length}x${batch}: median ${median(res.times).toFixed(1)} ms (${res.times.length} calls, ${res.tokens} tokens)`);
      }
    }
    for (const r of runners) out.memory[r.id] = await pages[r.id].page.evaluate(() => bench.memory({ ua: false }));
    // Same weights, same text: do the two sides tag the same tokens? (128-token input)
    for (const [a, b] of manifest.pairs) {
      const la = await pages[a].page.evaluate(() => bench.labels(128));
      const lb = await pages[b].page.evaluate(() => bench.labels(128));
      const n = Math.min(la.length, lb.length);
      let same = 0;
      for (let i = 0; i < n; i++) same += la[i] === lb[i] ? 1 : 0;
      out.agreement[`${a}|${b}`] = { tokens: n, sameLabel: same, lengthsMatch: la.length === lb.length };
    }
  } finally {
    await browser.close();
    await server.close();
  }
  return out;
}

const EAGER_MEMORY = new URL("./chromium-eager-memory.sh", import.meta.url).pathname;

/**
 * Memory on a cross-origin-isolated page (where measureUserAgentSpecificMemory() exists),
 * each runner in its own tab after one call on the longest input. Transformers.js runs one
 * thread here: with onnxruntime's worker threads the measurement did not answer within 60 s.
 */
export async function memoryPass({ site, model, manifest, length }) {
  const server = await startServer(site, { isolate: true });
  const browser = await launch({ executablePath: EAGER_MEMORY });
  const out = {};
  try {
    for (const r of manifest.runners) {
      const { page } = await openReady(browser.context, pageUrl(server.url, model, r, { threads: 1 }));
      await page.evaluate((length) => bench.run({ length, batch: 1, warmup: 1, warmupBudgetMs: 0, minReps: 1, maxReps: 1, budgetMs: 0 }), length);
      out[r.id] = await page.evaluate(() => bench.memory({ ua: true }));
      await page.close();
    }
  } finally {
    await browser.close();
    await server.close();
  }
  return out;
}

/**
 * Cold start: page start (navigation) to first result, in a fresh browser profile (nothing
 * cached), then again in a second tab of the same profile (model, and whatever else the
 * library keeps in the Cache API, cached). Bytes: every response the page received.
 */
export async function coldStart({ site, model, runner, repeats }) {
  const server = await startServer(site);
  const runs = [];
  try {
    for (let i = 0; i < repeats; i++) {
      const browser = await launch();
      try {
        const url = pageUrl(server.url, model, runner);
        const first = await loadCounting(browser.context, url);
        const second = await loadCounting(browser.context, url);
        runs.push({ uncachedMs: first.cold.firstResultMs, cachedMs: second.cold.firstResultMs, uncachedBytes: first.bytes, cachedBytes: second.bytes });
      } finally {
        await browser.close();
      }
    }
  } finally {
    await server.close();
  }
  return runs;
}

async function loadCounting(context, url) {
  const responses = [];
  const onRequest = async (req) => {
    const u = new URL(req.url());
    if (u.protocol !== "http:") return;
    const sizes = await req.sizes().catch(() => null);
    responses.push({ path: u.pathname, bodyBytes: sizes?.responseBodySize ?? 0 });
  };
  const { page, cold } = await openReady(context, url, onRequest);
  await page.close();
  return { cold, bytes: classify(responses) };
}

const gzipCache = new Map();
function gzipBytes(path) {
  if (!gzipCache.has(path)) gzipCache.set(path, gzipSync(readFileSync(path), { level: 9 }).length);
  return gzipCache.get(path);
}

/**
 * Responses by kind: wasm, JS (library code: tokenveil's dist, Transformers.js, onnxruntime-
 * web), model (weights, config, tokenizer); the harness's own files are left out. Raw bytes
 * as received (the server does not compress); gzip -9 of the same files, what a server
 * compressing them would send.
 */
function classify(responses) {
  const kinds = { wasm: { raw: 0, gzip: 0, files: [] }, js: { raw: 0, gzip: 0, files: [] }, model: { raw: 0, gzip: 0, files: [] } };
  for (const { path, bodyBytes } of responses) {
    if (path.startsWith("/pages/") || path.endsWith("/inputs.json") || path === "/favicon.ico") continue;
    if (bodyBytes <= 0) continue;
    const kind = path.endsWith(".wasm") ? "wasm" : path.startsWith("/models/") ? "model" : /\.m?js$/.test(path) ? "js" : "model";
    const file = fileOf(path);
    const size = statSync(file).size;
    kinds[kind].raw += bodyBytes;
    kinds[kind].gzip += bodyBytes === size ? gzipBytes(file) : bodyBytes;
    kinds[kind].files.push(path);
  }
  return kinds;
}

/**
 * A CPU profile of tokenveil in Chromium (DevTools protocol, 100 µs sampling) over repeated
 * classify calls on one input, with the profiling build (function names kept). Returns the
 * raw profile and the library's own stage timings of the same calls.
 */
export async function profile({ site, model, runner, pkg, length, seconds }) {
  const server = await startServer(site);
  const browser = await launch();
  try {
    const { page } = await openReady(browser.context, pageUrl(server.url, model, runner, { pkg }));
    await page.evaluate((length) => bench.run({ length, batch: 1, warmup: 3, warmupBudgetMs: 2000, minReps: 1, maxReps: 1, budgetMs: 0 }), length);
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send("Profiler.enable");
    await cdp.send("Profiler.setSamplingInterval", { interval: 100 });
    await cdp.send("Profiler.start");
    const res = await page.evaluate(
      ({ length, ms }) => bench.run({ length, batch: 1, warmup: 0, warmupBudgetMs: 0, minReps: 3, maxReps: 1000, budgetMs: ms }),
      { length, ms: seconds * 1000 },
    );
    const { profile } = await cdp.send("Profiler.stop");
    return { profile, calls: res.times.length, times: res.times, stages: res.stages, tokens: res.tokens };
  } finally {
    await browser.close();
    await server.close();
  }
}
