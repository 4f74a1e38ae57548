#!/usr/bin/env node
// End-to-end proof that the demo's upload panel sends only redacted files, in Debian's Chromium
// under the strict CSP. A server that keeps every byte it receives (URLs, headers, bodies)
// serves the built demo with /echo; fixture files in every format, holding known personal
// data, go through the panel; then:
//   (a) no run of 3+ word characters (4+ for digits only) of a known value appears in anything
//       the server received, raw or multipart-, percent-, base64- or gzip-decoded;
//   (b) the structure came through: the same CSV/TSV columns and row count, JSON with the same
//       keys, one JSON Lines record per line;
//   (c) the echoed answer, restored on the page, holds the originals.
// And served without --echo, the page offers no Send and sends nothing.
//   npm run build && npm run build:demo && node tests/e2e/upload.test.mjs
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { Checks, assert, launch, startServer } from "./lib.mjs";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const site = join(repo, "www", "dist");
const TIMEOUT = 90_000;

for (const [path, fix] of [
  [join(repo, "dist", "index.js"), "npm run build"],
  [join(site, "index.html"), "npm run build:demo"],
]) {
  if (!existsSync(path)) {
    console.log(`not ok - ${path} is missing: run \`${fix}\` first`);
    process.exit(1);
  }
}

// Values the patterns catch whatever the model does, and whose words occur nowhere else in the
// files, the page, the model or HTTP headers.
const V = {
  email: "quentin.marsh@velmora.io",
  email2: "odalys.brennick@tarvio.net",
  phone: "+44 20 7946 0958",
  iban: "GB82 WEST 1234 5698 7654 32",
  ip: "203.0.113.77",
};
const FIXTURES = [
  {
    name: "notes.txt",
    type: "text/plain",
    content: `Call notes\n\nReach the client at ${V.email} or ${V.phone}.\nPayments go to ${V.iban}.\n`,
    values: [V.email, V.phone, V.iban],
  },
  {
    name: "notes.md",
    type: "text/markdown",
    content: `# Ticket\n\n- contact: ${V.email2}\n- seen from ${V.ip}\n\n> call ${V.phone}\n`,
    values: [V.email2, V.ip, V.phone],
  },
  {
    name: "people.csv",
    type: "text/csv",
    content: `id,email,phone,comment\r\n1,${V.email},${V.phone},"first, quoted"\r\n2,${V.email2},,"login from ${V.ip}"\r\n`,
    values: [V.email, V.email2, V.phone, V.ip],
    columns: ["id", "email", "phone", "comment"],
    rows: 2,
  },
  {
    name: "people.tsv",
    type: "text/tab-separated-values",
    content: `id\temail\tiban\n1\t${V.email}\t${V.iban}\n2\t${V.email2}\t\n3\tnone\tnone\n`,
    values: [V.email, V.email2, V.iban],
    columns: ["id", "email", "iban"],
    rows: 3,
  },
  {
    name: "order.json",
    type: "application/json",
    content: JSON.stringify({ order: 7, customer: { email: V.email, phone: V.phone }, notes: [`ip ${V.ip}`], paid: true }, null, 2),
    values: [V.email, V.phone, V.ip],
  },
  {
    name: "events.jsonl",
    type: "application/jsonl",
    content: [{ ev: "login", who: V.email2, ip: V.ip }, { ev: "pay", iban: V.iban, n: 3 }].map((o) => JSON.stringify(o)).join("\n") + "\n",
    values: [V.email2, V.ip, V.iban],
  },
];

/** The runs of a value that must not be sent: 3+ word characters, 4+ when digits only. */
function runs(value) {
  return (value.match(/[\p{L}\p{N}_]+/gu) ?? []).filter((r) => (/^\d+$/.test(r) ? r.length >= 4 : r.length >= 3));
}

/** Every reading of a body: as is, its multipart parts, and each percent-, base64-, gzip-decoded. */
function readings(body, contentType = "") {
  const out = [];
  const add = (buf) => {
    const text = buf.toString("utf8");
    out.push(text);
    try {
      out.push(decodeURIComponent(text.replace(/\+/g, " ")));
    } catch {
      // Not percent-encoded.
    }
    const b64 = text.replace(/\s+/g, "");
    if (b64.length >= 8 && /^[A-Za-z0-9+/=_-]+$/.test(b64)) out.push(Buffer.from(b64, "base64").toString("utf8"));
    if (buf[0] === 0x1f && buf[1] === 0x8b) {
      try {
        out.push(gunzipSync(buf).toString("utf8"));
      } catch {
        // Not gzip after all.
      }
    }
  };
  add(body);
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  if (boundary) {
    for (const part of multipart(body, boundary[1] ?? boundary[2])) add(part.body);
  }
  return out;
}

/** The parts of a multipart body: headers as text, body as bytes. */
function multipart(body, boundary) {
  const parts = [];
  const text = body.toString("latin1");
  for (const chunk of text.split(`--${boundary}`).slice(1)) {
    if (chunk.startsWith("--")) break;
    const split = chunk.indexOf("\r\n\r\n");
    if (split < 0) continue;
    const headers = chunk.slice(2, split);
    const content = chunk.slice(split + 4).replace(/\r\n$/, "");
    parts.push({ headers, body: Buffer.from(content, "latin1") });
  }
  return parts;
}

/** RFC 4180 rows (quoted cells with delimiters, quotes and line breaks). */
function parseDelimited(text, delimiter) {
  const rows = [];
  let row = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === delimiter) row.push(cell), (cell = "");
    else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(cell), rows.push(row), (row = []), (cell = "");
    } else cell += c;
  }
  if (cell || row.length) row.push(cell), rows.push(row);
  return rows;
}

/** Every key path of a JSON value (array indices as []). */
function keyPaths(value, prefix = "") {
  if (Array.isArray(value)) return value.flatMap((v) => keyPaths(v, `${prefix}[]`));
  if (value && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) => [`${prefix}.${k}`, ...keyPaths(v, `${prefix}.${k}`)]);
  }
  return [];
}

function sameStructure(fixture, sent) {
  const ext = fixture.name.split(".").pop();
  if (ext === "csv" || ext === "tsv") {
    const rows = parseDelimited(sent, ext === "csv" ? "," : "\t");
    assert(JSON.stringify(rows[0]) === JSON.stringify(fixture.columns), `header ${JSON.stringify(rows[0])}`);
    assert(rows.length - 1 === fixture.rows, `${rows.length - 1} data rows, expected ${fixture.rows}`);
    for (const r of rows) assert(r.length === fixture.columns.length, `a row with ${r.length} cells: ${JSON.stringify(r)}`);
  } else if (ext === "json") {
    const before = keyPaths(JSON.parse(fixture.content)).join(" ");
    const after = keyPaths(JSON.parse(sent)).join(" ");
    assert(before === after, `keys ${after}, expected ${before}`);
  } else if (ext === "jsonl") {
    const a = fixture.content.trim().split("\n").map((l) => keyPaths(JSON.parse(l)).join(" "));
    const b = sent.trim().split("\n").map((l) => keyPaths(JSON.parse(l)).join(" "));
    assert(JSON.stringify(a) === JSON.stringify(b), `records' keys ${JSON.stringify(b)}, expected ${JSON.stringify(a)}`);
  } else {
    assert(sent.split("\n").length === fixture.content.split("\n").length, "the number of lines changed");
  }
}

/** Everything a server received, kept as it arrived. */
const received = [];
const record = (req, body) =>
  received.push({ method: req.method, url: req.url, headers: req.rawHeaders.join("\n"), contentType: req.headers["content-type"], body });

const checks = new Checks();
const echo = await startServer(site, { csp: true, echo: true, record });
const browser = await launch();
const problems = [];
try {
  const page = await browser.context.newPage();
  page.on("console", (m) => {
    if (m.type() === "error" || /Content Security Policy/i.test(m.text())) problems.push(m.text());
  });
  page.on("pageerror", (e) => problems.push(e.message));
  await page.goto(echo.url);
  await page.waitForSelector('#load[data-state="ready"]', { timeout: TIMEOUT });
  await page.waitForSelector('#upload-send-area[data-echo="true"]', { state: "attached", timeout: TIMEOUT });
  const posts = [];

  for (const fixture of FIXTURES) {
    await checks.run(`${fixture.name}: redacted on the page, only the redacted file sent, the answer restored`, async () => {
      const before = received.length;
      await page.setInputFiles("#upload-input", { name: fixture.name, mimeType: fixture.type, buffer: Buffer.from(fixture.content) });
      await page.waitForFunction(
        (name) => {
          const s = document.getElementById("upload-status");
          return s?.dataset.state === "done" && s.textContent?.startsWith(name);
        },
        fixture.name,
        { timeout: TIMEOUT },
      );
      const counts = await page.locator("#upload-counts li").count();
      assert(counts > 0, "no count per type shown");
      const marks = await page.locator("#upload-redacted mark.replaced").count();
      assert(marks >= fixture.values.length, `${marks} highlighted replacements for ${fixture.values.length} values`);
      assert(received.length === before, "something was sent before Send");
      // By keyboard: the button has focus, Enter sends.
      await page.focus("#upload-send");
      await page.keyboard.press("Enter");
      await page.waitForSelector("#upload-reply-area:not([hidden])", { timeout: TIMEOUT });
      await page.waitForFunction(() => document.getElementById("upload-status")?.textContent?.startsWith("Sent"), null, { timeout: TIMEOUT });
      const post = received.slice(before).find((r) => r.method === "POST");
      assert(post && post.url === "/echo", `no POST to /echo (got ${received.slice(before).map((r) => `${r.method} ${r.url}`).join(", ")})`);
      posts.push(post);
      const [part] = multipart(post.body, /boundary=(.+)$/.exec(post.contentType)[1]);
      assert(part.headers.includes(`filename="${fixture.name}"`), `the part is not ${fixture.name}: ${part.headers}`);
      sameStructure(fixture, part.body.toString("utf8"));
      const reply = await page.locator("#upload-reply").textContent();
      for (const v of fixture.values) assert(reply.includes(v), `the restored answer lacks ${v}`);
      // The page shows the restored answer; what it sent had placeholders.
      assert(/<[A-Z_]+_\d+>/.test(part.body.toString("utf8")), "no placeholder in what was sent");
    });
  }

  await checks.run("(a) no known value, in any reading of anything the server received", async () => {
    const all = FIXTURES.flatMap((f) => f.values).flatMap(runs);
    const leaks = [];
    for (const r of received) {
      const texts = [r.url, r.headers, ...readings(r.body, r.contentType)];
      for (const run of all) {
        if (texts.some((t) => t.toLowerCase().includes(run.toLowerCase()))) leaks.push(`${run} in ${r.method} ${r.url}`);
      }
    }
    assert(posts.length === FIXTURES.length, `${posts.length} uploads recorded`);
    assert(leaks.length === 0, leaks.join("\n"));
    return `${received.length} requests, ${all.length} runs checked`;
  });

  await checks.run("a binary file is refused on the page and nothing is sent", async () => {
    const before = received.length;
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]);
    await page.setInputFiles("#upload-input", { name: "photo.png", mimeType: "image/png", buffer: png });
    await page.waitForSelector('#upload-status[data-state="error"][data-code="unsupported_format"]', { timeout: TIMEOUT });
    assert(await page.locator("#upload-preview").isHidden(), "the preview still shows the last file");
    assert(received.length === before, "a request was made");
  });

  await checks.run("kept columns stay as they were; a column the file lacks is an error", async () => {
    const csv = "id,name,email\r\n7301,Henrietta Vorstmann,h.vorstmann@example.net\r\n7302,Ottokar Brzeski,\r\n";
    const upload = () => page.setInputFiles("#upload-input", { name: "kept.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
    await page.fill("#upload-skip", "id");
    await upload();
    await page.waitForFunction(() => document.getElementById("upload-status")?.textContent?.startsWith("kept.csv"), null, { timeout: TIMEOUT });
    const redacted = await page.locator("#upload-redacted").textContent();
    const rows = redacted.trim().split(/\r?\n/).map((line) => line.split(",")[0]);
    assert(rows.join("|") === "id|7301|7302", `the id column changed: ${rows.join("|")}`);
    assert(!redacted.includes("h.vorstmann@example.net"), "the e-mail address was kept");
    // Changing the list redacts the same file again, with no new upload.
    await page.fill("#upload-skip", "ident");
    await page.locator("#upload-skip").press("Enter");
    await page.waitForSelector('#upload-status[data-state="error"][data-code="invalid_option"]', { timeout: TIMEOUT });
    const status = await page.locator("#upload-status").textContent();
    assert(status.includes("ident"), `the error does not name the column: ${status}`);
    await page.fill("#upload-skip", "");
    await page.locator("#upload-skip").press("Enter");
    await page.waitForSelector('#upload-status[data-state="done"]', { timeout: TIMEOUT });
  });

  await checks.run("no CSP violation or console error", async () => {
    assert(problems.length === 0, problems.join("\n"));
  });
} finally {
  await echo.close();
}

await checks.run("served without --echo: no Send, nothing sent", async () => {
  const seen = [];
  const plain = await startServer(site, { csp: true, record: (req, body) => seen.push({ method: req.method, url: req.url, body }) });
  try {
    const page = await browser.context.newPage();
    await page.goto(plain.url);
    await page.waitForSelector('#upload-send-area[data-echo="false"]', { state: "attached", timeout: TIMEOUT });
    const f = FIXTURES[0];
    await page.setInputFiles("#upload-input", { name: f.name, mimeType: f.type, buffer: Buffer.from(f.content) });
    await page.waitForSelector('#upload-status[data-state="done"]', { timeout: TIMEOUT });
    assert(await page.locator("#upload-send").isHidden(), "Send is visible on a static page");
    const sent = seen.filter((r) => r.method !== "GET" && r.method !== "HEAD");
    assert(sent.length === 0, `requests with bodies: ${sent.map((r) => `${r.method} ${r.url}`).join(", ")}`);
    assert(seen.every((r) => r.body.length === 0), "a request carried a body");
    await page.close();
  } finally {
    await plain.close();
  }
});

await browser.close();
process.exit(checks.summary() ? 0 : 1);
