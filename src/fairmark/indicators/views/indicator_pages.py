"""The pages of the indicator library (指标库, DESIGN.md C2): the list with search and filters, an indicator's
definition with its versions and the templates that use it, and one version. The editor and its actions are
in indicator_editor.py; every route of the library is listed here, with the converter that keeps an indicator
code from shadowing the app's other pages.

Who sees what comes from the selectors: every page takes its indicators from indicators_visible_to (404
outside it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import URLPattern, path, register_converter
from django.utils.translation import gettext as _

from fairmark.core.access import viewer_for
from fairmark.core.scoping import ScopedDetailView, ScopedListView

from ..models import Category, Direction, Indicator, IndicatorVersion, Template, TemplateVersion, VersionStatus
from ..selectors import (
    can_create_configuration,
    indicator_versions_visible_to,
    indicators_visible_to,
    reads_all_configuration,
    templates_visible_to,
)
from .common import indicator_editable, sample_metric
from .indicator_editor import (
    IndicatorCheckView,
    IndicatorCreateView,
    IndicatorDiscardView,
    IndicatorEditView,
    IndicatorPublishView,
    IndicatorRetireView,
    IndicatorTryView,
)
from .rule_fields import RULE_KIND_LABELS, hidden_rule_values, rule_view

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
        "sample_metrics": [sample_metric(metric, "") for metric in version.metrics if metric.get("code")],
        "rated": version.is_rated,
    }


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
        context["can_edit"] = indicator_editable(user, indicator)
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
