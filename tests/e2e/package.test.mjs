// Packaging test: `npm pack`, install the tarball into a fresh throwaway Vite app, build it,
// load it in Chromium and classify a sentence, on the main thread and in the package's worker:
// served plainly (one thread, the relaxed-SIMD build) and cross-origin isolated (the threaded
// build, its pool workers started by the package with nothing asked of the app). Then the same
// page under `vite` (the dev server, which pre-bundles the package into node_modules/.vite/deps;
// the app has no Vite config beyond the isolation headers), plainly and cross-origin isolated.
// Last, the React example (examples/react/: a hook over the worker API) as a fresh React app:
// type-checked against the packed .d.ts, built, and redacting a message in Chromium.
// Assumes `npm run build`. Run: node tests/e2e/package.test.mjs
import { execFileSync, spawn } from "node:child_process";
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Checks, assert, launch, startServer } from "./lib.mjs";

const repo = new URL("../../", import.meta.url).pathname;
const app = mkdtempSync(join(tmpdir(), "tokenveil-app-"));
const sh = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
const checks = new Checks();

let tarball;
await checks.run("npm pack ships the built package with its licence and nothing else", async () => {
  const [packed] = JSON.parse(sh("npm", ["pack", "--json", "--pack-destination", app], repo));
  tarball = join(app, packed.filename);
  const files = packed.files.map((f) => f.path).sort();
  for (const f of ["LICENSE", "NOTICE", "README.md", "package.json", "dist/index.js", "dist/index.d.ts", "dist/worker.js", "dist/worker-entry.js", "dist/wasm/tokenveil_bg.wasm", "dist/wasm/tokenveil_relaxed_bg.wasm", "dist/wasm/tokenveil_threads_bg.wasm", "dist/pool-worker.js"]) {
    assert(files.includes(f), `${f} missing from the tarball`);
  }
  const strays = files.filter((f) => !/^(dist\/|LICENSE$|NOTICE$|README\.md$|package\.json$)/.test(f));
  assert(strays.length === 0, `unexpected files: ${strays.join(", ")}`);
  return `${files.length} files, ${(packed.size / 1e6).toFixed(2)} MB packed`;
});

// The app: the main-thread API for an NER model, the worker API for the same model.
const devDeps = JSON.parse(readFileSync(join(repo, "package.json"), "utf8")).devDependencies;
writeFileSync(join(app, "package.json"), JSON.stringify({
  name: "tokenveil-throwaway-app", private: true, type: "module",
  scripts: { build: "vite build" },
  dependencies: { tokenveil: `file:${tarball}` },
  devDependencies: { vite: devDeps.vite },
}, null, 2));
writeFileSync(join(app, "index.html"), `<!doctype html><html><head><meta charset="utf-8"><title>app</title>
<link rel="icon" href="data:,"><script type="module" src="/main.js"></script></head><body><pre id="main"></pre><pre id="worker"></pre><pre id="main-threads"></pre><pre id="worker-threads"></pre><pre id="upload"></pre></body></html>`);
writeFileSync(join(app, "main.js"), `
import { TokenClassifier } from "tokenveil";
import { TokenClassifier as WorkerTokenClassifier, redactFile } from "tokenveil/worker";
const text = "Angela Merkel visited Paris.";
const show = (id, value) => { document.getElementById(id).textContent = JSON.stringify(value); };
const groups = (r) => r.entities.map((e) => [e.entityGroup, text.slice(e.start, e.end)]);
TokenClassifier.load("./ner.gguf")
  .then((m) => { show("main-threads", m.info.threads); show("main", groups(m.classify(text, { aggregationStrategy: "simple" }))); })
  .catch((e) => show("main", { error: e.code, message: e.message }));
WorkerTokenClassifier.load("./ner.gguf")
  .then((m) => { show("worker-threads", m.info.threads); return m.classify(text, { aggregationStrategy: "simple" }); })
  .then((r) => show("worker", groups(r)))
  .catch((e) => show("worker", { error: e.code, message: e.message }));
redactFile(new File(["name,email\\nAda,ada@example.com\\n"], "a.csv", { type: "text/csv" }), { force: { name: "PERSON" } })
  .then(async (r) => show("upload", [r.file.name, r.file.type, await r.file.text()]))
  .catch((e) => show("upload", { error: e.code, message: e.message }));
`);
mkdirSync(join(app, "public"));
copyFileSync(join(repo, "models/ner/ner-q4_0.gguf"), join(app, "public/ner.gguf"));

await checks.run("the tarball installs into a fresh Vite app, which builds", async () => {
  sh("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline"], app);
  const out = sh("npx", ["vite", "build"], app);
  const wasm = out.split("\n").filter((l) => l.includes(".wasm"));
  assert(wasm.length === 3, `want the three .wasm builds as assets, the build output says:\n${out}`);
  return wasm.map((l) => l.replace(/\s+/g, " ").trim()).join("; ");
});

/** `vite` (the dev server) in the app; resolves once it listens, with its URL and a `close()`. */
function startViteDev(isolate) {
  const args = ["--host", "127.0.0.1", "--clearScreen", "false"]; // port 5173, or the next free one
  if (isolate) {
    // Isolation is the app's choice (COOP + COEP headers), not something tokenveil needs.
    writeFileSync(join(app, "vite.isolated.config.js"), `export default { server: { headers: {
  "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" } } };`);
    args.push("--config", "vite.isolated.config.js");
  }
  const child = spawn(join(app, "node_modules", ".bin", "vite"), args, { cwd: app, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`vite did not start:\n${log}`)), 30_000);
    child.on("exit", (code) => reject(new Error(`vite exited (${code}):\n${log}`)));
    const read = (chunk) => {
      log += chunk;
      const url = /Local:\s+(http:\/\/\S+)/.exec(log.replace(/\x1b\[[\d;]*m/g, ""))?.[1];
      if (!url) return;
      clearTimeout(timer);
      resolve({
        url,
        log: () => log,
        close: () => new Promise((ok) => { child.once("exit", ok); child.kill(); }),
      });
    };
    child.stdout.on("data", read);
    child.stderr.on("data", read);
  });
}

/** Opens the app, built or under the dev server, plainly or cross-origin isolated, and checks what it shows. */
async function openApp(browser, isolate, dev = false) {
  const server = dev ? await startViteDev(isolate) : await startServer(join(app, "dist"), { isolate });
  const setting = `${dev ? "vite dev, " : ""}${isolate ? "isolated" : "not isolated"}`;
  try {
    const page = await browser.context.newPage();
    const foreign = [];
    const fetched = [];
    page.on("requestfinished", (r) => {
      if (new URL(r.url()).origin !== new URL(server.url).origin) foreign.push(r.url());
      fetched.push(new URL(r.url()).pathname.split("/").pop());
    });
    // Requests of the page's workers (tokenveil's own and its pool workers).
    browser.context.on("request", (r) => {
      if (new URL(r.url()).origin !== new URL(server.url).origin) foreign.push(r.url());
      if (r.url().endsWith(".wasm")) fetched.push(new URL(r.url()).pathname.split("/").pop());
    });
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    page.on("response", (r) => r.status() >= 400 && errors.push(`HTTP ${r.status()} for ${r.url()}`));
    await page.goto(server.url);
    const expected = JSON.stringify([["PER", "Angela Merkel"], ["LOC", "Paris"]]);
    const threads = isolate ? 2 : 1; // Chromium here reports 2 cores: the default is all of them, at most 4
    await checks.run(`${setting}: the app redacts a file before upload in the worker (redactFile)`, async () => {
      await page.waitForFunction(() => document.getElementById("upload").textContent !== "", null, { timeout: 60_000 });
      const got = await page.textContent("#upload");
      const want = JSON.stringify(["a.csv", "text/csv", "name,email\n<PERSON_1>,<EMAIL_1>\n"]);
      assert(got === want, `got ${got}, want ${want}`);
    });
    for (const id of ["main", "worker"]) {
      await checks.run(`${setting}: the app classifies a sentence (${id === "main" ? "main thread" : "worker"}) on ${threads} thread(s)`, async () => {
        await page.waitForFunction((el) => document.getElementById(el).textContent !== "", id, { timeout: 60_000 });
        const got = await page.textContent(`#${id}`);
        assert(got === expected, `got ${got}, want ${expected}`);
        const ran = await page.textContent(`#${id}-threads`);
        assert(ran === String(Math.min(threads, await page.evaluate(() => navigator.hardwareConcurrency))), `ran on ${ran} threads`);
      });
    }
    const wasm = fetched.filter((f) => f.endsWith(".wasm"));
    const want = isolate ? "tokenveil_threads_bg" : "tokenveil_relaxed_bg";
    await checks.run(`${setting}: Chromium fetches the ${isolate ? "threaded" : "relaxed-SIMD"} build only (page and workers)`, async () => {
      assert(wasm.length > 0 && wasm.every((f) => f.startsWith(want)), wasm.join(", "));
      return [...new Set(wasm)].join(", ");
    });
    if (dev) {
      await checks.run(`${setting}: the package's files come from node_modules/tokenveil, its code pre-bundled`, async () => {
        const urls = await page.evaluate(() => performance.getEntriesByType("resource").map((e) => new URL(e.name).pathname));
        assert(urls.some((u) => u.startsWith("/node_modules/.vite/deps/tokenveil")), `not pre-bundled: ${urls.join(", ")}`);
        const wasmUrls = urls.filter((u) => u.endsWith(".wasm"));
        assert(wasmUrls.every((u) => u.startsWith("/node_modules/tokenveil/dist/wasm/")), wasmUrls.join(", "));
      });
    }
    await checks.run(`${setting}: no console errors and no request to another origin`, async () => {
      assert(errors.length === 0, `${errors.join("\n")}${dev ? `\nvite:\n${server.log()}` : ""}`);
      assert(foreign.length === 0, foreign.join("\n"));
    });
    await page.close();
  } finally {
    await server.close();
  }
}

/** examples/react/ as a fresh app with the tarball: type-check, build, redact in Chromium. */
async function reactExample(browser) {
  const dir = mkdtempSync(join(tmpdir(), "tokenveil-react-"));
  try {
    cpSync(join(repo, "examples/react"), dir, { recursive: true });
    writeFileSync(join(dir, "package.json"), JSON.stringify({
      name: "tokenveil-react-example", private: true, type: "module",
      dependencies: { tokenveil: `file:${tarball}`, react: "19.3.1", "react-dom": "19.3.1" },
      devDependencies: { vite: devDeps.vite, typescript: devDeps.typescript, "@types/react": "19.3.3", "@types/react-dom": "19.3.0" },
    }, null, 2));
    mkdirSync(join(dir, "public"));
    copyFileSync(join(repo, "models/pii/pii-q4_0.gguf"), join(dir, "public/pii.gguf"));
    await checks.run("React example: installs with the tarball, type-checks against its .d.ts and builds", async () => {
      sh("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline"], dir);
      sh("npx", ["tsc", "-p", "."], dir);
      sh("npx", ["vite", "build"], dir);
    });
    const server = await startServer(join(dir, "dist"));
    try {
      const page = await browser.context.newPage();
      const errors = [];
      page.on("pageerror", (e) => errors.push(e.message));
      page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
      await page.goto(server.url);
      await checks.run("React example: the hook loads the PII model in a worker and the page redacts its message", async () => {
        await page.waitForSelector("button:not([disabled])", { timeout: 60_000 });
        await page.click("button");
        await page.waitForSelector("#redacted", { timeout: 60_000 });
        const redacted = await page.textContent("#redacted");
        const want = "Hi, I'm <PERSON_1>, write to <EMAIL_1> or call <PHONE_1>.";
        assert(redacted === want, `got ${redacted}, want ${want}`);
        const spans = await page.$$eval("#spans li", (li) => li.map((x) => x.textContent));
        assert(spans.length === 3 && spans[0].startsWith("<PERSON_1>: PERSON"), spans.join(" | "));
        assert(errors.length === 0, errors.join("\n"));
      });
      await page.close();
    } finally {
      await server.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const browser = await launch();
try {
  await openApp(browser, false);
  await openApp(browser, true);
  // The dev runs each in a fresh profile: both servers are on port 5173, and Vite answers a
  // revalidated page with a 304 that lacks the isolation headers (so the cached, unisolated
  // page of the first run would be reused).
  for (const isolate of [false, true]) {
    const fresh = await launch();
    try {
      await openApp(fresh, isolate, true);
    } finally {
      await fresh.close();
    }
  }
  await reactExample(browser);
} finally {
  await browser.close();
  rmSync(app, { recursive: true, force: true });
}
process.exit(checks.summary() ? 0 : 1);
