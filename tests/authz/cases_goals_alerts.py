"""Authorization cases for alerts on goals (pages under /goals/alerts/ and /goals/alert-rules/, API under
/api/v1/goal-alerts/ and /api/v1/goal-alert-rules/).

The scene: the employee's KPI goal on the defect rate with an open alert, a rule on the defect-rate indicator
and a rule on the employee's goal. Everyone signed in lists alerts (within their goal scope) and rules. The
employee's alert and goal rule are seen by the employee, their manager, the head of PROD, HR admins,
executives and the system admin, not by the HR BP of QA (404). Acknowledging and writing the goal rule take
the owner or someone who leads them (the executive heads the whole chain): the system admin, who reads
everything and leads nobody, gets 403. Rules on an indicator are written by HR admins and executives (403 for
the rest, who read them)."""

from __future__ import annotations

import itertools
from typing import Any

from tests.authz.matrix import Case
from tests.world import World

ALL = {role: 200 for role in ("employee", "manager", "head", "hrbp", "hr", "exec", "admin")}
LEADS = ("employee", "manager", "head", "hr", "exec")  # the owner and those who lead them
SEES_EMPLOYEE = {**{role: 200 for role in (*LEADS, "admin")}, "hrbp": 404}
INDICATOR_WRITERS = {"hr", "exec"}
_NAMES = itertools.count()


def _scene(w: World) -> dict[str, Any]:
    """Made once per test: goals, the employee's KPI goal, two rules and an open alert."""
    from fairmark.core.access import SYSTEM
    from fairmark.goals.models import Alert, AlertEvent, AlertRule, Goal
    from fairmark.goals.services.alert_rules import alert_rule_create
    from fairmark.indicators.models import Indicator
    from tests.goals.support import build_goals, kpi_goal

    goal = Goal.objects.filter(employee=w.people["employee"], kind="kpi").first()
    if goal is None:
        goals = build_goals(w)
        goal = kpi_goal(w, goals.defect)
        indicator_rule = alert_rule_create(actor=SYSTEM, name="不良率", kind="threshold",
                                           indicator=goals.defect.indicator, warning="5", critical="8")
        alert_rule_create(actor=SYSTEM, name="进度", kind="pace", goal=goal, warning="0.2")
        alert = Alert.objects.create(rule=indicator_rule, goal=goal, level="warning", value="5.5")
        AlertEvent.objects.create(alert=alert, kind="opened", level="warning", previous="ok", value="5.5")
    return {
        "goal": goal,
        "indicator": Indicator.objects.get(code="line_defect_rate"),
        "indicator_rule": AlertRule.objects.get(goal__isnull=True),
        "goal_rule": AlertRule.objects.get(goal=goal),
        "alert": Alert.objects.get(goal=goal),
    }


def _url(template: str, key: str | None = None) -> Any:
    def make(w: World) -> str:
        scene = _scene(w)
        return template.format(scene[key].pk) if key else template

    return make


def _status(writers: set[str] | tuple[str, ...], ok: int, refused: int = 403,
            unseen: dict[str, int] | None = None) -> dict[str, int]:
    roles = ("employee", "manager", "head", "hrbp", "hr", "exec", "admin")
    return {role: ok if role in writers else refused for role in roles} | (unseen or {})


def _indicator_rule_form(w: World) -> dict[str, Any]:
    _scene(w)
    return {"name": f"r{next(_NAMES)}", "kind": "threshold", "indicator": "line_defect_rate", "goal": "",
            "direction": "", "warning": "5", "critical": "8", "active": "on"}


def _goal_rule_form(w: World) -> dict[str, Any]:
    return {"name": f"g{next(_NAMES)}", "kind": "pace", "indicator": "", "goal": str(_scene(w)["goal"].pk),
            "direction": "", "warning": "0.2", "critical": "", "active": "on"}


def _rule_edit_form(w: World) -> dict[str, Any]:
    _scene(w)
    return {"name": "不良率（改）", "direction": "above", "warning": "4", "critical": "8", "active": "on"}


def _api_indicator_rule(w: World) -> dict[str, Any]:
    _scene(w)
    return {"name": f"r{next(_NAMES)}", "kind": "threshold", "indicator": "line_defect_rate", "warning": "5"}


def _api_goal_rule(w: World) -> dict[str, Any]:
    return {"name": f"g{next(_NAMES)}", "kind": "stale", "goal": _scene(w)["goal"].pk, "warning": "7"}


CASES = [
    # pages
    Case("goals_alerts page list", "goals:alerts", _url("/goals/alerts/"), expect=ALL),
    Case("goals_alerts page alert", "goals:alert", _url("/goals/alerts/{}/", "alert"), expect=SEES_EMPLOYEE),
    Case("goals_alerts page acknowledge", "goals:alert_acknowledge", _url("/goals/alerts/{}/acknowledge/", "alert"),
         method="POST", data=lambda w: {}, writes=True, expect=_status(LEADS, 302, unseen={"hrbp": 404})),
    Case("goals_alerts page rules", "goals:alert_rules", _url("/goals/alert-rules/"), expect=ALL),
    Case("goals_alerts page new rule form", "goals:alert_rule_create", _url("/goals/alert-rules/new/"),
         expect=_status(LEADS, 200)),
    Case("goals_alerts page new rule form for the goal", "goals:alert_rule_create",
         lambda w: f"/goals/alert-rules/new/?goal={_scene(w)['goal'].pk}",
         expect=_status(LEADS, 200, unseen={"hrbp": 404})),
    Case("goals_alerts page create indicator rule", "goals:alert_rule_create", _url("/goals/alert-rules/new/"),
         method="POST", data=_indicator_rule_form, writes=True, expect=_status(INDICATOR_WRITERS, 302)),
    Case("goals_alerts page create goal rule", "goals:alert_rule_create", _url("/goals/alert-rules/new/"),
         method="POST", data=_goal_rule_form, writes=True, expect=_status(LEADS, 302)),
    Case("goals_alerts page edit indicator rule", "goals:alert_rule_edit",
         _url("/goals/alert-rules/{}/", "indicator_rule"), expect=_status(INDICATOR_WRITERS, 200)),
    Case("goals_alerts page edit goal rule", "goals:alert_rule_edit", _url("/goals/alert-rules/{}/", "goal_rule"),
         expect=_status(LEADS, 200, unseen={"hrbp": 404})),
    Case("goals_alerts page save indicator rule", "goals:alert_rule_edit",
         _url("/goals/alert-rules/{}/", "indicator_rule"), method="POST", data=_rule_edit_form, writes=True,
         expect=_status(INDICATOR_WRITERS, 302)),
    Case("goals_alerts page delete goal rule", "goals:alert_rule_delete",
         _url("/goals/alert-rules/{}/delete/", "goal_rule"), method="POST", data=lambda w: {}, writes=True,
         expect=_status(LEADS, 302, unseen={"hrbp": 404})),
    Case("goals_alerts page delete indicator rule", "goals:alert_rule_delete",
         _url("/goals/alert-rules/{}/delete/", "indicator_rule"), method="POST", data=lambda w: {}, writes=True,
         expect=_status(INDICATOR_WRITERS, 302)),
    # API: rules
    Case("goals_alerts api rules", "api:goal-alert-rule-list", _url("/api/v1/goal-alert-rules/"), api=True,
         expect=ALL),
    Case("goals_alerts api create indicator rule", "api:goal-alert-rule-list", _url("/api/v1/goal-alert-rules/"),
         method="POST", api=True, data=_api_indicator_rule, writes=True, expect=_status(INDICATOR_WRITERS, 201)),
    Case("goals_alerts api create goal rule", "api:goal-alert-rule-list", _url("/api/v1/goal-alert-rules/"),
         method="POST", api=True, data=_api_goal_rule, writes=True,
         expect=_status(LEADS, 201, unseen={"hrbp": 404})),
    Case("goals_alerts api indicator rule", "api:goal-alert-rule-detail",
         _url("/api/v1/goal-alert-rules/{}/", "indicator_rule"), api=True, expect=ALL),
    Case("goals_alerts api goal rule", "api:goal-alert-rule-detail", _url("/api/v1/goal-alert-rules/{}/", "goal_rule"),
         api=True, expect=SEES_EMPLOYEE),
    Case("goals_alerts api update indicator rule", "api:goal-alert-rule-detail",
         _url("/api/v1/goal-alert-rules/{}/", "indicator_rule"), method="PATCH", api=True,
         data=lambda w: {"warning": "4"}, writes=True, expect=_status(INDICATOR_WRITERS, 200)),
    Case("goals_alerts api update goal rule", "api:goal-alert-rule-detail",
         _url("/api/v1/goal-alert-rules/{}/", "goal_rule"), method="PATCH", api=True,
         data=lambda w: {"active": False}, writes=True, expect=_status(LEADS, 200, unseen={"hrbp": 404})),
    Case("goals_alerts api delete goal rule", "api:goal-alert-rule-detail",
         _url("/api/v1/goal-alert-rules/{}/", "goal_rule"), method="DELETE", api=True, writes=True,
         expect=_status(LEADS, 204, unseen={"hrbp": 404})),
    Case("goals_alerts api delete indicator rule", "api:goal-alert-rule-detail",
         _url("/api/v1/goal-alert-rules/{}/", "indicator_rule"), method="DELETE", api=True, writes=True,
         expect=_status(INDICATOR_WRITERS, 204)),
    # API: alerts
    Case("goals_alerts api alerts", "api:goal-alert-list", _url("/api/v1/goal-alerts/"), api=True, expect=ALL),
    Case("goals_alerts api alert", "api:goal-alert-detail", _url("/api/v1/goal-alerts/{}/", "alert"), api=True,
         expect=SEES_EMPLOYEE),
    Case("goals_alerts api acknowledge", "api:goal-alert-acknowledge",
         _url("/api/v1/goal-alerts/{}/acknowledge/", "alert"), method="POST", api=True, writes=True,
         expect=_status(LEADS, 200, unseen={"hrbp": 404})),
]
