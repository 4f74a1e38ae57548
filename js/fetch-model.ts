// Model bytes from a URL, memory or (in Node) a file: streamed with progress, kept in the Cache
// API, and checked against an expected SHA-256.
import { ModelError } from "./errors.js";
import type { FileSource, LoadOptions } from "./types.js";

const DEFAULT_CACHE = "tokenveil-models";

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function matchesHash(bytes: Uint8Array, sha256: string | undefined): Promise<boolean> {
  return sha256 === undefined || (await sha256Hex(bytes)) === sha256.toLowerCase();
}

function cacheName(options: LoadOptions): string | undefined {
  if (options.cache === false || typeof caches === "undefined") return undefined;
  return typeof options.cache === "string" ? options.cache : DEFAULT_CACHE;
}

/** The error for a failed fetch or read: `aborted` when the caller's signal fired. */
function fetchError(url: string, err: unknown, options: LoadOptions): ModelError {
  if (options.signal?.aborted) return new ModelError("aborted", `loading ${url} was aborted`, { cause: err });
  return new ModelError("network", `could not fetch ${url}: ${String(err)}`, { cause: err });
}

async function download(url: string, options: LoadOptions): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url, { signal: options.signal });
  } catch (err) {
    throw fetchError(url, err, options);
  }
  if (!response.ok) {
    throw new ModelError("network", `could not fetch ${url}: HTTP ${response.status}`);
  }
  const header = Number(response.headers.get("Content-Length"));
  const total = Number.isFinite(header) && header > 0 ? header : undefined;
  if (!response.body) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    options.onProgress?.({ loaded: bytes.length, total: bytes.length, fromCache: false });
    return bytes;
  }
  // Chunks go straight into one buffer of the announced size (no second copy of a model that
  // may be ~100 MB); it grows if the body turns out longer (a compressed response announces
  // its compressed length).
  let bytes = new Uint8Array(total ?? 1 << 20);
  let loaded = 0;
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (loaded + value.length > bytes.length) {
        const grown = new Uint8Array(Math.max(2 * bytes.length, loaded + value.length));
        grown.set(bytes.subarray(0, loaded));
        bytes = grown;
      }
      bytes.set(value, loaded);
      loaded += value.length;
      options.onProgress?.({ loaded, total, fromCache: false });
    }
  } catch (err) {
    throw fetchError(url, err, options);
  }
  return loaded === bytes.length ? bytes : bytes.slice(0, loaded);
}

function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === "string" && typeof window === "undefined";
}

/**
 * In Node, the file a source names: a `file:` URL, or a path (relative to the working
 * directory) — anything without a URL scheme; undefined for other URLs (fetched) and elsewhere.
 */
function localFile(source: string | URL): string | URL | undefined {
  if (!isNode()) return undefined;
  if (source instanceof URL) return source.protocol === "file:" ? source : undefined;
  if (/^file:/i.test(source)) return source;
  // A scheme (http:, data:, blob:), but not a Windows drive letter (C:\models\ner.gguf).
  if (/^[a-z][a-z\d+.-]*:/i.test(source) && !/^[a-z]:[\\/]/i.test(source)) return undefined;
  return source;
}

async function readLocal(file: string | URL, options: LoadOptions): Promise<Uint8Array> {
  const name = String(file);
  // A variable specifier keeps bundlers from trying to ship Node's fs to the browser.
  const fsModule = "node:fs/promises";
  const fs = (await import(/* @vite-ignore */ fsModule)) as {
    readFile(path: string | URL, options: { signal?: AbortSignal }): Promise<Uint8Array>;
  };
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(/^file:/i.test(name) ? new URL(name) : name, { signal: options.signal });
  } catch (err) {
    if (options.signal?.aborted) throw new ModelError("aborted", `loading ${name} was aborted`, { cause: err });
    const code = (err as { code?: unknown }).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "a directory, not a file" : String(err);
    throw new ModelError("io", `could not read ${name}: ${why}`, { cause: err });
  }
  options.onProgress?.({ loaded: bytes.length, total: bytes.length, fromCache: false });
  if (!(await matchesHash(bytes, options.sha256))) {
    throw new ModelError("integrity", `${name} does not match the expected sha256`);
  }
  return bytes;
}

/** The bytes of a model file, from memory, the Cache API, the network or (Node) a file. */
export async function fetchModel(source: FileSource, options: LoadOptions = {}): Promise<Uint8Array> {
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) {
    const bytes =
      source instanceof Uint8Array ? source : new Uint8Array(source as ArrayBuffer);
    options.onProgress?.({ loaded: bytes.length, total: bytes.length, fromCache: false });
    if (!(await matchesHash(bytes, options.sha256))) {
      throw new ModelError("integrity", "the model bytes do not match the expected sha256");
    }
    return bytes;
  }
  if (typeof source !== "string" && !(source instanceof URL)) {
    throw new ModelError("invalid_option", "a model source is a URL, an ArrayBuffer or a Uint8Array");
  }
  const file = localFile(source);
  if (file !== undefined) return readLocal(file, options);
  const base = typeof location === "undefined" ? undefined : location.href;
  let url: string;
  try {
    url = new URL(source, base).href;
  } catch (err) {
    throw new ModelError("invalid_option", `${String(source)} is not a URL`, { cause: err });
  }
  const name = cacheName(options);
  const cache = name === undefined ? undefined : await caches.open(name);
  const hit = await cache?.match(url);
  if (hit) {
    const bytes = new Uint8Array(await hit.arrayBuffer());
    if (await matchesHash(bytes, options.sha256)) {
      options.onProgress?.({ loaded: bytes.length, total: bytes.length, fromCache: true });
      return bytes;
    }
    // A stale or corrupt entry: fetch afresh.
    await cache?.delete(url);
  }
  const bytes = await download(url, options);
  if (!(await matchesHash(bytes, options.sha256))) {
    throw new ModelError("integrity", `${url} does not match the expected sha256`);
  }
  // Stored in the background: the model is built from these bytes meanwhile (the Response
  // holds its own copy), and writing ~100 MB to the cache would otherwise delay the first
  // result. A full or unavailable cache only costs the next load a download.
  if (cache) {
    try {
      const response = new Response(bytes as Uint8Array<ArrayBuffer>, {
        headers: { "Content-Type": "application/octet-stream", "Content-Length": String(bytes.length) },
      });
      cache.put(url, response).catch(() => {});
    } catch {
      // As above.
    }
  }
  return bytes;
}
