"""The agreement API: the flow through /api/v1/goal-agreements/ and /api/v1/goal-changes/, goal sets and their
assignment by employee numbers through /api/v1/goal-sets/, and problem+json errors with fields."""

from __future__ import annotations

import json
from typing import Any

import pytest

from fairmark.goals.models import Agreement, AgreementStatus, Goal, GoalSet

from .support import YEAR, build_goals, okr_goal

pytestmark = pytest.mark.django_db

BASE = "/api/v1/goal-agreements/"


def post(client: Any, url: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(url, data=json.dumps(body or {}), content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")


def fields_of(response: Any) -> dict[str, list[str]]:
    assert response["Content-Type"].startswith("application/problem+json"), response.content
    return {error["field"]: error["messages"] for error in response.json().get("errors", [])}


def test_the_flow_through_the_api(world, client_as) -> None:  # type: ignore[no-untyped-def]
    goals = build_goals(world)
    goal = okr_goal(world, parent=goals.department)
    pk = goal.agreement_id
    employee, manager, head = client_as("employee"), client_as("manager"), client_as("head")

    listed = employee.get(BASE).json()
    assert [a["id"] for a in listed["results"]] == [pk]
    assert listed["results"][0]["goal_count"] == 1
    assert listed["results"][0]["status"] == "draft"

    assert post(manager, f"{BASE}{pk}/submit/").status_code == 403
    response = post(employee, f"{BASE}{pk}/submit/", {"comment": "请审批"})
    assert response.status_code == 200
    assert response.json()["status"] == "submitted"

    refused = post(manager, f"{BASE}{pk}/return/", {})
    assert refused.status_code == 400
    assert "comment" in fields_of(refused)
    assert post(employee, f"{BASE}{pk}/approve/").status_code == 403
    returned = post(manager, f"{BASE}{pk}/return/", {"comment": "请补充关键结果"})
    assert returned.json()["status"] == "returned"
    assert returned.json()["return_comment"] == "请补充关键结果"
    assert post(employee, f"{BASE}{pk}/submit/").status_code == 200
    assert post(manager, f"{BASE}{pk}/approve/", {"comment": "同意"}).json()["status"] == "approved"
    too_early = post(employee, f"{BASE}{pk}/request-change/",
                     {"kind": "edit", "goal": goal.pk, "proposed": {"title": "x"}, "reason": "r"})
    assert too_early.status_code == 400
    assert too_early.json()["code"] == "illegal_transition"
    assert post(employee, f"{BASE}{pk}/sign/").json()["status"] == "approved"
    signed = post(manager, f"{BASE}{pk}/sign/").json()
    assert signed["status"] == "signed"
    assert signed["manager_signed_by"] == "manager"
    assert [step["action"] for step in signed["steps"]] == [
        "submit", "return", "submit", "approve", "sign_employee", "sign_manager"]
    assert [g["id"] for g in signed["goals"]] == [goal.pk]

    bad = post(employee, f"{BASE}{pk}/request-change/",
               {"kind": "edit", "goal": goal.pk, "proposed": {"weight": "abc"}, "reason": "r"})
    assert bad.status_code == 400
    assert "proposed.weight" in fields_of(bad)
    asked = post(manager, f"{BASE}{pk}/request-change/",
                 {"kind": "edit", "goal": goal.pk, "proposed": {"weight": "2.5"}, "reason": "重点项目"})
    assert asked.status_code == 201, asked.content
    change = asked.json()
    assert change["status"] == "pending"
    assert change["requested_by"] == "manager"
    url = f"/api/v1/goal-changes/{change['id']}/decide/"
    own = post(manager, url, {"approve": True})
    assert own.status_code == 403
    assert "someone other" in own.json()["detail"]
    assert post(employee, url, {"approve": True}).status_code == 403
    decided = post(head, url, {"approve": True, "comment": "同意"})
    assert decided.status_code == 200
    assert decided.json()["status"] == "approved"
    assert str(Goal.objects.get(pk=goal.pk).weight) == "2.50"
    detail = employee.get(f"{BASE}{pk}/").json()
    assert detail["revision"] == 2
    assert detail["changes"][0]["status"] == "approved"
    assert employee.get("/api/v1/goal-changes/").json()["count"] == 1


def test_out_of_scope_is_404(world, client_as) -> None:  # type: ignore[no-untyped-def]
    build_goals(world)
    theirs = okr_goal(world, person="other", actor="head").agreement
    assert client_as("manager").get(f"{BASE}{theirs.pk}/").status_code == 404
    assert post(client_as("manager"), f"{BASE}{theirs.pk}/approve/").status_code == 404
    assert client_as("hrbp").get(f"{BASE}{theirs.pk}/").status_code == 404
    assert client_as("manager").get(BASE).json()["count"] == 0


def test_goal_sets_through_the_api(world, client_as) -> None:  # type: ignore[no-untyped-def]
    goals = build_goals(world)
    head = client_as("head")
    body = {"name": "操作工目标包", "year": YEAR, "department": "PROD", "items": [
        {"kind": "kpi", "title": "不良率", "indicator": "line_defect_rate", "threshold": "8", "target": "5",
         "stretch": "2", "parent": goals.department.pk},
        {"kind": "kpi", "title": "产量", "indicator": "line_output"},
    ]}
    bad = post(head, "/api/v1/goal-sets/", body)
    assert bad.status_code == 400
    assert "items.1.target" in fields_of(bad)
    body["items"][1]["target"] = "1000"
    created = post(head, "/api/v1/goal-sets/", body)
    assert created.status_code == 201, created.content
    goal_set = created.json()
    assert goal_set["department_code"] == "PROD"
    assert len(goal_set["items"]) == 2
    url = f"/api/v1/goal-sets/{goal_set['id']}/assign/"

    unknown = post(head, url, {"employees": ["E0004", "E9999"]})
    assert unknown.status_code == 400
    assert "E9999" in fields_of(unknown)["employees"][0]
    result = post(head, url, {"employees": ["E0004", "E0005", "E0007"]})
    assert result.status_code == 200, result.content
    assert result.json() == {"goal_set": goal_set["id"], "assigned": ["E0004", "E0005", "E0007"], "skipped": [],
                             "goals": 6, "agreements_created": 3}
    again = post(head, url, {"employees": ["E0004", "E0006"]}).json()
    assert again["assigned"] == ["E0006"]
    assert again["skipped"] == ["E0004"]

    agreement = Agreement.objects.get(employee=world.people["employee"], year=YEAR)
    assert post(client_as("employee"), f"{BASE}{agreement.pk}/submit/").status_code == 200
    locked = post(head, url, {"employees": ["E0005", "E0004"]})  # E0004 holds the set: skipped, E0005 too
    assert locked.json()["assigned"] == []
    hidden = post(client_as("manager"), url, {"employees": ["E0004"]})  # a set of PROD: not the LINE1 manager's
    assert hidden.status_code == 404
    own = post(head, url, {"employees": ["E0002"]})  # the head's own goals
    assert own.status_code == 403
    assert "李制造 (E0002)" in own.json()["detail"]
    assert client_as("employee").get(f"/api/v1/goal-sets/{goal_set['id']}/").status_code == 404
    assert client_as("employee").get("/api/v1/goal-sets/").json()["count"] == 0
    assert GoalSet.objects.count() == 1


def test_locked_people_are_named(world, client_as) -> None:  # type: ignore[no-untyped-def]
    goals = build_goals(world)
    agreement = okr_goal(world).agreement
    assert post(client_as("employee"), f"{BASE}{agreement.pk}/submit/").status_code == 200
    head = client_as("head")
    created = post(head, "/api/v1/goal-sets/", {"name": "s", "year": YEAR, "department": "LINE1", "items": [
        {"kind": "okr", "title": "5S", "key_results": [{"title": "5S 评分", "start": "60", "target": "90"}],
         "parent": goals.department.pk}]}).json()
    response = post(head, f"/api/v1/goal-sets/{created['id']}/assign/", {"employees": ["E0005", "E0004"]})
    assert response.status_code == 400
    assert response.json()["code"] == "agreement_locked"
    assert fields_of(response)["employees"] == [f"陈员工 (E0004): {AgreementStatus.SUBMITTED.label}"]
    assert Goal.objects.filter(goal_set_id=created["id"]).count() == 0
