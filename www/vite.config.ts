// Builds the demo page: `vite build --config www/vite.config.ts` (npm run build:demo).
// `tokenveil` resolves to the package built by `npm run build` (dist/), exactly what users get.
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";
import { prepareModels } from "./prepare-models.mjs";

const www = dirname(fileURLToPath(import.meta.url));
const dist = resolve(www, "../dist");

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
  build: {
    outDir: resolve(www, "dist"),
    emptyOutDir: true,
    target: "es2022",
    // No data: URLs for assets: the page's CSP only lets it fetch from its own origin.
    assetsInlineLimit: 0,
  },
});
