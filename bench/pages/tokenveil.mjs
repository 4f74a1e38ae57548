// tokenveil on the main thread, as an app would use it: the npm package's dist/ (or the
// profiling build of the same code), the model fetched from 127.0.0.1 and kept in the Cache API.
import { expose, labelsFrom, params } from "/pages/harness.mjs";

const pkg = params.pkg ?? "/tokenveil";
const { TokenClassifier } = await import(`${pkg}/index.js`);
const options = { aggregationStrategy: "none" };
let model;

expose({
  async start(text) {
    model = await TokenClassifier.load(`/models/${params.model}/${params.file}`, { cache: true });
    model.classify(text, options);
    return { info: { quantization: model.info.quantization, threads: 1 } };
  },
  // No batch call in the JS API yet: a batch is its texts one after another.
  classify: (texts) => texts.map((text) => model.classify(text, options)),
  describe(texts, results, { stagesOnly = false } = {}) {
    const sum = (key) => results.reduce((s, r) => s + r.timings[key], 0);
    const stages = { tokenizeMs: sum("tokenizeMs"), forwardMs: sum("forwardMs"), postprocessMs: sum("postprocessMs") };
    if (stagesOnly) return { stages };
    return {
      tokens: sum("tokens"),
      labels: results.map((r) => labelsFrom(r.entities, r.timings.tokens)),
      stages,
    };
  },
});
