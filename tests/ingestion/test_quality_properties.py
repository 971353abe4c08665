"""Properties of the data-quality rules (hypothesis): one verdict per fact and a resend changes nothing;
outliers agree with an exact reference, and do not depend on the order or the scale of the values; the gaps
and the reported cells add up to the grid."""

from __future__ import annotations

import random
from collections.abc import Sequence
from decimal import Context, Decimal
from fractions import Fraction
from statistics import median

from hypothesis import given, settings
from hypothesis import strategies as st

from fairmark.ingestion.quality import STATUSES, Fact, Key, classify, gaps, outliers

D = Decimal
# Per test rather than a profile: loading a profile would change the settings of every other test module.
FAST = settings(deadline=None, max_examples=150)
EXACT = Context(prec=200)

# --- duplicates and conflicts ---------------------------------------------------------------------------

# Few sources, keys, cells and values, so that repeats, conflicts and shared cells are common.
# Values include the same number written differently (2.5, 2.50).
VALUES = [D("1"), D("1.0"), D("2.5"), D("2.50"), D("3"), D("-0"), D("0")]
facts = st.builds(Fact, st.sampled_from(["mes", "erp"]), st.sampled_from(["a", "b", "c", "d", "e"]),
                  st.sampled_from(["output", "yield"]), st.integers(1, 3),
                  st.sampled_from(["2026-11-03", "2026-11-04"]), st.sampled_from(VALUES))
keys = st.tuples(st.sampled_from(["mes", "erp"]), st.sampled_from(["a", "b", "c", "d", "e"]))
stored = st.dictionaries(keys, st.sampled_from(VALUES), max_size=6)


@FAST
@given(st.lists(facts, max_size=25), stored)
def test_every_incoming_fact_gets_exactly_one_verdict_by_the_rule(incoming: list[Fact],
                                                                  existing: dict[Key, Decimal]) -> None:
    result = classify(incoming, existing)
    assert [v.index for v in result.verdicts] == list(range(len(incoming)))
    assert all(v.fact is fact for v, fact in zip(result.verdicts, incoming, strict=True))
    assert all(v.status in STATUSES for v in result.verdicts)
    counts = result.counts()
    assert sum(counts[status] for status in STATUSES) == len(incoming)
    # the rule, written the slow way: compare with the stored value, else with the key's first occurrence
    for verdict in result.verdicts:
        fact = verdict.fact
        earlier = [f for f in incoming[:verdict.index] if f.key == fact.key]
        reference = existing.get(fact.key, earlier[0].value if earlier else None)
        expected = "new" if reference is None else "unchanged" if fact.value == reference else "conflict"
        assert verdict.status == expected
        assert verdict.message("en")
        assert verdict.message("zh-hans")
    # what is applied: one value per new key, never a stored key
    assert set(result.accepted).isdisjoint(existing)
    assert result.apply(existing).items() >= existing.items()


@FAST
@given(st.lists(facts, max_size=25), stored)
def test_classifying_a_batch_again_against_the_first_result_changes_nothing(incoming: list[Fact],
                                                                            existing: dict[Key, Decimal]) -> None:
    first = classify(incoming, existing)
    after = first.apply(existing)
    second = classify(incoming, after)
    # everything that was new or resent is now unchanged; a conflict is still a conflict (never applied)
    assert [v.status for v in second.verdicts] == [
        "conflict" if v.status == "conflict" else "unchanged" for v in first.verdicts]
    assert second.accepted == {}
    assert second.apply(after) == after
    if not first.conflicts:
        assert {v.status for v in second.verdicts} <= {"unchanged"}


@FAST
@given(st.lists(facts, max_size=25))
def test_cross_key_duplicates_are_the_cells_with_several_row_keys(incoming: list[Fact]) -> None:
    result = classify(incoming, {})
    keys_by_cell: dict[tuple[object, ...], list[str]] = {}
    for fact in incoming:
        row_keys = keys_by_cell.setdefault(fact.cell, [])
        if fact.row_key not in row_keys:
            row_keys.append(fact.row_key)
    expected = [(cell, tuple(row_keys)) for cell, row_keys in keys_by_cell.items() if len(row_keys) > 1]
    found = [((d.source, d.metric, d.subject_id, d.period), d.row_keys) for d in result.cross_key_duplicates]
    assert found == expected
    for duplicate in result.cross_key_duplicates:
        cell = (duplicate.source, duplicate.metric, duplicate.subject_id, duplicate.period)
        assert list(duplicate.indices) == [i for i, fact in enumerate(incoming) if fact.cell == cell]


# --- outliers -------------------------------------------------------------------------------------------

MAD_FACTOR = Fraction("0.6745")
MEAN_AD_FACTOR = Fraction("1.253314")


def reference(values: Sequence[Decimal], threshold: Fraction = Fraction("3.5")) -> dict[int, Decimal]:
    """The modified z-score in exact fractions, the slow and obvious way: position → score to 0.01."""
    xs = [Fraction(v) for v in values]
    m = median(xs)
    mad = median(abs(x - m) for x in xs)
    if mad:
        scores = [MAD_FACTOR * (x - m) / mad for x in xs]
    else:
        mean_ad = sum((abs(x - m) for x in xs), Fraction(0)) / len(xs)
        if not mean_ad:
            return {}
        scores = [(x - m) / (MEAN_AD_FACTOR * mean_ad) for x in xs]
    return {i: round_half_up(z) for i, z in enumerate(scores) if abs(z) > threshold}


def round_half_up(value: Fraction) -> Decimal:
    hundredths, rest = divmod(abs(value) * 100, 1)
    whole = int(hundredths) + (1 if rest >= Fraction(1, 2) else 0)
    return D(whole if value >= 0 else -whole).scaleb(-2)


# Ordinary values (90–110, sometimes tied at 100, so that MAD can be 0), some near the edge of the threshold,
# and up to two far ones; up to 3 decimal places. Lists of 8–30 take the Python path, 60–90 the numpy path.
ordinary = st.builds(lambda n, k, places: D(n) + D(k).scaleb(-places), st.integers(90, 110), st.integers(0, 9),
                     st.integers(1, 2))
tied = st.sampled_from([D(100), D("100.0"), D(99), D(101)])
near = st.builds(lambda n: D(n).scaleb(-1), st.integers(600, 1400))
far = st.builds(lambda n, places: D(n).scaleb(-places), st.integers(-10**6, 10**6), st.integers(0, 3))
value = st.one_of(ordinary, ordinary, ordinary, tied, near)


def with_far(values: list[Decimal], extra: list[Decimal], at: int) -> list[Decimal]:
    position = at % (len(values) + 1)
    return [*values[:position], *extra, *values[position:]]


mostly_tied = st.lists(st.one_of(tied, tied, tied, near), min_size=8, max_size=30)
series = st.builds(with_far, st.one_of(st.lists(value, min_size=8, max_size=30), mostly_tied,
                                       st.integers(60, 90).flatmap(lambda n: st.lists(value, min_size=n, max_size=n))),
                   st.lists(far, max_size=2), st.integers(0, 100))


def verdicts(values: Sequence[tuple[int, Decimal]]) -> list[tuple[int, Decimal, str]]:
    return sorted((o.id, o.score, o.method) for o in outliers({"g": values}))


@FAST
@given(series)
def test_outliers_agree_with_the_exact_reference(values: list[Decimal]) -> None:
    found = outliers({"g": list(enumerate(values))})
    assert {o.id: o.score for o in found} == reference(values)
    for outlier in found:
        assert Fraction(outlier.median) == median(Fraction(v) for v in values)
        assert outlier.message("en").startswith(f"The value {outlier.value} is far from the median")


@FAST
@given(series, st.randoms(use_true_random=False))
def test_outliers_do_not_depend_on_the_order_of_the_values(values: list[Decimal], rng: random.Random) -> None:
    pairs = list(enumerate(values))
    shuffled = pairs[:]
    rng.shuffle(shuffled)
    assert verdicts(shuffled) == verdicts(pairs)
    by_id = {o.id: (o.median, o.mad, o.mean_ad) for o in outliers({"g": pairs})}
    assert {o.id: (o.median, o.mad, o.mean_ad) for o in outliers({"g": shuffled})} == by_id


@FAST
@given(series, st.one_of(st.integers(1, 10**6), st.integers(10**18, 10**22)), st.integers(-8, 8))
def test_scaling_every_value_by_a_positive_constant_keeps_the_outliers(values: list[Decimal], digits: int,
                                                                       places: int) -> None:
    """A factor with many digits makes the integers and their deviations too long for int64."""
    factor = D(digits).scaleb(places)
    pairs = list(enumerate(values))
    scaled = [(i, EXACT.multiply(v, factor)) for i, v in pairs]
    assert verdicts(scaled) == verdicts(pairs)


@FAST
@given(series, st.integers(-10**25, 10**25))
def test_adding_a_constant_to_every_value_keeps_the_outliers(values: list[Decimal], shift: int) -> None:
    """A shift changes the median, not the deviations; a large one makes the integers too long for int64."""
    pairs = list(enumerate(values))
    shifted = [(i, EXACT.add(v, shift)) for i, v in pairs]
    assert verdicts(shifted) == verdicts(pairs)


# --- completeness ---------------------------------------------------------------------------------------

PERIODS = [f"2026-11-{day:02d}" for day in range(1, 13)]


@FAST
@given(st.lists(st.integers(0, 9), max_size=8), st.integers(0, 12),
       st.lists(st.tuples(st.integers(0, 12), st.sampled_from([*PERIODS, "2026-12-01"])), max_size=120))
def test_gaps_and_reported_cells_add_up_to_the_grid(subjects: list[int], n_periods: int,
                                                    reported: list[tuple[int, str]]) -> None:
    periods = PERIODS[:n_periods]
    result = gaps(subjects, periods, reported)
    expected = {(s, p) for s in subjects for p in periods}
    reported_in_grid = set(reported) & expected
    assert result.expected_cells == len(expected)
    assert result.reported_cells == len(reported_in_grid)
    assert sum(gap.length for gap in result.gaps) + result.reported_cells == result.expected_cells
    assert result.unexpected_cells == sum(1 for cell in reported if cell not in expected)
    # the runs cover exactly the missing cells, each run is as long as it can be, and they come in order
    covered = [(gap.subject, periods[gap.first + k]) for gap in result.gaps for k in range(gap.length)]
    assert len(covered) == len(set(covered))
    assert set(covered) == expected - reported_in_grid
    for gap in result.gaps:
        assert (gap.start, gap.end) == (periods[gap.first], periods[gap.first + gap.length - 1])
        before, after = gap.first - 1, gap.first + gap.length
        assert before < 0 or (gap.subject, periods[before]) in reported_in_grid
        assert after >= len(periods) or (gap.subject, periods[after]) in reported_in_grid
    order = {s: i for i, s in enumerate(dict.fromkeys(subjects))}
    assert [(order[g.subject], g.first) for g in result.gaps] == sorted((order[g.subject], g.first)
                                                                        for g in result.gaps)
    if result.expected_cells:
        assert result.ratio is not None
        exact = Fraction(result.reported_cells, result.expected_cells)
        assert Fraction(result.ratio) <= exact < Fraction(result.ratio) + Fraction(1, 10_000)
        assert (result.ratio == 1) == (not result.gaps)
