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
use pyo3::types::{PyBool, PyDict, PyFloat, PyList, PyString};
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

/// JSON as Python objects: dicts, lists, str, int, float, bool, None.
fn to_py<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => u.into_pyobject(py)?.into_any(),
            (None, Some(i)) => i.into_pyobject(py)?.into_any(),
            _ => PyFloat::new(py, n.as_f64().unwrap_or(f64::NAN)).into_any(),
        },
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(to_py(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (k, v) in map {
                dict.set_item(k, to_py(py, v)?)?;
            }
            dict.into_any()
        }
    })
}

fn json_of<T: serde::Serialize>(value: &T) -> PyResult<Value> {
    serde_json::to_value(value).map_err(|e| invalid(format!("cannot convert the result: {e}")))
}

/// Entities with character offsets, as dicts with the Hugging Face fields.
fn entities_json(text: &str, entities: Vec<Entity>) -> PyResult<Value> {
    let map = OffsetMap::new(text, OffsetEncoding::Codepoint);
    let rows: Vec<Entity> = entities
        .into_iter()
        .map(|mut e| {
            (e.start, e.end) = (map.convert(e.start), map.convert(e.end));
            e
        })
        .collect();
    json_of(&rows)
}

/// `{text, spans, mapping}` with character offsets: `start`/`end` into the input,
/// `new_start`/`new_end` into the redacted text (the CLI's `redact --json`, less `offsets`).
fn redaction_json(input: &str, r: &Redaction) -> PyResult<Value> {
    let (old, new) = (
        OffsetMap::new(input, OffsetEncoding::Codepoint),
        OffsetMap::new(&r.text, OffsetEncoding::Codepoint),
    );
    let spans: Vec<_> = r
        .spans
        .iter()
        .cloned()
        .map(|mut s| {
            (s.start, s.end) = (old.convert(s.start), old.convert(s.end));
            (s.new_start, s.new_end) = (new.convert(s.new_start), new.convert(s.new_end));
            s
        })
        .collect();
    Ok(serde_json::json!({"text": r.text, "spans": json_of(&spans)?, "mapping": r.mapping}))
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

fn token_options(
    aggregation_strategy: &str,
    ignore_labels: Option<Vec<String>>,
    stride: Option<usize>,
    batch_size: usize,
) -> PyResult<TokenClassificationOptions> {
    Ok(TokenClassificationOptions {
        aggregation_strategy: aggregation_strategy
            .parse::<AggregationStrategy>()
            .or_raise()?,
        ignore_labels: ignore_labels.unwrap_or_else(|| vec!["O".to_string()]),
        stride,
        batch_size,
    })
}

#[pymethods]
impl TokenClassifier {
    #[new]
    #[pyo3(signature = (path, *, weights=None))]
    fn new(py: Python<'_>, path: PathBuf, weights: Option<String>) -> PyResult<Self> {
        // Loading reads and unpacks the whole model: let other Python threads run meanwhile.
        let inner = py.detach(|| NativeToken::new(load(&path, weights.as_deref())?).or_raise())?;
        Ok(TokenClassifier { inner })
    }

    /// The model's labels, by id.
    #[getter]
    fn labels(&self) -> Vec<String> {
        self.inner.model().labels().to_vec()
    }

    #[pyo3(signature = (text, *, aggregation_strategy="none", ignore_labels=None, stride=None, batch_size=8))]
    fn classify<'py>(
        &self,
        py: Python<'py>,
        text: &Bound<'py, PyAny>,
        aggregation_strategy: &str,
        ignore_labels: Option<Vec<String>>,
        stride: Option<usize>,
        batch_size: usize,
    ) -> PyResult<Bound<'py, PyAny>> {
        let text = text_of(text, "text")?;
        let opts = token_options(aggregation_strategy, ignore_labels, stride, batch_size)?;
        let value = py.detach(|| {
            let entities = self.inner.classify(&text, &opts).or_raise()?;
            entities_json(&text, entities)
        })?;
        to_py(py, &value)
    }

    /// Many texts: their windows are batched together through the model (`batch_size` windows
    /// a pass), with the GIL released.
    #[pyo3(signature = (texts, *, aggregation_strategy="none", ignore_labels=None, stride=None, batch_size=8))]
    fn classify_batch<'py>(
        &self,
        py: Python<'py>,
        texts: &Bound<'py, PyAny>,
        aggregation_strategy: &str,
        ignore_labels: Option<Vec<String>>,
        stride: Option<usize>,
        batch_size: usize,
    ) -> PyResult<Bound<'py, PyAny>> {
        let texts = texts_of(texts)?;
        let opts = token_options(aggregation_strategy, ignore_labels, stride, batch_size)?;
        let value = py.detach(|| {
            let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
            let all = self.inner.classify_batch(&refs, &opts).or_raise()?;
            texts
                .iter()
                .zip(all)
                .map(|(t, e)| entities_json(t, e))
                .collect::<PyResult<Vec<Value>>>()
        })?;
        to_py(py, &Value::Array(value))
    }
}

/// A text classifier (sentiment, topics) over a tokenveil GGUF file or a Hugging Face folder.
#[pyclass(frozen, module = "tokenveil")]
struct TextClassifier {
    inner: NativeText,
}

fn text_options(
    top_k: Option<usize>,
    function_to_apply: Option<&str>,
    batch_size: usize,
) -> PyResult<TextClassificationOptions> {
    Ok(TextClassificationOptions {
        top_k,
        function_to_apply: match function_to_apply {
            None => FunctionToApply::Default,
            Some(f) => f.parse().or_raise()?,
        },
        batch_size,
    })
}

fn labels_json(c: TextClassification) -> PyResult<Value> {
    json_of(&c.labels)
}

#[pymethods]
impl TextClassifier {
    #[new]
    #[pyo3(signature = (path, *, weights=None))]
    fn new(py: Python<'_>, path: PathBuf, weights: Option<String>) -> PyResult<Self> {
        let inner = py.detach(|| NativeText::new(load(&path, weights.as_deref())?).or_raise())?;
        Ok(TextClassifier { inner })
    }

    #[getter]
    fn labels(&self) -> Vec<String> {
        self.inner.model().labels().to_vec()
    }

    /// Labels with scores, best first: `top_k` of them (None: all).
    #[pyo3(signature = (text, *, top_k=Some(1), function_to_apply=None, batch_size=8))]
    fn classify<'py>(
        &self,
        py: Python<'py>,
        text: &Bound<'py, PyAny>,
        top_k: Option<usize>,
        function_to_apply: Option<&str>,
        batch_size: usize,
    ) -> PyResult<Bound<'py, PyAny>> {
        let text = text_of(text, "text")?;
        let opts = text_options(top_k, function_to_apply, batch_size)?;
        let value = py.detach(|| labels_json(self.inner.classify(&text, &opts).or_raise()?))?;
        to_py(py, &value)
    }

    #[pyo3(signature = (texts, *, top_k=Some(1), function_to_apply=None, batch_size=8))]
    fn classify_batch<'py>(
        &self,
        py: Python<'py>,
        texts: &Bound<'py, PyAny>,
        top_k: Option<usize>,
        function_to_apply: Option<&str>,
        batch_size: usize,
    ) -> PyResult<Bound<'py, PyAny>> {
        let texts = texts_of(texts)?;
        let opts = text_options(top_k, function_to_apply, batch_size)?;
        let value = py.detach(|| {
            let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
            self.inner
                .classify_batch(&refs, &opts)
                .or_raise()?
                .into_iter()
                .map(labels_json)
                .collect::<PyResult<Vec<Value>>>()
        })?;
        to_py(py, &Value::Array(value))
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
    #[pyo3(signature = (path=None, *, no_model=false, **options))]
    fn new(
        py: Python<'_>,
        path: Option<&Bound<'_, PyAny>>,
        no_model: bool,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        let paths = model_paths(path, no_model)?;
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
        let value = py.detach(|| redaction_json(&text, &self.inner.redact(&text).or_raise()?))?;
        to_py(py, &value)
    }

    /// Many independent texts, each as `redact` would, in parallel on rayon's threads with the
    /// GIL released. `hash` needs `hash_key` (so hashes agree across processes and runs).
    fn redact_batch<'py>(
        &self,
        py: Python<'py>,
        texts: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let texts = texts_of(texts)?;
        let value = py.detach(|| {
            texts
                .par_iter()
                .map(|t| redaction_json(t, &self.inner.redact(t).or_raise()?))
                .collect::<PyResult<Vec<Value>>>()
        })?;
        to_py(py, &Value::Array(value))
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
        let value = py.detach(|| {
            redaction_json(
                &text,
                &redactor.inner.redact_in(session, &text, &[]).or_raise()?,
            )
        })?;
        to_py(py, &value)
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
