"""My goals and team goals (DESIGN.md C4). My goals: the viewer's own set for a year, KPI and OKR mixed, with
progress, score, open alerts and the agreement's status. Team goals: the people the viewer leads (managers
their whole chain, heads their departments, HR BPs their units, HR and executives everyone), 25 people a
page, each with their goals, progress bars and open alerts — a fixed number of queries whatever the team's
size (tests/goals/test_goal_pages.py counts them)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.urls import URLPattern, path

from fairmark.core.access import viewer_for
from fairmark.core.scoping import ScopedListView

from ..models import Agreement, AlertStatus, Goal, GoalLevel
from ..selectors import agreements_visible_to, live_goals_visible_to, team_goal_people
from .common import bar_width, creates_goals, page_year, percent, years_around

PEOPLE_PER_PAGE = 25


def with_open_alerts(goals: QuerySet[Goal]) -> QuerySet[Goal]:
    return goals.annotate(open_alerts=Count("alerts", filter=~Q(alerts__status=AlertStatus.RESOLVED), distinct=True))


def goal_rows(goals: list[Goal]) -> list[dict[str, Any]]:
    return [{"goal": g, "progress": percent(g.progress), "bar": bar_width(g.progress)} for g in goals]


class MyGoalsView(ScopedListView):
    selector = live_goals_visible_to
    template_name = "goals/my_goals.html"
    context_object_name = "goals"
    paginate_by = None

    def get_queryset(self) -> QuerySet[Goal]:
        viewer = viewer_for(self.request.user)
        self.year = page_year(self.request)
        return with_open_alerts(super().get_queryset().filter(
            level=GoalLevel.PERSON, employee_id=viewer.employee_id or 0, year=self.year)).order_by("position", "id")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        viewer = viewer_for(self.request.user)
        goals = list(context["goals"])
        agreement = (Agreement.objects.filter(employee_id=viewer.employee_id, year=self.year).first()
                     if viewer.employee_id else None)
        weights = sum((g.weight for g in goals), start=0)
        context.update({
            "rows": goal_rows(goals), "year": self.year, "years": years_around(self.year), "agreement": agreement,
            "total_weight": weights, "has_employee": viewer.employee_id is not None, "tab": "mine",
            "can_create": creates_goals(self.request.user), "employee_id": viewer.employee_id,
        })
        return context


class TeamGoalsView(ScopedListView):
    selector = team_goal_people
    template_name = "goals/team_goals.html"
    context_object_name = "people"
    paginate_by = PEOPLE_PER_PAGE

    def get_queryset(self) -> Any:
        self.year = page_year(self.request)
        people = super().get_queryset().select_related("department", "position").order_by("department__path", "number")
        department = self.request.GET.get("department", "")
        if department.isdigit():
            from fairmark.org.models import Department

            path_of = Department.objects.filter(pk=int(department)).values_list("path", flat=True).first()
            people = people.filter(department__path__startswith=path_of) if path_of else people.none()
        return people

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        people = list(context["people"])
        ids = [p.pk for p in people]
        goals = with_open_alerts(live_goals_visible_to(self.request.user).filter(
            level=GoalLevel.PERSON, year=self.year, employee_id__in=ids)).order_by("position", "id")
        by_person: dict[int, list[Goal]] = defaultdict(list)
        for goal in goals:
            by_person[goal.employee_id].append(goal)  # type: ignore[index]
        agreements = {a.employee_id: a for a in agreements_visible_to(self.request.user).filter(
            year=self.year, employee_id__in=ids)}
        rows = []
        for person in people:
            mine = by_person.get(person.pk, [])
            weighted = [(g.weight, g.progress) for g in mine if g.progress is not None and g.weight > 0]
            overall = (sum(w * p for w, p in weighted) / sum(w for w, _ in weighted)) if weighted else None
            rows.append({
                "person": person, "goals": goal_rows(mine), "agreement": agreements.get(person.pk),
                "overall": percent(overall), "bar": bar_width(overall),
                "open_alerts": sum(g.open_alerts for g in mine),  # type: ignore[attr-defined]
            })
        context.update({"rows": rows, "year": self.year, "years": years_around(self.year), "tab": "team",
                        "department": self.request.GET.get("department", "")})
        return context


urlpatterns: list[URLPattern] = [
    path("mine/", MyGoalsView.as_view(), name="mine"),
    path("team/", TeamGoalsView.as_view(), name="team"),
]
