"""Alerts on goals (DESIGN.md C4): the rules HR and goal owners configure, and the alerts they raise.

Rules. A rule on an indicator (code) applies to every live KPI goal bound to any version of it: it is company
configuration, written by HR admins and executives. A rule on one goal is written by whoever may write the goal
(permissions.writes_goal). Three kinds:
- threshold: bounds on the indicator's value per data period ("defect rate above 5 % warns, above 8 % is
  critical"): `warning` and an optional `critical` beyond it in the rule's direction (above: worse when higher);
- pace: how far behind the expected progress for the date (a fraction 0–1 of the way from 0 to 100 %) warns
  or is critical;
- stale: how many whole days without data (a KPI goal's latest data, an OKR's latest check-in) warn or are
  critical.

Alerts. One rule on one goal has at most one live alert. Threshold rules are evaluated after every KPI refresh
(tasks.refresh_after_ingest → evaluate_threshold_alerts): each data period after the rule's watermark for the
goal is read once, in date order, through the pure life cycle (goals/alerts.py step); a rule meeting a goal for
the first time starts at the latest period (it does not replay the year). Pace and staleness depend on the date
and are checked hourly (check_pace_and_staleness). Each change of level is one AlertEvent and one notification
to the goal's owner and their manager; the same data sent again, or the same level again, changes nothing.
Acknowledging keeps the alert silent until its level changes."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from fairmark.audit.services import record
from fairmark.core.access import Viewer, viewer_for
from fairmark.indicators.models import Indicator
from fairmark.ingestion.numbers import tidy_text
from fairmark.notifications.services import notify

from .. import alerts as pure
from ..kpi import goal_values
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
    GoalLevel,
    GoalState,
)
from ..permissions import decides_for, is_self, writes_company_goals, writes_department_goals, writes_goal
from ..selectors import alert_rules_visible_to, alerts_visible_to, goal_scope_q
from .common import decimal_or_none, not_found, require
from .kpi_data import today as local_today
from .kpi_data import values_for_goal

log = logging.getLogger(__name__)

NOTIFICATION_KIND = "goal.alert"
MAX_STALE_DAYS = 3660
RULE_FIELDS = ("name", "direction", "warning", "critical", "active")
LIVE = (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED)


# --- who may ------------------------------------------------------------------------------------------------------


def writes_indicator_rules(viewer: Viewer) -> bool:
    """Rules on an indicator are company configuration: HR admins and executives."""
    return writes_company_goals(viewer)


def writes_rule(viewer: Viewer, rule: AlertRule) -> bool:
    if rule.goal_id is not None:
        return writes_goal(viewer, rule.goal)
    return writes_indicator_rules(viewer)


def acknowledges(viewer: Viewer, goal: Goal) -> bool:
    """The goal's owner, their managers (decides_for: managers, head of department, HR BP, HR admin); for a
    department or company goal whoever may write it."""
    if goal.level == GoalLevel.PERSON and goal.employee is not None:
        return is_self(viewer, goal.employee_id) or decides_for(viewer, goal.employee)  # type: ignore[arg-type]
    if goal.level == GoalLevel.DEPARTMENT and goal.department is not None:
        return writes_department_goals(viewer, goal.department.path)
    return writes_company_goals(viewer)


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


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) is not None else None


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
                                    warning=low, critical=high, active=bool(active), created_by=_user(actor))
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


# --- acknowledging ------------------------------------------------------------------------------------------------


@transaction.atomic
def alert_acknowledge(*, actor: Any, alert: Alert) -> Alert:
    """Open → acknowledged: the owner, their manager (or another who decides for them) or HR has seen it. The
    alert stays live and silent until its level changes again (then it is open again and notifies)."""
    if not alerts_visible_to(actor).filter(pk=alert.pk).exists():
        raise not_found()
    locked = (Alert.objects.select_for_update(of=("self",))
              .select_related("goal", "goal__employee", "goal__employee__department", "goal__department", "rule")
              .get(pk=alert.pk))
    if not acknowledges(viewer_for(actor), locked.goal):
        raise PermissionDenied
    require(locked.status == AlertStatus.OPEN, "status",
            _("This alert is already acknowledged.") if locked.status == AlertStatus.ACKNOWLEDGED
            else _("This alert is resolved."))
    locked.status = AlertStatus.ACKNOWLEDGED
    locked.acknowledged_at = timezone.now()
    locked.acknowledged_by = _user(actor)
    locked.save(update_fields=["status", "acknowledged_at", "acknowledged_by", "changed_at"])
    AlertEvent.objects.create(alert=locked, kind="acknowledged", level=locked.level, previous=locked.level,
                              value=locked.value, period=locked.period)
    record(actor=actor, action="goal.alert.acknowledge", obj=locked, before={"status": AlertStatus.OPEN},
           after={"status": AlertStatus.ACKNOWLEDGED, "level": locked.level})
    return locked


# --- the life cycle, persisted ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    """What a rule read for a goal: the level and what the notification says about it."""

    level: pure.Level
    value: Decimal | None
    period: date | None
    detail: dict[str, Any]


def _state(alert: Alert | None) -> pure.AlertState:
    if alert is None:
        return pure.AlertState()
    return pure.AlertState(level=alert.level, acknowledged=alert.status == AlertStatus.ACKNOWLEDGED)  # type: ignore[arg-type]


def _persist(rule: AlertRule, goal: Goal, live: Alert | None, event: pure.Event, reading: Reading
             ) -> tuple[Alert | None, AlertEvent]:
    """Write one change: open a new alert, move a live one's level (open again if it was acknowledged), or
    resolve it; one AlertEvent; then notify the people concerned. Returns the live alert after the change."""
    now = timezone.now()
    if event.kind == "opened" or live is None:
        alert = Alert.objects.create(rule=rule, goal=goal, level=event.level, status=AlertStatus.OPEN,
                                     value=reading.value, period=reading.period)
    else:
        alert = live
        alert.level, alert.value, alert.period = event.level, reading.value, reading.period
        if event.kind == "resolved":
            alert.status, alert.resolved_at = AlertStatus.RESOLVED, now
        else:
            alert.status, alert.acknowledged_at, alert.acknowledged_by = AlertStatus.OPEN, None, None
        alert.save()
    row = AlertEvent.objects.create(alert=alert, kind=event.kind, level=event.level, previous=event.previous,
                                    value=reading.value, period=reading.period)
    _notify(rule, goal, alert, row, reading)
    return (None if event.kind == "resolved" else alert), row


def recipients_of(goal: Goal) -> list[Any]:
    """Who hears of a goal's alerts: a person's goal, the person and their manager (the head of their
    department when they have no manager); a department goal, its head; a company goal, whoever created it."""
    users: list[Any] = []
    if goal.level == GoalLevel.PERSON and goal.employee is not None:
        owner = goal.employee
        users.append(owner.user)
        lead = owner.manager
        if lead is None and owner.department.head_id not in (None, owner.pk):
            lead = owner.department.head
        if lead is not None:
            users.append(lead.user)
    elif goal.level == GoalLevel.DEPARTMENT and goal.department is not None and goal.department.head is not None:
        users.append(goal.department.head.user)
    else:
        users.append(goal.created_by)
    return [user for user in users if user is not None]


def goal_link(goal: Goal) -> str:
    return reverse("goals:goal", args=[goal.pk])


def _number(value: Decimal | None) -> str:
    return tidy_text(value) or "—"


def _texts(rule: AlertRule, goal: Goal, row: AlertEvent, reading: Reading) -> tuple[str, str]:
    """Title and body in the active language."""
    level = str(AlertLevel(row.level).label)
    words = {"goal": goal.title, "level": level, "rule": rule.name}
    titles = {
        "opened": _("Alert on “%(goal)s”: %(level)s"),
        "raised": _("Alert on “%(goal)s” raised to %(level)s"),
        "lowered": _("Alert on “%(goal)s” lowered to %(level)s"),
        "resolved": _("Alert on “%(goal)s” resolved"),
    }
    title = titles.get(row.kind, titles["opened"]) % words
    detail = reading.detail
    if rule.kind == AlertKind.THRESHOLD:
        body = _("%(rule)s: %(value)s for %(period)s (warning beyond %(warning)s, critical beyond %(critical)s).") % {
            **words, "value": _number(reading.value), "period": reading.period.isoformat() if reading.period else "—",
            "warning": _number(rule.warning), "critical": _number(rule.critical)}
    elif rule.kind == AlertKind.PACE:
        body = _("%(rule)s: progress %(progress)s %% on %(day)s, expected %(expected)s %%.") % {
            **words, "progress": _number(detail.get("progress")), "expected": _number(detail.get("expected")),
            "day": detail.get("day", "")}
    else:
        body = _("%(rule)s: no data for %(days)s days (on %(day)s).") % {
            **words, "days": detail.get("days", "—"), "day": detail.get("day", "")}
    if goal.employee is not None:
        body = f"{body} {goal.employee.name} ({goal.employee.number})"
    return title, body


def _notify(rule: AlertRule, goal: Goal, alert: Alert, row: AlertEvent, reading: Reading) -> None:
    link = goal_link(goal)
    for user in recipients_of(goal):
        with translation.override(getattr(user, "language", "") or "zh-hans"):
            title, body = _texts(rule, goal, row, reading)
        notify(recipients=[user], kind=NOTIFICATION_KIND, title=title, body=body, link=link,
               event_key=f"goal-alert:{alert.pk}:{row.pk}")


def _locked_goal(goal_id: int) -> Goal | None:
    return (Goal.objects.select_for_update(of=("self",)).filter(pk=goal_id, state=GoalState.ACTIVE)
            .select_related("indicator_version", "employee", "employee__user", "employee__department",
                            "employee__department__head", "employee__department__head__user", "employee__manager",
                            "employee__manager__user", "department", "department__head", "department__head__user",
                            "created_by")
            .first())


def _live_alerts(rule_ids: Iterable[int], goal_ids: Iterable[int]) -> dict[tuple[int, int], Alert]:
    return {(alert.rule_id, alert.goal_id): alert
            for alert in Alert.objects.filter(rule_id__in=list(rule_ids), goal_id__in=list(goal_ids), status__in=LIVE)}


# --- threshold rules, after data ----------------------------------------------------------------------------------


def _threshold_rules(goals: list[Goal]) -> dict[int, list[AlertRule]]:
    indicator_ids = {goal.indicator_version.indicator_id for goal in goals if goal.indicator_version is not None}
    rules = list(AlertRule.objects.filter(active=True, kind=AlertKind.THRESHOLD).filter(
        Q(goal_id__in=[goal.pk for goal in goals]) | Q(goal__isnull=True, indicator_id__in=indicator_ids))
        .order_by("pk"))
    applying: dict[int, list[AlertRule]] = defaultdict(list)
    for goal in goals:
        indicator_id = goal.indicator_version.indicator_id if goal.indicator_version is not None else None
        for rule in rules:
            if rule.goal_id == goal.pk or (rule.goal_id is None and rule.indicator_id == indicator_id):
                applying[goal.pk].append(rule)
    return applying


def period_values(goal: Goal, *, after: date | None = None, until: date | None = None
                  ) -> list[tuple[date, Decimal | None]]:
    """The indicator's value for each data period of the goal (after `after`), in date order: the goal's values
    grouped by period, one formula evaluation per period (one vectorised call for all of them)."""
    version = goal.indicator_version
    if version is None:
        return []
    rows = values_for_goal(goal, until=until).filter(value__isnull=False)
    if after is not None:
        rows = rows.filter(period_start__gt=after)
    points: dict[date, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for code, value, period_start in rows.values_list("metric__code", "value", "period_start").order_by(
            "period_start", "pk"):
        points[period_start][code].append(float(value))  # type: ignore[arg-type,index]
    periods = sorted(points)
    if not periods:
        return []
    series = {code: [points[period].get(code, []) for period in periods] for code in version.metric_codes}
    return list(zip(periods, goal_values(version.formula, version.aggregation, series), strict=True))


def evaluate_threshold_alerts(goal_ids: Iterable[int], *, until: date | None = None) -> list[int]:
    """Run the new data periods of these KPI goals through their active threshold rules (on the goal or on its
    indicator) and persist what changed. Safe to run any number of times: each period is read once per rule
    and goal (the watermark), and the same level again is no event. Returns the ids of the events written."""
    ids = sorted(set(goal_ids))
    if not ids:
        return []
    goals = list(Goal.objects.filter(pk__in=ids, kind=GoalKind.KPI, state=GoalState.ACTIVE)
                 .select_related("indicator_version"))
    applying = _threshold_rules(goals)
    events: list[int] = []
    for goal_id, rules in applying.items():
        events.extend(_evaluate_goal(goal_id, [rule.pk for rule in rules], until))
    return events


def evaluate_rule(rule_id: int) -> list[int]:
    """One threshold rule just created or changed: the latest data period of each goal it watches, read again
    with the rule's current bounds (the same level as before is no event). Returns the ids of the events."""
    rule = AlertRule.objects.filter(pk=rule_id, active=True, kind=AlertKind.THRESHOLD).first()
    if rule is None:
        return []
    goals = Goal.objects.filter(kind=GoalKind.KPI, state=GoalState.ACTIVE)
    goals = (goals.filter(pk=rule.goal_id) if rule.goal_id is not None
             else goals.filter(indicator_version__indicator=rule.indicator))
    events: list[int] = []
    for goal_id in goals.order_by("pk").values_list("pk", flat=True):
        events.extend(_evaluate_goal(goal_id, [rule.pk], None, latest_only=True))
    return events


@transaction.atomic
def _evaluate_goal(goal_id: int, rule_ids: list[int], until: date | None, *, latest_only: bool = False
                   ) -> list[int]:
    goal = _locked_goal(goal_id)  # one evaluation of a goal at a time
    if goal is None or goal.kind != GoalKind.KPI:
        return []
    rules = list(AlertRule.objects.filter(pk__in=rule_ids, active=True).order_by("pk"))
    marks = {mark.rule_id: mark for mark in AlertWatermark.objects.select_for_update().filter(
        goal=goal, rule_id__in=rule_ids)}
    live = _live_alerts(rule_ids, [goal.pk])
    missing = latest_only or any(rule.pk not in marks for rule in rules)
    since = None if missing else min(mark.period for mark in marks.values())
    readings = period_values(goal, after=since, until=until)
    if not readings:
        return []
    written: list[int] = []
    for rule in rules:
        mark = marks.get(rule.pk)
        # A rule meeting the goal for the first time (or just changed) reads the latest period only: it does not
        # replay the year.
        if mark is None or latest_only:
            new = readings[-1:]
        else:
            new = [(period, value) for period, value in readings if period > mark.period]
        if not new:
            continue
        bounds = pure.ThresholdRule(warning=rule.warning, critical=rule.critical,
                                    direction=rule.direction)  # type: ignore[arg-type]
        alert = live.get((rule.pk, goal.pk))
        state = _state(alert)
        for period, value in new:
            if value is None:
                continue
            state, event = pure.step(state, bounds.level(value))
            if event is not None:
                alert, row = _persist(rule, goal, alert, event, Reading(event.level, value, period, {}))
                written.append(row.pk)
        last = new[-1][0] if mark is None else max(new[-1][0], mark.period)
        if mark is None:
            AlertWatermark.objects.create(rule=rule, goal=goal, period=last, level=state.level)
        else:
            mark.period, mark.level = last, state.level
            mark.save(update_fields=["period", "level"])
    return written


# --- pace and staleness, by the date ------------------------------------------------------------------------------


def _pace_reading(rule: AlertRule, goal: Goal, day: date) -> Reading | None:
    if goal.progress is None:
        return None
    level = pure.pace_level(start=Decimal(0), target=Decimal(1), current=goal.progress, first=goal.period_start,
                            last=goal.period_end, day=day, warning_margin=rule.warning,
                            critical_margin=rule.critical)
    expected = pure.expected_on(start=Decimal(0), target=Decimal(1), first=goal.period_start, last=goal.period_end,
                                day=day)
    return Reading(level, goal.progress, None, {"progress": goal.progress * 100, "expected": expected * 100,
                                                "day": day.isoformat()})


def _stale_reading(rule: AlertRule, goal: Goal, day: date, last_checkin: date | None) -> Reading:
    last = goal.value_on if goal.kind == GoalKind.KPI else last_checkin
    # Never any data: counted from when the goal started (its period or its creation, whichever is later).
    since = last or max(goal.period_start, timezone.localdate(goal.created_at))
    level = pure.stale_level(last_value_on=since, day=day, warning_days=int(rule.warning),
                             critical_days=None if rule.critical is None else int(rule.critical))
    days = max(0, (day - since).days)
    return Reading(level, Decimal(days), last, {"days": days, "day": day.isoformat()})


def check_pace_and_staleness(*, today: date | None = None, goal_ids: Iterable[int] | None = None) -> list[int]:
    """Check every live goal in its period against its active pace and staleness rules (on the goal, or on the
    goal's indicator for KPI goals) for `today`; persist what changed. Idempotent: the same level again is no
    event. Returns the ids of the events written."""
    day = today or local_today()
    rules = list(AlertRule.objects.filter(active=True, kind__in=[AlertKind.PACE, AlertKind.STALE]).order_by("pk"))
    if not rules:
        return []
    goal_rule_ids = {rule.goal_id for rule in rules if rule.goal_id is not None}
    indicator_ids = {rule.indicator_id for rule in rules if rule.goal_id is None}
    goals = (Goal.objects.filter(state=GoalState.ACTIVE, period_start__lte=day, period_end__gte=day)
             .filter(Q(pk__in=goal_rule_ids) | Q(kind=GoalKind.KPI, indicator_version__indicator_id__in=indicator_ids))
             .select_related("indicator_version").annotate(last_checkin=Max("checkins__at")))
    if goal_ids is not None:
        goals = goals.filter(pk__in=list(goal_ids))
    goals_list = list(goals)
    live = _live_alerts([rule.pk for rule in rules], [goal.pk for goal in goals_list])
    written: list[int] = []
    for goal in goals_list:
        indicator_id = goal.indicator_version.indicator_id if goal.indicator_version is not None else None
        checkin = timezone.localdate(goal.last_checkin) if goal.last_checkin else None  # type: ignore[attr-defined]
        for rule in rules:
            if not (rule.goal_id == goal.pk or (rule.goal_id is None and goal.kind == GoalKind.KPI
                                                 and rule.indicator_id == indicator_id)):
                continue
            reading = (_pace_reading(rule, goal, day) if rule.kind == AlertKind.PACE
                       else _stale_reading(rule, goal, day, checkin))
            if reading is None or reading.level == _state(live.get((rule.pk, goal.pk))).level:
                continue  # nothing to change: no transaction, no lock
            written.extend(_change_by_date(rule.pk, goal.pk, day))
    return written


@transaction.atomic
def _change_by_date(rule_id: int, goal_id: int, day: date) -> list[int]:
    """Read the goal again under its lock (another check may have run meanwhile) and write the change."""
    goal = _locked_goal(goal_id)
    rule = AlertRule.objects.filter(pk=rule_id, active=True).first()
    if goal is None or rule is None:
        return []
    last = goal.checkins.aggregate(last=Max("at"))["last"]
    reading = (_pace_reading(rule, goal, day) if rule.kind == AlertKind.PACE
               else _stale_reading(rule, goal, day, timezone.localdate(last) if last else None))
    if reading is None:
        return []
    alert = Alert.objects.filter(rule=rule, goal=goal, status__in=LIVE).first()
    _state_after, event = pure.step(_state(alert), reading.level)
    if event is None:
        return []
    _alert, row = _persist(rule, goal, alert, event, reading)
    return [row.pk]


__all__ = [
    "acknowledges",
    "alert_acknowledge",
    "alert_rule_create",
    "alert_rule_delete",
    "alert_rule_update",
    "check_pace_and_staleness",
    "evaluate_rule",
    "evaluate_threshold_alerts",
    "period_values",
    "recipients_of",
    "writes_indicator_rules",
    "writes_rule",
]
