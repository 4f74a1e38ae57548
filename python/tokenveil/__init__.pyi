"""Type stubs of tokenveil (the native module tokenveil._native, re-exported)."""

import os
from typing import Any, Iterable, List, Literal, Optional, Sequence, Tuple, TypedDict, Union

from typing_extensions import NotRequired

_Path = Union[str, "os.PathLike[str]"]

AggregationStrategy = Literal["none", "simple", "first", "average", "max"]
FunctionToApply = Literal["default", "softmax", "sigmoid", "none"]

class ModelError(Exception):
    """An engine error. ``code``: ``io``, ``model_format``, ``unsupported_version``, ``config``,
    ``missing_tensor``, ``tensor_shape``, ``tokenizer``, ``label_map``, ``invalid_option``,
    ``inference``, ``unsupported_format``, ``invalid_document``."""

    code: str

class Entity(TypedDict):
    """One row, with the Hugging Face pipeline's fields; offsets in characters."""

    entity: NotRequired[str]  # aggregation_strategy="none"
    entity_group: NotRequired[str]  # any other strategy
    score: float
    index: NotRequired[int]  # aggregation_strategy="none": token position ([CLS] is 0)
    word: str
    start: int
    end: int

class ClassLabel(TypedDict):
    label: str
    score: float

class RedactedSpan(TypedDict):
    entity_type: str
    detector: str  # "model", "pattern:EMAIL", "custom:NAME", "deny_list", ...
    score: float
    start: int  # characters of the input
    end: int
    new_start: int  # characters of the redacted text
    new_end: int
    original: str
    replacement: str

class Redaction(TypedDict):
    text: str
    spans: List[RedactedSpan]
    mapping: List[List[str]]  # [replacement, original] pairs, for restore

class TokenClassifier:
    """NER, PII or part-of-speech tagging with a tokenveil GGUF file or a Hugging Face folder."""

    def __init__(self, path: _Path, *, weights: Optional[str] = None) -> None: ...
    @property
    def labels(self) -> List[str]: ...
    def classify(
        self,
        text: str,
        *,
        aggregation_strategy: AggregationStrategy = "none",
        ignore_labels: Optional[Sequence[str]] = None,
        stride: Optional[int] = None,
        batch_size: int = 8,
    ) -> List[Entity]: ...
    def classify_batch(
        self,
        texts: Iterable[str],
        *,
        aggregation_strategy: AggregationStrategy = "none",
        ignore_labels: Optional[Sequence[str]] = None,
        stride: Optional[int] = None,
        batch_size: int = 8,
    ) -> List[List[Entity]]: ...

class TextClassifier:
    """Sentiment or topic classification with a tokenveil GGUF file or a Hugging Face folder."""

    def __init__(self, path: _Path, *, weights: Optional[str] = None) -> None: ...
    @property
    def labels(self) -> List[str]: ...
    def classify(
        self,
        text: str,
        *,
        top_k: Optional[int] = 1,
        function_to_apply: Optional[FunctionToApply] = None,
        batch_size: int = 8,
    ) -> List[ClassLabel]: ...
    def classify_batch(
        self,
        texts: Iterable[str],
        *,
        top_k: Optional[int] = 1,
        function_to_apply: Optional[FunctionToApply] = None,
        batch_size: int = 8,
    ) -> List[List[ClassLabel]]: ...

class PiiRedactor:
    """Model entities pooled with validated pattern detectors, one operator per type.

    ``path``: a model, a list of models (entities pooled), or None for the default model
    ($TOKENVEIL_MODEL, else models/pii/pii-q8_0.gguf under the current directory);
    ``no_model=True`` for the patterns alone. ``options``: the CLI's ``--config`` keys
    (detectors, custom_patterns, deny_list, allow_list, disabled_types, thresholds, min_score,
    operators, default_operator, model_label_map, hash_key); an operator is a dict such as
    ``{"kind": "mask", "ch": "#", "keep": 4}`` or its kind alone (``"hash"``)."""

    def __init__(
        self,
        path: Union[None, _Path, Sequence[_Path]] = None,
        *,
        no_model: bool = False,
        **options: Any,
    ) -> None: ...
    def redact(self, text: str) -> Redaction: ...
    def redact_batch(self, texts: Iterable[str]) -> List[Redaction]: ...
    def session(self) -> Session: ...

class Session:
    """One conversation: one numbering over its messages, and restore."""

    def redact(self, text: str) -> Redaction: ...
    def restore(self, reply: str) -> str: ...
    @property
    def mapping(self) -> List[Tuple[str, str]]: ...

__all__: List[str]
