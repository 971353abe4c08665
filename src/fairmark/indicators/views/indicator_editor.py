"""The indicator editor: create an indicator, edit its newest version (which makes the next version as a
draft when the newest is published), the buttons on an indicator's page (publish, discard the draft, retire
or restore), and the editor's two htmx helpers, the live check and the "try it" panel. Their routes are listed
in indicator_pages.py, after the converter that keeps indicator codes off the other pages' paths.

The editing pages take their indicator from indicators_visible_to (404 outside it) and also require
indicators_editable_by (403 when seen but not editable). The services check the scope again inside their
transactions; their refusals are shown on the form (400), a stale editor's conflict with 409, a scope refusal
as 404."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from fairmark.core.errors import ConflictError, OutOfScope, ServiceError
from fairmark.core.scoping import ScopedDetailView, ScopedQueryMixin, scope_exempt

from ..models import Indicator, VersionStatus
from ..scoring import FIELDS
from ..scoring.core import fmt
from ..selectors import can_create_configuration, indicators_editable_by, indicators_visible_to
from ..services.checks import check_code, check_indicator
from ..services.indicators import (
    indicator_create,
    indicator_discard_draft,
    indicator_publish,
    indicator_retire,
    indicator_save,
    known_metrics,
)
from ..services.trying import try_indicator
from .common import ActionView, indicator_editable, language, sample_metric
from .indicator_forms import IndicatorForm, definition_from, formula_metrics
from .rule_fields import form_field_for


def _editor_context(form: IndicatorForm) -> dict[str, Any]:
    formula = form.current_formula()
    codes = formula_metrics(formula)
    known = known_metrics() if codes else {}
    given = {metric.get("code"): metric for metric in (form.head.metrics if form.head else [])}
    posted = form.data if form.is_bound else {}
    return {
        "form": form,
        "rule_blocks": form.rule_blocks(),
        "sample_metrics": [sample_metric({"code": code, **(given.get(code) or known.get(code) or {})},
                                         str(posted.get(f"sample_{code}", ""))) for code in codes],
        "rated": not formula.strip(),
        "rating_value": str(posted.get("rating", "")),
    }


def _render_editor(request: HttpRequest, form: IndicatorForm, indicator: Indicator | None,
                   status: int = 200) -> HttpResponse:
    context = _editor_context(form)
    context["indicator"] = indicator
    return render(request, "indicators/indicator_form.html", context, status=status)


def _publishing(request: HttpRequest) -> bool:
    return request.POST.get("action") == "publish"


class IndicatorCreateView(LoginRequiredMixin, ScopedQueryMixin, TemplateView):
    """HR admins (any owner, company-wide included) and HR BPs (one of their units) make indicators; the
    others get 403."""

    selector = indicators_editable_by

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and not can_create_configuration(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return _render_editor(request, IndicatorForm(user=request.user), None)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = IndicatorForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                indicator = indicator_create(actor=request.user, code=form.cleaned_data["code"],
                                             data=form.definition(),
                                             owner_department=form.cleaned_data["owner_department"],
                                             owner=form.cleaned_data["owner_number"],
                                             publish_now=_publishing(request))
            except OutOfScope as error:
                raise Http404 from error
            except ServiceError as error:
                form.add_service_error(error)
            else:
                if _publishing(request):
                    messages.success(request, _("The indicator %(code)s is published as version 1.")
                                     % {"code": indicator.code})
                else:
                    messages.success(request, _("The indicator %(code)s is saved as draft version 1.")
                                     % {"code": indicator.code})
                return redirect("indicators:detail", code=indicator.code)
        return _render_editor(request, form, None, status=400)


class _EditableIndicatorView(ScopedDetailView):
    """An indicator the viewer may change: 404 when they cannot see it, 403 when they only read it."""

    selector = indicators_visible_to
    slug_field = "code"
    slug_url_kwarg = "code"

    def get_object(self, queryset: QuerySet[Any] | None = None) -> Indicator:
        indicator: Indicator = super().get_object(queryset)
        if not indicator_editable(self.request.user, indicator):
            raise PermissionDenied
        return indicator


class IndicatorEditView(_EditableIndicatorView):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = indicator = self.get_object()
        return _render_editor(request, IndicatorForm(user=request.user, indicator=indicator), indicator)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = indicator = self.get_object()
        form = IndicatorForm(request.POST, user=request.user, indicator=indicator)
        if form.is_valid():
            try:
                with transaction.atomic():  # save and publish together, or neither
                    version = indicator_save(actor=request.user, indicator=indicator, data=form.definition(),
                                             base_version=form.cleaned_data["base_version"],
                                             owner_department=form.cleaned_data["owner_department"],
                                             owner=form.cleaned_data["owner_number"])
                    if _publishing(request):
                        version = indicator_publish(actor=request.user, indicator=indicator)
            except OutOfScope as error:
                raise Http404 from error
            except ConflictError as error:
                form.add_service_error(error)
                return _render_editor(request, form, indicator, status=409)
            except ServiceError as error:
                form.add_service_error(error)
            else:
                if version.status == VersionStatus.PUBLISHED:
                    messages.success(request, _("Version %(number)s of %(code)s is published.")
                                     % {"number": version.number, "code": indicator.code})
                else:
                    messages.success(request, _("Draft version %(number)s of %(code)s is saved.")
                                     % {"number": version.number, "code": indicator.code})
                return redirect("indicators:detail", code=indicator.code)
        return _render_editor(request, form, indicator, status=400)


class _IndicatorActionView(ActionView, _EditableIndicatorView):
    page = "indicators:detail"


class IndicatorPublishView(_IndicatorActionView):
    def act(self, indicator: Indicator) -> str:
        version = indicator_publish(actor=self.request.user, indicator=indicator)
        return _("Version %(number)s is published.") % {"number": version.number}


class IndicatorDiscardView(_IndicatorActionView):
    def act(self, indicator: Indicator) -> str:
        indicator_discard_draft(actor=self.request.user, indicator=indicator)
        return _("The draft is discarded.")


class IndicatorRetireView(_IndicatorActionView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.POST.get("retired") not in ("0", "1"):
            self.get_object()  # 404 and 403 first
            return HttpResponseBadRequest(_("The request was not valid."))
        return super().post(request, *args, **kwargs)

    def act(self, indicator: Indicator) -> str:
        retired = self.request.POST.get("retired") == "1"
        indicator_retire(actor=self.request.user, indicator=indicator, retired=retired)
        if retired:
            return _("The indicator is retired: new templates cannot use it.")
        return _("The indicator is restored.")


# --- the editor's htmx helpers -----------------------------------------------------------------------------


def _field_label(form: IndicatorForm, name: str | None, key: str) -> str:
    if name and name in form.fields:
        return str(form.fields[name].label or name)
    if key.startswith("samples."):
        return key.removeprefix("samples.")
    last = key.rsplit(".", 1)[-1]
    labels = FIELDS.get(last)
    return labels[language()] if labels else key


def _number(value: float | Decimal | None) -> str:
    if value is None:
        return "—"
    try:
        return fmt(Decimal(repr(value)) if isinstance(value, float) else value)
    except ArithmeticError:
        return str(value)


@scope_exempt("checks the posted editor fields; reads no indicator, only the names of known metric codes")
class IndicatorCheckView(LoginRequiredMixin, View):
    """Live validation of the editor: the errors per field (swapped next to the fields out of band), a
    summary, and the metrics the formula reads; the sample inputs of the "try it" panel follow the formula."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        if not can_create_configuration(request.user):
            raise PermissionDenied
        data = request.POST
        form = IndicatorForm(data, user=request.user)
        form.is_valid()
        known = known_metrics()
        clean, errors = check_indicator(definition_from(data), known_metrics=known)
        if "code" in data:
            code = check_code(data.get("code"), errors)
            if "code" not in errors and Indicator.objects.filter(code=code).exists():
                errors["code"] = [_("An indicator with this code exists.")]
        form.add_check_errors(errors)
        live = [(name, [str(error) for error in form.errors.get(name) or ()]) for name in form.fields
                if name in data]
        summary = [(_field_label(form, name, name), message)
                   for name, messages_ in form.errors.items() if name != "__all__" for message in messages_]
        summary = [("", message) for message in form.non_field_errors()] + summary
        context: dict[str, Any] = {"live": live, "summary": summary, "metrics": [
            {**sample_metric(metric, ""), "known": bool(metric.get("name_zh"))} for metric in clean["metrics"]]}
        context.update(self._samples(data))
        return render(request, "indicators/_indicator_check.html", context)

    @staticmethod
    def _samples(data: Any) -> dict[str, Any]:
        """New sample inputs for the "try it" panel when the formula now reads other metrics than those shown
        (the ones shown keep what was typed)."""
        formula = str(data.get("formula") or "")
        posted = {key.removeprefix("sample_") for key in data if key.startswith("sample_")}
        if not formula.strip():
            return {"replace_samples": "rating" not in data or bool(posted), "rated": True, "sample_metrics": [],
                    "rating_value": str(data.get("rating", ""))}
        codes = formula_metrics(formula)
        if not codes or (set(codes) == posted and "rating" not in data):
            return {"replace_samples": False}
        known = known_metrics()
        return {"replace_samples": True, "rated": False, "rating_value": "",
                "sample_metrics": [sample_metric({"code": code, **(known.get(code) or {})},
                                                 str(data.get(f"sample_{code}", ""))) for code in codes]}


@scope_exempt("computes from the posted formula, rule and sample values; reads and stores nothing")
class IndicatorTryView(LoginRequiredMixin, View):
    """The "try it" panel: the value of the formula on sample data with every term, the score and its
    explanation. Any signed-in user may try, from the editor or from an indicator's page."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        data = request.POST
        definition = definition_from(data)
        samples = {key.removeprefix("sample_"): value for key, value in data.items() if key.startswith("sample_")}
        trial = try_indicator(formula=definition["formula"], aggregation=definition["aggregation"],
                              scoring=definition["scoring"], samples=samples, rating=data.get("rating"))
        kind = str(data.get("rule_kind") or "")
        form = IndicatorForm(user=request.user)
        errors = [(_field_label(form, form_field_for(key, kind), key), message)
                  for key, messages_ in trial.errors.items() for message in messages_]
        score = trial.score
        context = {
            "trial": trial,
            "errors": errors,
            "value": _number(trial.value) if trial.value is not None else "",
            "terms": [(term.text, _number(term.value)) for term in trial.terms],
            "score": str(score.value) if score is not None and score.value is not None else "",
            "explanation": trial.score_text(),
            "veto": bool(score and score.veto),
        }
        return render(request, "indicators/_indicator_try.html", context)
