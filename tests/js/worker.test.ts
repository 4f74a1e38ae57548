// tokenveil/worker: the real worker entry, in a Node worker thread, behind the real client.
// Requests run in order; a newer request on a channel supersedes a waiting one.
import { createServer, type Server } from "node:http";
import { Worker } from "node:worker_threads";
import { afterAll, expect, test } from "vitest";
import {
  ModelError,
  RedactionSession,
  TextClassifier,
  TokenClassifier,
  TokenveilWorker,
  redact,
  redactFile,
  redactFormData,
  restore,
  type WorkerLike,
} from "../../dist/worker.js";
import { BATCH_SCORE_TOLERANCE, bytes } from "./helpers.js";

/** A worker_threads Worker seen through the Web Worker interface the client uses. */
function nodeWorker(): WorkerLike {
  const w = new Worker(new URL("./node-worker.mjs", import.meta.url));
  return {
    postMessage: (m: unknown) => w.postMessage(m),
    addEventListener: (type: "message" | "error", listener: (e: never) => void) => {
      if (type === "message") w.on("message", (data) => listener({ data } as never));
      else w.on("error", (err) => listener({ message: String(err) } as never));
    },
    terminate: () => void w.terminate(),
  };
}

const worker = new TokenveilWorker(nodeWorker());
afterAll(() => worker.terminate());

test("load with progress, classify, logits, redact and restore in the worker", async () => {
  const progress: number[] = [];
  const pii = await TokenClassifier.load(bytes("models/rampart/rampart-q4_0.gguf"), {
    worker,
    onProgress: (p) => progress.push(p.loaded),
  });
  expect(progress.at(-1)).toBe(22_124_032);
  expect(pii.info.labels).toHaveLength(35);
  const text = "Maria Garcia, maria@example.com";
  const { entities } = await pii.classify(text, { aggregationStrategy: "first" });
  expect(entities.map((e) => text.slice(e.start, e.end))).toContain("Garcia");
  const logits = await pii.logits(text);
  expect(logits.tokens[0]!.token).toBe("[CLS]");
  const r = await pii.redact(text);
  expect(r.text).toBe("<PERSON_1>, <EMAIL_1>");
  expect(await restore("Hi <PERSON_1>", r, { worker })).toBe("Hi Maria Garcia");
  expect((await redact("ip 10.0.0.1", { defaultOperator: { kind: "remove" } }, { worker })).text).toBe("ip ");
  const session = await pii.session();
  expect((await session.redact("mail maria@example.com")).text).toBe("mail <EMAIL_1>");
  expect((await session.redact("bob@example.com, maria@example.com")).text).toBe("<EMAIL_2>, <EMAIL_1>");
  expect(await session.restore("to <EMAIL_2>")).toBe("to bob@example.com");
  await session.dispose();
  await expect(session.redact("x")).rejects.toMatchObject({ code: "disposed" });
  await pii.dispose();
  await expect(pii.classify("x")).rejects.toMatchObject({ code: "disposed" });
});

test("requests resolve in order; a newer one on a channel supersedes those still waiting", async () => {
  const sst2 = await TextClassifier.load(bytes("models/sst2/sst2-q4_0.gguf"), { worker });
  const texts = ["A", "AB", "ABC", "ABCD", "a wonderful film"];
  const settled: string[] = [];
  const calls = texts.map((t) =>
    sst2.classify(t, undefined, { channel: "typing" }).then(
      () => settled.push(`ok ${t}`),
      (e: ModelError) => settled.push(`${e.code} ${t}`),
    ),
  );
  // Not on the channel: never superseded.
  const other = sst2.classify("terrible", { topK: 1 });
  await Promise.all([...calls, other]);
  // The first was already running; the middle three were replaced while waiting.
  expect(settled).toEqual(["superseded AB", "superseded ABC", "superseded ABCD", "ok A", "ok a wonderful film"]);
  expect((await other).labels[0]!.label).toBe("NEGATIVE");
  expect(worker.waiting).toBe(0);
});

test("classifyBatch in the worker equals classify text by text", async () => {
  const pii = await TokenClassifier.load(bytes("models/rampart/rampart-q4_0.gguf"), { worker });
  const texts = ["Maria Garcia, maria@example.com", "", "\ud800 call (415) 555-0132 😀", "Bob ".repeat(200)];
  const options = { aggregationStrategy: "simple" as const };
  const batch = await pii.classifyBatch(texts, options);
  const single = await Promise.all(texts.map((t) => pii.classify(t, options)));
  expect(batch).toHaveLength(texts.length);
  batch.forEach((b, i) => {
    const s = single[i]!;
    expect(b.entities.map(({ score, ...rest }) => rest)).toEqual(s.entities.map(({ score, ...rest }) => rest));
    b.entities.forEach((e, j) => expect(Math.abs(e.score - s.entities[j]!.score)).toBeLessThan(BATCH_SCORE_TOLERANCE));
    expect(b.timings).toEqual(batch[0]!.timings);
  });
  expect(await pii.classifyBatch([])).toEqual([]);
  await pii.dispose();
  await expect(pii.classifyBatch(["x"])).rejects.toMatchObject({ code: "disposed" });

  const sst2 = await TextClassifier.load(bytes("models/sst2/sst2-q4_0.gguf"), { worker });
  const reviews = ["a wonderful film", "terrible", "", "fine ".repeat(600)];
  const labels = await sst2.classifyBatch(reviews, { topK: 2 });
  const one = await Promise.all(reviews.map((t) => sst2.classify(t, { topK: 2 })));
  expect(labels).toHaveLength(reviews.length);
  labels.forEach((b, i) => {
    expect(b.labels.map((l) => l.label)).toEqual(one[i]!.labels.map((l) => l.label));
    expect(b.truncated).toBe(one[i]!.truncated);
    b.labels.forEach((l, j) => expect(Math.abs(l.score - one[i]!.labels[j]!.score)).toBeLessThan(BATCH_SCORE_TOLERANCE));
  });

  // Bad input rejects with a ModelError; the queue goes on.
  for (const bad of ["one text", undefined, 7, ["a", 3], ["a", null], [() => "a"]]) {
    await expect(sst2.classifyBatch(bad as never)).rejects.toSatisfy((e) => e instanceof ModelError && e.code === "invalid_option");
  }
  await expect(sst2.classifyBatch([], { topK: 0 })).rejects.toMatchObject({ code: "invalid_option" });
  expect((await sst2.classifyBatch(["terrible"]))[0]!.labels[0]!.label).toBe("NEGATIVE");
  expect(worker.waiting).toBe(0);
});

test("a batch on a channel is superseded like a single call", async () => {
  const sst2 = await TextClassifier.load(bytes("models/sst2/sst2-q4_0.gguf"), { worker });
  const settled: string[] = [];
  const track = (p: Promise<unknown>, name: string) =>
    p.then(
      () => settled.push(`ok ${name}`),
      (e: ModelError) => settled.push(`${e.code} ${name}`),
    );
  await Promise.all([
    track(sst2.classifyBatch(["A"], undefined, { channel: "typing" }), "first"),
    track(sst2.classifyBatch(["A", "AB"], undefined, { channel: "typing" }), "second"),
    track(sst2.classify("ABC", undefined, { channel: "typing" }), "third"),
  ]);
  expect(settled).toEqual(["superseded second", "ok first", "ok third"]);
});

test("errors from the worker are ModelErrors with the same codes", async () => {
  const err = await TokenClassifier.load(new Uint8Array([1, 2, 3]), { worker }).catch((e) => e);
  expect(err).toBeInstanceOf(ModelError);
  expect(err.code).toBe("model_format");
  const sst2 = await TextClassifier.load(bytes("models/sst2/sst2-q4_0.gguf"), { worker });
  await expect(sst2.classify("x", { topK: 0 })).rejects.toMatchObject({ code: "invalid_option" });
});

test("a terminated worker rejects what is pending and what comes after", async () => {
  const w = new TokenveilWorker(nodeWorker());
  const loading = TokenClassifier.load(bytes("models/ner/ner-q4_0.gguf"), { worker: w });
  w.terminate();
  await expect(loading).rejects.toMatchObject({ code: "worker" });
  await expect(redact("x", {}, { worker: w })).rejects.toMatchObject({ code: "worker" });
});

test("a signal cancels a waiting load, and the download of a running one", async () => {
  // A server that sends headers and a first chunk, then stalls: the load can only end by abort.
  const stalled: Server = createServer((_, res) => {
    res.writeHead(200, { "Content-Length": "1000000" });
    res.write(new Uint8Array(1000));
  });
  await new Promise<void>((ok) => stalled.listen(0, "127.0.0.1", ok));
  const url = `http://127.0.0.1:${(stalled.address() as { port: number }).port}/model.gguf`;
  try {
    const running = new AbortController();
    const waiting = new AbortController();
    let progressed!: () => void;
    const started = new Promise<void>((ok) => (progressed = ok));
    const first = TokenClassifier.load(url, { worker, signal: running.signal, onProgress: () => progressed() });
    const second = TokenClassifier.load(bytes("models/ner/ner-q4_0.gguf"), { worker, signal: waiting.signal });
    expect(worker.waiting).toBe(1);
    waiting.abort();
    await expect(second).rejects.toMatchObject({ code: "aborted" });
    expect(worker.waiting).toBe(0);
    await started;
    running.abort();
    await expect(first).rejects.toMatchObject({ code: "aborted" });
    // The worker is free again.
    expect((await redact("a@b.co", {}, { worker })).text).toBe("<EMAIL_1>");
  } finally {
    stalled.closeAllConnections();
    stalled.close();
  }
});

test("Node has no Web Worker: the default worker is a ModelError that says what to do", async () => {
  expect(typeof (globalThis as { Worker?: unknown }).Worker).toBe("undefined");
  let thrown: unknown;
  try {
    new TokenveilWorker();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(ModelError);
  expect(thrown).toMatchObject({ code: "worker", message: expect.stringContaining("node:worker_threads") });
  // A load through the default worker rejects the same way instead of a bare ReferenceError.
  await expect(TextClassifier.load(bytes("models/sst2/sst2-q8_0.gguf"))).rejects.toMatchObject({ code: "worker" });
});

test("files and forms are read and redacted in the worker, with progress; errors keep their codes", async () => {
  const pii = await TokenClassifier.load(bytes("models/rampart/rampart-q4_0.gguf"), { worker });
  const rows = Array.from({ length: 40 }, (_, i) => `${i},user${i}@example.com,active`);
  const csv = ["id,email,status", ...rows].join("\n") + "\n";
  const progress: number[] = [];
  const r = await redactFile(new File([csv], "list.csv", { type: "text/csv" }), {
    skip: ["id"],
    pieceBytes: 100,
    onProgress: (p) => progress.push(p.loaded),
  }, pii);
  expect([r.file.name, r.file.type, r.format, r.records]).toEqual(["list.csv", "text/csv", "csv", 40]);
  const out = await r.file.text();
  expect(out.split("\n")[1]).toBe("0,<EMAIL_1>,active");
  expect(out).not.toContain("@example.com");
  expect(progress.at(-1)).toBe(csv.length);
  expect(progress.length).toBeGreaterThan(5);
  expect(await restore(out, r, { worker })).toBe(csv);

  const form = new FormData();
  form.append("note", "from user3@example.com");
  form.append("file", new File([csv], "list.csv", { type: "text/csv" }));
  const f = await redactFormData(form, { files: { file: { skip: ["id"] } } }, pii);
  expect(f.formData.get("note")).toBe("from <EMAIL_1>");
  const file = f.formData.get("file") as File;
  expect(file.name).toBe("list.csv");
  expect((await file.text()).split("\n")[4]).toBe("3,<EMAIL_1>,active");
  expect(await restore("<EMAIL_1>", f, { worker })).toBe("user3@example.com");

  const session = await RedactionSession.create({}, { worker });
  expect((await session.redactDocument('["bob@example.com"]', "json")).content).toBe('["<EMAIL_1>"]');
  await session.dispose();
  await expect(redactFile(new File([new Uint8Array([0xff, 0xfe, 0])], "x.txt"), {}, pii)).rejects.toMatchObject({
    name: "ModelError",
    code: "unsupported_format",
  });
  await expect(redactFile(new File(["x"], "x.png"), {}, undefined, { worker })).rejects.toBeInstanceOf(ModelError);
  await pii.dispose();
});
