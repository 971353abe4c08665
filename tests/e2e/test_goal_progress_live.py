"""Acceptance: a metric batch pushed through the real push API (HTTP to the live server, with a source's key)
moves the KPI goal that reads it, and the employee's and the manager's pages show the new value and progress
without any other step: the commit announces the values, the worker's task recomputes the goal."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date

import pytest
from playwright.sync_api import expect

from fairmark.ingestion.services.subjects import subject_mapping_add
from tests.goals.support import YEAR, build_goals, kpi_goal
from tests.world import World

from .conftest import Session, login

pytestmark = pytest.mark.e2e


def test_a_pushed_batch_shows_on_the_goal_pages(open_session: Callable[..., Session], e2e_world: World) -> None:
    goals = build_goals(e2e_world)
    subject_mapping_add(actor=e2e_world.user("hr"), subject=goals.mes.lines["L1"],
                        employee=e2e_world.people["employee"], valid_from=date(YEAR, 1, 1))
    goal = kpi_goal(e2e_world, goals.defect, title="一线不良率（实时）")

    employee = open_session(locale="zh-CN").page
    login(employee, "employee")
    employee.goto(f"/goals/mine/?year={YEAR}")
    row = employee.get_by_test_id("goal-row").filter(has_text="一线不良率（实时）")
    expect(row.get_by_test_id("goal-value")).to_have_text("—")

    rows = [{"row_key": f"live-{day}", "metric": "defect_rate", "subject_type": "line", "subject": "L1",
             "period": f"{YEAR}-04-{day:02d}", "value": value} for day, value in ((1, "3"), (2, "4"))]
    response = employee.request.post(
        "/api/v1/ingest/batches", data=json.dumps({"idempotency_key": "live-1", "rows": rows}),
        headers={"Authorization": f"Bearer {goals.mes.key}", "Content-Type": "application/json"})
    assert response.status in (200, 201), response.text()

    employee.reload()
    expect(row.get_by_test_id("goal-value")).to_have_text("3.5")
    expect(row.get_by_test_id("progress-value")).to_have_text("110.0%")

    manager = open_session(locale="zh-CN").page
    login(manager, "manager")
    manager.goto(f"/goals/team/?year={YEAR}")
    mine = manager.get_by_test_id("team-person").filter(has_text="陈员工")
    expect(mine.get_by_test_id("goal-row").filter(has_text="一线不良率（实时）").get_by_test_id("goal-value")
           ).to_have_text("3.5")
    manager.goto(f"/goals/{goal.pk}/")
    expect(manager.get_by_test_id("kpi-value")).to_contain_text("3.5")
    expect(manager.get_by_test_id("goal-data")).to_contain_text("defect_rate")
