// The Web Worker: holds the models and runs every request it is sent, one at a time.
import {
  ModelError,
  RedactionSession,
  TextClassifier,
  TokenClassifier,
  init,
  redact,
  redactFile,
  redactFormData,
  restore,
  wasmMemoryBytes,
} from "./index.js";
import {
  asFile,
  formEntries,
  formFromEntries,
  type Abort,
  type Loaded,
  type PortableFileRedaction,
  type PortableFormDataRedaction,
  type Request,
  type Response,
} from "./worker-protocol.js";
import type { LoadProgress, Redaction, RedactFileOptions, RedactFormDataOptions } from "./types.js";

const models = new Map<number, TokenClassifier | TextClassifier>();
const sessions = new Map<number, RedactionSession>();
/** Downloads in progress, by request id, so an `abort` message can cancel them. */
const downloads = new Map<number, AbortController>();
let nextHandle = 1;

function post(message: Response): void {
  (self as unknown as { postMessage(m: Response): void }).postMessage(message);
}

function session(handle: number): RedactionSession {
  const s = sessions.get(handle);
  if (!s) throw new ModelError("disposed", "this redaction session was disposed");
  return s;
}

function model(handle: number): TokenClassifier | TextClassifier {
  const m = models.get(handle);
  if (!m) throw new ModelError("disposed", "this model was disposed");
  return m;
}

/** The token classifier a session or a file redaction runs, if any. */
function tokenModel(handle: number | null): TokenClassifier | undefined {
  if (handle === null) return undefined;
  const found = model(handle);
  if (!(found instanceof TokenClassifier)) {
    throw new ModelError("invalid_option", "redaction needs a token classifier");
  }
  return found;
}

async function run(req: Request): Promise<unknown> {
  switch (req.op) {
    case "load": {
      const onProgress = (progress: LoadProgress) => post({ id: req.id, kind: "progress", progress });
      const controller = new AbortController();
      downloads.set(req.id, controller);
      const options = { ...req.options, onProgress, signal: controller.signal };
      const m = await (req.kind === "token"
        ? TokenClassifier.load(req.source, options)
        : TextClassifier.load(req.source, options)
      ).finally(() => downloads.delete(req.id));
      const handle = nextHandle++;
      models.set(handle, m);
      return { handle, info: m.info } satisfies Loaded;
    }
    case "call": {
      const m = model(req.handle);
      if (m instanceof TextClassifier) {
        if (req.method !== "classify") {
          throw new ModelError("invalid_option", `a text classifier has no ${req.method}`);
        }
        return m.classify(req.text, req.options as never);
      }
      return m[req.method](req.text, req.options as never);
    }
    case "batch":
      return model(req.handle).classifyBatch(req.texts, req.options as never);
    case "redact":
      await init();
      return redact(req.text, req.options as never);
    case "restore":
      await init();
      return restore(req.reply, req.redaction as Redaction);
    case "session": {
      await init();
      const m = tokenModel(req.model);
      const handle = nextHandle++;
      sessions.set(handle, RedactionSession.create(req.options as never, m));
      return handle;
    }
    case "sessionDocument":
      return session(req.session).redactDocument(req.content, req.format as never, req.options as never);
    case "redactFile": {
      const onProgress = (progress: { loaded: number; total: number }) => post({ id: req.id, kind: "progress", progress });
      const options = { ...(req.options as RedactFileOptions), onProgress };
      const file = req.name === null ? req.file : asFile(req.file, req.name);
      const r = await redactFile(file, options, tokenModel(req.model));
      return { ...r, fileName: r.file.name } satisfies PortableFileRedaction;
    }
    case "redactFormData": {
      const onProgress = (progress: { loaded: number; total: number; field: string }) =>
        post({ id: req.id, kind: "progress", progress });
      const options = { ...(req.options as RedactFormDataOptions), onProgress };
      const { formData, ...rest } = await redactFormData(formFromEntries(req.entries), options, tokenModel(req.model));
      return { ...rest, entries: formEntries(formData) } satisfies PortableFormDataRedaction;
    }
    case "sessionRedact":
      return session(req.session).redact(req.text, req.options as never);
    case "sessionRestore":
      return session(req.session).restore(req.reply);
    case "sessionDispose":
      sessions.get(req.session)?.dispose();
      sessions.delete(req.session);
      return undefined;
    case "memory":
      return wasmMemoryBytes();
    case "dispose":
      models.get(req.handle)?.dispose();
      models.delete(req.handle);
      return undefined;
  }
}

self.onmessage = async (event: MessageEvent<Request | Abort>) => {
  const req = event.data;
  if (req.op === "abort") {
    downloads.get(req.target)?.abort();
    return;
  }
  try {
    post({ id: req.id, kind: "ok", result: await run(req) });
  } catch (err) {
    const e = ModelError.from(err);
    post({ id: req.id, kind: "error", code: e.code, message: e.message });
  }
};
