import type { ErrorCode } from "./types.js";

/** Every error tokenveil throws or rejects with: a message and a stable `code`. */
export class ModelError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ModelError";
    this.code = code;
  }

  /** A `ModelError` for anything caught: the wasm side's errors carry their code already. */
  static from(err: unknown, fallback: ErrorCode = "internal"): ModelError {
    if (err instanceof ModelError) return err;
    if (err instanceof Error) {
      const code = (err as { code?: unknown }).code;
      return new ModelError(
        typeof code === "string" ? (code as ErrorCode) : fallback,
        err.message,
        { cause: err },
      );
    }
    return new ModelError(fallback, String(err));
  }
}

/** Runs `f`, turning whatever it throws into a `ModelError`. */
export function guarded<T>(f: () => T): T {
  try {
    return f();
  } catch (err) {
    throw ModelError.from(err);
  }
}
