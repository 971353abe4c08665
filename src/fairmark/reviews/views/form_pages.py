"""The self-review and the manager review form (DESIGN.md C5), with autosave.

- /reviews/<id>/form/ (reviews:form): the employee's self-review while their review is in its self-review (or
  earlier), the reviewing manager's review while it is in the 360 round or the manager review
  (services.forms.writer_group); anyone else who sees the review 403, anyone else 404. Each rated item of the
  template for the writer's group with its definition and its anchored scale, a comment, the summary; for the
  manager also the ± adjustments (with their reason) and, read-only, the KPI items with their value and score
  from the explanation. POST saves the draft; the "submit" button then submits the step (review_act).
- /reviews/<id>/form/autosave/ (reviews:form_autosave, POST): what review_form.js sends on every change; JSON
  {"saved": true, "at": "HH:MM"} or the field errors (400)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views import View

from fairmark.core.errors import Refused, ServiceError

from ..forms.review_forms import adjustment_entries, item_errors, rating_entries
from ..models import Adjustment, RaterGroup, Review
from ..selectors import ratings_by
from ..selectors.explanation import explain
from ..services.forms import adjustment_items, form_items, save_adjustment, save_review_form, writer_group
from ..services.transitions import review_act
from .common import ReviewScopedMixin, json_error, json_saved, language, plain, rating_rows, reraise

# The state in which submitting the form hands the review on (elsewhere the form only saves a draft).
SUBMITS_IN: dict[str, str] = {RaterGroup.SELF: "self_review", RaterGroup.MANAGER: "manager_review"}


def saved_ratings(user: Any, review: Review, rater_id: int | None, group: str) -> dict[str, tuple[str, str]]:
    if rater_id is None:
        return {}
    return {r.item: (plain(r.rating), r.comment) for r in ratings_by(user, review, rater_id, group)}


class ReviewFormView(ReviewScopedMixin, View):
    template_name = "reviews/form.html"

    def writer(self, request: HttpRequest, pk: int) -> tuple[Review, str]:
        review = self.review(pk)
        try:
            return review, writer_group(request.user, review)
        except Refused as error:
            raise PermissionDenied(error.message) from error

    def page(self, request: HttpRequest, review: Review, group: str, data: Any | None = None,
             error: ServiceError | None = None, status: int = 200) -> HttpResponse:
        lang = language()
        writer_id = review.employee_id if group == RaterGroup.SELF else review.manager_id
        errors = item_errors(error.fields) if error else {}
        context: dict[str, Any] = {
            "review": review, "group": group, "tab": "mine",
            "items": rating_rows(form_items(review, group, lang), saved_ratings(request.user, review, writer_id, group),
                                 data, errors),
            "summary": (data.get("summary", "") if data is not None else
                        review.self_summary if group == RaterGroup.SELF else review.manager_summary),
            "summary_errors": error.fields.get("summary", []) if error else [],
            "error": error, "can_submit": review.state == SUBMITS_IN.get(group),
            "adjustments": [], "kpis": [],
        }
        if group == RaterGroup.MANAGER:
            context["adjustments"] = self.adjustment_rows(review, data, error)
            context["kpis"] = [item for part in explain(request.user, review).parts for section in part.sections
                               for item in section.items if item.kind == "indicator"]
        return render(request, self.template_name, context, status=status)

    def adjustment_rows(self, review: Review, data: Any | None, error: ServiceError | None) -> list[dict[str, Any]]:
        saved = self.saved_adjustments(review)
        failed = getattr(error, "adjustment", None)
        rows = []
        for item in adjustment_items(review, language()):
            points, reason = saved.get(item.key, ("", ""))
            if data is not None:
                points = str(data.get(f"points:{item.key}", points))
                reason = str(data.get(f"reason:{item.key}", reason))
            rows.append({"key": item.key, "label": item.label, "cap": item.cap, "points": points, "reason": reason,
                         "errors": [m for msgs in error.fields.values() for m in msgs]
                         if error is not None and failed == item.key else []})
        return rows

    @staticmethod
    def saved_adjustments(review: Review) -> dict[str, tuple[str, str]]:
        return {a.item: (plain(a.points), a.reason) for a in Adjustment.objects.filter(review=review)}

    def save(self, request: HttpRequest, review: Review, group: str) -> None:
        """Save the posted draft (ratings, summary, changed adjustments); a service error propagates, tagged
        with the adjustment it concerns."""
        keys = [item.key for item in form_items(review, group, language())]
        summary = request.POST.get("summary") if "summary" in request.POST else None
        save_review_form(actor=request.user, review=review, entries=rating_entries(request.POST, keys),
                         summary=summary)
        if group != RaterGroup.MANAGER:
            return
        items = [a.key for a in adjustment_items(review, language())]
        for key, (points, reason) in adjustment_entries(request.POST, items, self.saved_adjustments(review)).items():
            try:
                save_adjustment(actor=request.user, review=review, item=key, points=points, reason=reason)
            except ServiceError as error:
                error.adjustment = key  # type: ignore[attr-defined]
                if "points" in error.fields or "reason" in error.fields or "item" in error.fields:
                    error.fields = {f"adjustments.{key}.{name}": msgs for name, msgs in error.fields.items()}
                raise

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        review, group = self.writer(request, pk)
        return self.page(request, review, group)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        review, group = self.writer(request, pk)
        submit = "submit" in request.POST and review.state == SUBMITS_IN.get(group)
        try:
            self.save(request, review, group)
            if submit:
                review_act(actor=request.user, review=review, action="submit")
        except ServiceError as error:
            reraise(error)
            return self.page(request, review, group, data=request.POST, error=error, status=400)
        if submit:
            messages.success(request, _("Submitted."))
            return redirect(reverse("reviews:review", kwargs={"pk": review.pk}))
        messages.success(request, _("Saved."))
        return redirect(reverse("reviews:form", kwargs={"pk": review.pk}))


class ReviewFormAutosaveView(ReviewFormView):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        review, group = self.writer(request, pk)
        try:
            self.save(request, review, group)
        except ServiceError as error:
            return json_error(error)
        return json_saved()


urlpatterns: list[URLPattern] = [
    path("<int:pk>/form/", ReviewFormView.as_view(), name="form"),
    path("<int:pk>/form/autosave/", ReviewFormAutosaveView.as_view(), name="form_autosave"),
]
