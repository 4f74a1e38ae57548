// Messages between the worker client (worker.ts) and the worker (worker-entry.ts).
import type { ErrorCode, LoadOptions, LoadProgress, ModelInfo, ModelSource } from "./types.js";

export type ModelKind = "token" | "text";
export type Method = "classify" | "logits" | "redact";

/** Load options that can cross to a worker (no callbacks; an AbortSignal becomes `Abort`). */
export type PortableLoadOptions = Pick<LoadOptions, "cache" | "sha256" | "wasm" | "threads">;

export type Request =
  | { id: number; op: "load"; kind: ModelKind; source: ModelSource; options: PortableLoadOptions }
  | { id: number; op: "call"; handle: number; method: Method; text: string; options: unknown }
  | { id: number; op: "batch"; handle: number; texts: string[]; options: unknown }
  | { id: number; op: "redact"; text: string; options: unknown }
  | { id: number; op: "restore"; reply: string; redaction: unknown }
  | { id: number; op: "session"; model: number | null; options: unknown }
  | { id: number; op: "sessionRedact"; session: number; text: string; options: unknown }
  | { id: number; op: "sessionRestore"; session: number; reply: string }
  | { id: number; op: "sessionDispose"; session: number }
  | { id: number; op: "dispose"; handle: number }
  | { id: number; op: "memory" };

/** Sent outside the queue: cancels the download of the running load request `target`. */
export interface Abort {
  op: "abort";
  target: number;
}

export type Response =
  | { id: number; kind: "progress"; progress: LoadProgress }
  | { id: number; kind: "ok"; result: unknown }
  | { id: number; kind: "error"; code: ErrorCode; message: string };

export interface Loaded {
  handle: number;
  info: ModelInfo;
}
