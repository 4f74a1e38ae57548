// Files and forms before upload (redactFile, redactFormData, RedactionSession.redactDocument)
// on the built package: formats by name and media type, structure kept, large files read in
// pieces that give what a whole read gives, values across piece boundaries, one placeholder per
// value through a form, restore of a reply, and every refusal a ModelError with a code.
import { readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, test } from "vitest";
import {
  ModelError,
  RedactionSession,
  TokenClassifier,
  init,
  redactFile,
  redactFormData,
  restore,
  type FileRedaction,
} from "../../dist/index.js";
import { bytes, repo } from "./helpers.js";

await init();
const pii = await TokenClassifier.load(bytes("models/rampart/rampart-q4_0.gguf"));

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ModelError);
    return (e as ModelError).code;
  }
  throw new Error("resolved; expected a ModelError");
}

const csv =
  'id,name,email,note\r\n' +
  '1,Ada,ada.lovelace@example.com,"line one\r\nline ""two"""\r\n' +
  '2,Grace,grace.hopper@example.org,call +44 20 7946 0958\r\n';

describe("redactFile", () => {
  test("CSV: cells redacted in place, the file's name and type kept, restore puts values back", async () => {
    const file = new File([csv], "people.csv", { type: "text/csv" });
    const r = await redactFile(file, { skip: ["id"], force: { name: "person" } });
    expect(r.format).toBe("csv");
    expect(r.file).toBeInstanceOf(File);
    expect([r.file.name, r.file.type]).toEqual(["people.csv", "text/csv"]);
    const out = await r.file.text();
    expect(out).toBe(
      'id,name,email,note\r\n' +
        '1,<PERSON_1>,<EMAIL_1>,"line one\r\nline ""two"""\r\n' +
        '2,<PERSON_2>,<EMAIL_2>,call <PHONE_1>\r\n',
    );
    expect([r.records, r.values]).toEqual([2, 6]);
    expect(r.spans.map((s) => [s.field, s.record, out.slice(s.start, s.end)])).toEqual([
      ["name", 0, "<PERSON_1>"],
      ["email", 0, "<EMAIL_1>"],
      ["name", 1, "<PERSON_2>"],
      ["email", 1, "<EMAIL_2>"],
      ["note", 1, "<PHONE_1>"],
    ]);
    expect(restore("Write to <PERSON_2> at <EMAIL_2>", r)).toBe("Write to Grace at grace.hopper@example.org");
  });

  test("with a model: a name the model finds in a text file", async () => {
    const file = new File(["Notes from the call with Maria Garcia on Tuesday.\n"], "notes.txt");
    const r = await redactFile(file, {}, pii);
    const out = await r.file.text();
    expect(out).not.toContain("Garcia");
    expect(restore(out, r)).toBe("Notes from the call with Maria Garcia on Tuesday.\n");
  });

  test("format by extension, else media type, else options.format; JSON keeps keys and layout", async () => {
    const json = '{\n  "user": {"email": "ada@example.com", "age": 36},\n  "tags": ["x"]\n}\n';
    for (const file of [
      new File([json], "a.json"),
      new File([json], "upload", { type: "application/json" }),
      new Blob([json], { type: "application/json; charset=utf-8" }),
    ]) {
      const r = await redactFile(file);
      expect(r.format).toBe("json");
      expect(await r.file.text()).toBe(json.replace("ada@example.com", "<EMAIL_1>"));
    }
    expect((await redactFile(new Blob([json], { type: "application/json" }))).file.name).toBe("document.json");
    const forced = await redactFile(new File(["a\tb\nada@example.com\tx\n"], "export.dat"), { format: "tsv" });
    expect(await forced.file.text()).toBe("a\tb\n<EMAIL_1>\tx\n");
    const lines = await redactFile(new File(['{"m":"ada@example.com"}\n\n{"m":"hi"}\n'], "log.ndjson"));
    expect([lines.format, lines.records]).toEqual(["jsonl", 2]);
    const md = await redactFile(new File(["# Hi\n\nmail ada@example.com\n"], "x.md"));
    expect([md.format, await md.file.text()]).toEqual(["md", "# Hi\n\nmail <EMAIL_1>\n"]);
  });

  test("binary and unknown files are refused, never passed through", async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0xff, 0xfe]);
    expect(await code(redactFile(new File([png], "photo.png", { type: "image/png" })))).toBe("unsupported_format");
    expect(await code(redactFile(new File(["hello"], "report.pdf", { type: "text/plain" })))).toBe("unsupported_format");
    expect(await code(redactFile(new Blob(["hello"])))).toBe("unsupported_format");
    // Not UTF-8, though named .txt; and UTF-16 text, whose bytes are valid UTF-8 with NULs.
    expect(await code(redactFile(new File([png], "notes.txt")))).toBe("unsupported_format");
    const utf16 = new Uint8Array([...new TextEncoder().encode("ada@example.com")].flatMap((b) => [b, 0]));
    expect(await code(redactFile(new File([utf16], "notes.txt")))).toBe("unsupported_format");
    expect(await code(redactFile(new File(["x"], "a.csv"), { format: "xlsx" as never }))).toBe("unsupported_format");
  });

  test("bad documents and options are errors with codes", async () => {
    expect(await code(redactFile(new File(['{"a": "b",}'], "a.json")))).toBe("invalid_document");
    expect(await code(redactFile(new File(["a,b\n1,2\n"], "a.csv"), { skip: ["nmae"] }))).toBe("invalid_option");
    expect(await code(redactFile(new File(["hi"], "a.txt"), { skip: ["x"] }))).toBe("invalid_option");
    expect(await code(redactFile(new File(["hi"], "a.txt"), { offsets: "utf8" } as never))).toBe("invalid_option");
    expect(await code(redactFile(new File(["hi"], "a.txt"), { colour: "red" } as never))).toBe("invalid_option");
    expect(await code(redactFile(new File(["hi"], "a.txt"), { pieceBytes: 0 }))).toBe("invalid_option");
    expect(await code(redactFile("text" as never))).toBe("invalid_option");
  });
});

/** The same file read whole and in pieces of `pieceBytes`, with progress. */
async function wholeAndPieces(content: string, name: string, pieceBytes: number, options = {}) {
  const whole = await redactFile(new File([content], name), { ...options, hashKey: "k" });
  const loaded: number[] = [];
  const pieces = await redactFile(new File([content], name), {
    ...options,
    hashKey: "k",
    pieceBytes,
    onProgress: (p) => loaded.push(p.loaded),
  });
  return { whole, pieces, loaded };
}

async function same(a: FileRedaction, b: FileRedaction) {
  expect(await b.file.text()).toBe(await a.file.text());
  expect(b.spans).toEqual(a.spans);
  expect([b.records, b.values, b.mapping]).toEqual([a.records, a.values, a.mapping]);
}

describe("large files in pieces", () => {
  // Multi-byte characters everywhere, so that byte-sized pieces cut inside them.
  const rows = Array.from({ length: 60 }, (_, i) =>
    `${i},"Zoë ${i}, naïve 😀 東京","line\nbreak ""q""",user${i}@example.com,+44 20 7946 ${String(1000 + i)}`,
  );
  const big = ["id,who,note,email,phone", ...rows].join("\r\n") + "\r\n";

  test("CSV: pieces cut at rows outside quotes, header repeated, the same output as a whole read", async () => {
    const { whole, pieces, loaded } = await wholeAndPieces(big, "big.csv", 301, { skip: ["id"] });
    expect(whole.records).toBe(60);
    await same(whole, pieces);
    const total = new TextEncoder().encode(big).length;
    expect(loaded.length).toBeGreaterThan(10);
    expect(loaded.at(-1)).toBe(total);
    expect(loaded).toEqual([...loaded].sort((a, b) => a - b));
  });

  test("TSV and JSON Lines: the same output as a whole read", async () => {
    const tsv = big.replaceAll(",", "\t");
    const a = await wholeAndPieces(tsv, "big.tsv", 257);
    await same(a.whole, a.pieces);
    const jsonl = rows.map((r, i) => JSON.stringify({ i, row: r, ...(i === 59 ? { late: "x" } : {}) })).join("\n") + "\n";
    // `late` appears only in the last piece: a selector is judged over the whole file.
    const b = await wholeAndPieces(jsonl, "big.jsonl", 200, { skip: ["late"] });
    await same(b.whole, b.pieces);
    expect(await code(redactFile(new File([jsonl], "big.jsonl"), { pieceBytes: 200, skip: ["lat"] }))).toBe("invalid_option");
  });

  test("text: the same output as a whole read", async () => {
    const text = rows.join("\n") + "\nThe end, no newline";
    const { whole, pieces } = await wholeAndPieces(text, "big.txt", 97);
    await same(whole, pieces);
  });

  test("text: an e-mail address across every cut and read boundary is still caught whole", async () => {
    // No space near: the cuts fall where the piece size puts them, inside the address too.
    const email = "ada.lovelace@example.com";
    for (let at = 40; at < 140; at++) {
      const text = "word,".repeat(80).slice(0, at) + "," + email + ",and,then," + "more,words,".repeat(30);
      const r = await redactFile(new File([text], "t.txt"), { pieceBytes: 64 });
      const out = await r.file.text();
      expect(out, `email at ${at}`).not.toMatch(/love|lace|example/);
      expect(r.mapping, `email at ${at}`).toEqual([["<EMAIL_1>", email]]);
      expect(restore(out, r)).toBe(text);
    }
  });

  test("text with a model: a name across the cut is caught", async () => {
    // 128-byte reads, 64 characters probed: the first cut falls near character 192, and the
    // name's start runs from 20 characters before it to just after it.
    for (let at = 161; at <= 183; at += 2) {
      const text = "x".repeat(at) + " Yesterday Maria Garcia signed the lease. " + "The flat is small. ".repeat(8);
      const r = await redactFile(new File([text], "t.txt"), { pieceBytes: 128 }, pii);
      const out = await r.file.text();
      expect(out, `name at ${at}`).not.toContain("Garcia");
      // One value, not two halves redacted apart.
      expect(r.mapping.map(([, original]) => original), `name at ${at}`).toContain("Maria Garcia");
      expect(restore(out, r)).toBe(text);
    }
  });

  test("a JSON document is read whole past pieceBytes, and refused past 64 MiB", async () => {
    const json = JSON.stringify({ people: rows.map((r) => ({ r })) });
    const { whole, pieces } = await wholeAndPieces(json, "big.json", 128);
    await same(whole, pieces);
    const huge = new File([new Uint8Array(64 * 1024 * 1024 + 1).fill(0x20)], "huge.json");
    expect(await code(redactFile(huge))).toBe("unsupported_format");
  });
});

describe("redactFormData and sessions", () => {
  test("text fields and files in one session: one placeholder per value, the reply restored", async () => {
    const form = new FormData();
    form.append("subject", "Invoice for ada@example.com");
    form.append("customer", "Ada Byron");
    form.append("ticket", "T-1234 ada@example.com");
    form.append("attachment", new File(["name,email\nAda,ada@example.com\nBob,bob@example.com\n"], "list.csv", { type: "text/csv" }));
    form.append("readme", new File(["plain text, no data"], "readme.txt"));
    const r = await redactFormData(form, {
      skipFields: ["ticket"],
      forceFields: { customer: "PERSON" },
      files: { attachment: { force: { name: "PERSON" } } },
    });
    const out = [...r.formData.entries()];
    expect(out.map(([name]) => name)).toEqual(["subject", "customer", "ticket", "attachment", "readme"]);
    expect(out[0]![1]).toBe("Invoice for <EMAIL_1>");
    expect(out[1]![1]).toBe("<PERSON_1>");
    expect(out[2]![1]).toBe("T-1234 ada@example.com");
    const file = out[3]![1] as File;
    expect([file.name, file.type]).toEqual(["list.csv", "text/csv"]);
    expect(await file.text()).toBe("name,email\n<PERSON_2>,<EMAIL_1>\n<PERSON_3>,<EMAIL_2>\n");
    expect(r.fields.map((f) => f.kind)).toEqual(["text", "text", "skipped", "file", "file"]);
    expect(restore("Dear <PERSON_1> (<EMAIL_1>), <PERSON_3> wrote", r)).toBe("Dear Ada Byron (ada@example.com), Bob wrote");
  });

  test("the same with a model; form options are checked", async () => {
    const form = new FormData();
    form.append("message", "Hello, I am Maria Garcia from Madrid.");
    const r = await redactFormData(form, {}, pii);
    const text = r.formData.get("message") as string;
    expect(text).not.toContain("Garcia");
    expect(restore(text, r)).toBe("Hello, I am Maria Garcia from Madrid.");
    expect(await code(redactFormData(form, { skipFields: ["mesage"] }))).toBe("invalid_option");
    expect(await code(redactFormData(form, { files: { message: {} } }))).toBe("invalid_option");
    expect(await code(redactFormData({} as never))).toBe("invalid_option");
  });

  test("RedactionSession.redactDocument numbers on from the session's messages", () => {
    const session = RedactionSession.create();
    expect(session.redact("to bob@example.com").text).toBe("to <EMAIL_1>");
    const d = session.redactDocument('{"to":"bob@example.com","cc":"eve@example.com"}', "json");
    expect(d.content).toBe('{"to":"<EMAIL_1>","cc":"<EMAIL_2>"}');
    expect(d.mapping).toEqual([
      ["<EMAIL_1>", "bob@example.com"],
      ["<EMAIL_2>", "eve@example.com"],
    ]);
    expect(() => session.redactDocument("x", "docx" as never)).toThrow(ModelError);
    session.dispose();
  });
});

test("the guide's redacting fetch sends only redacted bodies and restores the reply", async () => {
  // The snippet exactly as docs/GUIDE.md prints it, importing the built package.
  const guide = readFileSync(join(repo, "docs/GUIDE.md"), "utf8");
  const block = /<!-- redacting-fetch -->\s*```js\n([\s\S]*?)```/.exec(guide)?.[1];
  expect(block).toBeDefined();
  const module = join(tmpdir(), `redacting-fetch-${process.pid}.mjs`);
  writeFileSync(module, block!.replace('from "tokenveil"', `from ${JSON.stringify(pathToFileURL(join(repo, "dist/index.js")).href)}`));
  const { redactingFetch } = (await import(pathToFileURL(module).href)) as {
    redactingFetch: (matches: (url: string) => boolean, model?: TokenClassifier) => typeof fetch;
  };
  // A server that answers with what it received, and keeps it.
  const received: Buffer[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push(Buffer.concat(chunks));
      res.writeHead(200, { "content-type": req.headers["content-type"] ?? "text/plain" });
      res.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const send = redactingFetch((url) => new URL(url).pathname.startsWith("/api/"), pii);
    const form = new FormData();
    form.append("message", "I am Maria Garcia, maria.garcia@example.com");
    form.append("file", new File(["name,phone\nMaria Garcia,+44 20 7946 0958\n"], "c.csv", { type: "text/csv" }));
    const reply = await (await send(`${base}/api/upload`, { method: "POST", body: form })).text();
    const text = await (await send(`${base}/api/text`, { method: "POST", body: "call +44 20 7946 0958" })).text();
    const blob = await (await send(`${base}/api/blob`, { method: "POST", body: new File(['{"m":"maria.garcia@example.com"}'], "m.json") })).text();
    const sent = received.map((b) => b.toString("utf8")).join("\n");
    for (const value of ["Garcia", "maria.garcia", "7946"]) expect(sent).not.toContain(value);
    expect(sent).toContain("<EMAIL_1>");
    expect(reply).toContain("I am Maria Garcia, maria.garcia@example.com");
    expect(reply).toContain("Maria Garcia,+44 20 7946 0958");
    expect(text).toBe("call +44 20 7946 0958");
    expect(blob).toBe('{"m":"maria.garcia@example.com"}');
    // Other URLs go as they are.
    await send(`${base}/other`, { method: "POST", body: "ada@example.com" });
    expect(received.at(-1)!.toString()).toBe("ada@example.com");
  } finally {
    server.close();
  }
});
