// tokenveil: token classification (NER, PII, part-of-speech), text classification and PII
// redaction in WebAssembly. Everything runs where this code runs; nothing is sent anywhere.
import type { RawTextClassifier, RawTokenClassifier } from "./wasm/tokenveil.js";
import { ModelError, guarded } from "./errors.js";
import { fetchModel } from "./fetch-model.js";
import { bindings, hasRelaxedSimd, init, wasmMemoryBytes, type InitOptions } from "./wasm.js";
import type {
  FileSource,
  HuggingFaceFiles,
  LoadOptions,
  ModelInfo,
  ModelSource,
  OffsetOptions,
  Redaction,
  RedactOptions,
  TextClassification,
  TextClassificationOptions,
  TokenClassification,
  TokenClassificationOptions,
  TokenLogits,
} from "./types.js";

export type * from "./types.js";
export { ModelError, init, fetchModel, hasRelaxedSimd, wasmMemoryBytes };
export type { InitOptions };

/** A model's files as the wasm constructors take them: one GGUF, or the three HF parts. */
type ModelFiles = { gguf: Uint8Array } | { config: string; tokenizer: string; weights: Uint8Array };

export function isHuggingFaceFiles(source: ModelSource): source is HuggingFaceFiles {
  return typeof source === "object" && source !== null && "weights" in source;
}

async function loadFiles(source: ModelSource, options: LoadOptions): Promise<ModelFiles> {
  const wasmReady = init(options.wasm, { threads: options.threads });
  if (!isHuggingFaceFiles(source)) {
    const [gguf] = await Promise.all([fetchModel(source, options), wasmReady]);
    return { gguf };
  }
  const text = async (file: FileSource, name: string) => {
    const bytes = await fetchModel(file, { cache: options.cache, signal: options.signal });
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
      throw new ModelError("config", `${name} is not UTF-8 text`);
    }
  };
  const [config, tokenizer, weights] = await Promise.all([
    text(source.config, "config.json"),
    text(source.tokenizer, "tokenizer.json"),
    fetchModel(source.weights, options),
    wasmReady,
  ]);
  return { config, tokenizer, weights };
}

/** Shared by both classifiers: the raw wasm object, freed once. */
class Handle<R extends { free(): void }> {
  #raw: R | undefined;
  constructor(raw: R) {
    this.#raw = raw;
  }
  get raw(): R {
    if (this.#raw === undefined) throw new ModelError("disposed", "this model was disposed");
    return this.#raw;
  }
  dispose(): void {
    this.#raw?.free();
    this.#raw = undefined;
  }
}

/** A token-classification model: named entities, PII, part-of-speech tags. */
export class TokenClassifier {
  readonly info: ModelInfo;
  #handle: Handle<RawTokenClassifier>;

  private constructor(raw: RawTokenClassifier) {
    this.#handle = new Handle(raw);
    this.info = guarded(() => raw.info() as ModelInfo);
  }

  /**
   * Loads a tokenveil GGUF file (or a Hugging Face folder's files) from URLs (cached, with
   * progress) or from bytes.
   */
  static async load(source: ModelSource, options: LoadOptions = {}): Promise<TokenClassifier> {
    const files = await loadFiles(source, options);
    return new TokenClassifier(
      guarded(() =>
        "gguf" in files
          ? new (bindings().RawTokenClassifier)(files.gguf)
          : bindings().RawTokenClassifier.fromParts(files.config, files.tokenizer, files.weights),
      ),
    );
  }

  /** Entities with scores and offsets, as the Hugging Face token-classification pipeline. */
  classify(text: string, options?: TokenClassificationOptions): TokenClassification {
    return guarded(() => this.#handle.raw.classify(text, options) as TokenClassification);
  }

  /**
   * `classify` for many texts in one pass (their windows batched together): one result per
   * text, in order; each result's `timings` are the whole batch's.
   */
  classifyBatch(texts: string[], options?: TokenClassificationOptions): TokenClassification[] {
    return guarded(() => this.#handle.raw.classifyBatch(texts, options) as TokenClassification[]);
  }

  /** Every token with its offsets, logits and softmax probabilities over the labels. */
  logits(text: string, options?: OffsetOptions): TokenLogits {
    return guarded(() => this.#handle.raw.logits(text, options) as TokenLogits);
  }

  /** The model's entities plus the pattern detectors, each replaced by its type's operator. */
  redact(text: string, options?: RedactOptions): Redaction {
    return guarded(() => this.#handle.raw.redact(text, options) as Redaction);
  }

  /** Frees the model's memory; later calls throw `ModelError("disposed")`. */
  dispose(): void {
    this.#handle.dispose();
  }
}

/** A sequence-classification model: sentiment, topics. */
export class TextClassifier {
  readonly info: ModelInfo;
  #handle: Handle<RawTextClassifier>;

  private constructor(raw: RawTextClassifier) {
    this.#handle = new Handle(raw);
    this.info = guarded(() => raw.info() as ModelInfo);
  }

  static async load(source: ModelSource, options: LoadOptions = {}): Promise<TextClassifier> {
    const files = await loadFiles(source, options);
    return new TextClassifier(
      guarded(() =>
        "gguf" in files
          ? new (bindings().RawTextClassifier)(files.gguf)
          : bindings().RawTextClassifier.fromParts(files.config, files.tokenizer, files.weights),
      ),
    );
  }

  /** Labels with scores, best first, as the Hugging Face text-classification pipeline. */
  classify(text: string, options?: TextClassificationOptions): TextClassification {
    return guarded(() => this.#handle.raw.classify(text, options) as TextClassification);
  }

  /**
   * `classify` for many texts in one pass: one result per text, in order; each result's
   * `timings` are the whole batch's.
   */
  classifyBatch(texts: string[], options?: TextClassificationOptions): TextClassification[] {
    return guarded(() => this.#handle.raw.classifyBatch(texts, options) as TextClassification[]);
  }

  dispose(): void {
    this.#handle.dispose();
  }
}

/** Redaction by the validated pattern detectors alone (no model). Needs `await init()`. */
export function redact(text: string, options?: RedactOptions): Redaction {
  const { redact: rawRedact } = bindings();
  return guarded(() => rawRedact(text, options) as Redaction);
}

/**
 * The entity type redaction gives a model label (`B-GIVEN_NAME` -> `PERSON`, `I-CITY` ->
 * `ADDRESS`), or `null` for labels that are not personal data. Needs `await init()`.
 */
export function entityType(modelLabel: string): string | null {
  return bindings().entityType(modelLabel) ?? null;
}

/** Puts the originals of a redaction's placeholders and hashes back into `reply`. */
export function restore(reply: string, redaction: Pick<Redaction, "mapping">): string {
  const { restore: rawRestore } = bindings();
  return guarded(() => rawRestore(reply, redaction));
}
