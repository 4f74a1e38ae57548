// The demo page: pick a model, type, and see entities, per-token logits, redaction and timings.
// Everything runs in tokenveil's Web Worker, so typing never waits for a forward pass.
import { ModelError, restore, type AggregationStrategy, type Entity, type Redaction } from "tokenveil/worker";
import { EXAMPLES, fetchManifest, loadModel, type LoadedModel, type ManifestModel } from "./models.js";
import { OperatorChoices, copyText, renderRedaction, sampleReply } from "./redaction.js";
import { setUpUpload } from "./upload.js";
import {
  Palette,
  attachTooltip,
  byId,
  renderBars,
  renderFirstResult,
  renderHighlighted,
  renderLegend,
  renderLoadTiming,
  renderModelInfo,
  renderTimings,
  renderTokenTable,
} from "./render.js";

const TYPING_DELAY_MS = 150;

/**
 * Models that tag every word (part of speech) rather than find entities: their panel says
 * "Tags", and since tags are not personal data only the pattern detectors redact with them.
 */
const TAGGERS = new Set(["pos"]);

const ui = {
  model: byId<HTMLSelectElement>("model"),
  example: byId<HTMLSelectElement>("example"),
  aggregation: byId<HTMLSelectElement>("aggregation"),
  aggregationField: byId("aggregation-field"),
  minScore: byId<HTMLInputElement>("min-score"),
  minScoreValue: byId<HTMLOutputElement>("min-score-value"),
  minScoreField: byId("min-score-field"),
  belowMinScore: byId("below-min-score"),
  description: byId("model-description"),
  load: byId("load"),
  loadLabel: byId("load-label"),
  progress: byId<HTMLProgressElement>("load-progress"),
  loadStatus: byId("load-status"),
  input: byId<HTMLTextAreaElement>("input"),
  highlighted: byId("highlighted"),
  legend: byId("legend"),
  tooltip: byId("tooltip"),
  entitiesPanel: byId("entities-panel"),
  entitiesHeading: byId("entities-heading"),
  tokensPanel: byId("tokens-panel"),
  tokenTable: byId<HTMLTableElement>("token-table"),
  truncated: byId("truncated-note"),
  sentimentPanel: byId("sentiment-panel"),
  sentiment: byId("sentiment"),
  redactionPanel: byId("redaction-panel"),
  redactionHint: byId("redaction-hint"),
  redacted: byId("redacted"),
  copy: byId<HTMLButtonElement>("copy"),
  copyStatus: byId("copy-status"),
  reply: byId<HTMLTextAreaElement>("reply"),
  restored: byId("restored"),
  restoreNote: byId("restore-note"),
  timings: byId("timings"),
  modelInfo: byId("model-info"),
  licence: byId("licence-text"),
  error: byId("error"),
};

const state = {
  manifest: [] as ManifestModel[],
  /** One load per model for the page's life: switching back is instant. */
  loads: new Map<string, Promise<LoadedModel>>(),
  selected: "",
  current: undefined as LoadedModel | undefined,
  palette: new Palette(),
  /** The entity view's last answer, kept so that the minimum score filters it without a new call. */
  entities: undefined as { text: string; entities: Entity[] } | undefined,
  /** Aggregation the user picked, per model; a model without a pick uses its manifest default. */
  aggregationChoice: new Map<string, AggregationStrategy>(),
  firstResultAt: undefined as number | undefined,
  redaction: undefined as Redaction | undefined,
  /** Once the user edits the reply, it is theirs: stop regenerating it. */
  replyEdited: false,
  /** Latest request per result kind; an older answer that arrives late is dropped. */
  seq: { entities: 0, logits: 0, redact: 0, sentiment: 0, restore: 0 },
};

type Part = keyof typeof state.seq;

// ---- errors ------------------------------------------------------------------------------

function showError(err: unknown): void {
  const e = ModelError.from(err);
  ui.error.replaceChildren();
  const code = document.createElement("strong");
  code.textContent = `Error (${e.code}): `;
  ui.error.append(code, e.message);
  ui.error.dataset.code = e.code;
  ui.error.hidden = false;
}

function clearError(): void {
  ui.error.hidden = true;
  ui.error.replaceChildren();
  delete ui.error.dataset.code;
}

window.addEventListener("error", (e) => showError(e.error ?? e.message));
window.addEventListener("unhandledrejection", (e) => showError(e.reason));

/**
 * Runs one request for one part of the page and renders its answer, unless a newer request for
 * that part was made meanwhile. Requests the worker dropped for a newer one ("superseded") are
 * expected while typing and are not errors.
 */
async function run<T>(part: Part, request: () => Promise<T>, render: (result: T) => void): Promise<void> {
  const seq = ++state.seq[part];
  const model = state.current;
  try {
    const result = await request();
    if (seq !== state.seq[part] || model !== state.current) return;
    render(result);
  } catch (err) {
    if (err instanceof ModelError && err.code === "superseded") return;
    if (seq === state.seq[part]) showError(err);
  }
}

function markFirstResult(): void {
  if (state.firstResultAt !== undefined) return;
  // performance.now() counts from navigation start: this is "time to first result".
  state.firstResultAt = performance.now();
  renderFirstResult(ui.timings, state.firstResultAt);
}

// ---- analysis ----------------------------------------------------------------------------

function minScore(): number {
  return Number(ui.minScore.value);
}

/** The slider moves in steps of 5%: a whole percentage says it exactly. */
function minScoreText(): string {
  return `${Math.round(minScore() * 100)}%`;
}

/** The last entities at or above the minimum score, and a note saying how many are hidden. */
function showEntities(): void {
  const { text, entities } = state.entities ?? { text: "", entities: [] };
  const threshold = minScore();
  const shown = entities.filter((e) => e.score >= threshold);
  renderHighlighted(ui.highlighted, text, shown, state.palette);
  renderLegend(ui.legend, shown, state.palette);
  const hidden = entities.length - shown.length;
  ui.highlighted.dataset.minScore = String(threshold);
  ui.highlighted.dataset.hiddenCount = String(hidden);
  ui.belowMinScore.hidden = hidden === 0;
  ui.belowMinScore.textContent =
    hidden === 0 ? "" : `${hidden} ${hidden === 1 ? "span" : "spans"} scored below ${minScoreText()} hidden.`;
}

function analyseEntities(m: LoadedModel & { kind: "token" }, text: string): Promise<void> {
  const aggregationStrategy = ui.aggregation.value as AggregationStrategy;
  return run(
    "entities",
    () => m.model.classify(text, { aggregationStrategy }, { channel: "typing:entities" }),
    (r) => {
      state.entities = { text, entities: r.entities };
      showEntities();
      ui.highlighted.dataset.aggregation = aggregationStrategy;
      renderTimings(ui.timings, r.timings);
      clearError();
      markFirstResult();
    },
  );
}

function analyseLogits(m: LoadedModel & { kind: "token" }, text: string): Promise<void> {
  return run(
    "logits",
    () => m.model.logits(text, undefined, { channel: "typing:logits" }),
    (r) => {
      renderTokenTable(ui.tokenTable, r);
      // Which text each result is for, so scripts and tests can wait for the right one.
      ui.tokenTable.dataset.text = text;
      ui.truncated.hidden = !r.truncated;
    },
  );
}

function analyseRedaction(m: LoadedModel & { kind: "token" }, text: string): Promise<void> {
  const labels = TAGGERS.has(m.entry.id) ? m.model.info.labels : null;
  const threshold = minScore();
  return run(
    "redact",
    () => m.model.redact(text, operators.options(labels, threshold), { channel: "typing:redact" }),
    (r) => {
      state.redaction = r;
      operators.addTypes(r.spans.map((s) => s.entityType));
      renderRedaction(r);
      ui.redacted.dataset.text = text;
      ui.redacted.dataset.minScore = String(threshold);
      if (!state.replyEdited) ui.reply.value = sampleReply(r) ?? "";
      ui.restoreNote.hidden = r.mapping.length > 0 || r.spans.length === 0;
      void restoreReply();
    },
  );
}

function analyseSentiment(m: LoadedModel & { kind: "text" }, text: string): Promise<void> {
  return run(
    "sentiment",
    () => m.model.classify(text, { topK: null }, { channel: "typing:sentiment" }),
    (r) => {
      renderBars(ui.sentiment, r.labels);
      ui.sentiment.dataset.text = text;
      renderTimings(ui.timings, r.timings);
      clearError();
      markFirstResult();
    },
  );
}

async function restoreReply(): Promise<void> {
  const redaction = state.redaction;
  if (!redaction) return;
  const reply = ui.reply.value;
  await run(
    "restore",
    () => restore(reply, { mapping: redaction.mapping }, { channel: "typing:restore" }),
    (restored) => {
      ui.restored.textContent = restored;
      ui.restored.dataset.reply = reply;
    },
  );
}

/** Blank text: nothing to show, and answers still on their way are for older text. */
function clearResults(): void {
  for (const part of Object.keys(state.seq) as Part[]) state.seq[part]++;
  state.redaction = undefined;
  state.entities = undefined;
  showEntities();
  ui.tokenTable.tHead?.replaceChildren();
  ui.tokenTable.tBodies[0]?.replaceChildren();
  ui.sentiment.replaceChildren();
  ui.redacted.textContent = "";
  ui.restored.textContent = "";
  ui.restoreNote.hidden = true;
  ui.tokenTable.dataset.text = "";
  ui.redacted.dataset.text = "";
  ui.sentiment.dataset.text = "";
}

/** Analyses the current text with the current model; `parts` limits what is recomputed. */
function analyse(parts: "all" | "entities" | "redact" = "all"): void {
  const m = state.current;
  if (!m) return;
  const text = ui.input.value;
  if (text.trim() === "") {
    clearResults();
    return;
  }
  if (m.kind === "text") {
    void analyseSentiment(m, text);
    return;
  }
  if (parts === "all" || parts === "entities") void analyseEntities(m, text);
  if (parts === "all") void analyseLogits(m, text);
  if (parts === "all" || parts === "redact") void analyseRedaction(m, text);
}

let typingTimer: ReturnType<typeof setTimeout> | undefined;
function analyseSoon(): void {
  clearTimeout(typingTimer);
  typingTimer = setTimeout(() => analyse(), TYPING_DELAY_MS);
}

const operators = new OperatorChoices(() => analyse("redact"));

// ---- models ------------------------------------------------------------------------------

function showProgress(loaded: number, total: number, fromCache: boolean): void {
  ui.progress.max = total;
  ui.progress.value = loaded;
  ui.loadStatus.textContent = fromCache
    ? "Found in this browser's cache."
    : `Downloading: ${(loaded / 1e6).toFixed(1)} of ${(total / 1e6).toFixed(1)} MB`;
}

function fillExamples(id: string): void {
  ui.example.replaceChildren(
    ...(EXAMPLES[id] ?? []).map((ex, i) => {
      const option = document.createElement("option");
      option.value = String(i);
      option.textContent = ex.title;
      return option;
    }),
  );
}

function isExample(text: string): boolean {
  return text.trim() === "" || Object.values(EXAMPLES).some((list) => list.some((ex) => ex.text === text));
}

/** Shows the panels that make sense for the model's task. */
function layoutFor(entry: ManifestModel): void {
  const token = entry.task === "token-classification";
  ui.entitiesPanel.hidden = !token;
  ui.tokensPanel.hidden = !token;
  ui.redactionPanel.hidden = !token;
  ui.aggregationField.hidden = !token;
  ui.minScoreField.hidden = !token;
  ui.sentimentPanel.hidden = token;
  ui.entitiesHeading.textContent = TAGGERS.has(entry.id) ? "Tags" : "Entities";
  ui.redactionHint.textContent = TAGGERS.has(entry.id)
    ? "Part-of-speech tags are not personal data: here only the validated patterns (emails, phones, cards, IBANs…) are replaced."
    : "Model entities plus validated patterns (emails, phones, cards, IBANs…), each replaced by the operator of its type: placeholder <TYPE_n>, replace [TYPE], mask ****, hash, remove or keep. Placeholders and hashes can be restored.";
  document.body.dataset.task = entry.task;
}

/**
 * Sets the aggregation control to the user's pick for this model, else to the model's default
 * (the strategy that shows its entities as whole words), and marks that default in the list.
 */
function aggregationFor(entry: ManifestModel): void {
  const fallback = entry.aggregation ?? "simple";
  for (const option of ui.aggregation.options) {
    option.dataset.text ??= option.textContent ?? option.value;
    option.textContent = option.value === fallback ? `${option.dataset.text} (default)` : option.dataset.text;
  }
  ui.aggregation.value = state.aggregationChoice.get(entry.id) ?? fallback;
  ui.aggregation.dataset.default = fallback;
}

function showMinScore(): void {
  const text = minScoreText();
  ui.minScoreValue.textContent = text;
  ui.minScore.setAttribute("aria-valuetext", text);
}

async function selectModel(id: string): Promise<void> {
  const entry = state.manifest.find((m) => m.id === id);
  if (!entry) return;
  state.selected = id;
  state.current = undefined;
  layoutFor(entry);
  aggregationFor(entry);
  ui.description.textContent = entry.description;
  fillExamples(id);
  // Keep what the user wrote; replace an example (or nothing) with one for this model.
  if (isExample(ui.input.value)) ui.input.value = EXAMPLES[id]?.[0]?.text ?? "";
  ui.load.dataset.state = "loading";
  ui.load.dataset.model = id;
  ui.loadLabel.textContent = `${entry.title}: model file`;
  showProgress(0, entry.size, false);

  let load = state.loads.get(id);
  if (!load) {
    load = loadModel(entry, (loaded, total, fromCache) => {
      if (state.selected === id) showProgress(loaded, total, fromCache);
    });
    state.loads.set(id, load);
    // A failed load may succeed later (a network hiccup): do not keep the rejection.
    load.catch(() => state.loads.delete(id));
  }
  let m: LoadedModel;
  try {
    m = await load;
  } catch (err) {
    if (state.selected !== id) return;
    ui.load.dataset.state = "error";
    ui.loadStatus.textContent = "The model could not be loaded.";
    showError(err);
    return;
  }
  if (state.selected !== id) return;
  state.current = m;
  state.palette = new Palette();
  state.redaction = undefined;
  operators.reset();
  ui.progress.max = entry.size;
  ui.progress.value = entry.size;
  ui.load.dataset.state = "ready";
  ui.load.dataset.fromCache = String(m.fromCache);
  ui.loadStatus.textContent = `${m.fromCache ? "Loaded from this browser's cache" : "Downloaded and loaded"} in ${m.loadMs.toFixed(0)} ms.`;
  renderLoadTiming(ui.timings, m.loadMs, m.fromCache);
  renderModelInfo(ui.modelInfo, ui.licence, m.model.info, entry.size);
  clearError();
  analyse();
}

// ---- events ------------------------------------------------------------------------------

ui.input.addEventListener("input", analyseSoon);
ui.aggregation.addEventListener("change", () => {
  state.aggregationChoice.set(state.selected, ui.aggregation.value as AggregationStrategy);
  analyse("entities");
});
// The entity view filters what it already has at once; redaction asks again once the slider rests.
let minScoreTimer: ReturnType<typeof setTimeout> | undefined;
ui.minScore.addEventListener("input", () => {
  showMinScore();
  showEntities();
  clearTimeout(minScoreTimer);
  minScoreTimer = setTimeout(() => analyse("redact"), TYPING_DELAY_MS);
});
ui.model.addEventListener("change", () => void selectModel(ui.model.value));
ui.example.addEventListener("change", () => {
  const ex = EXAMPLES[state.selected]?.[Number(ui.example.value)];
  if (!ex) return;
  ui.input.value = ex.text;
  analyse();
});
let replyTimer: ReturnType<typeof setTimeout> | undefined;
ui.reply.addEventListener("input", () => {
  state.replyEdited = true;
  clearTimeout(replyTimer);
  replyTimer = setTimeout(() => void restoreReply(), TYPING_DELAY_MS);
});
ui.copy.addEventListener("click", async () => {
  const text = state.redaction?.text ?? "";
  const ok = await copyText(text);
  ui.copyStatus.textContent = ok ? "Redacted text copied to the clipboard." : "Could not copy: select the text and copy it yourself.";
  ui.copyStatus.dataset.ok = String(ok);
});
attachTooltip(ui.highlighted, ui.tooltip);
// Files are redacted with the model in use when it is a token classifier, else the patterns alone.
setUpUpload(() => (state.current?.kind === "token" ? state.current.model : undefined));
// A reload may restore the slider's last position.
showMinScore();

async function start(): Promise<void> {
  try {
    state.manifest = await fetchManifest();
  } catch (err) {
    ui.load.dataset.state = "error";
    ui.loadStatus.textContent = "The model list could not be loaded.";
    showError(err);
    return;
  }
  ui.model.replaceChildren(
    ...state.manifest.map((m) => {
      const option = document.createElement("option");
      option.value = m.id;
      option.textContent = m.title;
      return option;
    }),
  );
  ui.model.disabled = false;
  ui.model.value = state.manifest[0]!.id;
  await selectModel(ui.model.value);
}

void start();
