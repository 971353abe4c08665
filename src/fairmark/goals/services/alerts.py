"""Alerts on goals (DESIGN.md C4): the alerts the rules (alert_rules.py) raise, their life cycle and
notifications, acknowledging them, and the evaluation of threshold, pace and staleness rules.

One rule on one goal has at most one live alert. Threshold rules are evaluated after every KPI refresh
(tasks.refresh_after_ingest → evaluate_threshold_alerts): each data period after the rule's watermark for the
goal is read once, in date order, through the pure life cycle (goals/alerts.py step); a rule meeting a goal for
the first time starts at the latest period (it does not replay the year). Pace and staleness depend on the date
and are checked hourly (check_pace_and_staleness). Each change of level is one AlertEvent and one notification
to the goal's owner and their manager; the same data sent again, or the same level again, changes nothing.
Acknowledging keeps the alert silent until its level changes."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
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
from fairmark.core.access import Viewer, user_or_none, viewer_for
from fairmark.core.errors import not_found, require
from fairmark.ingestion.numbers import tidy_text
from fairmark.notifications.services import notify

from .. import alerts as pure
from ..kpi import goal_values
from ..models import (
    Alert,
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
from ..permissions import decides_for, is_self, writes_company_goals, writes_department_goals
from ..selectors import alerts_visible_to
from .kpi_data import today as local_today
from .kpi_data import values_for_goal

log = logging.getLogger(__name__)

NOTIFICATION_KIND = "goal.alert"
LIVE = (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED)


# --- who may ------------------------------------------------------------------------------------------------------


def acknowledges(viewer: Viewer, goal: Goal) -> bool:
    """The goal's owner, their managers (decides_for: managers, head of department, HR BP, HR admin); for a
    department or company goal whoever may write it."""
    if goal.level == GoalLevel.PERSON and goal.employee is not None:
        return is_self(viewer, goal.employee_id) or decides_for(viewer, goal.employee)  # type: ignore[arg-type]
    if goal.level == GoalLevel.DEPARTMENT and goal.department is not None:
        return writes_department_goals(viewer, goal.department.path)
    return writes_company_goals(viewer)


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
    locked.acknowledged_by = user_or_none(actor)
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
    "check_pace_and_staleness",
    "evaluate_rule",
    "evaluate_threshold_alerts",
    "period_values",
    "recipients_of",
]
