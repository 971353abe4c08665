"""Check-in pages (DESIGN.md C4): the check-in form of a goal (key-result values of an OKR, confidence, a
comment, evidence files and a link, a blocker), the to-do page where a manager answers the blockers of the
people they lead and where everyone follows the blockers they raised, and the download of an evidence file.

- /goals/<goal_id>/check-in/ (goals:checkin): whoever may write the live goal (goals.permissions.writes_goal);
  anyone else 404, as for a goal they do not see.
- /goals/to-do/ (goals:todo): every signed-in user; the lists hold what selectors let them see.
- /goals/blockers/<id>/respond/ and /close/ (POST): the blocker from blockers_visible_to (404 outside it); the
  service decides who may answer and close (404 too).
- /goals/evidence/<id>/ (goals:evidence): a file of a check-in on a goal the viewer reads, as an attachment.

`checkins_for_goal(user, goal)` prepares the check-ins that the include goals/_checkins.html shows (the goal
page includes it)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Case, Prefetch, QuerySet, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views import View

from fairmark.core.access import viewer_for
from fairmark.core.errors import OutOfScope, ServiceError
from fairmark.core.scoping import ScopedListView, ScopedQueryMixin
from fairmark.org.forms import add_service_errors

from ..forms.checkins import BlockerResponseForm, CheckInForm
from ..models import EVIDENCE_MAX_BYTES, Blocker, BlockerStatus, CheckIn, Evidence, Goal, GoalKind
from ..selectors import (
    blockers_to_answer,
    blockers_visible_to,
    checkins_visible_to,
    evidence_visible_to,
    live_goals_visible_to,
)
from ..services.checkins import (
    EvidenceIn,
    blocker_close,
    blocker_respond,
    checkin_create,
    download_headers,
    may_check_in,
    may_close,
)

RECENT_CHECKINS = 20
RAISED_SHOWN = 50


def goal_url(goal: Goal | int) -> str:
    return reverse("goals:goal", args=[goal if isinstance(goal, int) else goal.pk])


def evidence_response(evidence: Evidence) -> HttpResponse:
    response = HttpResponse(bytes(evidence.data or b""), content_type=evidence.content_type or "application/octet-stream")
    for name, value in download_headers(evidence).items():
        response[name] = value
    return response


def checkins_for_goal(user: Any, goal: Goal, limit: int = RECENT_CHECKINS) -> list[CheckIn]:
    """The goal's latest check-ins as goals/_checkins.html shows them: author, evidence (without the files'
    bytes), blockers with who they went to and who answered. A fixed number of queries whatever the number of
    check-ins (the include takes the key results' titles from `goal`, prefetched by goals_visible_to)."""
    return list(
        checkins_visible_to(user).filter(goal=goal)
        .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.defer("data").order_by("id")),
                          Prefetch("blockers", queryset=Blocker.objects.select_related("responded_by", "assignee")
                                   .order_by("id")))
        .order_by("-at", "-id")[:limit]
    )


def _evidence_in(form: CheckInForm) -> tuple[list[EvidenceIn], list[str]]:
    """The uploaded files (read up to one byte past the limit: the service refuses what is too large without
    the server holding a huge file in memory) and the link, with the form field each came from."""
    items: list[EvidenceIn] = []
    kinds: list[str] = []
    for upload in form.cleaned_data.get("attachments") or []:
        items.append(EvidenceIn(name=upload.name or "", content_type=upload.content_type or "",
                                data=upload.read(EVIDENCE_MAX_BYTES + 1)))
        kinds.append("attachments")
    link = (form.cleaned_data.get("link") or "").strip()
    if link:
        items.append(EvidenceIn(link=link))
        kinds.append("link")
    return items, kinds


class CheckInView(LoginRequiredMixin, ScopedQueryMixin, View):
    """GET the form, POST the check-in; on success back to the goal's page."""

    selector = live_goals_visible_to
    template_name = "goals/checkin_form.html"

    def goal(self, goal_id: int) -> Goal:
        goal = get_object_or_404(self.get_queryset(), pk=goal_id)
        if not may_check_in(viewer_for(self.request.user), goal):
            raise Http404
        return goal

    def page(self, request: HttpRequest, goal: Goal, form: CheckInForm, status: int = 200) -> HttpResponse:
        return render(request, self.template_name, {
            "goal": goal, "form": form, "goal_url": goal_url(goal), "is_okr": goal.kind == GoalKind.OKR,
            "checkins": checkins_for_goal(request.user, goal, limit=5),
        }, status=status)

    def get(self, request: HttpRequest, goal_id: int) -> HttpResponse:
        goal = self.goal(goal_id)
        return self.page(request, goal, CheckInForm(goal=goal))

    def post(self, request: HttpRequest, goal_id: int) -> HttpResponse:
        goal = self.goal(goal_id)
        form = CheckInForm(request.POST, request.FILES, goal=goal)
        if form.is_valid():
            evidence, kinds = _evidence_in(form)
            try:
                checkin = checkin_create(
                    actor=request.user, goal=goal, comment=form.cleaned_data["comment"],
                    key_results=form.key_result_values(), confidence=form.confidence_value(), evidence=evidence,
                    blocker=form.cleaned_data["blocker"])
            except OutOfScope as error:
                raise Http404 from error
            except ServiceError as error:
                form.add_service_errors(error, kinds)
            else:
                raised = checkin.blockers.select_related("assignee").first()
                if raised is not None and raised.assignee is not None:
                    messages.success(request, _("Check-in saved; the blocker is on the to-do list of %(name)s.")
                                     % {"name": raised.assignee.name})
                elif raised is not None:
                    messages.success(request, _("Check-in saved with its blocker."))
                else:
                    messages.success(request, _("Check-in saved."))
                return redirect(goal_url(goal))
        return self.page(request, goal, form, status=400)


class TodoView(ScopedListView):
    """The blockers the viewer is to answer (selectors.blockers_to_answer), each with a respond form, and
    the blockers they raised with their answers."""

    selector = blockers_to_answer
    template_name = "goals/todo.html"
    context_object_name = "to_answer"
    paginate_by = 50

    def get_queryset(self) -> QuerySet[Blocker]:
        return (super().get_queryset()
                .select_related("goal__employee__department", "goal__department", "checkin")
                .order_by("raised_at", "id"))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        failed: dict[int, BlockerResponseForm] = kwargs.pop("failed", {})
        context = super().get_context_data(**kwargs)
        user = self.request.user
        rows = []
        for blocker in context["to_answer"]:
            form = failed.get(blocker.pk) or BlockerResponseForm(auto_id=f"id_b{blocker.pk}_%s")
            rows.append({"blocker": blocker, "form": form, "goal_url": goal_url(blocker.goal_id)})
        raised = list(
            blockers_visible_to(user).filter(raised_by_id=user.pk)
            .select_related("goal__department", "checkin")
            .annotate(settled=Case(When(status=BlockerStatus.CLOSED, then=Value(1)), default=Value(0)))
            .order_by("settled", "-raised_at", "-id")[:RAISED_SHOWN]
        )
        viewer = viewer_for(user)
        context.update({
            "rows": rows,
            "raised": [{"blocker": b, "goal_url": goal_url(b.goal_id),
                        "can_close": b.status != BlockerStatus.CLOSED and may_close(viewer, b)} for b in raised],
        })
        return context


class BlockerRespondView(TodoView):
    """POST a response; on a refusal the to-do page comes back with the error next to the blocker."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        blocker = get_object_or_404(blockers_visible_to(request.user), pk=pk)
        form = BlockerResponseForm(request.POST, auto_id=f"id_b{blocker.pk}_%s")
        if form.is_valid():
            try:
                blocker_respond(actor=request.user, blocker=blocker, response=form.cleaned_data["response"])
            except OutOfScope as error:
                raise Http404 from error
            except ServiceError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Response sent."))
                return redirect("goals:todo")
        self.object_list = self.get_queryset()
        context = self.get_context_data(failed={blocker.pk: form})
        if blocker.pk not in {row["blocker"].pk for row in context["rows"]}:
            messages.error(request, " ".join(str(error) for error in form.non_field_errors())
                           or _("The response was not saved."))
        response = self.render_to_response(context)
        response.status_code = 400
        return response


class BlockerCloseView(LoginRequiredMixin, ScopedQueryMixin, View):
    selector = blockers_visible_to
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        blocker = get_object_or_404(self.get_queryset(), pk=pk)
        try:
            blocker_close(actor=request.user, blocker=blocker)
        except OutOfScope as error:
            raise Http404 from error
        except ServiceError as error:
            messages.error(request, error.message)
            return redirect("goals:todo")
        messages.success(request, _("Blocker closed."))
        return redirect("goals:todo")


class EvidenceView(LoginRequiredMixin, ScopedQueryMixin, View):
    """A file of a check-in, always as an attachment with its stored type, never sniffed or rendered."""

    selector = evidence_visible_to

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return evidence_response(get_object_or_404(self.get_queryset().filter(link="", data__isnull=False), pk=pk))


urlpatterns: list[URLPattern] = [
    path("<int:goal_id>/check-in/", CheckInView.as_view(), name="checkin"),
    path("to-do/", TodoView.as_view(), name="todo"),
    path("blockers/<int:pk>/respond/", BlockerRespondView.as_view(), name="blocker_respond"),
    path("blockers/<int:pk>/close/", BlockerCloseView.as_view(), name="blocker_close"),
    path("evidence/<int:pk>/", EvidenceView.as_view(), name="evidence"),
]
