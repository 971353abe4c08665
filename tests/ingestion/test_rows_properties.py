"""Properties of decode_batch and validate_rows (hypothesis): they never raise, every row is accounted for
exactly once, and a valid value comes back as exactly the Decimal that was sent."""

from __future__ import annotations

import gzip as gzip_module
import json
from datetime import date
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fairmark.ingestion.periods import GRAINS, period_of
from fairmark.ingestion.rows import Batch, DecodeError, MetricRule, RawRow, UnreadableRow, decode_batch, validate_rows

RULES = {
    "d": MetricRule("d", "decimal", unit="%", min=Decimal(-1000), max=Decimal(1000), grain="day",
                    subject_types=frozenset({"employee", "line"})),
    "i": MetricRule("i", "integer", min=Decimal(0), grain="month"),
    "b": MetricRule("b", "boolean", grain="week"),
    "t": MetricRule("t", "text", grain="quarter"),
    "n": MetricRule("n", "decimal", grain="instant", subject_types=frozenset({"machine"})),
    "y": MetricRule("y", "decimal", grain="year"),
}
SUBJECTS = {("employee", "E1"): 1, ("employee", "E2"): 2, ("line", "L1"): 3, ("machine", "M1"): 4}
FIELD_NAMES = ["row_key", "metric", "subject", "subject_type", "period", "at", "value", "unit"]

json_leaves = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True)
               | st.decimals(allow_nan=True, allow_infinity=True) | st.text(max_size=12))
json_values = st.recursive(json_leaves, lambda children: st.lists(children, max_size=3)
                           | st.dictionaries(st.text(max_size=5), children, max_size=3), max_leaves=6)
# field values that are often plausible, sometimes anything
plausible: dict[str, st.SearchStrategy[Any]] = {
    "row_key": st.sampled_from(["a", "b", "c", "", 7]) | json_values,
    "metric": st.sampled_from(list(RULES)) | json_values,
    "subject": st.sampled_from(["E1", "E2", "L1", "M1", "X"]) | json_values,
    "subject_type": st.sampled_from(["employee", "line", "machine", ""]) | json_values,
    "period": st.sampled_from(["2026-11-22", "2026-11", "2026-W47", "2026-Q4", "2026", "2026-13"]) | json_values,
    "at": st.sampled_from(["2026-11-22T08:00:00+08:00", "2026-11-22T08:00:00", "x"]) | json_values,
    "value": st.sampled_from(["1", "1.5", "1e3", "NaN", True, 0]) | json_values,
    "unit": st.sampled_from(["%", "", "kg"]) | json_values,
}
rows_strategy = st.lists(
    st.fixed_dictionaries({}, optional=plausible) | json_values, max_size=12)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300), st.booleans())
def test_any_bytes_decode_to_a_batch_or_an_error(data: bytes, compressed: bool) -> None:
    result = decode_batch(data, gzip=compressed)
    assert isinstance(result, (Batch, DecodeError))
    if isinstance(result, DecodeError):
        assert result.message("en")
        assert result.message("zh-hans")


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=200))
def test_any_bytes_inside_a_valid_envelope(junk: bytes) -> None:
    for data in (b'{"idempotency_key": "k", "rows": [' + junk + b"]}",
                 b'{"idempotency_key": "k", "rows": [{"value": ' + junk + b"}]}"):
        result = decode_batch(data)
        assert isinstance(result, (Batch, DecodeError))
        if isinstance(result, Batch):
            validated = validate_rows(result.rows, RULES, SUBJECTS)
            assert len(validated.accepted) + len(validated.rejected) == len(result.rows)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(rows_strategy)
def test_any_rows_are_each_accepted_or_rejected_exactly_once(rows: list[Any]) -> None:
    result = validate_rows(rows, RULES, SUBJECTS)
    indexes = [r.index for r in result.accepted] + [r.index for r in result.rejected]
    assert sorted(indexes) == list(range(len(rows)))
    for rejection in result.rejected:
        assert rejection.field in (*FIELD_NAMES, "row")
        assert rejection.message("en")
        assert rejection.message("zh-hans")
        json.dumps(rejection.to_dict())  # params are JSON-safe
    keys = [r.row_key for r in result.accepted]
    assert len(keys) == len(set(keys))
    for accepted in result.accepted:
        assert isinstance(accepted.value, str if accepted.metric == "t" else Decimal)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(rows_strategy)
def test_any_rows_through_json_and_decode(rows: list[Any]) -> None:
    """The same, for rows that went through the wire: JSON text, maybe gzip, decode_batch."""
    try:
        text = json.dumps({"idempotency_key": "k", "rows": rows}, default=str, allow_nan=False)
    except ValueError:  # NaN or infinity: JSON cannot carry them
        return
    result = decode_batch(gzip_module.compress(text.encode()), gzip=True)
    assert isinstance(result, Batch)
    assert all(isinstance(r, RawRow) or not isinstance(r, dict) or isinstance(r, UnreadableRow) for r in result.rows)
    validated = validate_rows(result.rows, RULES, SUBJECTS)
    assert len(validated.accepted) + len(validated.rejected) == len(rows)


finite_decimals = st.decimals(min_value=Decimal(-1000), max_value=Decimal(1000), allow_nan=False,
                              allow_infinity=False, places=None).filter(
    lambda d: d.as_tuple().exponent >= -10 or d == d.quantize(Decimal("1e-10")))


@settings(max_examples=300)
@given(finite_decimals, st.booleans())
def test_a_valid_value_round_trips_exactly(value: Decimal, as_string: bool) -> None:
    sent = str(value)
    number = sent if as_string else "@@"
    data = json.dumps({"idempotency_key": "k", "rows": [
        {"row_key": "r", "metric": "d", "subject": "E1", "period": "2026-11-22", "value": number}]}).encode()
    if not as_string:
        data = data.replace(b'"@@"', sent.encode())
    batch = decode_batch(data)
    assert isinstance(batch, Batch)
    result = validate_rows(batch.rows, RULES, SUBJECTS)
    assert not result.rejected, result.rejected
    got = result.accepted[0].value
    assert isinstance(got, Decimal)
    assert got == value
    assert str(got) == str(Decimal(sent))


@given(st.integers(min_value=0, max_value=10**17), st.booleans())
def test_integers_round_trip(value: int, as_string: bool) -> None:
    result = validate_rows([{"row_key": "r", "metric": "i", "subject": "E1", "period": "2026-11",
                             "value": str(value) if as_string else value}], RULES, SUBJECTS)
    assert [r.value for r in result.accepted] == [Decimal(value)]


@given(st.dates(min_value=date(1901, 1, 1), max_value=date(2998, 12, 31)), st.sampled_from(GRAINS))
def test_period_keys_round_trip_through_validation(day: date, grain: str) -> None:
    rules = {"m": MetricRule("m", "decimal", grain=grain)}
    period = period_of(day, grain)
    rows = [{"row_key": "exact", "metric": "m", "subject": "E1", "period": period.key, "value": 1},
            {"row_key": "lenient", "metric": "m", "subject": "E1", "period": day.isoformat(), "value": 1}]
    result = validate_rows(rows, rules, SUBJECTS, lenient_periods=True)
    assert [(r.period, r.period_start, r.period_end) for r in result.accepted] == [
        (period.key, period.start, period.end)] * 2
