"""The company's goal map (DESIGN.md C4): the year's objectives cascaded to departments and people as an
ECharts tree you can expand, and the same tree as a list (readable without JavaScript, and by screen readers).
Everyone signed in sees the company and department goals; person goals only within their people scope."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.urls import URLPattern, path, reverse

from fairmark.core.scoping import ScopedListView

from ..models import Goal, GoalLevel
from ..selectors import live_goals_visible_to
from .common import creates_goals, page_year, percent, years_around

MAP_LIMIT = 3000  # person goals beyond this are left out of the chart (the list pages show them all)


def owner_label(goal: Goal) -> str:
    if goal.level == GoalLevel.PERSON and goal.employee is not None:
        return goal.employee.name
    if goal.level == GoalLevel.DEPARTMENT and goal.department is not None:
        return goal.department.display_name
    return ""


def tree_of(goals: list[Goal]) -> list[dict[str, Any]]:
    """Nested nodes; a goal whose parent the viewer cannot see (or is archived) becomes a root."""
    nodes: dict[int, dict[str, Any]] = {}
    for goal in goals:
        nodes[goal.pk] = {
            "id": goal.pk, "name": goal.title, "level": goal.level, "kind": goal.kind,
            "owner": owner_label(goal), "progress": None if goal.progress is None else round(percent(goal.progress) or 0, 1),
            "url": reverse("goals:goal", args=[goal.pk]), "children": [],
        }
    roots: list[dict[str, Any]] = []
    for goal in goals:
        parent = nodes.get(goal.parent_id) if goal.parent_id else None
        (parent["children"] if parent else roots).append(nodes[goal.pk])
    return roots


def map_goals(user: Any, year: int) -> list[Goal]:
    goals = (live_goals_visible_to(user).filter(year=year).prefetch_related(None)
             .select_related("employee", "department").order_by("level", "position", "id"))
    shared = [g for g in goals.exclude(level=GoalLevel.PERSON)]
    people = list(goals.filter(level=GoalLevel.PERSON)[:MAP_LIMIT])
    return shared + people


class GoalMapView(ScopedListView):
    selector = live_goals_visible_to
    template_name = "goals/goal_map.html"
    paginate_by = None

    def get_queryset(self) -> Any:
        return super().get_queryset().none()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        year = page_year(self.request)
        goals = map_goals(self.request.user, year)
        context.update({
            "year": year, "years": years_around(year), "roots": tree_of(goals), "count": len(goals),
            "can_create": creates_goals(self.request.user), "tab": "map",
        })
        return context


class GoalMapDataView(ScopedListView):
    """The tree as JSON for the chart."""

    selector = live_goals_visible_to

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
        year = page_year(request)
        return JsonResponse({"year": year, "roots": tree_of(map_goals(request.user, year))})


urlpatterns: list[URLPattern] = [
    path("", GoalMapView.as_view(), name="map"),
    path("map/data/", GoalMapDataView.as_view(), name="map_data"),
]
