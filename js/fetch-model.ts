// Model bytes from a URL or memory: streamed with progress, kept in the Cache API, and checked
// against an expected SHA-256.
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
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      loaded += value.length;
      options.onProgress?.({ loaded, total, fromCache: false });
    }
  } catch (err) {
    throw fetchError(url, err, options);
  }
  const bytes = new Uint8Array(loaded);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  return bytes;
}

/** The bytes of a model file, from memory, the Cache API or the network. */
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
  const base = typeof location === "undefined" ? undefined : location.href;
  const url = new URL(source, base).href;
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
  try {
    await cache?.put(
      url,
      new Response(bytes as Uint8Array<ArrayBuffer>, {
        headers: { "Content-Type": "application/octet-stream", "Content-Length": String(bytes.length) },
      }),
    );
  } catch {
    // A full or unavailable cache only costs the next load a download.
  }
  return bytes;
}
