"""The demo company's review round (issue 6): a pilot cycle over last quarter for two production departments,
each person on the template of their position, KPI items computed from the demo MES, and a manager's team in
the states a manager meets (self-review submitted with three peer ratings, one with two, a draft)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from fairmark.demo import generator
from fairmark.indicators.applies import applies
from fairmark.reviews.models import Cycle, CycleStatus, ItemScore, Rater, RaterStatus, Review, ReviewState
from fairmark.reviews.selectors.explanation import explain
from fairmark.reviews.services.launch import placement

TODAY = dt.date(2026, 5, 12)


@pytest.fixture
def demo(db: None, settings: Any, tmp_path: Path) -> generator.Result:
    settings.VAR_DIR = tmp_path
    return generator.generate(size=80, today=TODAY)


def test_a_pilot_for_two_departments_gives_each_person_their_positions_template(demo: generator.Result) -> None:
    cycle = Cycle.objects.get()
    assert cycle.status == CycleStatus.ACTIVE
    assert (cycle.period_start, cycle.period_end) == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert cycle.departments.count() == 2
    reviews = list(Review.objects.filter(cycle=cycle).select_related(
        "employee__position__job_family", "employee__level", "template_version"))
    assert len(reviews) == demo.counts["reviews"] > 5
    for review in reviews:
        person = review.employee
        assert applies(review.template_version.applies_to,
                       placement(person.position, person.level.code if person.level else "")), person.number
    assert len({r.department_id for r in reviews}) >= 2


def test_kpi_items_are_computed_from_the_demo_mes(demo: generator.Result) -> None:
    scored = ItemScore.objects.filter(review__cycle__isnull=False, kind="indicator", value__isnull=False)
    assert scored.exists()
    assert demo.counts["reviews_computed"] > 0


def test_the_managers_team_is_in_the_states_a_manager_meets(demo: generator.Result) -> None:
    states = set(Review.objects.values_list("state", flat=True))
    assert ReviewState.RATING_360 in states
    assert ReviewState.CALIBRATION in states
    assert Rater.objects.filter(status=RaterStatus.SUBMITTED).count() == demo.counts["ratings_360"] == 5


def test_three_peers_show_as_a_group_and_two_are_withheld(demo: generator.Result) -> None:
    from fairmark.accounts.models import User

    reviewer = User.objects.get(username="hr")
    groups: dict[int, set[str]] = {}
    for review in Review.objects.filter(raters__status=RaterStatus.SUBMITTED).distinct():
        counts = Rater.objects.filter(review=review, status=RaterStatus.SUBMITTED).count()
        explained = explain(reviewer, review)
        groups[counts] = {g.group for p in explained.parts for s in p.sections for i in s.items for g in i.groups}
    assert "peer" in groups[3]
    assert "peer" not in groups[2]
