#!/usr/bin/env node
// `npm run bench` (from the repository root, after `npm run build`; dist/ is built if missing):
// tokenveil and Transformers.js side by side in Debian's Chromium on the same weights, plus
// the native references (tokenveil's release build, onnxruntime's CPU provider), written to
// bench/RESULTS.md and bench/latency.svg. See bench/README.md.
//
//   npm run bench                 full run (~30 minutes on 2 cores), writes bench/RESULTS.md
//   npm run bench -- --quick      a few cases of each (~6 minutes), writes bench/.cache/RESULTS-quick.md
//   npm run bench -- --no-wait    do not wait for the machine's load average to settle
//   npm run bench -- --report     rewrite RESULTS.md from the last full run's raw results
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { coldStart, memoryPass, profile, throughput } from "./lib/browser.mjs";
import { ortNative, tokenveilNative } from "./lib/native.mjs";
import { BENCH, CACHE, ROOT, VENV_PYTHON } from "./lib/paths.mjs";
import { summarize } from "./lib/profile.mjs";
import { log, setup } from "./lib/setup.mjs";
import { makeSite } from "./lib/site.mjs";
import { writeReport } from "./report.mjs";

const args = new Set(process.argv.slice(2));
const quick = args.has("--quick");
// Folders of bench/.cache/models (bench/prepare.py). pii (our PII model) is compared with
// rampart in the report (its latency bound: at most 1.1x Rampart Q4_0 at 128 tokens), so it comes right after it.
const MODELS = ["rampart", "pii", "ner", "base"];

const grid = (lengths, batches) => lengths.flatMap((length) => batches.map((batch) => ({ length, batch })));
const PLANS = {
  full: {
    // Browser cases, the same at one thread and at two (a cross-origin-isolated page, where
    // both libraries start their threaded builds).
    cases: grid([16, 64, 128, 256, 512], [1, 8]),
    casesTwoThreads: grid([16, 64, 128, 256, 512], [1, 8]),
    reps: { warmup: 3, warmupBudgetMs: 1500, minReps: 3, maxReps: 20, budgetMs: 3000 },
    // Browser batch-8 cases whose batch-1 time x 8 exceeds this are skipped (and say so).
    skipMs: 3000,
    native: { lengths: [16, 64, 128, 256, 512], batches: [1, 8] },
    nativeThreads: [1, 2],
    nativeReps: { warmup: 3, warmupBudgetMs: 500, minReps: 3, maxReps: 15, budgetMs: 1000 },
    memoryLength: 512,
    coldRepeats: 3,
    profileSeconds: 3,
    profileLength: 128,
  },
  quick: {
    cases: grid([16, 128], [1]).concat([{ length: 16, batch: 8 }]),
    casesTwoThreads: [{ length: 128, batch: 1 }],
    reps: { warmup: 2, warmupBudgetMs: 300, minReps: 3, maxReps: 5, budgetMs: 300 },
    skipMs: 1500,
    native: { lengths: [16, 128], batches: [1, 8] },
    nativeThreads: [1],
    nativeReps: { warmup: 2, warmupBudgetMs: 300, minReps: 3, maxReps: 5, budgetMs: 300 },
    memoryLength: 128,
    coldRepeats: 1,
    profileSeconds: 1,
    profileLength: 128,
  },
};

const loadavg = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).map(Number);

/** Waits (up to 10 minutes) for the 1-minute load average to fall below 0.7. */
async function settle() {
  const until = Date.now() + 10 * 60_000;
  while (loadavg()[0] >= 0.7 && Date.now() < until) {
    log(`load average ${loadavg().join(" ")}: waiting for it to fall below 0.7`);
    await new Promise((ok) => setTimeout(ok, 30_000));
  }
  return loadavg();
}

const sh = (cmd, a, opts = {}) => {
  try {
    return execFileSync(cmd, a, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], ...opts }).trim();
  } catch {
    return null;
  }
};
const pkgVersion = (dir) => JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).version;

function machine() {
  const lscpu = sh("lscpu") ?? "";
  const field = (name) => lscpu.match(new RegExp(`^${name}:\\s*(.+)$`, "m"))?.[1] ?? null;
  return {
    cpu: field("Model name") ?? cpus()[0]?.model,
    cores: cpus().length,
    threadsPerCore: field("Thread\\(s\\) per core"),
    flags: ["avx2", "avx512f", "avx512_vnni", "avx_vnni"].filter((f) => (field("Flags") ?? "").split(" ").includes(f)),
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: sh("uname", ["-sr"]),
    os: sh("sh", ["-c", ". /etc/os-release && echo $PRETTY_NAME"]),
  };
}

function versions(profilePkg) {
  const py = sh(VENV_PYTHON, ["-c", "import onnxruntime, torch, transformers, onnx; print(onnxruntime.__version__, torch.__version__, transformers.__version__, onnx.__version__)"])?.split(" ") ?? [];
  const nm = join(BENCH, "node_modules");
  const dirty = sh("git", ["status", "--porcelain", "--", "src", "js", "Cargo.toml", "Cargo.lock"], { cwd: ROOT });
  return {
    tokenveil: pkgVersion(ROOT),
    tokenveilCommit: sh("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT }) + (dirty ? " (with uncommitted changes to src/js)" : ""),
    chromium: sh("/usr/bin/chromium", ["--version"]),
    node: process.version,
    playwrightCore: pkgVersion(join(ROOT, "node_modules/playwright-core")),
    transformersJs: pkgVersion(join(nm, "@huggingface/transformers")),
    onnxruntimeWeb: pkgVersion(join(nm, "onnxruntime-web")),
    onnxruntimeNative: py[0] ?? null,
    torch: py[1] ?? null,
    transformers: py[2] ?? null,
    onnx: py[3] ?? null,
    rustc: sh("rustc", ["--version"]),
    wasmBindgen: sh("wasm-bindgen", ["--version"]),
    profileBuildMatchesDist: profilePkg?.matchesDist ?? null,
  };
}

async function main() {
  const resultsDir = join(CACHE, "results");
  mkdirSync(resultsDir, { recursive: true });
  const latest = join(resultsDir, quick ? "quick.json" : "full.json");
  if (args.has("--report")) {
    if (!existsSync(latest)) throw new Error(`--report: no raw results at ${latest} (run npm run bench${quick ? " -- --quick" : ""} first)`);
    writeReport(JSON.parse(readFileSync(latest, "utf8")), { quick });
    return;
  }

  const started = Date.now();
  const { profilePkg } = setup();
  const site = makeSite({ profilePkg: profilePkg?.dir });
  const plan = PLANS[quick ? "quick" : "full"];
  const manifests = Object.fromEntries(
    MODELS.map((m) => [m, JSON.parse(readFileSync(join(CACHE, "models", m, "manifest.json"), "utf8"))]),
  );

  const loadBefore = args.has("--no-wait") ? loadavg() : await settle();
  const benchStarted = Date.now();
  log(`load average at start: ${loadBefore.join(" ")}`);
  const results = {
    meta: { mode: quick ? "quick" : "full", date: new Date().toISOString(), plan, machine: machine(), versions: versions(profilePkg), load: { start: loadBefore } },
    models: manifests,
    browser: [],
    cold: {},
    memory: {},
    native: { tokenveil: {}, onnxruntime: {} },
    profile: {},
  };

  log("native references");
  for (const model of MODELS) {
    const folder = join(CACHE, "models", model);
    for (const runner of manifests[model].runners) {
      for (const threads of plan.nativeThreads) {
        const opts = { folder, runner, threads, ...plan.native, reps: plan.nativeReps };
        const side = runner.lib === "tokenveil" ? "tokenveil" : "onnxruntime";
        const out = runner.lib === "tokenveil" ? tokenveilNative(opts) : ortNative(opts);
        ((results.native[side][model] ??= {})[runner.id] ??= {})[threads] = out.cases;
      }
    }
  }

  log("browser: one thread, then two threads on a cross-origin-isolated page");
  for (const [threads, isolate, cases] of [[1, false, plan.cases], [2, true, plan.casesTwoThreads]]) {
    for (const model of MODELS) {
      results.browser.push(
        await throughput({ site, model, manifest: manifests[model], threads, isolate, cases, reps: plan.reps, skipMs: plan.skipMs }),
      );
    }
  }

  log("memory on a cross-origin-isolated page");
  for (const model of MODELS) {
    results.memory[model] = await memoryPass({ site, model, manifest: manifests[model], length: plan.memoryLength });
  }

  log("cold start and bytes downloaded");
  for (const model of MODELS) {
    for (const runner of manifests[model].runners) {
      (results.cold[model] ??= {})[runner.id] = await coldStart({ site, model, runner, repeats: plan.coldRepeats });
      log(`  ${model} ${runner.id}: ${results.cold[model][runner.id].map((r) => `${r.uncachedMs.toFixed(0)}/${r.cachedMs.toFixed(0)} ms`).join(", ")}`);
    }
  }

  if (profilePkg) {
    log("profile of tokenveil in Chromium");
    for (const model of MODELS) {
      for (const runner of manifests[model].runners.filter((r) => r.lib === "tokenveil")) {
        const p = await profile({ site, model, runner, pkg: "/tokenveil-profile", length: plan.profileLength, seconds: plan.profileSeconds });
        results.profile[`${model}/${runner.id}`] = { length: plan.profileLength, calls: p.calls, times: p.times, stages: p.stages, tokens: p.tokens, ...summarize(p.profile) };
        writeFileSync(join(resultsDir, `profile-${model}-${runner.id}.cpuprofile`), JSON.stringify(p.profile));
      }
    }
  }

  results.meta.load.end = loadavg();
  results.meta.durationS = Math.round((Date.now() - benchStarted) / 1000);
  results.meta.setupS = Math.round((benchStarted - started) / 1000);
  writeFileSync(latest, JSON.stringify(results));
  log(`raw results: ${latest}; load average at end: ${results.meta.load.end.join(" ")}; ${results.meta.durationS} s`);
  writeReport(results, { quick });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
