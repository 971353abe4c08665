"""The review page (DESIGN.md C5) and its steps: who is reviewed in which cycle with which template, where the
review stands among the cycle's phases, the total with a link to its explanation, the workflow steps the viewer
may take now, the 360 nominations, and the history.

- /reviews/<id>/ (reviews:review): anyone who sees the review (selectors.reviews_visible_to), else 404.
- /reviews/<id>/act/ (reviews:act, POST): services.transitions.review_act; a role that may not take the step
  gets 403, a step not possible now comes back to the page with the reason.
- /reviews/<id>/template/ (reviews:review_template, POST): HR's choice of the person's template
  (services.cycles.review_set_template; the review is recomputed).
- /reviews/<id>/raters/ (nominate), /reviews/raters/<id>/decide/ (rater_decide), /reviews/<id>/raters/approve/
  (raters_approve), /reviews/raters/<id>/remove/ (rater_remove), all POST: services.raters.

Nominations name people, ratings never do: the ratee sees only the raters they nominated themselves, the
approving manager sees the names while nominations are open, HR sees who rated; nobody but HR sees which rater
has rated (common.raters_section)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views import View

from fairmark.core.access import viewer_for
from fairmark.core.errors import Refused, ServiceError
from fairmark.indicators.models import TemplateVersion, VersionStatus

from .. import workflow
from ..forms.review_forms import ActForm, DecideForm, NominateForm
from ..models import Phase, Rater, RaterGroup, Review, ReviewAction, ReviewState
from ..permissions import manages_cycles, roles_on
from ..selectors import steps_of
from ..selectors.explanation import explain
from ..services import raters as rater_services
from ..services.cycles import review_set_template
from ..services.forms import writer_group
from ..services.transitions import review_act
from .common import ReviewScopedMixin, flash, flash_form, raters_section, reraise, timeline


def review_url(review: Review | int) -> str:
    return reverse("reviews:review", kwargs={"pk": review if isinstance(review, int) else review.pk})


def actions_for(user: Any, review: Review) -> list[dict[str, Any]]:
    """The steps the viewer may take now (workflow.allowed for each of their roles), with what each needs."""
    phases = review.cycle.phase_list()
    found: list[str] = []
    for role in roles_on(viewer_for(user), review):
        try:
            allowed = workflow.allowed(review.state, role, phases)
        except workflow.IllegalTransition:
            return []
        found += [a for a in allowed if a not in found and a != "decline"]
    labels = dict(ReviewAction.choices)
    phase_labels = dict(Phase.choices)
    out = []
    for action in found:
        label = labels.get(action, action)
        if action == "submit" and review.state == ReviewState.RATING_360:
            label = _("Close the 360 round")
        targets: list[tuple[str, str]] = []
        if action == "reopen":
            cycle = workflow.cycle_phases(phases)
            targets = [(p, str(phase_labels.get(p, p))) for p in
                       workflow.reopen_targets(review.state, cycle)]  # type: ignore[arg-type]
        out.append({"action": action, "label": label, "reason": action in workflow.REASON_REQUIRED,
                    "delegate": action == "delegate", "targets": targets,
                    "danger": action in ("void", "return", "appeal")})
    return out


def _history(review: Review) -> list[dict[str, Any]]:
    actions, roles, states = dict(ReviewAction.choices), dict(_role_labels()), dict(ReviewState.choices)
    out = []
    for step in steps_of(review).select_related("actor__employee"):
        actor = step.actor
        person = getattr(actor, "employee", None) if actor is not None else None
        out.append({"action": step.action, "action_label": actions.get(step.action, step.action),
                    "role": roles.get(step.role, step.role), "from": states.get(step.from_state, step.from_state),
                    "to": states.get(step.to_state, step.to_state), "reason": step.reason, "at": step.at,
                    "actor": person.name if person is not None else (actor.get_username() if actor else "")})
    return out


def _role_labels() -> list[tuple[str, str]]:
    from ..models import ActorRole

    return [(value, str(label)) for value, label in ActorRole.choices]


class ReviewView(ReviewScopedMixin, View):
    template_name = "reviews/review_detail.html"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        review = self.review(pk)
        try:
            group: str | None = writer_group(request.user, review)
        except Refused:
            group = None
        explanation = explain(request.user, review)
        return render(request, self.template_name, {
            "review": review, "tab": "mine", "timeline": timeline(review), "actions": actions_for(request.user, review),
            "explanation": explanation, "history": _history(review), "form_group": group,
            "form_label": dict(RaterGroup.choices).get(group, "") if group else "",
            "raters": raters_section(request.user, review),
            "template_choices": template_choices(request.user, review),
        })


def template_choices(user: Any, review: Review) -> list[tuple[int, str]]:
    """The published templates HR may put this review on (empty for everyone else, and once it is closed)."""
    if not manages_cycles(viewer_for(user)) or review.state in (ReviewState.CLOSED, ReviewState.VOIDED):
        return []
    versions = TemplateVersion.objects.filter(status=VersionStatus.PUBLISHED).select_related("template")
    return [(v.pk, f"{v.display_name} v{v.number}") for v in versions.order_by("template__code")]


class _PostMixin(ReviewScopedMixin, View):
    http_method_names = ["post"]

    def rater(self, pk: int) -> Rater:
        found = Rater.objects.filter(pk=pk, review__in=self.get_queryset()).first()
        if found is None:
            raise Http404
        return found


class ActView(_PostMixin):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        review = self.review(pk)
        form = ActForm(request.POST, review=review)
        if not form.is_valid():
            flash_form(request, form)
            return redirect(review_url(review))
        action = form.cleaned_data["action"]
        try:
            review_act(actor=request.user, review=review, action=action,
                       reason=form.cleaned_data.get("reason") or None,
                       to=(form.cleaned_data.get("to") or None) if action == "reopen" else None,
                       delegate=form.cleaned_data.get("delegate") if action == "delegate" else None)
        except ServiceError as error:
            reraise(error)
            flash(request, error, {"reason": _("Reason"), "to": _("Reopen at"), "delegate": _("Delegate to")})
            return redirect(review_url(review))
        messages.success(request, _("Done: %(action)s.") % {"action": dict(ReviewAction.choices).get(action, action)})
        return redirect(review_url(review))


class NominateView(_PostMixin):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        review = self.review(pk)
        form = NominateForm(request.POST, review=review, groups=rater_services.template_groups(review))
        if form.is_valid():
            try:
                rater_services.nominate(actor=request.user, review=review, rater=form.cleaned_data["rater"],
                                        group=form.cleaned_data["group"])
            except ServiceError as error:
                reraise(error)
                flash(request, error, {"rater": _("Rater"), "group": _("Rater group")})
            else:
                messages.success(request, _("Rater nominated."))
        else:
            flash_form(request, form)
        return redirect(review_url(review) + "#raters")


class RaterDecideView(_PostMixin):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        row = self.rater(pk)
        form = DecideForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Approve or reject the nomination."))
            return redirect(review_url(row.review_id) + "#raters")
        try:
            rater_services.decide(actor=request.user, rater=row, approve=form.cleaned_data["approve"] == "1",
                                  reason=form.cleaned_data.get("reason") or "")
        except ServiceError as error:
            reraise(error)
            flash(request, error, {"reason": _("Reason")})
        else:
            messages.success(request, _("Nomination decided."))
        return redirect(review_url(row.review_id) + "#raters")


class RatersApproveView(_PostMixin):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        review = self.review(pk)
        try:
            approved = rater_services.approve_all(actor=request.user, review=review)
        except ServiceError as error:
            reraise(error)
            flash(request, error)
        else:
            messages.success(request, _("%(count)d nominations approved.") % {"count": len(approved)})
        return redirect(review_url(review) + "#raters")


class RaterRemoveView(_PostMixin):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        row = self.rater(pk)
        try:
            rater_services.remove(actor=request.user, rater=row)
        except ServiceError as error:
            reraise(error)
            flash(request, error)
        else:
            messages.success(request, _("Rater removed."))
        return redirect(review_url(row.review_id) + "#raters")


class ReviewTemplateView(_PostMixin):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        review = self.review(pk)
        chosen = request.POST.get("template", "")
        if not chosen.isdigit():
            messages.error(request, _("Choose a template."))
            return redirect(review_url(review))
        try:
            review_set_template(actor=request.user, review=review, template_id=int(chosen))
        except ServiceError as error:
            reraise(error)
            flash(request, error, {"template": _("Template")})
        else:
            messages.success(request, _("Template changed; the total is computed again."))
        return redirect(review_url(review))


urlpatterns: list[URLPattern] = [
    path("<int:pk>/", ReviewView.as_view(), name="review"),
    path("<int:pk>/act/", ActView.as_view(), name="act"),
    path("<int:pk>/template/", ReviewTemplateView.as_view(), name="review_template"),
    path("<int:pk>/raters/", NominateView.as_view(), name="nominate"),
    path("<int:pk>/raters/approve/", RatersApproveView.as_view(), name="raters_approve"),
    path("raters/<int:pk>/decide/", RaterDecideView.as_view(), name="rater_decide"),
    path("raters/<int:pk>/remove/", RaterRemoveView.as_view(), name="rater_remove"),
]
