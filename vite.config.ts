// The demo page (www/): `vite build` (npm run build:demo) and `vite` (its dev server) from the
// repository root pick this file up without --config. `tokenveil` resolves to the package built
// by `npm run build` (dist/), exactly what users get.
// A bare `vitest` run picks it up too, so its `test` block is the JS test tier's own
// (tests/js/vitest.config.ts, which `npm test` names): the two cannot disagree.
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Plugin } from "vite";
import { defineConfig } from "vitest/config";
import jsTests from "./tests/js/vitest.config";
import { prepareModels } from "./www/prepare-models.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const www = resolve(here, "www");
const dist = resolve(here, "dist");

/** Copies the model files and writes their manifest before every build and dev server. */
function models(): Plugin {
  return {
    name: "tokenveil-demo-models",
    buildStart() {
      if (!existsSync(resolve(dist, "index.js")) || !existsSync(resolve(dist, "worker.js"))) {
        throw new Error("dist/ has no tokenveil package: run `npm run build` first");
      }
      prepareModels({ log: (line: string) => this.info(line) });
    },
  };
}

export default defineConfig({
  root: www,
  base: "./",
  publicDir: resolve(www, "public"),
  plugins: [models()],
  resolve: {
    alias: [
      // The longer name first: an alias also matches as a prefix.
      { find: /^tokenveil\/worker$/, replacement: resolve(dist, "worker.js") },
      { find: /^tokenveil$/, replacement: resolve(dist, "index.js") },
    ],
  },
  worker: { format: "es" },
  test: jsTests.test,
  build: {
    outDir: resolve(www, "dist"),
    emptyOutDir: true,
    target: "es2022",
    // No data: URLs for assets: the page's CSP only lets it fetch from its own origin.
    assetsInlineLimit: 0,
  },
});
