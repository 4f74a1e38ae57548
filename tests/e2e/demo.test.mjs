#!/usr/bin/env node
// End-to-end test of the demo page (www/), in Debian's Chromium under the strict CSP.
//   npm run build && npm run build:demo && node tests/e2e/demo.test.mjs
// Prints "ok - ..." / "not ok - ..." per check; exits 1 if any failed. Screenshots go to
// test-results/. Expected model outputs come from the same package run in Node, so a check
// compares the page with an independent computation rather than with itself.
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Checks, assert, launch, startServer } from "./lib.mjs";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const site = join(repo, "www", "dist");
const results = join(repo, "test-results");
const LOAD_TIMEOUT = 90_000;
const RESULT_TIMEOUT = 60_000;

for (const [path, fix] of [
  [join(repo, "dist", "index.js"), "npm run build"],
  [join(site, "index.html"), "npm run build:demo"],
  [join(site, "models", "manifest.json"), "npm run build:demo"],
]) {
  if (!existsSync(path)) {
    console.log(`not ok - ${path} is missing: run \`${fix}\` first`);
    process.exit(1);
  }
}
mkdirSync(results, { recursive: true });

const manifest = JSON.parse(readFileSync(join(site, "models", "manifest.json"), "utf8")).models;
const entry = (id) => manifest.find((m) => m.id === id);

// What the page must show, computed by the package itself in Node.
const PII_TEXT =
  "Contact Sarah Johnson at sarah.johnson@example.com or +1 (415) 555-0132; " +
  "card 4111 1111 1111 1111, IBAN GB82 WEST 1234 5698 7654 32.";
const PII = {
  name: "Sarah Johnson",
  email: "sarah.johnson@example.com",
  phone: "+1 (415) 555-0132",
  card: "4111 1111 1111 1111",
  iban: "GB82 WEST 1234 5698 7654 32",
};
// Our PII model's own example: a whole-name PERSON, an organisation, a city and a phone.
const MARIA_TEXT = "Hi, I'm Maria Garcia from Acme Corp in Berlin, call +49 30 1234567.";
// Rampart tags every word piece B-: its default aggregation ("first") must keep words whole.
const RAMPART_TEXT = "Angela Merkel lives in Cupertino";
const POSITIVE_TEXT = "An absolutely delightful film: sharp, funny and moving. I loved it.";
const NEGATIVE_TEXT = "A tedious, badly acted mess. I wanted my money back after ten minutes.";

const { TokenClassifier, TextClassifier } = await import(join(repo, "dist", "index.js"));
const modelBytes = (id) => new Uint8Array(readFileSync(join(site, "models", entry(id).file)));
const nodePii = await TokenClassifier.load(modelBytes("pii"));
const nodeRampart = await TokenClassifier.load(modelBytes("rampart"));
const expected = {
  entities: nodePii.classify(PII_TEXT, { aggregationStrategy: entry("pii").aggregation }).entities,
  mariaEntities: nodePii.classify(MARIA_TEXT, { aggregationStrategy: entry("pii").aggregation }).entities,
  tokens: nodePii.logits(PII_TEXT).tokens,
  piiLabels: nodePii.info.labels,
  rampartEntities: nodeRampart.classify(RAMPART_TEXT, { aggregationStrategy: entry("rampart").aggregation }).entities,
  rampartSimple: nodeRampart.classify(RAMPART_TEXT, { aggregationStrategy: "simple" }).entities,
  rampartLabels: nodeRampart.info.labels,
  sentimentLabels: (await TextClassifier.load(modelBytes("sentiment"))).info.labels,
};
nodePii.dispose();
nodeRampart.dispose();
/** Node's entities as the page's spans are compared: label@start-end. */
const spansOf = (entities) => entities.map((e) => `${e.entityGroup}@${e.start}-${e.end}`);
/** The page's percentage for a score (www/src/render.ts formatPercent). */
const percent = (score) => {
  const tenths = Math.floor(score * 1000 + 1e-9);
  return tenths >= 1000 ? "100%" : `${(tenths / 10).toFixed(1)}%`;
};

const checks = new Checks();
// Served as `npm run demo` serves it: strict CSP, cross-origin isolated (so threads).
const server = await startServer(site, { csp: true, isolate: true });
const origin = new URL(server.url).origin;
const browser = await launch();
const { context } = browser;

// Everything the page and its worker fetch, from every page of the context.
const requests = [];
context.on("request", (r) => requests.push(r.url()));
await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin });

// CSP violations as the page sees them, and the progress bar's every value (an init script
// runs before the page's own code and is not subject to its CSP).
await context.addInitScript(() => {
  window.__csp = [];
  window.__progress = [];
  document.addEventListener("securitypolicyviolation", (e) => {
    window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"}`);
  });
  document.addEventListener("DOMContentLoaded", () => {
    const bar = document.getElementById("load-progress");
    if (!bar) return;
    new MutationObserver(() => window.__progress.push([bar.value, bar.max])).observe(bar, {
      attributes: true,
      attributeFilter: ["value", "max"],
    });
  });
});

/** Console errors, page errors and CSP reports of one page. */
function watch(page) {
  const problems = [];
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console error: ${m.text()}`);
    else if (/Content Security Policy/i.test(m.text())) problems.push(`CSP: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("response", (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()} for ${r.url()}`);
  });
  return problems;
}

async function waitForModel(page, id) {
  await page
    .waitForSelector(`#load[data-model="${id}"][data-state="ready"]`, { timeout: LOAD_TIMEOUT })
    .catch(async (err) => {
      const alert = await page.locator("#error").textContent().catch(() => "");
      throw new Error(`model ${id} never became ready: ${alert || err.message}`);
    });
}

/** Waits until element `selector` says (data-attr) it shows the result for `text`. */
async function waitForResult(page, selector, attr, text) {
  await page
    .waitForFunction(
      ([s, a, t]) => document.querySelector(s)?.getAttribute(a) === t,
      [selector, attr, text],
      { timeout: RESULT_TIMEOUT },
    )
    .catch(async () => {
      const alert = await page.locator("#error").textContent().catch(() => "");
      throw new Error(`${selector} never showed the result for the typed text${alert ? `: ${alert}` : ""}`);
    });
}

/** The highlighted spans as the page shows them. */
function readMarks(page) {
  return page.$$eval("#highlighted mark.entity", (ms) =>
    ms.map((m) => ({
      label: m.dataset.label,
      score: Number(m.dataset.score),
      start: Number(m.dataset.start),
      end: Number(m.dataset.end),
      text: m.querySelector(".entity-text")?.textContent,
      shownScore: m.querySelector(".entity-score")?.textContent,
      scoreVisible: (m.querySelector(".entity-score")?.getBoundingClientRect().width ?? 0) > 0,
      tabindex: m.getAttribute("tabindex"),
      aria: m.getAttribute("aria-label"),
    })),
  );
}

/** Types `text` into the textarea the way a person would, pausing so some requests supersede others. */
async function typeText(page, text) {
  const input = page.locator("#input");
  const split = text.length - 8;
  await input.fill(text.slice(0, split));
  await page.waitForTimeout(200);
  await input.pressSequentially(text.slice(split), { delay: 170 });
}

const desktop = await context.newPage();
const desktopProblems = watch(desktop);
let coldFirstResult;
let cachedFirstResult;
let requestsAfterLoad;

try {
  await desktop.goto(server.url);

  await checks.run("1a. default PII model downloads with a progress bar to completion", async () => {
    await waitForModel(desktop, "pii");
    const bar = await desktop.locator("#load-progress").evaluate((p) => ({ value: p.value, max: p.max }));
    assert(bar.max === entry("pii").size, `progress max ${bar.max}, expected the file size ${entry("pii").size}`);
    assert(bar.value === bar.max, `progress stopped at ${bar.value} of ${bar.max}`);
    const steps = await desktop.evaluate(() => window.__progress);
    const partial = steps.filter(([v, m]) => v > 0 && v < m);
    assert(partial.length > 0, `the bar never showed a partial download (values: ${JSON.stringify(steps.slice(0, 5))})`);
    const fromCache = await desktop.locator("#load").getAttribute("data-from-cache");
    assert(fromCache === "false", `a fresh profile reported data-from-cache=${fromCache}`);
    await desktop.waitForSelector("#timings[data-first-result-ms]", { timeout: RESULT_TIMEOUT });
    coldFirstResult = Number(await desktop.locator("#timings").getAttribute("data-first-result-ms"));
    requestsAfterLoad = requests.length;
    return `${partial.length} partial progress updates, first result ${coldFirstResult.toFixed(0)} ms`;
  });

  await checks.run("1c. the isolated page runs the threaded build: Model info shows one thread per core (at most 4)", async () => {
    const info = await desktop.locator("#model-info").evaluate((dl) =>
      Object.fromEntries([...dl.querySelectorAll("dt")].map((dt) => [dt.textContent, dt.nextElementSibling?.textContent])));
    const cores = await desktop.evaluate(() => navigator.hardwareConcurrency);
    const want = String(Math.min(4, cores));
    assert(info["Threads"] === want, `Threads shows ${info["Threads"]}, want ${want}`);
    assert(info["WebAssembly build"] === "relaxed SIMD", `build ${info["WebAssembly build"]}`);
    return `${info["Threads"]} threads, ${info["WebAssembly build"]}`;
  });

  await checks.run("1b. typed name, email and phone are highlighted with the model's labels", async () => {
    const title = await desktop.locator("#model option:checked").textContent();
    assert(title === "PII (tokenveil)", `the default model is "${title}"`);
    const aggregation = await desktop.locator("#aggregation").inputValue();
    assert(aggregation === "simple", `the PII model starts on aggregation "${aggregation}", its manifest says "simple"`);
    await typeText(desktop, PII_TEXT);
    await waitForResult(desktop, "#highlighted", "data-text", PII_TEXT);
    const marks = await readMarks(desktop);
    const has = (label, value) => {
      const from = PII_TEXT.indexOf(value);
      return marks.some((m) => m.label === label && m.start >= from && m.end <= from + value.length);
    };
    const whole = (label, value) => {
      const from = PII_TEXT.indexOf(value);
      return marks.some((m) => m.label === label && m.start === from && m.end === from + value.length);
    };
    assert(whole("PERSON", PII.name), `no PERSON span on the whole "${PII.name}": ${JSON.stringify(marks)}`);
    assert(has("EMAIL", PII.email), `no EMAIL span inside the email: ${JSON.stringify(marks)}`);
    assert(has("PHONE", PII.phone), `no PHONE span inside the phone number: ${JSON.stringify(marks)}`);
    for (const m of marks) {
      assert(m.text === PII_TEXT.slice(m.start, m.end), `span text "${m.text}" is not the text at ${m.start}–${m.end}`);
      assert(m.tabindex === "0", "a span is not focusable");
      assert(m.aria?.includes(m.label) && m.aria.includes(`characters ${m.start}–${m.end}`), `aria-label "${m.aria}"`);
    }
    const want = spansOf(expected.entities);
    const got = marks.map((m) => `${m.label}@${m.start}-${m.end}`);
    assert(JSON.stringify(got) === JSON.stringify(want), `page spans ${got.join(" ")}\n  Node spans ${want.join(" ")}`);
    const legend = await desktop.$$eval("#legend .legend-item", (items) => items.map((i) => i.textContent?.trim()));
    for (const label of new Set(marks.map((m) => m.label))) {
      assert(legend.includes(label), `legend lacks "${label}" as text: ${JSON.stringify(legend)}`);
    }
    return `${marks.length} spans: ${[...new Set(marks.map((m) => m.label))].join(", ")}`;
  });

  await checks.run("2. the token table has exactly one row per token, [CLS]/[SEP] marked special", async () => {
    await waitForResult(desktop, "#token-table", "data-text", PII_TEXT);
    const rows = await desktop.$$eval("#token-table tbody tr", (trs) =>
      trs.map((tr) => ({
        token: tr.querySelector("th.token")?.firstChild?.textContent,
        special: tr.classList.contains("special"),
        cells: tr.querySelectorAll("td.heat").length,
        shaded: tr.querySelectorAll("td.heat")[0]?.style.getPropertyValue("--p"),
      })),
    );
    const want = expected.tokens;
    assert(rows.length === want.length, `${rows.length} rows, the model reads ${want.length} tokens`);
    rows.forEach((row, i) => {
      const t = want[i];
      assert(row.token === t.token, `row ${i} shows "${row.token}", token is "${t.token}"`);
      assert(row.special === t.special, `row ${i} (${t.token}) special=${row.special}, expected ${t.special}`);
      assert(row.cells === expected.piiLabels.length, `row ${i} has ${row.cells} label cells, expected ${expected.piiLabels.length}`);
      assert(row.shaded !== "", `row ${i} has no heat-map shading`);
    });
    const scroll = await desktop
      .locator(".token-scroll")
      .evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth, overflow: getComputedStyle(el).overflowX }));
    assert(scroll.overflow === "auto" && scroll.scroll > scroll.client, `table is not horizontally scrollable: ${JSON.stringify(scroll)}`);
    return `${rows.length} rows`;
  });

  await checks.run("4. redacted text holds none of the typed PII; restore brings it back", async () => {
    await waitForResult(desktop, "#redacted", "data-text", PII_TEXT);
    const redacted = await desktop.locator("#redacted").textContent();
    for (const [kind, value] of Object.entries(PII)) {
      assert(!redacted.includes(value), `the redacted text still contains the ${kind} "${value}": ${redacted}`);
    }
    for (const value of ["Sarah", "Johnson", "sarah.johnson", "555-0132", "4111"]) {
      assert(!redacted.includes(value), `the redacted text still contains "${value}": ${redacted}`);
    }
    for (const p of ["<PERSON_1>", "<EMAIL_1>", "<PHONE_1>", "<CREDIT_CARD_1>", "<IBAN_1>"]) {
      assert(redacted.includes(p), `no ${p} in the redacted text: ${redacted}`);
    }
    const types = await desktop.$$eval("#redaction-spans tbody tr", (trs) => trs.map((tr) => tr.dataset.type));
    assert(types.includes("CREDIT_CARD") && types.includes("IBAN"), `replaced types: ${types}`);

    // The prefilled reply uses the placeholders and restores to the originals.
    const reply = await desktop.locator("#reply").inputValue();
    assert(reply.includes("<PERSON_1>") && reply.includes("<EMAIL_1>"), `prefilled reply: ${reply}`);
    await waitForResult(desktop, "#restored", "data-reply", reply);
    const restored = await desktop.locator("#restored").textContent();
    assert(restored.includes(PII.name) && restored.includes(PII.email), `restored: ${restored}`);
    assert(!restored.includes("<PERSON_1>"), `restored text still has placeholders: ${restored}`);

    // A reply of one's own.
    const mine = "Dear <PERSON_1>, we charged <CREDIT_CARD_1> and wrote to <EMAIL_1>.";
    await desktop.locator("#reply").fill(mine);
    await waitForResult(desktop, "#restored", "data-reply", mine);
    const back = await desktop.locator("#restored").textContent();
    const want = `Dear ${PII.name}, we charged ${PII.card} and wrote to ${PII.email}.`;
    assert(back === want, `restored "${back}", expected "${want}"`);

    // Another operator for one type: the email masked, still not in the text.
    await desktop.selectOption("#op-EMAIL", "mask");
    await desktop.waitForFunction(() => !document.getElementById("redacted")?.textContent?.includes("<EMAIL_1>"), null, {
      timeout: RESULT_TIMEOUT,
    });
    const masked = await desktop.locator("#redacted").textContent();
    assert(masked.includes("*".repeat(PII.email.length)) && !masked.includes(PII.email), `masked: ${masked}`);
    await desktop.selectOption("#op-EMAIL", "placeholder");
    await desktop.waitForFunction(() => document.getElementById("redacted")?.textContent?.includes("<EMAIL_1>"), null, {
      timeout: RESULT_TIMEOUT,
    });

    // Copy reports success in the live region, and the clipboard holds the redacted text.
    await desktop.locator("#copy").click();
    await desktop.waitForFunction(() => document.getElementById("copy-status")?.textContent !== "", null, { timeout: 10_000 });
    const status = await desktop.locator("#copy-status").textContent();
    assert(/copied/i.test(status), `copy status: ${status}`);
    const clip = await desktop.evaluate(() => navigator.clipboard.readText());
    assert(clip === (await desktop.locator("#redacted").textContent()), `clipboard holds "${clip}"`);
    return "placeholders, restore, mask and copy";
  });

  await checks.run("1d. whole-word PERSON and a PHONE with their scores; the minimum-score slider hides and brings them back", async () => {
    await desktop.locator("#input").fill(MARIA_TEXT);
    await waitForResult(desktop, "#highlighted", "data-text", MARIA_TEXT);
    const marks = await readMarks(desktop);
    const name = MARIA_TEXT.indexOf("Maria Garcia");
    assert(
      marks.some((m) => m.label === "PERSON" && m.start === name && m.end === name + "Maria Garcia".length),
      `no PERSON span on the whole "Maria Garcia": ${JSON.stringify(marks)}`,
    );
    assert(!marks.some((m) => m.text === "Maria" || m.text === "Garcia"), `the name shows in pieces: ${JSON.stringify(marks)}`);
    const phone = MARIA_TEXT.indexOf("+49 30 1234567");
    assert(
      marks.some((m) => m.label === "PHONE" && m.start <= phone && m.end >= phone + "+49 30 1234567".length),
      `no PHONE span on "+49 30 1234567": ${JSON.stringify(marks)}`,
    );
    const got = marks.map((m) => `${m.label}@${m.start}-${m.end}`);
    const want = spansOf(expected.mariaEntities);
    assert(JSON.stringify(got) === JSON.stringify(want), `page spans ${got.join(" ")}\n  Node spans ${want.join(" ")}`);
    for (const m of marks) {
      assert(m.shownScore === percent(m.score) && m.scoreVisible, `span "${m.text}" shows score "${m.shownScore}" for ${m.score}`);
      assert(m.aria.includes(`score ${percent(m.score)}`), `aria-label "${m.aria}" lacks the score`);
    }
    const scores = await desktop.$$eval("#redaction-spans tbody tr", (trs) =>
      trs.map((tr) => ({ score: Number(tr.dataset.score), cell: tr.children[2]?.textContent })),
    );
    assert(scores.length > 0 && scores.every((r) => r.cell === percent(r.score)), `redaction table scores: ${JSON.stringify(scores)}`);

    // The slider, by keyboard: a step, the top (1.0), the bottom (0).
    const slider = desktop.locator("#min-score");
    const label = await desktop.locator("label[for='min-score']").textContent();
    assert(/minimum score/i.test(label), `slider label: ${label}`);
    const setBy = async (key, value, shown) => {
      await slider.focus();
      await desktop.keyboard.press(key);
      await desktop.waitForFunction(
        (v) => document.getElementById("highlighted")?.dataset.minScore === v && document.getElementById("redacted")?.dataset.minScore === v,
        value,
        { timeout: RESULT_TIMEOUT },
      );
      const out = await desktop.locator("#min-score-value").textContent();
      const valuetext = await slider.getAttribute("aria-valuetext");
      assert(out === shown && valuetext === shown, `slider at ${value} shows "${out}" (aria-valuetext "${valuetext}"), expected "${shown}"`);
    };
    await setBy("ArrowRight", "0.05", "5%");
    await setBy("End", "1", "100%");
    const top = await readMarks(desktop);
    assert(top.every((m) => m.score >= 1), `spans scored below 1 still show at 100%: ${JSON.stringify(top)}`);
    const hiddenCount = Number(await desktop.locator("#highlighted").getAttribute("data-hidden-count"));
    assert(hiddenCount === marks.length - top.length, `data-hidden-count ${hiddenCount}`);
    const note = await desktop.locator("#below-min-score").textContent();
    assert(top.length === marks.length || (await desktop.locator("#below-min-score").isVisible()) && note.includes("100%"), `below-threshold note: "${note}"`);
    const redactedTop = await desktop.$$eval("#redaction-spans tbody tr", (trs) => trs.map((tr) => Number(tr.dataset.score)));
    assert(redactedTop.every((score) => score >= 1), `redaction kept spans scored below 1 at 100%: ${redactedTop}`);
    await setBy("Home", "0", "0%");
    const back = await readMarks(desktop);
    assert(
      JSON.stringify(back.map((m) => `${m.label}@${m.start}-${m.end}`)) === JSON.stringify(got),
      `at 0% the page shows ${back.length} spans, before ${marks.length}`,
    );
    assert(await desktop.locator("#below-min-score").isHidden(), "the below-threshold note stays at 0%");
    return `${marks.map((m) => `${m.label} "${m.text}" ${m.shownScore}`).join(", ")}; ${top.length} left at 100%`;
  });

  await checks.run("6a. no network request while analysing, after the model download", async () => {
    const later = requests.slice(requestsAfterLoad);
    assert(later.length === 0, `requests after the model loaded: ${later.join(", ")}`);
  });

  // A screenshot with a span's tooltip open.
  await desktop.locator("#highlighted mark.entity").first().hover();
  await desktop.screenshot({ path: join(results, "demo-desktop.png"), fullPage: true });

  await checks.run("3a. the Rampart entry loads and, on its default aggregation, shows whole words", async () => {
    await desktop.selectOption("#model", "rampart");
    await waitForModel(desktop, "rampart");
    const aggregation = await desktop.locator("#aggregation").inputValue();
    assert(aggregation === entry("rampart").aggregation, `Rampart starts on "${aggregation}"`);
    await desktop.locator("#input").fill(RAMPART_TEXT);
    await waitForResult(desktop, "#highlighted", "data-text", RAMPART_TEXT);
    await desktop.waitForSelector(`#highlighted[data-aggregation="${aggregation}"]`, { timeout: RESULT_TIMEOUT });
    const marks = await readMarks(desktop);
    const words = marks.map((m) => `${m.label}:${m.text}`);
    for (const want of ["GIVEN_NAME:Angela", "SURNAME:Merkel", "CITY:Cupertino"]) {
      assert(words.includes(want), `no ${want} span: ${words.join(" ")}`);
    }
    const want = spansOf(expected.rampartEntities);
    const got = marks.map((m) => `${m.label}@${m.start}-${m.end}`);
    assert(JSON.stringify(got) === JSON.stringify(want), `page spans ${got.join(" ")}\n  Node spans ${want.join(" ")}`);
    assert(marks.every((m) => m.shownScore === percent(m.score)), `scores: ${marks.map((m) => m.shownScore)}`);
    await waitForResult(desktop, "#token-table", "data-text", RAMPART_TEXT);
    const cells = await desktop.$$eval("#token-table tbody tr:first-child td.heat", (tds) => tds.length);
    assert(cells === expected.rampartLabels.length, `${cells} label columns, Rampart has ${expected.rampartLabels.length}`);
    await waitForResult(desktop, "#redacted", "data-text", RAMPART_TEXT);
    const redacted = await desktop.locator("#redacted").textContent();
    assert(redacted.includes("<PERSON_1>") && !redacted.includes("Merkel"), `redacted: ${redacted}`);
    return words.join(" ");
  });

  await checks.run("3b. a picked aggregation overrides the model's default and is kept for that model", async () => {
    // Rampart on "simple" splits words into its B- pieces: the pick is used, not the default.
    await desktop.selectOption("#aggregation", "simple");
    await desktop.waitForSelector('#highlighted[data-aggregation="simple"]', { timeout: RESULT_TIMEOUT });
    const pieces = (await readMarks(desktop)).map((m) => `${m.label}@${m.start}-${m.end}`);
    const want = spansOf(expected.rampartSimple);
    assert(JSON.stringify(pieces) === JSON.stringify(want), `page spans ${pieces.join(" ")}\n  Node spans ${want.join(" ")}`);
    // Another model starts on its own default; back on Rampart, the pick is still there.
    await desktop.selectOption("#model", "pii");
    await waitForModel(desktop, "pii");
    const pii = await desktop.locator("#aggregation").inputValue();
    assert(pii === entry("pii").aggregation, `the PII model shows "${pii}" after Rampart's pick`);
    await desktop.selectOption("#model", "rampart");
    await waitForModel(desktop, "rampart");
    const kept = await desktop.locator("#aggregation").inputValue();
    assert(kept === "simple", `Rampart lost the picked aggregation: "${kept}"`);
    const defaultText = await desktop.locator(`#aggregation option[value="${entry("rampart").aggregation}"]`).textContent();
    assert(/default/.test(defaultText), `Rampart's default is not marked in the list: "${defaultText}"`);
    await desktop.selectOption("#aggregation", entry("rampart").aggregation);
    return `${pieces.length} pieces on "simple"; PII model on "${pii}"`;
  });

  await checks.run("3. sentiment model shows one bar per class; the most likely class is right", async () => {
    await desktop.selectOption("#model", "sentiment");
    await waitForModel(desktop, "sentiment");
    assert(await desktop.locator("#sentiment-panel").isVisible(), "the sentiment panel is hidden");
    assert(!(await desktop.locator("#tokens-panel").isVisible()), "the token table still shows for a text classifier");
    const notes = [];
    for (const [text, best] of [
      [POSITIVE_TEXT, "POSITIVE"],
      [NEGATIVE_TEXT, "NEGATIVE"],
    ]) {
      await desktop.locator("#input").fill(text);
      await waitForResult(desktop, "#sentiment", "data-text", text);
      const bars = await desktop.$$eval("#sentiment .bar-row", (rows) =>
        rows.map((r) => ({
          label: r.querySelector(".bar-label")?.textContent,
          score: Number(r.dataset.score),
          value: r.querySelector(".bar-value")?.textContent,
          width: r.querySelector(".bar-fill")?.getBoundingClientRect().width,
          track: r.querySelector(".bar-track")?.clientWidth,
        })),
      );
      assert(bars.length === expected.sentimentLabels.length, `${bars.length} bars for ${expected.sentimentLabels.length} classes`);
      assert(
        JSON.stringify(bars.map((b) => b.label).sort()) === JSON.stringify([...expected.sentimentLabels].sort()),
        `bar labels ${bars.map((b) => b.label)}`,
      );
      for (const b of bars) {
        assert(b.value === `${(b.score * 100).toFixed(1)}%`, `bar ${b.label} says "${b.value}" for score ${b.score}`);
        assert(Math.abs(b.width - b.score * b.track) <= 2, `bar ${b.label} is ${b.width}px of ${b.track}px for ${b.score}`);
      }
      const top = bars.reduce((a, b) => (b.score > a.score ? b : a));
      assert(top.label === best, `"${text}" -> ${top.label} ${top.value}, expected ${best}`);
      notes.push(`${best} ${top.value}`);
    }
    return notes.join(", ");
  });

  await checks.run("7. after a reload the model comes from the cache", async () => {
    const before = requests.length;
    await desktop.reload();
    await waitForModel(desktop, "pii");
    const fromCache = await desktop.locator("#load").getAttribute("data-from-cache");
    const timingsFromCache = await desktop.locator("#timings").getAttribute("data-from-cache");
    assert(fromCache === "true" && timingsFromCache === "true", `data-from-cache=${fromCache}/${timingsFromCache}`);
    const downloads = requests.slice(before).filter((u) => u.endsWith(".gguf"));
    assert(downloads.length === 0, `model fetched again: ${downloads.join(", ")}`);
    await desktop.waitForSelector("#timings[data-first-result-ms]", { timeout: RESULT_TIMEOUT });
    cachedFirstResult = Number(await desktop.locator("#timings").getAttribute("data-first-result-ms"));
    const loadMs = Number(await desktop.locator("#timings").getAttribute("data-load-ms"));
    assert(cachedFirstResult > 0 && loadMs > 0, `first result ${cachedFirstResult}, load ${loadMs}`);
    return `first result ${cachedFirstResult.toFixed(0)} ms (cold ${coldFirstResult?.toFixed(0)} ms), load ${loadMs.toFixed(0)} ms`;
  });

  await checks.run("8. Tab reaches a highlighted span and its tooltip shows on focus", async () => {
    await desktop.waitForSelector("#highlighted mark.entity", { timeout: RESULT_TIMEOUT });
    await desktop.mouse.move(0, 0);
    await desktop.evaluate(() => {
      document.activeElement?.blur();
      window.scrollTo(0, 0);
    });
    const path = [];
    for (let i = 0; i < 20; i++) {
      await desktop.keyboard.press("Tab");
      const focused = await desktop.evaluate(() => {
        const a = document.activeElement;
        return { tag: a?.tagName, id: a?.id, mark: a?.matches("mark.entity") ?? false };
      });
      path.push(focused.id || focused.tag);
      if (focused.mark) break;
    }
    const active = await desktop.evaluate(() => {
      const a = document.activeElement;
      const tip = document.getElementById("tooltip");
      return {
        mark: a?.matches("mark.entity"),
        label: a?.dataset.label,
        described: a?.getAttribute("aria-describedby"),
        outline: a ? getComputedStyle(a).outlineStyle : "",
        tipHidden: tip?.hidden,
        tipText: tip?.textContent,
        tipBox: tip?.getBoundingClientRect().toJSON(),
      };
    });
    assert(active.mark, `20 Tabs never reached a span; focus went ${path.join(" > ")}`);
    assert(active.outline !== "none", "the focused span has no visible focus ring");
    assert(active.tipHidden === false && active.tipText?.includes(active.label), `tooltip: ${JSON.stringify(active)}`);
    assert(active.tipText.includes("Score") && active.tipText.includes("Characters"), `tooltip text: ${active.tipText}`);
    assert(active.described === "tooltip", "the span is not described by the tooltip");
    assert(active.tipBox.width > 0 && active.tipBox.height > 0, "the tooltip has no size");
    await desktop.keyboard.press("Escape");
    assert(await desktop.locator("#tooltip").isHidden(), "Escape does not hide the tooltip");
    return `after ${path.length} Tabs: ${path.join(" > ")}`;
  });

  const narrow = await context.newPage();
  const narrowProblems = watch(narrow);
  await checks.run("9. narrow screen (375x800): panels stack, no horizontal overflow", async () => {
    await narrow.setViewportSize({ width: 375, height: 800 });
    await narrow.goto(server.url);
    await waitForModel(narrow, "pii");
    await narrow.waitForSelector("#token-table tbody tr", { timeout: RESULT_TIMEOUT });
    await narrow.waitForSelector("#redaction-spans tbody tr", { timeout: RESULT_TIMEOUT, state: "attached" });
    await narrow.screenshot({ path: join(results, "demo-narrow.png"), fullPage: true });
    const size = await narrow.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      inner: window.innerWidth,
      entities: document.getElementById("entities-panel")?.getBoundingClientRect().toJSON(),
      redaction: document.getElementById("redaction-panel")?.getBoundingClientRect().toJSON(),
    }));
    assert(size.scroll <= size.inner, `page is ${size.scroll}px wide in a ${size.inner}px viewport`);
    assert(
      Math.abs(size.entities.left - size.redaction.left) < 1 && size.redaction.top >= size.entities.bottom,
      `panels do not stack: ${JSON.stringify(size)}`,
    );
    return `${size.scroll}px <= ${size.inner}px`;
  });

  await checks.run("5. no console errors, page errors or CSP violations (page served with the strict CSP)", async () => {
    const problems = [...desktopProblems, ...narrowProblems];
    for (const page of [desktop, narrow]) {
      problems.push(...(await page.evaluate(() => window.__csp)).map((v) => `CSP violation: ${v}`));
    }
    assert(problems.length === 0, problems.join("\n"));
    // The detectors above must be able to see a violation: the header is there and enforced.
    const probe = await context.newPage();
    const response = await probe.goto(server.url);
    const csp = response.headers()["content-security-policy"] ?? "";
    assert(csp.includes("script-src 'self' 'wasm-unsafe-eval'") && csp.includes("style-src 'self'"), `CSP header: ${csp}`);
    await probe.evaluate(() => document.body.insertAdjacentHTML("beforeend", '<div style="color: red"></div>'));
    await probe.waitForFunction(() => window.__csp.length > 0, null, { timeout: 5000 }).catch(() => {
      throw new Error("an inline style attribute raised no CSP violation: the detector is blind");
    });
    await probe.close();
    return "violation detector verified on a probe page";
  });

  await checks.run("6. every request went to the page's own origin", async () => {
    const foreign = requests.filter((u) => new URL(u).origin !== origin);
    assert(requests.length > 0, "no requests were recorded at all");
    assert(foreign.length === 0, `requests to other origins: ${[...new Set(foreign)].join(", ")}`);
    return `${requests.length} requests, all to ${origin}`;
  });

  await checks.run("10. a model that fails its sha256 check shows ModelError code 'integrity' in the alert", async () => {
    const page = await context.newPage();
    await page.route("**/models/manifest.json", async (route) => {
      const body = JSON.parse((await (await route.fetch()).text()));
      body.models[0].sha256 = "0".repeat(64);
      await route.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify(body) });
    });
    await page.goto(server.url);
    await page.waitForSelector("#error:not([hidden])", { timeout: LOAD_TIMEOUT });
    const code = await page.locator("#error").getAttribute("data-code");
    const text = await page.locator("#error").textContent();
    const state = await page.locator("#load").getAttribute("data-state");
    assert(code === "integrity" && text.includes("integrity"), `alert: [${code}] ${text}`);
    assert(state === "error", `load state ${state}`);
    assert(await page.locator("#input").isVisible(), "the page went blank");
    await page.close();
    return text.slice(0, 80);
  });
} catch (err) {
  console.log(`not ok - the test script failed: ${err.stack ?? err}`);
  checks.failed++;
} finally {
  await browser.close();
  await server.close();
}

console.log(`# first result since page start: cold ${coldFirstResult?.toFixed(0)} ms, cached ${cachedFirstResult?.toFixed(0)} ms`);
process.exit(checks.summary() ? 0 : 1);
