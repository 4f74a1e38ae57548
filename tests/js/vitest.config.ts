import { defineConfig } from "vitest/config";

// The TypeScript package as users get it: tests import the built dist/ (npm run build).
export default defineConfig({
  test: {
    root: new URL(".", import.meta.url).pathname,
    include: ["**/*.test.ts"],
    environment: "node",
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // One file at a time: each loads models into wasm and the machine has two cores.
    fileParallelism: false,
  },
});
