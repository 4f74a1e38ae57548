// Loads the WebAssembly module once. In browsers and workers the module is fetched from next
// to this file (bundlers see the `new URL(..., import.meta.url)` in the wasm-bindgen glue and
// ship the file); in Node it is read from disk, where `fetch` has no file: URLs.
import initWasm, { type InitOutput } from "./wasm/tokenveil.js";
import { ModelError } from "./errors.js";
import type { WasmSource } from "./types.js";

let ready: Promise<void> | undefined;
let exports: InitOutput | undefined;

function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === "string" && typeof window === "undefined";
}

async function nodeWasmBytes(): Promise<Uint8Array> {
  // A variable specifier keeps bundlers from trying to ship Node's fs to the browser.
  const fsModule = "node:fs/promises";
  const fs = (await import(/* @vite-ignore */ fsModule)) as {
    readFile(path: URL): Promise<Uint8Array>;
  };
  return fs.readFile(new URL("./wasm/tokenveil_bg.wasm", import.meta.url));
}

/**
 * Loads and instantiates the WebAssembly module (once; later calls wait for the first).
 * Loading a model calls this for you; call it yourself to choose where the module comes from
 * or to use `redact`/`restore` without a model.
 */
export function init(wasm?: WasmSource): Promise<void> {
  ready ??= (async () => {
    const source = wasm ?? (isNode() ? await nodeWasmBytes() : undefined);
    exports = await initWasm(source === undefined ? undefined : { module_or_path: source });
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
