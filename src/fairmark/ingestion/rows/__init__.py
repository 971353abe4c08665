"""Pushed metric rows (DESIGN.md C3): decode a batch request, then validate its rows. Pure: msgspec and the
standard library, no Django, so it is fast (bench/ingest_decode.py) and testable with hypothesis.

    batch = decode_batch(body, gzip=True)             # Batch, or DecodeError for the request as a whole
    if isinstance(batch, DecodeError): ...            # batch.code, batch.message("zh-hans")
    result = validate_rows(batch.rows, rules, subjects)
    result.accepted                                   # [AcceptedRow(index, row_key, metric, ..., value), ...]
    result.rejected                                   # [Rejection(index, row_key, field, code, params), ...]

Modules: decode (bytes → Batch | DecodeError), validate (MetricRule, validate_rows and its results) and
messages (the English and Chinese sentences of every code)."""

from __future__ import annotations

from .decode import (
    MAX_BODY_BYTES,
    MAX_IDEMPOTENCY_KEY,
    MAX_ROWS,
    MAX_SOURCE,
    Batch,
    DecodeError,
    RawRow,
    UnreadableRow,
    decode_batch,
)
from .messages import DECODE_MESSAGES, ROW_MESSAGES
from .validate import (
    BOOLEAN,
    DECIMAL,
    DEFAULT_SUBJECT_TYPE,
    FIELDS,
    INSTANT,
    INTEGER,
    MAX_DECIMAL_PLACES,
    MAX_INTEGER_DIGITS,
    MAX_ROW_KEY,
    MAX_SUBJECT,
    MAX_TEXT_LENGTH,
    RULE_GRAINS,
    SUBJECT_TYPES,
    TEXT,
    VALUE_TYPES,
    AcceptedRow,
    MetricRule,
    Rejection,
    Validated,
    validate_rows,
)

__all__ = [
    "BOOLEAN",
    "DECIMAL",
    "DECODE_MESSAGES",
    "DEFAULT_SUBJECT_TYPE",
    "FIELDS",
    "INSTANT",
    "INTEGER",
    "MAX_BODY_BYTES",
    "MAX_DECIMAL_PLACES",
    "MAX_IDEMPOTENCY_KEY",
    "MAX_INTEGER_DIGITS",
    "MAX_ROWS",
    "MAX_ROW_KEY",
    "MAX_SOURCE",
    "MAX_SUBJECT",
    "MAX_TEXT_LENGTH",
    "ROW_MESSAGES",
    "RULE_GRAINS",
    "SUBJECT_TYPES",
    "TEXT",
    "VALUE_TYPES",
    "AcceptedRow",
    "Batch",
    "DecodeError",
    "MetricRule",
    "RawRow",
    "Rejection",
    "UnreadableRow",
    "Validated",
    "decode_batch",
    "validate_rows",
]
