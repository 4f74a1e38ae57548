// The main-thread API on the shipped models: offsets in UTF-16 by default, per-token detail,
// sentiment, redaction and restore, and errors as ModelError with codes.
import { describe, expect, test } from "vitest";
import {
  ModelError,
  RedactionSession,
  TextClassifier,
  TokenClassifier,
  entityType,
  redact,
  restore,
  type TextClassification,
  type TokenClassification,
} from "../../dist/index.js";
import { BATCH_SCORE_TOLERANCE, bytes } from "./helpers.js";

const pii = await TokenClassifier.load(bytes("models/rampart/rampart-q4_0.gguf"));
// Astral emoji (two UTF-16 units each) and a combining mark before the entities: offsets in
// UTF-16 must still slice the caller's string exactly.
const text = "Hi 😀👩‍👩‍👧, I'm Zoe\u0301 Garcia. Email zoe.garcia@example.com or call (415) 555-0132.";

describe("TokenClassifier", () => {
  test("info describes the model", () => {
    expect(pii.info).toMatchObject({ task: "token-classification", family: "bert", quantization: "q4_0", numLayers: 6, hiddenSize: 384 });
    expect(pii.info.labels).toHaveLength(35);
    expect(pii.info.labels).toContain("B-EMAIL");
  });

  test("entity offsets are UTF-16 and slice the input", () => {
    const { entities, timings } = pii.classify(text, { aggregationStrategy: "simple" });
    const groups = entities.map((e) => [e.entityGroup, text.slice(e.start, e.end)]);
    expect(groups).toContainEqual(["SURNAME", "Garcia"]);
    expect(groups).toContainEqual(["PHONE", "(415) 555-0132"]);
    // The model tags the email piece by piece (B- at each piece): together they cover it.
    const email = entities.filter((e) => e.entityGroup === "EMAIL");
    expect(text.slice(email[0]!.start, email.at(-1)!.end)).toBe("zoe.garcia@example.com");
    for (const e of entities) expect(text.slice(e.start, e.end).toLowerCase()).toContain(e.word.replace(/^##/, "").slice(0, 1));
    expect(timings.tokens).toBeGreaterThan(20);
    expect(timings.forwardMs).toBeGreaterThan(0);
  });

  test("utf8 and codepoint offsets count bytes and code points", () => {
    const emailAt = (o: "utf8" | "codepoint") =>
      pii.classify(text, { aggregationStrategy: "simple", offsets: o }).entities.find((e) => e.entityGroup === "EMAIL")!;
    const u16 = text.indexOf("zoe.garcia@");
    const prefix = text.slice(0, u16);
    expect(emailAt("utf8").start).toBe(new TextEncoder().encode(prefix).length);
    expect(emailAt("codepoint").start).toBe([...prefix].length);
  });

  test("logits: one row per token, probabilities are a softmax of the logits", () => {
    const out = pii.logits(text);
    expect(out.labels).toEqual(pii.info.labels);
    expect(out.tokens[0]!.token).toBe("[CLS]");
    expect(out.tokens.at(-1)!.token).toBe("[SEP]");
    expect(out.tokens.map((t) => t.index)).toEqual(out.tokens.map((_, i) => i));
    for (const t of out.tokens) {
      expect(t.logits).toHaveLength(35);
      const max = Math.max(...t.logits);
      const exp = t.logits.map((l) => Math.exp(l - max));
      const sum = exp.reduce((a, b) => a + b, 0);
      exp.forEach((e, i) => expect(t.probabilities[i]).toBeCloseTo(e / sum, 5));
      expect(t.label).toBe(out.labels[t.logits.indexOf(max)]);
      if (!t.special) expect(text.slice(t.start, t.end).length).toBeGreaterThan(0);
    }
  });

  test("redact removes every detected value and restore brings them back", () => {
    const r = pii.redact(text);
    for (const value of ["Garcia", "zoe.garcia@example.com", "555-0132"]) expect(r.text).not.toContain(value);
    for (const s of r.spans) {
      expect(text.slice(s.start, s.end)).toBe(s.original);
      expect(r.text.slice(s.newStart, s.newEnd)).toBe(s.replacement);
    }
    expect(restore(r.text, r)).toBe(text);
    const masked = pii.redact(text, { operators: { EMAIL: { kind: "mask", char: "#", keep: 4, fromEnd: true } } });
    expect(masked.text).toContain("##################.com");
  });

  test("long text is windowed, not truncated", () => {
    const long = "Call Maria Garcia at (415) 555-0132. ".repeat(120);
    const people = pii.classify(long, { aggregationStrategy: "first" }).entities.filter((e) => e.entityGroup === "GIVEN_NAME");
    expect(people).toHaveLength(120);
    expect(pii.logits(long).truncated).toBe(true);
  });
});

test("TextClassifier: sentiment with per-class scores", async () => {
  const sst2 = await TextClassifier.load(bytes("models/sst2/sst2-q8_0.gguf"));
  expect(sst2.info.task).toBe("text-classification");
  const good = sst2.classify("A moving, beautifully acted film.", { topK: null });
  expect(good.labels.map((l) => l.label)).toEqual(["POSITIVE", "NEGATIVE"]);
  expect(good.labels[0]!.score + good.labels[1]!.score).toBeCloseTo(1, 5);
  expect(sst2.classify("Dull, lifeless and far too long.").labels[0]!.label).toBe("NEGATIVE");
  // topK defaults to 1, as Hugging Face, Transformers.js and the Rust API; undefined is no option.
  for (const options of [undefined, {}, { topK: undefined }, { topK: 1 }]) {
    expect(sst2.classify("A moving, beautifully acted film.", options).labels).toEqual([good.labels[0]]);
  }
  expect(sst2.classify("fine", { topK: 2 }).labels).toHaveLength(2);
  sst2.dispose();
});

/** Batch results equal one-by-one results: labels, offsets and words exactly, scores closely. */
function expectSameEntities(batch: TokenClassification, single: TokenClassification) {
  expect(batch.entities.map(({ score, ...rest }) => rest)).toEqual(single.entities.map(({ score, ...rest }) => rest));
  batch.entities.forEach((e, i) => expect(Math.abs(e.score - single.entities[i]!.score)).toBeLessThan(BATCH_SCORE_TOLERANCE));
}

function expectSameLabels(batch: TextClassification, single: TextClassification) {
  expect(batch.labels.map((l) => l.label)).toEqual(single.labels.map((l) => l.label));
  expect(batch.truncated).toBe(single.truncated);
  batch.labels.forEach((l, i) => expect(Math.abs(l.score - single.labels[i]!.score)).toBeLessThan(BATCH_SCORE_TOLERANCE));
}

describe("classifyBatch", () => {
  // Different lengths (padding inside the batch), a long text (two windows), an empty text
  // and lone surrogates: offsets must still be the caller's UTF-16 positions.
  const texts = [
    text,
    "Call Maria Garcia at (415) 555-0132. ".repeat(40),
    "",
    "\ud800 John Smith \udfff lives in Tokyo",
    "Bob",
  ];

  test("TokenClassifier: equals classify text by text", () => {
    for (const options of [{ aggregationStrategy: "none" as const }, { aggregationStrategy: "simple" as const, batchSize: 2 }]) {
      const batch = pii.classifyBatch(texts, options);
      const single = texts.map((t) => pii.classify(t, options));
      expect(batch).toHaveLength(texts.length);
      batch.forEach((b, i) => expectSameEntities(b, single[i]!));
      // One pass: every result carries the batch's timings, which cover every text's tokens.
      for (const b of batch) expect(b.timings).toEqual(batch[0]!.timings);
      expect(batch[0]!.timings.tokens).toBe(single.reduce((n, s) => n + s.timings.tokens, 0));
    }
    expect(pii.classifyBatch([text], { offsets: "utf8" })[0]!.entities).toEqual(
      pii.classify(text, { offsets: "utf8" }).entities.map((e) => ({ ...e, score: expect.closeTo(e.score, 5) })),
    );
  });

  test("TextClassifier: equals classify text by text", async () => {
    const sst2 = await TextClassifier.load(bytes("models/sst2/sst2-q8_0.gguf"));
    const reviews = ["A moving, beautifully acted film.", "Dull, lifeless and far too long.", "fine", "", "ok ".repeat(600)];
    for (const options of [undefined, { topK: 1 }, { functionToApply: "sigmoid" as const }]) {
      const batch = sst2.classifyBatch(reviews, options);
      expect(batch).toHaveLength(reviews.length);
      batch.forEach((b, i) => expectSameLabels(b, sst2.classify(reviews[i]!, options)));
      for (const b of batch) expect(b.timings).toEqual(batch[0]!.timings);
    }
    expect(sst2.classifyBatch([])).toEqual([]);
    sst2.dispose();
  });

  test("bad input is a ModelError with a code, an empty batch is []", async () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(ModelError);
        return (e as ModelError).code;
      }
      throw new Error("no error thrown");
    };
    expect(pii.classifyBatch([])).toEqual([]);
    for (const bad of ["one text", undefined, null, 3, { length: 1, 0: "a" }, ["a", 3], ["a", null], [, "a"], [new String("a")]]) {
      expect(code(() => pii.classifyBatch(bad as never))).toBe("invalid_option");
    }
    expect(code(() => pii.classifyBatch(["x"], { strid: 3 } as never))).toBe("invalid_option");
    expect(code(() => pii.classifyBatch([], { batchSize: 0 }))).toBe("invalid_option");
    const sst2 = await TextClassifier.load(bytes("models/sst2/sst2-q8_0.gguf"));
    expect(code(() => sst2.classifyBatch("one text" as never))).toBe("invalid_option");
    expect(code(() => sst2.classifyBatch(["a", {}] as never))).toBe("invalid_option");
    expect(code(() => sst2.classifyBatch([], { topK: 0 }))).toBe("invalid_option");
    sst2.dispose();
    expect(code(() => sst2.classifyBatch(["a"]))).toBe("disposed");
  });
});

test("entityType maps model labels to the types redaction uses", () => {
  expect(["B-GIVEN_NAME", "I-SURNAME", "B-CITY", "B-EMAIL", "B-LOC", "O"].map(entityType)).toEqual(["PERSON", "PERSON", "ADDRESS", "EMAIL", "LOCATION", null]);
});

test("pattern-only redaction needs no model", () => {
  const r = redact("Card 4111 1111 1111 1111, IBAN GB82 WEST 1234 5698 7654 32, not 4111 1111 1111 1112.", {
    defaultOperator: { kind: "replace" },
  });
  expect(r.text).toBe("Card [CREDIT_CARD], IBAN [IBAN], not 4111 1111 1111 1112.");
  expect(r.spans.map((s) => s.detector)).toEqual(["pattern:CREDIT_CARD", "pattern:IBAN"]);
});

describe("redaction engine options", () => {
  test("values written to dodge detectors are still one span", () => {
    const r = redact("card ４１１１ １１１１ １１１１ １１１１, mail ana(at)example(dot)org, iban gb82 west 1234 5698 7654 32");
    expect(r.text).toBe("card <CREDIT_CARD_1>, mail <EMAIL_1>, iban <IBAN_1>");
  });

  test("hash is keyed: random by default, stable under hashKey", () => {
    const opts = { operators: { EMAIL: { kind: "hash" as const } } };
    const a = redact("mail ana@example.org", opts).text;
    const b = redact("mail ana@example.org", opts).text;
    expect(a).not.toBe(b);
    const k1 = redact("mail ana@example.org", { ...opts, hashKey: "k" }).text;
    expect(k1).toBe(redact("mail ana@example.org", { ...opts, hashKey: "k" }).text);
    expect(k1).toMatch(/^mail [0-9a-f]{16}$/);
  });

  test("allow list, disabled types and the caller's spans (UTF-16 offsets)", () => {
    const t = "😀 Ticket T-1 for help@acme.example from ana@example.org, tel 415-555-0132";
    const r = redact(t, {
      allowList: ["help@acme.example"],
      disabledTypes: ["PHONE"],
      spans: [{ start: t.indexOf("T-1"), end: t.indexOf("T-1") + 3, entityType: "TICKET" }],
      operators: { TICKET: { kind: "replace", template: "[ticket]" } },
    });
    expect(r.text).toBe("😀 Ticket [ticket] for help@acme.example from <EMAIL_1>, tel 415-555-0132");
    expect(r.spans[0]!.detector).toBe("caller");
  });

  test("a session keeps placeholders across messages and restores the conversation", () => {
    const session = pii.session();
    const one = session.redact("Maria Garcia wrote from maria@example.com");
    const two = session.redact("Please reply to maria@example.com, and greet Maria Garcia");
    expect(one.text).toContain("<EMAIL_1>");
    expect(two.text).toContain("<EMAIL_1>");
    const person = one.spans.find((s) => s.entityType === "PERSON")!.replacement;
    expect(two.text).toContain(person);
    expect(session.restore(`Hi ${person}, about <EMAIL_1>`)).toBe("Hi Maria Garcia, about maria@example.com");
    expect(session.mapping.length).toBeGreaterThanOrEqual(2);
    const patternsOnly = RedactionSession.create({ operators: { IP_ADDRESS: { kind: "hash" } } });
    const h1 = patternsOnly.redact("from 10.0.0.7").text;
    expect(patternsOnly.redact("again 10.0.0.7").text).toBe(h1.replace("from", "again"));
    patternsOnly.dispose();
    expect(() => patternsOnly.redact("x")).toThrow(ModelError);
  });
});

describe("errors are ModelErrors with codes", () => {
  const code = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(ModelError);
      return (e as ModelError).code;
    }
    throw new Error("no error thrown");
  };
  test("options", () => {
    expect(code(() => pii.classify("x", { aggregationStrategy: "bogus" as never }))).toBe("invalid_option");
    expect(code(() => pii.classify("x", { strid: 3 } as never))).toBe("invalid_option");
    expect(code(() => pii.classify("x", { stride: -1 }))).toBe("invalid_option");
    expect(code(() => pii.classify("x", "fast" as never))).toBe("invalid_option");
    expect(code(() => redact("x", { detectors: ["PASSPORTS" as never] }))).toBe("invalid_option");
    expect(code(() => redact("x", { operators: { EMAIL: { kind: "hash", salt: "x" } as never } }))).toBe("invalid_option");
    expect(code(() => redact("x", { operators: { EMIAL: { kind: "remove" } } }))).toBe("invalid_option");
    expect(code(() => redact("x", { spans: [{ start: 0, end: 9, entityType: "PERSON" }] }))).toBe("invalid_option");
    expect(code(() => redact("x", { customPatterns: [{ name: "bad", entityType: "X", regex: "(" }] }))).toBe("invalid_option");
    expect(code(() => restore("x", {} as never))).toBe("invalid_option");
  });
  test("model files", async () => {
    const bad = async (b: Uint8Array) => {
      try {
        await TokenClassifier.load(b);
      } catch (e) {
        expect(e).toBeInstanceOf(ModelError);
        return (e as ModelError).code;
      }
      throw new Error("loaded a bad file");
    };
    expect(await bad(new Uint8Array([1, 2, 3]))).toBe("model_format");
    const gguf = bytes("models/rampart/rampart-q4_0.gguf");
    expect(await bad(gguf.slice(0, 5000))).toBe("model_format");
    // A text classifier's file is not a token classifier.
    expect(await bad(bytes("models/sst2/sst2-q8_0.gguf"))).toBe("invalid_option");
  });
  test("a disposed model", async () => {
    const m = await TokenClassifier.load(bytes("models/ner/ner-q4_0.gguf"));
    m.dispose();
    m.dispose();
    expect(code(() => m.classify("x"))).toBe("disposed");
  });
  test("integrity", async () => {
    const err = await TokenClassifier.load(bytes("models/ner/ner-q4_0.gguf"), { sha256: "00".repeat(32) }).catch((e) => e);
    expect(err).toBeInstanceOf(ModelError);
    expect(err.code).toBe("integrity");
  });
});
