"""Data moves KPI goals with no manual step (acceptance): a batch pushed through the real push API is committed,
ingestion announces it, goals computes again the value, score and progress of every KPI goal reading the
metric, and the progress rolls up by weight to the parent goals. Values reach a person either as rows about
the person (subject type employee) or through the line they work on (an ingestion subject mapping)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from fairmark.core.access import SYSTEM
from fairmark.goals.models import Goal
from fairmark.ingestion.services.subjects import subject_mapping_add

from ..ingestion.support import push
from .support import YEAR, build_goals, kpi_goal, okr_goal

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_outbox(settings: Any) -> None:
    settings.FAIRMARK_CHANNELS_ENABLED = []


def line_output(day: date, value: int, line: str = "L1") -> dict[str, Any]:
    return {"row_key": f"output-{line}-{day.isoformat()}", "metric": "output", "subject_type": "line",
            "subject": line, "period": day.isoformat(), "value": value}


def send(capture: Any, key: str, rows: list[dict[str, Any]], api_key: str) -> None:
    with capture(execute=True):
        response = push(Client(), {"idempotency_key": key, "rows": rows}, key=api_key)
    assert response.status_code in (200, 201), response.content


def fresh(goal: Goal) -> Goal:
    return Goal.objects.get(pk=goal.pk)


def test_pushed_values_move_the_goal_and_its_parents(world, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    goals = build_goals(world)
    goal = kpi_goal(world, goals.defect, parent=goals.department)
    assert fresh(goal).progress is None
    rows = [{"row_key": f"d-{day}", "metric": "defect_rate", "subject_type": "employee", "subject": "E0004",
             "period": date(YEAR, 3, day).isoformat(), "value": value} for day, value in ((1, "4"), (2, "6"))]
    send(django_capture_on_commit_callbacks, "a", rows, goals.mes.key)
    moved = fresh(goal)
    # avg(4, 6) = 5: the target (threshold 8, target 5, stretch 2, lower is better) → score 100, progress 1.
    assert (moved.value, moved.score, moved.progress, moved.value_on) == (
        Decimal(5), Decimal(100), Decimal(1), date(YEAR, 3, 2))
    assert moved.computed_at is not None
    # The department goal has this one child: its progress is the child's; the company objective's too.
    assert fresh(goals.department).progress == Decimal(1)
    assert fresh(goals.company).progress == Decimal(1)

    # A worse day: avg(4, 6, 6.5) = 5.5 → halfway from the target back to the threshold: 60 + 40 × 2.5/3.
    send(django_capture_on_commit_callbacks, "b", [{**rows[0], "row_key": "d-3", "period": date(YEAR, 3, 3).isoformat(),
                                                    "value": "6.5"}], goals.mes.key)
    moved = fresh(goal)
    assert moved.value == Decimal("5.5")
    assert moved.score == Decimal("93.33")
    assert fresh(goals.department).progress == moved.progress == Decimal("0.9333")  # the score ÷ 100


def test_a_line_reaches_its_operator_through_a_mapping(world, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    goals = build_goals(world)
    subject_mapping_add(actor=SYSTEM, subject=goals.mes.lines["L1"], employee=world.people["employee"],
                        valid_from=date(YEAR, 3, 2))
    parent = okr_goal(world, title="一线产出")
    goal = kpi_goal(world, goals.output, parent=parent, threshold="600", target="1000", stretch="1200")
    sibling = okr_goal(world, parent=parent, title="换型", weight=1,
                       key_results=[{"title": "a", "start": "0", "target": "10", "current": "0"}])
    assert fresh(parent).progress == Decimal(0)
    rows = [line_output(date(YEAR, 3, 1), 300), line_output(date(YEAR, 3, 2), 500), line_output(date(YEAR, 3, 3), 500),
            line_output(date(YEAR, 3, 3), 900, line="L2")]
    send(django_capture_on_commit_callbacks, "out-1", rows, goals.mes.key)
    moved = fresh(goal)
    # Only L1 from the day the operator joined it: 500 + 500 (not March 1st, not line 2).
    assert (moved.value, moved.score, moved.progress) == (Decimal(1000), Decimal(100), Decimal(1))
    assert fresh(parent).progress == Decimal("0.5")  # (1 × 1 + 0 × 1) / 2
    assert fresh(sibling).progress == Decimal(0)

    # The peer has a goal on the same metric but no mapping: nothing reaches them.
    peer_goal = kpi_goal(world, goals.output, person="peer", threshold="600", target="1000", stretch="1200",
                         title="刘同事产量")
    send(django_capture_on_commit_callbacks, "out-2", [line_output(date(YEAR, 3, 4), 200)], goals.mes.key)
    assert fresh(goal).value == Decimal(1200)
    assert fresh(goal).progress == Decimal("1.2")
    assert fresh(peer_goal).value is None


def test_the_same_batch_again_changes_nothing(world, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    goals = build_goals(world)
    subject_mapping_add(actor=SYSTEM, subject=goals.mes.lines["L1"], employee=world.people["employee"],
                        valid_from=date(YEAR, 1, 1))
    goal = kpi_goal(world, goals.output, threshold="600", target="1000", stretch="1200")
    rows = [line_output(date(YEAR, 5, 1), 700)]
    send(django_capture_on_commit_callbacks, "x", rows, goals.mes.key)
    first = fresh(goal)
    send(django_capture_on_commit_callbacks, "x", rows, goals.mes.key)
    send(django_capture_on_commit_callbacks, "y", rows, goals.mes.key)
    again = fresh(goal)
    assert (again.value, again.score, again.progress, again.computed_at) == (
        first.value, first.score, first.progress, first.computed_at)
