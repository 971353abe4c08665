"""/api/v1/goals/: create (with employee numbers, department codes and indicator codes), field errors as
problem+json, edit, move, archive, and the values a KPI goal reads."""

from __future__ import annotations

from datetime import date

import pytest

from fairmark.goals.models import Goal, GoalKind
from fairmark.ingestion.services.subjects import subject_mapping_add

from ..ingestion.support import push
from .support import YEAR, build_goals, build_tree

pytestmark = pytest.mark.django_db


def post(client, url, body):  # type: ignore[no-untyped-def]
    return client.post(url, data=body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")


def fields(response):  # type: ignore[no-untyped-def]
    return {error["field"] for error in response.json()["errors"]}


def test_manager_creates_a_kpi_goal_for_a_report_by_employee_number_and_indicator_code(world, client_as) -> None:  # type: ignore[no-untyped-def]
    goals = build_goals(world)
    response = post(client_as("manager"), "/api/v1/goals/", {
        "level": "person", "kind": "kpi", "year": YEAR, "title": "一线不良率", "employee": "E0004",
        "indicator": "line_defect_rate", "threshold": "8", "target": "5", "stretch": "2",
        "parent": goals.department.pk, "weight": "2"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["employee_number"] == "E0004"
    assert body["indicator"]["code"] == "line_defect_rate"
    assert body["agreement_status"] == "draft"
    assert Goal.objects.get(pk=body["id"]).kind == GoalKind.KPI


def test_field_errors_are_problem_json(world, client_as) -> None:  # type: ignore[no-untyped-def]
    build_goals(world)
    response = post(client_as("manager"), "/api/v1/goals/", {
        "level": "person", "kind": "kpi", "year": YEAR, "title": "x", "employee": "E0004",
        "indicator": "line_defect_rate", "threshold": "3", "target": "5", "stretch": "2"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    assert "threshold" in fields(response)
    unknown = post(client_as("manager"), "/api/v1/goals/", {
        "level": "person", "kind": "okr", "year": YEAR, "title": "x", "employee": "E0007",
        "key_results": [{"title": "k", "start": 0, "target": 1}]})
    assert unknown.status_code == 400  # E0007 works on line 2: not in the LINE1 manager's scope
    assert "employee" in fields(unknown)


def test_edit_move_archive(world, client_as) -> None:  # type: ignore[no-untyped-def]
    tree = build_tree(world)
    client = client_as("employee")
    url = f"/api/v1/goals/{tree.mine.pk}/"
    response = client.patch(url, data={"title": "换型 20 分钟"}, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["title"] == "换型 20 分钟"
    assert post(client, url + "move/", {"parent": None}).json()["parent"] is None
    assert post(client, url + "archive/", {}).json()["state"] == "archived"
    listed = client.get(f"/api/v1/goals/?year={YEAR}&state=active").json()
    assert tree.mine.pk not in [g["id"] for g in listed["results"]]


def test_values_of_a_kpi_goal(world, client_as, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    goals = build_goals(world)
    subject_mapping_add(actor=world.user("hr"), subject=goals.mes.lines["L1"], employee=world.people["employee"],
                        valid_from=date(YEAR, 1, 1))
    created = post(client_as("manager"), "/api/v1/goals/", {
        "level": "person", "kind": "kpi", "year": YEAR, "title": "不良率", "employee": "E0004",
        "indicator": "line_defect_rate", "target": "5"}).json()
    # The push commits, then goals hear of it (on_commit → the eager task in tests).
    with django_capture_on_commit_callbacks(execute=True):
        push(client_as("anonymous"), {"idempotency_key": "v1", "rows": [
            {"row_key": "r1", "metric": "defect_rate", "subject_type": "line", "subject": "L1",
             "period": f"{YEAR}-02-01", "value": "6"}]}, key=goals.mes.key)
    values = client_as("employee").get(f"/api/v1/goals/{created['id']}/values/").json()
    assert [(v["metric"], v["value"], v["source"]) for v in values] == [("defect_rate", "6", "mes")]
    assert client_as("employee").get(f"/api/v1/goals/{created['id']}/").json()["value"] == "6.0000000000"
