"""The pure goal rules: weighted rollup, OKR scores, alert life cycle, pace and staleness (issue 5)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fairmark.goals.alerts import ThresholdRule, acknowledge, pace_level, stale_level, track
from fairmark.goals.okr import KeyResult, key_result_score, objective_score
from fairmark.goals.rollup import Node, RollupError, rollup

D = Decimal


def test_rollup_is_by_weight_and_follows_moves_and_archiving() -> None:
    tree = {"p": Node(), "q": Node(), "a": Node("p", D(1), D("0.5")), "b": Node("p", D(3), D(1))}
    assert rollup(tree)["p"] == D("0.875")  # the example: 87.5 %, not the plain average 75 %
    assert rollup(tree)["q"] is None
    moved = {**tree, "b": Node("q", D(3), D(1))}
    result = rollup(moved)
    assert (result["p"], result["q"]) == (D("0.5"), D(1))
    archived = {**tree, "a": Node("p", D(1), D("0.5"), archived=True)}
    assert rollup(archived)["p"] == D(1)


def test_rollup_goes_up_several_levels_and_refuses_cycles() -> None:
    tree = {"company": Node(), "dept": Node("company", D(2)), "other": Node("company", D(1), D(0)),
            "person": Node("dept", D(1), D("0.6"))}
    result = rollup(tree)
    assert result["dept"] == D("0.6")
    assert result["company"] == D("0.4")  # (0.6 × 2 + 0 × 1) / 3
    with pytest.raises(RollupError) as cycle:
        rollup({"a": Node("b"), "b": Node("a")})
    assert cycle.value.code == "cycle"
    with pytest.raises(RollupError):
        rollup({"a": Node("missing")})


@given(st.lists(st.tuples(st.integers(1, 9), st.integers(0, 100)), min_size=1, max_size=12))
def test_a_parent_lies_between_its_childrens_progress(children: list[tuple[int, int]]) -> None:
    tree: dict[int, Node[int]] = {0: Node()}
    for index, (weight, percent) in enumerate(children, start=1):
        tree[index] = Node(0, D(weight), D(percent) / 100)
    parent = rollup(tree)[0]
    values = [D(p) / 100 for _w, p in children]
    assert parent is not None
    assert min(values) <= parent <= max(values)


def test_okr_scores_go_either_way_and_weight_their_key_results() -> None:
    assert key_result_score(start=D(8), target=D(5), current=D("6.5")) == D("0.5")  # scrap from 8 % to 5 %
    assert key_result_score(start=D(0), target=D(100), current=D(130)) == D(1)
    assert key_result_score(start=D(0), target=D(100), current=D(-5)) == D(0)
    assert key_result_score(start=D(0), target=D(100), current=None) is None
    score = objective_score([KeyResult(D(0), D(100), D(70), D(2)), KeyResult(D(10), D(0), D(5)),
                             KeyResult(D(0), D(1), None)])
    assert score == D("0.63")  # (0.7 × 2 + 0.5) / 3 = 0.6333…


def test_a_defect_rate_alert_opens_escalates_and_resolves_once_per_change() -> None:
    rule = ThresholdRule(warning=D(5), critical=D(8))
    values = [D(3), D(4), D("5.5"), D(6), D("5.2"), D("8.5"), D(9), D("8.1"), D(4), D(3)]
    state, events = track(rule, values)
    assert [(e.kind, e.level) for e in events] == [("opened", "warning"), ("raised", "critical"), ("resolved", "ok")]
    assert not state.open
    again, repeated = track(rule, [D(6), D(6), D(6)], state)
    assert len(repeated) == 1
    assert again.level == "warning"
    quiet = acknowledge(again)
    assert quiet.acknowledged
    still, nothing = track(rule, [D(7)], quiet)
    assert (still.acknowledged, nothing) == (True, [])
    lowered = track(rule, [D(9), D(6)], quiet)[1]
    assert [e.kind for e in lowered] == ["raised", "lowered"]


def test_a_rule_for_values_that_must_stay_high() -> None:
    rule = ThresholdRule(warning=D(98), critical=D(95), direction="below")  # first-pass yield
    assert [rule.level(D(v)) for v in ("99", "97.5", "94")] == ["ok", "warning", "critical"]
    with pytest.raises(ValueError, match="critical bound"):
        ThresholdRule(warning=D(98), critical=D(99), direction="below")


def test_pace_and_staleness() -> None:
    first, last = date(2026, 1, 1), date(2026, 12, 31)
    mid = date(2026, 7, 2)  # half of the year: 182 of 364 days
    assert pace_level(start=D(0), target=D(1000), current=D(450), first=first, last=last, day=mid,
                      warning_margin=D("0.1")) == "ok"
    assert pace_level(start=D(0), target=D(1000), current=D(350), first=first, last=last, day=mid,
                      warning_margin=D("0.1"), critical_margin=D("0.2")) == "warning"
    assert pace_level(start=D(8), target=D(4), current=D(8), first=first, last=last, day=mid,
                      warning_margin=D("0.1"), critical_margin=D("0.2")) == "critical"  # going down, not moved
    assert stale_level(last_value_on=date(2026, 11, 20), day=date(2026, 11, 22), warning_days=3) == "ok"
    assert stale_level(last_value_on=date(2026, 11, 10), day=date(2026, 11, 22), warning_days=3,
                       critical_days=7) == "critical"
    assert stale_level(last_value_on=None, day=date(2026, 11, 22), warning_days=3) == "warning"
