"""Connectors (DESIGN.md C3, ADR 0006): pull records from another system on a schedule. No Django.

    from fairmark.ingestion.connectors import rest, sql
    result = sql.pull(sql_settings, after=Watermark.from_json(stored))   # or rest.pull(rest_settings, after=text)
    rows = mapping.rows(result.records)          # ingestion.mapping: records → push rows → validate_rows

A connector yields records (column → value dicts) and a new watermark; ingestion.mapping turns records into the
rows the push API validates, so pulled data takes the same path as pushed data. Modules: sql (SQLAlchemy Core,
PostgreSQL and MySQL/MariaDB; sqlcheck says whether a query only reads, sqlerrors reads driver failures),
rest (JSON over HTTP with paging, on web, urllib) with jsonpath (the small path reader), watermark (JSON-safe
watermarks) and messages (codes and their English and Chinese sentences). `sql` is not imported here, so
that using the others does not load SQLAlchemy."""

from __future__ import annotations

from .jsonpath import MISSING, parse_path, read
from .messages import MESSAGES, ConnectionResult, ConnectorError, ConnectorProblem
from .sqlcheck import check_query
from .watermark import Watermark

__all__ = [
    "MESSAGES",
    "MISSING",
    "ConnectionResult",
    "ConnectorError",
    "ConnectorProblem",
    "Watermark",
    "check_query",
    "parse_path",
    "read",
]
