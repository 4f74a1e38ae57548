// The one folder both pages are served from (bench/.cache/site), made of links so nothing is
// copied: the pages, tokenveil's dist/, Transformers.js's dist/, onnxruntime-web's dist/ and
// onnxruntime-common, and the prepared models.
import { existsSync, mkdirSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { BENCH, CACHE, ROOT } from "./paths.mjs";

export const SITE = join(CACHE, "site");

export function makeSite({ profilePkg } = {}) {
  rmSync(SITE, { recursive: true, force: true });
  mkdirSync(SITE, { recursive: true });
  const links = {
    pages: join(BENCH, "pages"),
    tokenveil: join(ROOT, "dist"),
    tf: join(BENCH, "node_modules/@huggingface/transformers/dist"),
    ort: join(BENCH, "node_modules/onnxruntime-web/dist"),
    "ort-common": join(BENCH, "node_modules/onnxruntime-common/dist/esm"),
    models: join(CACHE, "models"),
  };
  if (profilePkg) links["tokenveil-profile"] = profilePkg;
  for (const [name, target] of Object.entries(links)) {
    if (!existsSync(target)) throw new Error(`${target} is missing`);
    symlinkSync(target, join(SITE, name));
  }
  return SITE;
}

/** The file on disk behind a URL path of the site (for sizes and gzip). */
export function fileOf(pathname) {
  return join(SITE, decodeURIComponent(pathname));
}
