"""Uploaded KPI files (DESIGN.md C3 "Excel/CSV upload with column mapping"): read an .xlsx or .csv export from
an MES, ERP or QMS into a Table, and guess which column feeds which field. Pure: no Django.

    table = read_table(data, "产量日报.csv")                  # Table, or UploadError (code, params, .message())
    guess = guess_mapping(table.headers, [MetricHint("output", ("产量",))])
    guess.fields, guess.subject_type, guess.values, guess.unmatched

Modules: reading (bytes → Table | UploadError), guessing (headers → Guess) and messages (the English and
Chinese sentences of every error and warning)."""

from __future__ import annotations

from .guessing import SYNONYMS, Guess, MetricHint, guess_mapping, match_key
from .messages import ERROR_MESSAGES, WARNING_MESSAGES
from .reading import MAX_BYTES, MAX_ROWS, Record, Table, UploadError, UploadWarning, header_name, read_table

__all__ = [
    "ERROR_MESSAGES",
    "MAX_BYTES",
    "MAX_ROWS",
    "SYNONYMS",
    "WARNING_MESSAGES",
    "Guess",
    "MetricHint",
    "Record",
    "Table",
    "UploadError",
    "UploadWarning",
    "guess_mapping",
    "header_name",
    "match_key",
    "read_table",
]
