"""fairmark.ingestion.periods: parsing, canonical keys, ordering, lists of periods, bilingual errors."""

from __future__ import annotations

import pickle
from datetime import date, datetime, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fairmark.ingestion.periods import (
    EXAMPLES,
    GRAINS,
    MAX_PERIODS,
    MESSAGES,
    Period,
    PeriodError,
    detect_grain,
    parse_period,
    period_of,
    periods_between,
)


@pytest.mark.parametrize(
    ("text", "grain", "start", "end", "key"),
    [
        ("2026-11-22", "day", date(2026, 11, 22), date(2026, 11, 22), "2026-11-22"),
        ("2026-W47", "week", date(2026, 11, 16), date(2026, 11, 22), "2026-W47"),
        ("2026-11", "month", date(2026, 11, 1), date(2026, 11, 30), "2026-11"),
        ("2026-02", "month", date(2026, 2, 1), date(2026, 2, 28), "2026-02"),
        ("2028-02", "month", date(2028, 2, 1), date(2028, 2, 29), "2028-02"),
        ("2026-Q4", "quarter", date(2026, 10, 1), date(2026, 12, 31), "2026-Q4"),
        ("2026-Q1", "quarter", date(2026, 1, 1), date(2026, 3, 31), "2026-Q1"),
        ("2026-H2", "half_year", date(2026, 7, 1), date(2026, 12, 31), "2026-H2"),
        ("2026-H1", "half_year", date(2026, 1, 1), date(2026, 6, 30), "2026-H1"),
        ("2026", "year", date(2026, 1, 1), date(2026, 12, 31), "2026"),
        # ISO weeks: week 1 of 2026 starts in 2025; 2026 has 53 weeks, the last one ends in 2027
        ("2026-W01", "week", date(2025, 12, 29), date(2026, 1, 4), "2026-W01"),
        ("2026-W53", "week", date(2026, 12, 28), date(2027, 1, 3), "2026-W53"),
        # spaces and lower-case letters are read; the key is canonical
        ("  2026-q4 ", "quarter", date(2026, 10, 1), date(2026, 12, 31), "2026-Q4"),
        ("2026-w47", "week", date(2026, 11, 16), date(2026, 11, 22), "2026-W47"),
        ("2026-h2", "half_year", date(2026, 7, 1), date(2026, 12, 31), "2026-H2"),
    ],
)
def test_parse_each_grain(text: str, grain: str, start: date, end: date, key: str) -> None:
    period = parse_period(text, grain)
    assert (period.grain, period.start, period.end, period.key, str(period)) == (grain, start, end, key, key)
    assert period.days == (end - start).days + 1
    assert parse_period(period.key, grain) == period


@pytest.mark.parametrize(
    ("text", "grain", "key"),
    [
        ("2026-11-22", "week", "2026-W47"),
        ("2026-11-22", "month", "2026-11"),
        ("2026-11-22", "quarter", "2026-Q4"),
        ("2026-11-22", "half_year", "2026-H2"),
        ("2026-11-22", "year", "2026"),
        ("2026-12-31", "week", "2026-W53"),
        ("2027-01-01", "week", "2026-W53"),  # the ISO week-year, not the calendar year
        ("2026-11", "quarter", "2026-Q4"),
        ("2026-05", "half_year", "2026-H1"),
        ("2026-Q3", "year", "2026"),
        ("2026-H1", "year", "2026"),
        ("2026-11-22", "day", "2026-11-22"),
    ],
)
def test_lenient_maps_finer_periods_up(text: str, grain: str, key: str) -> None:
    assert parse_period(text, grain, lenient=True).key == key


@pytest.mark.parametrize(
    ("text", "grain", "got"),
    [
        ("2026-11-22", "month", "day"),  # not lenient
        ("2026-11", "day", "month"),  # coarser is never taken, even leniently
        ("2026-W47", "month", "week"),
        ("2026", "quarter", "year"),
        ("2026-Q4", "month", "quarter"),
    ],
)
def test_wrong_grain(text: str, grain: str, got: str) -> None:
    with pytest.raises(PeriodError) as caught:
        parse_period(text, grain)
    assert caught.value.code == "wrong_grain"
    assert caught.value.params == {"period": text, "grain": grain, "got": got}
    with pytest.raises(PeriodError):
        parse_period(text, grain, lenient=(got == "week" or grain == "day"))


def test_weeks_and_coarser_grains_are_not_mapped_leniently() -> None:
    with pytest.raises(PeriodError, match="week"):
        parse_period("2026-W47", "month", lenient=True)  # a week straddles months
    with pytest.raises(PeriodError):
        parse_period("2026", "month", lenient=True)


@pytest.mark.parametrize(
    ("text", "grain", "code"),
    [
        ("", "day", "empty"),
        ("   ", "month", "empty"),
        ("2026/11/22", "day", "bad_format"),
        ("22.11.2026", "day", "bad_format"),
        ("2026-11-22T08:00", "day", "bad_format"),
        ("20261122", "day", "bad_format"),
        ("2026-1", "month", "bad_format"),
        ("2026-Q", "quarter", "bad_format"),
        ("２０２６", "year", "bad_format"),  # full-width digits
        ("2026-11-31", "day", "no_such_date"),
        ("2026-02-29", "day", "no_such_date"),
        ("2026-13-01", "day", "no_such_date"),
        ("2026-00", "month", "no_such_month"),
        ("2026-13", "month", "no_such_month"),
        ("2025-W53", "week", "no_such_week"),  # 2025 has 52 ISO weeks
        ("2026-W00", "week", "no_such_week"),
        ("2026-Q5", "quarter", "no_such_quarter"),
        ("2026-Q0", "quarter", "no_such_quarter"),
        ("2026-H3", "half_year", "no_such_half"),
        ("0226-11", "month", "year_out_of_range"),
        ("3026", "year", "year_out_of_range"),
        ("2026-11-31", "month", "no_such_date"),  # a nonexistent date says so, before "wrong grain"
        ("2026-11", "fortnight", "unknown_grain"),
    ],
)
def test_errors(text: str, grain: str, code: str) -> None:
    with pytest.raises(PeriodError) as caught:
        parse_period(text, grain)
    assert caught.value.code == code
    assert caught.value.message("en")
    assert caught.value.message("zh-hans")


def test_not_a_string() -> None:
    with pytest.raises(PeriodError) as caught:
        parse_period(20261122, "day")  # type: ignore[arg-type]
    assert caught.value.code == "bad_format"


def test_messages_in_both_languages() -> None:
    error = PeriodError("wrong_grain", {"period": "2026-11", "grain": "day", "got": "month"})
    assert error.message("en") == "“2026-11” is a month, but a day is expected (like 2026-11-22)."
    assert error.message("zh-hans") == "“2026-11”是月，此处应为日（如 2026-11-22）。"
    assert error.message("zh_CN") == error.message("zh-hans")
    assert str(error) == error.message("en")
    week = PeriodError("no_such_week", {"period": "2025-W53", "year": 2025, "weeks": 52})
    assert week.message("en") == "There is no ISO week “2025-W53”: 2025 has 52 weeks."
    assert week.message("zh-hans") == "ISO 周“2025-W53”不存在：2025 年共 52 周。"
    bad = PeriodError("bad_format", {"period": "2026/11", "grain": "quarter"})
    assert bad.message("en") == "“2026/11” is not a quarter: write it like 2026-Q4."
    assert bad.to_dict()["message_zh_hans"] == "“2026/11”不是有效的季度：应写成 2026-Q4 的形式。"


def test_every_code_has_both_sentences_that_format() -> None:
    params = {"period": "x", "grain": "month", "got": "day", "year": 2026, "weeks": 52, "start": "a", "end": "b"}
    for code, (english, chinese) in MESSAGES.items():
        error = PeriodError(code, params)
        assert error.message("en") == english.format(**{**params, "grain_name": "month", "got_name": "day",
                                                        "example": "2026-11", "min_year": 1900, "max_year": 2999,
                                                        "max": MAX_PERIODS})
        assert error.message("zh-hans") != error.message("en") or english == chinese


def test_odd_params_still_give_a_message() -> None:
    assert PeriodError("no_such_week", {}).message("en").startswith("no_such_week")
    assert PeriodError("never_heard_of", {}).message("zh") == "never_heard_of"


def test_error_pickles() -> None:
    error = PeriodError("no_such_date", {"period": "2026-02-30"})
    again = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes
    assert (again.code, again.params, repr(again)) == (error.code, error.params, repr(error))


def test_period_of_and_containing() -> None:
    day = date(2026, 11, 22)
    assert [period_of(day, grain).key for grain in GRAINS] == [
        "2026-11-22", "2026-W47", "2026-11", "2026-Q4", "2026-H2", "2026"]
    assert period_of(datetime(2026, 11, 22, 23, 59), "day").start == day  # a datetime counts as its date
    assert all(period_of(day, grain).contains(day) for grain in GRAINS)
    assert not period_of(day, "month").contains(date(2026, 12, 1))
    with pytest.raises(PeriodError):
        period_of(day, "decade")


def test_constructor_checks_the_bounds() -> None:
    assert Period("month", date(2026, 11, 1), date(2026, 11, 30)).key == "2026-11"
    with pytest.raises(ValueError, match="not one month"):
        Period("month", date(2026, 11, 2), date(2026, 11, 30))
    with pytest.raises(ValueError, match="not one week"):
        Period("week", date(2026, 11, 17), date(2026, 11, 23))  # a Tuesday
    with pytest.raises(PeriodError):
        Period("decade", date(2020, 1, 1), date(2029, 12, 31))
    with pytest.raises(TypeError):
        Period("day", datetime(2026, 11, 22), datetime(2026, 11, 22))


def test_ordering_hashing_next_previous() -> None:
    month = parse_period("2026-10", "month")
    quarter = parse_period("2026-Q4", "quarter")
    year = parse_period("2026", "year")
    day = parse_period("2026-10-01", "day")
    assert sorted([year, quarter, month, day]) == [year, day, month, quarter]  # by start, then end
    assert month < month.next()
    assert month.previous() < month
    assert month.next().key == "2026-11"
    assert month.previous().key == "2026-09"
    assert parse_period("2026-12", "month").next().key == "2027-01"
    assert parse_period("2026-W53", "week").next().key == "2027-W01"
    assert parse_period("2026-Q1", "quarter").previous().key == "2025-Q4"
    assert len({month, parse_period("2026-10", "month"), quarter}) == 2
    with pytest.raises(PeriodError) as caught:
        parse_period("2999", "year").next()
    assert caught.value.code == "year_out_of_range"
    assert month != "2026-10"
    with pytest.raises(TypeError):
        _ = month < "2026-11"  # type: ignore[operator]


def test_periods_between() -> None:
    months = periods_between(date(2026, 1, 15), date(2026, 4, 1), "month")
    assert [period.key for period in months] == ["2026-01", "2026-02", "2026-03", "2026-04"]
    days = periods_between(date(2026, 2, 27), date(2026, 3, 2), "day")
    assert [period.key for period in days] == ["2026-02-27", "2026-02-28", "2026-03-01", "2026-03-02"]
    weeks = periods_between(date(2026, 12, 20), date(2027, 1, 11), "week")  # a Sunday to a Monday
    assert [period.key for period in weeks] == ["2026-W51", "2026-W52", "2026-W53", "2027-W01", "2027-W02"]
    assert [p.key for p in periods_between(date(2026, 5, 5), date(2026, 5, 5), "year")] == ["2026"]
    assert len(periods_between(date(2026, 1, 1), date(2026, 12, 31), "day")) == 365


def test_periods_between_errors() -> None:
    with pytest.raises(PeriodError) as caught:
        periods_between(date(2026, 3, 1), date(2026, 1, 1), "month")
    assert caught.value.code == "end_before_start"
    with pytest.raises(PeriodError) as caught:
        periods_between(date(1900, 1, 1), date(2999, 12, 31), "day")
    assert caught.value.code == "too_many_periods"
    assert "100000" in caught.value.message("en")


def test_detect_grain() -> None:
    assert [detect_grain(example) for example in EXAMPLES.values()] == list(GRAINS)
    assert detect_grain("2026/11") is None
    assert detect_grain(None) is None  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------ properties

days = st.dates(min_value=date(1900, 1, 8), max_value=date(2998, 12, 24))  # next() stays in range


@given(days, st.sampled_from(GRAINS))
def test_round_trip_through_the_key(day: date, grain: str) -> None:
    period = period_of(day, grain)
    assert parse_period(period.key, grain) == period
    assert parse_period(period.key.lower(), grain) == period
    assert detect_grain(period.key) == grain
    assert period.start <= day <= period.end
    assert parse_period(day.isoformat(), grain, lenient=True) == period


@given(days, st.sampled_from(GRAINS))
def test_consecutive_periods_tile_the_calendar(day: date, grain: str) -> None:
    period = period_of(day, grain)
    following = period.next()
    assert following.start == period.end + timedelta(days=1)
    assert following.previous() == period
    assert period < following


@given(days, st.integers(min_value=0, max_value=400), st.sampled_from(GRAINS))
def test_periods_between_covers_every_day_once(day: date, length: int, grain: str) -> None:
    end = day + timedelta(days=length)
    periods = periods_between(day, end, grain)
    assert periods[0].contains(day)
    assert periods[-1].contains(end)
    assert periods == sorted(periods)
    assert all(b.start == a.end + timedelta(days=1) for a, b in pairwise(periods))


@given(st.text(max_size=20), st.sampled_from(GRAINS), st.booleans())
def test_any_text_parses_or_raises_period_error(text: str, grain: str, lenient: bool) -> None:
    error: PeriodError | None = None
    try:
        period = parse_period(text, grain, lenient=lenient)
    except PeriodError as caught:
        error = caught
    if error is not None:
        assert error.message("en")
        assert error.message("zh-hans")
    else:
        assert period.grain == grain
        assert parse_period(period.key, grain) == period
