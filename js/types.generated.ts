// Generated from the Rust types of src/wasm/dto.rs by
// `TOKENVEIL_WRITE_TYPES=1 cargo test --lib typescript`: edit those, not this file.
// Offsets are UTF-16 code units unless `offsets` says otherwise.

/**
 * How result offsets count: UTF-16 code units (JavaScript string indices; the npm package's
 * default), UTF-8 bytes (the native API's unit), or code points (Python's).
 */
export type OffsetEncoding = "utf8" | "utf16" | "codepoint";

/**
 * Hugging Face's aggregation strategies for token classification.
 */
export type AggregationStrategy = "none" | "simple" | "first" | "average" | "max";

/**
 * The encoder family: they share one implementation and differ in weight names,
 * token-type embeddings and the BERT pooler.
 */
export type Family = "bert" | "distilbert";

/**
 * Describes a loaded model to JavaScript.
 */
export type ModelInfo = { task: "token-classification" | "text-classification", architecture: string, family: Family, labels: Array<string>, hiddenSize: number, numLayers: number, 
/**
 * Tokens the model reads at once (longer text is windowed or truncated).
 */
maxTokens: number, vocabSize: number, quantization: string | null, license: string | null, provenance: string | null, notice: string | null, 
/**
 * The WebAssembly build that runs: "relaxed-simd" where the engine has relaxed SIMD (Q8_0
 * weights run its byte dot product with activations quantized to 7 bits; Q4_0 weights keep
 * the 16-bit kernel), else "simd128" (16-bit activations for both). `init` picks it; pass
 * `wasm` to choose.
 */
wasmBuild: "relaxed-simd" | "simd128", 
/**
 * Threads the int8 matmuls run on: 1, or in the threaded build (cross-origin-isolated pages
 * with relaxed SIMD; see `InitOptions.threads`) this thread plus its pool workers.
 */
threads: number, };

/**
 * Where one call's time went, in milliseconds; `tokens` counts every token the model read.
 * A `classifyBatch` call runs its texts as one: every result carries the whole batch's timings.
 */
export type Timings = { tokenizeMs: number, forwardMs: number, postprocessMs: number, tokens: number, };

export type TokenClassificationOptions = { 
/**
 * Default "none" (one entry per token), as the Hugging Face pipeline.
 */
aggregationStrategy?: AggregationStrategy, 
/**
 * Labels left out of the result; default ["O"].
 */
ignoreLabels?: Array<string>, 
/**
 * Tokens shared by neighbouring windows over long text; default a quarter of the window.
 */
stride?: number, 
/**
 * Windows run through the model together, at most; default 8 (a pass also holds at most
 * 512 padded tokens).
 */
batchSize?: number, offsets?: OffsetEncoding, };

/**
 * One entity. With aggregation "none" it is one token (`entity`, `index`); otherwise a group
 * of tokens (`entityGroup`).
 */
export type Entity = { entity?: string, entityGroup?: string, score: number, index?: number, word: string, start: number, end: number, };

export type TokenClassification = { entities: Array<Entity>, timings: Timings, };

export type OffsetOptions = { offsets?: OffsetEncoding, };

export type TokenDetail = { index: number, token: string, id: number, start: number, end: number, special: boolean, wordId: number | null, label: string, score: number, 
/**
 * One per label, in `TokenLogits.labels` order.
 */
logits: Array<number>, probabilities: Array<number>, };

export type TokenLogits = { labels: Array<string>, tokens: Array<TokenDetail>, 
/**
 * The text was longer than one window; only the first window is described.
 */
truncated: boolean, timings: Timings, };

export type TextClassificationOptions = { 
/**
 * Labels returned, best first: default 1, as Hugging Face and Transformers.js; `null`
 * returns every label.
 */
topK?: number | null, 
/**
 * Default, as Hugging Face: none for a regression head, sigmoid for a multi-label or
 * one-label head, softmax otherwise.
 */
functionToApply?: "default" | "sigmoid" | "softmax" | "none", };

export type ClassLabel = { label: string, score: number, };

export type TextClassification = { 
/**
 * Best first.
 */
labels: Array<ClassLabel>, truncated: boolean, timings: Timings, };

/**
 * What a detected value becomes in the redacted text.
 */
export type Operator = { "kind": "replace", template?: string, } | { "kind": "placeholder", } | { "kind": "mask", char?: string, keep?: number, fromEnd?: boolean, } | { "kind": "hash", } | { "kind": "remove", } | { "kind": "keep", };

/**
 * A built-in pattern detector, each validated (Luhn, IBAN mod-97, ABA, address and date
 * ranges); the keyword ones (`PASSPORT`, `BANK_ACCOUNT`, ...) take a value only after the word
 * that names it. They read the text normalised (full-width digits, no-break and zero-width
 * characters), with offsets mapped back to the original.
 */
export type PatternDetector = "EMAIL" | "EMAIL_SPELLED" | "URL" | "IPV4" | "IPV6" | "PHONE" | "CREDIT_CARD" | "IBAN" | "US_SSN" | "DATE" | "DATE_OF_BIRTH" | "AGE" | "USERNAME" | "POSTCODE" | "PASSPORT" | "DRIVERS_LICENSE" | "BANK_ACCOUNT" | "ROUTING_NUMBER" | "TAX_ID";

export type CustomPattern = { name: string, entityType: string, 
/**
 * Rust `regex` syntax.
 */
regex: string, 
/**
 * 0..1, compared with other detectors on overlaps; default 1.
 */
score?: number, };

export type DenyTerm = { entityType: string, term: string, caseInsensitive?: boolean, };

/**
 * A value the caller found itself, in the call's offset unit (`offsets`, UTF-16 by default).
 */
export type CallerSpan = { start: number, end: number, entityType: string, 
/**
 * 0..1, compared with other detectors on overlaps; default 1.
 */
score?: number, };

export type RedactOptions = { 
/**
 * Built-in detectors to run; default all.
 */
detectors?: Array<PatternDetector>, customPatterns?: Array<CustomPattern>, denyList?: Array<DenyTerm>, 
/**
 * Values never redacted, whoever finds them (compared ignoring case and outer spaces); a
 * span inside an occurrence of one is dropped too.
 */
allowList?: Array<string>, 
/**
 * Entity types not to redact.
 */
disabledTypes?: Array<string>, 
/**
 * Lowest score kept, per entity type.
 */
thresholds?: { [key in string]: number }, 
/**
 * Lowest score kept for types without a threshold; default 0.
 */
minScore?: number, 
/**
 * Operator per entity type (PERSON, EMAIL, ...); others use `defaultOperator`.
 */
operators?: { [key in string]: Operator }, 
/**
 * Default `{ kind: "placeholder" }`.
 */
defaultOperator?: Operator, 
/**
 * Model label (without B-/I-) to entity type; `null` ignores the label.
 */
modelLabelMap?: { [key in string]: string | null }, 
/**
 * Key of the `hash` operator's HMAC; default a random key per call or session.
 */
hashKey?: string, 
/**
 * Values the caller found itself, redacted with the rest (not in a session's options).
 */
spans?: Array<CallerSpan>, offsets?: OffsetEncoding, };

export type RedactedSpan = { entityType: string, 
/**
 * "model", "pattern:EMAIL", "custom:NAME", "deny_list", "caller", or several joined by "+".
 */
detector: string, score: number, 
/**
 * Offsets of `original` in the input.
 */
start: number, end: number, 
/**
 * Offsets of `replacement` in the redacted text.
 */
newStart: number, newEnd: number, original: string, replacement: string, };

/**
 * What one message of a redaction session takes besides its text.
 */
export type MessageOptions = { spans?: Array<CallerSpan>, };

export type Redaction = { text: string, spans: Array<RedactedSpan>, 
/**
 * `[replacement, original]` for reversible replacements; what `restore` reads.
 */
mapping: Array<[string, string]>, };

/**
 * The formats a document is redacted in: plain text, Markdown, CSV, TSV, JSON, JSON Lines.
 * Anything else (images, PDFs, office files, any binary) is a `ModelError("unsupported_format")`,
 * never passed through.
 */
export type DocumentFormat = "txt" | "md" | "csv" | "tsv" | "json" | "jsonl";

/**
 * Which values of a CSV/TSV file or a JSON document to leave alone or replace whole. A selector
 * names a column (by header, or by 1-based number) or a JSON value (by key, or key path with
 * array indices left out: `customer.email`). One that matches nothing is `invalid_option`, so a
 * misspelt column never lets a value through; text and Markdown take none.
 */
export type DocumentOptions = { 
/**
 * Values kept as they are (an order id).
 */
skip?: Array<string>, 
/**
 * Values replaced whole as this entity type, whatever the detectors say
 * (`{ name: "PERSON" }`).
 */
force?: { [key in string]: string }, 
/**
 * CSV/TSV: the first row is data, not column names (columns are then `1`, `2`, ...).
 */
noHeader?: boolean, };

/**
 * One replacement in a redacted document.
 */
export type DocumentSpan = { 
/**
 * `""` for text, the column for CSV/TSV, the key path for JSON (`orders[3].customer.email`).
 */
field: string, 
/**
 * The data row (CSV/TSV, from 0 after the header), the line's record (JSON Lines), the
 * element of a top-level JSON array; else 0.
 */
record: number, 
/**
 * Offsets of `replacement` in the redacted document (UTF-16 unless the session's `offsets`
 * say otherwise), as written there (CSV-quoted or JSON-escaped where the value needed it).
 */
start: number, end: number, entityType: string, detector: string, score: number, original: string, replacement: string, };

/**
 * What `RedactionSession.redactDocument` returns.
 */
export type DocumentRedaction = { format: DocumentFormat, 
/**
 * The redacted document.
 */
content: string, 
/**
 * Every replacement, in document order.
 */
spans: Array<DocumentSpan>, 
/**
 * Records read: text 1; CSV/TSV data rows; JSON Lines non-blank lines; a top-level JSON
 * array's elements that hold strings, else 1.
 */
records: number, 
/**
 * Values handed to the detectors (cells, string values; text 1).
 */
values: number, 
/**
 * `[replacement, original]` for the whole session so far (so the last piece's restores
 * every piece); what `restore` reads.
 */
mapping: Array<[string, string]>, };
