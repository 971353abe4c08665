"""A goal's page: what it is (level, owner, kind, targets or key results, weight, period, agreement), where it
sits in the tree (the goal it aligns to, its sub-goals in any department, with progress), its check-ins, the
data a KPI goal is computed from (each value links to its provenance), its alerts, and its history."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.urls import URLPattern, path

from fairmark.core.access import viewer_for
from fairmark.core.scoping import ScopedDetailView
from fairmark.ingestion.selectors import values_visible_to

from ..models import AlertEvent, Goal, GoalState
from ..permissions import writes_goal
from ..selectors import alerts_visible_to, goal_history, goals_visible_to
from ..services.kpi_data import values_for_goal
from .checkin_pages import checkins_for_goal
from .common import bar_width, can_edit_in_place, may_check_in, percent

DATA_SHOWN = 60
HISTORY_SHOWN = 50


class GoalView(ScopedDetailView):
    selector = goals_visible_to
    template_name = "goals/goal_detail.html"
    context_object_name = "goal"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        goal: Goal = context["goal"]
        visible_children = list(goals_visible_to(user).filter(parent=goal, state=GoalState.ACTIVE)
                                .prefetch_related(None).order_by("level", "position", "id"))
        all_children = goal.children.filter(state=GoalState.ACTIVE).count()
        checkins = checkins_for_goal(user, goal)
        alerts = (alerts_visible_to(user).filter(goal=goal)
                  .prefetch_related(Prefetch("events", queryset=AlertEvent.objects.order_by("at", "id")))[:20])
        values: list[Any] = []
        traceable: set[int] = set()
        if goal.is_kpi:
            values = list(values_for_goal(goal).select_related("source").order_by("-period_start", "-id")[:DATA_SHOWN])
            traceable = set(values_visible_to(user).filter(pk__in=[v.pk for v in values]).values_list("pk", flat=True))
        viewer = viewer_for(user)
        context.update({
            "progress": percent(goal.progress), "bar": bar_width(goal.progress),
            "children": [{"goal": c, "progress": percent(c.progress), "bar": bar_width(c.progress),
                          "other_department": bool(goal.department_id and c.department_id
                                                   and c.department_id != goal.department_id)}
                         for c in visible_children],
            "hidden_children": all_children - len(visible_children),
            "checkins": checkins, "alerts": alerts, "values": values, "traceable": traceable,
            "history": goal_history(goal)[:HISTORY_SHOWN],
            "can_edit": can_edit_in_place(user, goal), "can_check_in": may_check_in(user, goal),
            "can_move": can_edit_in_place(user, goal),
            "can_cascade": goal.state == GoalState.ACTIVE and bool(viewer.is_authenticated),
            "writes": writes_goal(viewer, goal),
        })
        return context


urlpatterns: list[URLPattern] = [
    path("<int:pk>/", GoalView.as_view(), name="goal"),
]
