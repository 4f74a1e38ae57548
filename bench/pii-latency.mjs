#!/usr/bin/env node
// A quick side-by-side of token classifiers in one headless Chromium page: the npm package from
// dist/ (the build Chromium picks: relaxed SIMD), one thread, one text cut to at most N tokens (as close as whole words allow)
// for each model's own tokenizer, the same timing rule as the bench (warm-up, then the median of
// whole `classify` calls). Not a replacement for `npm run bench` (no Transformers.js, no native
// references, no quiet-machine wait); it answers "is model A as fast as model B here".
//   npm run build   (once)
//   node bench/pii-latency.mjs [--tokens 128] [--reps 60] FILE...   (default: the PII model and Rampart)
import { parseArgs } from "node:util";
import { launch, startServer } from "../tests/e2e/lib.mjs";

const repo = new URL("../", import.meta.url).pathname;
const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: { tokens: { type: "string", default: "128" }, reps: { type: "string", default: "150" } },
});
const files = positionals.length
  ? positionals
  : ["models/pii/pii-q8_0.gguf", "models/pii/pii-q4_0.gguf", "models/rampart/rampart-q4_0.gguf"];
const tokens = Number(args.tokens);
const reps = Number(args.reps);

// Ordinary support-ticket prose with names, numbers and addresses, repeated as needed.
const PROSE =
  "Hello, my name is Daniel Whitaker and I am writing about order 4471-A that was supposed to " +
  "arrive at 14 Harbour Road, Dunmore East on Tuesday. You can reach me on +44 20 7946 0958 or at " +
  "daniel.whitaker@example.com. My colleague Priya Raman from Brightwater Analytics also asked " +
  "about the invoice dated 3 March 2024 for 1,250 EUR, paid with the card ending 4242. ";

const server = await startServer(repo);
const browser = await launch();
try {
  const page = await browser.context.newPage();
  await page.goto(`${server.url}dist/index.js`);
  const rows = await page.evaluate(
    async ({ files, tokens, reps, prose }) => {
      const { TokenClassifier } = await import("/dist/index.js");
      // Load every model and cut its text first, then time the calls in interleaved rounds, so
      // that a slow stretch of the machine falls on every model alike.
      const cases = [];
      for (const file of files) {
        const model = await TokenClassifier.load(`/${file}`, { threads: 1 });
        // The longest prefix of whole words with at most `tokens` pieces ([CLS] and [SEP] included).
        const words = prose.repeat(8).split(" ");
        let lo = 1, hi = words.length;
        const count = (n) => model.logits(words.slice(0, n).join(" ")).tokens.length;
        while (lo < hi) {
          const mid = (lo + hi + 1) >> 1;
          if (count(mid) <= tokens) lo = mid;
          else hi = mid - 1;
        }
        cases.push({ file, model, text: words.slice(0, lo).join(" "), n: count(lo), times: [] });
      }
      const opts = { aggregationStrategy: "none" };
      for (const c of cases) for (let i = 0; i < 5; i++) c.model.classify(c.text, opts);
      for (let i = 0; i < reps; i++) {
        for (const c of cases) {
          const t0 = performance.now();
          c.model.classify(c.text, opts);
          c.times.push(performance.now() - t0);
        }
      }
      const out = cases.map(({ file, model, n, times }) => {
        times.sort((a, b) => a - b);
        const q = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))];
        const row = { file, tokens: n, build: model.info.wasmBuild, quant: model.info.quantization,
                      median: q(0.5), p90: q(0.9) };
        model.dispose();
        return row;
      });
      return out;
    },
    { files, tokens, reps, prose: PROSE },
  );
  const base = rows[rows.length - 1];
  const version = await browser.context.browser()?.version();
  console.log(`Chromium ${version ?? ""}, ${rows[0].build} build, 1 thread, ${reps} timed calls each`);
  console.log("| model file | tokens | median / p90 ms | vs last |");
  console.log("|---|---:|---:|---:|");
  for (const r of rows) {
    console.log(`| ${r.file} (${r.quant}) | ${r.tokens} | ${r.median.toFixed(1)} / ${r.p90.toFixed(1)} | ` +
      `${(r.median / base.median).toFixed(2)}× |`);
  }
} finally {
  await browser.close();
  await server.close();
}
