// Files and forms before upload: reads a file (in pieces when it is large), hands each piece to
// one redaction session's document walker (src/documents through src/wasm/documents.rs), and
// puts the redacted pieces back together. The session is the caller's, so a value keeps one
// placeholder across pieces, files and form fields, and its mapping restores the reply.
import { ModelError } from "./errors.js";
import type {
  DocumentFormat,
  DocumentOptions,
  DocumentRedaction,
  DocumentSpan,
  FileProgress,
  FileRedaction,
} from "./types.js";

/** Files up to this size are read whole; larger ones in pieces of this size. */
export const DEFAULT_PIECE_BYTES = 8 * 1024 * 1024;
/** A JSON document cannot be cut into pieces: read whole up to this size (or `pieceBytes`). */
export const MAX_JSON_BYTES = 64 * 1024 * 1024;
/** Text and Markdown: the text probed on each side of a cut, in UTF-16 units (at most half a
 * piece); a value longer than this across a cut may be cut in two. */
const MAX_OVERLAP = 4096;

export const FORMATS: readonly DocumentFormat[] = ["txt", "md", "csv", "tsv", "json", "jsonl"];

/** One session's document walker, on one piece (`piece`: do not judge selectors yet). */
export type RunPiece = (
  content: string,
  format: DocumentFormat,
  options: DocumentOptions & { piece: boolean },
) => DocumentRedaction & { matched?: string[] };

/** Where the session's detectors (and model) find values in `text`, without redacting it there. */
export type Probe = (text: string) => { start: number; end: number }[];

export interface ReadOptions extends DocumentOptions {
  pieceBytes?: number;
  onProgress?: (progress: FileProgress) => void;
}

function pieceSize(value: number | undefined): number {
  if (value === undefined) return DEFAULT_PIECE_BYTES;
  if (!Number.isInteger(value) || value < 16) {
    throw new ModelError("invalid_option", `pieceBytes must be an integer of at least 16, got ${value}`);
  }
  return value;
}

/**
 * UTF-8 text, or `unsupported_format`: not UTF-8, or a NUL byte (binary, or UTF-16 text, which
 * is valid UTF-8 byte by byte but whose values no detector would see).
 */
function decoder(name: string): (bytes: Uint8Array, more: boolean) => string {
  const d = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  return (bytes, more) => {
    let text: string;
    try {
      text = d.decode(bytes, { stream: more });
    } catch {
      throw new ModelError("unsupported_format", `${name}: not UTF-8 text; binary files are not redacted`);
    }
    if (text.includes("\u0000")) {
      throw new ModelError(
        "unsupported_format",
        `${name}: holds NUL characters (a binary file, or UTF-16 text): only UTF-8 text is redacted`,
      );
    }
    return text;
  };
}

/** Where the last complete record of `text` ends (after its line break), or 0 if none does. */
function recordEnd(text: string, format: DocumentFormat): number {
  if (format === "jsonl") return text.lastIndexOf("\n") + 1;
  // CSV/TSV: a line break inside a quoted cell is part of the cell. Every piece starts at a
  // row start, outside quotes; `""` inside quotes toggles twice, so the count stays right.
  let quoted = false;
  let end = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) quoted = !quoted;
    else if (c === 10 && !quoted) end = i + 1;
  }
  return end;
}

/** The first row of a CSV/TSV text with its line break, or null while it is incomplete. */
function headerRow(text: string): string | null {
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) quoted = !quoted;
    else if (c === 10 && !quoted) return text.slice(0, i + 1);
  }
  return null;
}

/**
 * Redacts a file's text in `format` through `run`; returns the redacted content in parts (for
 * a Blob, without joining a large file into one string) and what was replaced.
 */
export async function redactBlob(
  blob: Blob,
  name: string,
  format: DocumentFormat,
  options: ReadOptions,
  run: RunPiece,
  probe: Probe,
): Promise<Omit<FileRedaction, "file"> & { parts: string[] }> {
  const { pieceBytes: pieceOption, onProgress, ...selectors } = options;
  const pieceBytes = pieceSize(pieceOption);
  const total = blob.size;
  const decode = decoder(name);
  const jsonLimit = Math.max(pieceBytes, MAX_JSON_BYTES);
  if (total <= pieceBytes || format === "json") {
    if (total > jsonLimit) {
      throw new ModelError(
        "unsupported_format",
        `${name}: a JSON document of ${total} bytes; one JSON document cannot be read in pieces and ` +
          `is read whole up to ${jsonLimit} bytes (JSON Lines has no limit)`,
      );
    }
    const text = decode(new Uint8Array(await blob.arrayBuffer()), false);
    const r = run(text, format, { ...selectors, piece: false });
    onProgress?.({ loaded: total, total });
    return { parts: [r.content], format: r.format, spans: r.spans, records: r.records, values: r.values, mapping: r.mapping };
  }

  const parts: string[] = [];
  const spans: DocumentSpan[] = [];
  const matched = new Set<string>();
  let written = 0; // UTF-16 units of redacted text so far
  let records = 0;
  let values = 0;
  let mapping: [string, string][] = [];
  let buffer = ""; // text read but not yet redacted
  let header: string | null = null; // CSV/TSV: repeated above every later piece
  let first = true;
  const overlap = Math.min(MAX_OVERLAP, Math.floor(pieceBytes / 2));
  const text = format === "txt" || format === "md";

  const emit = (content: string, pieceSpans: DocumentSpan[], shiftRecords: boolean) => {
    for (const s of pieceSpans) {
      spans.push({ ...s, start: s.start + written, end: s.end + written, record: shiftRecords ? s.record + records : s.record });
    }
    parts.push(content);
    written += content.length;
  };

  /**
   * Text: redacts the buffer up to a cut `overlap` units before its end. A value that crosses
   * the cut would be seen in two halves, so first the text around the cut is probed (the same
   * detectors, outside the session, so nothing is numbered twice) and a value found across it
   * moves the cut to its end; the rest is read again with the next piece.
   */
  const textPiece = (last: boolean) => {
    let cut = buffer.length;
    if (!last) {
      if (buffer.length <= 2 * overlap) return;
      cut = buffer.length - overlap;
      // A cut after a space or a line break, where one is near, splits no word.
      const space = Math.max(buffer.lastIndexOf(" ", cut - 1), buffer.lastIndexOf("\n", cut - 1));
      if (space >= 0 && space >= cut - 64) cut = space + 1;
      else if (/[\uD800-\uDBFF]/.test(buffer[cut - 1] ?? "")) cut -= 1;
      const from = Math.max(0, cut - overlap);
      for (const s of probe(buffer.slice(from))) {
        if (from + s.start < cut && from + s.end > cut) cut = from + s.end;
      }
    }
    const r = run(buffer.slice(0, cut), format, { ...selectors, piece: false });
    mapping = r.mapping;
    emit(r.content, r.spans, false);
    buffer = buffer.slice(cut);
    records = 1;
    values = 1;
  };

  /** CSV/TSV and JSON Lines: redacts the buffer's complete records. */
  const recordPiece = (last: boolean) => {
    if ((format === "csv" || format === "tsv") && !selectors.noHeader && header === null) {
      header = headerRow(buffer);
      if (header === null && !last) return;
    }
    const end = last ? buffer.length : recordEnd(buffer, format);
    if (end === 0 && !(last && first)) return;
    const body = buffer.slice(0, end);
    const prefix = !first && header !== null ? header : "";
    const r = run(prefix + body, format, { ...selectors, piece: true });
    if (!r.content.startsWith(prefix)) {
      throw new ModelError("internal", `${name}: the header row came back changed`);
    }
    for (const m of r.matched ?? []) matched.add(m);
    const pieceSpans = r.spans.map((s) => ({ ...s, start: s.start - prefix.length, end: s.end - prefix.length }));
    emit(r.content.slice(prefix.length), pieceSpans, true);
    records += r.records;
    values += r.values;
    mapping = r.mapping;
    buffer = buffer.slice(end);
    first = false;
  };

  let loaded = 0;
  while (loaded < total) {
    const next = Math.min(loaded + pieceBytes, total);
    const bytes = new Uint8Array(await blob.slice(loaded, next).arrayBuffer());
    loaded = next;
    const last = loaded >= total;
    buffer += decode(bytes, !last);
    if (text) textPiece(last);
    else recordPiece(last);
    onProgress?.({ loaded, total });
  }
  if (text) {
    while (buffer.length > 0) textPiece(true);
  } else if (buffer.length > 0 || first) {
    recordPiece(true);
  }
  const all = [...(selectors.skip ?? []), ...Object.keys(selectors.force ?? {})];
  const unmatched = all.filter((s) => !matched.has(s));
  if (unmatched.length > 0) {
    throw new ModelError(
      "invalid_option",
      `${name}: no ${format === "jsonl" ? "value" : "column"} matches ${JSON.stringify(unmatched)} ` +
        `(skip and force name ${format === "jsonl" ? "JSON values by key or key path" : "columns by header or 1-based number"})`,
    );
  }
  return { parts, format, spans, records, values, mapping };
}

/** The format `documentFormat` (wasm) gives a file, or the caller's `format` checked. */
export function checkedFormat(format: string | undefined): DocumentFormat | undefined {
  if (format === undefined) return undefined;
  if (!(FORMATS as readonly string[]).includes(format)) {
    throw new ModelError("unsupported_format", `format "${format}": the formats are ${FORMATS.join(", ")}`);
  }
  return format as DocumentFormat;
}
