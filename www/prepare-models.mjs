#!/usr/bin/env node
// Copies the shipped model files into www/public/models/ and writes manifest.json next to them
// (id, file, title, task, description, size, sha256), which the demo page reads. The page passes
// each sha256 to `load`, so a corrupt download or cache entry is caught before it is used.
//   node www/prepare-models.mjs        (the demo's vite config also runs it before each build)
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, "..");
const out = join(here, "public", "models");

/** The demo's models, in the order of the picker; the first is the default. */
export const MODELS = [
  {
    id: "pii",
    source: "models/rampart/rampart-q4_0.gguf",
    title: "PII (Rampart)",
    task: "token-classification",
    description:
      "Personal data: given names, surnames, emails, phones, addresses, account and ID numbers (17 types, 35 BIO labels). Rampart by National Design Studio, CC-BY-4.0.",
  },
  {
    id: "ner",
    source: "models/ner/ner-q8_0.gguf",
    title: "Named entities (CoNLL-2003)",
    task: "token-classification",
    description: "People, organisations, locations and other names (PER, ORG, LOC, MISC), English news.",
  },
  {
    id: "pos",
    source: "models/pos/pos-q8_0.gguf",
    title: "Part of speech",
    task: "token-classification",
    description: "Penn Treebank part-of-speech tags (45 tags of CoNLL-2003), one per word.",
  },
  {
    id: "sentiment",
    source: "models/sst2/sst2-q8_0.gguf",
    title: "Sentiment (SST-2)",
    task: "text-classification",
    description: "Whether a sentence is positive or negative (movie reviews, GLUE SST-2).",
  },
];

/** @param {Uint8Array} bytes */
function sha256(bytes) {
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * Copies what changed and writes the manifest; returns the manifest.
 * @param {{ log?: (line: string) => void }} [options]
 */
export function prepareModels({ log = console.log } = {}) {
  mkdirSync(out, { recursive: true });
  const models = MODELS.map(({ source, ...model }) => {
    const from = join(repo, source);
    if (!existsSync(from)) throw new Error(`prepare-models: ${source} is missing`);
    const bytes = readFileSync(from);
    const hash = sha256(bytes);
    const file = basename(source);
    const to = join(out, file);
    // Hashing is cheap; copying 90 MB on every build is not.
    const same = existsSync(to) && statSync(to).size === bytes.length && sha256(readFileSync(to)) === hash;
    if (!same) {
      copyFileSync(from, to);
      log(`prepare-models: copied ${source}`);
    }
    return { ...model, file, size: bytes.length, sha256: hash };
  });
  const manifest = { models };
  writeFileSync(join(out, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { models } = prepareModels();
  console.log(`prepare-models: ${models.length} models in ${out}`);
}
