// Loads the WebAssembly module once. There are two builds of it: simd128, and simd128 + relaxed
// SIMD (twice as fast in the int8 matmuls; Chromium 156 runs it, Node 20 does not), chosen by asking
// the engine to validate one relaxed instruction. In browsers and workers the module is fetched
// from next to this file (bundlers see the `new URL(..., import.meta.url)` literals below and
// ship both files); in Node it is read from disk, where `fetch` has no file: URLs.
import initWasm, { type InitOutput } from "./wasm/tokenveil.js";
import { ModelError } from "./errors.js";
import type { WasmSource } from "./types.js";

let ready: Promise<void> | undefined;
let exports: InitOutput | undefined;

function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === "string" && typeof window === "undefined";
}

/**
 * A module exporting `f() = i32x4.relaxed_dot_i8x16_i7x16_add_s(splat(-128), splat(127),
 * splat(7))[0]`, which is 7 + 4 × (−128 × 127) = −65017 where relaxed SIMD works. Validating is
 * not enough: Node 20's V8 accepts the instruction behind --experimental-wasm-relaxed-simd but
 * computes another number.
 */
const RELAXED_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f, // types: () -> i32
  0x03, 0x02, 0x01, 0x00, // one function of type 0
  0x07, 0x05, 0x01, 0x01, 0x66, 0x00, 0x00, // export it as "f"
  0x0a, 0x18, 0x01, 0x16, 0x00, // code: one body of 22 bytes, no locals
  0x41, 0x80, 0x7f, 0xfd, 0x0f, // i8x16.splat(-128)
  0x41, 0xff, 0x00, 0xfd, 0x0f, // i8x16.splat(127)
  0x41, 0x07, 0xfd, 0x11, // i32x4.splat(7)
  0xfd, 0x93, 0x02, // i32x4.relaxed_dot_i8x16_i7x16_add_s
  0xfd, 0x1b, 0x00, 0x0b, // i32x4.extract_lane 0, end
]);

let relaxedSupport: boolean | undefined;

/** Whether this engine runs relaxed SIMD, and gets it right: then the relaxed build loads. */
export function hasRelaxedSimd(): boolean {
  relaxedSupport ??= (() => {
    try {
      if (!WebAssembly.validate(RELAXED_PROBE)) return false;
      const probe = new WebAssembly.Instance(new WebAssembly.Module(RELAXED_PROBE));
      return (probe.exports.f as () => number)() === -65017;
    } catch {
      return false;
    }
  })();
  return relaxedSupport;
}

/** The build this engine should run, next to this file. */
function defaultWasmUrl(): URL {
  // Two literal `new URL(...)` expressions, so that bundlers ship both files.
  return hasRelaxedSimd()
    ? new URL("./wasm/tokenveil_relaxed_bg.wasm", import.meta.url)
    : new URL("./wasm/tokenveil_bg.wasm", import.meta.url);
}

async function nodeWasmBytes(): Promise<Uint8Array> {
  // A variable specifier keeps bundlers from trying to ship Node's fs to the browser.
  const fsModule = "node:fs/promises";
  const fs = (await import(/* @vite-ignore */ fsModule)) as {
    readFile(path: URL): Promise<Uint8Array>;
  };
  return fs.readFile(defaultWasmUrl());
}

/**
 * Loads and instantiates the WebAssembly module (once; later calls wait for the first).
 * Loading a model calls this for you; call it yourself to choose where the module comes from
 * or to use `redact`/`restore` without a model.
 */
export function init(wasm?: WasmSource): Promise<void> {
  ready ??= (async () => {
    const source = wasm ?? (isNode() ? await nodeWasmBytes() : defaultWasmUrl());
    exports = await initWasm({ module_or_path: source });
  })().catch((err: unknown) => {
    ready = undefined;
    throw new ModelError("not_initialized", `could not load the WebAssembly module: ${String(err)}`, {
      cause: err,
    });
  });
  return ready;
}

/** Throws unless `init` has finished: the synchronous functions need the module. */
export function assertInitialized(): void {
  if (exports === undefined) {
    throw new ModelError("not_initialized", "call `await init()` (or load a model) first");
  }
}

/**
 * Bytes of WebAssembly memory in use by the module (its linear memory; it only ever grows, so
 * this is also the peak). 0 before `init`.
 */
export function wasmMemoryBytes(): number {
  return exports?.memory.buffer.byteLength ?? 0;
}
