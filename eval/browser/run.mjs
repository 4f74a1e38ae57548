#!/usr/bin/env node
// The redactor as a page runs it: the npm package in headless Chromium (which loads the
// relaxed-SIMD build) redacts every text of a Presidio-style gold file, and the spans are
// written as a predictions file for `tokenveil eval --pii GOLD --predictions OUT`, so the
// browser's figures come from the same scoring code as the native CLI's.
//   npm run build     (once: dist/)
//   node eval/browser/run.mjs --data eval/realistic/pii.json --out .dev/browser-pred.json \
//     [--model models/pii/pii-q8_0.gguf]
//   target/release/tokenveil eval --pii eval/realistic/pii.json --predictions .dev/browser-pred.json
import { readFileSync, writeFileSync } from "node:fs";
import { relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { launch, startServer } from "../../tests/e2e/lib.mjs";

const repo = new URL("../../", import.meta.url).pathname;
const { values: args } = parseArgs({
  options: {
    data: { type: "string" },
    out: { type: "string" },
    model: { type: "string", default: "models/pii/pii-q8_0.gguf" },
  },
});
if (!args.data || !args.out) {
  console.error("usage: node eval/browser/run.mjs --data GOLD.json --out PRED.json [--model FILE]");
  process.exit(2);
}
const gold = JSON.parse(readFileSync(args.data, "utf8"));
if (!Array.isArray(gold) || !gold.every((r) => typeof r?.full_text === "string")) {
  console.error(`${args.data}: expected a JSON list of objects with a string full_text`);
  process.exit(2);
}
const model = relative(repo, resolve(args.model));
if (model.startsWith("..")) {
  console.error(`${args.model}: the model must be inside the repository (the page fetches it)`);
  process.exit(2);
}

const server = await startServer(repo);
const browser = await launch();
try {
  const page = await browser.context.newPage();
  await page.goto(`${server.url}dist/index.js`); // same origin for the module import below
  const started = Date.now();
  const result = await page.evaluate(
    async ({ model, texts }) => {
      const { TokenClassifier, hasRelaxedSimd } = await import("/dist/index.js");
      const pii = await TokenClassifier.load(`/${model}`);
      const spans = texts.map((text) =>
        pii.redact(text, { offsets: "codepoint" }).spans.map((s) => ({
          entity_type: s.entityType,
          start_position: s.start,
          end_position: s.end,
          score: s.score,
        })),
      );
      const build = pii.info.wasmBuild;
      pii.dispose();
      return { spans, build, relaxed: hasRelaxedSimd() };
    },
    { model, texts: gold.map((r) => r.full_text) },
  );
  const out = gold.map((r, i) => ({ full_text: r.full_text, spans: result.spans[i] }));
  writeFileSync(args.out, JSON.stringify(out, null, 1));
  const version = await browser.context.browser()?.version();
  console.log(
    `${args.out}: ${out.length} texts redacted by ${model} in Chromium ${version ?? ""} ` +
      `(${result.build} build) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
} finally {
  await browser.close();
  await server.close();
}
