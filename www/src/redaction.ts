// The redaction panel: an operator per entity type, the redacted text with a copy button, what
// was replaced, and a restore demo (a reply that uses the placeholders, restored locally).
import type { Operator, Redaction, RedactOptions } from "tokenveil/worker";
import { byId, formatPercent } from "./render.js";

export const OPERATOR_KINDS = ["placeholder", "replace", "mask", "hash", "remove", "keep"] as const;
export type OperatorKind = (typeof OPERATOR_KINDS)[number];

// One word each, so a select fits a narrow column; the panel's hint says what each one does.
const OPERATOR_TEXT: Record<OperatorKind, string> = {
  placeholder: "placeholder",
  replace: "replace",
  mask: "mask",
  hash: "hash",
  remove: "remove",
  keep: "keep",
};

// One HMAC key per page, so the same value hashes the same while the user types, and a copied
// text's hashes cannot be matched against a dictionary; restore still works (it reads the
// mapping).
const hashKey = Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) => b.toString(16).padStart(2, "0")).join("");

function operator(kind: OperatorKind): Operator {
  switch (kind) {
    case "mask":
      return { kind: "mask", char: "*", keep: 0 };
    default:
      return { kind };
  }
}

function fillOperatorSelect(select: HTMLSelectElement, selected: OperatorKind): void {
  select.replaceChildren(
    ...OPERATOR_KINDS.map((kind) => {
      const option = document.createElement("option");
      option.value = kind;
      option.textContent = OPERATOR_TEXT[kind];
      option.selected = kind === selected;
      return option;
    }),
  );
}

/**
 * Which operator each entity type gets. Types get a row once they have been seen and keep it,
 * so the controls do not jump around (or lose focus) while the user types.
 */
export class OperatorChoices {
  #byType = new Map<string, OperatorKind>();
  #default: OperatorKind = "placeholder";
  #onChange: () => void;
  #fieldset = byId<HTMLFieldSetElement>("operators");
  #defaultSelect = byId<HTMLSelectElement>("default-operator");

  constructor(onChange: () => void) {
    this.#onChange = onChange;
    fillOperatorSelect(this.#defaultSelect, this.#default);
    this.#defaultSelect.addEventListener("change", () => {
      this.#default = this.#defaultSelect.value as OperatorKind;
      // Types still on the old default follow the new one.
      for (const select of this.#fieldset.querySelectorAll<HTMLSelectElement>("select[data-default='true']")) {
        select.value = this.#default;
        this.#byType.set(select.dataset.type!, this.#default);
      }
      this.#onChange();
    });
  }

  /**
   * Options for `redact`: spans scored below `minScore` are kept as they are; POS tags are not
   * personal data, so a POS model (`modelLabels` given) contributes none.
   */
  options(modelLabels: string[] | null, minScore: number): RedactOptions {
    const operators: Record<string, Operator> = {};
    for (const [type, kind] of this.#byType) operators[type] = operator(kind);
    const options: RedactOptions = { operators, defaultOperator: operator(this.#default), hashKey, minScore };
    if (modelLabels) {
      options.modelLabelMap = Object.fromEntries(modelLabels.map((l) => [l.replace(/^[BI]-/, ""), null]));
    }
    return options;
  }

  /** Adds a row for each entity type seen for the first time. */
  addTypes(types: string[]): void {
    const fresh = types.filter((t) => !this.#byType.has(t));
    if (fresh.length === 0) return;
    for (const type of fresh) this.#byType.set(type, this.#default);
    this.#fieldset.querySelector(".empty")?.remove();
    for (const type of [...this.#byType.keys()].sort()) {
      if (this.#fieldset.querySelector(`select[data-type="${CSS.escape(type)}"]`)) continue;
      const id = `op-${type.replace(/[^A-Za-z0-9_-]/g, "_")}`;
      const row = document.createElement("div");
      row.className = "operator-row";
      const label = document.createElement("label");
      label.htmlFor = id;
      label.textContent = type;
      const select = document.createElement("select");
      select.id = id;
      select.dataset.type = type;
      select.dataset.default = "true";
      select.dataset.testid = `operator-${type}`;
      fillOperatorSelect(select, this.#default);
      select.addEventListener("change", () => {
        select.dataset.default = "false";
        this.#byType.set(type, select.value as OperatorKind);
        this.#onChange();
      });
      row.append(label, select);
      // Keep rows sorted by type: insert before the first row whose type sorts after.
      const after = [...this.#fieldset.querySelectorAll<HTMLElement>(".operator-row")].find(
        (r) => (r.querySelector("label")?.textContent ?? "") > type,
      );
      this.#fieldset.insertBefore(row, after ?? null);
    }
  }

  /** A new model: its types may differ. */
  reset(): void {
    this.#byType.clear();
    this.#fieldset.querySelectorAll(".operator-row").forEach((r) => r.remove());
    if (!this.#fieldset.querySelector(".empty")) {
      const p = document.createElement("p");
      p.className = "hint empty";
      p.textContent = "No personal data found yet.";
      this.#fieldset.append(p);
    }
  }
}

export function renderRedaction(redaction: Redaction): void {
  const out = byId("redacted");
  out.textContent = redaction.text;
  out.dataset.spans = String(redaction.spans.length);
  byId("redaction-count").textContent = String(redaction.spans.length);
  const body = byId<HTMLTableElement>("redaction-spans").tBodies[0]!;
  body.replaceChildren(
    ...redaction.spans.map((s) => {
      const tr = document.createElement("tr");
      tr.dataset.type = s.entityType;
      tr.dataset.detector = s.detector;
      tr.dataset.score = String(s.score);
      const cells: [string, string][] = [
        ["type", s.entityType],
        ["detector", s.detector],
        ["score", formatPercent(s.score)],
        ["original", s.original],
        ["replacement", s.replacement],
        ["offsets", `${s.start}–${s.end}`],
      ];
      for (const [column, text] of cells) {
        const td = document.createElement("td");
        td.className = column;
        td.textContent = text;
        tr.append(td);
      }
      return tr;
    }),
  );
}

/**
 * A reply such as an assistant might write from the redacted text, using its placeholders:
 * "Thanks <PERSON_1>, I will email <EMAIL_1> and call <PHONE_1>."
 */
export function sampleReply(redaction: Redaction): string | undefined {
  const first = (type: string) =>
    redaction.spans.find((s) => s.entityType === type && redaction.mapping.some(([r]) => r === s.replacement))?.replacement;
  const person = first("PERSON");
  const actions = [
    first("EMAIL") && `I will email ${first("EMAIL")}`,
    first("PHONE") && `call ${first("PHONE")}`,
  ].filter(Boolean);
  const others = redaction.mapping
    .map(([replacement]) => replacement)
    .filter((r) => r !== person && r !== first("EMAIL") && r !== first("PHONE"));
  if (others.length > 0) actions.push(`keep ${others.join(", ")} on file`);
  if (!person && actions.length === 0) return undefined;
  const greeting = person ? `Thanks ${person}` : "Thanks";
  if (actions.length === 0) return `${greeting}, I will be in touch.`;
  const last = actions.pop();
  return `${greeting}, ${actions.length ? `${actions.join(", ")} and ${last}` : last}.`;
}

/** Copies with the async Clipboard API, falling back to a selection and execCommand. */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const scratch = document.createElement("textarea");
    scratch.value = text;
    scratch.setAttribute("readonly", "");
    scratch.className = "visually-hidden";
    document.body.append(scratch);
    scratch.select();
    try {
      return document.execCommand("copy");
    } catch {
      return false;
    } finally {
      scratch.remove();
    }
  }
}
