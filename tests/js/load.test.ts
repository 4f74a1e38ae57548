// Loading over HTTP: streamed progress, HTTP errors, integrity, and the functions that need
// the wasm module before any model is loaded; in Node, loading from a file path or file: URL.
import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, expect, test } from "vitest";
import { ModelError, TokenClassifier, init, redact } from "../../dist/index.js";
// @ts-expect-error: a plain .mjs script without types
import { serve } from "../../scripts/serve.mjs";
import { bytes } from "./helpers.js";

let server: Server;
let base: string;
beforeAll(async () => {
  server = await serve(new URL("../../models", import.meta.url).pathname);
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => server.close());

test("redact before init is an error, after init it works", async () => {
  expect(() => redact("a@b.co")).toThrow(ModelError);
  try {
    redact("a@b.co");
  } catch (e) {
    expect((e as ModelError).code).toBe("not_initialized");
  }
  await init();
  expect(redact("a@b.co").text).toBe("<EMAIL_1>");
});

test("a URL streams with progress and checks the sha256", async () => {
  const file = bytes("models/ner/ner-q4_0.gguf");
  const sha256 = createHash("sha256").update(file).digest("hex");
  const seen: { loaded: number; total?: number; fromCache: boolean }[] = [];
  const ner = await TokenClassifier.load(`${base}/ner/ner-q4_0.gguf`, { sha256, onProgress: (p) => seen.push(p) });
  expect(seen.length).toBeGreaterThan(1);
  expect(seen.at(-1)).toEqual({ loaded: file.length, total: file.length, fromCache: false });
  expect(seen.every((p, i) => i === 0 || p.loaded > seen[i - 1]!.loaded)).toBe(true);
  const { entities } = ner.classify("Angela Merkel visited Paris.", { aggregationStrategy: "simple" });
  expect(entities.map((e) => e.entityGroup)).toEqual(["PER", "LOC"]);
  ner.dispose();
});

test("HTTP errors and hash mismatches are ModelErrors", async () => {
  const missing = await TokenClassifier.load(`${base}/nope.gguf`).catch((e) => e);
  expect(missing).toMatchObject({ code: "network" });
  expect(missing.message).toContain("404");
  const wrong = await TokenClassifier.load(`${base}/ner/ner-q4_0.gguf`, { sha256: "ab".repeat(32) }).catch((e) => e);
  expect(wrong).toMatchObject({ code: "integrity" });
  const refused = await TokenClassifier.load("http://127.0.0.1:9/model.gguf").catch((e) => e);
  expect(refused).toMatchObject({ code: "network" });
});

test("a body longer than its Content-Length announces (gzip) still arrives whole", async () => {
  // The announced length is the compressed one; fetch hands over the decompressed bytes, more
  // than the buffer sized from the header holds.
  const file = bytes("models/ner/ner-q4_0.gguf");
  const gz = gzipSync(file, { level: 1 });
  const zipped = createServer((_req, res) => {
    res.writeHead(200, { "Content-Encoding": "gzip", "Content-Length": String(gz.length) });
    res.end(gz);
  });
  await new Promise<void>((ok) => zipped.listen(0, "127.0.0.1", ok));
  try {
    const url = `http://127.0.0.1:${(zipped.address() as { port: number }).port}/ner.gguf`;
    const sha256 = createHash("sha256").update(file).digest("hex");
    const seen: number[] = [];
    const ner = await TokenClassifier.load(url, { sha256, onProgress: (p) => seen.push(p.loaded) });
    expect(gz.length).toBeLessThan(file.length);
    expect(seen.at(-1)).toBe(file.length);
    const { entities } = ner.classify("Angela Merkel visited Paris.", { aggregationStrategy: "simple" });
    expect(entities.map((e) => e.entityGroup)).toEqual(["PER", "LOC"]);
    ner.dispose();
  } finally {
    zipped.close();
  }
});

test("in Node, a file path or a file: URL reads the file; a missing file is an io error", async () => {
  const file = "models/ner/ner-q4_0.gguf";
  const url = new URL(`../../${file}`, import.meta.url);
  // A path relative to the working directory, as `load("public/ner.gguf")` is.
  const path = relative(process.cwd(), fileURLToPath(url));
  const seen: { loaded: number; total?: number; fromCache: boolean }[] = [];
  const ner = await TokenClassifier.load(path, { onProgress: (p) => seen.push(p) });
  const size = bytes(file).length;
  expect(seen).toEqual([{ loaded: size, total: size, fromCache: false }]);
  const { entities } = ner.classify("Angela Merkel visited Paris.", { aggregationStrategy: "simple" });
  expect(entities.map((e) => e.entityGroup)).toEqual(["PER", "LOC"]);
  ner.dispose();
  for (const source of [url, url.href, fileURLToPath(url)]) {
    const m = await TokenClassifier.load(source);
    expect(m.info.labels.length).toBeGreaterThan(0);
    m.dispose();
  }
  const wrong = await TokenClassifier.load(path, { sha256: "ab".repeat(32) }).catch((e) => e);
  expect(wrong).toMatchObject({ code: "integrity" });
  for (const missing of ["public/ner.gguf", new URL("file:///nonexistent/ner.gguf"), "file:///nonexistent/ner.gguf"]) {
    const err = await TokenClassifier.load(missing).catch((e) => e);
    expect(err).toBeInstanceOf(ModelError);
    expect(err).toMatchObject({ code: "io" });
    expect(err.message).toMatch(/no such file/);
  }
});
