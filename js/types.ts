// Public types of the tokenveil package: options in, results out. Offsets are UTF-16 code
// units (what String.prototype.slice uses) unless `offsets` says otherwise.
//
// The shapes that cross the WebAssembly boundary (options, results, model info) are generated
// from their Rust definitions into types.generated.ts and re-exported here; this file holds
// what only the JavaScript side has: error codes, model sources and load options.

export type * from "./types.generated.js";

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
