#!/usr/bin/env node
// Copies the shipped model files into www/public/models/ and writes manifest.json next to them
// (id, file, title, task, description, aggregation, size, sha256), which the demo page reads. The
// page passes each sha256 to `load`, so a corrupt download or cache entry is caught before it is
// used, and starts each token classifier on its `aggregation`.
//   node www/prepare-models.mjs        (the root vite.config.ts also runs it before each build)
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, "..");
const out = join(here, "public", "models");

/**
 * The demo's models, in the order of the picker; the first is the default. `aggregation` is the
 * strategy the entity view starts with for a token classifier (the user may pick another): the
 * one that shows whole words for the way the model was trained.
 */
export const MODELS = [
  {
    id: "pii",
    source: "models/pii/pii-q8_0.gguf",
    title: "PII (tokenveil)",
    task: "token-classification",
    description:
      "Personal data: people, organisations, places, addresses, dates and ages, job titles, emails, phones, URLs, usernames, IPs, card, bank and ID numbers, medical conditions (23 types, 47 BIO labels). Trained by the tokenveil project (weights Apache-2.0; training data and its licences: models/pii/README.md).",
    // Trained with B- on a span's first word piece and I- on every other piece, so merging B/I
    // runs gives whole words.
    aggregation: "simple",
  },
  {
    id: "rampart",
    source: "models/rampart/rampart-q4_0.gguf",
    title: "PII (Rampart)",
    task: "token-classification",
    description:
      "Personal data: given names, surnames, emails, phones, addresses, account and ID numbers (17 types, 35 BIO labels). Rampart by National Design Studio, CC-BY-4.0.",
    // Tags every word piece B-, so "simple" splits a word into pieces ("Mer", "kel"); "first"
    // takes each word's first piece's label for the whole word.
    aggregation: "first",
  },
  {
    id: "ner",
    source: "models/ner/ner-q8_0.gguf",
    title: "Named entities (CoNLL-2003)",
    task: "token-classification",
    description: "People, organisations, locations and other names (PER, ORG, LOC, MISC), English news.",
    // Trained on each word's first piece only: the other pieces' labels are untrained, and
    // "simple" splits rare words ("Wo", "jciechowski").
    aggregation: "first",
  },
  {
    id: "pos",
    source: "models/pos/pos-q8_0.gguf",
    title: "Part of speech",
    task: "token-classification",
    description: "Penn Treebank part-of-speech tags (45 tags of CoNLL-2003), one per word.",
    // As NER: one label per word, on its first piece.
    aggregation: "first",
  },
  {
    id: "sentiment",
    source: "models/sst2/sst2-q8_0.gguf",
    title: "Sentiment (SST-2)",
    task: "text-classification",
    description: "Whether a sentence is positive or negative (movie reviews, GLUE SST-2).",
  },
];

const AGGREGATIONS = ["none", "simple", "first", "average", "max"];

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
    if (model.task === "token-classification" && !AGGREGATIONS.includes(model.aggregation ?? "")) {
      throw new Error(`prepare-models: ${model.id} needs an aggregation, one of ${AGGREGATIONS.join(", ")}`);
    }
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
