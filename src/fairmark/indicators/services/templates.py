"""Changing review templates (考核方案). Same life cycle as indicators: a published version never changes;
saving opens the next version as a draft. Publishing re-checks the definition against the indicators
published now and pins each item's indicator version, so a cycle that uses the template scores with exactly
those definitions even after the indicators change."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from fairmark.audit import services as audit
from fairmark.core.errors import ServiceError
from fairmark.core.scoping import ensure_in_scope
from fairmark.org.models import Department

from ..models import Indicator, IndicatorVersion, Template, TemplateVersion
from ..selectors import templates_editable_by, templates_visible_to
from .checks import check_code, check_template
from .versions import (
    check_owner,
    discard,
    open_draft,
    owners,
    publish,
    scope_of,
    set_flag,
    snapshot,
    user_or_none,
    write_draft,
)

VERSION_FIELDS = ("name_zh", "name_en", "period", "missing_rule", "applies_to", "sections", "note")


def usable_indicators() -> dict[str, IndicatorVersion]:
    """code → published version of every indicator a template may use (not retired)."""
    return {
        indicator.code: indicator.published
        for indicator in Indicator.objects.filter(retired=False, published__isnull=False).select_related("published")
        if indicator.published is not None
    }


def validated(data: Mapping[str, Any], indicators: Mapping[str, IndicatorVersion] | None = None) -> dict[str, Any]:
    clean, errors = check_template(data, indicators=usable_indicators() if indicators is None else indicators)
    if errors:
        raise ServiceError(_("The template has errors; see the fields marked."), fields=errors)
    return {field: clean[field] for field in VERSION_FIELDS}


def definition_of(version: TemplateVersion) -> dict[str, Any]:
    """A version's definition as the editor, the API and the Excel export carry it."""
    return {"code": version.template.code, **copy.deepcopy(snapshot(version, VERSION_FIELDS))}


@transaction.atomic
def template_create(*, actor: Any, code: str, data: Mapping[str, Any], owner_department: Department | None = None,
                    publish_now: bool = False) -> Template:
    check_owner(actor, owner_department)
    errors: dict[str, list[str]] = {}
    code = check_code(code, errors)
    if not errors and Template.objects.filter(code=code).exists():
        errors["code"] = [_("A template with this code exists.")]
    clean, field_errors = check_template(data, indicators=usable_indicators())
    errors.update(field_errors)
    if errors:
        raise ServiceError(_("The template has errors; see the fields marked."), fields=errors)
    template = Template.objects.create(code=code, owner_department=owner_department)
    version = TemplateVersion.objects.create(template=template, number=1, created_by=user_or_none(actor),
                                             **{field: clean[field] for field in VERSION_FIELDS})
    template.head = version
    template.save(update_fields=["head"])
    audit.record(actor=actor, action="template.create", obj=template,
                 after={"code": code, "version": 1, **owners(template), **snapshot(version, VERSION_FIELDS)},
                 scope=scope_of(owner_department))
    ensure_in_scope(templates_editable_by(actor), template)
    if publish_now:
        template_publish(actor=actor, template=template)
        template.refresh_from_db()
    return template


def _lock(template: Template) -> Template:
    return Template.objects.select_for_update(of=("self",)).select_related(  # lock the row, not the joined versions
        "head", "published", "owner_department").get(pk=template.pk)


@transaction.atomic
def template_save(*, actor: Any, template: Template, data: Mapping[str, Any], base_version: int | None = None,
                  owner_department: Department | Any | None = ...) -> TemplateVersion:
    ensure_in_scope(templates_editable_by(actor), template)
    template = _lock(template)
    head = template.head
    clean = validated(data)
    before = {**(snapshot(head, VERSION_FIELDS) if head else {}), **owners(template)}
    version = write_draft(actor=actor, root=template, clean=clean, base_version=base_version,
                          stale=_("Someone saved version %(number)s of this template meanwhile; reload the page."))
    if owner_department is not ...:
        check_owner(actor, owner_department)
        template.owner_department = owner_department
    template.save()
    old, new = audit.diff(before, {**snapshot(version, VERSION_FIELDS), **owners(template)})
    audit.record(actor=actor, action="template.save", obj=template, before=old,
                 after={"version": version.number, **new}, scope=scope_of(template.owner_department))
    ensure_in_scope(templates_editable_by(actor), template)
    return version


def _pin(sections: list[dict[str, Any]], indicators: Mapping[str, IndicatorVersion]) -> list[dict[str, Any]]:
    pinned = copy.deepcopy(sections)
    for section in pinned:
        for item in section["items"]:
            if item.get("indicator") in indicators:
                item["indicator_version"] = indicators[item["indicator"]].number
    return pinned


@transaction.atomic
def template_publish(*, actor: Any, template: Template) -> TemplateVersion:
    ensure_in_scope(templates_editable_by(actor), template)
    template = _lock(template)
    draft = open_draft(template, _("There is no draft to publish."))
    indicators = usable_indicators()
    clean = validated(snapshot(draft, VERSION_FIELDS), indicators)
    draft.sections = _pin(clean["sections"], indicators)
    draft.save(update_fields=["sections"])
    return publish(actor=actor, root=template, draft=draft, fields=VERSION_FIELDS, action="template.publish")


@transaction.atomic
def template_discard_draft(*, actor: Any, template: Template) -> None:
    ensure_in_scope(templates_editable_by(actor), template)
    discard(actor=actor, root=_lock(template), fields=VERSION_FIELDS, action="template.discard_draft",
            never_published=_("The template has never been published; archive it instead."))


@transaction.atomic
def template_archive(*, actor: Any, template: Template, archived: bool = True) -> Template:
    ensure_in_scope(templates_editable_by(actor), template)
    result: Template = set_flag(actor=actor, root=_lock(template), field="archived", value=archived,
                                actions=("template.archive", "template.restore"))
    return result


@transaction.atomic
def template_duplicate(*, actor: Any, template: Template, code: str, name_zh: str = "", name_en: str = "",
                       owner_department: Department | Any | None = ...) -> Template:
    """A new template (version 1, draft) with the definition of `template`'s newest version, to adapt."""
    ensure_in_scope(templates_visible_to(actor), template)
    source = template.head
    if source is None:
        raise ServiceError(_("The template has no version to copy."))
    data = definition_of(source)
    data["name_zh"] = name_zh.strip() or _("%(name)s (copy)") % {"name": source.name_zh}
    data["name_en"] = name_en.strip() or (f"{source.name_en} (copy)" if source.name_en else "")
    data["note"] = _("Copied from %(code)s v%(number)s") % {"code": template.code, "number": source.number}
    for section in data["sections"]:
        for item in section["items"]:
            item.pop("indicator_version", None)  # the copy pins its own versions when it is published
    owner = template.owner_department if owner_department is ... else owner_department
    return template_create(actor=actor, code=code, data=data, owner_department=owner)
