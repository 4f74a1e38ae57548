// The demo's models: the manifest written by prepare-models.mjs, example texts, and loading
// through the worker API (cached, checked against the manifest's sha256, with progress).
import {
  ModelError,
  TextClassifier,
  TokenClassifier,
  type AggregationStrategy,
  type LoadProgress,
} from "tokenveil/worker";

export interface ManifestModel {
  id: string;
  file: string;
  title: string;
  task: "token-classification" | "text-classification";
  description: string;
  /** Token classifiers: the aggregation the entity view starts with (whole words for this model). */
  aggregation?: AggregationStrategy;
  size: number;
  sha256: string;
}

export type LoadedModel =
  | { kind: "token"; entry: ManifestModel; model: TokenClassifier; loadMs: number; fromCache: boolean }
  | { kind: "text"; entry: ManifestModel; model: TextClassifier; loadMs: number; fromCache: boolean };

/** Resolved against the page, so the build works from any path. */
const MANIFEST_URL = "models/manifest.json";

export async function fetchManifest(): Promise<ManifestModel[]> {
  let response: Response;
  try {
    response = await fetch(MANIFEST_URL, { cache: "no-cache" });
  } catch (err) {
    throw new ModelError("network", `could not fetch ${MANIFEST_URL}: ${String(err)}`);
  }
  if (!response.ok) throw new ModelError("network", `could not fetch ${MANIFEST_URL}: HTTP ${response.status}`);
  const manifest = (await response.json()) as { models?: ManifestModel[] };
  if (!Array.isArray(manifest.models) || manifest.models.length === 0) {
    throw new ModelError("config", `${MANIFEST_URL} lists no models`);
  }
  return manifest.models;
}

/**
 * Loads one model in the shared worker. `onProgress` gets the bytes so far and the total; a
 * Content-Length-less response falls back to the manifest's size so the bar still moves.
 */
export async function loadModel(
  entry: ManifestModel,
  onProgress: (loaded: number, total: number, fromCache: boolean) => void,
): Promise<LoadedModel> {
  const started = performance.now();
  let fromCache = false;
  const options = {
    sha256: entry.sha256,
    onProgress: (p: LoadProgress) => {
      fromCache = p.fromCache;
      onProgress(p.loaded, p.total ?? entry.size, p.fromCache);
    },
  };
  const url = `models/${entry.file}`;
  if (entry.task === "text-classification") {
    const model = await TextClassifier.load(url, options);
    return { kind: "text", entry, model, loadMs: performance.now() - started, fromCache };
  }
  const model = await TokenClassifier.load(url, options);
  return { kind: "token", entry, model, loadMs: performance.now() - started, fromCache };
}

/** Texts that carry the kinds of personal data the PII models and the patterns find. */
const PII_EXAMPLES = [
  {
    title: "Support message",
    text:
      "Hi, I'm John Smith. Email me at john.smith@example.com or call +1 (415) 555-0132. " +
      "My card is 4111 1111 1111 1111 and my IBAN is GB82 WEST 1234 5698 7654 32.",
  },
  {
    title: "Delivery address",
    text:
      "Please ship the order to Maria Garcia, 221 Baker Street, Apt 4B, Springfield, IL 62704. " +
      "Her phone is (217) 555-0199 and her email maria.garcia@example.org.",
  },
  {
    title: "Booking",
    text:
      "Guest: Ahmed Khan, passport X1234567, card 5500 0000 0000 0004. " +
      "Confirmation sent to ahmed.khan@example.net; call 020 7946 0018 with questions.",
  },
  {
    title: "Patient note",
    text:
      "Patient: Dr. Emily Chen, 42, born 14/03/1982, chief financial officer at Northwind Traders. " +
      "Diagnosed with type 2 diabetes; SSN 123-45-6789. Follow up via @emchen.",
  },
];

/** A few texts per model (by manifest id). */
export const EXAMPLES: Record<string, { title: string; text: string }[]> = {
  pii: PII_EXAMPLES,
  rampart: PII_EXAMPLES,
  ner: [
    { title: "Politics", text: "Angela Merkel met Emmanuel Macron in Paris to discuss the Airbus contract with Siemens." },
    { title: "Sport", text: "Lionel Messi scored twice as Inter Miami beat the New York Red Bulls in Florida on Saturday." },
    { title: "Business", text: "Microsoft agreed to buy the London start-up for $2 billion, Reuters reported on Tuesday." },
  ],
  pos: [
    { title: "Pangram", text: "The quick brown fox jumps over the lazy dog." },
    { title: "News", text: "The central bank raised interest rates by half a point on Wednesday." },
    { title: "Question", text: "Where did you put the keys that I gave you yesterday?" },
  ],
  sentiment: [
    { title: "Positive review", text: "A wonderful, warm and funny film. I loved every minute of it." },
    { title: "Negative review", text: "The plot is a mess and the acting is wooden; two hours I will never get back." },
    { title: "Mixed", text: "The effects are stunning, but the story never quite comes together." },
  ],
};
