"""Reads of goals, scoped by the viewer (DESIGN.md §6): company and department goals are read by everyone signed
in; a person's goals, agreements, check-ins, blockers and alerts by the people who may see that person
(org.selectors.people_scope_q)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from fairmark.core.access import viewer_for
from fairmark.org.selectors import people_scope_q

from .models import (
    Agreement,
    Alert,
    AlertRule,
    AlertStatus,
    Blocker,
    BlockerStatus,
    CheckIn,
    Evidence,
    Goal,
    GoalChange,
    GoalLevel,
    GoalSet,
    GoalState,
    KeyResult,
)


def goal_scope_q(user: Any, prefix: str = "") -> Q:
    """Goals the user may read: every company and department goal, and the person goals of people in scope."""
    viewer = viewer_for(user)
    if not viewer.is_authenticated:
        return Q(**{f"{prefix}pk__in": []})
    shared = Q(**{f"{prefix}level__in": [GoalLevel.COMPANY, GoalLevel.DEPARTMENT]})
    return shared | (Q(**{f"{prefix}level": GoalLevel.PERSON}) & people_scope_q(viewer, f"{prefix}employee__"))


def goals_visible_to(user: Any) -> QuerySet[Goal]:
    return (Goal.objects.filter(goal_scope_q(user))
            .select_related("employee", "employee__department", "department", "parent", "agreement",
                            "indicator_version", "indicator_version__indicator")
            .prefetch_related(Prefetch("key_results", queryset=KeyResult.objects.order_by("position", "id"))))


def live_goals_visible_to(user: Any) -> QuerySet[Goal]:
    return goals_visible_to(user).filter(state=GoalState.ACTIVE)


def agreements_visible_to(user: Any) -> QuerySet[Agreement]:
    viewer = viewer_for(user)
    if not viewer.is_authenticated:
        return Agreement.objects.none()
    return (Agreement.objects.filter(people_scope_q(viewer, "employee__"))
            .select_related("employee", "employee__department", "employee__manager"))


def changes_visible_to(user: Any) -> QuerySet[GoalChange]:
    viewer = viewer_for(user)
    if not viewer.is_authenticated:
        return GoalChange.objects.none()
    return (GoalChange.objects.filter(people_scope_q(viewer, "agreement__employee__"))
            .select_related("agreement", "agreement__employee", "goal", "requested_by", "decided_by"))


def checkins_visible_to(user: Any) -> QuerySet[CheckIn]:
    return CheckIn.objects.filter(goal_scope_q(user, "goal__")).select_related("goal", "author")


def evidence_visible_to(user: Any) -> QuerySet[Evidence]:
    """Evidence of the check-ins on goals the user reads (the goal's scope)."""
    return Evidence.objects.filter(goal_scope_q(user, "checkin__goal__"))


def blockers_visible_to(user: Any) -> QuerySet[Blocker]:
    return (Blocker.objects.filter(goal_scope_q(user, "goal__"))
            .select_related("goal", "goal__employee", "raised_by", "responded_by", "assignee"))


def blockers_to_answer(user: Any) -> QuerySet[Blocker]:
    """The manager's to-do: open blockers raised on goals of people they lead."""
    viewer = viewer_for(user)
    if viewer.employee_id is None:
        return Blocker.objects.none()
    return (blockers_visible_to(user).filter(status=BlockerStatus.OPEN)
            .filter(Q(assignee_id=viewer.employee_id) | Q(goal__employee_id__in=sorted(viewer.team_ids))))


def alerts_visible_to(user: Any) -> QuerySet[Alert]:
    return (Alert.objects.filter(goal_scope_q(user, "goal__"))
            .select_related("rule", "goal", "goal__employee", "goal__department"))


def live_alerts_visible_to(user: Any) -> QuerySet[Alert]:
    return alerts_visible_to(user).exclude(status=AlertStatus.RESOLVED)


def alert_rules_visible_to(user: Any) -> QuerySet[AlertRule]:
    """Rules on an indicator are company configuration (read by every signed-in person, like the indicator);
    rules on one goal follow the goal."""
    viewer = viewer_for(user)
    if not viewer.is_authenticated:
        return AlertRule.objects.none()
    return (AlertRule.objects.filter(Q(goal__isnull=True) | goal_scope_q(user, "goal__"))
            .select_related("indicator", "goal"))


def goal_sets_visible_to(user: Any) -> QuerySet[GoalSet]:
    viewer = viewer_for(user)
    if not viewer.is_authenticated:
        return GoalSet.objects.none()
    if viewer.reads_all_people:
        return GoalSet.objects.all()
    q = Q(created_by_id=viewer.user_id)
    for path in viewer.head_paths + viewer.hr_paths:
        q |= Q(department__path__startswith=path)
    return GoalSet.objects.filter(q)


def goal_history(goal: Goal) -> QuerySet[Any]:
    """The audit events of one goal, newest first; the caller has checked the viewer may read the goal (a goal's
    history is part of the goal, unlike the audit log page, which is for HR and system admins)."""
    from fairmark.audit.models import AuditEvent

    return (AuditEvent.objects.filter(object_type="goals.goal", object_id=str(goal.pk))
            .select_related("actor").order_by("-seq"))


def team_goal_people(user: Any) -> QuerySet[Any]:
    """The people whose goals the team page lists: everyone in the viewer's people scope but the viewer."""
    from fairmark.org.selectors import employees_visible_to

    viewer = viewer_for(user)
    people = employees_visible_to(user).exclude(status="left")
    if viewer.employee_id is not None:
        people = people.exclude(pk=viewer.employee_id)
    return people
