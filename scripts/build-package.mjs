#!/usr/bin/env node
// `npm run build`: the npm package in dist/. cargo (wasm32, simd128, wasm-release) -> wasm-bindgen
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

// The wasm-release profile (Cargo.toml): fat LTO, one codegen unit, size-optimised text crates.
run("cargo", ["build", "--profile", "wasm-release", "--lib", "--target", "wasm32-unknown-unknown", "--no-default-features"]);

const generated = join(root, "js", "wasm");
rmSync(generated, { recursive: true, force: true });
run(cargoBin("wasm-bindgen"), [
  "--target", "web",
  "--out-dir", generated,
  "--out-name", "tokenveil",
  join(root, "target", "wasm32-unknown-unknown", "wasm-release", "tokenveil.wasm"),
]);

// The features rustc's wasm32 target enables by default, plus simd128 (.cargo/config.toml).
const wasm = join(generated, "tokenveil_bg.wasm");
run(bin("wasm-opt"), [
  "-O3",
  "--enable-simd", "--enable-bulk-memory", "--enable-nontrapping-float-to-int",
  "--enable-sign-ext", "--enable-mutable-globals", "--enable-reference-types", "--enable-multivalue",
  wasm, "-o", wasm,
]);

const dist = join(root, "dist");
rmSync(dist, { recursive: true, force: true });
run(bin("tsc"), ["-p", join(root, "js", "tsconfig.json")]);
mkdirSync(join(dist, "wasm"), { recursive: true });
for (const f of ["tokenveil.js", "tokenveil.d.ts", "tokenveil_bg.wasm", "tokenveil_bg.wasm.d.ts"]) {
  cpSync(join(generated, f), join(dist, "wasm", f));
}

const size = (path) => {
  const raw = statSync(path).size;
  const gz = gzipSync(readFileSync(path), { level: 9 }).length;
  return `${raw.toLocaleString("en")} B raw, ${gz.toLocaleString("en")} B gzip -9`;
};
console.log(`dist/wasm/tokenveil_bg.wasm: ${size(join(dist, "wasm", "tokenveil_bg.wasm"))}`);
console.log(`dist/wasm/tokenveil.js:      ${size(join(dist, "wasm", "tokenveil.js"))}`);
