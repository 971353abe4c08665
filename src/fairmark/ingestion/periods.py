"""Period grains of metric values (DESIGN.md C3): day, ISO week, month, quarter, half-year and year. Pure.

    parse_period("2026-W47", "week")                      # Period(week 2026-W47: 2026-11-16 … 2026-11-22)
    parse_period("2026-11-22", "month", lenient=True)     # the month 2026-11
    period_of(date(2026, 11, 22), "quarter").key          # '2026-Q4'
    periods_between(date(2026, 1, 1), date(2026, 3, 31), "month")   # [2026-01, 2026-02, 2026-03]

Canonical keys: "2026-11-22" (day), "2026-W47" (ISO week, whose year is the ISO week-year), "2026-11" (month),
"2026-Q4" (quarter), "2026-H2" (half_year), "2026" (year). Parsing strips surrounding spaces and takes the
letters W, Q, H in either case; the key is always canonical, so `parse_period(p.key, p.grain) == p`.

With `lenient=True` a finer period that lies inside one period of the grain is taken as that period: a date
for any coarser grain (2026-11-22 → month 2026-11, week 2026-W47), a month for a quarter, half-year or year, a
quarter for a half-year or year, a half-year for a year. A week is never mapped to a month or coarser (weeks
straddle them).

Errors are `PeriodError(code, params)`, worded on demand in English or Simplified Chinese by `.message()`;
the module cannot use Django's gettext, so the sentences live here."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import total_ordering
from typing import Any

DAY, WEEK, MONTH, QUARTER, HALF_YEAR, YEAR = "day", "week", "month", "quarter", "half_year", "year"
GRAINS: tuple[str, ...] = (DAY, WEEK, MONTH, QUARTER, HALF_YEAR, YEAR)  # finest first
GRAIN_RANK: dict[str, int] = {grain: rank for rank, grain in enumerate(GRAINS)}
EXAMPLES: dict[str, str] = {DAY: "2026-11-22", WEEK: "2026-W47", MONTH: "2026-11", QUARTER: "2026-Q4",
                            HALF_YEAR: "2026-H2", YEAR: "2026"}

# Business data only: a year outside this range is a typo ("0226-11"), and the bounds keep date arithmetic safe.
MIN_YEAR = 1900
MAX_YEAR = 2999
MAX_PERIODS = 100_000  # periods_between refuses longer lists (100,000 days is 273 years)

# grain → the finer grains whose periods always lie inside one period of it (what lenient parsing maps up)
NESTED: dict[str, frozenset[str]] = {
    DAY: frozenset(),
    WEEK: frozenset({DAY}),
    MONTH: frozenset({DAY}),
    QUARTER: frozenset({DAY, MONTH}),
    HALF_YEAR: frozenset({DAY, MONTH, QUARTER}),
    YEAR: frozenset({DAY, MONTH, QUARTER, HALF_YEAR}),
}

_SHAPE = re.compile(
    r"([0-9]{4})(?:-(?:([0-9]{2})(?:-([0-9]{2}))?|[Ww]([0-9]{2})|[Qq]([0-9])|[Hh]([0-9])))?", re.ASCII)

# ---------------------------------------------------------------------------------------------- messages

GRAIN_NAMES: dict[str, tuple[str, str]] = {
    DAY: ("day", "日"), WEEK: ("week", "周"), MONTH: ("month", "月"), QUARTER: ("quarter", "季度"),
    HALF_YEAR: ("half-year", "半年"), YEAR: ("year", "年"), "instant": ("timestamp", "时点"),
}

# code → (English, 简体中文); placeholders are str.format names, {grain_name} and {got_name} are filled in.
MESSAGES: dict[str, tuple[str, str]] = {
    "empty": ("The period is empty: write a {grain_name} such as {example}.",
              "期间为空：请填写{grain_name}，如 {example}。"),
    "bad_format": ("“{period}” is not a {grain_name}: write it like {example}.",
                   "“{period}”不是有效的{grain_name}：应写成 {example} 的形式。"),
    "wrong_grain": ("“{period}” is a {got_name}, but a {grain_name} is expected (like {example}).",
                    "“{period}”是{got_name}，此处应为{grain_name}（如 {example}）。"),
    "no_such_date": ("There is no date “{period}”.", "日期“{period}”不存在。"),
    "no_such_month": ("There is no month “{period}”: months are 01 to 12.", "月份“{period}”不存在：月份为 01 到 12。"),
    "no_such_week": ("There is no ISO week “{period}”: {year} has {weeks} weeks.",
                     "ISO 周“{period}”不存在：{year} 年共 {weeks} 周。"),
    "no_such_quarter": ("There is no quarter “{period}”: quarters are Q1 to Q4.",
                        "季度“{period}”不存在：季度为 Q1 到 Q4。"),
    "no_such_half": ("There is no half-year “{period}”: halves are H1 and H2.",
                     "半年“{period}”不存在：应为 H1 或 H2。"),
    "year_out_of_range": ("The year of “{period}” is out of range: from {min_year} to {max_year}.",
                          "“{period}”的年份超出范围：应在 {min_year} 到 {max_year} 之间。"),
    "unknown_grain": ("Unknown period grain “{grain}”: use day, week, month, quarter, half_year or year.",
                      "未知的期间粒度“{grain}”：应为 day、week、month、quarter、half_year 或 year。"),
    "end_before_start": ("The end {end} is before the start {start}.", "结束日期 {end} 早于开始日期 {start}。"),
    "too_many_periods": ("From {start} to {end} there are more than {max} periods of one {grain_name}.",
                         "从 {start} 到 {end} 按{grain_name}超过 {max} 个期间。"),
}


def is_chinese(language: str) -> bool:
    """"zh-hans", "zh-Hans", "zh_CN", "zh" → Chinese; anything else → English (the project's fallback)."""
    return language.lower().replace("_", "-").startswith("zh")


def grain_name(grain: str, language: str = "en") -> str:
    names = GRAIN_NAMES.get(grain)
    return names[is_chinese(language)] if names else str(grain)


class PeriodError(ValueError):
    """A period text that cannot be read for its grain, or a bad range. Carries a code and params, never text."""

    def __init__(self, code: str, params: dict[str, Any] | None = None) -> None:
        self.code = code
        self.params: dict[str, Any] = dict(params or {})
        super().__init__(self.message("en"))

    def message(self, language: str = "en") -> str:
        chinese = is_chinese(language)
        english, zh = MESSAGES.get(self.code, (self.code, self.code))
        values: dict[str, Any] = {"min_year": MIN_YEAR, "max_year": MAX_YEAR, "max": MAX_PERIODS, **self.params}
        grain = str(values.get("grain", ""))
        values["grain_name"] = grain_name(grain, language)
        values["got_name"] = grain_name(str(values.get("got", "")), language)
        values.setdefault("example", EXAMPLES.get(grain, "2026-11-22"))
        try:
            return (zh if chinese else english).format(**values)
        except (KeyError, IndexError, ValueError):  # odd params from a caller: still say something
            return f"{self.code}: {self.params}"

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "params": self.params,
                "message_en": self.message("en"), "message_zh_hans": self.message("zh-hans")}

    def __repr__(self) -> str:
        return f"PeriodError({self.code!r}, {self.params!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (PeriodError, (self.code, self.params))


# ---------------------------------------------------------------------------------------------- periods

def _month_end(year: int, month: int) -> date:
    if month == 12:
        return date(year, 12, 31)
    return date(year, month + 1, 1) - timedelta(days=1)


def _floor(day: date, grain: str) -> date:
    """The first day of the period of `grain` that contains `day`."""
    if grain == DAY:
        return day
    if grain == WEEK:
        return day - timedelta(days=day.weekday())
    if grain == MONTH:
        return day.replace(day=1)
    if grain == QUARTER:
        return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    if grain == HALF_YEAR:
        return date(day.year, 1 if day.month <= 6 else 7, 1)
    return date(day.year, 1, 1)


def _end(start: date, grain: str) -> date:
    """The last day of the period of `grain` that starts on `start`."""
    if grain == DAY:
        return start
    if grain == WEEK:
        return start + timedelta(days=6)
    if grain == MONTH:
        return _month_end(start.year, start.month)
    if grain == QUARTER:
        return _month_end(start.year, start.month + 2)
    if grain == HALF_YEAR:
        return _month_end(start.year, start.month + 5)
    return date(start.year, 12, 31)


def _key(start: date, grain: str) -> str:
    if grain == DAY:
        return start.isoformat()
    if grain == WEEK:
        iso_year, week, _ = start.isocalendar()
        return f"{iso_year:04d}-W{week:02d}"
    if grain == MONTH:
        return f"{start.year:04d}-{start.month:02d}"
    if grain == QUARTER:
        return f"{start.year:04d}-Q{(start.month - 1) // 3 + 1}"
    if grain == HALF_YEAR:
        return f"{start.year:04d}-H{1 if start.month <= 6 else 2}"
    return f"{start.year:04d}"


@total_ordering
@dataclass(frozen=True)
class Period:
    """One period: its grain, first and last day (both inclusive) and canonical `key`. Build it with
    `parse_period` or `period_of`; the constructor checks that start and end fit the grain.

    Periods sort by start, then end (so a month sorts before the quarter that starts on the same day, and
    the quarter before the year); equal periods have the same grain, start and end."""

    grain: str
    start: date
    end: date
    key: str = field(init=False, compare=False)

    def __post_init__(self) -> None:
        if self.grain not in GRAIN_RANK:
            raise PeriodError("unknown_grain", {"grain": self.grain})
        if type(self.start) is not date or type(self.end) is not date:
            raise TypeError("Period start and end must be dates (datetime.date, not datetime)")
        if _floor(self.start, self.grain) != self.start or _end(self.start, self.grain) != self.end:
            raise ValueError(f"{self.start}…{self.end} is not one {self.grain}")
        object.__setattr__(self, "key", _key(self.start, self.grain))

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return (self.start, self.end, GRAIN_RANK[self.grain]) < (other.start, other.end, GRAIN_RANK[other.grain])

    def __str__(self) -> str:
        return self.key

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, day: date) -> bool:
        if isinstance(day, datetime):
            day = day.date()
        return self.start <= day <= self.end

    def next(self) -> Period:
        return period_of(self.end + timedelta(days=1), self.grain)

    def previous(self) -> Period:
        return period_of(self.start - timedelta(days=1), self.grain)


def _check_year(year: int, text: str) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise PeriodError("year_out_of_range", {"period": text})


def period_of(day: date, grain: str) -> Period:
    """The period of `grain` that contains `day` (a datetime counts as its date)."""
    if grain not in GRAIN_RANK:
        raise PeriodError("unknown_grain", {"grain": grain})
    if isinstance(day, datetime):
        day = day.date()
    year = day.isocalendar()[0] if grain == WEEK else day.year
    _check_year(year, day.isoformat())
    start = _floor(day, grain)
    return Period(grain, start, _end(start, grain))


def _weeks_in(iso_year: int) -> int:
    return date(iso_year, 12, 28).isocalendar()[1]  # 28 December is always in the last ISO week


def _parse_exact(text: str, match: re.Match[str], found: str) -> Period:
    """The period of grain `found` written in `text` (already matched by _SHAPE)."""
    year = int(match[1])
    _check_year(year, text)
    if found in (DAY, MONTH):
        month = int(match[2])
        if not 1 <= month <= 12:
            raise PeriodError("no_such_month" if found == MONTH else "no_such_date", {"period": text})
        if found == MONTH:
            return Period(MONTH, date(year, month, 1), _month_end(year, month))
        day = int(match[3])
        if not 1 <= day <= _month_end(year, month).day:
            raise PeriodError("no_such_date", {"period": text})
        start = date(year, month, day)
        return Period(DAY, start, start)
    if found == WEEK:
        week, weeks = int(match[4]), _weeks_in(year)
        if not 1 <= week <= weeks:
            raise PeriodError("no_such_week", {"period": text, "year": year, "weeks": weeks})
        start = date.fromisocalendar(year, week, 1)
        return Period(WEEK, start, start + timedelta(days=6))
    if found == QUARTER:
        quarter = int(match[5])
        if not 1 <= quarter <= 4:
            raise PeriodError("no_such_quarter", {"period": text})
        start = date(year, quarter * 3 - 2, 1)
        return Period(QUARTER, start, _end(start, QUARTER))
    if found == HALF_YEAR:
        half = int(match[6])
        if not 1 <= half <= 2:
            raise PeriodError("no_such_half", {"period": text})
        start = date(year, half * 6 - 5, 1)
        return Period(HALF_YEAR, start, _end(start, HALF_YEAR))
    return Period(YEAR, date(year, 1, 1), date(year, 12, 31))


def detect_grain(text: str) -> str | None:
    """The grain a period text is written in ("2026-Q4" → "quarter"), or None when it is no period at all."""
    match = _SHAPE.fullmatch(text.strip()) if isinstance(text, str) else None
    return _grain_of(match) if match else None


def _grain_of(match: re.Match[str]) -> str:
    if match[3] is not None:
        return DAY
    if match[2] is not None:
        return MONTH
    if match[4] is not None:
        return WEEK
    if match[5] is not None:
        return QUARTER
    if match[6] is not None:
        return HALF_YEAR
    return YEAR


def parse_period(text: str, grain: str, *, lenient: bool = False) -> Period:
    """Read `text` as a period of `grain`; raise PeriodError when it is not one (see the module docstring)."""
    if grain not in GRAIN_RANK:
        raise PeriodError("unknown_grain", {"grain": grain})
    if not isinstance(text, str):
        raise PeriodError("bad_format", {"period": repr(text)[:100], "grain": grain})
    stripped = text.strip()
    if not stripped:
        raise PeriodError("empty", {"grain": grain})
    match = _SHAPE.fullmatch(stripped)
    if match is None:
        raise PeriodError("bad_format", {"period": stripped[:100], "grain": grain})
    found = _grain_of(match)
    if found == grain:
        return _parse_exact(stripped, match, found)
    if lenient and found in NESTED[grain]:
        return period_of(_parse_exact(stripped, match, found).start, grain)
    _parse_exact(stripped, match, found)  # a nonexistent date says so, before "wrong grain"
    raise PeriodError("wrong_grain", {"period": stripped, "grain": grain, "got": found})


def periods_between(start: date, end: date, grain: str) -> list[Period]:
    """Every period of `grain` from the one containing `start` to the one containing `end`, in order, for
    completeness checks ("every line reports every day"). At most MAX_PERIODS."""
    first, last = period_of(start, grain), period_of(end, grain)
    if last < first:
        raise PeriodError("end_before_start", {"start": first.start.isoformat(), "end": last.end.isoformat()})
    if grain == DAY and (last.start - first.start).days >= MAX_PERIODS:
        raise PeriodError("too_many_periods", {"start": first.key, "end": last.key, "grain": grain})
    periods = [first]
    current = first
    while current.start < last.start:
        if len(periods) >= MAX_PERIODS:
            raise PeriodError("too_many_periods", {"start": first.key, "end": last.key, "grain": grain})
        current = current.next()
        periods.append(current)
    return periods
