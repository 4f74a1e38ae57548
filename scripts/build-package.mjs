#!/usr/bin/env node
// `npm run build`: the npm package in dist/. cargo (wasm32 simd128; simd128 + relaxed SIMD; and
// relaxed SIMD + threads, on nightly; wasm-release) -> wasm-bindgen
// (--target web) -> wasm-opt (binaryen from npm) -> tsc for the TypeScript wrapper in js/.
// Prints the sizes that ship. `npm run build -- --ts-only` redoes only the tsc step and the
// copy into dist/, reusing the wasm builds in js/wasm/ (for changes to js/*.ts alone).
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const root = new URL("..", import.meta.url).pathname;
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: "inherit" });
const bin = (name) => join(root, "node_modules", ".bin", name);
const cargoBin = (name) => join(process.env.CARGO_HOME ?? join(homedir(), ".cargo"), "bin", name);

// Three builds of the same crate (wasm-release profile, Cargo.toml: fat LTO, one codegen unit,
// size-optimised text crates): simd128 for every engine; simd128 + relaxed SIMD, whose int8
// kernel is twice as fast (src/model/qgemm/relaxed.rs); and relaxed SIMD with threads (atomics,
// shared memory: src/parallel.rs) for cross-origin-isolated pages. js/wasm.ts picks one at run
// time. Each has its own target dir: other RUSTFLAGS would rebuild the others' artifacts.
// RUSTFLAGS replaces .cargo/config.toml's rustflags, so each names simd128 again.
const THREADS_RUSTFLAGS = [
  "-C target-feature=+simd128,+relaxed-simd,+atomics,+bulk-memory,+mutable-globals",
  // Shared memory, imported so that pool workers instantiate the module on the page's memory;
  // wasm-bindgen's thread support needs the TLS symbols exported. 2 GiB at most.
  "-C link-arg=--shared-memory -C link-arg=--import-memory -C link-arg=--max-memory=2147483648",
  "-C link-arg=--export=__wasm_init_tls -C link-arg=--export=__tls_size",
  "-C link-arg=--export=__tls_align -C link-arg=--export=__tls_base",
].join(" ");
const variants = [
  { name: "tokenveil", file: "tokenveil_bg.wasm", targetDir: "target", rustflags: undefined, features: [] },
  {
    name: "tokenveil",
    file: "tokenveil_relaxed_bg.wasm",
    targetDir: join("target", "relaxed"),
    rustflags: "-C target-feature=+simd128,+relaxed-simd",
    features: ["--enable-relaxed-simd"],
  },
  {
    // Its own JS glue (the memory is imported, and pool workers start on it).
    name: "tokenveil_threads",
    file: "tokenveil_threads_bg.wasm",
    targetDir: join("target", "threads"),
    rustflags: THREADS_RUSTFLAGS,
    // std must be compiled with atomics too: nightly's -Z build-std (scripts/setup.sh installs
    // rust-src).
    cargo: ["+nightly"],
    unstable: ["-Z", "build-std=std,panic_abort"],
    features: ["--enable-relaxed-simd", "--enable-threads"],
  },
];

const generated = join(root, "js", "wasm");
const tsOnly = process.argv.includes("--ts-only");
if (tsOnly && !existsSync(join(generated, "tokenveil_threads_bg.wasm"))) {
  throw new Error("--ts-only reuses js/wasm/ from a full `npm run build`, and there is none");
}
if (!tsOnly) rmSync(generated, { recursive: true, force: true });
const glue = {};
for (const v of tsOnly ? [] : variants) {
  const env = { ...process.env };
  if (v.rustflags) env.RUSTFLAGS = v.rustflags;
  else delete env.RUSTFLAGS;
  execFileSync(
    "cargo",
    [
      ...(v.cargo ?? []),
      "build", ...(v.unstable ?? []),
      "--profile", "wasm-release", "--lib", "--target", "wasm32-unknown-unknown", "--no-default-features",
      "--target-dir", v.targetDir,
    ],
    { cwd: root, stdio: "inherit", env },
  );
  const out = join(root, "target", "wasm-bindgen", v.file.replace("_bg.wasm", ""));
  rmSync(out, { recursive: true, force: true });
  run(cargoBin("wasm-bindgen"), [
    "--target", "web",
    "--out-dir", out,
    "--out-name", v.name,
    join(root, v.targetDir, "wasm32-unknown-unknown", "wasm-release", "tokenveil.wasm"),
  ]);
  // Builds sharing a name must fit one JS glue: same exports, same imports.
  const js = readFileSync(join(out, `${v.name}.js`), "utf8");
  if (glue[v.name] === undefined) {
    glue[v.name] = js;
    for (const f of [`${v.name}.js`, `${v.name}.d.ts`]) cpSync(join(out, f), join(generated, f));
  } else if (js !== glue[v.name]) {
    throw new Error(`wasm-bindgen wrote different JS glue for ${v.file}: the builds disagree`);
  }
  // The features rustc's wasm32 target enables by default, plus simd128 (.cargo/config.toml)
  // and the variant's own.
  run(bin("wasm-opt"), [
    "-O3",
    "--enable-simd", "--enable-bulk-memory", "--enable-nontrapping-float-to-int",
    "--enable-sign-ext", "--enable-mutable-globals", "--enable-reference-types", "--enable-multivalue",
    ...v.features,
    join(out, `${v.name}_bg.wasm`), "-o", join(generated, v.file),
  ]);
}

const dist = join(root, "dist");
rmSync(dist, { recursive: true, force: true });
run(bin("tsc"), ["-p", join(root, "js", "tsconfig.json")]);
mkdirSync(join(dist, "wasm"), { recursive: true });
for (const f of [
  "tokenveil.js", "tokenveil.d.ts", "tokenveil_bg.wasm", "tokenveil_relaxed_bg.wasm",
  "tokenveil_threads.js", "tokenveil_threads.d.ts", "tokenveil_threads_bg.wasm",
]) {
  cpSync(join(generated, f), join(dist, "wasm", f));
}

const size = (path) => {
  const raw = statSync(path).size;
  const gz = gzipSync(readFileSync(path), { level: 9 }).length;
  return `${raw.toLocaleString("en")} B raw, ${gz.toLocaleString("en")} B gzip -9`;
};
console.log(`dist/wasm/tokenveil_bg.wasm:         ${size(join(dist, "wasm", "tokenveil_bg.wasm"))}`);
console.log(`dist/wasm/tokenveil_relaxed_bg.wasm: ${size(join(dist, "wasm", "tokenveil_relaxed_bg.wasm"))}`);
console.log(`dist/wasm/tokenveil_threads_bg.wasm: ${size(join(dist, "wasm", "tokenveil_threads_bg.wasm"))}`);
console.log(`dist/wasm/tokenveil.js:              ${size(join(dist, "wasm", "tokenveil.js"))}`);
console.log(`dist/wasm/tokenveil_threads.js:      ${size(join(dist, "wasm", "tokenveil_threads.js"))}`);
