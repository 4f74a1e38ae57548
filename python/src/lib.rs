//! tokenveil for Python: the native API behind PyO3, with the Hugging Face pipelines' field
//! names and Python's character offsets. This file only converts: every behaviour is a call
//! into the `tokenveil` crate, as in the CLI.
//!
//! - Offsets: the crate counts UTF-8 bytes; Python strings count code points, so every
//!   `start`/`end` (and `new_start`/`new_end`) goes through `OffsetMap` with `Codepoint`.
//! - Errors: every `tokenveil::Error` becomes `ModelError` with `.code` = `Error::code()`;
//!   arguments Python hands over in a shape the engine cannot take (a text that is not a
//!   `str`, a lone surrogate, an unknown option) are `invalid_option` errors of the same class.
//! - Threads: batch calls leave the GIL (`Python::detach`) and run on rayon's pool
//!   (`RAYON_NUM_THREADS`), the pool the crate's matmuls already use.

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyFloat, PyList, PyString};
use rayon::prelude::*;
use serde_json::Value;
use std::path::PathBuf;
use tokenveil::offsets::{OffsetEncoding, OffsetMap};
use tokenveil::pipelines::redaction::PiiRedactor as NativeRedactor;
use tokenveil::pipelines::text_classification::{
    FunctionToApply, TextClassification, TextClassificationOptions, TextClassifier as NativeText,
};
use tokenveil::pipelines::token_classification::{
    AggregationStrategy, Entity, TokenClassificationOptions, TokenClassifier as NativeToken,
};
use tokenveil::redact::{Redaction, RedactionSession, RedactorConfig};
use tokenveil::{Error, ModelBundle};

/// Texts per `PiiRedactor::redact_batch` call in `redact_batch`: enough to fill a few padded
/// passes of similar lengths, and chunks enough for every thread.
const REDACT_CHUNK: usize = 32;

create_exception!(
    tokenveil,
    ModelError,
    PyException,
    "An error of the tokenveil engine; `.code` is its stable machine-readable code \
     (`io`, `model_format`, `invalid_option`, ...), the same as the CLI's and the npm package's."
);

/// `ModelError(message)` with `.code` set.
fn model_error(e: Error) -> PyErr {
    coded(e.code(), e.to_string())
}

fn coded(code: &str, message: String) -> PyErr {
    Python::attach(|py| {
        let err = ModelError::new_err(message);
        // An exception instance takes attributes; a failure here would only lose `.code`,
        // and the error is still raised.
        let _ = err.value(py).setattr("code", code);
        err
    })
}

fn invalid(message: String) -> PyErr {
    coded("invalid_option", message)
}

/// A keyword argument of the Rust type `T`: a value of the wrong Python type is an
/// `invalid_option` `ModelError` like any other bad option, not PyO3's bare `TypeError` (PyO3
/// adds the note "while processing 'NAME'" to either).
struct Arg<T>(T);

impl<'a, 'py, T: FromPyObject<'a, 'py>> FromPyObject<'a, 'py> for Arg<T> {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        let py = obj.py();
        T::extract(obj).map(Arg).map_err(|e| {
            let e: PyErr = e.into();
            invalid(format!("wrong type: {}", e.value(py)))
        })
    }
}

trait OrRaise<T> {
    fn or_raise(self) -> PyResult<T>;
}

impl<T> OrRaise<T> for tokenveil::Result<T> {
    fn or_raise(self) -> PyResult<T> {
        self.map_err(model_error)
    }
}

/// A Python `str` as Rust text. Anything else, or a string with a lone surrogate (which no
/// UTF-8 text can hold), is an `invalid_option` error naming `what`.
fn text_of(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<String> {
    let s = obj.cast::<PyString>().map_err(|_| {
        let ty = obj
            .get_type()
            .name()
            .map(|n| n.to_string())
            .unwrap_or_else(|_| "?".into());
        invalid(format!("{what} must be a str, not {ty}"))
    })?;
    s.extract::<String>().map_err(|e| {
        invalid(format!(
            "{what} is not valid Unicode text (a lone surrogate?): {e}"
        ))
    })
}

/// A list (or any sequence) of `str`.
fn texts_of(obj: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    if obj.is_instance_of::<PyString>() {
        return Err(invalid(
            "texts must be a list of str, not one str (use classify/redact for one text)".into(),
        ));
    }
    let iter = obj
        .try_iter()
        .map_err(|_| invalid("texts must be a list of str".into()))?;
    iter.enumerate()
        .map(|(i, item)| text_of(&item?, &format!("texts[{i}]")))
        .collect()
}

/// A dict whose keys keep the order given (the Hugging Face pipelines' order when printed);
/// `None` values are left out, as the pipelines leave out the fields a strategy has not.
fn dict<'py>(
    py: Python<'py>,
    items: Vec<(&str, Option<Bound<'py, PyAny>>)>,
) -> PyResult<Bound<'py, PyAny>> {
    let d = PyDict::new(py);
    for (k, v) in items {
        if let Some(v) = v {
            d.set_item(k, v)?;
        }
    }
    Ok(d.into_any())
}

fn py_str<'py>(py: Python<'py>, s: &str) -> Option<Bound<'py, PyAny>> {
    Some(PyString::new(py, s).into_any())
}

fn py_f32(py: Python<'_>, x: f32) -> Option<Bound<'_, PyAny>> {
    Some(PyFloat::new(py, f64::from(x)).into_any())
}

fn py_int(py: Python<'_>, n: usize) -> PyResult<Option<Bound<'_, PyAny>>> {
    Ok(Some(n.into_pyobject(py)?.into_any()))
}

/// Entities with character offsets, as dicts with the Hugging Face fields in their order:
/// `entity`/`entity_group`, `score`, `index` (strategy `none`), `word`, `start`, `end`.
fn entities_py<'py>(
    py: Python<'py>,
    text: &str,
    entities: &[Entity],
) -> PyResult<Bound<'py, PyAny>> {
    let map = OffsetMap::new(text, OffsetEncoding::Codepoint);
    let list = PyList::empty(py);
    for e in entities {
        list.append(dict(
            py,
            vec![
                ("entity", e.entity.as_deref().and_then(|l| py_str(py, l))),
                (
                    "entity_group",
                    e.entity_group.as_deref().and_then(|l| py_str(py, l)),
                ),
                ("score", py_f32(py, e.score)),
                (
                    "index",
                    e.index.map(|i| py_int(py, i)).transpose()?.flatten(),
                ),
                ("word", py_str(py, &e.word)),
                ("start", py_int(py, map.convert(e.start))?),
                ("end", py_int(py, map.convert(e.end))?),
            ],
        )?)?;
    }
    Ok(list.into_any())
}

/// `{text, spans, mapping}` with character offsets: `start`/`end` into the input,
/// `new_start`/`new_end` into the redacted text (the CLI's `redact --json`, less `offsets`).
fn redaction_py<'py>(py: Python<'py>, input: &str, r: &Redaction) -> PyResult<Bound<'py, PyAny>> {
    let (old, new) = (
        OffsetMap::new(input, OffsetEncoding::Codepoint),
        OffsetMap::new(&r.text, OffsetEncoding::Codepoint),
    );
    let spans = PyList::empty(py);
    for s in &r.spans {
        spans.append(dict(
            py,
            vec![
                ("entity_type", py_str(py, &s.entity_type)),
                ("detector", py_str(py, &s.detector)),
                ("score", py_f32(py, s.score)),
                ("start", py_int(py, old.convert(s.start))?),
                ("end", py_int(py, old.convert(s.end))?),
                ("new_start", py_int(py, new.convert(s.new_start))?),
                ("new_end", py_int(py, new.convert(s.new_end))?),
                ("original", py_str(py, &s.original)),
                ("replacement", py_str(py, &s.replacement)),
            ],
        )?)?;
    }
    // [replacement, original] lists, as the CLI's JSON (and `restore --mapping`) has them.
    let mapping = PyList::empty(py);
    for (replacement, original) in &r.mapping {
        mapping.append(PyList::new(py, [replacement, original])?)?;
    }
    dict(
        py,
        vec![
            ("text", py_str(py, &r.text)),
            ("spans", Some(spans.into_any())),
            ("mapping", Some(mapping.into_any())),
        ],
    )
}

fn labels_py<'py>(py: Python<'py>, c: &TextClassification) -> PyResult<Bound<'py, PyAny>> {
    let list = PyList::empty(py);
    for l in &c.labels {
        list.append(dict(
            py,
            vec![
                ("label", py_str(py, &l.label)),
                ("score", py_f32(py, l.score)),
            ],
        )?)?;
    }
    Ok(list.into_any())
}

fn load(path: &PathBuf, weights: Option<&str>) -> PyResult<ModelBundle> {
    ModelBundle::from_path(path, weights).or_raise()
}

/// A token classifier (NER, PII, part of speech) over a tokenveil GGUF file or a Hugging Face
/// folder (`config.json`, `tokenizer.json`, `model.safetensors`; `weights` picks another
/// safetensors file in it).
#[pyclass(frozen, module = "tokenveil")]
struct TokenClassifier {
    inner: NativeToken,
}

/// The keyword arguments of `classify` and `classify_batch`, as the pipeline's options.
fn token_options(
    aggregation_strategy: Arg<String>,
    ignore_labels: Option<Arg<Vec<String>>>,
    stride: Option<Arg<usize>>,
    batch_size: Arg<usize>,
) -> PyResult<TokenClassificationOptions> {
    Ok(TokenClassificationOptions {
        aggregation_strategy: aggregation_strategy
            .0
            .parse::<AggregationStrategy>()
            .or_raise()?,
        ignore_labels: ignore_labels.map_or_else(|| vec!["O".to_string()], |l| l.0),
        stride: stride.map(|s| s.0),
        batch_size: batch_size.0,
    })
}

#[pymethods]
impl TokenClassifier {
    #[new]
    #[pyo3(signature = (path, *, weights=None))]
    fn new(py: Python<'_>, path: Arg<PathBuf>, weights: Option<Arg<String>>) -> PyResult<Self> {
        let (path, weights) = (path.0, weights.map(|w| w.0));
        // Loading reads and unpacks the whole model: let other Python threads run meanwhile.
        let inner = py.detach(|| NativeToken::new(load(&path, weights.as_deref())?).or_raise())?;
        Ok(TokenClassifier { inner })
    }

    /// The model's labels, by id.
    #[getter]
    fn labels(&self) -> Vec<String> {
        self.inner.model().labels().to_vec()
    }

    #[pyo3(signature = (text, *, aggregation_strategy=Arg("none".into()), ignore_labels=None, stride=None, batch_size=Arg(8)))]
    fn classify<'py>(
        &self,
        py: Python<'py>,
        text: &Bound<'py, PyAny>,
        aggregation_strategy: Arg<String>,
        ignore_labels: Option<Arg<Vec<String>>>,
        stride: Option<Arg<usize>>,
        batch_size: Arg<usize>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let text = text_of(text, "text")?;
        let opts = token_options(aggregation_strategy, ignore_labels, stride, batch_size)?;
        let entities = py.detach(|| self.inner.classify(&text, &opts).or_raise())?;
        entities_py(py, &text, &entities)
    }

    /// Many texts: their windows are batched together through the model (`batch_size` windows
    /// a pass), with the GIL released.
    #[pyo3(signature = (texts, *, aggregation_strategy=Arg("none".into()), ignore_labels=None, stride=None, batch_size=Arg(8)))]
    fn classify_batch<'py>(
        &self,
        py: Python<'py>,
        texts: &Bound<'py, PyAny>,
        aggregation_strategy: Arg<String>,
        ignore_labels: Option<Arg<Vec<String>>>,
        stride: Option<Arg<usize>>,
        batch_size: Arg<usize>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let texts = texts_of(texts)?;
        let opts = token_options(aggregation_strategy, ignore_labels, stride, batch_size)?;
        let all = py.detach(|| {
            let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
            self.inner.classify_batch(&refs, &opts).or_raise()
        })?;
        let list = PyList::empty(py);
        for (t, e) in texts.iter().zip(&all) {
            list.append(entities_py(py, t, e)?)?;
        }
        Ok(list.into_any())
    }
}

/// A text classifier (sentiment, topics) over a tokenveil GGUF file or a Hugging Face folder.
#[pyclass(frozen, module = "tokenveil")]
struct TextClassifier {
    inner: NativeText,
}

/// The keyword arguments of `TextClassifier.classify` and `classify_batch`, as options.
fn text_options(
    top_k: Option<Arg<usize>>,
    function_to_apply: Option<Arg<String>>,
    batch_size: Arg<usize>,
) -> PyResult<TextClassificationOptions> {
    Ok(TextClassificationOptions {
        top_k: top_k.map(|k| k.0),
        function_to_apply: match function_to_apply {
            None => FunctionToApply::Default,
            Some(f) => f.0.parse().or_raise()?,
        },
        batch_size: batch_size.0,
    })
}

#[pymethods]
impl TextClassifier {
    #[new]
    #[pyo3(signature = (path, *, weights=None))]
    fn new(py: Python<'_>, path: Arg<PathBuf>, weights: Option<Arg<String>>) -> PyResult<Self> {
        let (path, weights) = (path.0, weights.map(|w| w.0));
        let inner = py.detach(|| NativeText::new(load(&path, weights.as_deref())?).or_raise())?;
        Ok(TextClassifier { inner })
    }

    #[getter]
    fn labels(&self) -> Vec<String> {
        self.inner.model().labels().to_vec()
    }

    /// Labels with scores, best first: `top_k` of them (None: all).
    #[pyo3(signature = (text, *, top_k=Some(Arg(1)), function_to_apply=None, batch_size=Arg(8)))]
    fn classify<'py>(
        &self,
        py: Python<'py>,
        text: &Bound<'py, PyAny>,
        top_k: Option<Arg<usize>>,
        function_to_apply: Option<Arg<String>>,
        batch_size: Arg<usize>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let text = text_of(text, "text")?;
        let opts = text_options(top_k, function_to_apply, batch_size)?;
        let out = py.detach(|| self.inner.classify(&text, &opts).or_raise())?;
        labels_py(py, &out)
    }

    #[pyo3(signature = (texts, *, top_k=Some(Arg(1)), function_to_apply=None, batch_size=Arg(8)))]
    fn classify_batch<'py>(
        &self,
        py: Python<'py>,
        texts: &Bound<'py, PyAny>,
        top_k: Option<Arg<usize>>,
        function_to_apply: Option<Arg<String>>,
        batch_size: Arg<usize>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let texts = texts_of(texts)?;
        let opts = text_options(top_k, function_to_apply, batch_size)?;
        let all = py.detach(|| {
            let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
            self.inner.classify_batch(&refs, &opts).or_raise()
        })?;
        let list = PyList::empty(py);
        for c in &all {
            list.append(labels_py(py, c)?)?;
        }
        Ok(list.into_any())
    }
}

/// The default PII model when none is given, as the CLI looks for it: `$TOKENVEIL_MODEL` when
/// set (it must exist), else `models/pii/pii-q8_0.gguf` under the current directory. (The CLI
/// also tries the repository it was built from; a wheel has no such repository.)
fn default_pii_model() -> PyResult<PathBuf> {
    const SHIPPED: &str = "models/pii/pii-q8_0.gguf";
    let not_found = |what: String, hint: &str| {
        model_error(Error::io(
            what,
            std::io::Error::new(std::io::ErrorKind::NotFound, hint.to_string()),
        ))
    };
    if let Some(path) = std::env::var_os("TOKENVEIL_MODEL") {
        let path = PathBuf::from(path);
        return match path.is_file() {
            true => Ok(path),
            false => Err(not_found(
                format!("$TOKENVEIL_MODEL={}", path.display()),
                "no such model file",
            )),
        };
    }
    let shipped = PathBuf::from(SHIPPED);
    match shipped.is_file() {
        true => Ok(shipped),
        false => Err(not_found(
            format!("the default PII model (tried $TOKENVEIL_MODEL (unset), {SHIPPED})"),
            "not found: pass a model path, set $TOKENVEIL_MODEL, or no_model=True for patterns alone",
        )),
    }
}

/// Redactor options (the CLI's `--config` keys, snake_case) as a `RedactorConfig`. An
/// operator may be given by its kind alone (`"hash"` for `{"kind": "hash"}`).
fn redactor_config(
    py: Python<'_>,
    options: Option<&Bound<'_, PyDict>>,
) -> PyResult<RedactorConfig> {
    let Some(options) = options else {
        return Ok(RedactorConfig::default());
    };
    // Python's json turns the keyword arguments into the same JSON `--config` reads, so the
    // crate's own deserializer (unknown keys refused, type names made canonical) does the rest.
    let dumped: String = py
        .import("json")?
        .call_method1("dumps", (options,))
        .map_err(|e| invalid(format!("redactor options must be JSON-like values: {e}")))?
        .extract()?;
    let mut value: Value =
        serde_json::from_str(&dumped).map_err(|e| invalid(format!("redactor options: {e}")))?;
    let by_kind = |op: &mut Value| {
        if let Value::String(kind) = op {
            *op = serde_json::json!({ "kind": kind });
        }
    };
    if let Some(op) = value.get_mut("default_operator") {
        by_kind(op);
    }
    if let Some(Value::Object(ops)) = value.get_mut("operators") {
        ops.values_mut().for_each(by_kind);
    }
    serde_json::from_value(value).map_err(|e| invalid(format!("redactor options: {e}")))
}

/// Model paths: one path, a list of them (their entities are pooled), or the default.
fn model_paths(path: Option<&Bound<'_, PyAny>>, no_model: bool) -> PyResult<Vec<PathBuf>> {
    match (path, no_model) {
        (Some(_), true) => Err(invalid(
            "pass a model path or no_model=True, not both".into(),
        )),
        (None, true) => Ok(Vec::new()),
        (None, false) => Ok(vec![default_pii_model()?]),
        (Some(p), false) => match p.extract::<PathBuf>() {
            Ok(one) => Ok(vec![one]),
            Err(_) => p.extract::<Vec<PathBuf>>().map_err(|_| {
                invalid("path must be a path (str or os.PathLike) or a list of paths".into())
            }),
        },
    }
}

/// PII redaction: model entities pooled with the validated pattern detectors, then one
/// operator per type.
#[pyclass(frozen, module = "tokenveil")]
struct PiiRedactor {
    inner: NativeRedactor,
}

#[pymethods]
impl PiiRedactor {
    #[new]
    #[pyo3(signature = (path=None, *, no_model=Arg(false), **options))]
    fn new(
        py: Python<'_>,
        path: Option<&Bound<'_, PyAny>>,
        no_model: Arg<bool>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        let paths = model_paths(path, no_model.0)?;
        let config = redactor_config(py, options)?;
        let inner = py.detach(|| {
            let classifiers = paths
                .iter()
                .map(|p| NativeToken::new(load(p, None)?).or_raise())
                .collect::<PyResult<Vec<_>>>()?;
            NativeRedactor::new(classifiers, config).or_raise()
        })?;
        Ok(PiiRedactor { inner })
    }

    /// One text: `{text, spans, mapping}`. Placeholders start at `_1`; `hash` needs `hash_key`.
    fn redact<'py>(
        &self,
        py: Python<'py>,
        text: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let text = text_of(text, "text")?;
        let r = py.detach(|| self.inner.redact(&text).or_raise())?;
        redaction_py(py, &text, &r)
    }

    /// Many independent texts, each as `redact` would, in parallel on rayon's threads with the
    /// GIL released. `hash` needs `hash_key` (so hashes agree across processes and runs).
    fn redact_batch<'py>(
        &self,
        py: Python<'py>,
        texts: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let texts = texts_of(texts)?;
        let all = py.detach(|| {
            // Chunks of texts on rayon's threads, each chunk's model passes batched
            // (`PiiRedactor::redact_batch`); the matmuls inside share the same threads.
            texts
                .par_chunks(REDACT_CHUNK)
                .flat_map_iter(|chunk| {
                    let refs: Vec<&str> = chunk.iter().map(String::as_str).collect();
                    self.inner.redact_batch(&refs)
                })
                .map(|r| r.or_raise())
                .collect::<PyResult<Vec<Redaction>>>()
        })?;
        let list = PyList::empty(py);
        for (t, r) in texts.iter().zip(&all) {
            list.append(redaction_py(py, t, r)?)?;
        }
        Ok(list.into_any())
    }

    /// A session for one conversation: one numbering over its messages, and `restore`.
    /// Without a `hash_key`, `hash` gets a random key for the session.
    fn session(slf: Bound<'_, Self>) -> PyResult<Session> {
        let session = slf.get().inner.session().or_raise()?;
        Ok(Session {
            redactor: slf.unbind(),
            session,
        })
    }
}

/// One conversation's messages redacted with one numbering (the same value gets the same
/// placeholder in every message), and replies restored with everything it has mapped.
#[pyclass(module = "tokenveil")]
struct Session {
    redactor: Py<PiiRedactor>,
    session: RedactionSession,
}

#[pymethods]
impl Session {
    fn redact<'py>(
        &mut self,
        py: Python<'py>,
        text: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let text = text_of(text, "text")?;
        let redactor = self.redactor.get();
        let session = &mut self.session;
        let r = py.detach(|| redactor.inner.redact_in(session, &text, &[]).or_raise())?;
        redaction_py(py, &text, &r)
    }

    /// `reply` with every placeholder or hash of the session put back.
    fn restore(&self, reply: &Bound<'_, PyAny>) -> PyResult<String> {
        Ok(self.session.restore(&text_of(reply, "reply")?))
    }

    /// `[replacement, original]` pairs of the whole session, in order.
    #[getter]
    fn mapping(&self) -> Vec<(String, String)> {
        self.session.mapping().to_vec()
    }
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("ModelError", m.py().get_type::<ModelError>())?;
    m.add_class::<TokenClassifier>()?;
    m.add_class::<TextClassifier>()?;
    m.add_class::<PiiRedactor>()?;
    m.add_class::<Session>()?;
    Ok(())
}
