// tokenveil/worker: the main API, asynchronous, with inference in a Web Worker so the page
// never blocks. Requests run one at a time in the order made; a request made with a `channel`
// replaces any request on the same channel still waiting (typing: only the latest text
// matters), and the replaced one rejects with ModelError("superseded").
import { ModelError } from "./errors.js";
import type { Abort, Loaded, Method, ModelKind, PortableLoadOptions, Request, Response } from "./worker-protocol.js";
import type {
  FileSource,
  LoadOptions,
  LoadProgress,
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
    this.#worker =
      worker ?? new Worker(new URL("./worker-entry.js", import.meta.url), { type: "module" });
    this.#worker.addEventListener("message", (e: MessageEvent) => this.#receive(e.data as Response));
    this.#worker.addEventListener("error", (e: Event) => {
      const message = (e as ErrorEvent).message ?? "the worker failed";
      this.#fail(new ModelError("worker", message));
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
      current.onProgress?.(msg.progress);
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
    const base = typeof location === "undefined" ? undefined : location.href;
    return new URL(source, base).href;
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

class RemoteModel {
  readonly info: ModelInfo;
  protected worker: TokenveilWorker;
  #handle: number;
  #disposed = false;

  constructor(worker: TokenveilWorker, loaded: Loaded) {
    this.worker = worker;
    this.#handle = loaded.handle;
    this.info = loaded.info;
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
