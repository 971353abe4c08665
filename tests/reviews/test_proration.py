"""Pro rata by days in each position, and who is reviewed in a cycle (issue 6 item 1). Pure: no database."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fairmark.reviews.proration import (
    Assignment,
    EligibilityRules,
    Gap,
    Part,
    ProrationError,
    Segments,
    days_between,
    eligible,
    largest_remainder,
    prorate,
    segments,
)

D = Decimal
Q1_START, Q1_END = date(2025, 1, 1), date(2025, 3, 31)  # 31 + 28 + 31 = 90 days
Q4_START, Q4_END = date(2025, 10, 1), date(2025, 12, 31)  # 31 + 30 + 31 = 92 days


# ---- hand-computed cases ----------------------------------------------------------------------------------------


def test_days_are_counted_inclusively() -> None:
    assert days_between(Q1_START, Q1_END) == 90
    assert days_between(Q4_START, Q4_END) == 92
    assert days_between(Q1_START, Q1_START) == 1


def test_a_transfer_on_15_february_splits_a_90_day_quarter_in_halves_and_scores_85() -> None:
    # The org app closes the old row the day before the transfer takes effect.
    split = segments(Q1_START, Q1_END, [Assignment("welder", date(2023, 5, 1), date(2025, 2, 14)),
                                        Assignment("inspector", date(2025, 2, 15))])
    assert split.parts == (Part("welder", date(2025, 1, 1), date(2025, 2, 14), 45, D("0.5")),
                           Part("inspector", date(2025, 2, 15), date(2025, 3, 31), 45, D("0.5")))
    assert (split.gaps, split.covered_days, split.cycle_days) == ((), 90, 90)
    result = prorate({"welder": D(80), "inspector": D(90)}, split)
    assert str(result.total) == "85.00"
    assert [(c.key, c.days, c.weight, c.score, c.contribution) for c in result.parts] == [
        ("welder", 45, D("0.5"), D(80), D(40)), ("inspector", 45, D("0.5"), D(90), D(45))]


def test_a_92_day_quarter_split_31_61_rounds_weights_by_largest_remainder() -> None:
    split = segments(Q4_START, Q4_END, [Assignment("A", date(2024, 3, 1), date(2025, 10, 31)),
                                        Assignment("B", date(2025, 11, 1))])
    assert [(p.days, str(p.weight)) for p in split.parts] == [(31, "0.3370"), (61, "0.6630")]  # 0.33696 / 0.66304
    assert sum(p.weight for p in split.parts) == 1
    result = prorate({"A": D(80), "B": D(90)}, split)
    assert [c.contribution for c in result.parts] == [D("26.96"), D("59.67")]  # 80 × 0.3370, 90 × 0.6630
    assert result.exact == D("86.63")
    assert result.total == D("86.63")  # and the exact (80 × 31 + 90 × 61) / 92 = 86.6304… agrees


def test_equal_remainders_go_to_the_earliest_part_whatever_the_input_order() -> None:
    rows = [Assignment("a", date(2025, 1, 1), date(2025, 1, 30)),  # 30 days
            Assignment("b", date(2025, 1, 31), date(2025, 3, 1)),  # 1 + 28 + 1 = 30 days
            Assignment("c", date(2025, 3, 2))]  # 30 days
    for order in (rows, rows[::-1], [rows[1], rows[2], rows[0]]):
        split = segments(Q1_START, Q1_END, order)
        assert [(p.key, p.days, str(p.weight)) for p in split.parts] == [
            ("a", 30, "0.3334"), ("b", 30, "0.3333"), ("c", 30, "0.3333")]
    assert largest_remainder([1, 1, 1], places=2) == [D("0.34"), D("0.33"), D("0.33")]
    assert largest_remainder([2, 1], places=0) == [D(1), D(0)]
    assert largest_remainder([]) == []


def test_total_rounds_half_away_from_zero_once_from_the_exact_sum() -> None:
    split = segments(Q1_START, Q1_END, [Assignment("a", date(2024, 1, 1), date(2025, 2, 14)),
                                        Assignment("b", date(2025, 2, 15))])
    result = prorate({"a": D("80.01"), "b": D("90.00")}, split)
    assert result.exact == D("85.005")  # 40.005 + 45
    assert result.total == D("85.01")
    lower = prorate({"a": D("80.00"), "b": D("90.01")}, split)
    assert (lower.exact, lower.total) == (D("85.005"), D("85.01"))
    assert prorate({"a": D("80.01"), "b": D("89.98")}, split).total == D("85.00")  # 84.995 → 85.00


def test_a_new_hire_and_a_leaver_leave_gaps_that_are_reported_not_spread_unseen() -> None:
    hire = segments(Q1_START, Q1_END, [Assignment("line", date(2025, 1, 20))])
    assert hire.parts == (Part("line", date(2025, 1, 20), Q1_END, 71, D(1)),)
    assert hire.gaps == (Gap(Q1_START, date(2025, 1, 19), 19),)
    leaver = segments(Q1_START, Q1_END, [Assignment("line", date(2020, 1, 1), date(2025, 3, 14))])
    assert leaver.gaps == (Gap(date(2025, 3, 15), Q1_END, 17),)
    assert (leaver.covered_days, leaver.gap_days, leaver.cycle_days) == (73, 17, 90)
    middle = segments(Q1_START, Q1_END, [Assignment("a", date(2024, 1, 1), date(2025, 1, 31)),
                                         Assignment("b", date(2025, 3, 1))])
    assert middle.gaps == (Gap(date(2025, 2, 1), date(2025, 2, 28), 28),)
    assert [(p.days, str(p.weight)) for p in middle.parts] == [(31, "0.5000"), (31, "0.5000")]  # of 62, not 90
    result = prorate({"a": D(70), "b": D(80)}, middle)
    assert result.total == D(75)
    lines = result.lines()
    assert [line.code for line in lines] == ["part", "gap", "part", "total"]
    assert lines[1].params == {"start": date(2025, 2, 1), "end": date(2025, 2, 28), "days": 28}
    assert lines[0].params["covered_days"] == 62
    assert lines[-1].params == {"terms": [D(35), D(40)], "exact": D(75), "covered_days": 62, "cycle_days": 90}
    assert lines[-1].value == D("75.00")


def test_rows_that_only_change_the_manager_merge_and_a_return_is_its_own_part() -> None:
    merged = segments(Q1_START, Q1_END, [Assignment("A", date(2024, 1, 1), date(2025, 1, 31)),
                                         Assignment("A", date(2025, 2, 1))])
    assert merged.parts == (Part("A", Q1_START, Q1_END, 90, D(1)),)
    back = segments(Q1_START, Q1_END, [Assignment("A", date(2024, 1, 1), date(2025, 1, 31)),
                                       Assignment("B", date(2025, 2, 1), date(2025, 2, 28)),
                                       Assignment("A", date(2025, 3, 1))])
    assert [(p.key, p.days) for p in back.parts] == [("A", 31), ("B", 28), ("A", 31)]
    result = prorate({"A": D(60), "B": D(90), "unused": D(0)}, back)
    # 31/90 = 0.34444, 28/90 = 0.31111: floors 0.3444 + 0.3111 + 0.3444 = 0.9999; the spare unit goes to the
    # largest remainder, a tie between the two A parts, so to the earlier one.
    assert [str(p.weight) for p in back.parts] == ["0.3445", "0.3111", "0.3444"]
    assert result.exact == D("20.67") + D("27.999") + D("20.664")
    assert result.total == D("69.33")


def test_rows_outside_the_cycle_are_ignored_and_no_row_gives_one_gap_and_no_score() -> None:
    split = segments(Q1_START, Q1_END, [Assignment("old", date(2020, 1, 1), date(2024, 12, 31)),
                                        Assignment("x", date(2024, 6, 1), date(2024, 9, 1)),  # overlaps "old": not ours
                                        Assignment("now", date(2025, 1, 1)),
                                        Assignment("next", date(2025, 4, 1))])
    assert [p.key for p in split.parts] == ["now"]
    empty = segments(Q1_START, Q1_END, [Assignment("later", date(2025, 4, 1))])
    assert (empty.parts, empty.gaps) == ((), (Gap(Q1_START, Q1_END, 90),))
    with pytest.raises(ProrationError) as error:
        prorate({"later": D(90)}, empty)
    assert error.value.code == "no_parts"


@pytest.mark.parametrize(("rows", "code"), [
    ([Assignment("a", date(2025, 1, 1), date(2025, 2, 15)), Assignment("b", date(2025, 2, 15))], "overlap"),
    ([Assignment("a", date(2025, 1, 1)), Assignment("b", date(2025, 3, 1))], "overlap"),
    ([Assignment("a", date(2025, 2, 1), date(2025, 1, 31))], "assignment_range"),
    ([Assignment("a", datetime(2025, 1, 1, 8, 0))], "not_a_date"),
])
def test_bad_rows_are_refused_with_a_code(rows: list[Assignment[str]], code: str) -> None:
    with pytest.raises(ProrationError) as error:
        segments(Q1_START, Q1_END, rows)
    assert error.value.code == code


def test_bad_cycles_places_and_scores_are_refused_with_a_code() -> None:
    with pytest.raises(ProrationError) as cycle:
        segments(Q1_END, Q1_START, [])
    assert cycle.value.code == "cycle_range"
    with pytest.raises(ProrationError) as places:
        segments(Q1_START, Q1_END, [], places=-1)
    assert places.value.code == "places_invalid"
    split = segments(Q1_START, Q1_END, [Assignment("a", date(2024, 1, 1))])
    for scores, code in [({}, "score_missing"), ({"a": 80.5}, "score_not_number"), ({"a": True}, "score_not_number"),
                         ({"a": D("NaN")}, "score_not_number"), ({"a": D("80.005")}, "score_precision")]:
        with pytest.raises(ProrationError) as error:
            prorate(scores, split)  # type: ignore[arg-type]
        assert error.value.code == code
        assert error.value.params["key"] == "a"
    assert prorate({"a": D("80.500")}, split).total == D("80.50")  # trailing zeros are not extra precision
    hand_made = Segments(Q1_START, Q1_END, (Part("a", Q1_START, Q1_END, 90, D("0.33333")),), ())
    with pytest.raises(ProrationError) as weight:
        prorate({"a": D(80)}, hand_made)
    assert weight.value.code == "places_invalid"


# ---- eligibility ------------------------------------------------------------------------------------------------


def _decide(hire: date, left_on: date | None = None, status: str = "active",
            rules: EligibilityRules | None = None) -> tuple[bool, str, int]:
    decision = eligible(hire_date=hire, left_on=left_on, status=status, cycle_start=Q1_START, cycle_end=Q1_END,
                        **({"rules": rules} if rules else {}))
    return decision.included, decision.code, decision.params["days_in_cycle"]


def test_a_new_hire_needs_60_days_in_the_cycle_counted_from_the_hire_date() -> None:
    assert _decide(date(2025, 2, 1)) == (False, "tenure_below_minimum", 59)  # 28 + 31
    assert _decide(date(2025, 1, 31)) == (True, "joined_in_cycle", 60)
    assert _decide(date(2020, 1, 1)) == (True, "full_cycle", 90)
    assert _decide(Q1_START) == (True, "full_cycle", 90)
    assert _decide(date(2025, 4, 1)) == (False, "not_yet_hired", 0)
    assert _decide(date(2025, 2, 1), rules=EligibilityRules(min_tenure_days=30)) == (True, "joined_in_cycle", 59)
    # Someone employed the whole cycle passes however long the minimum (a monthly cycle with 60 days).
    assert _decide(date(2020, 1, 1), rules=EligibilityRules(min_tenure_days=120)) == (True, "full_cycle", 90)
    decision = eligible(hire_date=date(2025, 2, 1), left_on=None, status="active", cycle_start=Q1_START,
                        cycle_end=Q1_END)
    assert decision.params == {"hire_date": date(2025, 2, 1), "left_on": None, "status": "active",
                               "employed_from": date(2025, 2, 1), "employed_to": Q1_END, "days_in_cycle": 59,
                               "cycle_days": 90, "min_tenure_days": 60}


def test_a_leaver_is_excluded_by_default_and_reviewed_on_their_days_under_pro_rata() -> None:
    assert _decide(date(2020, 1, 1), date(2025, 3, 14), "left") == (False, "leaver_excluded", 73)
    pro_rata = EligibilityRules(leavers="pro_rata")
    assert _decide(date(2020, 1, 1), date(2025, 3, 14), "left", pro_rata) == (True, "leaver_pro_rata", 73)
    assert _decide(date(2020, 1, 1), date(2025, 2, 28), "left", pro_rata) == (False, "tenure_below_minimum", 59)
    assert _decide(date(2020, 1, 1), Q1_END, "left") == (True, "full_cycle", 90)  # worked the last day
    assert _decide(date(2020, 1, 1), date(2024, 12, 31), "left") == (False, "left_before_cycle", 0)
    # A departure already known (notice given) counts before the status changes.
    assert _decide(date(2020, 1, 1), date(2025, 3, 14), "active") == (False, "leaver_excluded", 73)


def test_probation_and_leave_follow_their_flags() -> None:
    assert _decide(date(2024, 12, 1), status="probation") == (False, "on_probation", 90)
    assert _decide(date(2024, 12, 1), status="probation",
                   rules=EligibilityRules(include_probation=True)) == (True, "full_cycle", 90)
    assert _decide(date(2025, 2, 1), status="probation",
                   rules=EligibilityRules(include_probation=True)) == (False, "tenure_below_minimum", 59)
    assert _decide(date(2020, 1, 1), status="leave") == (True, "full_cycle", 90)
    assert _decide(date(2020, 1, 1), status="leave",
                   rules=EligibilityRules(include_on_leave=False)) == (False, "on_leave", 90)


def test_inconsistent_people_and_rules_are_refused_with_a_code() -> None:
    cases = [
        ({"hire_date": date(2020, 1, 1), "left_on": None, "status": "left"}, "left_without_date"),
        ({"hire_date": date(2020, 1, 1), "left_on": None, "status": "retired"}, "status_unknown"),
        ({"hire_date": date(2025, 2, 1), "left_on": date(2025, 1, 1), "status": "left"}, "left_before_hire"),
        ({"hire_date": "2025-01-01", "left_on": None, "status": "active"}, "not_a_date"),
    ]
    for person, code in cases:
        with pytest.raises(ProrationError) as error:
            eligible(cycle_start=Q1_START, cycle_end=Q1_END, **person)  # type: ignore[arg-type]
        assert error.value.code == code
    for bad in ({"min_tenure_days": -1}, {"min_tenure_days": True}, {"leavers": "keep"},
                {"include_probation": "yes"}):
        with pytest.raises(ProrationError) as rule:
            EligibilityRules(**bad)  # type: ignore[arg-type]
        assert rule.value.code == "rules_invalid"


# ---- properties -------------------------------------------------------------------------------------------------


@st.composite
def histories(draw: st.DrawFn) -> tuple[date, date, list[Assignment[str]]]:
    """A cycle and someone's rows: consecutive, sometimes with gaps, sometimes reaching outside the cycle."""
    start = draw(st.dates(date(2020, 1, 1), date(2030, 12, 31)))
    length = draw(st.integers(1, 400))
    end = start + timedelta(days=length - 1)
    offsets = sorted(set(draw(st.lists(st.integers(-40, length + 40), min_size=1, max_size=8))))
    rows: list[Assignment[str]] = []
    for index, offset in enumerate(offsets):
        if draw(st.integers(0, 4)) == 0:
            continue  # a gap
        if index + 1 < len(offsets):
            last = offsets[index + 1] - 1 - draw(st.integers(0, 3))  # sometimes a short gap before the next row
            if last < offset:
                continue
            valid_to: date | None = start + timedelta(days=last)
        else:
            valid_to = None if draw(st.booleans()) else start + timedelta(days=draw(st.integers(offset, length + 40)))
        rows.append(Assignment(draw(st.sampled_from("ABC")), start + timedelta(days=offset), valid_to))
    return start, end, rows


SCORES = st.fixed_dictionaries({key: st.integers(0, 12000).map(lambda n: D(n).scaleb(-2)) for key in "ABC"})


@given(histories(), st.integers(0, 6))
def test_weights_add_up_to_exactly_one_and_each_is_its_share_rounded_down_or_up(
        history: tuple[date, date, list[Assignment[str]]], places: int) -> None:
    start, end, rows = history
    split = segments(start, end, rows, places=places)
    assert split.covered_days + split.gap_days == split.cycle_days == days_between(start, end)
    if not split.parts:
        assert split.gaps == (Gap(start, end, split.cycle_days),)
        return
    assert sum(p.weight for p in split.parts) == 1
    unit = Fraction(1, 10**places)
    for part in split.parts:
        assert part.days == days_between(part.start, part.end)
        assert abs(Fraction(part.weight) - Fraction(part.days, split.covered_days)) < unit
    spans = sorted([(p.start, p.end) for p in split.parts] + [(g.start, g.end) for g in split.gaps])
    assert spans[0][0] == start
    assert spans[-1][1] == end
    assert all(a[1] + timedelta(days=1) == b[0] for a, b in pairwise(spans))


@given(histories(), SCORES)
def test_the_total_lies_between_the_lowest_and_highest_part_score(
        history: tuple[date, date, list[Assignment[str]]], scores: dict[str, Decimal]) -> None:
    split = segments(*history)
    if not split.parts:
        return
    result = prorate(scores, split)
    used = [scores[p.key] for p in split.parts]
    assert min(used) <= result.total <= max(used)
    assert result.exact == sum(c.contribution for c in result.parts)
    assert abs(result.total - result.exact) <= D("0.005")


@given(histories(), SCORES, st.data())
def test_reordering_the_rows_changes_nothing(history: tuple[date, date, list[Assignment[str]]],
                                             scores: dict[str, Decimal], data: st.DataObject) -> None:
    start, end, rows = history
    shuffled = data.draw(st.permutations(rows))
    before, after = segments(start, end, rows), segments(start, end, shuffled)
    assert before == after
    if before.parts:
        assert prorate(scores, before) == prorate(scores, after)


@given(st.dates(date(2024, 6, 1), date(2025, 5, 1)), st.integers(0, 120))
def test_an_active_hire_is_reviewed_exactly_when_present_all_cycle_or_long_enough(hire: date, minimum: int) -> None:
    decision = eligible(hire_date=hire, left_on=None, status="active", cycle_start=Q1_START, cycle_end=Q1_END,
                        rules=EligibilityRules(min_tenure_days=minimum))
    days = 0 if hire > Q1_END else days_between(max(hire, Q1_START), Q1_END)
    assert decision.params["days_in_cycle"] == days
    assert decision.included == (hire <= Q1_START or (hire <= Q1_END and days >= minimum))
    earlier = eligible(hire_date=hire - timedelta(days=1), left_on=None, status="active", cycle_start=Q1_START,
                       cycle_end=Q1_END, rules=EligibilityRules(min_tenure_days=minimum))
    assert earlier.included or not decision.included  # hiring earlier never loses a place
