// DOM for results: highlighted spans with a legend and a tooltip, the per-token table, the
// sentiment bars, timings and model info. User text only ever goes in through textContent,
// and styles only through CSSOM (the page's CSP allows no inline style attributes).
import type { ClassLabel, Entity, ModelInfo, TokenLogits, Timings } from "tokenveil/worker";

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing from index.html`);
  return el as T;
}

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: { className?: string; text?: string } = {},
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.className) node.className = props.className;
  if (props.text !== undefined) node.textContent = props.text;
  return node;
}

/** A label without its B-/I- prefix: the B- and I- tokens of one type share a colour. */
export function bareLabel(label: string): string {
  return /^[BI]-/.test(label) ? label.slice(2) : label;
}

/**
 * One colour per bare label, handed out in the order labels first appear and then kept, so a
 * label keeps its colour while the user types. Each new hue is the golden angle (~137.5°) on
 * from the last, which keeps the few labels one text shows far apart on the colour wheel even
 * for a model of 23 types (a fixed hue per label puts some of them 15° apart). Every entity's
 * text stays dark on a light tint of its hue, which keeps contrast high; the label is always
 * written next to the colour, too.
 */
export class Palette {
  #hues = new Map<string, number>();
  paint(node: HTMLElement, label: string): void {
    const bare = bareLabel(label);
    let hue = this.#hues.get(bare);
    if (hue === undefined) {
      hue = Math.round(200 + this.#hues.size * 137.508) % 360;
      this.#hues.set(bare, hue);
    }
    node.style.setProperty("--hue", String(hue));
  }
}

export const formatScore = (score: number): string => score.toFixed(2);

/**
 * A score as a percentage with one decimal, rounded down: a 0.9999 span reads "99.9%", and
 * "100%" means a score of exactly 1 (what a minimum score of 100% keeps).
 */
export function formatPercent(score: number): string {
  const tenths = Math.floor(score * 1000 + 1e-9);
  return tenths >= 1000 ? "100%" : `${(tenths / 10).toFixed(1)}%`;
}
const ms = (value: number): string => `${value.toFixed(1)} ms`;

function entityLabel(entity: Entity): string {
  return entity.entityGroup ?? entity.entity ?? "?";
}

/**
 * The text with one focusable <mark> per entity. Offsets are UTF-16, so String.slice cuts
 * exactly at them; entities that overlap an earlier one are skipped rather than nested.
 */
export function renderHighlighted(container: HTMLElement, text: string, entities: Entity[], palette: Palette): void {
  const fragment = document.createDocumentFragment();
  let at = 0;
  const sorted = [...entities].sort((a, b) => a.start - b.start || b.end - a.end);
  for (const entity of sorted) {
    if (entity.start < at || entity.end <= entity.start) continue;
    if (entity.start > at) fragment.append(text.slice(at, entity.start));
    const label = entityLabel(entity);
    const mark = el("mark", { className: "entity" });
    const word = el("span", { className: "entity-text", text: text.slice(entity.start, entity.end) });
    const tag = el("span", { className: "entity-tag", text: label });
    tag.append(el("span", { className: "entity-score", text: formatPercent(entity.score) }));
    tag.setAttribute("aria-hidden", "true");
    mark.append(word, tag);
    mark.tabIndex = 0;
    mark.dataset.label = label;
    mark.dataset.score = String(entity.score);
    mark.dataset.start = String(entity.start);
    mark.dataset.end = String(entity.end);
    mark.setAttribute(
      "aria-label",
      `${text.slice(entity.start, entity.end)}: ${label}, score ${formatPercent(entity.score)}, characters ${entity.start}–${entity.end}`,
    );
    palette.paint(mark, label);
    fragment.append(mark);
    at = entity.end;
  }
  if (at < text.length) fragment.append(text.slice(at));
  container.replaceChildren(fragment);
  container.dataset.text = text;
  container.dataset.entityCount = String(container.querySelectorAll("mark.entity").length);
}

/** The labels present, each as a swatch and its name (never colour alone). */
export function renderLegend(list: HTMLElement, entities: Entity[], palette: Palette): void {
  const labels = [...new Set(entities.map(entityLabel))].sort();
  list.replaceChildren(
    ...labels.map((label) => {
      const item = el("li", { className: "legend-item" });
      const swatch = el("span", { className: "swatch" });
      swatch.setAttribute("aria-hidden", "true");
      palette.paint(swatch, label);
      item.append(swatch, label);
      item.dataset.label = label;
      return item;
    }),
  );
  if (labels.length === 0) list.append(el("li", { className: "hint", text: "No entities found." }));
}

/**
 * One tooltip element for every span, shown on hover and on keyboard focus, hidden on Escape
 * (so it never traps content under it) and positioned inside the viewport.
 */
export function attachTooltip(container: HTMLElement, tooltip: HTMLElement): void {
  let current: HTMLElement | undefined;
  const show = (mark: HTMLElement) => {
    current = mark;
    const { label = "", score = "0", start = "0", end = "0" } = mark.dataset;
    const rows: [string, string][] = [
      ["Label", label],
      ["Score", `${formatPercent(Number(score))} (${Number(score).toFixed(4)})`],
      ["Characters", `${start}–${end}`],
    ];
    tooltip.replaceChildren(
      ...rows.map(([k, v]) => {
        const row = el("div", { className: "tooltip-row" });
        row.append(el("span", { className: "tooltip-key", text: k }), el("span", { text: v }));
        return row;
      }),
    );
    tooltip.hidden = false;
    mark.setAttribute("aria-describedby", tooltip.id);
    const box = mark.getBoundingClientRect();
    const tip = tooltip.getBoundingClientRect();
    const left = Math.max(8, Math.min(box.left, document.documentElement.clientWidth - tip.width - 8));
    const below = box.bottom + 6 + tip.height < window.innerHeight;
    const top = below ? box.bottom + 6 : box.top - tip.height - 6;
    tooltip.style.setProperty("left", `${left + window.scrollX}px`);
    tooltip.style.setProperty("top", `${top + window.scrollY}px`);
  };
  const hide = () => {
    current?.removeAttribute("aria-describedby");
    current = undefined;
    tooltip.hidden = true;
  };
  const markOf = (target: EventTarget | null) =>
    target instanceof Element ? (target.closest("mark.entity") as HTMLElement | null) : null;
  container.addEventListener("mouseover", (e) => {
    const mark = markOf(e.target);
    if (mark && mark !== current) show(mark);
  });
  container.addEventListener("mouseout", (e) => {
    // Leaving the span for plain text or outside; a span with keyboard focus keeps its tooltip.
    if (!current || current === document.activeElement) return;
    if (!(e.relatedTarget instanceof Node && current.contains(e.relatedTarget))) hide();
  });
  container.addEventListener("focusin", (e) => {
    const mark = markOf(e.target);
    if (mark) show(mark);
  });
  container.addEventListener("focusout", hide);
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape") hide();
  });
  // The spans are rebuilt on every keystroke; a tooltip for a span that is gone must go too.
  new MutationObserver(() => {
    if (current && !current.isConnected) hide();
  }).observe(container, { childList: true });
}

/** Above this probability a heat cell is dark enough that white text reads better than black. */
const HOT = 0.72;

/**
 * One row per token (special ones marked), one column per label: probability as a heat map
 * with the logit beneath. Built as one fragment: a long text gives thousands of cells.
 */
export function renderTokenTable(table: HTMLTableElement, result: TokenLogits): void {
  const head = el("tr");
  for (const name of ["#", "Token", "Offsets", "Predicted"]) {
    const th = el("th", { text: name, className: "fixed" });
    th.scope = "col";
    head.append(th);
  }
  for (const label of result.labels) {
    const th = el("th", { text: label, className: "label-col" });
    th.scope = "col";
    head.append(th);
  }
  table.tHead!.replaceChildren(head);

  const rows = document.createDocumentFragment();
  for (const token of result.tokens) {
    const tr = el("tr");
    if (token.special) tr.className = "special";
    tr.dataset.index = String(token.index);
    tr.dataset.label = token.label;
    const th = el("th", { className: "token" });
    th.scope = "row";
    th.append(token.token);
    if (token.special) th.append(el("span", { className: "badge", text: "special" }));
    tr.append(
      el("td", { className: "num", text: String(token.index) }),
      th,
      el("td", { className: "offsets", text: token.special ? "–" : `${token.start}–${token.end}` }),
      el("td", { className: "predicted", text: `${token.label} ${formatScore(token.score)}` }),
    );
    token.probabilities.forEach((p, i) => {
      const td = el("td", { className: p >= HOT ? "heat hot" : "heat" });
      td.style.setProperty("--p", p.toFixed(3));
      td.append(
        el("span", { className: "prob", text: p.toFixed(2) }),
        el("span", { className: "logit", text: (token.logits[i] ?? 0).toFixed(1) }),
      );
      tr.append(td);
    });
    rows.append(tr);
  }
  table.tBodies[0]!.replaceChildren(rows);
  table.dataset.tokenCount = String(result.tokens.length);
  table.dataset.labelCount = String(result.labels.length);
}

/** A bar per class, best first, each with its label and percentage as text. */
export function renderBars(container: HTMLElement, labels: ClassLabel[]): void {
  container.replaceChildren(
    ...labels.map(({ label, score }) => {
      const row = el("div", { className: "bar-row" });
      row.dataset.label = label;
      row.dataset.score = String(score);
      const pct = `${(score * 100).toFixed(1)}%`;
      const track = el("div", { className: "bar-track" });
      track.setAttribute("aria-hidden", "true");
      const fill = el("div", { className: "bar-fill" });
      fill.style.setProperty("--p", String(score));
      track.append(fill);
      row.append(el("span", { className: "bar-label", text: label }), track, el("span", { className: "bar-value", text: pct }));
      return row;
    }),
  );
}

/** The last call's timings, also as data- attributes for tests and scripts. */
export function renderTimings(dl: HTMLElement, t: Timings): void {
  const total = t.tokenizeMs + t.forwardMs + t.postprocessMs;
  const perSecond = total > 0 ? (t.tokens * 1000) / total : 0;
  byId("t-tokenize").textContent = ms(t.tokenizeMs);
  byId("t-forward").textContent = ms(t.forwardMs);
  byId("t-post").textContent = ms(t.postprocessMs);
  byId("t-tokens").textContent = String(t.tokens);
  byId("t-tps").textContent = perSecond.toFixed(0);
  Object.assign(dl.dataset, {
    tokenizeMs: t.tokenizeMs.toFixed(2),
    forwardMs: t.forwardMs.toFixed(2),
    postprocessMs: t.postprocessMs.toFixed(2),
    tokens: String(t.tokens),
    tokensPerSecond: perSecond.toFixed(1),
  });
}

export function renderLoadTiming(dl: HTMLElement, loadMs: number, fromCache: boolean): void {
  byId("t-load").textContent = `${ms(loadMs)} (${fromCache ? "from cache" : "downloaded"})`;
  dl.dataset.loadMs = loadMs.toFixed(1);
  dl.dataset.fromCache = String(fromCache);
}

export function renderFirstResult(dl: HTMLElement, sincePageStart: number): void {
  byId("t-first").textContent = ms(sincePageStart);
  dl.dataset.firstResultMs = sincePageStart.toFixed(1);
}

/** Who made the weights, from the provenance JSON the model file carries (if any). */
function basedOn(provenance: string | null): string {
  if (!provenance) return "";
  try {
    const p = JSON.parse(provenance) as { credit?: string; base?: { model?: string } };
    return p.credit ?? p.base?.model ?? "";
  } catch {
    return "";
  }
}

/** The licence is long (CC-BY's full text): its first line shows, the rest sits in <details>. */
export function renderModelInfo(dl: HTMLElement, licenceText: HTMLElement, info: ModelInfo, size: number): void {
  const licenceLine = info.license?.split("\n").find((l) => l.trim() !== "") ?? "not stated";
  const provenance = basedOn(info.provenance);
  const rows: [string, string][] = [
    ["Architecture", `${info.architecture} (${info.family})`],
    ["Layers", String(info.numLayers)],
    ["Hidden size", String(info.hiddenSize)],
    ["Quantization", info.quantization ?? "none (f32)"],
    ["WebAssembly build", info.wasmBuild === "relaxed-simd" ? "relaxed SIMD" : "SIMD128"],
    // More than 1 where the page is cross-origin isolated (the threaded build).
    ["Threads", String(info.threads)],
    ["Labels", String(info.labels.length)],
    ["Max tokens per window", String(info.maxTokens)],
    ["Vocabulary", info.vocabSize.toLocaleString("en")],
    ["File size", `${(size / 1e6).toFixed(1)} MB`],
    ["Licence", licenceLine],
  ];
  if (provenance) rows.push(["Based on", provenance]);
  dl.replaceChildren(...rows.flatMap(([k, v]) => [el("dt", { text: k }), el("dd", { text: v })]));
  dl.dataset.labels = String(info.labels.length);
  licenceText.textContent = [info.license, info.notice, info.provenance && `Provenance:\n${info.provenance}`]
    .filter(Boolean)
    .join("\n\n");
}
