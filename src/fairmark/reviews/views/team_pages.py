"""The manager's team view (`reviews:team`): for each running cycle, the reviews of the people the viewer
manages (the reviews they are the reviewing manager of, and those of their direct and indirect reports), each
with its state and the deadline of its phase, and per phase who of their people is late and by how many days
(services.reminding.late_people, counted on today's date in the company's time zone). Someone who manages
nobody sees an empty page. A fixed number of queries per running cycle, whatever the number of reviews."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import URLPattern, path

from fairmark.core.access import viewer_for
from fairmark.core.scoping import ScopedListView
from fairmark.org.models import Employee

from ..models import Cycle, CycleStatus, Review, ReviewState
from ..selectors import reviews_visible_to
from ..services.launch import today_in
from ..services.reminding import PHASE_OF_STATE, late_people


def company_today(cycle: Cycle) -> date:
    """Today in the cycle's company zone (tests replace it to move the clock)."""
    return today_in(cycle)


def _review_of_task(task_id: Any) -> int | None:
    """services.reminding task ids: "<review>.<state>.<person>" for a review's owner, "<review>.rater.<rater>"
    for a 360 rater (whose late rating is about someone else's review)."""
    parts = str(task_id).split(".")
    return int(parts[0]) if len(parts) == 3 and parts[1] != "rater" and parts[0].isdigit() else None


class TeamView(ScopedListView):
    selector = reviews_visible_to
    template_name = "reviews/team_reviews.html"
    context_object_name = "reviews"
    paginate_by = None

    def get_queryset(self) -> QuerySet[Review]:
        viewer = viewer_for(self.request.user)
        me = viewer.employee_id
        reviews = super().get_queryset()
        if me is None:
            return reviews.none()
        mine = Q(manager_id=me) | Q(employee_id__in=sorted(viewer.team_ids))
        return (reviews.filter(mine, cycle__status=CycleStatus.ACTIVE).exclude(employee_id=me)
                .order_by("cycle__period_start", "cycle_id", "department__path", "employee__number"))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        me = viewer_for(self.request.user).employee_id
        reviews = list(context["reviews"])
        by_cycle: dict[int, list[Review]] = defaultdict(list)
        for review in reviews:
            by_cycle[review.cycle_id].append(review)
        cycles = list(Cycle.objects.filter(pk__in=list(by_cycle)).select_related("company")
                      .prefetch_related("phases").order_by("period_start", "pk"))
        late = {cycle.pk: late_people(cycle, [me], company_today(cycle)) for cycle in cycles} if me else {}
        people: dict[Any, Employee] = {p.pk: p for p in Employee.objects.filter(
            pk__in={entry.person_id for phases in late.values() for rows in phases.values() for entry in rows}
        ).only("pk", "name", "number")}
        labels = dict(ReviewState.choices)
        sections = []
        for cycle in cycles:
            deadlines = {p.phase: p.deadline for p in cycle.phases.all()}
            late_days: dict[int, int] = {}
            late_rows = []
            for phase, entries in late.get(cycle.pk, {}).items():
                rows = []
                for entry in entries:
                    review_id = _review_of_task(entry.task_id)
                    if review_id is not None:
                        late_days[review_id] = entry.days_late
                    rows.append({"person": people.get(entry.person_id), "days": entry.days_late,
                                 "rater": review_id is None, "self": entry.person_id == me})
                late_rows.append({"phase": phase, "label": labels.get(phase, phase),
                                  "deadline": deadlines.get(PHASE_OF_STATE.get(phase) or phase), "people": rows})
            sections.append({"cycle": cycle, "late": late_rows, "reviews": [
                {"review": r, "deadline": deadlines.get(PHASE_OF_STATE.get(r.state) or ""),
                 "late": late_days.get(r.pk)} for r in by_cycle[cycle.pk]]})
        context.update({"sections": sections, "tab": "team"})
        return context


urlpatterns: list[URLPattern] = [path("team/", TeamView.as_view(), name="team")]
