// tokenveil/worker: the main API, asynchronous, with inference in a Web Worker so the page
// never blocks. Requests run one at a time in the order made; a request made with a `channel`
// replaces any request on the same channel still waiting (typing: only the latest text
// matters), and the replaced one rejects with ModelError("superseded").
import { ModelError } from "./errors.js";
import { VITE_HINT, viteDepsBase } from "./locate.js";
import {
  asFile,
  formEntries,
  formFromEntries,
  type Abort,
  type Loaded,
  type Method,
  type ModelKind,
  type PortableFileRedaction,
  type PortableFormDataRedaction,
  type PortableLoadOptions,
  type Request,
  type Response,
} from "./worker-protocol.js";
import type {
  DocumentFormat,
  DocumentOptions,
  DocumentRedaction,
  FileRedaction,
  FormDataRedaction,
  RedactFileOptions,
  RedactFormDataOptions,
  FileSource,
  LoadOptions,
  LoadProgress,
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
export { ModelError };

/** Per-request scheduling. */
export interface RequestOptions {
  /** A newer request on the same channel replaces this one while it still waits. */
  channel?: string;
}

/** What a worker-side load accepts: the main API's options, and optionally a worker of your own. */
export type WorkerLoadOptions = LoadOptions & { worker?: TokenveilWorker };

/** The messages a Worker-like object must carry (a real `Worker` in browsers). */
export interface WorkerLike {
  postMessage(message: unknown): void;
  addEventListener(type: "message", listener: (event: MessageEvent) => void): void;
  addEventListener(type: "error", listener: (event: Event) => void): void;
  terminate(): void;
}

type Body = Request extends infer R ? (R extends { id: number } ? Omit<R, "id"> : never) : never;

interface Pending {
  id: number;
  body: Body;
  channel?: string;
  onProgress?: (progress: LoadProgress) => void;
  resolve(value: unknown): void;
  reject(reason: ModelError): void;
}

/** One worker and its request queue. Most apps use the shared default worker. */
export class TokenveilWorker {
  #worker: WorkerLike;
  #queue: Pending[] = [];
  #inFlight: Pending | undefined;
  #nextId = 1;
  #broken: ModelError | undefined;

  constructor(worker?: WorkerLike) {
    // Node has no Web Worker: without this check `new Worker` is a bare ReferenceError.
    if (!worker && typeof Worker === "undefined") {
      throw new ModelError(
        "worker",
        "this runtime has no Web Worker (Node has none): pass a WorkerLike over node:worker_threads " +
          "(new TokenveilWorker(w), then { worker } in load; docs/GUIDE.md shows one), or use the " +
          'main-thread API from "tokenveil"',
      );
    }
    // Under Vite's dev server, the script where npm put it (locate.ts); else next to this file.
    const vite = viteDepsBase();
    this.#worker =
      worker ??
      (vite
        ? new Worker(new URL("worker-entry.js", vite), { type: "module" })
        : new Worker(new URL("./worker-entry.js", import.meta.url), { type: "module" }));
    this.#worker.addEventListener("message", (e: MessageEvent) => this.#receive(e.data as Response));
    this.#worker.addEventListener("error", (e: Event) => {
      const message = (e as ErrorEvent).message;
      // No message: the script did not load (under Vite's dev server: not where npm put it).
      const hint = !message && vite && !worker ? ` (${vite.href}worker-entry.js); ${VITE_HINT}` : "";
      this.#fail(new ModelError("worker", `${message || "the worker failed"}${hint}`));
    });
  }

  /**
   * Queues one request; resolves with the worker's result. `signal` removes a waiting request,
   * and cancels the download of a running load (a running computation always finishes).
   */
  request<T>(
    body: Body,
    options: RequestOptions & { onProgress?: (p: LoadProgress) => void; signal?: AbortSignal } = {},
  ): Promise<T> {
    if (this.#broken) return Promise.reject(this.#broken);
    if (options.signal?.aborted) return Promise.reject(new ModelError("aborted", "the request was aborted"));
    return new Promise<T>((resolve, reject) => {
      const { channel, onProgress, signal } = options;
      if (channel !== undefined) {
        this.#queue = this.#queue.filter((p) => {
          if (p.channel !== channel) return true;
          p.reject(new ModelError("superseded", `a newer request on channel "${channel}" replaced this one`));
          return false;
        });
      }
      const pending: Pending = {
        id: this.#nextId++,
        body,
        channel,
        onProgress,
        resolve: resolve as (v: unknown) => void,
        reject,
      };
      signal?.addEventListener("abort", () => this.#abort(pending), { once: true });
      this.#queue.push(pending);
      this.#pump();
    });
  }

  /** Requests waiting (not counting the one running). */
  get waiting(): number {
    return this.#queue.length;
  }

  /** Stops the worker; pending requests reject with ModelError("worker"). */
  terminate(): void {
    this.#worker.terminate();
    this.#fail(new ModelError("worker", "the worker was terminated"));
  }

  #abort(pending: Pending): void {
    if (this.#inFlight === pending) {
      // Outside the queue: the worker reads it while the load awaits the network.
      this.#worker.postMessage({ op: "abort", target: pending.id } satisfies Abort);
    } else if (this.#queue.includes(pending)) {
      this.#queue = this.#queue.filter((p) => p !== pending);
      pending.reject(new ModelError("aborted", "the request was aborted before it ran"));
    }
  }

  #pump(): void {
    if (this.#inFlight || this.#queue.length === 0) return;
    const next = this.#queue.shift()!;
    this.#inFlight = next;
    try {
      this.#worker.postMessage({ ...next.body, id: next.id } as Request);
    } catch (err) {
      // Arguments the structured clone cannot copy (a function, a symbol): this request
      // fails on its own and the queue goes on.
      this.#inFlight = undefined;
      next.reject(new ModelError("invalid_option", `cannot send this request to the worker: ${(err as Error).message ?? err}`));
      this.#pump();
    }
  }

  #receive(msg: Response): void {
    const current = this.#inFlight;
    if (!current || msg.id !== current.id) return;
    if (msg.kind === "progress") {
      // A load's progress, or (redactFile, redactFormData) a file's: whichever the request made.
      current.onProgress?.(msg.progress as LoadProgress);
      return;
    }
    this.#inFlight = undefined;
    if (msg.kind === "ok") current.resolve(msg.result);
    else current.reject(new ModelError(msg.code, msg.message));
    this.#pump();
  }

  #fail(error: ModelError): void {
    this.#broken = error;
    const all = [...(this.#inFlight ? [this.#inFlight] : []), ...this.#queue];
    this.#inFlight = undefined;
    this.#queue = [];
    for (const p of all) p.reject(error);
  }
}

let shared: TokenveilWorker | undefined;

/** The worker used when none is given; started on first use. */
export function defaultWorker(): TokenveilWorker {
  shared ??= new TokenveilWorker();
  return shared;
}

/** URLs are resolved against the page, not against the worker's script. */
function portableFile(source: FileSource): FileSource {
  if (typeof source === "string" || source instanceof URL) {
    // Without a page (Node), a file path goes as it is: the worker reads it (fetch-model.ts).
    if (typeof location === "undefined") return String(source);
    return new URL(source, location.href).href;
  }
  return source;
}

function portableSource(source: ModelSource): ModelSource {
  if (typeof source === "object" && source !== null && "weights" in source) {
    return {
      config: portableFile(source.config),
      tokenizer: portableFile(source.tokenizer),
      weights: portableFile(source.weights),
    };
  }
  return portableFile(source);
}

async function loadIn(kind: ModelKind, source: ModelSource, options: WorkerLoadOptions): Promise<[TokenveilWorker, Loaded]> {
  const worker = options.worker ?? defaultWorker();
  const portable: PortableLoadOptions = { cache: options.cache, sha256: options.sha256, wasm: options.wasm, threads: options.threads };
  const loaded = await worker.request<Loaded>(
    { op: "load", kind, source: portableSource(source), options: portable },
    { onProgress: options.onProgress, signal: options.signal },
  );
  return [worker, loaded];
}

/** Each model's worker and handle, for the file and form functions (kept off the public API). */
const remote = new WeakMap<RemoteModel, { worker: TokenveilWorker; handle: () => number }>();

class RemoteModel {
  readonly info: ModelInfo;
  protected worker: TokenveilWorker;
  #handle: number;

  /** The model's handle in its worker. */
  protected get handle(): number {
    if (this.#disposed) throw new ModelError("disposed", "this model was disposed");
    return this.#handle;
  }
  #disposed = false;

  constructor(worker: TokenveilWorker, loaded: Loaded) {
    this.worker = worker;
    this.#handle = loaded.handle;
    this.info = loaded.info;
    remote.set(this, { worker, handle: () => this.handle });
  }

  protected call<T>(method: Method, text: string, options: unknown, request?: RequestOptions): Promise<T> {
    if (this.#disposed) return Promise.reject(new ModelError("disposed", "this model was disposed"));
    return this.worker.request<T>({ op: "call", handle: this.#handle, method, text, options }, request);
  }

  protected batch<T>(texts: string[], options: unknown, request?: RequestOptions): Promise<T> {
    if (this.#disposed) return Promise.reject(new ModelError("disposed", "this model was disposed"));
    return this.worker.request<T>({ op: "batch", handle: this.#handle, texts, options }, request);
  }

  /** Frees the model in the worker; later calls reject with ModelError("disposed"). */
  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    await this.worker.request({ op: "dispose", handle: this.#handle });
  }
}

/** `TokenClassifier` of the main API, running in a worker. */
export class TokenClassifier extends RemoteModel {
  static async load(source: ModelSource, options: WorkerLoadOptions = {}): Promise<TokenClassifier> {
    const [worker, loaded] = await loadIn("token", source, options);
    return new TokenClassifier(worker, loaded);
  }

  classify(text: string, options?: TokenClassificationOptions, request?: RequestOptions): Promise<TokenClassification> {
    return this.call("classify", text, options, request);
  }

  /** `classify` for many texts in one pass; each result's `timings` are the whole batch's. */
  classifyBatch(texts: string[], options?: TokenClassificationOptions, request?: RequestOptions): Promise<TokenClassification[]> {
    return this.batch(texts, options, request);
  }

  logits(text: string, options?: OffsetOptions, request?: RequestOptions): Promise<TokenLogits> {
    return this.call("logits", text, options, request);
  }

  redact(text: string, options?: RedactOptions, request?: RequestOptions): Promise<Redaction> {
    return this.call("redact", text, options, request);
  }

  /** A redaction session over this model, in the worker (see the main API's `RedactionSession`). */
  session(options?: RedactOptions): Promise<RedactionSession> {
    return RedactionSession.create(options, { worker: this.worker, model: this.handle });
  }
}

/** The main API's `RedactionSession`, in a worker: one conversation's redactions. */
export class RedactionSession {
  #worker: TokenveilWorker;
  #handle: number;
  #disposed = false;

  private constructor(worker: TokenveilWorker, handle: number) {
    this.#worker = worker;
    this.#handle = handle;
  }

  /** A session with the pattern detectors alone, or (`model`) a loaded token classifier's handle. */
  static async create(
    options?: RedactOptions,
    where: { worker?: TokenveilWorker; model?: number } = {},
  ): Promise<RedactionSession> {
    const worker = where.worker ?? defaultWorker();
    const handle = await worker.request<number>({ op: "session", model: where.model ?? null, options });
    return new RedactionSession(worker, handle);
  }

  #check(): void {
    if (this.#disposed) throw new ModelError("disposed", "this redaction session was disposed");
  }

  async redact(text: string, options?: MessageOptions, request?: RequestOptions): Promise<Redaction> {
    this.#check();
    return this.#worker.request({ op: "sessionRedact", session: this.#handle, text, options }, request);
  }

  /** The main API's `RedactionSession.redactDocument`, in the worker. */
  async redactDocument(
    content: string,
    format: DocumentFormat,
    options?: DocumentOptions,
    request?: RequestOptions,
  ): Promise<DocumentRedaction> {
    this.#check();
    return this.#worker.request({ op: "sessionDocument", session: this.#handle, content, format, options }, request);
  }

  async restore(reply: string): Promise<string> {
    this.#check();
    return this.#worker.request({ op: "sessionRestore", session: this.#handle, reply });
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    await this.#worker.request({ op: "sessionDispose", session: this.#handle });
  }
}

/** `TextClassifier` of the main API, running in a worker. */
export class TextClassifier extends RemoteModel {
  static async load(source: ModelSource, options: WorkerLoadOptions = {}): Promise<TextClassifier> {
    const [worker, loaded] = await loadIn("text", source, options);
    return new TextClassifier(worker, loaded);
  }

  classify(text: string, options?: TextClassificationOptions, request?: RequestOptions): Promise<TextClassification> {
    return this.call("classify", text, options, request);
  }

  /** `classify` for many texts in one pass; each result's `timings` are the whole batch's. */
  classifyBatch(texts: string[], options?: TextClassificationOptions, request?: RequestOptions): Promise<TextClassification[]> {
    return this.batch(texts, options, request);
  }
}

/** Where a module-level call runs and how it is scheduled. */
export interface CallOptions extends RequestOptions {
  /** Default: the shared worker. */
  worker?: TokenveilWorker;
}

/** Pattern-only redaction, in the worker. */
export function redact(text: string, options?: RedactOptions, call: CallOptions = {}): Promise<Redaction> {
  return (call.worker ?? defaultWorker()).request({ op: "redact", text, options }, call);
}

/** `restore`, in the worker. */
export function restore(reply: string, redaction: Pick<Redaction, "mapping">, call: CallOptions = {}): Promise<string> {
  return (call.worker ?? defaultWorker()).request({ op: "restore", reply, redaction }, call);
}

/** The worker's WebAssembly memory in bytes (its peak: linear memory never shrinks). */
export function wasmMemoryBytes(call: CallOptions = {}): Promise<number> {
  return (call.worker ?? defaultWorker()).request({ op: "memory" }, call);
}

/** The worker a file or form redaction runs in, and its model's handle there (null: none). */
function runsIn(model: TokenClassifier | undefined, call: CallOptions): [TokenveilWorker, number | null] {
  if (!model) return [call.worker ?? defaultWorker(), null];
  const r = remote.get(model)!;
  return [r.worker, r.handle()];
}

/** The main API's `redactFile`, in the worker: the file is read and redacted there. */
export async function redactFile(
  file: Blob,
  options: RedactFileOptions = {},
  model?: TokenClassifier,
  call: CallOptions = {},
): Promise<FileRedaction> {
  if (!(file instanceof Blob)) throw new ModelError("invalid_option", "redactFile takes a File or a Blob");
  const { onProgress, ...portable } = options;
  const [worker, handle] = runsIn(model, call);
  const { fileName, ...r } = await worker.request<PortableFileRedaction>(
    { op: "redactFile", file, name: file instanceof File ? file.name : null, options: portable, model: handle },
    { channel: call.channel, onProgress: onProgress as ((p: LoadProgress) => void) | undefined },
  );
  return { ...r, file: asFile(r.file, fileName) };
}

/** The main API's `redactFormData`, in the worker. */
export async function redactFormData(
  formData: FormData,
  options: RedactFormDataOptions = {},
  model?: TokenClassifier,
  call: CallOptions = {},
): Promise<FormDataRedaction> {
  if (!(formData instanceof FormData)) throw new ModelError("invalid_option", "redactFormData takes a FormData");
  const { onProgress, ...portable } = options;
  const [worker, handle] = runsIn(model, call);
  const { entries, ...rest } = await worker.request<PortableFormDataRedaction>(
    { op: "redactFormData", entries: formEntries(formData), options: portable, model: handle },
    { channel: call.channel, onProgress: onProgress as ((p: LoadProgress) => void) | undefined },
  );
  return { formData: formFromEntries(entries), ...rest };
}
