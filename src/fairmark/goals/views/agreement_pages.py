"""The goal agreement pages (目标协议 / 目标签字) and the changes asked for after sign-off.

- `goals:agreements`: the agreements the viewer may see (their own and their team's), filtered by status and
  year; "waiting for me" is the manager's list of agreements to decide or sign and changes to decide.
- `goals:agreement`: one person's agreement for a year: the goals with kinds, weights, targets and progress,
  the status and signatures, the history of steps with comments, the buttons the viewer may use (submit,
  return with a comment, approve, sign as the employee or as the manager), the changes asked for after
  sign-off with approve / reject, and the form to ask for a change once signed.
- the page's buttons post to `goals:agreement_submit`, `agreement_return`, `agreement_approve`,
  `agreement_sign`, `agreement_request_change` and `change_decide`.

Goal sets and bulk assignment are in goal_set_pages.py. Scope as everywhere (DESIGN.md §5): an agreement the
viewer cannot see is 404; a step they see but may not take is 403; a step the state does not allow or bad input
comes back on the page with status 400."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q, QuerySet
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fairmark.core.access import viewer_for
from fairmark.core.errors import OutOfScope, ServiceError
from fairmark.core.scoping import ScopedDetailView, ScopedListView
from fairmark.org.forms import add_service_errors

from ..forms.agreement import ChangeRequestForm, CommentForm, DecideForm, ReturnForm
from ..models import (
    Agreement,
    AgreementStatus,
    AgreementStep,
    ChangeStatus,
    Goal,
    GoalChange,
    GoalKind,
    GoalState,
    KeyResult,
)
from ..selectors import agreements_visible_to, changes_visible_to
from ..services.agreement import (
    Refused,
    abilities,
    agreement_approve,
    agreement_return,
    agreement_sign,
    agreement_submit,
    led_people_q,
)
from ..services.changes import change_decide, change_request, may_decide_change
from ..services.goal_sets import may_keep_sets
from .common import bar_width, percent, year_of

# How a proposed change's fields read on the page.
PROPOSED_LABELS: dict[str, Any] = {
    "kind": gettext_lazy("Kind"), "title": gettext_lazy("Goal"), "description": gettext_lazy("Description"),
    "weight": gettext_lazy("Weight"), "indicator": gettext_lazy("Indicator"),
    "threshold": gettext_lazy("Threshold"), "target": gettext_lazy("Target"), "stretch": gettext_lazy("Stretch"),
    "key_results": gettext_lazy("Key results"), "parent": gettext_lazy("Aligned to"),
    "period_start": gettext_lazy("From"), "period_end": gettext_lazy("To"),
}


def proposed_lines(proposed: dict[str, Any]) -> list[tuple[Any, str]]:
    lines = []
    for name, value in proposed.items():
        if name not in PROPOSED_LABELS:
            continue
        if name == "key_results":
            value = "; ".join(f"{kr.get('title')} {kr.get('start')} → {kr.get('target')}" for kr in value or [])
        elif name == "kind":
            value = dict(GoalKind.choices).get(value, value)
        lines.append((PROPOSED_LABELS[name], "" if value is None else str(value)))
    return lines


# ------------------------------------------------------------------------------------------------ list


class AgreementListView(ScopedListView):
    selector = agreements_visible_to
    template_name = "goals/agreement_list.html"
    context_object_name = "agreements"

    def get_queryset(self) -> QuerySet[Agreement]:
        params = self.request.GET
        agreements = (super().get_queryset()
                      .annotate(goal_count=Count("goals", filter=Q(goals__state=GoalState.ACTIVE), distinct=True),
                                pending_changes=Count("changes", filter=Q(changes__status=ChangeStatus.PENDING),
                                                      distinct=True))
                      .order_by("-year", "employee__department__path", "employee__number"))
        if (status := params.get("status", "")) in AgreementStatus.values:
            agreements = agreements.filter(status=status)
        if (year := year_of(params.get("year", ""))) is not None:
            agreements = agreements.filter(year=year)
        if query := params.get("q", "").strip():
            agreements = agreements.filter(Q(employee__number__icontains=query) | Q(employee__name__icontains=query))
        if params.get("todo"):
            agreements = self._waiting_for_me(agreements)
        return agreements

    def _waiting_for_me(self, agreements: QuerySet[Agreement]) -> QuerySet[Agreement]:
        """To decide (submitted), to sign as the manager (approved, not yet signed by one), changes to decide
        that someone else asked for; on the viewer's own agreement, what waits for their signature."""
        user = self.request.user
        viewer = viewer_for(user)
        mine = Q(employee_id=viewer.employee_id or 0) & Q(status=AgreementStatus.APPROVED,
                                                          employee_signed_at__isnull=True)
        pending = GoalChange.objects.filter(status=ChangeStatus.PENDING).exclude(requested_by=user)
        decide = led_people_q(viewer, "employee__") & (
            Q(status=AgreementStatus.SUBMITTED)
            | Q(status=AgreementStatus.APPROVED, manager_signed_at__isnull=True)
            | Q(pk__in=pending.values("agreement_id")))
        return agreements.filter(mine | decide)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        years = sorted(set(Agreement.objects.values_list("year", flat=True).distinct()), reverse=True)
        context.update({"statuses": AgreementStatus.choices, "years": years,
                        "may_keep_sets": may_keep_sets(self.request.user)})
        return context


# ------------------------------------------------------------------------------------------------ one agreement


def _goal_rows(agreement: Agreement) -> list[dict[str, Any]]:
    goals = (Goal.objects.filter(agreement=agreement, state=GoalState.ACTIVE)
             .select_related("indicator_version", "indicator_version__indicator", "parent")
             .prefetch_related(Prefetch("key_results", queryset=KeyResult.objects.order_by("position", "id")))
             .order_by("position", "id"))
    return [{"goal": goal, "progress": percent(goal.progress), "bar": bar_width(goal.progress)} for goal in goals]


def agreement_page(request: HttpRequest, agreement: Agreement, *, failed: dict[str, Form] | None = None,
                   failed_change: tuple[int, DecideForm] | None = None, status: int = 200) -> HttpResponse:
    """The agreement page, with the form that failed (if any) showing its errors."""
    failed = failed or {}
    user = request.user
    can = abilities(user, agreement)
    rows = _goal_rows(agreement)
    goals = [row["goal"] for row in rows]
    total_weight = sum((goal.weight for goal in goals), start=0)
    for row in rows:
        row["share"] = (float(row["goal"].weight) / float(total_weight) * 100) if total_weight else None
    changes = list(changes_visible_to(user).filter(agreement=agreement)
                   .select_related("agreement__employee__department"))
    change_rows = []
    for change in changes:
        form = None
        if may_decide_change(user, change):
            form = (failed_change[1] if failed_change and failed_change[0] == change.pk
                    else DecideForm(auto_id=f"id_change{change.pk}_%s"))
        change_rows.append({"change": change, "form": form, "proposed": proposed_lines(change.proposed or {})})
    context = {
        "agreement": agreement, "employee": agreement.employee, "rows": rows, "total_weight": total_weight,
        "steps": AgreementStep.objects.filter(agreement=agreement).select_related("actor"),
        "changes": change_rows, "can": can,
        "submit_form": failed.get("submit") or CommentForm(auto_id="id_submit_%s"),
        "return_form": failed.get("return") or ReturnForm(auto_id="id_return_%s"),
        "approve_form": failed.get("approve") or CommentForm(auto_id="id_approve_%s"),
        "change_form": failed.get("change") or ChangeRequestForm(goals=goals, auto_id="id_change_%s"),
        "errors": [form for form in failed.values() if form.non_field_errors()],
    }
    return render(request, "goals/agreement_detail.html", context, status=status)


class AgreementView(ScopedDetailView):
    selector = agreements_visible_to
    context_object_name = "agreement"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return agreement_page(request, self.get_object())


class _AgreementAction(AgreementView):
    """A button of the agreement page: the service takes the step, then back to the page with what happened;
    refused for the viewer's role 403, outside their scope 404, otherwise the page with the error (400)."""

    http_method_names = ["post"]
    key = ""

    def form(self, agreement: Agreement) -> Form:
        return CommentForm(self.request.POST, auto_id=f"id_{self.key}_%s")

    def act(self, agreement: Agreement, form: Any) -> str:
        raise NotImplementedError

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        agreement = self.get_object()
        form = self.form(agreement)
        if form.is_valid():
            try:
                message = self.act(agreement, form)
            except Refused as error:
                raise PermissionDenied(error.message) from error
            except OutOfScope as error:
                raise Http404 from error
            except ServiceError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, message)
                return redirect("goals:agreement", pk=agreement.pk)
        agreement.refresh_from_db()
        return agreement_page(request, agreement, failed={self.key: form}, status=400)


class SubmitView(_AgreementAction):
    key = "submit"

    def act(self, agreement: Agreement, form: Any) -> str:
        agreement_submit(actor=self.request.user, agreement=agreement, comment=form.cleaned_data["comment"])
        return _("Your goals are submitted for approval.")


class ReturnView(_AgreementAction):
    key = "return"

    def form(self, agreement: Agreement) -> Form:
        return ReturnForm(self.request.POST, auto_id="id_return_%s")

    def act(self, agreement: Agreement, form: Any) -> str:
        agreement_return(actor=self.request.user, agreement=agreement, comment=form.cleaned_data["comment"])
        return _("The goals are returned to %(name)s.") % {"name": agreement.employee.name}


class ApproveView(_AgreementAction):
    key = "approve"

    def act(self, agreement: Agreement, form: Any) -> str:
        agreement_approve(actor=self.request.user, agreement=agreement, comment=form.cleaned_data["comment"])
        return _("The goals of %(name)s are approved.") % {"name": agreement.employee.name}


class SignView(_AgreementAction):
    key = "sign"

    def act(self, agreement: Agreement, form: Any) -> str:
        signed = agreement_sign(actor=self.request.user, agreement=agreement)
        if signed.status == AgreementStatus.SIGNED:
            return _("Signed: the goals are signed off.")
        return _("Signed: the other signature is awaited.")


class RequestChangeView(_AgreementAction):
    key = "change"

    def form(self, agreement: Agreement) -> Form:
        goals = Goal.objects.filter(agreement=agreement, state=GoalState.ACTIVE).order_by("position", "id")
        return ChangeRequestForm(self.request.POST, goals=goals, auto_id="id_change_%s")

    def act(self, agreement: Agreement, form: Any) -> str:
        proposed = form.proposed()
        try:
            change_request(actor=self.request.user, agreement=agreement, kind=form.cleaned_data["kind"],
                           goal=form.chosen_goal(), proposed=proposed, reason=form.cleaned_data["reason"])
        except ServiceError as error:
            # "proposed.target" is the form's "target"; "proposed.kind" its "goal_kind".
            fields = {name.removeprefix("proposed.").split(".")[0]: messages
                      for name, messages in error.fields.items()}
            if "kind" in fields and any(n.startswith("proposed.kind") for n in error.fields):
                fields["goal_kind"] = fields.pop("kind")
            raise type(error)(error.message, fields=fields, code=error.code) from None
        return _("The change is asked for; it applies once it is approved.")


class ChangeDecideView(ScopedDetailView):
    selector = changes_visible_to
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        change: GoalChange = self.get_object()
        form = DecideForm(request.POST, auto_id=f"id_change{change.pk}_%s")
        if form.is_valid():
            try:
                decided = change_decide(actor=request.user, change=change, approve=form.approve,
                                        comment=form.cleaned_data["comment"])
            except Refused as error:
                raise PermissionDenied(error.message) from error
            except OutOfScope as error:
                raise Http404 from error
            except ServiceError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The change is approved and applied.")
                                 if decided.status == ChangeStatus.APPROVED else _("The change is rejected."))
                return redirect("goals:agreement", pk=change.agreement_id)
        agreement = agreements_visible_to(request.user).get(pk=change.agreement_id)
        return agreement_page(request, agreement, failed_change=(change.pk, form), status=400)


urlpatterns: list[URLPattern] = [
    path("agreements/", AgreementListView.as_view(), name="agreements"),
    path("agreements/<int:pk>/", AgreementView.as_view(), name="agreement"),
    path("agreements/<int:pk>/submit/", SubmitView.as_view(), name="agreement_submit"),
    path("agreements/<int:pk>/return/", ReturnView.as_view(), name="agreement_return"),
    path("agreements/<int:pk>/approve/", ApproveView.as_view(), name="agreement_approve"),
    path("agreements/<int:pk>/sign/", SignView.as_view(), name="agreement_sign"),
    path("agreements/<int:pk>/request-change/", RequestChangeView.as_view(), name="agreement_request_change"),
    path("changes/<int:pk>/decide/", ChangeDecideView.as_view(), name="change_decide"),
]
