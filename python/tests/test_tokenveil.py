"""The Python package against the CLI built from the same crate: the same entities, labels and
redactions, in characters; errors with the engine's codes; batches equal to single calls.

The CLI is $TOKENVEIL_CLI, else target/debug/tokenveil (`cargo build --bin tokenveil`; the
python tier of scripts/test.sh builds it). Without it the parity tests skip, and fail when TOKENVEIL_REQUIRE_MODELS=1 (as in CI).
"""

import json
import os
import subprocess
from pathlib import Path

import pytest

import tokenveil
from tokenveil import ModelError, PiiRedactor, TextClassifier, TokenClassifier

ROOT = Path(__file__).resolve().parents[2]
NER = ROOT / "models/ner/ner-q8_0.gguf"
SST2 = ROOT / "models/sst2/sst2-q8_0.gguf"
PII = ROOT / "models/pii/pii-q8_0.gguf"
CLI = Path(os.environ.get("TOKENVEIL_CLI", ROOT / "target/debug/tokenveil"))

# Prose, emoji before and inside entities, CJK, accents, right-to-left text, and a text longer
# than one 512-token window (so windows and their merge are compared too).
TEXTS = [
    "My name is Wolfgang and I live in Berlin.",
    "😀 Angela Merkel met Emmanuel Macron in Paris 🇫🇷 on Tuesday.",
    "東京 is where Yuki Tanaka works for Sony; she studied at Université de Montréal.",
    "Contact Zoë Müller (zoe.mueller@example.com, +49 30 1234567) about the Ünïcödé café in Köln.",
    "مرحبا John Smith from Microsoft visited Cairo.",
    " ".join(["Barack Obama spoke in Chicago about Google and the United Nations."] * 60),
]


# Largest score difference between a batch and single calls on these texts: measured 1.1e-4
# (NER, Q8_0); the bound leaves room for other CPUs' kernels.
BATCH_SCORE_BOUND = 1e-3


def cli(*args, stdin=None):
    if not CLI.is_file():
        if os.environ.get("TOKENVEIL_REQUIRE_MODELS") == "1":
            pytest.fail(f"no CLI at {CLI}: build it with `cargo build --bin tokenveil` or set TOKENVEIL_CLI")
        pytest.skip(f"no CLI at {CLI}")
    out = subprocess.run([str(CLI), "--json", *args], capture_output=True, text=True, input=stdin, check=True)
    return json.loads(out.stdout)


def same_rows(got, want, score_abs=1e-7):
    """Rows equal field by field; scores to float32 precision, or within `score_abs`."""
    assert len(got) == len(want), (got, want)
    for g, w in zip(got, want):
        assert set(g) == set(w), (g, w)
        for k in w:
            if k == "score":
                assert g[k] == pytest.approx(w[k], rel=1e-6, abs=score_abs), (g, w)
            else:
                assert g[k] == w[k], (k, g, w)


@pytest.fixture(scope="module")
def ner():
    return TokenClassifier(NER)


@pytest.fixture(scope="module")
def sst2():
    return TextClassifier(str(SST2))


@pytest.fixture(scope="module")
def pii():
    return PiiRedactor(PII)


@pytest.mark.parametrize("strategy", ["none", "simple", "first", "average", "max"])
def test_ner_equals_cli(ner, strategy):
    for text in TEXTS:
        want = cli("ner", "-m", str(NER), "--aggregation", strategy, text)
        assert want["offsets"] == "char"
        got = ner.classify(text, aggregation_strategy=strategy)
        same_rows(got, want["entities"])
    # Something was found: a comparison of two empty lists would prove little.
    assert len(ner.classify(TEXTS[1], aggregation_strategy="simple")) >= 3


def test_character_offsets_after_emoji_and_cjk(ner):
    text = "😀😀 Angela Merkel 🇫🇷 met Yuki Tanaka in 東京 and Paris."
    entities = ner.classify(text, aggregation_strategy="simple")
    found = {text[e["start"] : e["end"]] for e in entities}
    # Python slices with the returned offsets give the names exactly (a byte or UTF-16 offset
    # would land several characters off after the emoji).
    assert {"Angela Merkel", "Yuki Tanaka", "Paris"} <= found, entities
    for e in entities:
        assert text[e["start"] : e["end"]].lower().replace(" ", "") == e["word"].replace(" ", "")


def test_ner_options(ner):
    text = TEXTS[0]
    every = ner.classify(text, ignore_labels=[])
    assert {e["entity"] for e in every} >= {"O", "B-PER"}
    assert all("index" in e and "entity" in e for e in every)
    # The Hugging Face pipelines' fields, in their order (what a user sees printed).
    assert list(every[0]) == ["entity", "score", "index", "word", "start", "end"]
    grouped = ner.classify(text, aggregation_strategy="simple")
    assert all(list(e) == ["entity_group", "score", "word", "start", "end"] for e in grouped)
    long = TEXTS[-1]
    strided = ner.classify(long, stride=32, aggregation_strategy="simple")
    same_rows(strided, cli("ner", "-m", str(NER), "--aggregation", "simple", "--stride", "32", long)["entities"])
    same_rows(ner.classify(long, stride=32, aggregation_strategy="simple", batch_size=1), strided)


def test_ner_batch_equals_singles(ner):
    for strategy in ["none", "simple"]:
        batch = ner.classify_batch(TEXTS, aggregation_strategy=strategy)
        assert len(batch) == len(TEXTS)
        for text, got in zip(TEXTS, batch):
            # The int8 matmuls quantize activations per pass, so a window padded in a batch
            # scores a little differently from the window alone (the CLI's --jsonl batches
            # too): labels, words and offsets equal, scores within BATCH_SCORE_BOUND.
            same_rows(got, ner.classify(text, aggregation_strategy=strategy), score_abs=BATCH_SCORE_BOUND)


def test_text_classification_equals_cli(sst2):
    texts = ["I loved this film, a joy from start to end.", "Dull, slow and far too long. 😴", "東京"]
    for text in texts:
        want = cli("classify", "-m", str(SST2), "--top-k", "all", text)
        same_rows(sst2.classify(text, top_k=None), want["labels"])
    assert sst2.classify(texts[0])[0]["label"] == "POSITIVE"
    assert sst2.classify(texts[1])[0]["label"] == "NEGATIVE"
    assert len(sst2.classify(texts[0])) == 1
    raw = sst2.classify(texts[0], top_k=2, function_to_apply="none")
    assert max(abs(r["score"]) for r in raw) > 1  # logits, not probabilities
    batch = sst2.classify_batch(texts, top_k=None)
    for text, got in zip(texts, batch):
        same_rows(got, sst2.classify(text, top_k=None), score_abs=BATCH_SCORE_BOUND)


REDACT_TEXTS = [
    "Call Ada Lovelace on 415-555-0132 or write to ada@example.com.",
    "🙂 Zoë Müller, IBAN DE89 3704 0044 0532 0130 00, lives at 12 Rue de Rivoli, 75001 Paris. 東京",
    "Card 4111 1111 1111 1111, SSN 078-05-1120, server 192.168.0.12, born 03/04/1985.",
    "Nothing personal here.",
]


def test_redaction_equals_cli(pii):
    for text in REDACT_TEXTS:
        want = cli("redact", "-m", str(PII), text)
        assert want.pop("offsets") == "char"
        got = pii.redact(text)
        assert got["text"] == want["text"]
        assert got["mapping"] == want["mapping"]
        same_rows(got["spans"], want["spans"])
        for s in got["spans"]:
            assert text[s["start"] : s["end"]] == s["original"]
            assert got["text"][s["new_start"] : s["new_end"]] == s["replacement"]
    assert "415-555-0132" not in pii.redact(REDACT_TEXTS[0])["text"]


def test_redaction_options_equal_cli_config(tmp_path):
    options = {
        "operators": {"EMAIL": {"kind": "mask", "ch": "#", "keep": 3}, "PHONE": {"kind": "hash"}},
        "default_operator": {"kind": "replace", "template": "[{type}]"},
        "allow_list": ["Ada"],
        "hash_key": "k1",
    }
    config = tmp_path / "config.json"
    config.write_text(json.dumps(options))
    text = REDACT_TEXTS[0]
    want = cli("redact", "--no-model", "--config", str(config), text)
    got = PiiRedactor(no_model=True, **options).redact(text)
    assert got["text"] == want["text"]
    same_rows(got["spans"], want["spans"])
    # An operator may be named by its kind alone.
    short = PiiRedactor(no_model=True, **{**options, "operators": {"EMAIL": options["operators"]["EMAIL"], "PHONE": "hash"}})
    assert short.redact(text)["text"] == want["text"]


def test_redact_batch_equals_singles(pii):
    texts = REDACT_TEXTS * 5
    batch = pii.redact_batch(texts)
    assert batch == [pii.redact(t) for t in texts]
    assert pii.redact_batch([]) == []


def test_batch_calls_release_the_gil(pii, ner):
    """While a batch call runs natively, another Python thread keeps running: it could not
    count at all if the call held the GIL."""
    import threading
    import time

    ticks = 0
    stop = threading.Event()

    def count():
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            time.sleep(0.001)

    counter = threading.Thread(target=count)
    counter.start()
    try:
        for call in (lambda: pii.redact_batch(REDACT_TEXTS * 20), lambda: ner.classify_batch(REDACT_TEXTS * 20)):
            before, started = ticks, time.perf_counter()
            call()
            during, seconds = ticks - before, time.perf_counter() - started
            # About one tick a millisecond while the call runs (at least 0.1 s of work here).
            assert seconds > 0.05 and during >= 10, (during, seconds)
    finally:
        stop.set()
        counter.join()


def test_hash_in_batch_needs_a_key():
    with pytest.raises(ModelError) as e:
        PiiRedactor(no_model=True, default_operator="hash").redact_batch(["call 415-555-0132"])
    assert e.value.code == "invalid_option" and "hash_key" in str(e.value)
    keyed = PiiRedactor(no_model=True, default_operator="hash", hash_key="secret")
    a, b = keyed.redact_batch(["call 415-555-0132", "or 415-555-0132"])
    assert a["mapping"] == b["mapping"] and a["mapping"][0][1] == "415-555-0132"


def test_session_numbers_across_messages_and_restores(pii):
    session = pii.session()
    first = session.redact("Ada Lovelace wrote to ada@example.com.")
    second = session.redact("Later, Ada Lovelace and Charles Babbage met.")
    assert first["text"].startswith("<PERSON_1> wrote to <EMAIL_1>")
    assert "<PERSON_1> and <PERSON_2>" in second["text"]
    assert session.restore("Dear <PERSON_2>, cc <EMAIL_1>") == "Dear Charles Babbage, cc ada@example.com"
    assert ["<PERSON_1>", "Ada Lovelace"] in [list(p) for p in session.mapping]
    # Without a key, a session makes its own: hash works there, not in redact().
    hashing = PiiRedactor(no_model=True, default_operator="hash").session()
    out = hashing.redact("call 415-555-0132")
    assert "415-555-0132" not in out["text"]
    assert hashing.restore(out["text"]) == "call 415-555-0132"


def test_patterns_alone_and_default_model(monkeypatch, tmp_path):
    alone = PiiRedactor(no_model=True).redact("Ada Lovelace: ada@example.com")
    assert alone["text"] == "Ada Lovelace: <EMAIL_1>"
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("TOKENVEIL_MODEL", raising=False)
    assert PiiRedactor().redact("Ada Lovelace: ada@example.com")["text"] == "<PERSON_1>: <EMAIL_1>"
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ModelError) as e:
        PiiRedactor()
    assert e.value.code == "io" and "no_model=True" in str(e.value)
    monkeypatch.setenv("TOKENVEIL_MODEL", str(tmp_path / "missing.gguf"))
    with pytest.raises(ModelError) as e:
        PiiRedactor()
    assert e.value.code == "io" and "TOKENVEIL_MODEL" in str(e.value)


@pytest.mark.parametrize(
    "make, code",
    [
        (lambda p: TokenClassifier(p / "missing.gguf"), "io"),
        (lambda p: TokenClassifier(write(p / "junk.gguf", b"GGUF" + b"\x00" * 12)), "model_format"),
        (lambda p: TokenClassifier(write(p / "random.bin", os.urandom(4096))), "model_format"),
        (lambda p: TokenClassifier(SST2), "invalid_option"),
        (lambda p: TextClassifier(NER), "invalid_option"),
        (lambda p: PiiRedactor(no_model=True, bogus_option=1), "invalid_option"),
        (lambda p: PiiRedactor(no_model=True, operators={"PHONE": {"kind": "explode"}}), "invalid_option"),
        (lambda p: PiiRedactor(no_model=True, disabled_types=["NOT_A_TYPE"]), "invalid_option"),
        (lambda p: PiiRedactor(PII, no_model=True), "invalid_option"),
        (lambda p: PiiRedactor(no_model=True, custom_patterns=[{"name": "x", "entity_type": "PERSON", "regex": "("}]).redact("a"), "invalid_option"),
    ],
)
def test_errors_have_codes(tmp_path, make, code):
    with pytest.raises(ModelError) as e:
        make(tmp_path)
    assert e.value.code == code, str(e.value)
    assert str(e.value)


def write(path, data):
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    "call",
    [
        lambda n, s, r: n.classify("x", aggregation_strategy="bogus"),
        lambda n, s, r: n.classify(42),
        lambda n, s, r: n.classify("lone \ud800 surrogate"),
        lambda n, s, r: n.classify_batch("one string, not a list"),
        lambda n, s, r: n.classify_batch(["ok", None]),
        lambda n, s, r: n.classify("x", batch_size=0),
        lambda n, s, r: s.classify("x", top_k=0),
        lambda n, s, r: s.classify("x", function_to_apply="cube"),
        lambda n, s, r: r.redact(b"bytes"),
        lambda n, s, r: r.redact_batch(["fine", "\udfff"]),
        lambda n, s, r: r.session().restore(3),
        # Keyword arguments of the wrong Python type: a coded ModelError, not a bare TypeError.
        lambda n, s, r: n.classify("x", batch_size="8"),
        lambda n, s, r: n.classify("x", stride=-1),
        lambda n, s, r: n.classify_batch(["x"], ignore_labels="O"),
        lambda n, s, r: n.classify("x", aggregation_strategy=3),
        lambda n, s, r: s.classify("x", top_k="all"),
        lambda n, s, r: s.classify_batch(["x"], function_to_apply=1.5),
        lambda n, s, r: TokenClassifier(42),
        lambda n, s, r: TextClassifier(SST2, weights=7),
        lambda n, s, r: PiiRedactor(no_model="yes"),
    ],
)
def test_bad_input_is_invalid_option(ner, sst2, pii, call):
    with pytest.raises(ModelError) as e:
        call(ner, sst2, pii)
    assert e.value.code == "invalid_option", str(e.value)
    assert not isinstance(e.value, TypeError)


def test_hostile_text_does_not_crash(ner, pii):
    for text in ["", " \n\t ", "\x00\x01 control", "e\u0301" * 500, "😀" * 3000, "[UNK] " * 50]:
        for e in ner.classify(text, aggregation_strategy="simple"):
            assert 0 <= e["start"] <= e["end"] <= len(text)
        out = pii.redact(text)
        for s in out["spans"]:
            assert text[s["start"] : s["end"]] == s["original"]


def test_public_names():
    assert sorted(tokenveil.__all__) == ["ModelError", "PiiRedactor", "Session", "TextClassifier", "TokenClassifier"]
    assert issubclass(ModelError, Exception)
    stubs = Path(tokenveil.__file__).with_name("__init__.pyi")
    assert stubs.is_file() and Path(tokenveil.__file__).with_name("py.typed").is_file()
