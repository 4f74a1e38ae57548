// The native references on the same machine and models: tokenveil's release build
// (bench/native, threads through RAYON_NUM_THREADS) and onnxruntime's CPU provider through
// Python (bench/ort_native.py) on the ONNX files the Transformers.js page loads.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { BENCH, NATIVE_BIN, VENV_PYTHON } from "./paths.mjs";
import { log } from "./setup.mjs";

const repArgs = (reps) => [
  "--warmup", String(reps.warmup),
  "--warmup-budget-ms", String(reps.warmupBudgetMs),
  "--min-reps", String(reps.minReps),
  "--max-reps", String(reps.maxReps),
  "--budget-ms", String(reps.budgetMs),
];

function json(cmd, args, env = {}) {
  const out = execFileSync(cmd, args, {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 64 << 20,
  });
  return JSON.parse(out.toString());
}

export function tokenveilNative({ folder, runner, threads, lengths, batches, reps }) {
  log(`  native tokenveil ${runner.id} ${threads}T`);
  return json(
    NATIVE_BIN,
    ["run", join(folder, runner.file), join(folder, "inputs.json"), "--lengths", lengths.join(","), "--batches", batches.join(","), ...repArgs(reps)],
    { RAYON_NUM_THREADS: String(threads) },
  );
}

export function ortNative({ folder, runner, threads, lengths, batches, reps }) {
  log(`  native onnxruntime ${runner.id} ${threads}T`);
  return json(
    VENV_PYTHON,
    [join(BENCH, "ort_native.py"), join(folder, runner.file), folder, "--threads", String(threads), "--lengths", lengths.join(","), "--batches", batches.join(","), ...repArgs(reps)],
    // onnxruntime's own pool does the threading; keep numpy's BLAS out of it.
    { OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1" },
  );
}
