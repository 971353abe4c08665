"""Rater leniency and the z-score normalisation with shrinkage (issue 7 item 3, acceptance "Normalisation test").
Pure: no database."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from itertools import pairwise

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from fairmark.calibration.normalisation import (
    Baseline,
    Line,
    NormalisationError,
    Normalised,
    Rating,
    leniency,
    normalise,
)

D = Decimal
CENT = D("0.01")


def ratings_of(teams: Mapping[str, Sequence[int | str]], item: int | str | None = None) -> list[Rating]:
    """{"wang": [92, 95]} → Wang rated wang1 92 and wang2 95."""
    return [Rating(rater, f"{rater}{i}", D(score), item)
            for rater, scores in teams.items() for i, score in enumerate(scores, start=1)]


def after_by_ratee(result: list[Normalised] | tuple[Normalised, ...]) -> dict[object, Decimal]:
    return {r.ratee: r.after for r in result}


# ---- Spearman, written out (no scipy): Pearson correlation of the ranks, ties sharing their average rank ------


def ranks(values: list[float]) -> list[Fraction]:
    order = sorted(range(len(values)), key=lambda i: values[i])
    result = [Fraction(0)] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        for position in range(start, end + 1):
            result[order[position]] = Fraction(start + end, 2) + 1
        start = end + 1
    return result


def spearman(xs: list[float], ys: list[float]) -> float:
    rx, ry = ranks(xs), ranks(ys)
    mx, my = sum(rx) / len(rx), sum(ry) / len(ry)
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    vx, vy = sum((a - mx) ** 2 for a in rx), sum((b - my) ** 2 for b in ry)
    return float(cov) / (float(vx) * float(vy)) ** 0.5


def test_spearman_by_hand() -> None:
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1)
    assert spearman([1, 2, 3, 4], [40, 30, 20, 10]) == pytest.approx(-1)
    assert spearman([1, 2, 3], [1, 3, 2]) == pytest.approx(0.5)  # 1 − 6·2 / (3·8)
    assert ranks([5, 7, 5, 1]) == [Fraction(5, 2), 4, Fraction(5, 2), 1]


# ---- the acceptance: a simulated department ---------------------------------------------------------------------

BIAS = {"m1": 10, "m2": -10, "m3": 0, "m4": 0, "m5": 0, "m6": 0}  # m1 rates 10 points high, m2 10 low


def department(seed: int, team: int = 10) -> tuple[dict[str, float], list[Rating]]:
    """True performance ~ N(75, 8) per person, from a fixed seed; each manager rates their team at true + bias
    + noise N(0, 4), on 0–100 with two decimals."""
    rng = random.Random(seed)
    truth: dict[str, float] = {}
    ratings = []
    for index in range(team * len(BIAS)):
        manager = list(BIAS)[index % len(BIAS)]
        person = f"e{index:03d}"
        truth[person] = rng.gauss(75, 8)
        score = min(100.0, max(0.0, truth[person] + BIAS[manager] + rng.gauss(0, 4)))
        ratings.append(Rating(manager, person, D(str(score)).quantize(CENT, ROUND_HALF_UP)))
    return truth, ratings


def correlations(truth: dict[str, float], ratings: list[Rating]) -> tuple[float, float]:
    after = after_by_ratee(normalise(ratings).results)
    people = sorted(truth)
    real = [truth[p] for p in people]
    before = {r.ratee: r.score for r in ratings}
    return (spearman(real, [float(before[p]) for p in people]), spearman(real, [float(after[p]) for p in people]))


def test_simulated_department_ranks_closer_to_true_performance_and_names_both_managers() -> None:
    truth, ratings = department(seed=0)
    before, after = correlations(truth, ratings)
    assert round(before, 3) == 0.698
    assert round(after, 3) == 0.827
    assert after > before + 0.1
    report = leniency(ratings)
    assert report.named("lenient") == ("m1",)
    assert report.named("harsh") == ("m2",)
    assert report.managers[0].rater == "m1"
    assert report.managers[-1].rater == "m2"
    assert [m.rank for m in report.managers] == [1, 2, 3, 4, 5, 6]
    m1, m2 = report.managers[0], report.managers[-1]
    assert (m1.count, m1.ratees, m1.standardised, m2.standardised) == (10, 10, D("0.89"), D("-1.10"))


@pytest.mark.parametrize("seed", range(1, 10))
def test_the_improvement_is_no_accident_of_one_seed(seed: int) -> None:
    truth, ratings = department(seed)
    before, after = correlations(truth, ratings)
    assert after > before
    report = leniency(ratings)
    assert "m1" in report.named("lenient")
    assert "m2" in report.named("harsh")


# ---- worked example (docs/calibration.md) -----------------------------------------------------------------------

EXAMPLE = {"wang": [92, 95, 88, 90, 95], "li": [60, 64], "zhao": [70, 80, 75, 78, 72]}


def test_leniency_worked_example() -> None:
    report = leniency(ratings_of(EXAMPLE, "teamwork"))
    assert report.baseline == Baseline(None, 12, D("79.92"), D("11.57"))  # 959 / 12 = 79.9167
    rows = [(m.rater, m.rank, m.count, m.mean, m.sd, m.difference, m.standardised, m.flag) for m in report.managers]
    assert rows == [
        ("wang", 1, 5, D("92.00"), D("2.76"), D("12.08"), D("1.04"), "lenient"),
        ("zhao", 2, 5, D("75.00"), D("3.69"), D("-4.92"), D("-0.42"), "in_line"),
        ("li", 3, 2, D("62.00"), D("2.00"), D("-17.92"), D("-1.55"), "harsh"),
    ]


def test_normalisation_worked_example_and_its_derivation() -> None:
    result = normalise(ratings_of(EXAMPLE, "teamwork"), k=5)
    assert result.baselines == (Baseline("teamwork", 12, D("79.92"), D("11.57")),)
    assert [(m.rater, m.count, m.weight, m.shrunk_mean, m.shrunk_sd) for m in result.managers] == [
        ("li", 2, D("0.2857"), D("74.80"), D("9.84")),
        ("wang", 5, D("0.5000"), D("85.96"), D("8.41")),
        ("zhao", 5, D("0.5000"), D("77.46"), D("8.59")),
    ]
    after = after_by_ratee(result.results)
    assert (after["li1"], after["li2"], after["wang2"], after["zhao2"]) == (D("62.51"), D("67.22"), D("92.36"),
                                                                           D("83.34"))
    first = result.results[0]
    assert (first.ratee, first.before, first.after, first.code) == ("li1", D("60.00"), D("62.51"), "adjusted")
    assert first.lines == (
        Line("shrunk_mean", {"count": 2, "k": D(5), "mean": D("62.0000"), "org_mean": D("79.9167")}, D("74.7976")),
        Line("shrunk_sd", {"count": 2, "k": D(5), "sd": D("2.0000"), "org_sd": D("11.5719")}, D("9.8383")),
        Line("rescaled", {"before": D("60.00"), "org_mean": D("79.9167"), "org_sd": D("11.5719"),
                          "shrunk_mean": D("74.7976"), "shrunk_sd": D("9.8383")}, D("62.5116")),
        Line("after", {"exact": D("62.5116")}, D("62.51")),
    )
    # The calculator check the page invites: M + S × (x − m̂) ÷ ŝ from the figures shown.
    assert (D("79.9167") + D("11.5719") * (D(60) - D("74.7976")) / D("9.8383")).quantize(CENT) == D("62.51")


def test_exact_rounding_of_a_half_reached_through_a_square_root() -> None:
    # Mean 0.005 and sd √0.000025 = 0.005 exactly: both round half up to 0.01, not down from a float.
    report = leniency([Rating("a", 1, D(0)), Rating("a", 2, CENT)])
    assert (report.baseline.mean, report.baseline.sd) == (CENT, CENT)
    assert report.managers[0].standardised == D("0.00")


@pytest.mark.parametrize(("a", "b", "q", "places", "expected"), [
    (Fraction(1, 200), 0, 0, 2, "0.01"),  # 0.005 exactly: half up
    (Fraction(-1, 200), 0, 0, 2, "-0.01"),  # half away from zero below it
    (0, 1, Fraction(1, 40_000), 2, "0.01"),  # √(1/40000) = 0.005
    (Fraction(3, 1000), 1, Fraction(1, 40_000), 2, "0.01"),  # 0.008
    (1, -1, 1, 2, "0.00"),  # 1 − √1: exactly zero, never "-0.00"
    (Fraction(1, 100), -1, Fraction(1, 40_000), 2, "0.01"),  # 0.005 again, through a negative term
    (0, 1, 2, 4, "1.4142"),
    (0, -1, 2, 4, "-1.4142"),
])
def test_the_rounding_helper_decides_halves_exactly(a: int | Fraction, b: int | Fraction, q: int | Fraction,
                                                     places: int, expected: str) -> None:
    from fairmark.calibration.normalisation import _round

    assert str(_round(Fraction(a), Fraction(b), Fraction(q), places)) == expected


# ---- shrinkage ---------------------------------------------------------------------------------------------------


def fair_org() -> dict[str, Sequence[int | str]]:
    rng = random.Random(42)
    return {f"fair{j}": [str(D(rng.randint(5000, 8000)).scaleb(-2)) for _ in range(10)] for j in range(8)}


def team_shift(result: tuple[Normalised, ...], rater: str) -> Decimal:
    rows = [r for r in result if r.rater == rater]
    return sum((r.after - r.before for r in rows), D(0)) / len(rows)


def test_a_team_of_2_barely_moves_and_a_team_of_30_moves_almost_fully() -> None:
    teams = fair_org()
    pattern = [65, 85]  # both lenient managers rate 75 ± 10, ten points above the fair managers' ~65
    teams["small"] = pattern
    teams["large"] = pattern * 15
    result = normalise(ratings_of(teams)).results
    small, large = team_shift(result, "small"), team_shift(result, "large")
    assert small < 0
    assert large < 0
    gap = D(75) - D(leniency(ratings_of(teams)).baseline.mean or 0)  # their distance to the org's mean
    assert abs(small) < gap * D("0.35")  # about 2 / (2 + 5) of it
    assert abs(large) > gap * D("0.8")  # about 30 / (30 + 5) of it
    assert abs(small) < abs(large)


def test_a_manager_who_rates_everyone_the_same_is_handled() -> None:
    teams = fair_org()
    teams["flat"] = [90] * 12
    result = normalise(ratings_of(teams))
    flat = [r for r in result.results if r.rater == "flat"]
    shrink = next(m for m in result.managers if m.rater == "flat")
    assert shrink.sd == D("0.00")
    assert shrink.shrunk_sd > 0
    assert {r.code for r in flat} == {"adjusted"}
    assert len({r.after for r in flat}) == 1
    assert flat[0].after < D(90)
    # Without shrinkage (k = 0) a spread of 0 cannot be divided by: left as is, with a code.
    unshrunk = normalise(ratings_of(teams), k=0)
    assert {(r.code, r.before == r.after) for r in unshrunk.results if r.rater == "flat"} == {("no_spread", True)}


@given(
    fair=st.lists(st.integers(3000, 7000), min_size=4, max_size=30),
    pattern=st.lists(st.integers(3500, 6500), min_size=1, max_size=4),
    bias=st.integers(-1500, 1500),
    sizes=st.tuples(st.integers(1, 10), st.integers(1, 10)),
    k=st.integers(1, 20),
)
def test_smaller_teams_move_less_than_larger_ones_with_the_same_bias(
        fair: list[int], pattern: list[int], bias: int, sizes: tuple[int, int], k: int) -> None:
    small_n, large_n = sorted(sizes)
    assume(small_n < large_n and len(set(fair)) > 1)
    shifted = [str(D(u + bias).scaleb(-2)) for u in pattern]
    teams: dict[str, Sequence[int | str]] = {"fair": [str(D(u).scaleb(-2)) for u in fair],
                                         "small": shifted * small_n, "large": shifted * large_n}
    result = normalise(ratings_of(teams), k=k).results
    assume(not any(line.code == "clamped" for r in result for line in r.lines))
    assert abs(team_shift(result, "small")) <= abs(team_shift(result, "large")) + CENT


# ---- properties -------------------------------------------------------------------------------------------------

scores = st.integers(0, 10_000).map(lambda units: D(f"{units}E-2"))
raters: st.SearchStrategy[int | str] = st.sampled_from(["a", "b", "c", 1, 2])
items: st.SearchStrategy[int | str | None] = st.sampled_from([None, "x", 7])
rating_lists = st.lists(st.tuples(raters, scores, items), max_size=40).map(
    lambda rows: [Rating(rater, f"p{i}", score, item) for i, (rater, score, item) in enumerate(rows)])


@given(st.lists(scores, min_size=1, max_size=20), st.integers(0, 3), st.integers(0, 30))
def test_a_manager_already_matching_the_org_is_unchanged(xs: list[Decimal], copies: int, k: int) -> None:
    # Others give the very same scores to other people: the org's mean and spread are the manager's own.
    teams = {"same": xs, **{f"copy{j}": xs for j in range(copies)}}
    result = normalise([Rating(r, f"{r}{i}", x) for r, values in teams.items() for i, x in enumerate(values)], k=k)
    assert all(r.after == r.before for r in result.results)
    assert all(m.shrunk_mean == m.mean and m.shrunk_sd == m.sd for m in result.managers)


@given(rating_lists, st.randoms(use_true_random=False), st.integers(0, 10))
def test_output_is_deterministic_and_independent_of_input_order(rows: list[Rating], rng: random.Random,
                                                                k: int) -> None:
    shuffled = rows[:]
    rng.shuffle(shuffled)
    assert normalise(shuffled, k=k) == normalise(rows, k=k) == normalise(list(rows), k=k)
    assert leniency(shuffled) == leniency(rows)


@given(rating_lists, st.integers(0, 10))
def test_results_stay_on_the_scale_keep_each_managers_order_and_explain_themselves(rows: list[Rating],
                                                                                   k: int) -> None:
    result = normalise(rows, k=k)
    assert len(result.results) == len(rows)
    by_key = {(r.item, r.rater, r.ratee): r.score for r in rows}
    for r in result.results:
        assert r.before == by_key[(r.item, r.rater, r.ratee)]
        assert D(0) <= r.after <= D(100)
        assert r.after == r.after.quantize(CENT)
        assert r.lines[-1].code == "after"
        assert r.lines[-1].value == r.after
        exact = r.lines[-1].params["exact"]
        if not any(line.code == "clamped" for line in r.lines):
            assert exact.quantize(CENT, ROUND_HALF_UP) == r.after  # the shown figure rounds to the result
    groups: dict[object, list[Normalised]] = {}
    for r in result.results:
        groups.setdefault((r.item, r.rater), []).append(r)
    for group in groups.values():  # within one manager and item the order of people never changes
        ordered = sorted(group, key=lambda r: r.before)
        assert all(a.after <= b.after for a, b in pairwise(ordered))


@given(rating_lists)
def test_leniency_ranks_by_difference_and_breaks_ties_by_id(rows: list[Rating]) -> None:
    report = leniency(rows)
    assert [m.rank for m in report.managers] == list(range(1, len(report.managers) + 1))
    assert sum(m.count for m in report.managers) == len(rows)
    # Differences are shown rounded, so in general only the rounded order can be checked here; ties by id below.
    differences = [m.difference for m in report.managers]
    assert differences == sorted(differences, reverse=True)


def test_equal_means_are_ordered_by_id_ints_first() -> None:
    rows = [Rating("b", 1, D(80)), Rating("a", 2, D(80)), Rating(2, 3, D(80)), Rating(10, 4, D(80))]
    assert [m.rater for m in leniency(rows).managers] == [2, 10, "a", "b"]


# ---- edge cases: codes, never a crash ---------------------------------------------------------------------------


def test_empty_input() -> None:
    assert leniency([]).managers == ()
    assert leniency([]).baseline == Baseline(None, 0, None, None)
    result = normalise([])
    assert (result.baselines, result.managers, result.results) == ((), (), ())


def test_one_rating() -> None:
    report = leniency([Rating("a", "p", D(88))])
    only = report.managers[0]
    assert (only.count, only.sd, only.difference, only.standardised, only.flag) == (1, D("0.00"), D("0.00"), None,
                                                                                   "in_line")
    (result,) = normalise([Rating("a", "p", D(88))]).results
    assert (result.before, result.after, result.code) == (D(88), D(88), "org_no_spread")
    assert [line.code for line in result.lines] == ["shrunk_mean", "shrunk_sd", "org_no_spread", "after"]


def test_org_without_spread_leaves_ratings_and_flags_by_sign() -> None:
    org = [Rating("x", i, D(80)) for i in range(5)]
    rows = [Rating("hi", "p", D(90)), Rating("lo", "q", D(70)), Rating("eq", "r", D(80))]
    report = leniency(rows, org=org)
    assert [(m.rater, m.flag, m.standardised) for m in report.managers] == [
        ("hi", "lenient", None), ("eq", "in_line", None), ("lo", "harsh", None)]
    assert all(r.after == r.before and r.code == "org_no_spread" for r in normalise(rows, org=org).results)


def test_threshold_is_inclusive_and_configurable() -> None:
    # Org 60/80/70/70 (mean 70, sd √50 = 7.07); "b" is 5 above: 0.707 sd.
    rows = [Rating("a", 1, D(60)), Rating("a", 2, D(80)), Rating("b", 3, D(75)), Rating("c", 4, D(65))]
    assert leniency(rows).named("lenient") == ("b",)
    assert leniency(rows, threshold=D("0.75")).named("lenient") == ()
    # Exactly on the threshold counts: org 60/80 (mean 70, sd 10); 75 is 0.5 sd above, 65 is 0.5 sd below.
    org = [Rating("o", 1, D(60)), Rating("o", 2, D(80))]
    rows = [Rating("b", 3, D(75)), Rating("c", 4, D(65))]
    assert [(m.rater, m.standardised, m.flag) for m in leniency(rows, org=org).managers] == [
        ("b", D("0.50"), "lenient"), ("c", D("-0.50"), "harsh")]
    assert {m.flag for m in leniency(rows, org=org, threshold=D("0.51")).managers} == {"in_line"}


def test_clamped_to_the_scale_with_a_line_saying_so() -> None:
    org = [Rating("o", i, D(s)) for i, s in enumerate([40, 60] * 10)]  # mean 50, sd 10
    rows = [Rating("m", i, D(50)) for i in range(29)] + [Rating("m", 99, D(100))]
    (top,) = [r for r in normalise(rows, org=org).results if r.ratee == 99]
    assert top.after == D(100)
    assert top.code == "adjusted"
    codes = [line.code for line in top.lines]
    assert codes == ["shrunk_mean", "shrunk_sd", "rescaled", "clamped", "after"]
    assert top.lines[2].value is not None
    assert top.lines[2].value > 100


def test_each_item_is_its_own_scale() -> None:
    rows = ratings_of({"a": [90, 95], "b": [80, 85]}, "quality") + ratings_of({"a": [50, 55], "b": [60, 65]}, 7)
    result = normalise(rows)
    assert [b.item for b in result.baselines] == [7, "quality"]
    assert [(b.mean, b.count) for b in result.baselines] == [(D("57.50"), 4), (D("87.50"), 4)]
    assert [(m.item, m.rater) for m in result.managers] == [(7, "a"), (7, "b"), ("quality", "a"), ("quality", "b")]
    with pytest.raises(NormalisationError) as caught:
        normalise(rows, org=[r for r in rows if r.item == 7])
    assert (caught.value.code, caught.value.params) == ("item_not_in_org", {"item": "quality"})


@pytest.mark.parametrize(("score", "code"), [
    (80.5, "score_not_number"), (True, "score_not_number"), (D("NaN"), "score_not_number"), ("80", "score_not_number"),
    (D("100.01"), "score_out_of_range"), (-1, "score_out_of_range"), (D("80.125"), "score_precision"),
])
def test_bad_scores_are_refused_with_a_code(score: object, code: str) -> None:
    with pytest.raises(NormalisationError) as caught:
        Rating("a", "p", score)  # type: ignore[arg-type]
    assert caught.value.code == code


def test_other_bad_input_is_refused_with_a_code() -> None:
    def code_of(call: object) -> str:
        with pytest.raises(NormalisationError) as caught:
            call()  # type: ignore[operator]
        return caught.value.code

    ok = Rating("a", "p", D(80))
    assert code_of(lambda: Rating(True, "p", D(80))) == "id_invalid"
    assert code_of(lambda: Rating("a", 1.5, D(80))) == "id_invalid"  # type: ignore[arg-type]
    assert code_of(lambda: normalise([ok, Rating("a", "p", D(70))])) == "duplicate_rating"
    assert code_of(lambda: leniency([ok, ("a", "p", 80)])) == "not_a_rating"  # type: ignore[list-item]
    assert code_of(lambda: normalise([ok], k=-1)) == "k_invalid"
    assert code_of(lambda: normalise([ok], k=5.0)) == "k_invalid"  # type: ignore[arg-type]
    assert code_of(lambda: leniency([ok], threshold=0)) == "threshold_invalid"
    assert code_of(lambda: leniency([ok], org=[])) == "org_empty"
    assert code_of(lambda: normalise([ok], org=[])) == "item_not_in_org"
    # The same person rated for two items, or by two managers, is no duplicate.
    assert len(normalise([ok, Rating("a", "p", D(70), "x"), Rating("b", "p", D(60))]).results) == 3
