"""The alert API: rules (create on an indicator or a goal, validate, change, delete) and alerts (list with
filters, read with events, acknowledge), with problem+json field errors for bad bounds."""

from __future__ import annotations

import json
from typing import Any

import pytest

from fairmark.goals.models import Alert, AlertEvent, AlertRule, AlertWatermark

from .support import build_goals, kpi_goal

pytestmark = pytest.mark.django_db
RULES = "/api/v1/goal-alert-rules/"
ALERTS = "/api/v1/goal-alerts/"


def post(client: Any, url: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(url, data=json.dumps(body or {}), content_type="application/json")


def patch(client: Any, url: str, body: dict[str, Any]) -> Any:
    return client.patch(url, data=json.dumps(body), content_type="application/json")


def test_rules_through_the_api(world, client_as) -> None:  # type: ignore[no-untyped-def]
    goals = build_goals(world)
    goal = kpi_goal(world, goals.defect)
    hr = client_as("hr")
    created = post(hr, RULES, {"name": "不良率预警", "kind": "threshold", "indicator": "line_defect_rate",
                               "warning": "5", "critical": "8"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["indicator"], body["goal"], body["direction"], body["kind"]) == (
        "line_defect_rate", None, "above", "threshold")
    assert body["created_by"] == "hr"

    bad = post(hr, RULES, {"name": "x", "kind": "threshold", "indicator": "line_defect_rate", "warning": "5",
                           "critical": "3"})
    assert bad.status_code == 400
    assert bad["Content-Type"].startswith("application/problem+json")
    assert [e["field"] for e in bad.json()["errors"]] == ["critical"]
    unknown = post(hr, RULES, {"name": "x", "kind": "threshold", "indicator": "nope", "warning": "5"})
    assert unknown.status_code == 400
    assert unknown.json()["errors"][0]["field"] == "indicator"

    mine = post(client_as("employee"), RULES, {"name": "我的", "kind": "pace", "goal": goal.pk, "warning": "0.2"})
    assert mine.status_code == 201, mine.content
    rule_id = mine.json()["id"]
    listed = client_as("employee").get(RULES, {"goal": goal.pk}).json()
    assert [r["id"] for r in listed["results"]] == [rule_id]

    changed = patch(client_as("manager"), f"{RULES}{rule_id}/", {"warning": "0.3", "critical": "0.5"})
    assert changed.status_code == 200
    assert changed.json()["warning"].startswith("0.3")
    assert patch(client_as("manager"), f"{RULES}{rule_id}/", {"critical": "0.1"}).status_code == 400
    assert client_as("employee").delete(f"{RULES}{rule_id}/").status_code == 204
    assert not AlertRule.objects.filter(pk=rule_id).exists()


def test_alerts_through_the_api(world, client_as) -> None:  # type: ignore[no-untyped-def]
    goals = build_goals(world)
    goal = kpi_goal(world, goals.defect)
    other = kpi_goal(world, goals.defect, person="other", actor="head", title="孙其他不良率")
    rule = AlertRule.objects.create(name="r", kind="threshold", indicator=goals.defect.indicator, warning=5)
    alert = Alert.objects.create(rule=rule, goal=goal, level="warning", value=6)
    AlertEvent.objects.create(alert=alert, kind="opened", level="warning", previous="ok", value=6)
    Alert.objects.create(rule=rule, goal=other, level="critical", value=9)
    AlertWatermark.objects.create(rule=rule, goal=goal, period="2026-03-01", level="warning")

    manager = client_as("manager")
    assert [a["id"] for a in manager.get(ALERTS).json()["results"]] == [alert.pk]  # line 2 is not theirs
    head = client_as("head").get(ALERTS).json()["results"]
    assert len(head) == 2
    assert [a["employee_number"] for a in client_as("head").get(ALERTS, {"employee": "E0007"}).json()["results"]] == [
        "E0007"]
    assert [a["level"] for a in client_as("head").get(ALERTS, {"level": "critical"}).json()["results"]] == ["critical"]
    assert client_as("head").get(ALERTS, {"status": "resolved"}).json()["results"] == []

    detail = client_as("employee").get(f"{ALERTS}{alert.pk}/").json()
    assert [e["kind"] for e in detail["events"]] == ["opened"]
    assert detail["goal_title"] == goal.title
    assert detail["kind"] == "threshold"

    acked = post(client_as("employee"), f"{ALERTS}{alert.pk}/acknowledge/")
    assert acked.status_code == 200
    assert (acked.json()["status"], acked.json()["acknowledged_by"]) == ("acknowledged", "employee")
    assert [e["kind"] for e in acked.json()["events"]] == ["opened", "acknowledged"]
    again = post(client_as("manager"), f"{ALERTS}{alert.pk}/acknowledge/")
    assert again.status_code == 400
    assert again.json()["errors"][0]["field"] == "status"
    assert post(client_as("employee"), f"{ALERTS}{other.alerts.get().pk}/acknowledge/").status_code == 404
