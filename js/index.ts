// tokenveil: token classification (NER, PII, part-of-speech), text classification and PII
// redaction in WebAssembly. Everything runs where this code runs; nothing is sent anywhere.
import type { RawRedactionSession, RawTextClassifier, RawTokenClassifier } from "./wasm/tokenveil.js";
import { ModelError, guarded } from "./errors.js";
import { fetchModel } from "./fetch-model.js";
import { bindings, hasRelaxedSimd, init, wasmMemoryBytes, type InitOptions } from "./wasm.js";
import { checkedFormat, redactBlob, type Probe, type RunPiece } from "./documents.js";
import type {
  DocumentFormat,
  DocumentOptions,
  DocumentRedaction,
  FileRedaction,
  FormDataRedaction,
  FormFieldRedaction,
  RedactFileOptions,
  RedactFormDataOptions,
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
/** Each session's document walker with the `piece` flag that `redactFile` needs (kept off the public API). */
const documentPiece = new WeakMap<RedactionSession, RunPiece>();

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
    documentPiece.set(this, (content, format, options) => this.#document(content, format, options));
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

  /**
   * Redacts a whole document in its own format (CSV cells and JSON string values in place,
   * each record read as one context), numbering on from the session's earlier messages.
   */
  redactDocument(content: string, format: DocumentFormat, options?: DocumentOptions): DocumentRedaction {
    const { matched: _, ...result } = this.#document(content, checkedFormat(format)!, { ...options, piece: false });
    return result;
  }

  #document(
    content: string,
    format: DocumentFormat,
    options: DocumentOptions & { piece: boolean },
  ): DocumentRedaction & { matched?: string[] } {
    return guarded(() => {
      const raw = this.#handle.raw;
      const model = this.#model && rawClassifier.get(this.#model);
      return (
        model ? raw.redactDocumentWithModel(model(), content, format, options) : raw.redactDocument(content, format, options)
      ) as DocumentRedaction & { matched?: string[] };
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

/** `redactFile`'s options split into the session's, the reader's, and the format. */
function fileOptions(options: RedactFileOptions) {
  if ("offsets" in options || "spans" in options) {
    throw new ModelError("invalid_option", "a file's offsets are UTF-16 and it takes no caller spans: leave out `offsets` and `spans`");
  }
  const { format, pieceBytes, onProgress, skip, force, noHeader, ...redactOptions } = options;
  return { format: checkedFormat(format), read: { pieceBytes, onProgress, skip, force, noHeader }, redactOptions };
}

/** The file's format: `format` when given, else by its name's extension, else its media type. */
function fileFormat(file: Blob, format: DocumentFormat | undefined): DocumentFormat {
  if (format) return format;
  const name = file instanceof File ? file.name : "";
  return guarded(() => bindings().documentFormat(name, file.type) as DocumentFormat);
}

/** The session's detectors without the session: `redact` with its options, or the model's. */
function prober(options: RedactOptions, model: TokenClassifier | undefined): Probe {
  const probeOptions = { ...options, defaultOperator: { kind: "remove" as const }, operators: {}, hashKey: "probe" };
  return (text) => (model ? model.redact(text, probeOptions) : redact(text, probeOptions)).spans;
}

async function redactFileIn(
  session: RedactionSession,
  probe: Probe,
  file: Blob,
  format: DocumentFormat | undefined,
  read: Parameters<typeof redactBlob>[3],
): Promise<FileRedaction> {
  if (!(file instanceof Blob)) throw new ModelError("invalid_option", "redactFile takes a File or a Blob");
  const f = fileFormat(file, format);
  const name = file instanceof File ? file.name : `document.${f}`;
  const { parts, ...rest } = await redactBlob(file, name, f, read, documentPiece.get(session)!, probe);
  return { file: new File(parts, name, { type: file.type, lastModified: Date.now() }), ...rest };
}

/**
 * Redacts a file before upload, in its own format (txt, md, csv, tsv, json, jsonl: by the
 * name's extension, else the media type, or `options.format`): a new `File` of the same name
 * and type, what was replaced, and the `mapping` that `restore(reply, result)` reads. With a
 * `model`, its entities are pooled with the pattern detectors, as in `model.session()`.
 * Files over `pieceBytes` (8 MiB) are read in pieces, in one session. Any other file type is a
 * `ModelError("unsupported_format")`, never passed through.
 */
export async function redactFile(file: Blob, options: RedactFileOptions = {}, model?: TokenClassifier): Promise<FileRedaction> {
  await init();
  const { format, read, redactOptions } = fileOptions(options);
  const session = RedactionSession.create(redactOptions, model);
  try {
    return await redactFileIn(session, prober(redactOptions, model), file, format, read);
  } finally {
    session.dispose();
  }
}

/**
 * A new `FormData` with every text field redacted and every file through `redactFile`, in one
 * session, so a value keeps one placeholder across fields and files and `restore(reply,
 * result)` puts back all of them. Fields named in `skipFields` are sent as they are.
 */
export async function redactFormData(
  formData: FormData,
  options: RedactFormDataOptions = {},
  model?: TokenClassifier,
): Promise<FormDataRedaction> {
  await init();
  if (!(formData instanceof FormData)) throw new ModelError("invalid_option", "redactFormData takes a FormData");
  if ("offsets" in options || "spans" in options) {
    throw new ModelError("invalid_option", "a form's offsets are UTF-16 and it takes no caller spans: leave out `offsets` and `spans`");
  }
  const { skipFields = [], forceFields = {}, files = {}, pieceBytes, onProgress, ...redactOptions } = options;
  const entries = [...formData.entries()];
  const names = new Set(entries.map(([name]) => name));
  const fileNames = new Set(entries.filter(([, v]) => typeof v !== "string").map(([name]) => name));
  for (const [what, list] of [["skipFields", skipFields], ["forceFields", Object.keys(forceFields)], ["files", Object.keys(files)]] as const) {
    const missing = list.filter((n) => !names.has(n));
    if (missing.length) throw new ModelError("invalid_option", `${what}: the form has no field ${JSON.stringify(missing)}`);
  }
  const forcedFiles = Object.keys(forceFields).filter((n) => fileNames.has(n));
  if (forcedFiles.length) {
    throw new ModelError("invalid_option", `forceFields names text fields; ${JSON.stringify(forcedFiles)} are files (use files[name].force)`);
  }
  const notFiles = Object.keys(files).filter((n) => !fileNames.has(n));
  if (notFiles.length) throw new ModelError("invalid_option", `files: ${JSON.stringify(notFiles)} are text fields`);

  const session = RedactionSession.create(redactOptions, model);
  const probe = prober(redactOptions, model);
  try {
    const out = new FormData();
    const fields: FormFieldRedaction[] = [];
    for (const [name, value] of entries) {
      if (skipFields.includes(name)) {
        if (typeof value === "string") out.append(name, value);
        else out.append(name, value, value.name);
        fields.push({ name, kind: "skipped" });
      } else if (typeof value === "string") {
        const type = forceFields[name];
        const start = value.length - value.trimStart().length;
        const end = value.trimEnd().length;
        const spans = type !== undefined && end > start ? [{ start, end, entityType: type }] : [];
        const r = session.redact(value, { spans });
        out.append(name, r.text);
        fields.push({ name, kind: "text", spans: r.spans });
      } else {
        const { format, ...selectors } = files[name] ?? {};
        const progress = onProgress && ((p: { loaded: number; total: number }) => onProgress({ ...p, field: name }));
        const r = await redactFileIn(session, probe, value, checkedFormat(format), { ...selectors, pieceBytes, onProgress: progress });
        out.append(name, r.file, r.file.name);
        fields.push({ name, kind: "file", format: r.format, spans: r.spans, records: r.records, values: r.values });
      }
    }
    return { formData: out, fields, mapping: session.mapping };
  } finally {
    session.dispose();
  }
}
