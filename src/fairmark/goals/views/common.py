"""What the goal pages share: the year a page shows, the people and goals a form may offer, the sub-navigation,
and the permission flags the templates use to show only the buttons that work."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from fairmark.core.access import viewer_for
from fairmark.indicators.models import Indicator
from fairmark.org.models import Employee
from fairmark.org.selectors import departments_visible_to

from ..models import AgreementStatus, Goal, GoalLevel
from ..permissions import writes_company_goals, writes_department_goals, writes_goal
from ..selectors import live_goals_visible_to
from ..services.goal_sets import assignable_people


def page_year(request: HttpRequest) -> int:
    """The year a page shows: ?year= when it is one, else this year."""
    return year_of(request.GET.get("year", "")) or timezone.localdate().year


def year_of(raw: str) -> int | None:
    """A year filter from the query string, or None when it is not a year."""
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else None


def years_around(year: int) -> list[int]:
    today = timezone.localdate().year
    return sorted({today - 1, today, today + 1, year})


def percent(value: Any) -> float | None:
    return None if value is None else float(value) * 100


def bar_width(value: Any) -> int:
    """A progress bar's width: 0–100 (a goal over its target shows a full bar and its true figure)."""
    return 0 if value is None else max(0, min(100, round(float(value) * 100)))


def can_edit_in_place(user: Any, goal: Goal) -> bool:
    if goal.state != "active" or not writes_goal(viewer_for(user), goal):
        return False
    return goal.agreement is None or goal.agreement.status in (AgreementStatus.DRAFT, AgreementStatus.RETURNED)


def may_check_in(user: Any, goal: Goal) -> bool:
    return goal.state == "active" and writes_goal(viewer_for(user), goal)


def writable_departments(user: Any) -> list[tuple[str, str]]:
    viewer = viewer_for(user)
    return [(str(d.pk), d.display_name) for d in departments_visible_to(user).filter(active=True)
            if writes_department_goals(viewer, d.path)]


def person_choices(user: Any) -> list[tuple[str, str]]:
    """The viewer and the people they lead (services.goal_sets.assignable_people): whose goals they may draft or
    assign."""
    viewer = viewer_for(user)
    people = list(assignable_people(user).order_by("number"))
    if viewer.employee_id is not None:
        people = list(Employee.objects.filter(pk=viewer.employee_id)) + people
    return [(str(p.pk), f"{p.name} · {p.number}") for p in people]


def parent_choices(user: Any, year: int, exclude: Goal | None = None) -> list[tuple[str, str]]:
    goals = live_goals_visible_to(user).filter(year=year).exclude(level=GoalLevel.PERSON).order_by("level", "position")
    if exclude is not None:
        goals = goals.exclude(pk=exclude.pk)
    labels = dict(GoalLevel.choices)
    return [(str(g.pk), f"{labels[g.level]} · {g.title}") for g in goals[:500]]


def indicator_choices() -> list[tuple[str, str]]:
    return [(i.code, f"{i.code} · {i.published.display_name}")  # type: ignore[union-attr]
            for i in Indicator.objects.filter(retired=False, published__isnull=False).select_related("published")
            .exclude(published__formula="").order_by("code")]


def creates_goals(user: Any) -> bool:
    viewer = viewer_for(user)
    return (writes_company_goals(viewer) or bool(viewer.head_paths or viewer.hr_paths or viewer.team_ids)
            or viewer.employee_id is not None)
