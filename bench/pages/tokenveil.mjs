// tokenveil on the main thread, as an app would use it: the npm package's dist/ (or the
// profiling build of the same code), the model fetched from 127.0.0.1 and kept in the Cache API.
import { expose, labelsFrom, params } from "/pages/harness.mjs";

const pkg = params.pkg ?? "/tokenveil";
const { TokenClassifier } = await import(`${pkg}/index.js`);
const options = { aggregationStrategy: "none" };
let model;

expose({
  async start(text) {
    // Threads as the page asks (the threaded build on a cross-origin-isolated page, else 1).
    const threads = Number(params.threads ?? 1);
    model = await TokenClassifier.load(`/models/${params.model}/${params.file}`, { cache: true, threads });
    model.classify(text, options);
    const { quantization, wasmBuild } = model.info;
    return { info: { quantization, wasmBuild, threads: model.info.threads } };
  },
  // One call for the batch: the texts' windows go through the model together, padded.
  classify: (texts) => model.classifyBatch(texts, options),
  describe(texts, results, { stagesOnly = false } = {}) {
    // Every result carries the whole batch's timings (one pass), so read them once.
    const { tokenizeMs, forwardMs, postprocessMs, tokens } = results[0].timings;
    const stages = { tokenizeMs, forwardMs, postprocessMs };
    if (stagesOnly) return { stages };
    // The texts of a case have the same number of tokens each (prepare.py).
    return { tokens, labels: results.map((r) => labelsFrom(r.entities, tokens / texts.length)), stages };
  },
});
