"""The alert pages: the list of live alerts with level badges and the acknowledge button for those who may, an
alert's history, the rules list and the forms to create (on an indicator or a goal), edit and delete a rule;
in Chinese and English; the list's query count does not grow with its rows."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fairmark.goals.models import Alert, AlertEvent, AlertRule, Goal
from fairmark.goals.services.alert_rules import alert_rule_create

from .support import build_goals, kpi_goal

pytestmark = pytest.mark.django_db


def _scene(world: Any) -> tuple[Goal, AlertRule, Alert]:
    goals = build_goals(world)
    goal = kpi_goal(world, goals.defect)
    rule = alert_rule_create(actor=world.user("hr"), name="不良率预警", kind="threshold",
                             indicator=goals.defect.indicator, warning="5", critical="8")
    alert = Alert.objects.create(rule=rule, goal=goal, level="critical", value="8.5", period="2026-03-06")
    AlertEvent.objects.create(alert=alert, kind="opened", level="warning", previous="ok", value="5.5")
    AlertEvent.objects.create(alert=alert, kind="raised", level="critical", previous="warning", value="8.5")
    return goal, rule, alert


def test_alert_list_and_acknowledge(world, client_as) -> None:  # type: ignore[no-untyped-def]
    goal, _rule, alert = _scene(world)
    page = client_as("manager").get("/goals/alerts/")
    text = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="alert-row"' in text
    assert 'data-level="critical"' in text
    assert goal.title in text
    assert "陈员工 (E0004)" in text
    assert "8.5 %" in text
    assert 'data-testid="alert-acknowledge"' in text
    # The system admin sees the alert but leads nobody: no button.
    assert 'data-testid="alert-acknowledge"' not in client_as("admin").get("/goals/alerts/").content.decode()
    assert 'data-testid="no-alerts"' in client_as("hrbp").get("/goals/alerts/").content.decode()

    done = client_as("manager").post(f"/goals/alerts/{alert.pk}/acknowledge/", {"next": "/goals/alerts/"})
    assert done.status_code == 302
    assert done["Location"] == "/goals/alerts/"
    alert.refresh_from_db()
    assert alert.status == "acknowledged"
    listed = client_as("manager").get("/goals/alerts/").content.decode()
    assert 'data-status="acknowledged"' in listed
    assert 'data-testid="alert-acknowledge"' not in listed
    assert 'data-testid="alert-row"' not in client_as("manager").get("/goals/alerts/?status=resolved").content.decode()
    # An outside address to go back to is ignored.
    Alert.objects.filter(pk=alert.pk).update(status="open")
    away = client_as("employee").post(f"/goals/alerts/{alert.pk}/acknowledge/", {"next": "https://evil.example/"})
    assert away["Location"] == "/goals/alerts/"


def test_alert_history_in_both_languages(world, client_as) -> None:  # type: ignore[no-untyped-def]
    _goal, _rule, alert = _scene(world)
    english = client_as("employee").get(f"/goals/alerts/{alert.pk}/", headers={"Accept-Language": "en"})
    text = english.content.decode()
    assert english.status_code == 200
    assert [kind for kind in ("opened", "raised") if f'data-kind="{kind}"' in text] == ["opened", "raised"]
    assert "Critical" in text
    assert "warning &gt; 5 · critical &gt; 8" in text
    chinese = client_as("employee").get(f"/goals/alerts/{alert.pk}/", headers={"Accept-Language": "zh-hans"})
    assert chinese.status_code == 200
    assert 'lang="zh-hans"' in chinese.content.decode().lower()


def test_the_list_costs_the_same_queries_for_more_alerts(world, client_as) -> None:  # type: ignore[no-untyped-def]
    goal, rule, _alert = _scene(world)
    client = client_as("head")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/goals/alerts/").status_code == 200
        return len(queries)

    few = count()
    for person in ("peer", "other"):
        more = kpi_goal(world, rule.indicator.published, person=person, actor="head", title=f"{person} 不良率")
        Alert.objects.create(rule=rule, goal=more, level="warning", value="6")
    assert count() == few
    assert 'data-testid="alert-row"' in client.get("/goals/alerts/").content.decode()
    assert goal.pk


def test_rule_forms(world, client_as) -> None:  # type: ignore[no-untyped-def]
    goal, rule, _alert = _scene(world)
    hr = client_as("hr")
    listed = hr.get("/goals/alert-rules/").content.decode()
    assert 'data-testid="alert-rule-row"' in listed
    assert 'data-testid="alert-rule-edit"' in listed
    assert "line_defect_rate" in listed
    assert 'data-testid="alert-rule-edit"' not in client_as("employee").get("/goals/alert-rules/").content.decode()

    form = hr.get("/goals/alert-rules/new/").content.decode()
    assert 'name="indicator"' in form
    assert 'name="indicator"' not in client_as("employee").get("/goals/alert-rules/new/").content.decode()

    bad = hr.post("/goals/alert-rules/new/", {"name": "x", "kind": "threshold", "indicator": "line_defect_rate",
                                             "warning": "5", "critical": "2", "active": "on"})
    assert bad.status_code == 400
    assert 'data-field-error="critical"' in bad.content.decode()
    neither = hr.post("/goals/alert-rules/new/", {"name": "x", "kind": "threshold", "warning": "5"})
    assert neither.status_code == 400
    assert 'data-field-error="goal"' in neither.content.decode()

    prefilled = client_as("employee").get(f"/goals/alert-rules/new/?goal={goal.pk}&kind=stale").content.decode()
    assert f'<option value="{goal.pk}" selected' in prefilled
    made = client_as("employee").post("/goals/alert-rules/new/", {
        "name": "数据中断", "kind": "stale", "goal": str(goal.pk), "warning": "3", "critical": "", "active": "on"})
    assert made.status_code == 302
    assert made["Location"] == "/goals/alert-rules/"
    stale = AlertRule.objects.get(name="数据中断")
    assert (stale.goal_id, stale.kind, stale.warning, stale.created_by) == (goal.pk, "stale", 3, world.user("employee"))

    edit = client_as("manager").get(f"/goals/alert-rules/{stale.pk}/").content.decode()
    assert 'data-testid="alert-rule-subject"' in edit
    assert 'name="direction"' not in edit
    saved = client_as("manager").post(f"/goals/alert-rules/{stale.pk}/", {"name": "数据中断", "warning": "5",
                                                                          "critical": "9", "active": "on"})
    assert saved.status_code == 302
    stale.refresh_from_db()
    assert (stale.warning, stale.critical) == (5, 9)
    unchanged = client_as("manager").post(f"/goals/alert-rules/{stale.pk}/", {"name": "数据中断", "warning": "5",
                                                                              "critical": "9", "active": "on"})
    assert unchanged.status_code == 302
    wrong = client_as("manager").post(f"/goals/alert-rules/{stale.pk}/", {"name": "数据中断", "warning": "2.5",
                                                                          "active": "on"})
    assert wrong.status_code == 400
    assert 'data-field-error="warning"' in wrong.content.decode()

    assert client_as("employee").post(f"/goals/alert-rules/{rule.pk}/delete/").status_code == 403
    gone = hr.post(f"/goals/alert-rules/{rule.pk}/delete/")
    assert gone.status_code == 302
    assert not AlertRule.objects.filter(pk=rule.pk).exists()
    assert not Alert.objects.exists()
