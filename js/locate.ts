// Where the package's own files (the WebAssembly modules, the worker scripts, the threads glue)
// are fetched from. Normally next to this code: `new URL("./file", import.meta.url)` literals,
// which bundlers see and ship. One exception: Vite's dev server pre-bundles dependencies into
// node_modules/.vite/deps/ (vitejs/vite#8427), where those URLs name files that do not exist
// (the server answers with the app's index.html). The package's files are then where npm put
// them, node_modules/tokenveil/dist/, and the dev server serves them from there as they are, so
// `vite dev` needs no configuration (tests/e2e/package.test.mjs runs it).

/** A module of Vite's pre-bundled dependencies (the default cache dir, or its temporary twin). */
const VITE_DEPS = /\/\.vite\/deps(?:_temp_[\da-f]+)?\/[^/]*$/;

let viteBase: URL | null | undefined;

/**
 * The package's dist/ folder when this code runs from Vite's pre-bundled copy of it; undefined
 * everywhere else (the `new URL(..., import.meta.url)` literals are right there).
 */
export function viteDepsBase(): URL | undefined {
  if (viteBase === undefined) {
    viteBase = null;
    try {
      const here = new URL(import.meta.url);
      const match = VITE_DEPS.exec(here.pathname);
      if (match) viteBase = new URL(`${here.pathname.slice(0, match.index)}/tokenveil/dist/`, here);
    } catch {
      // No URL for this module (an unusual bundler): the literals are all there is.
    }
  }
  return viteBase ?? undefined;
}

/** What to add where the package's files cannot be found (an HTML page came instead). */
export const VITE_HINT =
  'under Vite\'s dev server, add `optimizeDeps: { exclude: ["tokenveil"] }` to vite.config ' +
  "(it serves the package's files as they are); elsewhere, make the package's dist/wasm/ " +
  "files reachable next to its code, or pass a module URL to `init(url)`";
