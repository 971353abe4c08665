"""360 anonymity (issue 6 item 3): groups under the minimum merge into "others" or are withheld, means are
exact, comments carry no names, and nothing a ratee or manager gets can hold a rater id."""

from __future__ import annotations

import dataclasses
import types
import typing
from collections import Counter
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fairmark.indicators.weighting import GroupRating, RatedItem, rate
from fairmark.indicators.weighting.numbers import round_ratio
from fairmark.reviews.anonymity import (
    ANONYMOUS_GROUPS,
    KNOWN_GROUPS,
    Aggregate,
    AnonymityError,
    GroupView,
    HrAggregate,
    ItemView,
    RaterEntry,
    Rating,
    aggregate,
)

D = Decimal
RATER_MARK = "rater#"  # every rater id in these tests contains it, and nothing else does
ANONYMISED: tuple[typing.Literal["ratee", "manager"], ...] = ("ratee", "manager")
EVERYONE: tuple[typing.Literal["ratee", "manager", "hr"], ...] = ("ratee", "manager", "hr")


def peer(n: int, score: int | str | Decimal, item: str = "teamwork", comment: str | None = None) -> Rating:
    return Rating(f"{RATER_MARK}p{n}", "peer", item, D(score), comment)


def shown(view: ItemView) -> dict[str, GroupView]:
    return {group.group: group for group in view.groups}


def test_the_docstring_example() -> None:
    ratings = [Rating("u7", "peer", "teamwork", D(4)), Rating("u8", "peer", "teamwork", D(5)),
               Rating("u9", "subordinate", "teamwork", D(3), "开会前先发议程"),
               Rating("u1", "manager", "teamwork", D(4))]
    view = aggregate(ratings, audience="ratee")
    assert [(g.group, g.count, g.mean) for g in view.items[0].groups] == [("manager", 1, D("4.00")),
                                                                          ("others", 3, D("4.00"))]
    assert view.items[0].groups[1].comments == ("开会前先发议程",)
    assert view.items[0].groups[1].sources == 2


def test_two_peers_show_no_peer_group_and_three_show_their_average() -> None:
    boss = Rating(f"{RATER_MARK}boss", "manager", "teamwork", D(3))
    two = aggregate([peer(1, 4), peer(2, 5), boss], audience="ratee").items[0]
    assert set(shown(two)) == {"manager"}  # no peer group, and the pool of 2 is under 3: no "others" either
    assert (two.withheld_groups, two.withheld_ratings) == (1, 2)
    merged = aggregate([peer(1, 4), peer(2, 5), boss, Rating(f"{RATER_MARK}x", "others", "teamwork", D(2))],
                       audience="ratee").items[0]
    assert set(shown(merged)) == {"manager", "others"}
    assert (shown(merged)["others"].count, shown(merged)["others"].mean, shown(merged)["others"].sources) == (
        3, D("3.67"), 2)  # (4 + 5 + 2) / 3 = 3.666…
    assert merged.withheld_ratings == 0
    three = aggregate([peer(1, 4), peer(2, 5), peer(3, 5), boss], audience="manager").items[0]
    assert (shown(three)["peer"].count, shown(three)["peer"].mean) == (3, D("4.67"))
    assert "others" not in shown(three)
    assert three.withheld_groups == 0


def test_a_group_at_the_minimum_stands_alone_while_smaller_ones_pool() -> None:
    ratings = [peer(n, 4) for n in range(3)] + [
        Rating(f"{RATER_MARK}s1", "subordinate", "teamwork", D(2)),
        Rating(f"{RATER_MARK}s2", "subordinate", "teamwork", D(3)),
        Rating(f"{RATER_MARK}n2", "n_plus_2", "teamwork", D(5)),
    ]
    item = aggregate(ratings, audience="ratee").items[0]
    assert [(g.group, g.count, g.mean, g.sources) for g in item.groups] == [
        ("peer", 3, D("4.00"), 1), ("others", 3, D("3.33"), 2)]  # the N+2 never stands alone
    stricter = aggregate(ratings, audience="ratee", minimum=4).items[0]
    assert [(g.group, g.count) for g in stricter.groups] == [("others", 6)]  # nothing reaches 4 alone


def test_self_and_manager_are_known_single_raters_shown_with_their_comments() -> None:
    ratings = [Rating(f"{RATER_MARK}me", "self", "quality", D(5), "我推动了 5S"),
               Rating(f"{RATER_MARK}boss", "manager", "quality", D(3), "  良品率仍低  ")]
    for audience in ANONYMISED:
        item = aggregate(ratings, audience=audience).items[0]
        assert [(g.group, g.count, g.mean, g.known, g.comments) for g in item.groups] == [
            ("self", 1, D("5.00"), True, ("我推动了 5S",)), ("manager", 1, D("3.00"), True, ("良品率仍低",))]
    anonymous = aggregate([peer(n, 4) for n in range(3)], audience="ratee").items[0].groups[0]
    assert not anonymous.known


def test_a_second_rater_in_a_known_group_is_refused() -> None:
    with pytest.raises(AnonymityError) as error:
        aggregate([Rating(f"{RATER_MARK}a", "manager", "q", D(3)), Rating(f"{RATER_MARK}b", "manager", "q", D(4))],
                  audience="ratee")
    assert error.value.code == "known_group_not_single"
    assert error.value.params == {"group": "manager"}


def test_means_are_exact_and_rounded_once_half_up_like_the_weighted_computation() -> None:
    scores = ["80", "80", "80", "80.02"]  # 320.02 / 4 = 80.005 → 80.01 (half up), not 80.00
    view = aggregate([peer(n, s) for n, s in enumerate(scores)], audience="ratee")
    assert view.items[0].groups[0].mean == D("80.01")
    negative = aggregate([peer(n, s) for n, s in enumerate(["-80", "-80", "-80", "-80.02"])], audience="ratee")
    assert negative.items[0].groups[0].mean == D("-80.01")  # away from zero
    thirds = [D("66.67"), D("70"), D("71.11")]  # 207.78 / 3 = 69.26
    computed = rate(RatedItem("b", "behaviour", D(100), [GroupRating("peer", D(100), thirds)]))
    assert computed.groups[0].average == D("69.26")
    view = aggregate([peer(n, s) for n, s in enumerate(thirds)], audience="ratee")
    assert view.items[0].groups[0].mean == computed.groups[0].average


def test_comments_are_sorted_text_stripped_and_withheld_with_their_ratings() -> None:
    ratings = [peer(1, 4, comment="zz 最后"), peer(2, 4, comment="  "), peer(3, 4, comment="aa first"),
               peer(4, 3, comment=None)]
    group = aggregate(ratings, audience="ratee").items[0].groups[0]
    assert group.comments == ("aa first", "zz 最后")
    assert aggregate(list(reversed(ratings)), audience="ratee").items[0].groups[0].comments == group.comments
    withheld = aggregate([peer(1, 4, comment="只有两人"), peer(2, 4, comment="another")], audience="ratee")
    assert withheld.items[0].groups == ()
    assert "只有两人" not in repr(withheld)
    assert "another" not in repr(withheld)


def test_each_item_is_aggregated_on_its_own() -> None:
    ratings = [peer(n, 4, "teamwork") for n in range(3)] + [peer(n, 2, "quality") for n in range(2)]
    view = aggregate(ratings, audience="ratee")
    assert [item.item for item in view.items] == ["quality", "teamwork"]
    quality, teamwork = view.items
    assert (quality.groups, quality.withheld_ratings) == ((), 2)
    assert teamwork.groups[0].count == 3


def test_hr_sees_the_same_aggregates_and_who_rated_but_ratee_and_manager_never_do() -> None:
    ratings = [peer(1, 4), peer(2, 5), peer(3, 5), Rating(f"{RATER_MARK}boss", "manager", "teamwork", D(4)),
               Rating(f"{RATER_MARK}me", "self", "teamwork", D(5)), Rating(7, "subordinate", "teamwork", D(1))]
    hr = aggregate(ratings, audience="hr")
    ratee = aggregate(ratings, audience="ratee")
    manager = aggregate(ratings, audience="manager")
    assert isinstance(hr, HrAggregate)
    assert isinstance(ratee, Aggregate)
    assert hr.items == ratee.items == manager.items
    assert (ratee.audience, manager.audience) == ("ratee", "manager")
    assert hr.raters == (RaterEntry(f"{RATER_MARK}me", "self"), RaterEntry(f"{RATER_MARK}boss", "manager"),
                         RaterEntry(f"{RATER_MARK}p1", "peer"), RaterEntry(f"{RATER_MARK}p2", "peer"),
                         RaterEntry(f"{RATER_MARK}p3", "peer"), RaterEntry(7, "subordinate"))
    assert RATER_MARK in repr(hr)  # the check below could fail: HR's output does carry the ids
    for view in (ratee, manager):
        assert RATER_MARK not in repr(view)


def _field_types(cls: type, seen: set[type]) -> list[tuple[str, object]]:
    """Every (field name, annotation) reachable from a dataclass through its fields' types."""
    if cls in seen or not dataclasses.is_dataclass(cls):
        return []
    seen.add(cls)
    found: list[tuple[str, object]] = []
    hints = typing.get_type_hints(cls)
    for field in dataclasses.fields(cls):
        found.append((field.name, hints[field.name]))
        stack: list[object] = [hints[field.name]]
        while stack:
            tp = stack.pop()
            stack.extend(typing.get_args(tp))
            if isinstance(tp, type):
                found.extend(_field_types(tp, seen))
    return found


def test_no_field_of_the_ratee_and_manager_output_can_hold_a_rater_id() -> None:
    fields = _field_types(Aggregate, set())
    names = {name for name, _tp in fields}
    assert {"items", "groups", "comments", "mean"} <= names  # the walk does reach the leaves
    assert not [name for name in names if "rater" in name]
    for name, tp in fields:
        # a rater id is an int or a str: only counts and the known group/item/comment/audience texts may be
        leaves = [tp, *typing.get_args(tp)]
        assert RaterEntry not in leaves, name
        if tp is int:
            assert name in {"count", "minimum", "sources", "withheld_groups", "withheld_ratings"}, name
        if tp is str or (isinstance(tp, types.GenericAlias) and str in typing.get_args(tp)):
            assert name in {"item", "comments"}, name
    hr_names = {name for name, _tp in _field_types(HrAggregate, set())}
    assert "rater" in hr_names  # the same walk finds the id where it is allowed


@pytest.mark.parametrize(("make", "code"), [
    (lambda: Rating(True, "peer", "q", D(1)), "rater_invalid"),
    (lambda: Rating("", "peer", "q", D(1)), "rater_invalid"),
    (lambda: Rating("a", "peers", "q", D(1)), "group_unknown"),  # type: ignore[arg-type]
    (lambda: Rating("a", "peer", "", D(1)), "item_invalid"),
    (lambda: Rating("a", "peer", "q", 4.5), "score_not_number"),  # type: ignore[arg-type]
    (lambda: Rating("a", "peer", "q", D("NaN")), "score_not_number"),
    (lambda: Rating("a", "peer", "q", True), "score_not_number"),  # type: ignore[arg-type]
    (lambda: Rating("a", "peer", "q", D(1), 5), "comment_invalid"),  # type: ignore[arg-type]
])
def test_a_malformed_rating_is_refused_with_a_code(make: typing.Callable[[], Rating], code: str) -> None:
    with pytest.raises(AnonymityError) as error:
        make()
    assert error.value.code == code


def test_an_int_score_becomes_a_decimal() -> None:
    assert Rating("a", "peer", "q", 4).score == D(4)  # type: ignore[arg-type]
    assert isinstance(Rating("a", "peer", "q", 4).score, Decimal)  # type: ignore[arg-type]


def test_ratings_that_cannot_be_one_review_are_refused_without_naming_the_rater() -> None:
    cases = [
        ([peer(1, 4), peer(1, 5)], "rating_duplicate"),
        ([peer(1, 4, "a"), Rating(f"{RATER_MARK}p1", "subordinate", "b", D(3))], "rater_in_two_groups"),
        ([peer(1, 4), "not a rating"], "rating_invalid"),
        ([Rating(f"{RATER_MARK}s", "self", "a", D(4)), Rating(f"{RATER_MARK}t", "self", "b", D(4))],
         "known_group_not_single"),
    ]
    for ratings, code in cases:
        with pytest.raises(AnonymityError) as error:
            aggregate(ratings, audience="ratee")  # type: ignore[call-overload]
        assert error.value.code == code
        assert RATER_MARK not in repr(error.value.params)
        assert RATER_MARK not in str(error.value)
    # the same id as an int and as a str are two raters, and one rater may rate several items
    fine = aggregate([Rating(7, "peer", "a", D(1)), Rating("7", "peer", "a", D(2)), Rating(7, "peer", "b", D(3))],
                     audience="ratee")
    assert [item.withheld_ratings for item in fine.items] == [2, 1]


def test_bad_audience_and_minimum_are_refused() -> None:
    with pytest.raises(AnonymityError) as error:
        aggregate([], audience="employee")  # type: ignore[call-overload]
    assert error.value.code == "audience_unknown"
    for minimum in (2, 0, True, "3"):
        with pytest.raises(AnonymityError) as error:
            aggregate([], audience="ratee", minimum=minimum)  # type: ignore[call-overload]
        assert error.value.code == "minimum_invalid"
    assert aggregate([], audience="ratee", minimum=3).items == ()


# ---- properties ------------------------------------------------------------------------------------------------

ITEMS = ("a", "b", "c")
WORDS = ("good", "late", "helpful", "准时", "")


@st.composite
def reviews(draw: st.DrawFn) -> list[Rating]:
    """One review's ratings: a self and a manager rater at most, any number of anonymous raters, each rating
    some items with 2-place scores and sometimes a comment."""
    groups = [g for g in KNOWN_GROUPS if draw(st.booleans())]
    groups += draw(st.lists(st.sampled_from(ANONYMOUS_GROUPS), max_size=14))
    ratings: list[Rating] = []
    for index, group in enumerate(groups):
        for item in draw(st.sets(st.sampled_from(ITEMS), min_size=1)):
            score = D(draw(st.integers(0, 10000))) / 100
            comment = draw(st.none() | st.sampled_from(WORDS))
            ratings.append(Rating(f"{RATER_MARK}{index:02d}", group, item, score, comment))
    return ratings


minimums = st.integers(3, 6)


def _sources(ratings: list[Rating], item: ItemView) -> dict[str, list[Rating]]:
    """The input ratings behind each shown group of an item (the pool: anonymous groups not shown by name)."""
    mine = [r for r in ratings if r.item == item.item]
    named = set(shown(item))
    result: dict[str, list[Rating]] = {g: [r for r in mine if r.group == g] for g in named if g != "others"}
    if "others" in named:
        result["others"] = [r for r in mine if r.group in ANONYMOUS_GROUPS and (r.group == "others"
                                                                                 or r.group not in named)]
    return result


@given(reviews(), minimums)
def test_no_anonymous_group_is_shown_under_the_minimum(ratings: list[Rating], minimum: int) -> None:
    for item in aggregate(ratings, audience="ratee", minimum=minimum).items:
        for group in item.groups:
            assert group.known == (group.group in KNOWN_GROUPS)
            if not group.known:
                assert group.count >= minimum
        assert (item.withheld_ratings == 0) == (item.withheld_groups == 0)
        assert item.withheld_ratings < minimum


@given(reviews(), minimums)
def test_shown_and_withheld_ratings_add_up_to_the_input(ratings: list[Rating], minimum: int) -> None:
    view = aggregate(ratings, audience="ratee", minimum=minimum)
    assert sum(item.shown_ratings + item.withheld_ratings for item in view.items) == len(ratings)
    per_item = Counter(r.item for r in ratings)
    assert {item.item: item.shown_ratings + item.withheld_ratings for item in view.items} == per_item


@given(reviews(), minimums)
def test_each_shown_mean_is_its_ratings_exact_mean_within_their_range(ratings: list[Rating], minimum: int) -> None:
    for item in aggregate(ratings, audience="ratee", minimum=minimum).items:
        sources = _sources(ratings, item)
        for group in item.groups:
            scores = [r.score for r in sources[group.group]]
            assert group.count == len(scores)
            assert min(scores) <= group.mean <= max(scores)
            assert group.mean == round_ratio(sum(scores, D(0)), D(len(scores)))
            assert group.comments == tuple(sorted(r.comment for r in sources[group.group] if r.comment))


@given(reviews().flatmap(lambda rs: st.tuples(st.just(rs), st.permutations(rs))), minimums)
def test_the_result_does_not_depend_on_input_order(pair: tuple[list[Rating], list[Rating]], minimum: int) -> None:
    ratings, shuffled = pair
    for audience in EVERYONE:
        assert aggregate(ratings, audience=audience, minimum=minimum) == aggregate(
            shuffled, audience=audience, minimum=minimum)


@given(reviews(), minimums)
def test_no_rater_id_reaches_the_ratee_or_the_manager(ratings: list[Rating], minimum: int) -> None:
    for audience in ANONYMISED:
        assert RATER_MARK not in repr(aggregate(ratings, audience=audience, minimum=minimum))
    hr = aggregate(ratings, audience="hr", minimum=minimum)
    assert {entry.rater for entry in hr.raters} == {r.rater for r in ratings}
