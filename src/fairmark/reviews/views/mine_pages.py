"""My reviews and my to-dos (/reviews/, reviews:mine), for everyone signed in: the viewer's own reviews of every
cycle (state, total once computed, the explanation), and what waits for them, each with its deadline: their
self-review, the 360 ratings they were asked to give, the reviews they write as manager, N+2 or delegate, and
the nominations they approve as the reviewing manager. A fixed number of queries whatever the number of rows:
the deadlines of every cycle come in one query (common.deadlines)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.urls import URLPattern, path
from django.views.generic import TemplateView

from fairmark.core.access import viewer_for

from .. import workflow
from ..models import ActorRole, Phase, RaterStatus, Review, ReviewState
from ..selectors import rater_tasks_for
from ..selectors.explanation import shows_total
from .common import ReviewScopedMixin, deadline_of, deadlines

# The open states each workflow role owns (workflow.OWNER): the reviews waiting for that role.
OWNED_BY = {role: [s for s, owner in workflow.OWNER.items() if owner == role] for role in ("manager", "n2", "hr")}


class MineView(ReviewScopedMixin, TemplateView):
    template_name = "reviews/mine.html"

    def reviews(self) -> QuerySet[Review]:
        return self.get_queryset().select_related("cycle", "template_version")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        me = viewer_for(self.request.user).employee_id
        mine: list[Review] = []
        to_write: list[Review] = []
        to_approve: list[Review] = []
        if me is not None:
            mine = list(self.reviews().filter(employee_id=me).order_by("-cycle__period_start", "-cycle_id"))
            waiting = (Q(manager_id=me, state__in=OWNED_BY["manager"]) | Q(n2_id=me, state__in=OWNED_BY["n2"])
                       | Q(delegate_id=me, state__in=OWNED_BY["manager"] + OWNED_BY["n2"] + OWNED_BY["hr"]))
            to_write = list(self.reviews().filter(waiting).exclude(employee_id=me)
                            .order_by("cycle_id", "employee__number"))
            to_approve = list(self.reviews().filter(manager_id=me).exclude(employee_id=me)
                              .annotate(nominations=Count("raters", filter=Q(raters__status=RaterStatus.NOMINATED)))
                              .filter(nominations__gt=0).order_by("cycle_id", "employee__number"))
        to_rate = list(rater_tasks_for(self.request.user).filter(status=RaterStatus.APPROVED,
                                                                 review__state=ReviewState.RATING_360)
                       .order_by("review__cycle_id", "id"))
        table = deadlines([r.cycle_id for r in mine + to_write + to_approve] + [t.review.cycle_id for t in to_rate])
        rating_deadline = {t.pk: table.get((t.review.cycle_id, Phase.RATING_360)) for t in to_rate}
        roles = dict(ActorRole.choices)
        context.update({
            "tab": "mine",
            "mine": [{"review": r, "deadline": deadline_of(r, table),
                      "computed": r.computed_at is not None and shows_total(self.request.user, r)} for r in mine],
            "self_reviews": [{"review": r, "deadline": deadline_of(r, table)} for r in mine
                             if r.state == ReviewState.SELF_REVIEW],
            "to_rate": [{"task": t, "deadline": rating_deadline[t.pk]} for t in to_rate],
            "to_write": [{"review": r, "deadline": deadline_of(r, table),
                          "role": roles.get(str(workflow.OWNER.get(r.state)), "")}  # type: ignore[call-overload]
                         for r in to_write],
            "to_approve": [{"review": r, "count": r.nominations,  # type: ignore[attr-defined]
                            "deadline": table.get((r.cycle_id, Phase.RATING_360))} for r in to_approve],
        })
        context["nothing_to_do"] = not any(context[k] for k in ("self_reviews", "to_rate", "to_write", "to_approve"))
        return context


urlpatterns: list[URLPattern] = [path("", MineView.as_view(), name="mine")]
