"""Validating pushed rows against the metrics' rules (DESIGN.md C3 "Validation per metric"). Pure.

    result = validate_rows(batch.rows, {"good_units": MetricRule("good_units", "integer", unit="pcs",
                                                                  min=Decimal(0), grain="day")},
                           {("employee", "E001"): 17})
    result.accepted[0]    # AcceptedRow(index=0, row_key='r1', metric='good_units', ..., value=Decimal('9650'))
    result.rejected[0].message("zh-hans")

Every input row ends up exactly once in `accepted` or in `rejected`. A row is checked field by field in a
fixed order (row_key, metric, subject_type, subject, at, period, unit, value) and rejected with the first
problem found, as (index, row_key, field, code, params); `.message(language)` words it in English or
Simplified Chinese. A row key used twice in one request: the first row is validated, every later one is
rejected as `duplicate_row_key_in_batch` (duplicates across requests, unchanged or conflicting, are found
against stored values, not here).

Values: `decimal` takes JSON numbers (already Decimal from their text, see decode), integers, and strings
such as "96.5" or "1e3" (plain ASCII digits only: no "1,000", "1_000", full-width digits or NaN/Infinity);
floats handed in by other callers (an Excel reader) are converted through their shortest repr, never
binary. `integer` takes the same but rejects a fractional value ("3.5"); "3.0" and 3E+2 are whole numbers
(returned as Decimal('3'), Decimal('300')). `boolean` takes true/false, 1/0 and the strings "true",
"false", "1", "0" (any case), returned as Decimal 1 or 0. `text` takes a string of at most
MAX_TEXT_LENGTH characters, returned as str. Numbers must fit NUMERIC(MAX_INTEGER_DIGITS +
MAX_DECIMAL_PLACES, MAX_DECIMAL_PLACES): more digits are rejected, never rounded.

The hot path raises no exception for a valid row, looks rules, subjects, periods and timestamps up in
per-call dicts, and keeps names local; the reasons of a rejection are worked out off that path, in the
`_…_problem` helpers: see bench/ingest_decode.py."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from decimal import Context, Decimal, Inexact, InvalidOperation
from typing import Any

import msgspec

from ..periods import GRAINS, PeriodError, parse_period
from .decode import RawRow, UnreadableRow
from .messages import EN, ZH, render_rejection

DECIMAL, INTEGER, BOOLEAN, TEXT = "decimal", "integer", "boolean", "text"
VALUE_TYPES: tuple[str, ...] = (DECIMAL, INTEGER, BOOLEAN, TEXT)
INSTANT = "instant"  # a grain: values at a timestamp (`at`) rather than for a period
RULE_GRAINS: tuple[str, ...] = (*GRAINS, INSTANT)
DEFAULT_SUBJECT_TYPE = "employee"
SUBJECT_TYPES: tuple[str, ...] = ("employee", "team", "department", "line", "machine", "project")

MAX_ROW_KEY = 200
MAX_SUBJECT = 200
MAX_SUBJECT_TYPE = 50
MAX_TIMESTAMP = 64
MAX_TEXT_LENGTH = 2000
MAX_INTEGER_DIGITS = 18
MAX_DECIMAL_PLACES = 10
MIN_TIMESTAMP_YEAR, MAX_TIMESTAMP_YEAR = 1900, 2999
ECHO = 100  # a rejected value is echoed in params up to this many characters

FIELDS = ("row_key", "metric", "subject_type", "subject", "at", "period", "unit", "value")  # checked in this order
_ONE, _ZERO = Decimal(1), Decimal(0)
_PLACES = Decimal(1).scaleb(-MAX_DECIMAL_PLACES)
# quantize never needs more precision; Inexact is trapped so that a value with more places than allowed raises
_CONTEXT = Context(prec=MAX_INTEGER_DIGITS + MAX_DECIMAL_PLACES + 2, traps=[InvalidOperation, Inexact])
_ROUNDING = Context(prec=MAX_INTEGER_DIGITS + MAX_DECIMAL_PLACES + 2)  # the same, rounding quietly
_NUMBER_TEXT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)
_BOOLEAN_TEXT = {"true": _ONE, "false": _ZERO, "1": _ONE, "0": _ZERO}


@dataclass(frozen=True)
class MetricRule:
    """How one metric's values are checked. `min`/`max` are inclusive (numbers only); `unit` "" means the
    metric has no unit; `grain` is a period grain or "instant"; `subject_types` the kinds of subject it is
    recorded for."""

    code: str
    value_type: str = DECIMAL
    unit: str = ""
    min: Decimal | None = None
    max: Decimal | None = None
    grain: str = "day"
    subject_types: frozenset[str] = field(default_factory=lambda: frozenset({DEFAULT_SUBJECT_TYPE}))

    def __post_init__(self) -> None:
        if self.value_type not in VALUE_TYPES:
            raise ValueError(f"value_type must be one of {VALUE_TYPES}, not {self.value_type!r}")
        if self.grain not in RULE_GRAINS:
            raise ValueError(f"grain must be one of {RULE_GRAINS}, not {self.grain!r}")
        if not isinstance(self.subject_types, frozenset):
            object.__setattr__(self, "subject_types", frozenset(self.subject_types))
        for name in ("min", "max"):
            bound = getattr(self, name)
            if bound is None:
                continue
            if self.value_type in (BOOLEAN, TEXT):
                raise ValueError(f"a {self.value_type} metric takes no {name}")
            if isinstance(bound, int) and not isinstance(bound, bool):
                object.__setattr__(self, name, Decimal(bound))
            elif not isinstance(bound, Decimal) or not bound.is_finite():
                raise ValueError(f"{name} must be a finite Decimal, not {bound!r}")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min} is above max {self.max}")


class AcceptedRow(msgspec.Struct, frozen=True, gc=False):
    """A valid row, normalised. `period` is the canonical key (with its first and last day) for period
    metrics and "" for instant metrics; `at` the timestamp when one was sent (always for instant metrics);
    `value` a Decimal, or str for text metrics; `unit` the metric's unit."""

    index: int
    row_key: str
    metric: str
    subject_type: str
    subject: str
    subject_id: int
    period: str
    period_start: date | None
    period_end: date | None
    at: datetime | None
    value: Decimal | str
    unit: str


class Rejection(msgspec.Struct, frozen=True, gc=False):
    """Why row `index` was refused: the field, a code and JSON-safe params (never text)."""

    index: int
    row_key: str | None
    field: str
    code: str
    params: dict[str, Any]

    def message(self, language: str = EN) -> str:
        return render_rejection(self.code, self.field, self.params, language)

    def to_dict(self) -> dict[str, Any]:
        return {"row": self.index, "row_key": self.row_key, "field": self.field, "code": self.code,
                "params": self.params, "message_en": self.message(EN), "message_zh_hans": self.message(ZH)}


@dataclass
class Validated:
    accepted: list[AcceptedRow]
    rejected: list[Rejection]

    def rejected_by_code(self) -> dict[str, int]:
        return dict(Counter(rejection.code for rejection in self.rejected))


# A MetricRule prepared for the loop, as a plain tuple (unpacked once per row, faster than attributes):
# (code, instant, kind, low, high, unit, subject_types, periods, grain, allowed). kind: 0 decimal, 1 integer,
# 2 boolean, 3 text. low/high are the rule's bounds narrowed to what NUMERIC can hold, so one chained
# comparison checks both; periods is the grain's cache: text → (key, start, end) or the PeriodError.
_PeriodHit = tuple[str, date, date]
_Prepared = tuple[str, bool, int, Decimal, Decimal, str, frozenset[str], dict[str, "_PeriodHit | PeriodError"], str,
                  list[str]]
_LIMIT = Decimal(10) ** MAX_INTEGER_DIGITS - _PLACES  # the largest number NUMERIC(28, 10) holds


def _prepare(rule: MetricRule, periods: dict[str, _PeriodHit | PeriodError]) -> _Prepared:
    low = -_LIMIT if rule.min is None else max(rule.min, -_LIMIT)
    high = _LIMIT if rule.max is None else min(rule.max, _LIMIT)
    return (rule.code, rule.grain == INSTANT, VALUE_TYPES.index(rule.value_type), low, high, rule.unit,
            rule.subject_types, periods, rule.grain, sorted(rule.subject_types))


# ------------------------------------------------------------------------------------ slow paths (errors)

def json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, (Decimal, float)):
        return "number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, (list, tuple)):
        return "array"
    if isinstance(value, Mapping):
        return "object"
    return type(value).__name__


def echo(value: object) -> str:
    """A sent value as text for params, cut to ECHO characters."""
    if isinstance(value, int) and not isinstance(value, bool):
        text = str(value) if value.bit_length() < 1000 else f"{Decimal(value):.6E}"
    elif isinstance(value, Decimal):
        text = str(value) if len(value.as_tuple().digits) < 1000 else f"{value:.6E}"
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif value is None:
        text = "null"
    else:
        text = str(value)
    return text if len(text) <= ECHO else text[:ECHO] + "…"


def _text_problem(value: object, maximum: int) -> tuple[str, dict[str, Any]] | str:
    """A field that must be text: the text (an integer counts: 10023 → "10023"), or (code, params)."""
    if value is None or value == "":
        return ("missing_field", {})
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) < 10**MAX_SUBJECT:
        value = str(value)
    if not isinstance(value, str):
        return ("wrong_type", {"expected": "text", "got": json_type(value)})
    if len(value) > maximum:
        return ("value_too_long", {"length": len(value), "max": maximum})
    return value


def _number(value: object) -> Decimal | tuple[str, dict[str, Any]]:
    """A value that is not already Decimal or int: a numeric string or a float, else (code, params)."""
    if value is None or value == "":
        return ("missing_field", {})
    if isinstance(value, str):
        text = value.strip()
        if _NUMBER_TEXT.fullmatch(text) is None:
            return ("not_a_number", {"value": echo(value)})
        try:
            return Decimal(text)
        except (InvalidOperation, ValueError):  # an exponent beyond Decimal's range
            return ("number_too_large", {"value": echo(value), "max": MAX_INTEGER_DIGITS})
    if isinstance(value, float):
        if not math.isfinite(value):
            return ("not_a_number", {"value": echo(value)})
        return Decimal(repr(value))
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    return ("wrong_type", {"expected": "number", "got": json_type(value)})


def _boolean(value: object) -> Decimal | tuple[str, dict[str, Any]]:
    if value is True or value is False:
        return _ONE if value else _ZERO
    if value is None or value == "":
        return ("missing_field", {})
    if isinstance(value, str):
        found = _BOOLEAN_TEXT.get(value.strip().lower())
    elif isinstance(value, int):
        found = _ONE if value == 1 else _ZERO if value == 0 else None
    else:
        found = None
    return found if found is not None else ("wrong_type", {"expected": "boolean", "got": json_type(value),
                                                           "value": echo(value)})


def _timestamp(value: object, default_timezone: tzinfo | None) -> datetime | tuple[str, dict[str, Any]]:
    if value is None or value == "":
        return ("missing_field", {})
    if not isinstance(value, str):
        return ("wrong_type", {"expected": "text", "got": json_type(value)})
    if len(value) > MAX_TIMESTAMP:
        return ("bad_timestamp", {"value": echo(value)})
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return ("bad_timestamp", {"value": echo(value)})
    if moment.tzinfo is None:
        if default_timezone is None:
            return ("bad_timestamp", {"value": echo(value), "reason": "no_timezone"})
        moment = moment.replace(tzinfo=default_timezone)
    if not MIN_TIMESTAMP_YEAR <= moment.year <= MAX_TIMESTAMP_YEAR:
        return ("bad_timestamp", {"value": echo(value), "reason": "out_of_range"})
    return moment


def _period(text: str, grain: str, lenient: bool, periods: dict[str, _PeriodHit | PeriodError]
            ) -> _PeriodHit | PeriodError:
    found: _PeriodHit | PeriodError
    try:
        period = parse_period(text, grain, lenient=lenient)
        found = (period.key, period.start, period.end)
    except PeriodError as error:
        found = error
    if len(text) <= MAX_TIMESTAMP:
        periods[text] = found
    return found


def _period_problem(error: PeriodError, metric: str, grain: str) -> tuple[str, dict[str, Any]]:
    if error.code == "wrong_grain":
        return ("wrong_grain", {"metric": metric, "period": echo(error.params.get("period", "")), "grain": grain,
                                "got": error.params.get("got")})
    return ("bad_period", {"reason": error.code, **{key: echo(value) if isinstance(value, str) else value
                                                    for key, value in error.params.items()}})


def _value_problem(value: Decimal, kind: int, rule: MetricRule, sent: object) -> tuple[str, dict[str, Any]]:
    """Why a number failed the loop's one comparison and quantize, in a fixed order of codes."""
    shown = echo(sent)
    if not value.is_finite():
        return ("not_a_number", {"value": shown})
    if value.adjusted() >= MAX_INTEGER_DIGITS:
        return ("number_too_large", {"value": shown, "max": MAX_INTEGER_DIGITS})
    if value.quantize(_ONE if kind == 1 else _PLACES, context=_ROUNDING) != value:
        if kind == 1:
            return ("not_an_integer", {"value": shown})
        return ("too_many_decimals", {"value": shown, "max": MAX_DECIMAL_PLACES})
    return ("out_of_range", {"value": shown, "min": None if rule.min is None else str(rule.min),
                             "max": None if rule.max is None else str(rule.max)})


def _as_raw_row(row: object) -> RawRow | None:
    if isinstance(row, Mapping):
        return RawRow(*(row.get(name) for name in ("row_key", "metric", "subject", "subject_type", "period", "at",
                                                    "value", "unit")))
    return None


def _subject_lookup(subjects: Mapping[tuple[str, str], int] | Callable[[str, str], int | None]
                    ) -> Callable[[tuple[str, str]], int | None]:
    if isinstance(subjects, Mapping):
        return subjects.get
    find = subjects
    cache: dict[tuple[str, str], int | None] = {}

    def lookup(key: tuple[str, str]) -> int | None:
        try:
            return cache[key]
        except KeyError:
            found = cache[key] = find(*key)
            return found

    return lookup


# ------------------------------------------------------------------------------------------- the loop

def validate_rows(rows: Iterable[object], rules: Mapping[str, MetricRule],
                  subjects: Mapping[tuple[str, str], int] | Callable[[str, str], int | None], *,
                  lenient_periods: bool = False, default_timezone: tzinfo | None = None) -> Validated:
    """Check every row (RawRow from decode_batch, or a mapping with the same keys, e.g. from a spreadsheet
    reader; anything else is rejected as `not_an_object`). `subjects` maps (subject_type, subject) to the
    subject's id, or is a function of (subject_type, subject) returning the id or None (called once per
    distinct subject). With `lenient_periods`, a finer period inside one period of the metric's grain is
    taken as that period (a date for a monthly metric), and a period metric without `period` takes it
    from the date of `at`. Naive timestamps are refused unless `default_timezone` is given."""
    accepted: list[AcceptedRow] = []
    rejected: list[Rejection] = []
    ok = accepted.append
    seen: dict[str, int] = {}
    prepared: dict[str, _Prepared | None] = {}
    period_caches: dict[str, dict[str, _PeriodHit | PeriodError]] = {grain: {} for grain in GRAINS}
    timestamps: dict[str, datetime | tuple[str, dict[str, Any]]] = {}
    lookup = _subject_lookup(subjects)
    accept, reject, row_type, text, integer, decimal, period_hit = AcceptedRow, Rejection, RawRow, str, int, Decimal, tuple
    quantize = _CONTEXT.quantize
    steps = (_PLACES, _ONE)
    max_row_key, max_subject, max_subject_type, max_text = MAX_ROW_KEY, MAX_SUBJECT, MAX_SUBJECT_TYPE, MAX_TEXT_LENGTH
    default_subject_type = DEFAULT_SUBJECT_TYPE

    def refuse(index: int, key: str | None, name: str, problem: tuple[str, dict[str, Any]]) -> None:
        code, params = problem
        rejected.append(reject(index, key, name, code, params))

    for index, row in enumerate(rows):
        if type(row) is not row_type:
            converted = _as_raw_row(row)
            if converted is None:
                if isinstance(row, UnreadableRow):
                    refuse(index, None, "row", ("unreadable_row", {"path": row.path, "detail": row.detail}))
                else:
                    refuse(index, None, "row", ("not_an_object", {"got": json_type(row)}))
                continue
            row = converted
        # row_key: unique within the request
        key: Any = row.row_key
        if type(key) is not text or not key or len(key) > max_row_key:
            key = _text_problem(key, MAX_ROW_KEY)
            if type(key) is tuple:
                refuse(index, None, "row_key", key)
                continue
        first = seen.setdefault(key, index)
        if first != index:
            refuse(index, key, "row_key", ("duplicate_row_key_in_batch", {"row_key": echo(key), "first_index": first}))
            continue
        # metric
        metric: Any = row.metric
        if type(metric) is not text or not metric:
            metric = _text_problem(metric, 10**6)
            if type(metric) is tuple:
                refuse(index, key, "metric", metric)
                continue
        rule = prepared.get(metric)
        if rule is None:
            if metric not in prepared:
                found = rules.get(metric)
                rule = prepared[metric] = None if found is None else _prepare(found, period_caches.get(found.grain, {}))
            if rule is None:
                refuse(index, key, "metric", ("unknown_metric", {"metric": echo(metric)}))
                continue
        code, instant, value_kind, low, high, rule_unit, subject_types, periods, grain, allowed = rule
        # subject
        kind: Any = row.subject_type
        if kind is None or kind == "":
            kind = default_subject_type
        elif type(kind) is not text or len(kind) > max_subject_type:
            kind = _text_problem(kind, MAX_SUBJECT_TYPE)
            if type(kind) is tuple:
                refuse(index, key, "subject_type", kind)
                continue
        if kind not in subject_types:
            refuse(index, key, "subject_type", ("subject_type_not_allowed", {
                "metric": code, "subject_type": echo(kind), "allowed": allowed}))
            continue
        subject: Any = row.subject
        if type(subject) is not text or not subject or len(subject) > max_subject:
            subject = _text_problem(subject, MAX_SUBJECT)
            if type(subject) is tuple:
                refuse(index, key, "subject", subject)
                continue
        subject_id = lookup((kind, subject))
        if subject_id is None:
            refuse(index, key, "subject", ("unknown_subject", {"subject_type": kind, "subject": echo(subject)}))
            continue
        # period and timestamp
        at: Any = row.at
        if at is not None:
            if type(at) is text:
                stamp = timestamps.get(at)
                at = stamp if stamp is not None else timestamps.setdefault(at, _timestamp(at, default_timezone))
            else:
                at = _timestamp(at, default_timezone)
            if type(at) is tuple:
                if at[0] != "missing_field" or instant:
                    refuse(index, key, "at", at)
                    continue
                at = None  # "at": "" on a period metric: absent
        period: Any = row.period
        if instant:
            if at is None:
                refuse(index, key, "at", ("missing_field", {}))
                continue
            if period is not None and period != "":
                refuse(index, key, "period", ("wrong_grain", {"metric": code, "grain": INSTANT, "period": echo(period)}))
                continue
            period_key, start, end = "", None, None
        else:
            if type(period) is text and period:
                hit = periods.get(period)
                if hit is None:
                    hit = _period(period, grain, lenient_periods, periods)
            elif period is not None and period != "":
                refuse(index, key, "period", ("wrong_type", {"expected": "text", "got": json_type(period)}))
                continue
            elif lenient_periods and at is not None:
                hit = _period(at.date().isoformat(), grain, True, periods)
            else:
                refuse(index, key, "period", ("missing_field", {}))
                continue
            if type(hit) is not period_hit:
                refuse(index, key, "period", _period_problem(hit, code, grain))  # type: ignore[arg-type]
                continue
            period_key, start, end = hit  # type: ignore[misc]
        # unit
        unit: Any = row.unit
        if unit is not None and unit != rule_unit and unit != "":
            if type(unit) is not text:
                refuse(index, key, "unit", ("wrong_type", {"expected": "text", "got": json_type(unit)}))
            else:
                refuse(index, key, "unit", ("wrong_unit", {"unit": echo(unit), "expected": rule_unit}))
            continue
        # value
        value: Any = row.value
        if value_kind <= 1:  # decimal, integer: one chained comparison, one quantize, errors sorted out later
            value_type = type(value)
            if value_type is not decimal:
                if value_type is integer:
                    value = decimal(value)
                else:
                    if value_type is text and value.isascii() and "_" not in value:
                        try:  # Decimal() reads "96.5", " 96.5 ", "1e3" (and "NaN": refused below)
                            value = decimal(value)
                        except ArithmeticError:
                            value = _number(value)
                    else:
                        value = _number(value)
                    if type(value) is tuple:
                        refuse(index, key, "value", value)
                        continue
            try:  # the context traps Inexact: a value with digits beyond the step raises
                if low <= value <= high:
                    if value_type is not integer:
                        whole = quantize(value, steps[value_kind])
                        if value_kind:
                            value = whole  # 3.0 → 3, 3E+2 → 300
                        elif not value and not -MAX_DECIMAL_PLACES <= value.adjusted() < MAX_INTEGER_DIGITS:
                            value = _ZERO  # 0E+999 or 0E-999 is zero, but no column holds that exponent
                    good = True
                else:
                    good = False
            except ArithmeticError:  # too many places, not whole, or NaN
                good = False
            if not good:
                refuse(index, key, "value", _value_problem(value, value_kind, rules[metric], row.value))
                continue
        elif value_kind == 2:
            value = _boolean(value)
            if type(value) is tuple:
                refuse(index, key, "value", value)
                continue
        elif type(value) is not text or not value or len(value) > max_text:
            if value is None or value == "":
                refuse(index, key, "value", ("missing_field", {}))
            elif type(value) is not text:
                refuse(index, key, "value", ("wrong_type", {"expected": "text", "got": json_type(value)}))
            else:
                refuse(index, key, "value", ("value_too_long", {"length": len(value), "max": MAX_TEXT_LENGTH}))
            continue
        ok(accept(index, key, metric, kind, subject, subject_id, period_key, start, end, at, value, rule_unit))
    return Validated(accepted, rejected)
