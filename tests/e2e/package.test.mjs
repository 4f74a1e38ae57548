// Packaging test: `npm pack`, install the tarball into a fresh throwaway Vite app, build it,
// load it in Chromium and classify a sentence, on the main thread and in the package's worker.
// Assumes `npm run build`. Run: node tests/e2e/package.test.mjs
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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
  for (const f of ["LICENSE", "NOTICE", "README.md", "package.json", "dist/index.js", "dist/index.d.ts", "dist/worker.js", "dist/worker-entry.js", "dist/wasm/tokenveil_bg.wasm", "dist/wasm/tokenveil_relaxed_bg.wasm"]) {
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
<link rel="icon" href="data:,"><script type="module" src="/main.js"></script></head><body><pre id="main"></pre><pre id="worker"></pre></body></html>`);
writeFileSync(join(app, "main.js"), `
import { TokenClassifier } from "tokenveil";
import { TokenClassifier as WorkerTokenClassifier } from "tokenveil/worker";
const text = "Angela Merkel visited Paris.";
const show = (id, value) => { document.getElementById(id).textContent = JSON.stringify(value); };
const groups = (r) => r.entities.map((e) => [e.entityGroup, text.slice(e.start, e.end)]);
TokenClassifier.load("./ner.gguf")
  .then((m) => show("main", groups(m.classify(text, { aggregationStrategy: "simple" }))))
  .catch((e) => show("main", { error: e.code, message: e.message }));
WorkerTokenClassifier.load("./ner.gguf")
  .then((m) => m.classify(text, { aggregationStrategy: "simple" }))
  .then((r) => show("worker", groups(r)))
  .catch((e) => show("worker", { error: e.code, message: e.message }));
`);
mkdirSync(join(app, "public"));
copyFileSync(join(repo, "models/ner/ner-q4_0.gguf"), join(app, "public/ner.gguf"));

await checks.run("the tarball installs into a fresh Vite app, which builds", async () => {
  sh("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline"], app);
  const out = sh("npx", ["vite", "build"], app);
  const wasm = out.split("\n").filter((l) => l.includes(".wasm"));
  assert(wasm.length === 2, `want both .wasm builds as assets, the build output says:\n${out}`);
  return wasm.map((l) => l.replace(/\s+/g, " ").trim()).join("; ");
});

const server = await startServer(join(app, "dist"));
const browser = await launch();
try {
  const page = await browser.context.newPage();
  const foreign = [];
  const wasmFetched = [];
  browser.context.on("request", (r) => {
    if (new URL(r.url()).origin !== new URL(server.url).origin) foreign.push(r.url());
    if (r.url().endsWith(".wasm")) wasmFetched.push(new URL(r.url()).pathname.split("/").pop());
  });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  page.on("response", (r) => r.status() >= 400 && errors.push(`HTTP ${r.status()} for ${r.url()}`));
  await page.goto(server.url);
  const expected = JSON.stringify([["PER", "Angela Merkel"], ["LOC", "Paris"]]);
  for (const id of ["main", "worker"]) {
    await checks.run(`the app classifies a sentence (${id === "main" ? "main thread" : "worker"})`, async () => {
      await page.waitForFunction((el) => document.getElementById(el).textContent !== "", id, { timeout: 60_000 });
      const got = await page.textContent(`#${id}`);
      assert(got === expected, `got ${got}, want ${expected}`);
    });
  }
  await checks.run("Chromium fetches the relaxed-SIMD build only (page and worker)", async () => {
    assert(wasmFetched.length > 0 && wasmFetched.every((f) => f.startsWith("tokenveil_relaxed_bg")), wasmFetched.join(", "));
    return wasmFetched.join(", ");
  });
  await checks.run("no console errors and no request to another origin", async () => {
    assert(errors.length === 0, errors.join("\n"));
    assert(foreign.length === 0, foreign.join("\n"));
  });
} finally {
  await browser.close();
  await server.close();
  rmSync(app, { recursive: true, force: true });
}
process.exit(checks.summary() ? 0 : 1);
