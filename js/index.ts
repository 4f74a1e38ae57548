// tokenveil: token classification (NER, PII, part-of-speech), text classification and PII
// redaction in WebAssembly. Everything runs where this code runs; nothing is sent anywhere.
import type { RawRedactionSession, RawTextClassifier, RawTokenClassifier } from "./wasm/tokenveil.js";
import { ModelError, guarded } from "./errors.js";
import { fetchModel } from "./fetch-model.js";
import { bindings, hasRelaxedSimd, init, wasmMemoryBytes, type InitOptions } from "./wasm.js";
import type {
  FileSource,
  HuggingFaceFiles,
  LoadOptions,
  MessageOptions,
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

/** Each classifier's raw object, for the sessions that run it (kept off the public API). */
const rawClassifier = new WeakMap<TokenClassifier, () => RawTokenClassifier>();

/** A token-classification model: named entities, PII, part-of-speech tags. */
export class TokenClassifier {
  readonly info: ModelInfo;
  #handle: Handle<RawTokenClassifier>;

  private constructor(raw: RawTokenClassifier) {
    this.#handle = new Handle(raw);
    this.info = guarded(() => raw.info() as ModelInfo);
    rawClassifier.set(this, () => this.#handle.raw);
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
    return guarded(() => this.#handle.raw.redact(text, withHashKey(options)) as Redaction);
  }

  /**
   * A redaction session over this model: the same value keeps its placeholder in every
   * message, and `restore` knows the whole conversation's values.
   */
  session(options?: RedactOptions): RedactionSession {
    return RedactionSession.create(options, this);
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

  /**
   * Labels with scores, best first, as the Hugging Face text-classification pipeline: the best
   * one by default, every label with `{ topK: null }`.
   */
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

/** 32 random bytes as hex, from the platform's CSPRNG. */
function randomKey(): string {
  const bytes = new Uint8Array(32);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The options with a random `hashKey` when they use `hash` without one (or `always`). */
function withHashKey(options: RedactOptions | undefined, always = false): RedactOptions | undefined {
  if (options?.hashKey !== undefined) return options;
  const hashes =
    options?.defaultOperator?.kind === "hash" ||
    Object.values(options?.operators ?? {}).some((op) => op?.kind === "hash");
  return always || hashes ? { ...options, hashKey: randomKey() } : options;
}

/** Redaction by the validated pattern detectors alone (no model). Needs `await init()`. */
export function redact(text: string, options?: RedactOptions): Redaction {
  const { redact: rawRedact } = bindings();
  return guarded(() => rawRedact(text, withHashKey(options)) as Redaction);
}

/**
 * One conversation's redactions: the same value keeps its placeholder across messages (so a
 * chat assistant sees `<PERSON_1>` throughout), and `restore` puts back every value the
 * session replaced. Options are fixed at creation; without `hashKey`, `hash` uses a random
 * key for this session. Make one with `RedactionSession.create(options, model?)` or
 * `model.session(options)`; needs `await init()` for the pattern-only form.
 */
export class RedactionSession {
  #handle: Handle<RawRedactionSession>;
  #model: TokenClassifier | undefined;

  private constructor(raw: RawRedactionSession, model: TokenClassifier | undefined) {
    this.#handle = new Handle(raw);
    this.#model = model;
  }

  static create(options?: RedactOptions, model?: TokenClassifier): RedactionSession {
    const raw = guarded(() => new (bindings().RawRedactionSession)(withHashKey(options, true)));
    return new RedactionSession(raw, model);
  }

  /** Redacts one message, numbering on from the earlier ones. */
  redact(text: string, options?: MessageOptions): Redaction {
    return guarded(() => {
      const raw = this.#handle.raw;
      const model = this.#model && rawClassifier.get(this.#model);
      return (model ? raw.redactWithModel(model(), text, options) : raw.redact(text, options)) as Redaction;
    });
  }

  /** Puts back every value the session has replaced with a placeholder or hash. */
  restore(reply: string): string {
    return guarded(() => this.#handle.raw.restore(reply));
  }

  /** `[replacement, original]` for every reversible replacement of the session so far. */
  get mapping(): [string, string][] {
    return guarded(() => this.#handle.raw.mapping() as [string, string][]);
  }

  /** Frees the session; later calls throw `ModelError("disposed")`. */
  dispose(): void {
    this.#handle.dispose();
  }
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
