// Public types of the tokenveil package: options in, results out. Offsets are UTF-16 code
// units (what String.prototype.slice uses) unless `offsets` says otherwise.
//
// The shapes that cross the WebAssembly boundary (options, results, model info) are generated
// from their Rust definitions into types.generated.ts and re-exported here; this file holds
// what only the JavaScript side has: error codes, model sources and load options.

export type * from "./types.generated.js";
import type { DocumentFormat, DocumentOptions, DocumentSpan, RedactOptions, RedactedSpan } from "./types.generated.js";

/** Stable error codes on `ModelError.code`. */
export type ErrorCode =
  | "io"
  | "model_format"
  | "unsupported_version"
  | "config"
  | "missing_tensor"
  | "tensor_shape"
  | "tokenizer"
  | "label_map"
  | "invalid_option"
  | "inference"
  | "unsupported_format"
  | "invalid_document"
  | "internal"
  | "network"
  | "aborted"
  | "integrity"
  | "not_initialized"
  | "disposed"
  | "superseded"
  | "worker";

/** A file to fetch (URL, resolved against the page) or its bytes. */
export type FileSource = string | URL | ArrayBuffer | Uint8Array;

/**
 * A Hugging Face model folder's files: `config.json`, `tokenizer.json` and safetensors
 * weights (f32, f16 or bf16). `LoadOptions.sha256` and progress apply to the weights.
 */
export interface HuggingFaceFiles {
  config: FileSource;
  tokenizer: FileSource;
  weights: FileSource;
}

/** Where a model comes from: one tokenveil GGUF file (URL or bytes), or a Hugging Face folder's files. */
export type ModelSource = FileSource | HuggingFaceFiles;

/** The WebAssembly module: a URL, its bytes, or a compiled module. */
export type WasmSource = string | URL | ArrayBuffer | Uint8Array | WebAssembly.Module;

export interface LoadProgress {
  /** Bytes received so far. */
  loaded: number;
  /** Bytes expected, when the server says (Content-Length) or the bytes were given. */
  total?: number;
  /** True when the model came from the Cache API rather than the network. */
  fromCache: boolean;
}

export interface LoadOptions {
  /** Called as the model file arrives. */
  onProgress?: (progress: LoadProgress) => void;
  /**
   * Keep fetched model files in the Cache API (`true`: cache "tokenveil-models"; a string:
   * that cache). Default true where the Cache API exists.
   */
  cache?: boolean | string;
  /** Expected SHA-256 of the model file (hex); a mismatch is a `ModelError("integrity")`. */
  sha256?: string;
  /**
   * Where the WebAssembly module comes from; by default the relaxed-SIMD or the simd128 build
   * next to this package's code, whichever the engine runs (see `hasRelaxedSimd`).
   */
  wasm?: WasmSource;
  /**
   * Threads for the int8 matmuls, this one included: see `InitOptions.threads` (the first
   * `init`, or the first load, decides for the whole page).
   */
  threads?: number;
  /** Cancels the download; the load rejects with `ModelError("aborted")`. */
  signal?: AbortSignal;
}

// ---- Documents: redactFile, redactFormData, RedactionSession.redactDocument --------------

// DocumentFormat, DocumentOptions, DocumentSpan and DocumentRedaction are generated (above).

/** Bytes of the input file read so far, of `total`. */
export interface FileProgress {
  loaded: number;
  total: number;
}

/**
 * `redactFile`'s options: the redaction options (offsets are always UTF-16 here, and caller
 * spans do not apply to a file), the document selectors, and how the file is read.
 */
export interface RedactFileOptions extends Omit<RedactOptions, "spans" | "offsets">, DocumentOptions {
  /** The format, when the file name's extension (else its media type) does not say it. */
  format?: DocumentFormat;
  /**
   * Files larger than this (default 8 MiB) are read in pieces of this many bytes, cut at line
   * (text, JSON Lines) or row (CSV/TSV) boundaries. A JSON document cannot be cut: it is read
   * whole up to 64 MiB (or `pieceBytes`, if larger), and larger is `unsupported_format`.
   */
  pieceBytes?: number;
  /** Called as the file is read. */
  onProgress?: (progress: FileProgress) => void;
}

/** What `redactFile` returns: the redacted file and what was replaced. */
export interface FileRedaction {
  /** The redacted file: the input's name (a Blob without one: `document.<format>`) and type. */
  file: File;
  format: DocumentFormat;
  spans: DocumentSpan[];
  records: number;
  values: number;
  /** `[replacement, original]`: `restore(reply, result)` puts the values back. */
  mapping: [string, string][];
}

/** `redactFormData`'s options. */
export interface RedactFormDataOptions extends Omit<RedactOptions, "spans" | "offsets"> {
  /** Fields (text or file) sent as they are. */
  skipFields?: string[];
  /** Text fields replaced whole as this entity type (`{ name: "PERSON" }`). */
  forceFields?: Record<string, string>;
  /** Per file field: its document selectors and format. */
  files?: Record<string, DocumentOptions & { format?: DocumentFormat }>;
  /** As in `RedactFileOptions`, for every file. */
  pieceBytes?: number;
  /** Called as each file is read, with the file's field name. */
  onProgress?: (progress: FileProgress & { field: string }) => void;
}

/** One entry of a redacted form, in the form's order. */
export type FormFieldRedaction =
  | { name: string; kind: "text"; spans: RedactedSpan[] }
  | { name: string; kind: "file"; format: DocumentFormat; spans: DocumentSpan[]; records: number; values: number }
  /** A field named in `skipFields`. */
  | { name: string; kind: "skipped" };

/** What `redactFormData` returns. */
export interface FormDataRedaction {
  /** A new form: every text field redacted, every file through `redactFile`, the same order. */
  formData: FormData;
  fields: FormFieldRedaction[];
  /** The whole form's `[replacement, original]`: `restore(reply, result)`. */
  mapping: [string, string][];
}
