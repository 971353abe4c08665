"""The demo company's goals (issue 5): the executive's objectives cascaded by the head, the line manager's goal
set on the whole team with KPI goals computed from the demo MES, agreements in several states, a blocker on
the manager's to-do, and alert rules evaluated on the data."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from fairmark.accounts.models import User
from fairmark.demo import generator
from fairmark.goals.models import (
    Agreement,
    AgreementStatus,
    AlertRule,
    BlockerStatus,
    Goal,
    GoalKind,
    GoalLevel,
    GoalSet,
)
from fairmark.goals.selectors import blockers_to_answer
from fairmark.org.models import Employee

TODAY = dt.date(2026, 3, 16)


@pytest.fixture
def demo(db: None, settings: Any, tmp_path: Path) -> generator.Result:
    settings.VAR_DIR = tmp_path
    return generator.generate(size=80, today=TODAY)


def test_the_demo_has_a_goal_tree_from_strategy_to_the_line(demo: generator.Result) -> None:
    company = Goal.objects.filter(level=GoalLevel.COMPANY, year=TODAY.year)
    assert company.count() == 3
    departments = Goal.objects.filter(level=GoalLevel.DEPARTMENT, parent__in=company)
    assert departments.count() == 2
    manager = Employee.objects.get(user__username="manager")
    team = manager.reports.exclude(status="left")
    goal_set = GoalSet.objects.get()
    assert demo.counts["assigned_people"] == team.count() > 0
    for person in team:
        goals = Goal.objects.filter(employee=person, goal_set=goal_set)
        assert goals.count() == 3
        assert goals.filter(parent__in=departments).count() == 3


def test_kpi_goals_are_computed_from_the_mes(demo: generator.Result) -> None:
    kpi = Goal.objects.filter(kind=GoalKind.KPI, level=GoalLevel.PERSON)
    assert kpi.exists()
    computed = kpi.filter(value__isnull=False)
    # Operators work the line's shifts, so the line's values reach them: most KPI goals have a value.
    assert computed.count() >= kpi.count() // 2
    assert all(goal.progress is not None for goal in computed)
    assert Goal.objects.filter(level=GoalLevel.DEPARTMENT, progress__isnull=False).exists()


def test_agreements_blockers_and_alerts(demo: generator.Result) -> None:
    statuses = list(Agreement.objects.order_by("employee__number").values_list("status", flat=True))
    # in team order: signed off, returned, submitted, signed off, draft, …
    expected = [AgreementStatus.SIGNED, AgreementStatus.RETURNED, AgreementStatus.SUBMITTED, AgreementStatus.SIGNED,
                AgreementStatus.DRAFT]
    assert len(statuses) >= 2
    assert statuses == [expected[i % 5] for i in range(len(statuses))]
    manager = User.objects.get(username="manager")
    todo = blockers_to_answer(manager)
    assert todo.count() == 1
    assert todo.get().status == BlockerStatus.OPEN
    assert AlertRule.objects.count() == 2


def test_the_summary_says_what_the_goals_are(demo: generator.Result) -> None:
    from django.utils import translation

    with translation.override("en"):
        line = generator.describe(demo).splitlines()[2]
    assert line.startswith(f"Goals: {demo.counts['goals']} goals; a goal set assigned to "
                           f"{demo.counts['assigned_people']} people")
    with translation.override("zh-hans"):
        assert generator.describe(demo).splitlines()[2].startswith("目标：")
