"""Properties of weighted totals (hypothesis): bounds, order, re-weighting, the rounding rule, the derivation."""

from __future__ import annotations

import random
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from fairmark.indicators.weighting import (
    Adjustment,
    GroupRating,
    ItemResult,
    RatedItem,
    Section,
    Step,
    Total,
    Veto,
    compute_total,
    q2,
    rate,
)

D = Decimal
CENT = D("0.01")
# Per test rather than a profile: loading a profile would change the settings of every other test module.
FAST = settings(deadline=None, max_examples=150)


def cents(value: int) -> Decimal:
    return D(value).scaleb(-2)


@st.composite
def weights(draw: st.DrawFn, n: int) -> list[Decimal]:
    """n weights with two places adding up to exactly 100 (zeros allowed): cut 0..10000 cents n − 1 times."""
    cuts = sorted(draw(st.lists(st.integers(0, 10_000), min_size=n - 1, max_size=n - 1)))
    bounds = [0, *cuts, 10_000]
    return [cents(b - a) for a, b in pairwise(bounds)]


scores = st.integers(0, 15_000).map(cents)  # 0.00 … 150.00, as scoring rules give them (a stretch can pass 100)
maybe_scores = st.one_of(st.none(), scores)


@st.composite
def sections(draw: st.DrawFn, score: st.SearchStrategy[Decimal | None] = scores) -> list[Section]:
    n_sections = draw(st.integers(1, 4))
    section_weights = draw(weights(n_sections))
    result = []
    for s, section_weight in enumerate(section_weights):
        n_items = draw(st.integers(1, 5))
        item_weights = draw(weights(n_items))
        items = [ItemResult(f"i{i}", f"item {i}", w, draw(score)) for i, w in enumerate(item_weights)]
        result.append(Section(f"s{s}", f"section {s}", section_weight, items))
    return result


def item_scores(section: Section) -> list[Decimal]:
    return [item.score for item in section.items if isinstance(item, ItemResult) and item.score is not None]


# ---- bounds ---------------------------------------------------------------------------------------------------------


@FAST
@given(sections())
def test_total_lies_between_the_smallest_and_largest_item_score(template: list[Section]) -> None:
    total = compute_total(template, missing="reweight", score_cap=None)
    everything = [score for section in template for score in item_scores(section)]
    assert total.value is not None
    assert min(everything) <= total.value <= max(everything)
    for section, result in zip(template, total.sections, strict=True):
        present = item_scores(section)
        assert result.score is not None
        assert min(present) <= result.score <= max(present)


@FAST
@given(sections(maybe_scores))
def test_with_missing_scores_reweight_stays_between_the_scores_present(template: list[Section]) -> None:
    total = compute_total(template, missing="reweight")
    present = [score for section in template for score in item_scores(section)]
    if not present:
        assert total.value is None
        return
    if total.value is not None:  # None only when every item with a score weighs 0
        assert min(present) <= total.value <= max(present)
    for section, result in zip(template, total.sections, strict=True):
        if result.score is not None:
            assert min(item_scores(section)) <= result.score <= max(item_scores(section))


@FAST
@given(st.lists(st.tuples(st.sampled_from(["self", "manager", "peer", "subordinate", "n_plus_2", "others"]),
                          st.lists(scores, max_size=6)), min_size=1, max_size=6, unique_by=lambda g: g[0]),
       st.data())
def test_a_rated_item_lies_between_its_smallest_and_largest_rating(groups: list[tuple[str, list[Decimal]]],
                                                                   data: st.DataObject) -> None:
    group_weights = data.draw(weights(len(groups)))
    item = RatedItem("r", "rated", D(100), [GroupRating(g, w, s)  # type: ignore[arg-type]
                                            for (g, s), w in zip(groups, group_weights, strict=True)])
    rated = rate(item)
    ratings = [s for g in item.groups if g.weight for s in g.scores]
    if rated.score is None:
        assert not ratings
    else:
        assert min(ratings) <= rated.score <= max(ratings)


@FAST
@given(sections(maybe_scores))
def test_zero_never_scores_above_reweight(template: list[Section]) -> None:
    reweight = compute_total(template, missing="reweight").value
    zero = compute_total(template, missing="zero").value
    # zero has no total only when nothing has a score; reweight also when every score present weighs 0
    assert zero is not None or reweight is None
    if reweight is not None and zero is not None:
        assert zero <= reweight


@FAST
@given(sections())
def test_both_rules_agree_when_nothing_is_missing(template: list[Section]) -> None:
    assert compute_total(template, missing="reweight").value == compute_total(template, missing="zero").value


# ---- order --------------------------------------------------------------------------------------------------------


@FAST
@given(sections(maybe_scores), st.randoms(use_true_random=False))
def test_the_total_does_not_depend_on_the_order_of_items_or_sections(template: list[Section],
                                                                     rnd: random.Random) -> None:
    shuffled = []
    for section in template:
        items = list(section.items)
        rnd.shuffle(items)
        shuffled.append(Section(section.key, section.label, section.weight, items))
    rnd.shuffle(shuffled)
    for rule in ("reweight", "zero"):
        a = compute_total(template, missing=rule)  # type: ignore[arg-type]
        b = compute_total(shuffled, missing=rule)  # type: ignore[arg-type]
        assert a.value == b.value
        assert {s.key: s.score for s in a.sections} == {s.key: s.score for s in b.sections}


# ---- re-weighting -----------------------------------------------------------------------------------------------


@st.composite
def exact_removal(draw: st.DrawFn) -> tuple[list[Section], list[Section]]:
    """One item of a section loses its score; `scaled` is the same section without it, the other weights scaled
    up to 100. Built backwards so both have exact 2-place weights: the scaled weights v are whole percents
    adding up to 100, the template keeps them at k % (v × k / 100 has two places) and the removed item weighs
    100 − k."""
    others = draw(sections())
    n = draw(st.integers(1, 5))
    cuts = sorted(draw(st.lists(st.integers(0, 100), min_size=n - 1, max_size=n - 1)))
    bounds = [0, *cuts, 100]
    scaled = [D(b - a) for a, b in pairwise(bounds)]
    kept = draw(st.integers(1, 99))
    kept_weights = [(v * kept).scaleb(-2) for v in scaled]
    values = [draw(scores) for _ in range(n)]
    with_missing = [ItemResult(f"i{i}", f"item {i}", w, s) for i, (w, s) in enumerate(zip(kept_weights, values,
                                                                                               strict=True))]
    with_missing.insert(draw(st.integers(0, n)), ItemResult("gone", "removed", D(100 - kept), None))
    without = [ItemResult(f"i{i}", f"item {i}", v, s) for i, (v, s) in enumerate(zip(scaled, values, strict=True))]
    target = draw(st.integers(0, len(others) - 1))
    section = others[target]
    a, b = list(others), list(others)
    a[target] = Section(section.key, section.label, section.weight, with_missing)
    b[target] = Section(section.key, section.label, section.weight, without)
    return a, b


@FAST
@given(exact_removal())
def test_reweight_equals_recomputing_without_the_item_and_its_weight_spread(pair: tuple[list[Section],
                                                                                    list[Section]]) -> None:
    with_missing, scaled = pair
    a = compute_total(with_missing, missing="reweight")
    b = compute_total(scaled, missing="reweight")
    assert a.value == b.value
    assert [s.score for s in a.sections] == [s.score for s in b.sections]


@st.composite
def section_removal(draw: st.DrawFn) -> tuple[list[Section], list[Section]]:
    """The same at the level of sections: a whole section without scores against the template without it."""
    n = draw(st.integers(1, 4))
    cuts = sorted(draw(st.lists(st.integers(0, 100), min_size=n - 1, max_size=n - 1)))
    bounds = [0, *cuts, 100]
    scaled = [D(b - a) for a, b in pairwise(bounds)]
    kept = draw(st.integers(1, 99))
    full = draw(sections())
    while len(full) < n:
        full = full + draw(sections())
    bodies = [list(s.items) for s in full[:n]]
    without = [Section(f"s{i}", f"s{i}", v, items) for i, (v, items) in enumerate(zip(scaled, bodies, strict=True))]
    with_missing = [Section(f"s{i}", f"s{i}", (v * kept).scaleb(-2), items)
                    for i, (v, items) in enumerate(zip(scaled, bodies, strict=True))]
    with_missing.append(Section("gone", "gone", D(100 - kept), [ItemResult("x", "x", D(100), None)]))
    return with_missing, without


@FAST
@given(section_removal())
def test_reweight_over_sections_equals_recomputing_without_the_section(pair: tuple[list[Section],
                                                                                   list[Section]]) -> None:
    with_missing, scaled = pair
    assert compute_total(with_missing, missing="reweight").value == compute_total(scaled, missing="reweight").value


# ---- rounding ----------------------------------------------------------------------------------------------------


@FAST
@given(st.decimals(allow_nan=False, allow_infinity=False, min_value=-10**9, max_value=10**9, places=6))
def test_q2_is_decimal_round_half_up(value: Decimal) -> None:
    assert q2(value) == value.quantize(CENT, rounding=ROUND_HALF_UP)
    assert q2(value).as_tuple().exponent == -2


# ---- the derivation ------------------------------------------------------------------------------------------------


adjustments = st.lists(st.builds(lambda p, c: Adjustment(cents(p), "reason", cents(max(abs(p), c))),
                                 st.integers(-1_000, 1_000), st.integers(0, 1_000)), max_size=3)
vetoes = st.lists(st.one_of(st.builds(lambda t: Veto(t, "total_zero", None, "safety"), st.booleans()),
                            st.builds(lambda t, g: Veto(t, "grade", g, "quality"), st.booleans(),
                                      st.sampled_from("SABCD"))), max_size=3)
floors = st.integers(0, 5_000).map(cents)
caps = st.one_of(st.none(), st.integers(5_000, 15_000).map(cents))


@FAST
@given(sections(maybe_scores), adjustments, vetoes, st.sampled_from(["reweight", "zero"]), floors, caps)
def test_the_last_step_is_the_total_and_every_line_renders(template: list[Section], adj: list[Adjustment],
                                                           vet: list[Veto], rule: str, floor: Decimal,
                                                           cap: Decimal | None) -> None:
    total: Total = compute_total(template, adjustments=adj, vetoes=vet, missing=rule,  # type: ignore[arg-type]
                                 score_floor=floor, score_cap=cap)
    last = total.derivation[-1]
    assert last.code.startswith("final")
    assert last.value == total.value
    if total.value is not None:
        assert total.value.as_tuple().exponent == -2
        if any(v.triggered and v.effect == "total_zero" for v in vet):
            assert total.value == D("0.00")
        else:
            assert total.value >= floor
            assert cap is None or total.value <= cap
    grades = [v.grade for v in vet if v.triggered and v.effect == "grade"]
    assert total.forced_grade == (grades[0] if grades else None)
    for language in ("en", "zh-hans"):
        lines = total.lines(language)
        assert len(lines) == len(total.derivation)
        assert all(line and "{" not in line for line in lines)
    assert [Step.from_json(step.to_json()) for step in total.derivation] == total.derivation


@FAST
@given(sections(), adjustments)
def test_adjustments_add_up_exactly_before_the_clamp(template: list[Section], adj: list[Adjustment]) -> None:
    total = compute_total(template, adjustments=adj, missing="reweight", score_floor=D(-10**6))
    assert total.subtotal is not None
    assert total.value == total.subtotal + sum((a.points for a in adj), D(0))
