// Transformers.js (@huggingface/transformers from npm) with nothing from a CDN: models from
// /models/ (allowRemoteModels = false), onnxruntime-web's files from /ort/ — the same variant
// Transformers.js would fetch from its CDN by default, only served locally.
import { env, pipeline } from "/tf/transformers.web.js";
import { expose, labelsFrom, params } from "/pages/harness.mjs";

env.allowRemoteModels = false;
env.allowLocalModels = true;
env.localModelPath = "/models/";
const wasm = env.backends.onnx.wasm;
const defaults = { ...wasm.wasmPaths };
const local = (url) => `/ort/${url.slice(url.lastIndexOf("/") + 1)}`;
wasm.wasmPaths = { mjs: local(defaults.mjs), wasm: local(defaults.wasm) };
wasm.numThreads = Number(params.threads ?? 1);
let pipe;

expose({
  async start(text) {
    pipe = await pipeline("token-classification", params.model, { dtype: params.dtype, device: "wasm" });
    await pipe(text);
    return {
      info: {
        wasmPaths: wasm.wasmPaths,
        cdnDefault: defaults,
        numThreads: wasm.numThreads,
        ortVersion: env.backends.onnx.versions?.web ?? null,
        transformersVersion: env.version,
        crossOriginIsolated,
      },
    };
  },
  // The pipeline batches the texts (padded) through one session run.
  classify: (texts) => pipe(texts),
  describe(texts, out, { stagesOnly = false } = {}) {
    if (stagesOnly) return { stages: null };
    // A list of texts gives a list of entities per text.
    const [, length] = pipe.tokenizer(texts, { padding: true }).input_ids.dims;
    return { tokens: texts.length * length, labels: out.map((e) => labelsFrom(e, length)), stages: null };
  },
});
