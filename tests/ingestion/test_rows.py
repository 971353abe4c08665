"""fairmark.ingestion.rows: decoding pushed batches and validating their rows, with worked examples."""

from __future__ import annotations

import gzip as gzip_module
import json
import random
import zlib
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from fairmark.ingestion.rows import (
    DECODE_MESSAGES,
    MAX_ROWS,
    ROW_MESSAGES,
    AcceptedRow,
    Batch,
    DecodeError,
    MetricRule,
    RawRow,
    Rejection,
    UnreadableRow,
    decode_batch,
    validate_rows,
)

CST = timezone(timedelta(hours=8))

RULES = {
    "yield_pct": MetricRule("yield_pct", "decimal", unit="%", min=Decimal(0), max=Decimal(100), grain="day",
                            subject_types=frozenset({"employee", "line"})),
    "good_units": MetricRule("good_units", "integer", unit="pcs", min=Decimal(0), grain="day"),
    "trained": MetricRule("trained", "boolean", grain="month"),
    "sales": MetricRule("sales", "decimal", unit="CNY", grain="month"),
    "comment": MetricRule("comment", "text", grain="quarter"),
    "temperature": MetricRule("temperature", "decimal", unit="°C", min=Decimal(-50), max=Decimal(400),
                              grain="instant", subject_types=frozenset({"machine"})),
    "score": MetricRule("score", "decimal", max=Decimal("5.5"), grain="year"),
}
SUBJECTS = {("employee", "E001"): 1, ("employee", "E002"): 2, ("line", "L01"): 10, ("machine", "M1"): 20,
            ("employee", "10023"): 3}


def body(rows: list[Any], **extra: Any) -> bytes:
    return json.dumps({"idempotency_key": "k-1", "rows": rows, **extra}).encode()


def row(**fields: Any) -> dict[str, Any]:
    return {"row_key": "r1", "metric": "yield_pct", "subject": "E001", "period": "2026-11-22", "value": 96.5,
            **fields}


def check(*rows: Any, **options: Any) -> tuple[list[AcceptedRow], list[Rejection]]:
    result = validate_rows(list(rows), RULES, SUBJECTS, **options)
    return result.accepted, result.rejected


def one_rejection(**fields: Any) -> Rejection:
    accepted, rejected = check(row(**fields))
    assert not accepted, accepted
    assert len(rejected) == 1, rejected
    return rejected[0]


# ------------------------------------------------------------------------------------------ decode


def test_decode_a_batch() -> None:
    data = (b'{"idempotency_key": "mes-2026-11-22-001", "source": "mes", "extra": 1, "rows": ['
            b'{"row_key": "a", "metric": "yield_pct", "subject": "E001", "period": "2026-11-22", "value": 96.50,'
            b' "unit": "%", "comment": "ignored"},'
            b'{"row_key": "b", "metric": "good_units", "subject": "E001", "value": 9650},'
            b'{"row_key": "c", "value": "1e3"}, {"row_key": "d", "value": 1E+3}, {"value": true}, {"value": null}]}')
    batch = decode_batch(data)
    assert isinstance(batch, Batch)
    assert (batch.idempotency_key, batch.source, len(batch.rows)) == ("mes-2026-11-22-001", "mes", 6)
    first = batch.rows[0]
    assert first == RawRow("a", "yield_pct", "E001", None, "2026-11-22", None, Decimal("96.50"), "%")
    assert str(first.value) == "96.50"  # from the JSON text, never through a float
    assert [r.value for r in batch.rows[1:]] == [9650, "1e3", Decimal("1E+3"), True, None]
    assert type(batch.rows[1].value) is int


def test_decode_without_source_and_with_bom() -> None:
    batch = decode_batch(b"\xef\xbb\xbf" + body([]))
    assert isinstance(batch, Batch)
    assert (batch.source, batch.rows) == ("", [])


def test_gzip() -> None:
    data = body([row()])
    batch = decode_batch(gzip_module.compress(data), gzip=True)
    assert isinstance(batch, Batch)
    assert batch.rows[0].value == Decimal("96.5")
    two_members = gzip_module.compress(data[:10]) + gzip_module.compress(data[10:])
    again = decode_batch(two_members, gzip=True)
    assert isinstance(again, Batch)
    assert again == batch


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"not gzip at all", "bad_gzip"),
        (gzip_module.compress(b'{"idempotency_key": "k", "rows": []}', mtime=0)[:-12], "bad_gzip"),  # truncated
        (gzip_module.compress(b'{"idempotency_key": "k", "rows": []}', mtime=0) + b"garbage", "bad_gzip"),
    ],
    ids=["not gzip", "truncated", "trailing garbage"],  # the same on every xdist worker
)
def test_bad_gzip(data: bytes, code: str) -> None:
    result = decode_batch(data, gzip=True)
    assert isinstance(result, DecodeError)
    assert result.code == code


def test_gzip_bomb_is_stopped_at_the_cap() -> None:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunk = b" " * (1 << 20)
    bomb = b"".join(compressor.compress(chunk) for _ in range(100)) + compressor.flush()  # 100 MB of spaces
    assert len(bomb) < 200_000
    result = decode_batch(bomb, gzip=True)
    assert result == DecodeError("too_large", {"max_bytes": 64 * 1024 * 1024})
    small = decode_batch(gzip_module.compress(body([row()] * 10)), gzip=True, max_bytes=1000)
    assert isinstance(small, DecodeError)
    assert small.code == "too_large"
    assert decode_batch(b" " * 2000, max_bytes=1000) == DecodeError("too_large", {"max_bytes": 1000})


@pytest.mark.parametrize(
    ("data", "code", "params"),
    [
        (b"", "empty_body", {}),
        (b"  \n ", "empty_body", {}),
        (b'{"idempotency_key": "k", "rows": [}', "malformed_json", {"detail": "invalid character at byte 34",
                                                                    "position": 34}),
        (b'{"idempotency_key": "k", "rows": []} x', "malformed_json", {"detail": "trailing characters at byte 38",
                                                                       "position": 38}),
        (b'{"idempotency_key": "k", "rows": [{"value": NaN}]}', "malformed_json",
         {"detail": "invalid character at byte 44", "position": 44}),
        (b'{"idempotency_key": "k", "rows": [', "malformed_json", {"detail": "Input data was truncated"}),
        (b"[]", "wrong_shape", {"detail": "expected object, got array", "path": "$"}),
        (b'{"rows": []}', "wrong_shape", {"detail": "missing required field idempotency_key", "path": "$"}),
        (b'{"idempotency_key": 7, "rows": []}', "wrong_shape",
         {"detail": "expected str, got int", "path": "$.idempotency_key"}),
        (b'{"idempotency_key": "k", "rows": {}}', "wrong_shape", {"detail": "expected array, got object",
                                                                  "path": "$.rows"}),
        (b'{"idempotency_key": "k", "rows": [], "source": 5}', "wrong_shape",
         {"detail": "expected str | null, got int", "path": "$.source"}),
        (b'{"idempotency_key": "", "rows": []}', "bad_idempotency_key", {"max": 200}),
        (b'{"idempotency_key": "  ", "rows": []}', "bad_idempotency_key", {"max": 200}),
        (json.dumps({"idempotency_key": "k" * 201, "rows": []}).encode(), "bad_idempotency_key", {"max": 200}),
        (json.dumps({"idempotency_key": "k", "source": "s" * 201, "rows": []}).encode(), "bad_source", {"max": 200}),
        (b'{"idempotency_key": "k", "rows": [{"value": "\xff"}]}', "bad_encoding", {}),
        (b'{"idempotency_key": "k", "rows": [' + b"[" * 5000 + b"]" * 5000 + b"]}", "too_deep", {}),
    ],
)
def test_decode_errors(data: bytes, code: str, params: dict[str, Any]) -> None:
    result = decode_batch(data)
    assert isinstance(result, DecodeError), result
    assert (result.code, result.params) == (code, params)
    assert result.message("en") != result.message("zh-hans")


def test_too_many_rows() -> None:
    data = body([{"row_key": str(n)} for n in range(MAX_ROWS + 1)])
    result = decode_batch(data)
    assert result == DecodeError("too_many_rows", {"count": 50_001, "max": 50_000})
    assert result.message("en") == "The batch has 50001 rows; at most 50000 are accepted per request: split it."
    assert result.message("zh-hans") == "本批共 50001 行，每次请求最多 50000 行：请拆分后发送。"
    exactly = decode_batch(body([{"row_key": str(n)} for n in range(MAX_ROWS)]))
    assert isinstance(exactly, Batch)
    assert len(exactly.rows) == MAX_ROWS
    assert decode_batch(body([{}, {}, {}]), max_rows=2) == DecodeError("too_many_rows", {"count": 3, "max": 2})


def test_bad_rows_do_not_fail_the_batch() -> None:
    data = (b'{"idempotency_key": "k", "rows": [{"row_key": "a", "value": 1.5}, 7, "text", [1, 2], null,'
            b' {"row_key": "huge", "value": ' + b"9" * 5000 + b'}, {"row_key": "exp", "value": 1e99999999999999999999},'
            b' {"row_key": "b", "value": 2.5}]}')
    batch = decode_batch(data)
    assert isinstance(batch, Batch)
    assert batch.rows[0] == RawRow(row_key="a", value=Decimal("1.5"))
    assert batch.rows[1:5] == [7, "text", [1, 2], None]
    assert isinstance(batch.rows[5], UnreadableRow)
    assert batch.rows[5].path == "$.rows[5].value"
    assert isinstance(batch.rows[6], UnreadableRow)
    assert batch.rows[6].path == "$.rows[6]"
    assert batch.rows[7] == RawRow(row_key="b", value=Decimal("2.5"))
    result = validate_rows(batch.rows, RULES, SUBJECTS)
    assert [(r.index, r.field, r.code) for r in result.rejected][1:] == [
        (1, "row", "not_an_object"), (2, "row", "not_an_object"), (3, "row", "not_an_object"),
        (4, "row", "not_an_object"), (5, "row", "unreadable_row"), (6, "row", "unreadable_row"),
        (7, "metric", "missing_field")]
    assert result.rejected[2].message("en") == "The row must be a JSON object, not text."
    assert result.rejected[3].message("zh-hans") == "每一行必须是 JSON 对象，而不是数组。"
    assert result.rejected[5].params["detail"] == "Integer value out of range"
    assert "rows[5]" in result.rejected[5].message("en")


def test_decode_accepts_bytearray_and_memoryview() -> None:
    data = body([row()])
    assert decode_batch(bytearray(data)) == decode_batch(memoryview(data)) == decode_batch(data)  # type: ignore[arg-type]


def test_decode_error_to_dict() -> None:
    error = decode_batch(b"")
    assert isinstance(error, DecodeError)
    assert error.to_dict() == {
        "code": "empty_body", "params": {},
        "message_en": "The request body is empty: send a JSON object with idempotency_key and rows.",
        "message_zh_hans": "请求体为空：请发送包含 idempotency_key 和 rows 的 JSON 对象。"}


# ------------------------------------------------------------------------------------------ validate


def test_an_accepted_row_is_normalised() -> None:
    accepted, rejected = check(row(unit="%", at="2026-11-22T08:30:00+08:00"))
    assert not rejected
    assert accepted == [AcceptedRow(
        index=0, row_key="r1", metric="yield_pct", subject_type="employee", subject="E001", subject_id=1,
        period="2026-11-22", period_start=datetime(2026, 11, 22).date(), period_end=datetime(2026, 11, 22).date(),
        at=datetime(2026, 11, 22, 8, 30, tzinfo=CST), value=Decimal("96.5"), unit="%")]


def test_every_grain_and_kind() -> None:
    accepted, rejected = check(
        row(row_key="a", metric="good_units", period="2026-11-22", value="9650"),
        row(row_key="b", metric="trained", period="2026-11", value=True),
        row(row_key="c", metric="sales", period="2026-11", value="1234567.89", unit="CNY"),
        row(row_key="d", metric="comment", period="2026-Q4", value="良好 — on track"),
        row(row_key="e", metric="temperature", subject_type="machine", subject="M1", period=None,
            at="2026-11-22T08:30:00Z", value=Decimal("-12.5")),
        row(row_key="f", metric="score", period="2026", value=5),
        row(row_key="g", metric="yield_pct", subject_type="line", subject="L01", value=100),
    )
    assert not rejected
    assert [(r.metric, r.subject_id, r.period, r.value) for r in accepted] == [
        ("good_units", 1, "2026-11-22", Decimal(9650)),
        ("trained", 1, "2026-11", Decimal(1)),
        ("sales", 1, "2026-11", Decimal("1234567.89")),
        ("comment", 1, "2026-Q4", "良好 — on track"),
        ("temperature", 20, "", Decimal("-12.5")),
        ("score", 1, "2026", Decimal(5)),
        ("yield_pct", 10, "2026-11-22", Decimal(100)),
    ]
    instant = accepted[4]
    assert (instant.period_start, instant.period_end, instant.at) == (None, None, datetime(2026, 11, 22, 8, 30,
                                                                                           tzinfo=UTC))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (96.5, Decimal("96.5")),  # a float handed in by a caller: through its shortest repr, never binary
        (0.1, Decimal("0.1")),
        (Decimal("96.50"), Decimal("96.50")),  # as sent, trailing zero kept
        ("96.5", Decimal("96.5")),
        (" 96.5 ", Decimal("96.5")),
        ("1e1", Decimal("1E+1")),
        ("+.5", Decimal("0.5")),
        ("-0", Decimal("-0")),
        (42, Decimal(42)),
        ("0.0000000001", Decimal("1E-10")),  # 10 decimal places: the most
        ("99.99999999990000", Decimal("99.99999999990000")),  # more places, but only zeros beyond the tenth
        ("0.00", Decimal("0.00")),
        ("0e999999", Decimal(0)),  # zero, with an exponent no column holds
        (Decimal("-0E-1000"), Decimal(0)),
    ],
)
def test_decimal_values(value: Any, expected: Decimal) -> None:
    accepted, rejected = check(row(value=value))
    assert not rejected
    assert accepted[0].value == expected
    assert str(accepted[0].value) == str(expected)


def test_decimals_come_exactly_from_the_json_text() -> None:
    data = body([row(row_key=str(n), value=None) for n in range(4)]).replace(b'"value": null', b'"value": X')
    for text in (b"0.1", b"96.50", b"1e1", b"12345678901234567.123456789"):
        batch = decode_batch(data.replace(b"X", text, 1).replace(b"X", b"1"))
        assert isinstance(batch, Batch)
        result = validate_rows(batch.rows, {"yield_pct": MetricRule("yield_pct")}, SUBJECTS)
        assert str(result.accepted[0].value) == str(Decimal(text.decode()))


@pytest.mark.parametrize(
    ("value", "expected"),
    [(3, Decimal(3)), ("3", Decimal(3)), ("3.0", Decimal(3)), (Decimal("3E+2"), Decimal(300)), ("1e3", Decimal(1000)),
     (-0.0, Decimal("-0"))],
)
def test_integer_values(value: Any, expected: Decimal) -> None:
    accepted, rejected = check(row(metric="good_units", value=value))
    assert not rejected
    assert accepted[0].value == expected
    assert str(accepted[0].value) == str(expected)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(True, 1), (False, 0), (1, 1), (0, 0), ("true", 1), ("FALSE", 0), ("1", 1), (" 0 ", 0)],
)
def test_boolean_values(value: Any, expected: int) -> None:
    accepted, rejected = check(row(metric="trained", period="2026-11", value=value))
    assert not rejected
    assert accepted[0].value == Decimal(expected)


@pytest.mark.parametrize(
    ("fields", "field", "code", "params"),
    [
        ({"row_key": None}, "row_key", "missing_field", {}),
        ({"row_key": ""}, "row_key", "missing_field", {}),
        ({"row_key": ["a"]}, "row_key", "wrong_type", {"expected": "text", "got": "array"}),
        ({"row_key": "k" * 201}, "row_key", "value_too_long", {"length": 201, "max": 200}),
        ({"metric": None}, "metric", "missing_field", {}),
        ({"metric": "nope"}, "metric", "unknown_metric", {"metric": "nope"}),
        ({"metric": {"a": 1}}, "metric", "wrong_type", {"expected": "text", "got": "object"}),
        ({"subject_type": "machine"}, "subject_type", "subject_type_not_allowed",
         {"metric": "yield_pct", "subject_type": "machine", "allowed": ["employee", "line"]}),
        ({"subject_type": 5.5}, "subject_type", "wrong_type", {"expected": "text", "got": "number"}),
        ({"subject": None}, "subject", "missing_field", {}),
        ({"subject": "E999"}, "subject", "unknown_subject", {"subject_type": "employee", "subject": "E999"}),
        ({"subject": True}, "subject", "wrong_type", {"expected": "text", "got": "boolean"}),
        ({"subject": "E" * 201}, "subject", "value_too_long", {"length": 201, "max": 200}),
        ({"period": None}, "period", "missing_field", {}),
        ({"period": 20261122}, "period", "wrong_type", {"expected": "text", "got": "integer"}),
        ({"period": "2026-11-31"}, "period", "bad_period",
         {"reason": "no_such_date", "period": "2026-11-31"}),
        ({"period": "22/11/2026"}, "period", "bad_period",
         {"reason": "bad_format", "period": "22/11/2026", "grain": "day"}),
        ({"period": "2026-11"}, "period", "wrong_grain",
         {"metric": "yield_pct", "period": "2026-11", "grain": "day", "got": "month"}),
        ({"at": "yesterday"}, "at", "bad_timestamp", {"value": "yesterday"}),
        ({"at": "2026-11-22T08:30:00"}, "at", "bad_timestamp",
         {"value": "2026-11-22T08:30:00", "reason": "no_timezone"}),
        ({"at": "0001-01-01T00:00:00Z"}, "at", "bad_timestamp",
         {"value": "0001-01-01T00:00:00Z", "reason": "out_of_range"}),
        ({"at": 1732262400}, "at", "wrong_type", {"expected": "text", "got": "integer"}),
        ({"unit": "‰"}, "unit", "wrong_unit", {"unit": "‰", "expected": "%"}),
        ({"unit": 1}, "unit", "wrong_type", {"expected": "text", "got": "integer"}),
        ({"value": None}, "value", "missing_field", {}),
        ({"value": ""}, "value", "missing_field", {}),
        ({"value": "n/a"}, "value", "not_a_number", {"value": "n/a"}),
        ({"value": "NaN"}, "value", "not_a_number", {"value": "NaN"}),
        ({"value": "Infinity"}, "value", "not_a_number", {"value": "Infinity"}),
        ({"value": "-inf"}, "value", "not_a_number", {"value": "-inf"}),
        ({"value": float("nan")}, "value", "not_a_number", {"value": "nan"}),
        ({"value": float("inf")}, "value", "not_a_number", {"value": "inf"}),
        ({"value": Decimal("NaN")}, "value", "not_a_number", {"value": "NaN"}),
        ({"value": Decimal("sNaN")}, "value", "not_a_number", {"value": "sNaN"}),
        ({"value": "1,000"}, "value", "not_a_number", {"value": "1,000"}),
        ({"value": "1_000"}, "value", "not_a_number", {"value": "1_000"}),
        ({"value": "９６"}, "value", "not_a_number", {"value": "９６"}),
        ({"value": "96.5%"}, "value", "not_a_number", {"value": "96.5%"}),
        ({"value": True}, "value", "wrong_type", {"expected": "number", "got": "boolean"}),
        ({"value": [96.5]}, "value", "wrong_type", {"expected": "number", "got": "array"}),
        ({"value": 100.01}, "value", "out_of_range", {"value": "100.01", "min": "0", "max": "100"}),
        ({"value": -1}, "value", "out_of_range", {"value": "-1", "min": "0", "max": "100"}),
        ({"value": "1e3"}, "value", "out_of_range", {"value": "1e3", "min": "0", "max": "100"}),
        ({"value": "0.00000000001"}, "value", "too_many_decimals", {"value": "0.00000000001", "max": 10}),
        ({"value": Decimal("1E-11")}, "value", "too_many_decimals", {"value": "1E-11", "max": 10}),
        ({"value": " 1e3 "}, "value", "out_of_range", {"value": " 1e3 ", "min": "0", "max": "100"}),
        ({"value": "1 000"}, "value", "not_a_number", {"value": "1 000"}),
        ({"value": "0x10"}, "value", "not_a_number", {"value": "0x10"}),
        ({"value": "sNaN"}, "value", "not_a_number", {"value": "sNaN"}),
        ({"value": 10**18}, "value", "number_too_large", {"value": str(10**18), "max": 18}),
        ({"value": "1e999999999"}, "value", "number_too_large", {"value": "1e999999999", "max": 18}),
        ({"value": "1e99999999999999999999"}, "value", "number_too_large", {"value": "1e99999999999999999999",
                                                                             "max": 18}),
        ({"metric": "good_units", "value": "3.5"}, "value", "not_an_integer", {"value": "3.5"}),
        ({"metric": "good_units", "value": 3.5}, "value", "not_an_integer", {"value": "3.5"}),
        ({"metric": "good_units", "value": -3}, "value", "out_of_range", {"value": "-3", "min": "0", "max": None}),
        ({"metric": "score", "period": "2026", "value": 6}, "value", "out_of_range",
         {"value": "6", "min": None, "max": "5.5"}),
        ({"metric": "trained", "period": "2026-11", "value": "yes"}, "value", "wrong_type",
         {"expected": "boolean", "got": "text", "value": "yes"}),
        ({"metric": "trained", "period": "2026-11", "value": 2}, "value", "wrong_type",
         {"expected": "boolean", "got": "integer", "value": "2"}),
        ({"metric": "trained", "period": "2026-11", "value": 1.0}, "value", "wrong_type",
         {"expected": "boolean", "got": "number", "value": "1.0"}),
        ({"metric": "comment", "period": "2026-Q4", "value": 5}, "value", "wrong_type",
         {"expected": "text", "got": "integer"}),
        ({"metric": "comment", "period": "2026-Q4", "value": "x" * 2001}, "value", "value_too_long",
         {"length": 2001, "max": 2000}),
        ({"metric": "temperature", "subject_type": "machine", "subject": "M1", "period": None}, "at",
         "missing_field", {}),
        ({"metric": "temperature", "subject_type": "machine", "subject": "M1", "at": "2026-11-22T08:00:00Z"},
         "period", "wrong_grain", {"metric": "temperature", "grain": "instant", "period": "2026-11-22"}),
    ],
)
def test_rejections(fields: dict[str, Any], field: str, code: str, params: dict[str, Any]) -> None:
    rejection = one_rejection(**fields)
    assert (rejection.index, rejection.field, rejection.code, rejection.params) == (0, field, code, params)
    assert rejection.row_key == (None if field == "row_key" else "r1")
    english, chinese = rejection.message("en"), rejection.message("zh-hans")
    assert english
    assert chinese
    assert english != chinese
    assert code not in english
    assert "{" not in english
    assert "{" not in chinese


def test_the_first_problem_in_field_order_is_reported() -> None:
    rejection = one_rejection(metric="nope", subject="E999", period="bad", value="n/a")
    assert rejection.code == "unknown_metric"
    rejection = one_rejection(subject="E999", period="bad", value="n/a")
    assert rejection.code == "unknown_subject"
    rejection = one_rejection(period="bad", unit="kg", value="n/a")
    assert rejection.code == "bad_period"
    rejection = one_rejection(unit="kg", value="n/a")
    assert rejection.code == "wrong_unit"


def test_messages() -> None:
    def said(**fields: Any) -> tuple[str, str]:
        rejection = one_rejection(**fields)
        return rejection.message("en"), rejection.message("zh-hans")

    assert said(value=100.01) == ("100.01 is out of range: it must be from 0 to 100.", "100.01 超出范围：应在 0 到 100 之间。")
    assert said(metric="good_units", value=-3) == ("-3 is below the minimum of 0.", "-3 低于最小值 0。")
    assert said(metric="score", period="2026", value=6) == ("6 is above the maximum of 5.5.", "6 高于最大值 5.5。")
    assert said(subject="E999") == ("Unknown employee “E999”.", "员工“E999”不存在。")
    assert said(subject_type="line", subject="L99") == ("Unknown production line “L99”.", "产线“L99”不存在。")
    assert said(subject_type="machine") == (
        "The metric “yield_pct” is not recorded for machine subjects: allowed are employee, production line.",
        "数据项“yield_pct”不适用于设备：只适用于员工、产线。")
    assert said(period="2026-11") == (
        "The metric “yield_pct” is recorded per day: “2026-11” is a month (write it like 2026-11-22).",
        "数据项“yield_pct”按日记录：“2026-11”是月（应写成 2026-11-22 的形式）。")
    assert said(period="2026-02-30") == ("There is no date “2026-02-30”.", "日期“2026-02-30”不存在。")
    assert said(value="n/a") == ("“n/a” is not a number.", "“n/a”不是数字。")
    assert said(metric="good_units", value="3.5") == ("3.5 is not a whole number.", "3.5 不是整数。")
    assert said(unit="kg") == ("The unit “kg” is not the metric's unit “%”.", "单位“kg”与数据项的单位“%”不符。")
    assert said(metric="score", period="2026", value=1, unit="%") == (
        "The metric has no unit, but “%” was sent.", "该数据项没有单位，但发送了“%”。")
    assert said(value=None) == ("The value is missing.", "缺少数值。")
    assert said(metric="trained", period="2026-11", value="yes") == (
        "The value must be true or false (or 1, 0), not yes.", "数值必须是 true 或 false（或 1、0），而不是 yes。")
    assert said(subject=None) == ("subject is missing.", "缺少字段 subject。")
    assert said(value=[1]) == ("value must be a number, not an array.", "value 必须是数字，而不是数组。")
    assert said(at="2026-11-22 08:30") == (
        "The timestamp “2026-11-22 08:30” has no time zone: add one, such as +08:00 or Z.",
        "时间“2026-11-22 08:30”缺少时区：请加上时区，如 +08:00 或 Z。")
    assert said(metric="temperature", subject_type="machine", subject="M1", at="2026-11-22T08:00:00Z") == (
        "The metric “temperature” is recorded at a point in time: send the timestamp in at, not a period.",
        "数据项“temperature”按时点记录：请在 at 中填写时间，而不是期间。")


def test_rejection_to_dict() -> None:
    rejection = one_rejection(value="n/a")
    assert rejection.to_dict() == {"row": 0, "row_key": "r1", "field": "value", "code": "not_a_number",
                                   "params": {"value": "n/a"}, "message_en": "“n/a” is not a number.",
                                   "message_zh_hans": "“n/a”不是数字。"}
    json.dumps(rejection.to_dict())  # JSON-safe


def test_every_code_has_a_sentence_in_both_languages() -> None:
    for table in (ROW_MESSAGES, DECODE_MESSAGES):
        for code, (english, chinese) in table.items():
            assert english.strip(), code
            assert chinese.strip(), code
            assert english != chinese, code


def test_duplicate_row_keys_in_one_request() -> None:
    accepted, rejected = check(row(row_key="a", value=1), row(row_key="b", value=2), row(row_key="a", value=3),
                               row(row_key="a", value=1))
    assert [r.row_key for r in accepted] == ["a", "b"]
    assert accepted[0].value == 1
    assert [(r.index, r.code, r.params) for r in rejected] == [
        (2, "duplicate_row_key_in_batch", {"row_key": "a", "first_index": 0}),
        (3, "duplicate_row_key_in_batch", {"row_key": "a", "first_index": 0})]
    assert rejected[0].message("en") == "The row key “a” is used twice in this batch (first at rows[0])."
    # the first is validated, even when it is itself invalid: the later ones are still duplicates
    accepted, rejected = check(row(row_key="x", value="bad"), row(row_key="x", value=1))
    assert not accepted
    assert [r.code for r in rejected] == ["not_a_number", "duplicate_row_key_in_batch"]


def test_numbers_as_keys_and_subjects() -> None:
    accepted, rejected = check(row(row_key=12345, subject=10023))
    assert not rejected
    assert (accepted[0].row_key, accepted[0].subject, accepted[0].subject_id) == ("12345", "10023", 3)


def test_blank_optional_fields_are_absent() -> None:
    accepted, rejected = check(row(subject_type="", unit="", at=""))
    assert not rejected
    assert accepted[0].subject_type == "employee"
    assert accepted[0].at is None


def test_default_timezone_for_naive_timestamps() -> None:
    accepted, rejected = check(row(metric="temperature", subject_type="machine", subject="M1", period=None,
                                   at="2026-11-22T08:30:00"), default_timezone=CST)
    assert not rejected
    assert accepted[0].at == datetime(2026, 11, 22, 0, 30, tzinfo=UTC)


def test_lenient_periods() -> None:
    daily_for_monthly = row(metric="sales", period="2026-11-22", value=1, unit="CNY")
    _, rejected = check(daily_for_monthly)
    assert rejected[0].code == "wrong_grain"
    accepted, rejected = check(daily_for_monthly, row(row_key="r2", metric="sales", period=None,
                                                       at="2026-11-30T23:00:00+08:00", value=2),
                               lenient_periods=True)
    assert not rejected
    assert [r.period for r in accepted] == ["2026-11", "2026-11"]
    _, rejected = check(row(period=None, at="2026-11-30T23:00:00+08:00"))  # not lenient: period required
    assert rejected[0].code == "missing_field"
    assert rejected[0].field == "period"


def test_subjects_as_a_function_called_once_per_subject() -> None:
    calls: list[tuple[str, str]] = []

    def find(kind: str, code: str) -> int | None:
        calls.append((kind, code))
        return SUBJECTS.get((kind, code))

    rows = [row(row_key=str(n), subject="E001" if n % 3 else "E404") for n in range(30)]
    result = validate_rows(rows, RULES, find)
    assert len(result.accepted) == 20
    assert len(result.rejected) == 10
    assert sorted(calls) == [("employee", "E001"), ("employee", "E404")]


def test_rows_as_dicts_structs_and_junk() -> None:
    result = validate_rows([row(), RawRow("r2", "yield_pct", "E001", None, "2026-11-22", None, 1, None), 5, None],
                           RULES, SUBJECTS)
    assert [r.index for r in result.accepted] == [0, 1]
    assert [(r.index, r.code, r.params) for r in result.rejected] == [
        (2, "not_an_object", {"got": "integer"}), (3, "not_an_object", {"got": "null"})]


def test_metric_rule_checks_itself() -> None:
    assert MetricRule("x", min=0, max=10).min == Decimal(0)  # type: ignore[arg-type]
    assert MetricRule("x", subject_types=["line"]).subject_types == frozenset({"line"})  # type: ignore[arg-type]
    for bad in ({"value_type": "float"}, {"grain": "decade"}, {"min": Decimal(2), "max": Decimal(1)},
                {"min": Decimal("NaN")}, {"min": 0.5}, {"value_type": "boolean", "max": Decimal(1)},
                {"value_type": "text", "min": Decimal(0)}):
        with pytest.raises(ValueError):  # noqa: PT011 - each message differs
            MetricRule("x", **bad)


def test_echoed_values_are_cut() -> None:
    rejection = one_rejection(value="x" * 500)
    assert len(rejection.params["value"]) == 101
    assert rejection.params["value"].endswith("…")
    huge = one_rejection(value=10**5000)
    assert huge.code == "number_too_large"
    assert huge.params["value"] == "1.000000E+5000"


# ------------------------------------------------------------------------------------------ worked example


def test_ten_thousand_rows_with_37_invalid() -> None:
    """10,000 rows pushed in one request, 37 of them wrong in 37 ways: 9,963 accepted, 37 rejected, each with
    its reason; nothing dropped, nothing counted twice."""
    rng = random.Random(20261122)
    rows: list[dict[str, Any]] = []
    for n in range(10_000):
        rows.append({"row_key": f"mes-{n:05d}", "metric": "yield_pct",
                     "subject": rng.choice(["E001", "E002"]), "period": f"2026-11-{n % 30 + 1:02d}",
                     "value": round(rng.uniform(80, 100), 2), "unit": "%"})
    breaks: list[tuple[dict[str, Any], str, str]] = [
        ({"value": 100.5}, "value", "out_of_range"),
        ({"value": -0.01}, "value", "out_of_range"),
        ({"value": "n/a"}, "value", "not_a_number"),
        ({"value": "NaN"}, "value", "not_a_number"),
        ({"value": "Infinity"}, "value", "not_a_number"),
        ({"value": ""}, "value", "missing_field"),
        ({"value": None}, "value", "missing_field"),
        ({"value": True}, "value", "wrong_type"),
        ({"value": {"v": 1}}, "value", "wrong_type"),
        ({"value": "0.123456789012"}, "value", "too_many_decimals"),
        ({"value": "1e20"}, "value", "number_too_large"),
        ({"unit": "‰"}, "unit", "wrong_unit"),
        ({"unit": ["%"]}, "unit", "wrong_type"),
        ({"metric": "yield"}, "metric", "unknown_metric"),
        ({"metric": None}, "metric", "missing_field"),
        ({"metric": 7.5}, "metric", "wrong_type"),
        ({"subject": "E003"}, "subject", "unknown_subject"),
        ({"subject": None}, "subject", "missing_field"),
        ({"subject": ""}, "subject", "missing_field"),
        ({"subject_type": "department"}, "subject_type", "subject_type_not_allowed"),
        ({"subject_type": "line", "subject": "E001"}, "subject", "unknown_subject"),
        ({"period": "2026-11-31"}, "period", "bad_period"),
        ({"period": "2026-W47"}, "period", "wrong_grain"),
        ({"period": "2026-11"}, "period", "wrong_grain"),
        ({"period": None}, "period", "missing_field"),
        ({"period": 20261122}, "period", "wrong_type"),
        ({"period": "11/22/2026"}, "period", "bad_period"),
        ({"period": "1899-12-31"}, "period", "bad_period"),
        ({"at": "tomorrow"}, "at", "bad_timestamp"),
        ({"at": "2026-11-22T08:00:00"}, "at", "bad_timestamp"),
        ({"row_key": None}, "row_key", "missing_field"),
        ({"row_key": "k" * 300}, "row_key", "value_too_long"),
        ({"row_key": ["a"]}, "row_key", "wrong_type"),
        ({"row_key": "mes-00000"}, "row_key", "duplicate_row_key_in_batch"),
        ({"row_key": "mes-00001"}, "row_key", "duplicate_row_key_in_batch"),
        ({"subject": "E" * 300}, "subject", "value_too_long"),
        ({"value": "96,5"}, "value", "not_a_number"),
    ]
    assert len(breaks) == 37
    positions = sorted(rng.sample(range(2, 10_000), 37))
    expected: dict[int, tuple[str, str]] = {}
    for position, (change, field, code) in zip(positions, breaks, strict=True):
        rows[position] = {**rows[position], **change}
        expected[position] = (field, code)

    batch = decode_batch(gzip_module.compress(body(rows)), gzip=True)
    assert isinstance(batch, Batch)
    assert len(batch.rows) == 10_000
    result = validate_rows(batch.rows, RULES, SUBJECTS)

    assert (len(result.accepted), len(result.rejected)) == (9_963, 37)
    assert {r.index: (r.field, r.code) for r in result.rejected} == expected
    assert all(r.message("en") and r.message("zh-hans") for r in result.rejected)
    indexes = [r.index for r in result.accepted] + [r.index for r in result.rejected]
    assert sorted(indexes) == list(range(10_000))
    assert result.rejected_by_code() == dict(Counter(code for _, code in expected.values()))
    # accepted values are the exact decimals that were sent
    for accepted in result.accepted[:200]:
        assert accepted.value == Decimal(str(rows[accepted.index]["value"]))
    assert all(r.unit == "%" and r.subject_id in (1, 2) for r in result.accepted)
