// Soak in Chromium through the Web Worker: 10,000 sequential classifications with wasm memory
// read at start, middle and end (it must stay flat), then many concurrent requests that must
// all resolve, in order, with the results a lone call gives. Assumes `npm run build`.
// Run: node tests/e2e/soak.test.mjs [calls]
import { Checks, assert, launch, startServer } from "./lib.mjs";

const calls = Number(process.argv[2] ?? 10_000);
const repo = new URL("../../", import.meta.url).pathname;
const checks = new Checks();
const server = await startServer(repo, { csp: true });
const browser = await launch();
try {
  const page = await browser.context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  await page.goto(`${server.url}tests/e2e/soak/`);
  await page.waitForFunction(() => document.getElementById("state")?.textContent === "ready");
  const r = await page.evaluate(([n, c]) => window.soak(n, c), [calls, 300]);
  await checks.run(`${calls.toLocaleString("en")} classifications in the worker keep wasm memory flat`, async () => {
    const { start, middle, end } = r.memory;
    assert(start > 0 && middle > 0, `memory not read: ${JSON.stringify(r.memory)}`);
    assert(end === middle && end - start <= 65_536, `memory grew: ${JSON.stringify(r.memory)}`);
    return `start ${start}, middle ${middle}, end ${end} bytes; ${r.msPerCall.toFixed(2)} ms per call`;
  });
  await checks.run(`${r.concurrent} concurrent requests resolve in order with the lone-call results`, async () => {
    assert(r.inOrder, "requests resolved out of order");
    assert(r.mismatches === 0, `${r.mismatches} results differ from a lone call's`);
  });
  await checks.run("no console or page errors", async () => assert(errors.length === 0, errors.join("\n")));
} finally {
  await browser.close();
  await server.close();
}
process.exit(checks.summary() ? 0 : 1);
