import { join } from "node:path";

export const BENCH = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
export const ROOT = join(BENCH, "..");
export const CACHE = join(BENCH, ".cache");
export const VENV_PYTHON = join(BENCH, ".venv/bin/python");
export const NATIVE_TARGET = join(CACHE, "target");
export const NATIVE_BIN = join(NATIVE_TARGET, "release/tokenveil-bench-native");
