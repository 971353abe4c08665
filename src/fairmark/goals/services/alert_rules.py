"""Alert rules on goals (DESIGN.md C4): the rules HR and goal owners configure, created, changed and deleted here;
the alerts they raise are evaluated in alerts.py.

A rule on an indicator (code) applies to every live KPI goal bound to any version of it: it is company
configuration, written by HR admins and executives. A rule on one goal is written by whoever may write the goal
(permissions.writes_goal). Three kinds:
- threshold: bounds on the indicator's value per data period ("defect rate above 5 % warns, above 8 % is
  critical"): `warning` and an optional `critical` beyond it in the rule's direction (above: worse when higher);
- pace: how far behind the expected progress for the date (a fraction 0–1 of the way from 0 to 100 %) warns
  or is critical;
- stale: how many whole days without data (a KPI goal's latest data, an OKR's latest check-in) warn or are
  critical.

Every write is audited ("goal.alert_rule.<action>"). A threshold rule created, changed or turned on is
evaluated again after the commit (tasks.evaluate_alert_rule); a rule turned off resolves its live alerts
silently."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fairmark.audit.services import record
from fairmark.core.access import Viewer, user_or_none, viewer_for
from fairmark.core.errors import not_found, require
from fairmark.indicators.models import Indicator

from .. import alerts as pure
from ..models import (
    Alert,
    AlertDirection,
    AlertEvent,
    AlertKind,
    AlertLevel,
    AlertRule,
    AlertStatus,
    AlertWatermark,
    Goal,
    GoalKind,
    GoalState,
)
from ..permissions import writes_company_goals, writes_goal
from ..selectors import alert_rules_visible_to, goal_scope_q
from .alerts import LIVE
from .common import decimal_or_none

MAX_STALE_DAYS = 3660
RULE_FIELDS = ("name", "direction", "warning", "critical", "active")


# --- who may ------------------------------------------------------------------------------------------------------


def writes_indicator_rules(viewer: Viewer) -> bool:
    """Rules on an indicator are company configuration: HR admins and executives."""
    return writes_company_goals(viewer)


def writes_rule(viewer: Viewer, rule: AlertRule) -> bool:
    if rule.goal_id is not None:
        return writes_goal(viewer, rule.goal)
    return writes_indicator_rules(viewer)


# --- rules --------------------------------------------------------------------------------------------------------


def rule_snapshot(rule: AlertRule) -> dict[str, Any]:
    return {"name": rule.name, "kind": rule.kind, "indicator": rule.indicator.code if rule.indicator else None,
            "goal": rule.goal_id, "direction": rule.direction, "warning": rule.warning, "critical": rule.critical,
            "active": rule.active}


def _indicator_direction(indicator: Indicator | None, goal: Goal | None) -> str:
    """Which way a threshold is worse by default: above for an indicator where lower is better (defect rate),
    below where higher is better (output)."""
    version = goal.indicator_version if goal is not None else (
        indicator.published or indicator.head if indicator is not None else None)
    if version is not None and version.direction == "higher":
        return AlertDirection.BELOW
    return AlertDirection.ABOVE


def _check_bounds(kind: str, direction: str, warning: Decimal | None, critical: Decimal | None) -> None:
    require(warning is not None, "warning", _("Enter when the rule warns."))
    assert warning is not None
    if kind == AlertKind.THRESHOLD:
        require(direction in AlertDirection.values, "direction", _("Choose a direction."))
        try:
            pure.ThresholdRule(warning=warning, critical=critical, direction=direction)  # type: ignore[arg-type]
        except ValueError:
            message = (_("The critical bound must be above the warning bound.") if direction == AlertDirection.ABOVE
                       else _("The critical bound must be below the warning bound."))
            require(False, "critical", message)
    elif kind == AlertKind.PACE:
        require(Decimal(0) <= warning <= Decimal(1), "warning",
                _("How far behind is a fraction of the way from 0 to 1 (0.2: 20 % behind the expected progress)."))
        if critical is not None:
            require(warning < critical <= Decimal(1), "critical",
                    _("The critical margin is a fraction above the warning margin, at most 1."))
    else:
        require(warning == warning.to_integral_value() and 1 <= warning <= MAX_STALE_DAYS, "warning",
                _("Enter a whole number of days from 1 to %(max)s.") % {"max": MAX_STALE_DAYS})
        if critical is not None:
            require(critical == critical.to_integral_value() and warning < critical <= MAX_STALE_DAYS, "critical",
                    _("The critical number of days is a whole number above the warning's."))


def _check_name(name: Any) -> str:
    text = str(name or "").strip()
    require(bool(text), "name", _("Name the rule."))
    require(len(text) <= 200, "name", _("At most 200 characters."))
    return text


def _visible_goal(actor: Any, goal: Goal) -> Goal:
    found = (Goal.objects.filter(goal_scope_q(actor)).filter(pk=goal.pk)
             .select_related("employee", "employee__department", "department", "indicator_version").first())
    if found is None:
        raise not_found()
    return found


@transaction.atomic
def alert_rule_create(*, actor: Any, name: str, kind: str, indicator: Indicator | None = None,
                      goal: Goal | None = None, direction: str | None = None, warning: Any = None,
                      critical: Any = None, active: bool = True) -> AlertRule:
    """A rule on an indicator (HR admins and executives) or on one goal (whoever may write the goal). A goal the
    actor may not see is 404; a rule they may see but not write is refused (403)."""
    viewer = viewer_for(actor)
    require(kind in AlertKind.values, "kind", _("Choose what the rule watches."))
    require((indicator is None) != (goal is None), "indicator" if goal is None else "goal",
            _("A rule is either on an indicator or on one goal."))
    if goal is not None:
        goal = _visible_goal(actor, goal)
        if not writes_goal(viewer, goal):
            raise PermissionDenied
        require(goal.state == GoalState.ACTIVE, "goal", _("An archived goal takes no new rules."))
        require(kind != AlertKind.THRESHOLD or goal.kind == GoalKind.KPI, "kind",
                _("A threshold watches an indicator's value: put it on a KPI goal or on the indicator."))
    else:
        if not writes_indicator_rules(viewer):
            raise PermissionDenied
        assert indicator is not None
        require(not indicator.retired, "indicator", _("This indicator is retired."))
    text = _check_name(name)
    if kind == AlertKind.THRESHOLD:
        direction = direction or _indicator_direction(indicator, goal)
    else:
        direction = AlertDirection.ABOVE
    low = decimal_or_none(warning, "warning")
    high = decimal_or_none(critical, "critical")
    _check_bounds(kind, direction, low, high)
    assert low is not None  # _check_bounds requires it
    rule = AlertRule.objects.create(name=text, kind=kind, indicator=indicator, goal=goal, direction=direction,
                                    warning=low, critical=high, active=bool(active), created_by=user_or_none(actor))
    record(actor=actor, action="goal.alert_rule.create", obj=rule, after=rule_snapshot(rule))
    _reevaluate_after_commit(rule)
    return rule


def _reevaluate_after_commit(rule: AlertRule) -> None:
    """A threshold rule created, changed or turned on reads the latest data period of its goals at once (in the
    background: an indicator's rule may watch thousands of goals), so a goal already beyond it warns now."""
    if rule.kind != AlertKind.THRESHOLD or not rule.active:
        return
    rule_id = rule.pk

    def queue() -> None:
        from ..tasks import evaluate_alert_rule

        evaluate_alert_rule.delay(rule_id)

    transaction.on_commit(queue)


def _lock_rule(actor: Any, rule: AlertRule) -> AlertRule:
    if not alert_rules_visible_to(actor).filter(pk=rule.pk).exists():
        raise not_found()
    locked = (AlertRule.objects.select_for_update(of=("self",))
              .select_related("indicator", "goal", "goal__employee", "goal__employee__department", "goal__department")
              .get(pk=rule.pk))
    if not writes_rule(viewer_for(actor), locked):
        raise PermissionDenied
    return locked


@transaction.atomic
def alert_rule_update(*, actor: Any, rule: AlertRule, changes: Mapping[str, Any]) -> AlertRule:
    """Change a rule's name, direction (threshold), bounds and whether it is active. What it watches (kind,
    indicator or goal) does not change: make another rule. New bounds apply from the next data (threshold) or
    the next check (pace, staleness); a rule turned off resolves its live alerts without notifying anyone."""
    rule = _lock_rule(actor, rule)
    unknown = sorted(set(changes) - set(RULE_FIELDS))
    require(not unknown, unknown[0] if unknown else "", _("This field cannot be changed here."))
    before = rule_snapshot(rule)
    if "name" in changes:
        rule.name = _check_name(changes["name"])
    if "direction" in changes and rule.kind == AlertKind.THRESHOLD:
        rule.direction = str(changes["direction"] or "")
    if "warning" in changes:
        rule.warning = decimal_or_none(changes["warning"], "warning")  # type: ignore[assignment]
    if "critical" in changes:
        rule.critical = decimal_or_none(changes["critical"], "critical")
    _check_bounds(rule.kind, rule.direction, rule.warning, rule.critical)
    was_active = rule.active
    if "active" in changes:
        rule.active = bool(changes["active"])
    rule.save()
    if was_active and not rule.active:
        _close_silently(rule)
    after = rule_snapshot(rule)
    if any(before[name] != after[name] for name in ("direction", "warning", "critical", "active")):
        _reevaluate_after_commit(rule)
    record(actor=actor, action="goal.alert_rule.update", obj=rule, before=before, after=after)
    return rule


def _close_silently(rule: AlertRule) -> None:
    """A rule turned off: its live alerts resolve (an event each, nobody notified) and its watermarks return to
    ok, so that turning it on again starts clean from the next data."""
    now = timezone.now()
    for alert in Alert.objects.select_for_update().filter(rule=rule, status__in=LIVE):
        previous = alert.level
        alert.status, alert.level, alert.resolved_at = AlertStatus.RESOLVED, AlertLevel.OK, now
        alert.save(update_fields=["status", "level", "resolved_at", "changed_at"])
        AlertEvent.objects.create(alert=alert, kind="resolved", level=AlertLevel.OK, previous=previous,
                                  value=alert.value, period=alert.period)
    AlertWatermark.objects.filter(rule=rule).update(level=AlertLevel.OK)


@transaction.atomic
def alert_rule_delete(*, actor: Any, rule: AlertRule) -> None:
    """Delete a rule with its alerts and their history (the audit log keeps what the rule was)."""
    rule = _lock_rule(actor, rule)
    snapshot = rule_snapshot(rule)
    record(actor=actor, action="goal.alert_rule.delete", obj=rule, before=snapshot)
    rule.delete()


__all__ = [
    "alert_rule_create",
    "alert_rule_delete",
    "alert_rule_update",
    "writes_indicator_rules",
    "writes_rule",
]
