"""The pages of the review templates (考核方案): the list, a template with its versions, and the preview of the
review form as the employee will see it. The editor, the actions and duplicate are in template_editing.py;
every template route is listed here.

Scope as everywhere (DESIGN.md §5): a template the viewer cannot see is 404.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fairmark.core.access import viewer_for
from fairmark.core.scoping import ScopedListView

from ..models import (
    IndicatorVersion,
    ItemKind,
    MissingRule,
    Period,
    RaterGroup,
    Template,
    TemplateVersion,
    VersionStatus,
)
from ..scoring import RatingScaleRule, RuleError, rule_from_dict
from ..selectors import (
    can_create_configuration,
    indicator_versions_visible_to,
    reads_all_configuration,
    template_versions_visible_to,
    templates_visible_to,
)
from . import template_editor as editor
from .common import TemplateObject, language
from .template_editing import (
    TemplateArchiveView,
    TemplateCheckView,
    TemplateDiscardView,
    TemplateDuplicateView,
    TemplateEditorView,
    TemplateEditView,
    TemplateNewView,
    TemplatePublishView,
)

STATUS_FILTERS = {"published": gettext_lazy("Published"), "draft": gettext_lazy("Draft"),
                  "archived": gettext_lazy("Archived")}
TARGET_PARAMS = {"threshold": gettext_lazy("Threshold"), "target": gettext_lazy("Target"),
                 "stretch": gettext_lazy("Stretch")}


def optional_url(name: str, *args: Any) -> str:
    """The URL of a page another part of the app may not have yet (the Excel import and export, the
    indicator page): empty when it does not exist, and the page leaves the link out."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _local(data: Mapping[str, Any], field: str = "name") -> str:
    """The English text where the reader reads English and there is one, else the Chinese."""
    english = data.get(f"{field}_en")
    if english and language().startswith("en"):
        return str(english)
    return str(data.get(f"{field}_zh") or "")


def _weight_sections(version: TemplateVersion) -> str:
    """"业绩 KPI 70 · 能力/价值观 30": the weighted sections (adjustments and vetoes weigh 0 and are left out)."""
    return " · ".join(f"{_local(section)} {section.get('weight', '')}" for section in version.sections or []
                      if isinstance(section, Mapping) and str(section.get("weight", "")).strip() not in ("0", ""))


def _applies_summary(applies_to: Mapping[str, Any] | None, limit: int = 3) -> str:
    parts = []
    for dimension in editor.DIMENSIONS:
        values = [str(value) for value in (applies_to or {}).get(dimension) or []]
        if values:
            shown = ", ".join(values[:limit])
            parts.append(f"{shown} +{len(values) - limit}" if len(values) > limit else shown)
    return " · ".join(parts)


def _shown_version(user: Any, template: Template) -> TemplateVersion | None:
    """What a viewer reads of a template: the newest version, or the published one for someone who reads
    only published templates (an employee)."""
    if reads_all_configuration(viewer_for(user)):
        return template.head
    return template.published


def _status_text(template: Template) -> str:
    head, published = template.head, template.published
    parts = []
    if published is not None:
        parts.append(_("v%(number)s published") % {"number": published.number})
    if head is not None and head.status == VersionStatus.DRAFT:
        parts.append(_("v%(number)s draft") % {"number": head.number})
    return " · ".join(parts)


# --- list ---------------------------------------------------------------------------------------------------


class TemplateListView(ScopedListView):
    """The templates the viewer may see, with search and filters. The query count does not depend on the
    number of rows (the selector joins the head, published version and owner)."""

    selector = templates_visible_to
    template_name = "indicators/template_list.html"
    context_object_name = "templates"

    def get_queryset(self) -> QuerySet[Template]:
        qs = super().get_queryset()
        params = self.request.GET
        if q := params.get("q", "").strip():
            qs = qs.filter(Q(code__icontains=q) | Q(head__name_zh__icontains=q) | Q(head__name_en__icontains=q)
                           | Q(published__name_zh__icontains=q) | Q(published__name_en__icontains=q))
        if period := params.get("period"):
            field = "head__period" if reads_all_configuration(viewer_for(self.request.user)) else "published__period"
            qs = qs.filter(**{field: period})
        status = params.get("status")
        if status == "published":
            qs = qs.filter(archived=False, published__isnull=False)
        elif status == "draft":
            qs = qs.filter(archived=False, head__status=VersionStatus.DRAFT)
        elif status == "archived":
            qs = qs.filter(archived=True)
        return qs

    def get_template_names(self) -> list[str]:
        if getattr(self.request, "htmx", False):
            return ["indicators/_template_rows.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        periods = dict(Period.choices)
        rows = []
        for template in context["templates"]:
            version = _shown_version(user, template)
            rows.append({
                "template": template, "version": version,
                "name": version.display_name if version else "",
                "period": periods.get(version.period, version.period) if version else "",
                "sections": _weight_sections(version) if version else "",
                "applies": _applies_summary(version.applies_to) if version else "",
                "status": _status_text(template),
            })
        context["rows"] = rows
        context["periods"] = Period.choices
        context["statuses"] = list(STATUS_FILTERS.items())
        context["can_create"] = can_create_configuration(user)
        context["import_url"] = optional_url("indicators:template_import")
        return context


# --- reading a version: the definition and the preview ------------------------------------------------------


def _indicator_versions(user: Any, sections: list[Any]) -> dict[tuple[str, int | None], IndicatorVersion]:
    """The indicator versions a template version's items score with, in one query: the pinned number where
    the item has one (a published template), else the indicator's published version (a draft)."""
    pinned: set[tuple[str, int]] = set()
    unpinned: set[str] = set()
    for section in sections:
        for item in section.get("items") or []:
            code = item.get("indicator")
            if not isinstance(code, str) or not code:
                continue
            number = item.get("indicator_version")
            if isinstance(number, int):
                pinned.add((code, number))
            else:
                unpinned.add(code)
    if not pinned and not unpinned:
        return {}
    condition = Q(pk__in=[])
    for code, number in pinned:
        condition |= Q(indicator__code=code, number=number)
    if unpinned:
        condition |= Q(indicator__code__in=sorted(unpinned), indicator__published=F("id"))
    found: dict[tuple[str, int | None], IndicatorVersion] = {}
    for version in indicator_versions_visible_to(user).filter(condition):
        code = version.indicator.code
        if (code, version.number) in pinned:
            found[(code, version.number)] = version
        if code in unpinned and version.indicator.published_id == version.pk:
            found[(code, None)] = version
    return found


def _rule_text(scoring: Any) -> str:
    try:
        return rule_from_dict(scoring).describe().text(language())
    except RuleError:
        return ""


def _scale(scoring: Any) -> list[dict[str, str]]:
    try:
        rule = rule_from_dict(scoring)
    except RuleError:
        return []
    if not isinstance(rule, RatingScaleRule):
        return []
    english = language().startswith("en")
    return [{"rating": editor.format_decimal(point.rating), "score": editor.format_decimal(point.score),
             "anchor": (point.anchor_en or point.anchor_zh) if english else (point.anchor_zh or point.anchor_en)}
            for point in rule.scale]


def _targets(scoring: Any) -> list[tuple[str, str]]:
    params = (scoring or {}).get("params") or {} if isinstance(scoring, Mapping) else {}
    return [(str(label), str(params[name])) for name, label in TARGET_PARAMS.items()
            if isinstance(params, Mapping) and params.get(name) not in (None, "")]


def _veto_condition(item: Mapping[str, Any], version: IndicatorVersion | None) -> str:
    params = {name: item[name] for name in ("trigger", "effect", "grade") if name in item}
    if "trigger" in params:
        text = _rule_text({"kind": "veto", "params": params})
        if text:
            return text
    return _rule_text(version.scoring) if version is not None else ""


def present_sections(user: Any, version: TemplateVersion) -> list[dict[str, Any]]:
    """A version's sections and items as the definition and preview pages show them."""
    sections = [section for section in version.sections or [] if isinstance(section, Mapping)]
    indicators = _indicator_versions(user, sections)
    kinds = dict(ItemKind.choices)
    groups = dict(RaterGroup.choices)
    shown = []
    for section in sections:
        items = []
        for item in section.get("items") or []:
            if not isinstance(item, Mapping):
                continue
            kind = str(item.get("kind", ""))
            code = item.get("indicator") if isinstance(item.get("indicator"), str) else ""
            pinned = item.get("indicator_version") if isinstance(item.get("indicator_version"), int) else None
            indicator = indicators.get((code, pinned)) if code else None
            row: dict[str, Any] = {
                "kind": kind, "kind_label": kinds.get(kind, kind), "code": code, "pinned": pinned,
                "weight": item.get("weight", ""), "cap": item.get("cap", ""),
                "indicator": indicator,
                "detail_url": optional_url("indicators:detail", code) if code else "",
                "rater_groups": [(groups.get(str(group.get("group")), group.get("group")), group.get("weight", ""))
                                 for group in item.get("rater_groups") or [] if isinstance(group, Mapping)],
            }
            if kind in (ItemKind.OKR, ItemKind.ADJUSTMENT, ItemKind.VETO) and item.get("name_zh"):
                row["name"] = _local(item)
            else:
                row["name"] = indicator.display_name if indicator else code
            if indicator is not None:
                row.update(definition=indicator.definition, unit=indicator.unit,
                           rule=_rule_text(indicator.scoring), targets=_targets(indicator.scoring),
                           scale=_scale(indicator.scoring) if kind == ItemKind.RATED else [])
            if kind == ItemKind.VETO:
                row["condition"] = _veto_condition(item, indicator)
            items.append(row)
        shown.append({"key": section.get("key", ""), "name": _local(section), "weight": section.get("weight", ""),
                      "items": items})
    return shown


def _header(version: TemplateVersion, template: Template) -> dict[str, Any]:
    applies = version.applies_to or {}
    return {
        "period": dict(Period.choices).get(version.period, version.period),
        "missing_rule": dict(MissingRule.choices).get(version.missing_rule, version.missing_rule),
        "applies": [(label, [str(value) for value in applies.get(dimension) or []]) for dimension, label in (
            ("job_families", _("Job families")), ("positions", _("Positions")), ("levels", _("Levels")))],
        "owner": template.owner_department.display_name if template.owner_department else _("Company-wide"),
    }


class TemplateDetailView(TemplateObject):
    template_name = "indicators/template_detail.html"

    def version(self) -> TemplateVersion | None:
        return _shown_version(self.request.user, self.object)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        template = self.object
        version = self.version()
        if version is None:
            raise Http404
        editable = self.editable()
        context.update(
            version=version, header=_header(version, template), sections=present_sections(user, version),
            versions=template_versions_visible_to(user).filter(template=template),
            can_edit=editable, can_duplicate=can_create_configuration(user),
            has_draft=template.head is not None and template.head.status == VersionStatus.DRAFT,
            export_url=optional_url("indicators:template_export", template.code),
            is_head=version.pk == template.head_id,
        )
        return context


class TemplateVersionView(TemplateDetailView):
    """One version of a template (a superseded one, or the draft next to the published one)."""

    def version(self) -> TemplateVersion | None:
        found: TemplateVersion | None = template_versions_visible_to(self.request.user).filter(
            template=self.object, number=self.kwargs["number"]).first()
        if found is None:
            raise Http404
        return found


class TemplatePreviewView(TemplateObject):
    """The review form as the employee will see it, from the newest version the viewer reads, or
    `?version=N`. Nothing on it can be filled in."""

    template_name = "indicators/template_preview.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        raw = self.request.GET.get("version", "")
        if raw:
            version = template_versions_visible_to(user).filter(
                template=self.object, number=int(raw) if raw.isdigit() else -1).first()
        else:
            version = _shown_version(user, self.object)
        if version is None:
            raise Http404
        context.update(version=version, header=_header(version, self.object),
                       sections=present_sections(user, version))
        return context

urlpatterns: list[URLPattern] = [
    path("templates/", TemplateListView.as_view(), name="templates"),
    path("templates/new/", TemplateNewView.as_view(), name="template_new"),
    path("templates/check/", TemplateCheckView.as_view(), name="template_check"),
    path("templates/editor/", TemplateEditorView.as_view(), name="template_editor"),
    path("templates/<slug:code>/", TemplateDetailView.as_view(), name="template"),
    path("templates/<slug:code>/edit/", TemplateEditView.as_view(), name="template_edit"),
    path("templates/<slug:code>/versions/<int:number>/", TemplateVersionView.as_view(), name="template_version"),
    path("templates/<slug:code>/preview/", TemplatePreviewView.as_view(), name="template_preview"),
    path("templates/<slug:code>/publish/", TemplatePublishView.as_view(), name="template_publish"),
    path("templates/<slug:code>/discard/", TemplateDiscardView.as_view(), name="template_discard"),
    path("templates/<slug:code>/archive/", TemplateArchiveView.as_view(), name="template_archive"),
    path("templates/<slug:code>/duplicate/", TemplateDuplicateView.as_view(), name="template_duplicate"),
]
