"""Decoding a pushed batch (`POST /api/v1/ingest/batches`): bytes, maybe gzip, → Batch or DecodeError. Pure.

Only the request as a whole can fail here: a body that is not (gzip of) UTF-8 JSON, an envelope of the wrong
shape, a missing or bad idempotency_key, too many rows, or a body that decompresses to more than
MAX_BODY_BYTES. A bad *row* never fails the batch: each row is decoded leniently into a RawRow whose fields
keep whatever JSON value was sent (validate_rows then rejects it with a reason), and a row that is not even
an object is kept as its decoded value (rejected as `not_an_object`), or as an UnreadableRow when msgspec
cannot represent it (an integer of thousands of digits, an exponent beyond Decimal's range).

JSON numbers that are not integers are decoded straight into `decimal.Decimal` from their text (msgspec's
`float_hook`), so 96.50 arrives as Decimal('96.50') and a float never exists. Integers arrive as int."""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import msgspec

from .messages import EN, ZH, render_decode_error

MAX_ROWS = 50_000
MAX_BODY_BYTES = 64 * 1024 * 1024  # after decompression: a gzip bomb stops here
MAX_IDEMPOTENCY_KEY = 200
MAX_SOURCE = 200


class RawRow(msgspec.Struct, gc=False):
    """One pushed row as sent: every field holds the JSON value it had (str, int, Decimal, bool, list,
    dict) or None when absent. Unknown fields are ignored. gc=False: decoded JSON holds no cycles."""

    row_key: Any = None
    metric: Any = None
    subject: Any = None
    subject_type: Any = None  # absent → "employee", applied by validate_rows
    period: Any = None
    at: Any = None
    value: Any = None
    unit: Any = None


class UnreadableRow(msgspec.Struct, frozen=True):
    """A row msgspec could not turn into Python values; `path` and `detail` say where and why (technical)."""

    path: str
    detail: str


class Batch(msgspec.Struct):
    """A decoded request. `rows` holds RawRow for every row that is a JSON object, else the decoded value
    (or an UnreadableRow); validate_rows takes the list as it is."""

    idempotency_key: str
    rows: list[Any]
    source: str = ""


class _Envelope(msgspec.Struct):
    idempotency_key: str
    rows: list[RawRow]
    source: str | None = None


class _LooseEnvelope(msgspec.Struct):
    idempotency_key: str
    rows: list[msgspec.Raw]
    source: str | None = None


_FAST = msgspec.json.Decoder(_Envelope, float_hook=Decimal)
_LOOSE = msgspec.json.Decoder(_LooseEnvelope)
_ROW = msgspec.json.Decoder(RawRow, float_hook=Decimal)
_ANY = msgspec.json.Decoder(float_hook=Decimal)

_BOM = b"\xef\xbb\xbf"
_BYTE_AT = re.compile(r"^(.*?)\s*\(byte (\d+)\)$")
_EXPECTED = re.compile(r"^Expected `(.+?)`, got `(.+?)`(?: - at `(.+?)`)?$")
_MISSING = re.compile(r"^Object missing required field `(.+?)`(?: - at `(.+?)`)?$")


@dataclass(frozen=True)
class DecodeError:
    """Why a request body was refused as a whole. A value, returned (not raised), with a code and JSON-safe
    params; `.message(language)` words it in English or Simplified Chinese."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def message(self, language: str = EN) -> str:
        return render_decode_error(self.code, self.params, language)

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "params": self.params,
                "message_en": self.message(EN), "message_zh_hans": self.message(ZH)}


def _gunzip(data: bytes, limit: int) -> bytes | DecodeError:
    """Decompress gzip (one or more members) without ever holding more than limit + 1 bytes of output."""
    out = bytearray()
    while True:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            out += inflater.decompress(data, limit + 1 - len(out))
        except zlib.error:
            return DecodeError("bad_gzip")
        if len(out) > limit or inflater.unconsumed_tail:
            return DecodeError("too_large", {"max_bytes": limit})
        if not inflater.eof:
            return DecodeError("bad_gzip")  # truncated
        data = inflater.unused_data
        if not data:
            return bytes(out)


def _shape_error(error: msgspec.ValidationError) -> DecodeError:
    text = str(error)
    match = _EXPECTED.match(text)
    if match:
        return DecodeError("wrong_shape", {"detail": f"expected {match[1]}, got {match[2]}", "path": match[3] or "$"})
    match = _MISSING.match(text)
    if match:
        return DecodeError("wrong_shape", {"detail": f"missing required field {match[1]}", "path": match[2] or "$"})
    return DecodeError("wrong_shape", {"detail": text[:200], "path": "$"})


def _malformed(error: Exception) -> DecodeError:
    text = str(error).removeprefix("JSON is malformed: ")
    match = _BYTE_AT.match(text)
    if match:
        return DecodeError("malformed_json", {"detail": f"{match[1]} at byte {match[2]}", "position": int(match[2])})
    return DecodeError("malformed_json", {"detail": text[:200]})


def _loose_rows(data: bytes) -> _LooseEnvelope | DecodeError:
    try:
        return _LOOSE.decode(data)
    except msgspec.ValidationError as error:
        return _shape_error(error)
    except RecursionError:
        return DecodeError("too_deep")
    except UnicodeDecodeError:
        return DecodeError("bad_encoding")
    except (msgspec.DecodeError, ValueError) as error:
        return _malformed(error)


def _decode_row(raw: msgspec.Raw, index: int) -> Any:
    try:
        return _ROW.decode(raw)
    except (msgspec.ValidationError, ArithmeticError, RecursionError) as error:
        problem: Exception = error
    try:
        return _ANY.decode(raw)  # not an object: validate_rows says so, naming its type
    except (msgspec.ValidationError, ArithmeticError, RecursionError):
        pass
    text = str(problem) if isinstance(problem, msgspec.ValidationError) else "number out of range"
    detail, _, where = text.partition(" - at `$")
    return UnreadableRow(path=f"$.rows[{index}]{where.rstrip('`')}", detail=detail[:200])


def decode_batch(data: bytes, *, gzip: bool = False, max_bytes: int = MAX_BODY_BYTES,
                 max_rows: int = MAX_ROWS) -> Batch | DecodeError:
    """Decode a request body (gzip-compressed when `gzip`); never raises for any input bytes."""
    if not isinstance(data, bytes):
        data = bytes(data)  # bytearray, memoryview
    if len(data) > max_bytes:
        return DecodeError("too_large", {"max_bytes": max_bytes})
    if gzip and data:
        inflated = _gunzip(data, max_bytes)
        if isinstance(inflated, DecodeError):
            return inflated
        data = inflated
    if data.startswith(_BOM):  # Windows tools write one; JSON forbids it, nobody means anything by it
        data = data[3:]
    if not data.strip():
        return DecodeError("empty_body")
    envelope: _Envelope | _LooseEnvelope
    rows: list[Any]
    try:
        envelope = _FAST.decode(data)
        rows = envelope.rows
    except (msgspec.ValidationError, ArithmeticError, RecursionError):
        # a row of the wrong shape (or the envelope is wrong: the loose decoder says which): row by row
        loose = _loose_rows(data)
        if isinstance(loose, DecodeError):
            return loose
        envelope = loose
        rows = [_decode_row(raw, index) for index, raw in enumerate(loose.rows)]
    except UnicodeDecodeError:
        return DecodeError("bad_encoding")
    except (msgspec.DecodeError, ValueError) as error:
        return _malformed(error)
    key = envelope.idempotency_key
    if not key.strip() or len(key) > MAX_IDEMPOTENCY_KEY:
        return DecodeError("bad_idempotency_key", {"max": MAX_IDEMPOTENCY_KEY})
    source = envelope.source or ""
    if len(source) > MAX_SOURCE:
        return DecodeError("bad_source", {"max": MAX_SOURCE})
    if len(rows) > max_rows:
        return DecodeError("too_many_rows", {"count": len(rows), "max": max_rows})
    return Batch(idempotency_key=key, rows=rows, source=source)
