import { existsSync, readFileSync } from "node:fs";

export const repo = new URL("../../", import.meta.url).pathname;

export function bytes(path: string): Uint8Array {
  return new Uint8Array(readFileSync(repo + path));
}

export function json<T = unknown>(path: string): T {
  return JSON.parse(readFileSync(repo + path, "utf8")) as T;
}

/** A Hugging Face folder's three files, as `load` takes them. */
export function hfFolder(dir: string) {
  return {
    config: bytes(`${dir}/config.json`),
    tokenizer: bytes(`${dir}/tokenizer.json`),
    weights: bytes(`${dir}/model.safetensors`),
  };
}

/**
 * Models made by scripts/setup.sh (not committed). Missing ones skip a test, except under
 * TOKENVEIL_REQUIRE_MODELS=1 (the test command), where they fail it.
 */
export function cachedModel(dir: string): boolean {
  if (existsSync(repo + dir)) return true;
  if (process.env.TOKENVEIL_REQUIRE_MODELS === "1") {
    throw new Error(`${dir} is missing: run scripts/setup.sh`);
  }
  return false;
}

/**
 * How far a text's scores may move when it is padded inside a batch: padding changes the
 * attention matmul's shapes and so the order of its float sums (measured up to 9.6e-5).
 */
export const BATCH_SCORE_TOLERANCE = 5e-4;
