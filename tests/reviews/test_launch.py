"""Launching: who is in (eligibility), a mid-cycle transfer scored pro rata by days in each position with the
template of each, people without a template reported (never silently dropped), HR's override of a template,
and totals that follow the data: a batch committed after launch recomputes the reviews that read it."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from fairmark.org.models import Assignment, Employee, Position
from fairmark.reviews.models import Review
from fairmark.reviews.selectors import reviews_visible_to
from fairmark.reviews.services import cycles

from .support import START, build_reviews, launch, make_cycle, push_employee, review_of

pytestmark = pytest.mark.django_db


def _transfer(world, key: str, to: Position, on: date) -> None:  # type: ignore[no-untyped-def]
    person = world.people[key]
    Assignment.objects.filter(employee=person, valid_to__isnull=True).update(valid_to=on - timedelta(days=1))
    Assignment.objects.create(employee=person, department=person.department, position=to, manager=person.manager,
                              valid_from=on)
    Employee.objects.filter(pk=person.pk).update(position=to)


def test_a_transfer_is_scored_pro_rata_with_each_positions_template(world, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    setup = build_reviews(world)
    # peer2 operated the line for January and February (59 days), then led it from 1 March (31 days).
    _transfer(world, "peer2", Position.objects.get(code="LL"), date(2026, 3, 1))
    cycle = launch(world, make_cycle(world), django_capture_on_commit_callbacks)
    review = review_of(world, cycle, "peer2")
    assert review.template_version_id == setup.leader.pk  # the position held at launch
    assert [(p["days"], p["weight"], p["template"]) for p in review.parts] == [
        (59, "0.6556", setup.operator.pk), (31, "0.3444", setup.leader.pk)]
    # Output: 500 in January (operator part) and 1,200 in March (leader part, stretch → 120).
    push_employee(world, setup.mes, "t1", [("output", "peer2", 10, 500), ("output", "peer2", 70, 1200)],
                  django_capture_on_commit_callbacks)
    review.refresh_from_db()
    # Operator part: output 500 is below the threshold 600 → 0; defect rate has no data and the behaviour
    # item no rating (re-weighted away): KPI section = 0 (output alone) → total 0.00.
    # Leader part (missing rule "zero"): output 1,200 → 120.00 → total 120.00.
    # Pro rata: 0.00 × 0.6556 + 120.00 × 0.3444 = 41.328 → 41.33.
    assert review.total == Decimal("41.33")
    lines = [p["days"] for p in review.derivation["parts"]]
    assert lines == [59, 31]


def test_new_hires_under_the_minimum_tenure_and_leavers_are_left_out_and_reported(world, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    build_reviews(world)
    Employee.objects.filter(pk=world.people["peer3"].pk).update(hire_date=date(2026, 3, 10))
    Employee.objects.filter(pk=world.people["peer4"].pk).update(status="left", left_on=date(2026, 2, 1))
    cycle = launch(world, make_cycle(world), django_capture_on_commit_callbacks)
    people = set(Review.objects.filter(cycle=cycle).values_list("employee__number", flat=True))
    assert "E0013" not in people
    assert "E0014" not in people
    reasons = {row["employee"]: row["code"] for row in cycle.launch_report["excluded"]}
    assert reasons[world.people["peer3"].pk] == "tenure_below_minimum"
    assert world.people["peer4"].pk in reasons


def test_people_without_a_template_are_reported(world, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    build_reviews(world)
    cycle = launch(world, make_cycle(world, departments=("QA",)), django_capture_on_commit_callbacks)
    assert not Review.objects.filter(cycle=cycle).exists()
    assert sorted(cycle.launch_report["no_template"]) == sorted(
        [world.people["qa_head"].pk, world.people["qa_engineer"].pk])


def test_hr_overrides_a_template_and_the_review_is_recomputed(world, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    setup = build_reviews(world)
    cycle = launch(world, make_cycle(world), django_capture_on_commit_callbacks)
    review = review_of(world, cycle)
    push_employee(world, setup.mes, "o1", [("output", "employee", 5, 1200)], django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        cycles.review_set_template(actor=world.user("hr"), review=review, template_id=setup.leader.pk)
    review.refresh_from_db()
    assert review.template_overridden
    assert review.total == Decimal("120.00")  # the leader template: output alone, 1,200 → 120


def test_data_committed_after_launch_moves_the_total(world, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    setup = build_reviews(world)
    cycle = launch(world, make_cycle(world), django_capture_on_commit_callbacks)
    review = review_of(world, cycle)
    assert review.total is None  # nothing to score yet
    push_employee(world, setup.mes, "d1", [("defect_rate", "employee", 3, "5")], django_capture_on_commit_callbacks)
    review.refresh_from_db()
    assert review.total == Decimal("100.00")  # defect rate at target; everything else missing and re-weighted
    # A value outside the period does not count.
    push_employee(world, setup.mes, "d2", [("defect_rate", "employee", 100, "9")], django_capture_on_commit_callbacks)
    review.refresh_from_db()
    assert review.total == Decimal("100.00")
    assert START + timedelta(days=100) > cycle.period_end


def test_hr_and_managers_see_the_reviews_of_their_scope(world, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    build_reviews(world)
    cycle = launch(world, make_cycle(world, departments=("LINE1", "LINE2")), django_capture_on_commit_callbacks)
    total = Review.objects.filter(cycle=cycle).count()
    assert reviews_visible_to(world.user("hr")).filter(cycle=cycle).count() == total
    assert reviews_visible_to(world.user("exec")).filter(cycle=cycle).count() == total
    mine = set(reviews_visible_to(world.user("manager")).values_list("employee__number", flat=True))
    assert "E0007" not in mine  # LINE2
    assert "E0004" in mine
    assert set(reviews_visible_to(world.user("employee")).values_list("employee__number", flat=True)) == {"E0004"}
    assert not reviews_visible_to(world.user("hrbp")).filter(cycle=cycle).exists()  # HR BP of QA only


def test_after_launch_only_changed_settings_are_refused(world, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    from fairmark.core.errors import ServiceError

    build_reviews(world)
    cycle = launch(world, make_cycle(world), django_capture_on_commit_callbacks)
    same = {"kind": cycle.kind, "period_start": cycle.period_start,
            "departments": list(cycle.departments.values_list("pk", flat=True)), "name": "2026 Q1（改名）"}
    cycles.cycle_update(actor=world.user("hr"), cycle=cycle, data=same)
    cycle.refresh_from_db()
    assert cycle.name == "2026 Q1（改名）"
    with pytest.raises(ServiceError) as refused:
        cycles.cycle_update(actor=world.user("hr"), cycle=cycle, data={"departments": [world.depts["LINE2"].pk]})
    assert "departments" in refused.value.fields
    assert list(cycle.departments.values_list("code", flat=True)) == ["LINE1"]


def test_a_signed_kpi_goal_scores_the_item_on_the_persons_own_line(world, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    from fairmark.reviews.models import ItemScore

    from ..goals.support import kpi_goal

    setup = build_reviews(world)
    # The employee's goal for the year: defect rate 6 / 4 / 2 (threshold / target / stretch), an average, so a
    # quarter of the year is scored on it; an output goal for the year is a sum and is not (a yearly target).
    kpi_goal(world, setup.defect, threshold="6", target="4", stretch="2")
    kpi_goal(world, setup.output, threshold="6000", target="10000", stretch="12000")
    cycle = launch(world, make_cycle(world), django_capture_on_commit_callbacks)
    push_employee(world, setup.mes, "g1", [("defect_rate", "employee", 3, "4"), ("output", "employee", 4, 1000)],
                  django_capture_on_commit_callbacks)
    review = review_of(world, cycle)
    scores = {s.item: s.score for s in ItemScore.objects.filter(review=review)}
    assert scores["line_defect_rate"] == Decimal("100.00")  # at the goal's target 4 (the indicator's line: 106.67)
    assert scores["line_output"] == Decimal("100.00")  # the indicator's own line: 1,000 is its target
    items = {i["key"]: i for p in review.derivation["parts"] for s in p["total"]["sections"] for i in s["items"]}
    assert items["line_defect_rate"]["explanation"]["goal_line"] is True
    assert items["line_output"]["explanation"]["goal_line"] is False
