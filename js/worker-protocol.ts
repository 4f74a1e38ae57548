// Messages between the worker client (worker.ts) and the worker (worker-entry.ts).
import type { ErrorCode, FileProgress, FileRedaction, FormDataRedaction, LoadOptions, LoadProgress, ModelInfo, ModelSource } from "./types.js";

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
  | { id: number; op: "sessionDocument"; session: number; content: string; format: string; options: unknown }
  | { id: number; op: "redactFile"; file: Blob; name: string | null; options: unknown; model: number | null }
  | { id: number; op: "redactFormData"; entries: FormEntries; options: unknown; model: number | null }
  | { id: number; op: "dispose"; handle: number }
  | { id: number; op: "memory" };

/** Sent outside the queue: cancels the download of the running load request `target`. */
export interface Abort {
  op: "abort";
  target: number;
}

export type Response =
  | { id: number; kind: "progress"; progress: LoadProgress | (FileProgress & { field?: string }) }
  | { id: number; kind: "ok"; result: unknown }
  | { id: number; kind: "error"; code: ErrorCode; message: string };

export interface Loaded {
  handle: number;
  info: ModelInfo;
}

/**
 * A FormData as it crosses to a worker and back: FormData cannot be cloned, and Node's
 * structured clone turns a File into a Blob, so a file's name travels beside it.
 */
export type FormEntries = [name: string, value: string | Blob, fileName: string | null][];

export function formEntries(form: FormData): FormEntries {
  return [...form.entries()].map(([name, v]) => (typeof v === "string" ? [name, v, null] : [name, v, v.name]));
}

export function formFromEntries(entries: FormEntries): FormData {
  const form = new FormData();
  for (const [name, value, fileName] of entries) {
    if (typeof value === "string") form.append(name, value);
    else form.append(name, value, fileName ?? "blob");
  }
  return form;
}

/** A Blob that crossed a structured clone as a File again (Node's clone drops the File). */
export function asFile(blob: Blob, name: string): File {
  return blob instanceof File ? blob : new File([blob], name, { type: blob.type });
}

/** `redactFile`'s result as the worker sends it. */
export type PortableFileRedaction = FileRedaction & { fileName: string };

/** `redactFormData`'s result as the worker sends it. */
export type PortableFormDataRedaction = Omit<FormDataRedaction, "formData"> & { entries: FormEntries };
