"""A 360 rater's form (DESIGN.md C5): the person to rate and the items their group rates, each with its
anchored scale and a comment, an overall comment, autosave, submit and decline. The rater sees nothing else of
the review: not the ratee's scores, not the other ratings.

- /reviews/rate/<id>/ (reviews:rate): the Rater row of the viewer's own task (selectors.rater_tasks_for);
  anyone else 404, whoever they are.
- /reviews/rate/<id>/autosave/ (rate_autosave), /submit/ (rate_submit), /decline/ (rate_decline), POST:
  services.forms.rater_save / rater_submit / rater_decline."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views import View

from fairmark.core.errors import ServiceError
from fairmark.core.scoping import ScopedQueryMixin

from ..forms.review_forms import DeclineForm, item_errors, rating_entries
from ..models import Rater, RaterStatus, ReviewState
from ..selectors import rater_tasks_for, ratings_by
from ..services.forms import form_items, rater_decline, rater_save, rater_submit
from .common import deadlines, flash, json_error, json_saved, language, plain, rating_rows, reraise

OVERALL = "overall"


class RateView(LoginRequiredMixin, ScopedQueryMixin, View):
    selector = rater_tasks_for
    template_name = "reviews/rate.html"

    def task(self, pk: int) -> Rater:
        return get_object_or_404(self.get_queryset(), pk=pk)

    def page(self, request: HttpRequest, task: Rater, data: Any | None = None, error: ServiceError | None = None,
             status: int = 200) -> HttpResponse:
        review = task.review
        saved = {r.item: (plain(r.rating), r.comment) for r in ratings_by(request.user, review, task.rater_id, task.group)}
        open_ = task.status == RaterStatus.APPROVED and review.state == ReviewState.RATING_360
        return render(request, self.template_name, {
            "task": task, "ratee": review.employee, "cycle": review.cycle, "open": open_,
            "items": rating_rows(form_items(review, task.group, language()), saved, data,
                                 item_errors(error.fields) if error else {}),
            "overall": data.get(OVERALL, task.comment) if data is not None else task.comment,
            "error": error, "decline_form": DeclineForm() if open_ else None,
            "deadline": deadlines([review.cycle_id]).get((review.cycle_id, "rating_360")),
            "readonly": not open_,
        }, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self.page(request, self.task(pk))

    def save(self, request: HttpRequest, task: Rater) -> None:
        keys = [item.key for item in form_items(task.review, task.group, language())]
        rater_save(actor=request.user, rater=task, entries=rating_entries(request.POST, keys),
                   comment=request.POST.get(OVERALL) if OVERALL in request.POST else None)


class RateAutosaveView(RateView):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        task = self.task(pk)
        try:
            self.save(request, task)
        except ServiceError as error:
            return json_error(error)
        return json_saved()


class RateSubmitView(RateView):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        task = self.task(pk)
        try:
            self.save(request, task)
            rater_submit(actor=request.user, rater=task)
        except ServiceError as error:
            reraise(error)
            task.refresh_from_db()
            return self.page(request, task, data=request.POST, error=error, status=400)
        messages.success(request, _("Thank you: your rating of %(name)s is submitted.") % {"name": task.review.employee.name})
        return redirect(reverse("reviews:mine"))


class RateDeclineView(RateView):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        task = self.task(pk)
        form = DeclineForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Say why you decline."))
            return redirect(reverse("reviews:rate", kwargs={"pk": task.pk}))
        try:
            rater_decline(actor=request.user, rater=task, reason=form.cleaned_data["reason"])
        except ServiceError as error:
            reraise(error)
            flash(request, error, {"reason": _("Reason")})
            return redirect(reverse("reviews:rate", kwargs={"pk": task.pk}))
        messages.success(request, _("You declined to rate %(name)s.") % {"name": task.review.employee.name})
        return redirect(reverse("reviews:mine"))


urlpatterns: list[URLPattern] = [
    path("rate/<int:pk>/", RateView.as_view(), name="rate"),
    path("rate/<int:pk>/autosave/", RateAutosaveView.as_view(), name="rate_autosave"),
    path("rate/<int:pk>/submit/", RateSubmitView.as_view(), name="rate_submit"),
    path("rate/<int:pk>/decline/", RateDeclineView.as_view(), name="rate_decline"),
]
