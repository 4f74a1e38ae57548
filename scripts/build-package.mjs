#!/usr/bin/env node
// `npm run build`: the npm package in dist/. cargo (wasm32 simd128, and simd128 + relaxed SIMD; wasm-release) -> wasm-bindgen
// (--target web) -> wasm-opt (binaryen from npm) -> tsc for the TypeScript wrapper in js/.
// Prints the sizes that ship.
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const root = new URL("..", import.meta.url).pathname;
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: "inherit" });
const bin = (name) => join(root, "node_modules", ".bin", name);
const cargoBin = (name) => join(process.env.CARGO_HOME ?? join(homedir(), ".cargo"), "bin", name);

// Two builds of the same crate (wasm-release profile, Cargo.toml: fat LTO, one codegen unit,
// size-optimised text crates): simd128 for every engine, and simd128 + relaxed SIMD, whose
// int8 kernel is twice as fast (src/model/qgemm/relaxed.rs). js/wasm.ts loads the relaxed one
// where the engine validates it. Each has its own target dir: other RUSTFLAGS would rebuild the
// other's artifacts every time.
const variants = [
  { file: "tokenveil_bg.wasm", targetDir: "target", rustflags: undefined, features: [] },
  {
    file: "tokenveil_relaxed_bg.wasm",
    targetDir: join("target", "relaxed"),
    // RUSTFLAGS replaces .cargo/config.toml's rustflags, so it names simd128 again.
    rustflags: "-C target-feature=+simd128,+relaxed-simd",
    features: ["--enable-relaxed-simd"],
  },
];

const generated = join(root, "js", "wasm");
rmSync(generated, { recursive: true, force: true });
let glue;
for (const v of variants) {
  const env = { ...process.env };
  if (v.rustflags) env.RUSTFLAGS = v.rustflags;
  else delete env.RUSTFLAGS;
  execFileSync(
    "cargo",
    ["build", "--profile", "wasm-release", "--lib", "--target", "wasm32-unknown-unknown", "--no-default-features", "--target-dir", v.targetDir],
    { cwd: root, stdio: "inherit", env },
  );
  const out = join(root, "target", "wasm-bindgen", v.file.replace("_bg.wasm", ""));
  rmSync(out, { recursive: true, force: true });
  run(cargoBin("wasm-bindgen"), [
    "--target", "web",
    "--out-dir", out,
    "--out-name", "tokenveil",
    join(root, v.targetDir, "wasm32-unknown-unknown", "wasm-release", "tokenveil.wasm"),
  ]);
  // Both modules must fit the one JS glue: same exports, same imports.
  const js = readFileSync(join(out, "tokenveil.js"), "utf8");
  if (glue === undefined) {
    glue = js;
    cpSync(out, generated, { recursive: true });
  } else if (js !== glue) {
    throw new Error(`wasm-bindgen wrote different JS glue for ${v.file}: the builds disagree`);
  }
  // The features rustc's wasm32 target enables by default, plus simd128 (.cargo/config.toml)
  // and the variant's own.
  run(bin("wasm-opt"), [
    "-O3",
    "--enable-simd", "--enable-bulk-memory", "--enable-nontrapping-float-to-int",
    "--enable-sign-ext", "--enable-mutable-globals", "--enable-reference-types", "--enable-multivalue",
    ...v.features,
    join(out, "tokenveil_bg.wasm"), "-o", join(generated, v.file),
  ]);
}

const dist = join(root, "dist");
rmSync(dist, { recursive: true, force: true });
run(bin("tsc"), ["-p", join(root, "js", "tsconfig.json")]);
mkdirSync(join(dist, "wasm"), { recursive: true });
for (const f of ["tokenveil.js", "tokenveil.d.ts", "tokenveil_bg.wasm", "tokenveil_relaxed_bg.wasm", "tokenveil_bg.wasm.d.ts"]) {
  cpSync(join(generated, f), join(dist, "wasm", f));
}

const size = (path) => {
  const raw = statSync(path).size;
  const gz = gzipSync(readFileSync(path), { level: 9 }).length;
  return `${raw.toLocaleString("en")} B raw, ${gz.toLocaleString("en")} B gzip -9`;
};
console.log(`dist/wasm/tokenveil_bg.wasm:         ${size(join(dist, "wasm", "tokenveil_bg.wasm"))}`);
console.log(`dist/wasm/tokenveil_relaxed_bg.wasm: ${size(join(dist, "wasm", "tokenveil_relaxed_bg.wasm"))}`);
console.log(`dist/wasm/tokenveil.js:              ${size(join(dist, "wasm", "tokenveil.js"))}`);
