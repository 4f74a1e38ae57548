// Type tests for the public API: compiled by `npm run test:types` (tsc), never run. Each
// `@ts-expect-error` must stay an error, so the types keep rejecting what the runtime rejects.
import {
  ModelError,
  RedactionSession,
  TextClassifier,
  TokenClassifier,
  redact,
  redactFile,
  redactFormData,
  restore,
  type ClassLabel,
  type DocumentSpan,
  type FileRedaction,
  type FormDataRedaction,
  type Entity,
  type ErrorCode,
  type Operator,
  type Redaction,
  type TokenClassification,
} from "tokenveil";
import * as worker from "tokenveil/worker";

declare const tokens: TokenClassifier;
declare const texts: TextClassifier;
declare const remote: worker.TokenClassifier;

const out: TokenClassification = tokens.classify("text", { aggregationStrategy: "first", offsets: "utf16" });
const first: Entity | undefined = out.entities[0];
const label: string | undefined = first?.entityGroup ?? first?.entity;
const best: string | undefined = texts.classify("text", { topK: 1 }).labels[0]?.label;
const probability: number | undefined = tokens.logits("x").tokens[0]?.probabilities[0];
const asynchronous: Promise<TokenClassification> = remote.classify("text", {}, { channel: "typing" });
const redaction: Redaction = tokens.redact("x", { operators: { EMAIL: { kind: "mask", char: "*", keep: 4 } } });
const back: string = restore("reply", redaction);
const code: ErrorCode = new ModelError("invalid_option", "m").code;
const batch: TokenClassification[] = tokens.classifyBatch(["a", "b"], { aggregationStrategy: "simple" });
const bestEach: (string | undefined)[] = texts.classifyBatch(["a"], { topK: 1 }).map((r) => r.labels[0]?.label);
const everyLabel: ClassLabel[] = texts.classify("text", { topK: null }).labels;
const remoteBatch: Promise<TokenClassification[]> = remote.classifyBatch(["a"], {}, { channel: "typing" });
const session: RedactionSession = tokens.session({ hashKey: "k", allowList: ["acme"], thresholds: { PERSON: 0.5 } });
const message: Redaction = session.redact("x", { spans: [{ start: 0, end: 1, entityType: "PERSON" }] });
const remoteSession: Promise<worker.RedactionSession> = remote.session();
void [label, best, everyLabel, probability, asynchronous, back, code, batch, bestEach, remoteBatch, message, remoteSession];

// @ts-expect-error: hash takes no salt; it is keyed by hashKey
tokens.redact("x", { operators: { EMAIL: { kind: "hash", salt: "s" } } });
// @ts-expect-error: a session's messages take spans, not options
session.redact("x", { hashKey: "k" });

// @ts-expect-error: classifyBatch takes an array of texts
tokens.classifyBatch("text");

// @ts-expect-error: not a strategy
tokens.classify("x", { aggregationStrategy: "mean" });
// @ts-expect-error: misspelt option
tokens.classify("x", { strid: 4 });
// @ts-expect-error: the worker API is asynchronous
const sync: TokenClassification = remote.classify("x");
// @ts-expect-error: the main-thread API is synchronous
const notAPromise: Promise<TokenClassification> = tokens.classify("x");
// @ts-expect-error: mask takes `char`, not `ch`
const op: Operator = { kind: "mask", ch: "*" };
// @ts-expect-error: not an error code
const badCode: ErrorCode = "oops";
// @ts-expect-error: load is asynchronous
const loaded: TokenClassifier = TokenClassifier.load(new Uint8Array());
// @ts-expect-error: text classifiers have no per-token logits
texts.logits("x");
void [sync, notAPromise, op, badCode, loaded];

// The shapes generated from Rust (js/types.generated.ts) keep what the hand-written ones said.
const defaults: Redaction = redact("x", { detectors: ["EMAIL", "IBAN"], minScore: 0.5, modelLabelMap: { MISC: null } });
const build: "relaxed-simd" | "simd128" = tokens.info.wasmBuild;
const sigmoid: ClassLabel[] = texts.classify("x", { functionToApply: "sigmoid" }).labels;
void [defaults, build, sigmoid];
// @ts-expect-error: not a built-in detector
redact("x", { detectors: ["SOCIAL"] });
// @ts-expect-error: not a function
texts.classify("x", { functionToApply: "tanh" });
// @ts-expect-error: placeholder takes no fields
const numbered: Operator = { kind: "placeholder", start: 1 };
declare const upload: File;
declare const form: FormData;
const fileResult: Promise<FileRedaction> = redactFile(upload, { skip: ["id"], force: { name: "PERSON" }, pieceBytes: 1 << 20 }, tokens);
const formResult: Promise<FormDataRedaction> = redactFormData(form, { skipFields: ["id"], files: { cv: { format: "csv" } } });
const remoteFile: Promise<FileRedaction> = worker.redactFile(upload, { onProgress: ({ loaded, total }) => void [loaded / total] }, remote);
const docSpan: Promise<DocumentSpan | undefined> = fileResult.then((r) => r.spans[0]);
const restoredReply: Promise<string> = formResult.then((r) => restore("reply", r));
void [remoteFile, docSpan, restoredReply];
// @ts-expect-error: not a format tokenveil reads
redactFile(upload, { format: "docx" });
// @ts-expect-error: a file's offsets are UTF-16; it takes no offsets option
redactFile(upload, { offsets: "utf8" });
// @ts-expect-error: a worker model goes to the worker API, not the main one
redactFile(upload, {}, remote);
// @ts-expect-error: redactFile is asynchronous
const notSync: FileRedaction = redactFile(upload);
void notSync;
