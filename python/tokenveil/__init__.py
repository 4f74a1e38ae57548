"""tokenveil: token and text classification and PII redaction with quantized DistilBERT/BERT
models, run natively by the Rust crate of the same name.

Offsets are characters (Python string indices), the fields those of the Hugging Face
pipelines. Every engine error is a ``ModelError`` whose ``code`` is the Rust crate's (and the
CLI's and npm package's) stable code. See docs/python.md.
"""

from ._native import ModelError, PiiRedactor, Session, TextClassifier, TokenClassifier

__all__ = ["ModelError", "PiiRedactor", "Session", "TextClassifier", "TokenClassifier"]
