// Loads the WebAssembly module once. There are three builds of it: simd128; simd128 + relaxed
// SIMD (twice as fast in the int8 matmuls; Chromium 156 runs it, Node 20 does not), chosen by
// asking the engine to run one relaxed instruction; and relaxed SIMD with threads (shared
// memory, atomics), for cross-origin-isolated pages, where the int8 matmuls are split between
// this thread and Web Workers running the same module on the same memory (js/pool-worker.ts).
// In browsers and workers the module is fetched from next to this file (bundlers see the
// `new URL(..., import.meta.url)` literals below and ship every file); in Node it is read from
// disk, where `fetch` has no file: URLs.
import initWasm, * as single from "./wasm/tokenveil.js";
import type * as ThreadsGlue from "./wasm/tokenveil_threads.js";
import { ModelError } from "./errors.js";
import { VITE_HINT, viteDepsBase } from "./locate.js";
import type { WasmSource } from "./types.js";

/** What the classes in index.ts use of the module's bindings: the same in every build. */
export type Bindings = Pick<
  typeof single,
  | "RawTokenClassifier"
  | "RawTextClassifier"
  | "RawRedactionSession"
  | "entityType"
  | "redact"
  | "restore"
  | "documentFormat"
  | "poolThreads"
>;

let ready: Promise<void> | undefined;
let loaded: { bindings: Bindings; memory: WebAssembly.Memory } | undefined;

/** The most threads `init` starts (this thread plus pool workers). */
export const MAX_THREADS = 16;

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

/** The single-threaded build this engine should run, next to this file. */
function defaultWasmUrl(): URL {
  // Vite's dev server, this code pre-bundled elsewhere: the files where npm put them (locate.ts).
  const vite = viteDepsBase();
  if (vite) return new URL(hasRelaxedSimd() ? "wasm/tokenveil_relaxed_bg.wasm" : "wasm/tokenveil_bg.wasm", vite);
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

/** The module's response; a ModelError that says what to do when a page came instead. */
async function fetchWasm(url: URL): Promise<Response> {
  const response = await fetch(url);
  const type = response.headers.get("content-type") ?? "";
  if (response.ok && !type.startsWith("text/html")) return response;
  const got = response.ok ? `an HTML page` : `HTTP ${response.status}`;
  throw new ModelError("not_initialized", `could not load the WebAssembly module: ${url.href} answered ${got}; ${VITE_HINT}`);
}

export interface InitOptions {
  /**
   * Threads for the int8 matmuls, this one included. More than 1 needs a cross-origin-isolated
   * page (COOP `same-origin` + COEP `require-corp`: `crossOriginIsolated` is true), relaxed
   * SIMD, Web Workers and the default module (no `wasm` source): then the threaded build loads
   * and starts `threads - 1` pool workers. Elsewhere, or if the threaded build fails to load,
   * or no worker starts, it runs on one thread; `ModelInfo.threads` says how many run. Default: `navigator.hardwareConcurrency`,
   * at most 4, where threads are possible, else 1.
   */
  threads?: number;
}

/** Whether this context can run the threaded build: isolated, relaxed SIMD, workers. */
function threadsPossible(): boolean {
  return (
    (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true &&
    typeof Worker === "function" &&
    typeof SharedArrayBuffer === "function" &&
    hasRelaxedSimd()
  );
}

function threadsWanted(wasm: WasmSource | undefined, options: InitOptions): number {
  const asked = options.threads;
  if (asked !== undefined && (!Number.isInteger(asked) || asked < 1 || asked > MAX_THREADS)) {
    throw new ModelError("invalid_option", `threads must be an integer from 1 to ${MAX_THREADS}, not ${String(asked)}`);
  }
  if (wasm !== undefined || !threadsPossible()) return 1;
  const cores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
  return asked ?? Math.max(1, Math.min(4, cores));
}

/** Starts a pool worker on `module` and `memory`; true once it runs, false if it cannot. */
function startPoolWorker(module: WebAssembly.Module, memory: WebAssembly.Memory): Promise<boolean> {
  return new Promise((resolve) => {
    let worker: Worker;
    try {
      const vite = viteDepsBase();
      worker = vite
        ? new Worker(new URL("pool-worker.js", vite), { type: "module", name: "tokenveil-pool" })
        : new Worker(new URL("./pool-worker.js", import.meta.url), { type: "module", name: "tokenveil-pool" });
    } catch {
      resolve(false);
      return;
    }
    const fail = () => {
      clearTimeout(timer);
      worker.terminate();
      resolve(false);
    };
    // A worker that neither starts nor fails (a blocked script) is given up on: the matmuls
    // never wait for a worker that has not started, so the pool simply has one thread fewer.
    const timer = setTimeout(fail, 10_000);
    worker.addEventListener("error", fail);
    worker.addEventListener("message", (event: MessageEvent) => {
      clearTimeout(timer);
      if (event.data === "ready") resolve(true);
      else fail();
    });
    worker.postMessage({ module, memory });
  });
}

async function compileThreaded(): Promise<WebAssembly.Module> {
  const vite = viteDepsBase();
  const url = vite ? new URL("wasm/tokenveil_threads_bg.wasm", vite) : new URL("./wasm/tokenveil_threads_bg.wasm", import.meta.url);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  // Streaming compiles while the bytes arrive; it needs the application/wasm content type.
  if (response.headers.get("content-type")?.startsWith("application/wasm")) {
    return WebAssembly.compileStreaming(response);
  }
  return WebAssembly.compile(await response.arrayBuffer());
}

async function initThreaded(threads: number): Promise<void> {
  // The threaded glue is imported by URL, not by a module specifier: bundlers then ship it as a
  // file instead of splitting it into a chunk, which their worker builds (tokenveil/worker's
  // worker imports this file) may refuse (Vite's default IIFE worker format does).
  const vite = viteDepsBase();
  const glueUrl = vite ? new URL("wasm/tokenveil_threads.js", vite) : new URL("./wasm/tokenveil_threads.js", import.meta.url);
  const [glue, module] = await Promise.all([
    import(/* @vite-ignore */ /* webpackIgnore: true */ glueUrl.href) as Promise<typeof ThreadsGlue>,
    compileThreaded(),
  ]);
  // The glue makes the shared memory (its maximum fixed at link time: 2 GiB).
  const exports = await glue.default({ module_or_path: module });
  const started = await Promise.all(Array.from({ length: threads - 1 }, () => startPoolWorker(module, exports.memory)));
  if (started.some((ok) => ok)) {
    // Workers join the pool as they enter their loop, just after saying they are ready.
    const joined = Date.now();
    while (glue.poolThreads() < 1 + started.filter((ok) => ok).length && Date.now() - joined < 1000) {
      await new Promise((r) => setTimeout(r, 1));
    }
  }
  // The threaded glue's classes are the single-threaded glue's, declared again.
  loaded = { bindings: glue as unknown as Bindings, memory: exports.memory };
}

/**
 * Loads and instantiates the WebAssembly module (once; later calls wait for the first, whatever
 * their arguments). Loading a model calls this for you; call it yourself to choose where the
 * module comes from, how many threads run, or to use `redact`/`restore` without a model.
 */
export function init(wasm?: WasmSource, options: InitOptions = {}): Promise<void> {
  ready ??= (async () => {
    const threads = threadsWanted(wasm, options);
    if (threads > 1) {
      try {
        await initThreaded(threads);
        return;
      } catch {
        // The threaded build could not load (its files missing, shared memory refused): the
        // single-threaded one computes the same outputs, more slowly.
      }
    }
    const source = wasm ?? (isNode() ? await nodeWasmBytes() : await fetchWasm(defaultWasmUrl()));
    const exports = await initWasm({ module_or_path: source });
    loaded = { bindings: single, memory: exports.memory };
  })().catch((err: unknown) => {
    ready = undefined;
    if (err instanceof ModelError) throw err;
    // "expected magic word 00 61 73 6d, found 3c 21 64 6f": a page (`<!do`) where the module was.
    const hint = /magic word/.test(String(err)) ? `; ${VITE_HINT}` : "";
    throw new ModelError("not_initialized", `could not load the WebAssembly module: ${String(err)}${hint}`, {
      cause: err,
    });
  });
  return ready;
}

/** The loaded build's bindings; throws unless `init` has finished. */
export function bindings(): Bindings {
  if (loaded === undefined) {
    throw new ModelError("not_initialized", "call `await init()` (or load a model) first");
  }
  return loaded.bindings;
}

/**
 * Bytes of WebAssembly memory in use by the module (its linear memory; it only ever grows, so
 * this is also the peak). 0 before `init`.
 */
export function wasmMemoryBytes(): number {
  return loaded?.memory.buffer.byteLength ?? 0;
}
