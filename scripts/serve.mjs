#!/usr/bin/env node
// A static file server for the built demo and the test apps, on 127.0.0.1 only.
//   node scripts/serve.mjs DIR [--port N] [--csp] [--isolate] [--echo]
// --csp serves the strict Content-Security-Policy the demo must work under; --isolate adds the
// COOP/COEP headers that make a page cross-origin isolated (SharedArrayBuffer, threads).
// --echo adds /echo, for the demo's upload panel: a POST is answered with the body it sent (and
// its Content-Type), and every file is served with a `Tokenveil-Echo: echo` header, which the
// page looks for. Without it the server takes no uploads (/echo is a 404) and the header is
// absent, so the static demo has nowhere to send a file and never tries.
// Prints "serving http://127.0.0.1:PORT/" once listening (port 0 picks a free one).
import { createReadStream, statSync } from "node:fs";
import { createServer } from "node:http";
import { extname, join, normalize, resolve } from "node:path";

export const STRICT_CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; " +
  "connect-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".gguf": "application/octet-stream",
  ".txt": "text/plain; charset=utf-8",
};

/** Starts serving `dir`; resolves with the server once it listens. */
/**
 * Starts serving `dir`; resolves with the server once it listens. `record(request, body)` is
 * called with every request and every byte of its body (the upload test keeps them all).
 */
export function serve(dir, { port = 0, csp = false, isolate = false, echo = false, record } = {}) {
  const root = resolve(dir);
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      record?.(req, body);
      respond(req, res, body);
    });
  });
  const respond = (req, res, body) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (echo && url.pathname === "/echo") {
      const headers = { "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff" };
      if (csp) headers["Content-Security-Policy"] = STRICT_CSP;
      if (isolate) headers["Cross-Origin-Resource-Policy"] = "same-origin";
      if (req.method === "POST") {
        headers["Content-Type"] = req.headers["content-type"] ?? "application/octet-stream";
        res.writeHead(200, headers).end(body);
      } else if (req.method === "HEAD") {
        res.writeHead(204, headers).end();
      } else {
        res.writeHead(405, { ...headers, Allow: "POST, HEAD" }).end();
      }
      return;
    }
    let path = normalize(join(root, decodeURIComponent(url.pathname)));
    if (!path.startsWith(root)) {
      res.writeHead(403).end();
      return;
    }
    let stat;
    try {
      stat = statSync(path);
      if (stat.isDirectory()) {
        path = join(path, "index.html");
        stat = statSync(path);
      }
    } catch {
      res.writeHead(404, { "Content-Type": "text/plain" }).end("not found");
      return;
    }
    const headers = {
      "Content-Type": TYPES[extname(path)] ?? "application/octet-stream",
      "Content-Length": String(stat.size),
      "Cache-Control": "no-cache",
      "X-Content-Type-Options": "nosniff",
    };
    if (csp) headers["Content-Security-Policy"] = STRICT_CSP;
    // How the demo page learns that it may send (a HEAD of itself): no request to a missing URL.
    if (echo) headers["Tokenveil-Echo"] = "echo";
    if (isolate) {
      headers["Cross-Origin-Opener-Policy"] = "same-origin";
      headers["Cross-Origin-Embedder-Policy"] = "require-corp";
      headers["Cross-Origin-Resource-Policy"] = "same-origin";
    }
    res.writeHead(200, headers);
    if (req.method === "HEAD") res.end();
    else createReadStream(path).pipe(res);
  };
  return new Promise((ok) => server.listen(port, "127.0.0.1", () => ok(server)));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const dir = args.find((a) => !a.startsWith("--")) ?? ".";
  const portAt = args.indexOf("--port");
  const port = portAt >= 0 ? Number(args[portAt + 1]) : 0;
  const server = await serve(dir, {
    port,
    csp: args.includes("--csp"),
    isolate: args.includes("--isolate"),
    echo: args.includes("--echo"),
  });
  console.log(`serving http://127.0.0.1:${server.address().port}/`);
}
