// bench/RESULTS.md and bench/latency.svg from one run's raw results (bench/run.mjs).
//   node bench/report.mjs [bench/.cache/results/full.json]
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BENCH, CACHE } from "./lib/paths.mjs";
import { median, p90 } from "./lib/stats.mjs";

const ms = (v) => (Number.isFinite(v) ? (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)) : "–");
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}×` : "–");
const mib = (b) => (Number.isFinite(b) ? (b / 2 ** 20).toFixed(1) : "–");
const kib = (b) => (Number.isFinite(b) ? Math.round(b / 1024).toLocaleString("en") : "–");
const table = (head, rows) =>
  [`| ${head.join(" | ")} |`, `|${head.map((h, i) => (i ? "---:" : "---")).join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");

function runnerLabel(results, model, id) {
  return results.models[model].runners.find((r) => r.id === id)?.label ?? id;
}

/** Median call time of a browser case (or undefined). */
function browserCase(results, model, threads, runner, length, batch) {
  const block = results.browser.find((b) => b.model === model && b.threads === threads);
  const c = block?.cases.find((c) => c.runner === runner && c.length === length && c.batch === batch);
  if (c?.sameAsThreads) {
    const same = browserCase(results, model, c.sameAsThreads, runner, length, batch);
    return same && { ...same, fromThreads: c.sameAsThreads };
  }
  return c;
}
const caseMedian = (c) => (c && c.times ? median(c.times) : NaN);

function headline(results) {
  const rows = [];
  for (const [model, m] of Object.entries(results.models)) {
    for (const [tv, tf] of m.pairs) {
      const a = caseMedian(browserCase(results, model, 1, tv, 128, 1));
      const b = caseMedian(browserCase(results, model, 1, tf, 128, 1));
      const coldA = median((results.cold[model]?.[tv] ?? []).map((r) => r.uncachedMs));
      const coldB = median((results.cold[model]?.[tf] ?? []).map((r) => r.uncachedMs));
      const total = (runs) => (runs?.[0] ? Object.values(runs[0].uncachedBytes).reduce((s, k) => s + k.gzip, 0) : NaN);
      const bytesA = total(results.cold[model]?.[tv]);
      const bytesB = total(results.cold[model]?.[tf]);
      rows.push([
        `${m.name.split(" (")[0]}: ${runnerLabel(results, model, tv)} vs ${runnerLabel(results, model, tf)}`,
        `${ms(a)} / ${ms(b)} ms`, `**${ratio(a, b)}**`,
        `${ms(coldA)} / ${ms(coldB)} ms`, `**${ratio(coldA, coldB)}**`,
        `${mib(bytesA)} / ${mib(bytesB)} MiB`, `**${ratio(bytesA, bytesB)}**`,
      ]);
    }
  }
  return table(
    ["pair (tokenveil vs Transformers.js)", "latency, 128 tokens, batch 1, 1 thread", "ratio", "cold start, not cached", "ratio", "download (gzip)", "ratio"],
    rows,
  );
}

// The issue's speed target for our PII model: "PII model ≤ 1.1× Rampart Q4_0's latency at 128
// tokens in `npm run bench`": tokenveil against tokenveil, batch 1, from this run's figures.
const TARGET = { max: 1.1, length: 128, batch: 1, reference: ["rampart", "tv-q4_0"], model: "pii", runners: ["tv-q8_0", "tv-q4_0"] };

/** Median native forward ms of a tokenveil runner (or NaN). The runner writes lengths as strings. */
function nativeMedian(results, model, id, threads, length, batch) {
  const c = (results.native?.tokenveil?.[model]?.[id]?.[threads] ?? []).find((x) => Number(x.length) === length && x.batch === batch);
  return median(c?.forward_ms ?? []);
}

/**
 * The PII model's latency over Rampart Q4_0's (tokenveil both), or null when this run has
 * either model missing (raw results from before the PII model was in the benchmark).
 * Rows: [runner id, [{where, threads, a, b}]] where a is the PII figure and b Rampart's.
 */
function targetFigures(results) {
  const [refModel, refId] = TARGET.reference;
  const have = (model, id) => results.models[model]?.runners.some((r) => r.id === id);
  if (!have(refModel, refId)) return null;
  const ids = TARGET.runners.filter((id) => have(TARGET.model, id));
  if (!ids.length) return null;
  const { length, batch } = TARGET;
  const figure = {
    Chromium: (model, id, threads) => caseMedian(browserCase(results, model, threads, id, length, batch)),
    native: (model, id, threads) => nativeMedian(results, model, id, threads, length, batch),
  };
  return ids.map((id) => [
    id,
    ["Chromium", "native"].flatMap((where) =>
      [1, 2].map((threads) => ({ where, threads, a: figure[where](TARGET.model, id, threads), b: figure[where](refModel, refId, threads) })),
    ),
  ]);
}

const verdict = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? (a / b <= TARGET.max ? ` (within ${TARGET.max}×)` : ` (above ${TARGET.max}×)`) : "");

function targetTable(results) {
  const rows = targetFigures(results);
  if (!rows) {
    return `Not measured yet: these raw results (${results.meta.date.slice(0, 10)}) have no PII model (\`bench/.cache/models/pii\`), so there are no PII figures here. The next \`npm run bench\` measures it.`;
  }
  const head = [`tokenveil file, ${TARGET.length} tokens × batch ${TARGET.batch}`];
  for (const where of ["Chromium", "native"]) for (const t of [1, 2]) head.push(`${where}, ${t} thread${t > 1 ? "s" : ""}: PII / Rampart Q4_0 ms`, "ratio");
  const body = rows.map(([id, cells]) => [
    `${results.models[TARGET.model].name.split(" (")[0]}: ${runnerLabel(results, TARGET.model, id)}`,
    ...cells.flatMap(({ a, b }) => [`${ms(a)} / ${ms(b)}`, Number.isFinite(a) && Number.isFinite(b) ? `**${ratio(a, b)}**${verdict(a, b)}` : "–"]),
  ]);
  return table(head, body);
}

/** One line for the console: the Chromium ratios of the target. */
function targetLine(results) {
  const rows = targetFigures(results);
  if (!rows) return "PII / Rampart Q4_0: not measured (no pii in these raw results)";
  const part = ([id, cells]) =>
    `${runnerLabel(results, TARGET.model, id).replace("tokenveil ", "")} ${cells.filter((c) => c.where === "Chromium").map((c) => `${ratio(c.a, c.b)} at ${c.threads}T`).join(", ")}`;
  return `PII / Rampart Q4_0, tokenveil in Chromium, ${TARGET.length} tokens × batch ${TARGET.batch} (target ≤ ${TARGET.max}×): ${rows.map(part).join("; ")}`;
}

function latencyTables(results) {
  const out = [];
  for (const block of results.browser) {
    const m = results.models[block.model];
    const runners = m.runners.map((r) => r.id);
    const keys = [...new Set(block.cases.map((c) => `${c.length}x${c.batch}`))];
    const head = ["tokens × batch", ...runners.map((r) => `${runnerLabel(results, block.model, r)}: median / p90 ms (tokens/s)`), ...m.pairs.map(([a, b]) => `${a} / ${b}`)];
    const rows = keys.map((k) => {
      const [length, batch] = k.split("x").map(Number);
      const cells = runners.map((r) => {
        const c = browserCase(results, block.model, block.threads, r, length, batch);
        if (!c) return "–";
        if (c.skipped) return `skipped (${c.skipped})`;
        const med = median(c.times);
        const from = c.fromThreads ? ` [${c.fromThreads}-thread run]` : "";
        return `${ms(med)} / ${ms(p90(c.times))} (${Math.round((c.tokens / med) * 1000).toLocaleString("en")})${from}`;
      });
      const ratios = m.pairs.map(([a, b]) =>
        ratio(caseMedian(browserCase(results, block.model, block.threads, a, length, batch)), caseMedian(browserCase(results, block.model, block.threads, b, length, batch))),
      );
      return [`${length} × ${batch}`, ...cells, ...ratios];
    });
    const iso = block.isolated ? "cross-origin-isolated page" : "plain page";
    const tfInfo = Object.values(block.runners).find((r) => r.lib === "transformers")?.info;
    const note = tfInfo ? ` Transformers.js: onnxruntime-web ${tfInfo.ortVersion}, ${tfInfo.numThreads} thread(s), ${tfInfo.wasmPaths?.wasm?.split("/").pop()}.` : "";
    out.push(`#### ${m.name}: ${block.threads} thread${block.threads > 1 ? "s" : ""} (${iso})\n\n${block.threads > 1 ? "Both libraries run their threaded builds here: tokenveil's relaxed-SIMD + atomics build with one pool worker (its int8 matmuls and activation quantization split between the page's thread and the worker; attention and the other ops stay on the page's thread), onnxruntime-web with numThreads 2." : ""}${note}\n\n${table(head, rows)}`);
  }
  return out.join("\n\n");
}

function coldTables(results) {
  const rows = [];
  const bytesRows = [];
  for (const [model, byRunner] of Object.entries(results.cold)) {
    for (const [id, runs] of Object.entries(byRunner)) {
      const label = `${results.models[model].name.split(" (")[0]}: ${runnerLabel(results, model, id)}`;
      rows.push([
        label,
        `${ms(median(runs.map((r) => r.uncachedMs)))} (${runs.map((r) => ms(r.uncachedMs)).join(", ")})`,
        `${ms(median(runs.map((r) => r.cachedMs)))} (${runs.map((r) => ms(r.cachedMs)).join(", ")})`,
        `${mib(Object.values(runs[0].cachedBytes).reduce((s, k) => s + k.raw, 0))}`,
      ]);
      const b = runs[0].uncachedBytes;
      const tot = (f) => Object.values(b).reduce((s, k) => s + k[f], 0);
      bytesRows.push([
        label,
        `${kib(b.wasm.raw)} / ${kib(b.wasm.gzip)}`,
        `${kib(b.js.raw)} / ${kib(b.js.gzip)}`,
        `${kib(b.model.raw)} / ${kib(b.model.gzip)}`,
        `**${mib(tot("raw"))} / ${mib(tot("gzip"))}**`,
        [...b.wasm.files, ...b.js.files.filter((f) => !f.startsWith("/ort-common/") && !f.startsWith("/tokenveil/")), ...b.model.files].map((f) => f.split("/").pop()).join(", ") +
          (b.js.files.some((f) => f.startsWith("/ort-common/")) ? `, onnxruntime-common (${b.js.files.filter((f) => f.startsWith("/ort-common/")).length} files)` : "") +
          (b.js.files.some((f) => f.startsWith("/tokenveil/")) ? `, tokenveil JS (${b.js.files.filter((f) => f.startsWith("/tokenveil/")).length} files)` : ""),
      ]);
    }
  }
  return {
    cold: table(["runner", "not cached: median ms (each run)", "cached: median ms (each run)", "downloaded when cached, MiB"], rows),
    bytes: table(["runner", "wasm KiB raw / gzip", "JS KiB raw / gzip", "model KiB raw / gzip", "total MiB raw / gzip", "files"], bytesRows),
  };
}

function memoryTable(results) {
  const rows = [];
  for (const [model, m] of Object.entries(results.models)) {
    for (const r of m.runners) {
      const one = results.browser.find((b) => b.model === model && b.threads === 1)?.memory[r.id];
      const two = results.browser.find((b) => b.model === model && b.threads === 2)?.memory[r.id];
      const iso = results.memory?.[model]?.[r.id];
      rows.push([`${m.name.split(" (")[0]}: ${r.label}`, `**${mib(iso?.wasmBytes)}**`, iso?.uaBytes ? mib(iso.uaBytes) : "–", mib(one?.wasmBytes), mib(two?.wasmBytes)]);
    }
  }
  return table(
    ["runner", "memory pass: wasm memory, MiB", "memory pass: measureUserAgentSpecificMemory, MiB", "throughput page, 1 thread: wasm memory after all its cases, MiB", "same, 2-thread page"],
    rows,
  );
}

function agreementTable(results) {
  const rows = [];
  for (const block of results.browser.filter((b) => b.threads === 1)) {
    for (const [key, a] of Object.entries(block.agreement)) {
      const [x, y] = key.split("|");
      rows.push([`${results.models[block.model].name.split(" (")[0]}: ${runnerLabel(results, block.model, x)} vs ${runnerLabel(results, block.model, y)}`, `${a.sameLabel} / ${a.tokens}`, a.lengthsMatch ? "yes" : "no"]);
    }
  }
  return table(["pair", "tokens with the same predicted label (128-token input)", "same token count"], rows);
}

function nativeTables(results) {
  const out = [];
  for (const [model, m] of Object.entries(results.models)) {
    const tv = results.native.tokenveil[model] ?? {};
    const ort = results.native.onnxruntime[model] ?? {};
    const byCase = (cases) => new Map((cases ?? []).map((c) => [`${c.length}x${c.batch}`, c]));
    const head = ["tokens × batch"];
    const cols = [];
    for (const threads of [1, 2]) {
      for (const r of m.runners) {
        const src = r.lib === "tokenveil" ? tv[r.id] : ort[r.id];
        if (!src?.[threads]) continue;
        head.push(`${r.lib === "tokenveil" ? r.label : `onnxruntime ${r.label.replace("Transformers.js ", "")}`}, ${threads}T`);
        cols.push(byCase(src[threads]));
      }
    }
    // The pairs name Transformers.js runners (tfjs-*); natively the same ONNX files run in onnxruntime.
    for (const threads of [1, 2]) for (const [a, b] of m.pairs) head.push(`${a} / ${b.replace(/^tfjs-/, "ort-")}, ${threads}T`);
    const pairCol = (threads, id) => {
      const r = m.runners.find((x) => x.id === id);
      return byCase((r.lib === "tokenveil" ? tv : ort)[id]?.[threads]);
    };
    const keys = [...(cols[0]?.keys() ?? [])];
    const rows = keys.map((k) => {
      const [length, batch] = k.split("x");
      const cells = cols.map((c) => ms(median(c.get(k)?.forward_ms ?? [])));
      for (const threads of [1, 2]) {
        for (const [a, b] of m.pairs) cells.push(ratio(median(pairCol(threads, a).get(k)?.forward_ms ?? []), median(pairCol(threads, b).get(k)?.forward_ms ?? [])));
      }
      return [`${length} × ${batch}`, ...cells];
    });
    out.push(`#### ${m.name}: native forward pass, median ms\n\n${table(head, rows)}`);
  }
  return out.join("\n\n");
}

function profileTables(results) {
  const out = [];
  for (const [key, p] of Object.entries(results.profile)) {
    const [model, id] = key.split("/");
    const st = (k) => median(p.stages.map((s) => s[k]));
    const head = `#### ${results.models[model].name.split(" (")[0]}: ${runnerLabel(results, model, id)}, ${p.length} tokens, ${p.calls} calls (median call ${ms(median(p.times))} ms; library timings: tokenize ${ms(st("tokenizeMs"))}, forward ${ms(st("forwardMs"))}, post-process ${ms(st("postprocessMs"))} ms)`;
    // Shares of the sampled wasm time, turned into milliseconds of a median call.
    const call = median(p.times);
    const rows = p.categories.filter((c) => c.ms > 0).sort((a, b) => b.ms - a.ms).map((c) => [c.name, `${(c.share * 100).toFixed(1)} %`, ms(c.share * call)]);
    const top = p.topFunctions.map((f) => `\`${f.name.replace(/\|/g, "\\|")}\` ${(f.share * 100).toFixed(1)} %`).join("; ");
    out.push(`${head}\n\n${table(["where (by call stack)", "share of samples in the wasm call", "ms of a median call"], rows)}\n\nHottest functions (self time): ${top}`);
  }
  return out.join("\n\n");
}

const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"];

/** Median latency against sequence length (batch 1, 1 thread), one panel per model, log-log. */
export function chart(results) {
  const models = Object.keys(results.models);
  const W = 330, H = 260, pad = { l: 52, r: 12, t: 28, b: 40 }, gap = 18;
  const width = models.length * (W + gap) + gap;
  const height = H + 96;
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`, `<rect width="100%" height="100%" fill="white"/>`];
  const lx = (v) => Math.log2(v);
  models.forEach((model, i) => {
    const m = results.models[model];
    const x0 = gap + i * (W + gap);
    const block = results.browser.find((b) => b.model === model && b.threads === 1);
    const series = m.runners.map((r) => ({
      r,
      points: (block?.cases ?? []).filter((c) => c.runner === r.id && c.batch === 1 && c.times).map((c) => [c.length, median(c.times)]),
    }));
    const all = series.flatMap((s) => s.points);
    if (!all.length) return;
    const xs = all.map((p) => p[0]);
    const ys = all.map((p) => p[1]);
    const [xmin, xmax] = [Math.min(...xs), Math.max(...xs)];
    // Axis ends on the 1-2-5 grid just outside the data.
    const grid = (v) => [1, 2, 5].map((k) => k * 10 ** Math.floor(Math.log10(v))).concat(10 ** Math.ceil(Math.log10(v)));
    const ymin = Math.max(...grid(Math.min(...ys)).filter((g) => g <= Math.min(...ys)));
    const ymax = Math.min(...grid(Math.max(...ys)).filter((g) => g >= Math.max(...ys)));
    const px = (v) => x0 + pad.l + ((lx(v) - lx(xmin)) / Math.max(1e-9, lx(xmax) - lx(xmin))) * (W - pad.l - pad.r);
    const py = (v) => pad.t + (1 - (Math.log10(v) - Math.log10(ymin)) / (Math.log10(ymax) - Math.log10(ymin))) * (H - pad.t - pad.b);
    parts.push(`<text x="${x0 + W / 2}" y="16" text-anchor="middle" font-weight="bold">${m.name.split(" (")[0]}</text>`);
    for (let d = 10 ** Math.floor(Math.log10(ymin)); d <= ymax * 1.0001; d *= 10) {
      for (const k of [1, 2, 5]) {
        const v = d * k;
        if (v < ymin * 0.9999) continue;
        if (v > ymax * 1.0001) break;
        parts.push(`<line x1="${px(xmin)}" x2="${px(xmax)}" y1="${py(v)}" y2="${py(v)}" stroke="${k === 1 ? "#ccc" : "#eee"}"/>`);
        parts.push(`<text x="${px(xmin) - 4}" y="${py(v) + 3}" text-anchor="end" fill="#555">${v >= 1000 ? `${v / 1000} s` : `${v}`}</text>`);
      }
    }
    for (const v of [...new Set(xs)].sort((a, b) => a - b)) {
      parts.push(`<line x1="${px(v)}" x2="${px(v)}" y1="${pad.t}" y2="${H - pad.b}" stroke="#eee"/>`);
      parts.push(`<text x="${px(v)}" y="${H - pad.b + 14}" text-anchor="middle" fill="#555">${v}</text>`);
    }
    parts.push(`<text x="${x0 + pad.l + (W - pad.l - pad.r) / 2}" y="${H - 8}" text-anchor="middle">tokens (batch 1)</text>`);
    parts.push(`<text transform="translate(${x0 + 12},${pad.t + (H - pad.t - pad.b) / 2}) rotate(-90)" text-anchor="middle">median ms per call</text>`);
    series.forEach(({ r, points }, j) => {
      const color = COLORS[j % COLORS.length];
      const dash = r.lib === "transformers" ? ` stroke-dasharray="5 3"` : "";
      parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2"${dash} points="${points.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(" ")}"/>`);
      for (const [x, y] of points) parts.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="2.5" fill="${color}"/>`);
      parts.push(`<line x1="${x0 + pad.l}" x2="${x0 + pad.l + 18}" y1="${H + 10 + j * 15}" y2="${H + 10 + j * 15}" stroke="${color}" stroke-width="2"${dash}/>`);
      parts.push(`<text x="${x0 + pad.l + 24}" y="${H + 14 + j * 15}">${r.label}</text>`);
    });
  });
  parts.push(`</svg>`);
  return parts.join("\n");
}

export function writeReport(results, { quick = false } = {}) {
  const meta = results.meta;
  const v = meta.versions;
  const mc = meta.machine;
  const { cold, bytes } = coldTables(results);
  const tfInfo = results.browser.flatMap((b) => Object.values(b.runners)).filter((r) => r.lib === "transformers").map((r) => r.info);
  const variants = [...new Set(tfInfo.map((i) => `${i.wasmPaths?.wasm?.split("/").pop()} (${i.numThreads} thread${i.numThreads > 1 ? "s" : ""}, crossOriginIsolated ${i.crossOriginIsolated})`))];
  const checks = Object.entries(results.models).flatMap(([, m]) =>
    Object.entries(m.checks ?? {}).map(([k, c]) => `${m.name.split(" (")[0]}, ${k.replace(/_/g, " ")}: max |Δlogit| ${c.max_abs_logit_diff.toPrecision(2)}, argmax agreement ${(c.argmax_agreement * 100).toFixed(1)} %`),
  );
  const svgName = quick ? "latency-quick.svg" : "latency.svg";
  const md = `# tokenveil vs Transformers.js: benchmark results

${quick ? "**Quick mode** (a few cases, few repetitions): for checking the harness, not for quoting.\n\n" : ""}Written by \`npm run bench\` (bench/run.mjs) on ${meta.date.slice(0, 16).replace("T", " ")} UTC, ${meta.durationS} s of measurement (${meta.setupS} s of setup before it). Rerun it to reproduce; \`npm run bench -- --report\` rewrites this file from the raw results in bench/.cache/results/.

**Machine**: ${mc.cpu}, ${mc.cores} cores (threads per core: ${mc.threadsPerCore}; ${mc.flags.join(", ")}), ${mc.memoryGiB} GiB, ${mc.os}, ${mc.kernel}. Shared with other work: 1/5/15-minute load average ${meta.load.start.join(" / ")} at the start, ${meta.load.end.join(" / ")} at the end.

**Versions**: tokenveil ${v.tokenveil} (${v.tokenveilCommit}); ${v.chromium} (headless, Debian) driven by playwright-core ${v.playwrightCore} on Node ${v.node}; @huggingface/transformers ${v.transformersJs} with onnxruntime-web ${v.onnxruntimeWeb}; native: onnxruntime ${v.onnxruntimeNative} (Python, CPU provider), ${v.rustc}; export: torch ${v.torch}, transformers ${v.transformers}, onnx ${v.onnx}; ${v.wasmBindgen}.

**Transformers.js's onnxruntime-web build**: ${variants.join("; ")} — the variant Transformers.js picks by default in Chromium (its CDN default, \`ort-wasm-simd-threaded.asyncify\`: SIMD, pthreads-capable, with Asyncify for WebGPU, not JSEP), served from 127.0.0.1 with \`env.allowRemoteModels = false\`.

## Headline (tokenveil / Transformers.js; below 1 means tokenveil is faster or smaller)

${headline(results)}

Latency is the median of whole pipeline calls (text in, labelled tokens out) after warm-up; cold start is page start (navigation) to first result in a fresh profile; download is everything the page fetched of the library and model, gzip -9.

### PII model against Rampart (target: ≤ ${TARGET.max}× Rampart Q4_0's latency at ${TARGET.length} tokens)

tokenveil against tokenveil: our PII model's shipped files over Rampart's shipped Q4_0 file, ${TARGET.length} tokens, batch ${TARGET.batch}, from this run (Chromium: median whole call, the same figures as the latency tables below; native: median forward pass, as in the native tables). The two models' pages run one after the other, not case by case in turns as a pair's runners do, so load on the shared machine can move these ratios more than a pair's; \`node bench/pii-latency.mjs\` interleaves them in one page for a closer look.

${targetTable(results)}

![median latency against sequence length](${svgName})

## Models: same weights on both sides

${Object.values(results.models).map((m) => `- **${m.name}**. ${m.weights} Files: ${m.runners.map((r) => `${r.label} \`${r.file}\` ${mib(r.bytes)} MiB`).join("; ")}.`).join("\n")}

Export checks (onnxruntime on the exported file against PyTorch on the same weights, two padded texts): ${checks.join("; ")}.

## Latency in Chromium

Median and 90th percentile (nearest rank) of per-call milliseconds; tokens/s = tokens per call / median. One call classifies the whole batch: Transformers.js pads the batch into one session run; tokenveil's \`classifyBatch\` tokenizes the texts, runs their windows through the model together (padded to the longest, up to \`batchSize\` 8 windows and 512 padded tokens a pass) and post-processes each, as its Rust API does (see the native tables). Repetitions: up to ${meta.plan.reps.warmup} untimed warm-up calls (the first always, more while warm-up has taken less than ${meta.plan.reps.warmupBudgetMs} ms), then ${meta.plan.reps.minReps} to ${meta.plan.reps.maxReps} timed calls, stopping once ${meta.plan.reps.budgetMs} ms are spent; runners take turns case by case. A batch-8 case whose batch-1 time × 8 exceeds ${meta.plan.skipMs / 1000} s is skipped and marked so. The last columns are tokenveil / Transformers.js, pair by pair.

${latencyTables(results)}

## Cold start

Page start to first result (a 16-token text), ${meta.plan.coldRepeats} run(s) each in a fresh browser profile; "cached" is a second tab of the same profile: both libraries keep the model in the Cache API (Transformers.js also keeps onnxruntime's wasm there); the static server sends \`Cache-Control: no-cache\` without validators, so other files are fetched again (over loopback).

${cold}

## Bytes downloaded

What the page fetched on a cold start, by kind (harness files left out). Raw is what was sent (the server does not compress); gzip is gzip -9 of the same files.

${bytes}

## Memory

WebAssembly memory is the sum of every \`WebAssembly.Memory\` the page created or instantiated (bench/pages/memory-probe.js, the same for both libraries); wasm memory only grows, so its size is the peak. It is read on the throughput pages after all their cases, and in a separate memory pass: a fresh cross-origin-isolated tab per runner, one call on the ${meta.plan.memoryLength}-token input, then \`performance.measureUserAgentSpecificMemory()\` (which needs cross-origin isolation; Chromium started with \`--enable-blink-features=ForceEagerMeasureMemory\` so it answers at once). Transformers.js runs one thread in that pass: with onnxruntime's worker threads the measurement did not answer within 60 s. Chromium's figure counts onnxruntime's memory (a shared \`WebAssembly.Memory\`, backed by a SharedArrayBuffer) but, as measured here, not tokenveil's non-shared wasm memory: compare the wasm column for the engines. The last two columns are the peaks of the throughput pages, which ran different cases (Transformers.js also ran batch-8 cases that tokenveil skipped): they are not a like-for-like comparison.

${memoryTable(results)}

## Same predictions?

Labels of every token of one 128-token input, tokenveil against Transformers.js (aggregation none, \`O\` where nothing is reported).

${agreementTable(results)}

## Native references

The same models on the same machine: tokenveil's release build (bench/native, \`-C target-cpu=native\`, threads through \`RAYON_NUM_THREADS\`) timing \`classify_batch_timed\` (its forward time is shown; a batch runs in padded passes of up to 8 windows and 512 tokens), and onnxruntime's CPU provider (bench/ort_native.py, \`intra_op_num_threads\` 1 or 2) timing \`InferenceSession.run\` on the same ONNX files and tokens. Same repetition rule. The ratio columns are tokenveil / onnxruntime, pair by pair.

${nativeTables(results)}

## Where the time goes in tokenveil

A Chromium CPU profile (DevTools protocol, 100 µs sampling) over repeated calls on the ${meta.plan.profileLength}-token input, with a build of the same code that keeps function names (wasm-opt -O3 -g${v.profileBuildMatchesDist === false ? "; **its glue differed from dist/, so the sources had changed since the last npm run build**" : ""}). Each sample inside the wasm call is put in one category by its call stack (bench/lib/profile.mjs); "ms of a median call" is that share of the median call time.

${profileTables(results)}

## Notes and limits

- **The machine is shared** (2 cores): the run starts once the 1-minute load average is below 0.7 (or after 10 minutes of waiting) and records it at the start and the end; other jobs may still have run during the measurement. The runners of a pair take turns case by case, so a disturbance tends to hit both sides of a ratio.
- **Threads**: at two threads (a cross-origin-isolated page) tokenveil loads its threaded build (\`threads: 2\`: the page's thread plus one pool worker; src/parallel.rs) and Transformers.js sets onnxruntime-web's numThreads to 2. At one thread both run single-threaded builds.
- **int8 is not the same numbers on both sides**: onnxruntime's dynamic quantization keeps one scale per output channel with 7-bit weights (reduce_range) and quantizes activations to uint8 per tensor; tokenveil's Q8_0 keeps one f16 scale per 32 weights and quantizes activations to Q8_0 blocks. Same weights before quantization, different rounding: the token labels of the 128-token input agree as shown above (the base-size model has random weights, so its near-ties flip more easily).
${results.models.pii ? "- **PII model**: our default redaction model, of which only quantized files ship: the f32 pair runs the Q8_0 file dequantized (both libraries), the Q4_0 file is mixed (FFN input weights and the classifier Q4_0, the other matrices Q8_0) and paired with Transformers.js's q8, the smallest file of each library.\n" : ""}- **Rampart**: the 4-bit values are identical; tokenveil's Q4_0 rounds each block scale to f16 and keeps the embeddings in f16 where the ONNX file has uint8 with a per-tensor scale.
- **Cold start** includes compiling the wasm module (onnxruntime-web's is about 26 MiB raw, tokenveil's 3.5 MiB) and, for Transformers.js, creating the session. "Cached" still fetches the JS and, for tokenveil, the wasm module over loopback (the static server sends no validators); with HTTP caching on a real server both would start somewhat faster.
- **Native references** use onnxruntime ${v.onnxruntimeNative} from PyPI (Python); the browser side uses onnxruntime-web ${v.onnxruntimeWeb}. tokenveil's native build uses \`-C target-cpu=native\` (candle's AVX2/F16C kernels are compiled in only then); onnxruntime picks its kernels at run time.
`;
  const mdPath = quick ? join(CACHE, "RESULTS-quick.md") : join(BENCH, "RESULTS.md");
  const svgPath = quick ? join(CACHE, svgName) : join(BENCH, svgName);
  writeFileSync(mdPath, md + handRunSections(mdPath));
  writeFileSync(svgPath, chart(results));
  console.log(`[bench] wrote ${mdPath} and ${svgPath}`);
  console.log(`[bench] ${targetLine(results)}`);
}

/** Sections measured by other scripts (bench/cli-jsonl.sh), below HAND_RUN in the old file. */
const HAND_RUN = "<!-- Hand-run sections: bench/report.mjs keeps everything below this line. -->";
function handRunSections(mdPath) {
  const old = existsSync(mdPath) ? readFileSync(mdPath, "utf8") : "";
  const at = old.indexOf(HAND_RUN);
  return at < 0 ? "" : `\n${old.slice(at)}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2] ?? join(CACHE, "results/full.json");
  const results = JSON.parse(readFileSync(file, "utf8"));
  writeReport(results, { quick: results.meta.mode === "quick" });
}
