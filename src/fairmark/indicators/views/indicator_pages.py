"""The pages of the indicator library (指标库, DESIGN.md C2): the list with search and filters, an indicator's
definition with its versions and the templates that use it, one version, the editor (create; edit the newest
version, which makes the next version as a draft when the newest is published), publish, discard the draft,
retire or restore, and two htmx helpers of the editor: the live check and the "try it" panel.

Who sees what comes from the selectors: every page takes its indicators from indicators_visible_to (404
outside it) and the editing pages also require indicators_editable_by (403 when seen but not editable). The
services check the scope again inside their transactions; their refusals are shown on the form (400), a
stale editor's conflict with 409, a scope refusal as 404."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, register_converter
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from fairmark.core.access import viewer_for
from fairmark.core.errors import ConflictError, OutOfScope, ServiceError
from fairmark.core.scoping import ScopedDetailView, ScopedListView, ScopedQueryMixin, scope_exempt

from ..models import Category, Direction, Indicator, IndicatorVersion, Template, TemplateVersion, VersionStatus
from ..scoring import FIELDS, normalise_language
from ..scoring.core import fmt
from ..selectors import (
    can_create_configuration,
    indicator_versions_visible_to,
    indicators_editable_by,
    indicators_visible_to,
    reads_all_configuration,
    templates_visible_to,
)
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
from .indicator_forms import IndicatorForm, definition_from, formula_metrics
from .rule_fields import RULE_KIND_LABELS, form_field_for, hidden_rule_values, rule_view

# --- the indicator code in URLs ----------------------------------------------------------------------------


class IndicatorCodeConverter:
    """A slug that is not the first segment of another page of the app ("new/", "check/", "try/", the
    template pages): returning ValueError lets Django try the next pattern, so an indicator page never
    shadows a sibling page mounted after it in indicators/urls.py."""

    regex = "[-a-zA-Z0-9_]+"

    def to_python(self, value: str) -> str:
        if value in _reserved_segments():
            raise ValueError(value)
        return value

    def to_url(self, value: str) -> str:
        return value


_RESERVED: set[str] = set()


def _reserved_segments() -> set[str]:
    if not _RESERVED:
        from . import exchange, template_pages

        for pattern in [*urlpatterns, *template_pages.urlpatterns, *exchange.urlpatterns]:
            first = str(pattern.pattern).split("/", 1)[0]
            if first and "<" not in first:
                _RESERVED.add(first)
        _RESERVED.add("-")  # never empty: computed once
    return _RESERVED


register_converter(IndicatorCodeConverter, "indicator_code")


# --- helpers -----------------------------------------------------------------------------------------------


def _reads_all(user: Any) -> bool:
    """HR, executives, managers, heads and system admins read drafts too; an employee only what is published."""
    return reads_all_configuration(viewer_for(user))


def _language() -> str:
    return normalise_language(get_language() or "zh-hans")


def _number(value: float | Decimal | None) -> str:
    if value is None:
        return "—"
    try:
        return fmt(Decimal(repr(value)) if isinstance(value, float) else value)
    except ArithmeticError:
        return str(value)


def _editable(user: Any, indicator: Indicator) -> bool:
    return indicators_editable_by(user).filter(pk=indicator.pk).exists()


@dataclass(frozen=True)
class TemplateUse:
    template: Template
    version: TemplateVersion
    pinned: list[int]


def templates_using(user: Any, code: str) -> list[TemplateUse]:
    """The templates the viewer reads whose published version (or, for readers of drafts, head) uses the
    indicator, with the indicator version each pinned. Templates are tens: matching runs in Python."""
    reads_all = _reads_all(user)
    uses = []
    for template in templates_visible_to(user):
        versions = [template.published]
        if reads_all and template.head is not None and template.head != template.published:
            versions.append(template.head)
        for version in versions:
            if version is None or code not in version.indicator_codes():
                continue
            pinned = sorted({item["indicator_version"] for section in version.sections
                             for item in section.get("items", [])
                             if item.get("indicator") == code and isinstance(item.get("indicator_version"), int)})
            uses.append(TemplateUse(template, version, pinned))
    return uses


def _version_context(version: IndicatorVersion) -> dict[str, Any]:
    """What the definition block and the "try it" panel need about one version."""
    return {
        "version": version,
        "rule": rule_view(version.scoring),
        "try_hidden": [("formula", version.formula), ("aggregation", version.aggregation),
                       ("direction", version.direction), *hidden_rule_values(version.scoring)],
        "sample_metrics": [_sample_metric(metric, "") for metric in version.metrics if metric.get("code")],
        "rated": version.is_rated,
    }


def _sample_metric(metric: dict[str, Any], value: str) -> dict[str, str]:
    english = _language() == "en"
    name = (metric.get("name_en") if english else "") or metric.get("name_zh") or ""
    return {"code": str(metric.get("code", "")), "name": str(name), "unit": str(metric.get("unit") or ""),
            "value": value}


# --- the library -------------------------------------------------------------------------------------------


class IndicatorListView(ScopedListView):
    """The library with search and filters. One query for the page whatever its length: the selector
    joins head and published (test in tests/indicators/test_indicator_pages.py)."""

    selector = indicators_visible_to
    template_name = "indicators/indicator_list.html"
    context_object_name = "indicators"

    def get_queryset(self) -> QuerySet[Indicator]:
        qs = super().get_queryset()
        user = self.request.user
        params = self.request.GET
        reads_all = _reads_all(user)
        shown = "head" if reads_all else "published"  # an employee never sees a draft, not even its name
        if q := params.get("q", "").strip():
            qs = qs.filter(Q(code__icontains=q) | Q(**{f"{shown}__name_zh__icontains": q})
                           | Q(**{f"{shown}__name_en__icontains": q}))
        if category := params.get("category"):
            qs = qs.filter(**{f"{shown}__category": category})
        if direction := params.get("direction"):
            qs = qs.filter(**{f"{shown}__direction": direction})
        status = params.get("status")
        if status == "published":
            qs = qs.filter(published__isnull=False, retired=False)
        elif status == "draft":
            qs = qs.filter(head__status=VersionStatus.DRAFT) if reads_all else qs.none()
        elif status == "retired":
            qs = qs.filter(retired=True)
        if template_code := params.get("template", "").strip():
            template = templates_visible_to(user).filter(code=template_code).first()
            codes: set[str] = set()
            if template is not None:
                for version in (template.published, template.head if reads_all else None):
                    if version is not None:
                        codes |= version.indicator_codes()
            qs = qs.filter(code__in=sorted(codes))
        return qs

    def get_template_names(self) -> list[str]:
        if getattr(self.request, "htmx", False):
            return ["indicators/_indicator_rows.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        reads_all = _reads_all(user)
        rows = []
        for indicator in context["indicators"]:
            version = (indicator.head if reads_all else indicator.published) or indicator.published
            kind = (version.scoring or {}).get("kind", "") if version is not None else ""
            rows.append({"indicator": indicator, "version": version,
                         "rule_label": RULE_KIND_LABELS.get(kind, kind)})
        context["rows"] = rows
        context["categories"] = Category.choices
        context["directions"] = Direction.choices
        context["statuses"] = [(value, label) for value, label in _status_choices() if reads_all or value != "draft"]
        context["templates"] = templates_visible_to(user).select_related(None).select_related("head", "published")
        context["can_create"] = can_create_configuration(user)
        return context


def _status_choices() -> list[tuple[str, str]]:
    return [("published", _("Published")), ("draft", _("Has a draft")), ("retired", _("Retired"))]


class IndicatorDetailView(ScopedDetailView):
    selector = indicators_visible_to
    template_name = "indicators/indicator_detail.html"
    context_object_name = "indicator"
    slug_field = "code"
    slug_url_kwarg = "code"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        indicator: Indicator = self.object
        user = self.request.user
        reads_all = _reads_all(user)
        shown = indicator.published or indicator.head
        if shown is None:
            raise Http404
        draft = indicator.head if reads_all and indicator.head and indicator.head.status == VersionStatus.DRAFT \
            else None
        context.update(_version_context(shown))
        context["draft"] = draft
        context["versions"] = (indicator_versions_visible_to(user).filter(indicator=indicator)
                               .select_related("published_by", "created_by"))
        context["uses"] = templates_using(user, indicator.code)
        context["can_edit"] = _editable(user, indicator)
        return context


class IndicatorVersionView(ScopedDetailView):
    selector = indicator_versions_visible_to
    template_name = "indicators/indicator_version.html"
    context_object_name = "version"

    def get_object(self, queryset: QuerySet[Any] | None = None) -> IndicatorVersion:
        version = (self.get_queryset().select_related("published_by", "created_by")
                   .filter(indicator__code=self.kwargs["code"], number=self.kwargs["number"]).first())
        if version is None:
            raise Http404
        return version

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        version: IndicatorVersion = self.object
        context.update(_version_context(version))
        context["indicator"] = version.indicator
        return context


# --- the editor --------------------------------------------------------------------------------------------


def _editor_context(form: IndicatorForm) -> dict[str, Any]:
    formula = form.current_formula()
    codes = formula_metrics(formula)
    known = known_metrics() if codes else {}
    given = {metric.get("code"): metric for metric in (form.head.metrics if form.head else [])}
    posted = form.data if form.is_bound else {}
    return {
        "form": form,
        "rule_blocks": form.rule_blocks(),
        "sample_metrics": [_sample_metric({"code": code, **(given.get(code) or known.get(code) or {})},
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
        if not _editable(self.request.user, indicator):
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
                                             owner_department=form.cleaned_data["owner_department"])
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


class _IndicatorActionView(_EditableIndicatorView):
    """A button on the indicator's page: the service acts, then back to the page with what happened."""

    http_method_names = ["post"]

    def act(self, indicator: Indicator) -> str:
        raise NotImplementedError

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = indicator = self.get_object()
        try:
            message = self.act(indicator)
        except OutOfScope as error:
            raise Http404 from error
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, message)
        return redirect("indicators:detail", code=indicator.code)


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
    return labels[_language()] if labels else key


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
            {**_sample_metric(metric, ""), "known": bool(metric.get("name_zh"))} for metric in clean["metrics"]]}
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
                "sample_metrics": [_sample_metric({"code": code, **(known.get(code) or {})},
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


urlpatterns: list[URLPattern] = [
    path("", IndicatorListView.as_view(), name="list"),
    path("new/", IndicatorCreateView.as_view(), name="new"),
    path("check/", IndicatorCheckView.as_view(), name="check"),
    path("try/", IndicatorTryView.as_view(), name="try"),
    path("<indicator_code:code>/", IndicatorDetailView.as_view(), name="detail"),
    path("<indicator_code:code>/edit/", IndicatorEditView.as_view(), name="edit"),
    path("<indicator_code:code>/versions/<int:number>/", IndicatorVersionView.as_view(), name="version"),
    path("<indicator_code:code>/publish/", IndicatorPublishView.as_view(), name="publish"),
    path("<indicator_code:code>/discard/", IndicatorDiscardView.as_view(), name="discard"),
    path("<indicator_code:code>/retire/", IndicatorRetireView.as_view(), name="retire"),
]
