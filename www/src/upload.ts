// The upload panel: a file (dropped or chosen) is redacted in the worker, shown beside its
// original with the replacements highlighted and counted per type. "Send" posts only the
// redacted file, to this page's own /echo, which exists only when the page is served with
// `scripts/serve.mjs --echo`; without it the button stays hidden and nothing is sent. The
// echoed answer carries the placeholders and is restored here.
import { ModelError, redactFile, restore, type FileRedaction, type TokenClassifier } from "tokenveil/worker";
import { byId } from "./render.js";

/** Beyond this the preview shows the file's start only (the file itself is redacted whole). */
const PREVIEW_CHARS = 100_000;
const ECHO_URL = "echo";

const ui = {
  input: byId<HTMLInputElement>("upload-input"),
  skip: byId<HTMLInputElement>("upload-skip"),
  drop: byId("upload-drop"),
  status: byId("upload-status"),
  counts: byId("upload-counts"),
  original: byId("upload-original"),
  redacted: byId("upload-redacted"),
  preview: byId("upload-preview"),
  sendArea: byId("upload-send-area"),
  send: byId<HTMLButtonElement>("upload-send"),
  reply: byId("upload-reply"),
  replyArea: byId("upload-reply-area"),
};

let current: FileRedaction | undefined;
let chosen: File | undefined;
let seq = 0;

/** The columns or keys to keep, for the formats that have them (text and Markdown take none). */
function skipFor(file: File): string[] {
  const structured = /\.(csv|tsv|json|jsonl|ndjson)$/i.test(file.name);
  const names = ui.skip.value.split(",").map((s) => s.trim()).filter((s) => s.length > 0);
  return structured ? names : [];
}

/** The redacted text with each replacement in a <mark> naming its type and original. */
function renderRedacted(text: string, r: FileRedaction): void {
  const nodes: Node[] = [];
  let at = 0;
  for (const s of r.spans) {
    if (s.start >= PREVIEW_CHARS) break;
    nodes.push(document.createTextNode(text.slice(at, s.start)));
    const mark = document.createElement("mark");
    mark.className = "replaced";
    mark.dataset.type = s.entityType;
    mark.title = `${s.entityType} (${s.detector}): ${s.original}`;
    mark.textContent = text.slice(s.start, s.end);
    nodes.push(mark);
    at = s.end;
  }
  nodes.push(document.createTextNode(text.slice(at, Math.max(at, PREVIEW_CHARS))));
  ui.redacted.replaceChildren(...nodes);
}

function renderCounts(r: FileRedaction): void {
  const counts = new Map<string, number>();
  for (const s of r.spans) counts.set(s.entityType, (counts.get(s.entityType) ?? 0) + 1);
  ui.counts.replaceChildren(
    ...[...counts].sort(([a], [b]) => a.localeCompare(b)).map(([type, n]) => {
      const li = document.createElement("li");
      li.dataset.type = type;
      li.dataset.count = String(n);
      li.textContent = `${type}: ${n}`;
      return li;
    }),
  );
}

async function redactChosen(file: File, model: () => TokenClassifier | undefined): Promise<void> {
  const mine = ++seq;
  current = undefined;
  ui.send.disabled = true;
  ui.replyArea.hidden = true;
  ui.status.dataset.state = "working";
  ui.status.textContent = `Redacting ${file.name}…`;
  try {
    const r = await redactFile(file, {
      skip: skipFor(file),
      onProgress: ({ loaded, total }) => {
        if (mine === seq) ui.status.textContent = `Redacting ${file.name}: ${Math.round((100 * loaded) / Math.max(total, 1))}%`;
      },
    }, model());
    if (mine !== seq) return;
    const [before, after] = await Promise.all([file.slice(0, PREVIEW_CHARS * 4).text(), r.file.text()]);
    current = r;
    ui.original.textContent = before.slice(0, PREVIEW_CHARS);
    renderRedacted(after, r);
    renderCounts(r);
    ui.preview.hidden = false;
    ui.send.disabled = false;
    ui.status.dataset.state = "done";
    ui.status.dataset.format = r.format;
    ui.status.textContent = `${file.name} (${r.format}): ${r.spans.length} replaced in ${r.records} record${r.records === 1 ? "" : "s"}.`;
  } catch (err) {
    if (mine !== seq) return;
    const e = ModelError.from(err);
    ui.preview.hidden = true;
    ui.status.dataset.state = "error";
    ui.status.dataset.code = e.code;
    ui.status.textContent = `${file.name} was not redacted (${e.code}): ${e.message}. Nothing can be sent.`;
  }
}

async function send(): Promise<void> {
  const r = current;
  if (!r) return;
  ui.send.disabled = true;
  ui.status.textContent = `Sending the redacted ${r.file.name}…`;
  try {
    const form = new FormData();
    form.append("file", r.file, r.file.name);
    const response = await fetch(ECHO_URL, { method: "POST", body: form });
    if (!response.ok) throw new ModelError("network", `${ECHO_URL}: HTTP ${response.status}`);
    const answer = await response.text();
    ui.reply.textContent = await restore(answer, r);
    ui.replyArea.hidden = false;
    ui.status.textContent = `Sent the redacted ${r.file.name} (${r.file.size} bytes); the answer is restored below.`;
  } catch (err) {
    const e = ModelError.from(err, "network");
    ui.status.dataset.code = e.code;
    ui.status.textContent = `Sending failed (${e.code}): ${e.message}`;
  } finally {
    ui.send.disabled = false;
  }
}

/**
 * Whether this page's server has /echo: `scripts/serve.mjs --echo` says so in a header on every
 * file, read here from a HEAD of the page itself (which exists anywhere, so a static host sees
 * no request for a missing URL); a static host sends no such header.
 */
async function echoAvailable(): Promise<boolean> {
  try {
    const response = await fetch(location.href, { method: "HEAD", cache: "no-store" });
    return response.ok && response.headers.get("Tokenveil-Echo") === ECHO_URL;
  } catch {
    return false;
  }
}

/** Wires the panel; `model` is the token classifier in use, if the current model is one. */
export function setUpUpload(model: () => TokenClassifier | undefined): void {
  const take = (files: FileList | null | undefined) => {
    chosen = files?.[0] ?? chosen;
    if (chosen) void redactChosen(chosen, model);
  };
  ui.input.addEventListener("change", () => take(ui.input.files));
  // A new list of kept columns redacts the chosen file again.
  ui.skip.addEventListener("change", () => take(undefined));
  ui.drop.addEventListener("dragover", (e) => {
    e.preventDefault();
    ui.drop.dataset.over = "true";
  });
  ui.drop.addEventListener("dragleave", () => delete ui.drop.dataset.over);
  ui.drop.addEventListener("drop", (e) => {
    e.preventDefault();
    delete ui.drop.dataset.over;
    take(e.dataTransfer?.files);
  });
  ui.send.addEventListener("click", () => void send());
  void echoAvailable().then((ok) => {
    ui.sendArea.hidden = !ok;
    ui.sendArea.dataset.echo = String(ok);
  });
}
