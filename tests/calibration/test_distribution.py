"""Grade schemes, quotas and suggested grades (issue 7 items 1 and 2; docs/calibration.md). Pure: no database.

The worked cases are the ones written up in docs/calibration.md; the properties check every quota range after
a suggestion (recomputed here from the placements, with the rounding done here on fractions), that ties split
only where flagged, that the order of the input does not matter, that the suggestion is the least-cost one
(against brute force on small groups), and that the scheme check accepts exactly the satisfiable schemes."""

from __future__ import annotations

import math
import random
import time
from decimal import Decimal
from fractions import Fraction
from itertools import combinations_with_replacement, pairwise
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from fairmark.calibration.distribution import (
    DEFAULT_SCHEME,
    DistributionError,
    Grade,
    Person,
    Quota,
    Scheme,
    Suggestion,
    apportion,
    suggest,
)

D = Decimal
CODES = ("S", "A", "B", "C", "D", "E", "F")
COEFFICIENTS = (D("1.5"), D("1.2"), D("1.0"), D("0.8"), D(0), D(0), D(0))
FLOORS = (D(90), D(80), D(70), D(60), D(0))


def five(quotas: tuple[Quota, ...] = (), **kwargs: Any) -> Scheme:
    grades = tuple(Grade(c, f, k) for c, f, k in zip(CODES, FLOORS, COEFFICIENTS, strict=False))
    return Scheme(grades, quotas, **kwargs)


def people(*totals: object) -> list[Person]:
    return [Person(i + 1, None if t is None else D(str(t))) for i, t in enumerate(totals)]


def counts(result: Suggestion) -> dict[str, int]:
    return {g.grade: g.count for g in result.grades}


# The seeds' factories: 17 of 20 people (85 %) scored 90 or more.
SEEDS = (99, 98, 97, 96, 95, 94, 93, "92.5", 92, "91.5", 91, "90.5", "90.4", "90.3", "90.2", "90.1", 90, 88, 85, 75)


# ---- worked rounding cases (docs/calibration.md) -----------------------------------------------------------------


def test_an_upper_bound_rounds_up_and_a_lower_bound_rounds_down_for_19_people() -> None:
    bounds = {b.quota.label: (b.minimum, b.maximum) for b in DEFAULT_SCHEME.bounds(19)}
    assert bounds == {"S": (None, 2), "S+A": (None, 6), "C+D": (1, None)}  # 1.9 → 2, 5.7 → 6, 1.9 → 1


def test_exact_targets_33_3_33_4_33_3_over_4_people_give_1_2_1() -> None:
    assert apportion([D("33.3"), D("33.4"), D("33.3")], 4) == (1, 2, 1)  # 1.332 / 1.336 / 1.332
    assert apportion([D(50), D(50)], 3) == (2, 1)  # 1.5 / 1.5: equal remainders, the better grade first
    assert apportion([D("33.3"), D("33.4"), D("33.3")], 0) == (0, 0, 0)
    with pytest.raises(DistributionError) as err:
        apportion([D(50), D(40)], 3)
    assert err.value.code == "shares_sum"


def test_targets_are_reported_as_counts_next_to_the_suggestion() -> None:
    grades = tuple(Grade(c, f, D(1), t) for c, f, t in zip("SAB", (D(90), D(80), D(0)),
                                                           (D("33.3"), D("33.4"), D("33.3")), strict=True))
    result = suggest(people(95, 85, 70, 60), Scheme(grades, min_group_size=0))
    assert [(g.grade, g.count, g.target) for g in result.grades] == [("S", 1, 1), ("A", 1, 2), ("B", 2, 1)]
    assert [n.params["exact"] for n in result.derivation if n.code == "target"] == [D("1.332"), D("1.336"),
                                                                                    D("1.332")]


def test_the_seeds_example_moves_people_down_to_the_quotas() -> None:
    result = suggest(people(*SEEDS), DEFAULT_SCHEME)
    assert result.enforced
    assert result.size == 20
    assert [(g.grade, g.floor_count, g.count) for g in result.grades] == [
        ("S", 17, 2), ("A", 2, 4), ("B", 1, 12), ("C", 0, 2), ("D", 0, 0)]
    assert [(q.quota.label, q.minimum, q.maximum, q.floor_count, q.count) for q in result.quotas] == [
        ("S", None, 2, 17, 2), ("S+A", None, 6, 19, 6), ("C+D", 2, None, 0, 2)]
    assert all(q.holds for q in result.quotas)
    assert result.moves == 15 + 13 + 2  # boundary crossings: S|A, A|B, B|C
    assert [p.grade for p in result.placements] == list("SSAAAA") + ["B"] * 12 + ["C", "C"]
    third = result.placement(3)
    assert third.move is not None
    assert (third.move.code, third.move.params) == ("moved_down", {"from": "S", "to": "A", "quotas": ["S"]})
    seventh = result.placement(7).move
    assert seventh is not None
    assert seventh.params == {"from": "S", "to": "B", "quotas": ["S", "S+A"]}
    last = result.placement(20).move
    assert last is not None
    assert last.params == {"from": "B", "to": "C", "quotas": ["C+D"]}
    assert result.flags == ()
    assert result.derivation[-1].params == {"moves": 30, "tie_splits": 0, "enforced": True}


def test_a_department_graded_a_gets_its_own_larger_quotas() -> None:
    scheme = five(DEFAULT_SCHEME.quotas, department_quotas={
        "A": (Quota(("S",), high=D(15)), Quota(("S", "A"), high=D(40))),
        "S": (Quota(("S", "A"), high=D(50)), Quota(("C", "D"))),  # lifts C+D for a department graded S
    })
    strong = suggest(people(*SEEDS), scheme, department_grade="A")
    assert strong.department_grade == "A"
    assert counts(strong) == {"S": 3, "A": 5, "B": 10, "C": 2, "D": 0}
    assert [(q.quota.label, q.maximum, q.minimum) for q in strong.quotas] == [
        ("S", 3, None), ("S+A", 8, None), ("C+D", None, 2)]
    assert counts(suggest(people(*SEEDS), scheme, department_grade="B")) == counts(
        suggest(people(*SEEDS), DEFAULT_SCHEME))
    best = suggest(people(*SEEDS), scheme, department_grade="S")
    assert [q.quota.label for q in best.quotas] == ["S", "S+A"]
    assert counts(best) == {"S": 2, "A": 8, "B": 10, "C": 0, "D": 0}


def test_a_group_below_the_minimum_size_moves_nobody_and_reports_the_broken_quotas() -> None:
    result = suggest(people(98, 96, 95, 94, 93, 92, 91, 85), DEFAULT_SCHEME)
    assert not result.enforced
    assert result.moves == 0
    assert all(p.grade == p.floor_grade and p.move is None for p in result.placements)
    assert [(q.quota.label, q.maximum, q.count, q.broken_by) for q in result.broken] == [
        ("S", 1, 7, 6), ("S+A", 3, 8, 5)]  # 0.8 → 1, 2.4 → 3; C+D ≥ 0.8 → 0 holds
    assert result.flags[0].code == "below_minimum_size"
    assert result.flags[0].params == {"size": 8, "minimum": 10, "broken": ["S", "S+A"]}
    assert [(f.code, f.params["quota"], f.params["broken_by"]) for f in result.flags[1:]] == [
        ("quota_broken", "S", 6), ("quota_broken", "S+A", 5)]


def test_a_tie_moves_as_a_whole_when_that_keeps_every_quota() -> None:
    # S ≤ 10 % of 10 = 1 and S+A ≤ 3: the three people at 92 cannot all be A, so all three are B.
    result = suggest(people(95, 92, 92, 92, 85, 80, 75, 70, 65, 50), DEFAULT_SCHEME)
    assert counts(result) == {"S": 1, "A": 0, "B": 7, "C": 1, "D": 1}
    assert {result.placement(i).grade for i in (2, 3, 4)} == {"B"}
    assert not any(p.tie_split for p in result.placements)
    assert [f.code for f in result.flags] == ["ties_kept"]
    assert result.flags[0].params == {"moves": 8, "moves_if_ties_split": 6}  # splitting: two 92s in A


def test_a_tie_is_split_by_id_and_flagged_when_no_quota_allows_it_whole() -> None:
    scheme = five((Quota(("S",), high=D(10)), Quota(("S", "A"), low=D(20), high=D(30))))
    group = [Person(i, D(95)) for i in (15, 11, 14, 12, 13)] + [Person(20 + i, D(70)) for i in range(5)]
    result = suggest(group, scheme)
    assert counts(result) == {"S": 0, "A": 3, "B": 7, "C": 0, "D": 0}
    assert [p.id for p in result.placements if p.grade == "A"] == [11, 12, 13]
    split = [f for f in result.flags if f.code == "tie_split"]
    assert split == [result.flags[0]]
    assert split[0].params == {"total": D(95), "people": [11, 12, 13, 14, 15],
                               "grades": {"A": [11, 12, 13], "B": [14, 15]}, "quotas": ["S+A"]}
    assert {p.id for p in result.placements if p.tie_split} == {11, 12, 13, 14, 15}


def test_a_whole_group_tied_moves_together_to_meet_a_lower_bound() -> None:
    result = suggest([Person(i, D(90)) for i in range(20)], DEFAULT_SCHEME)
    assert counts(result) == {"S": 0, "A": 0, "B": 0, "C": 20, "D": 0}
    assert [(f.code, f.params) for f in result.flags] == [("ties_kept", {"moves": 60, "moves_if_ties_split": 34})]


def test_people_without_a_total_get_no_grade_and_are_listed() -> None:
    result = suggest(people(95, None, 80, None), DEFAULT_SCHEME)
    assert result.size == 2
    assert result.ungraded == (2, 4)
    assert [(p.id, p.rank, p.grade) for p in result.placements] == [(1, 1, "S"), (3, 2, "A"), (2, None, None),
                                                                     (4, None, None)]
    assert result.flags[-1].code == "no_total"
    assert result.flags[-1].params == {"people": [2, 4]}


def test_equal_totals_share_a_rank_and_the_input_order_does_not_matter() -> None:
    group = people(*SEEDS, 90, 90, None, 88)
    shuffled = group[:]
    random.Random(7).shuffle(shuffled)
    assert suggest(shuffled, DEFAULT_SCHEME) == suggest(group, DEFAULT_SCHEME)
    ranks = {p.id: p.rank for p in suggest(group, DEFAULT_SCHEME).placements}
    assert ranks[17] == ranks[21] == ranks[22] == 17
    assert ranks[18] == ranks[24] == 20


def test_the_default_scheme_has_a_witness() -> None:
    assert DEFAULT_SCHEME.witness() == (D(10), D(20), D(60), D(10), D(0))


def test_a_large_group_is_suggested_quickly() -> None:
    rng = random.Random(1)
    group = [Person(i, D(rng.randint(600, 1000)) / 10) for i in range(5000)]
    start = time.perf_counter()
    result = suggest(group, DEFAULT_SCHEME)
    assert time.perf_counter() - start < 5
    assert all(q.holds for q in result.quotas)


# ---- refusals ----------------------------------------------------------------------------------------------------


def _grades(*floors: int) -> tuple[Grade, ...]:
    return tuple(Grade(CODES[i], D(f), D(1)) for i, f in enumerate(floors))


INVALID: list[tuple[str, Any]] = [
    ("grades_count", lambda: Scheme(())),
    ("grades_count", lambda: Scheme((*_grades(90, 80, 70, 60, 50, 40, 30), Grade("G", D(0), D(0))))),
    ("grade_code_invalid", lambda: Grade("", D(90), D(1))),
    ("not_a_number", lambda: Grade("S", 90.0, D(1))),  # type: ignore[arg-type]
    ("coefficient_negative", lambda: Grade("S", D(90), D("-0.5"))),
    ("grade_invalid", lambda: Scheme(("S",))),  # type: ignore[arg-type]
    ("grade_duplicate", lambda: Scheme((Grade("S", D(90), D(1)), Grade("S", D(80), D(1))))),
    ("floors_not_descending", lambda: Scheme(_grades(90, 90))),
    ("floors_not_descending", lambda: Scheme(_grades(80, 90))),
    ("quota_empty", lambda: Quota(())),
    ("quota_grade_duplicate", lambda: Quota(("S", "S"), high=D(10))),
    ("percent_out_of_range", lambda: Quota(("S",), high=D(101))),
    ("percent_out_of_range", lambda: Quota(("S",), low=D(-1))),
    ("percent_precision", lambda: Quota(("S",), high=D("10.125"))),
    ("quota_low_above_high", lambda: Quota(("S",), low=D(20), high=D(10))),
    ("quota_grade_unknown", lambda: five((Quota(("X",), high=D(10)),))),
    ("quota_grades_not_contiguous", lambda: five((Quota(("S", "B"), high=D(10)),))),
    ("quota_group_not_anchored", lambda: five((Quota(("A", "B"), high=D(50)),))),
    ("quota_duplicate", lambda: five((Quota(("S", "A"), high=D(30)), Quota(("A", "S"), high=D(40))))),
    ("quota_unbounded", lambda: five((Quota(("S",)),))),
    ("quota_invalid", lambda: five(("S",))),  # type: ignore[arg-type]
    ("quotas_unsatisfiable", lambda: five((Quota(("S",), low=D(60)), Quota(("A",), low=D(50))))),
    ("quotas_unsatisfiable", lambda: five(tuple(Quota((c,), high=D(10)) for c in "SABCD"))),
    ("quotas_unsatisfiable", lambda: five((Quota(("S",), low=D(30)), Quota(("S", "A"), high=D(20))))),
    ("quotas_unsatisfiable", lambda: five((Quota(("S", "A"), low=D(60)), Quota(("C", "D"), low=D(50))))),
    ("quotas_unsatisfiable", lambda: five((Quota(("S", "A", "B", "C", "D"), high=D(90)),))),
    ("quotas_unsatisfiable", lambda: five(department_quotas={"A": (Quota(("B",), low=D(70)),
                                                                  Quota(("C", "D"), low=D(40)))})),
    ("targets_incomplete", lambda: Scheme((Grade("S", D(90), D(1), D(10)), Grade("A", D(0), D(1))))),
    ("targets_sum", lambda: Scheme((Grade("S", D(90), D(1), D(10)), Grade("A", D(0), D(1), D(80))))),
    ("target_breaks_quota", lambda: Scheme((Grade("S", D(90), D(1), D(20)), Grade("A", D(0), D(1), D(80))),
                                           (Quota(("S",), high=D(10)),))),
    ("min_group_size_invalid", lambda: five(min_group_size=-1)),
    ("min_group_size_invalid", lambda: five(min_group_size=True)),
    ("department_grade_invalid", lambda: five(department_quotas={"": (Quota(("S",), high=D(10)),)})),
    ("person_id_invalid", lambda: Person(True, D(90))),
    ("person_id_invalid", lambda: Person("", D(90))),
    ("total_not_number", lambda: Person(1, 90.5)),  # type: ignore[arg-type]
    ("person_invalid", lambda: suggest([(1, D(90))], DEFAULT_SCHEME)),  # type: ignore[list-item]
    ("person_duplicate", lambda: suggest([Person(1, D(90)), Person(1, None)], DEFAULT_SCHEME)),
    ("size_invalid", lambda: DEFAULT_SCHEME.bounds(-1)),
]


@pytest.mark.parametrize(("code", "build"), INVALID, ids=[f"{i}-{c}" for i, (c, _b) in enumerate(INVALID)])
def test_invalid_input_is_refused_with_its_code(code: str, build: Any) -> None:
    with pytest.raises(DistributionError) as err:
        build()
    assert err.value.code == code


def test_an_unsatisfiable_department_set_names_the_department() -> None:
    with pytest.raises(DistributionError) as err:
        five(department_quotas={"A": (Quota(("B",), low=D(70)), Quota(("C", "D"), low=D(40)))})
    assert err.value.params["department_grade"] == "A"


def test_quota_grades_are_put_in_the_schemes_order() -> None:
    assert five((Quota(("A", "S"), high=D(30)),)).quotas == (Quota(("S", "A"), high=D(30)),)


# ---- properties --------------------------------------------------------------------------------------------------


def _bounds(quota: Quota, n: int) -> tuple[int | None, int | None]:
    low = None if quota.low is None else math.floor(Fraction(quota.low) * n / 100)
    high = None if quota.high is None else math.ceil(Fraction(quota.high) * n / 100)
    return low, high


def _candidates(k: int) -> list[tuple[int, int]]:
    """Grade ranges a quota may cover: one grade, or a run from the best or to the worst grade."""
    runs = {(i, i) for i in range(k)} | {(0, j) for j in range(k)} | {(i, k - 1) for i in range(k)}
    return sorted(runs)


@st.composite
def witness_quotas(draw: st.DrawFn, shares: list[int], *, lifts: bool = False) -> tuple[Quota, ...]:
    """Quotas that hold for `shares` (a distribution in tenths of a percent), so always satisfiable; with
    `lifts`, some quotas have no bound (a department lifting the scheme's quota)."""
    k = len(shares)
    quotas = []
    for first, last in draw(st.lists(st.sampled_from(_candidates(k)), unique=True, max_size=6)):
        share = sum(shares[first:last + 1])
        low = draw(st.none() | st.integers(0, share) | st.integers(max(0, share - 50), share))
        high = draw(st.none() | st.integers(share, 1000) | st.integers(share, min(1000, share + 50)))
        if low is None and high is None and not (lifts and draw(st.booleans())):
            high = share
        quotas.append(Quota(CODES[first:last + 1], None if low is None else D(low) / 10,
                            None if high is None else D(high) / 10))
    return tuple(quotas)


@st.composite
def schemes(draw: st.DrawFn, max_grades: int = 7) -> Scheme:
    k = draw(st.integers(1, max_grades))
    floors = sorted(draw(st.lists(st.integers(0, 100), min_size=k, max_size=k, unique=True)), reverse=True)
    grades = tuple(Grade(CODES[i], D(f), COEFFICIENTS[i]) for i, f in enumerate(floors))
    points = sorted(draw(st.lists(st.integers(0, 1000), min_size=k - 1, max_size=k - 1)))
    shares = [b - a for a, b in zip([0, *points], [*points, 1000], strict=True)]
    departments = {"A": draw(witness_quotas(shares, lifts=True))} if draw(st.booleans()) else {}
    return Scheme(grades, draw(witness_quotas(shares)), draw(st.integers(0, 12)), departments)


TOTALS = st.none() | st.integers(0, 20).map(lambda x: D(x * 5)) | st.sampled_from([D("92.5"), D("87.25")])


@st.composite
def groups(draw: st.DrawFn, max_size: int = 40) -> list[Person]:
    size = draw(st.integers(0, max_size))
    totals = draw(st.lists(TOTALS, min_size=size, max_size=size))
    ids: list[int | str] = draw(st.lists(st.integers(0, 10**6), min_size=len(totals), max_size=len(totals),
                                         unique=True))
    if draw(st.booleans()):
        ids = [f"e{i}" for i in ids]
    return [Person(i, t) for i, t in zip(ids, totals, strict=True)]


def _department(draw_flag: bool) -> str | None:
    return "A" if draw_flag else None


PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(schemes(), groups(), st.booleans())
def test_every_quota_range_holds_after_a_suggestion_at_or_above_the_minimum_size(
        scheme: Scheme, group: list[Person], department: bool) -> None:
    result = suggest(group, scheme, department_grade=_department(department))
    graded = [p for p in result.placements if p.total is not None]
    assert result.enforced == (len(graded) >= scheme.min_group_size)
    for quota in scheme.quotas_for(_department(department)):
        low, high = _bounds(quota, len(graded))
        count = sum(1 for p in graded if p.grade in quota.grades)
        holds = (low is None or count >= low) and (high is None or count <= high)
        if result.enforced:
            assert holds, (quota, count, low, high)
        else:
            assert holds == (quota.label not in result.flags[0].params["broken"])
    if not result.enforced:
        assert result.moves == 0
        assert all(p.grade == p.floor_grade for p in result.placements)
    # better total, grade at least as good; the coefficient is the grade's
    order = {code: i for i, code in enumerate(scheme.codes)}
    for better, worse in pairwise(graded):
        assert better.total is not None
        assert worse.total is not None
        assert better.total >= worse.total
        assert order[better.grade or ""] <= order[worse.grade or ""]
    assert all(p.coefficient == scheme.grades[order[p.grade]].coefficient for p in graded if p.grade)
    assert all(p.grade is None for p in result.placements if p.total is None)


@PROPERTY
@given(schemes(), groups())
def test_ties_never_split_except_where_flagged(scheme: Scheme, group: list[Person]) -> None:
    result = suggest(group, scheme)
    flagged = [set(f.params["people"]) for f in result.flags if f.code == "tie_split"]
    by_total: dict[Decimal, set[str | None]] = {}
    for p in result.placements:
        if p.total is not None:
            by_total.setdefault(p.total, set()).add(p.grade)
    for total, grades in by_total.items():
        tied = {p.id for p in result.placements if p.total == total}
        assert (len(grades) > 1) == (tied in flagged)
        assert all(p.tie_split == (len(grades) > 1) for p in result.placements if p.total == total)


@PROPERTY
@given(schemes(), groups(), st.randoms(use_true_random=False), st.booleans())
def test_the_same_people_in_any_order_give_the_same_suggestion(
        scheme: Scheme, group: list[Person], rng: random.Random, department: bool) -> None:
    shuffled = group[:]
    rng.shuffle(shuffled)
    first = suggest(group, scheme, department_grade=_department(department))
    assert suggest(shuffled, scheme, department_grade=_department(department)) == first


def _brute_force(scheme: Scheme, totals: list[Decimal]) -> tuple[int, int]:
    """The least (tie splits, moves) over every distribution that holds every quota, by enumeration."""
    n, k = len(totals), len(scheme.grades)
    floor_cuts = [sum(1 for t in totals if next((i for i, g in enumerate(scheme.grades) if t >= g.floor), k - 1) < c)
                  for c in range(k + 1)]
    best: tuple[int, int] | None = None
    for inner in combinations_with_replacement(range(n + 1), k - 1):
        cuts = [0, *inner, n]
        ok = True
        for quota in scheme.quotas:
            first, last = scheme.codes.index(quota.grades[0]), scheme.codes.index(quota.grades[-1])
            low, high = _bounds(quota, n)
            count = cuts[last + 1] - cuts[first]
            ok = ok and (low is None or count >= low) and (high is None or count <= high)
        if ok:
            splits = sum(1 for c in inner if 0 < c < n and totals[c - 1] == totals[c])
            moves = sum(abs(cuts[c] - floor_cuts[c]) for c in range(1, k))
            best = (splits, moves) if best is None else min(best, (splits, moves))
    assert best is not None
    return best


@PROPERTY
@given(schemes(max_grades=4), st.lists(st.integers(12, 20).map(lambda x: D(x * 5)), max_size=9))
def test_the_suggestion_splits_fewest_ties_then_moves_fewest_people(scheme: Scheme, totals: list[Decimal]) -> None:
    assume(len(totals) >= scheme.min_group_size)
    totals.sort(reverse=True)
    result = suggest([Person(i, t) for i, t in enumerate(totals)], scheme)
    line = result.derivation[-1].params
    assert (line["tie_splits"], line["moves"]) == _brute_force(scheme, totals)


@PROPERTY
@given(schemes(), st.integers(0, 500), st.booleans())
def test_rounded_bounds_always_leave_room_for_a_distribution(scheme: Scheme, n: int, department: bool) -> None:
    quotas = scheme.quotas_for(_department(department))
    singles = {q.grades[0]: _bounds(q, n) for q in quotas if len(q.grades) == 1}
    lows = sum((singles.get(c, (0, n))[0] or 0) for c in scheme.codes)
    highs = sum(n if singles.get(c, (0, n))[1] is None else singles.get(c, (0, n))[1] or 0 for c in scheme.codes)
    assert lows <= n <= highs
    # the witness's cumulative shares of n, each rounded down, hold every rounded range (docs/calibration.md)
    witness = scheme.witness(_department(department))
    assert sum(witness) == 100
    assert all(s >= 0 for s in witness)
    cuts = [math.floor(Fraction(sum(witness[:j], D(0))) * n / 100) for j in range(len(witness) + 1)]
    for quota in quotas:
        first, last = scheme.codes.index(quota.grades[0]), scheme.codes.index(quota.grades[-1])
        low, high = _bounds(quota, n)
        count = cuts[last + 1] - cuts[first]
        assert (low is None or count >= low)
        assert (high is None or count <= high)


@PROPERTY
@given(st.integers(1, 4), st.data())
def test_the_scheme_check_accepts_exactly_the_satisfiable_quotas(k: int, data: st.DataObject) -> None:
    # Percentages in tens: at N = 10 every bound is exact, so "some distribution of 10 people holds every
    # quota" is the same as "some distribution in percent does".
    quotas = []
    for first, last in data.draw(st.lists(st.sampled_from(_candidates(k)), unique=True, max_size=5)):
        low = data.draw(st.none() | st.integers(0, 10))
        high = data.draw(st.none() | st.integers(low or 0, 10))
        if low is None and high is None:
            continue
        quotas.append(Quota(CODES[first:last + 1], None if low is None else D(low * 10),
                            None if high is None else D(high * 10)))
    grades = tuple(Grade(CODES[i], D(90 - 10 * i), D(1)) for i in range(k))
    feasible = False
    for inner in combinations_with_replacement(range(11), k - 1):
        cuts = [0, *inner, 10]
        if all((q.low is None or cuts[CODES.index(q.grades[-1]) + 1] - cuts[CODES.index(q.grades[0])] >= q.low / 10)
               and (q.high is None or cuts[CODES.index(q.grades[-1]) + 1] - cuts[CODES.index(q.grades[0])]
                    <= q.high / 10) for q in quotas):
            feasible = True
            break
    if feasible:
        Scheme(grades, tuple(quotas))
    else:
        with pytest.raises(DistributionError, match="quotas_unsatisfiable"):
            Scheme(grades, tuple(quotas))


@PROPERTY
@given(st.lists(st.integers(0, 1000), min_size=1, max_size=7), st.integers(0, 1000))
def test_largest_remainder_adds_up_and_rounds_each_share_down_or_up(points: list[int], n: int) -> None:
    cuts = sorted(points)[:-1]
    shares = [D(b - a) / 10 for a, b in zip([0, *cuts], [*cuts, 1000], strict=True)]
    result = apportion(shares, n)
    assert sum(result) == n
    for share, count in zip(shares, result, strict=True):
        exact = Fraction(share) * n / 100
        assert math.floor(exact) <= count <= math.ceil(exact)
