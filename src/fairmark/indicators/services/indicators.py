"""Changing the indicator library (指标库). Every write is audited and re-checks the actor's scope inside
its transaction. A published version is never changed: saving an indicator whose newest version is published
opens the next version as a draft; publishing it supersedes the old one, which stays readable for the
templates and cycles that pinned it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from fairmark.audit import services as audit
from fairmark.core.errors import ServiceError
from fairmark.core.scoping import ensure_in_scope
from fairmark.org.models import Department, Employee

from ..models import Indicator, IndicatorVersion
from ..selectors import indicators_editable_by
from .checks import check_code, check_indicator
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

VERSION_FIELDS = (
    "name_zh", "name_en", "category", "unit", "direction", "definition_zh", "definition_en", "metrics",
    "aggregation", "formula", "scoring", "data_source_hint", "note",
)


def known_metrics() -> dict[str, dict[str, str]]:
    """Names and units of every metric code some indicator already describes, newest description first."""
    known: dict[str, dict[str, str]] = {}
    for metrics in IndicatorVersion.objects.order_by("-id").values_list("metrics", flat=True):
        for metric in metrics or []:
            if metric.get("name_zh") and metric.get("code") not in known:
                known[metric["code"]] = metric
    return known


def validated(data: Mapping[str, Any]) -> dict[str, Any]:
    clean, errors = check_indicator(data, known_metrics=known_metrics())
    if errors:
        raise ServiceError(_("The indicator has errors; see the fields marked."), fields=errors)
    return {field: clean[field] for field in VERSION_FIELDS}


@transaction.atomic
def indicator_create(*, actor: Any, code: str, data: Mapping[str, Any], owner_department: Department | None = None,
                     owner: Employee | None = None, publish_now: bool = False) -> Indicator:
    check_owner(actor, owner_department)
    errors: dict[str, list[str]] = {}
    code = check_code(code, errors)
    if not errors and Indicator.objects.filter(code=code).exists():
        errors["code"] = [_("An indicator with this code exists.")]
    clean, field_errors = check_indicator(data, known_metrics=known_metrics())
    errors.update(field_errors)
    if errors:
        raise ServiceError(_("The indicator has errors; see the fields marked."), fields=errors)
    indicator = Indicator.objects.create(code=code, owner_department=owner_department, owner=owner)
    version = IndicatorVersion.objects.create(indicator=indicator, number=1, created_by=user_or_none(actor),
                                              **{field: clean[field] for field in VERSION_FIELDS})
    indicator.head = version
    indicator.save(update_fields=["head"])
    audit.record(actor=actor, action="indicator.create", obj=indicator,
                 after={"code": code, "version": 1, **owners(indicator), **snapshot(version, VERSION_FIELDS)},
                 scope=scope_of(owner_department))
    ensure_in_scope(indicators_editable_by(actor), indicator)
    if publish_now:
        indicator_publish(actor=actor, indicator=indicator)
        indicator.refresh_from_db()
    return indicator


def _lock(indicator: Indicator) -> Indicator:
    return Indicator.objects.select_for_update(of=("self",)).select_related(  # lock the row, not the joined versions
        "head", "published", "owner_department").get(pk=indicator.pk)


@transaction.atomic
def indicator_save(*, actor: Any, indicator: Indicator, data: Mapping[str, Any], base_version: int | None = None,
                   owner_department: Department | Any | None = ..., owner: Employee | Any | None = ...
                   ) -> IndicatorVersion:
    """Save a definition: into the open draft, or as a new draft version when the newest is published.
    `base_version` is the version number the editor started from; if someone saved since, the save is
    refused rather than overwriting their work."""
    ensure_in_scope(indicators_editable_by(actor), indicator)
    indicator = _lock(indicator)
    head = indicator.head
    clean = validated(data)
    before = {**(snapshot(head, VERSION_FIELDS) if head else {}), **owners(indicator)}
    version = write_draft(actor=actor, root=indicator, clean=clean, base_version=base_version,
                          stale=_("Someone saved version %(number)s of this indicator meanwhile; reload the page."))
    if owner_department is not ...:
        check_owner(actor, owner_department)
        indicator.owner_department = owner_department
    if owner is not ...:
        indicator.owner = owner
    indicator.save()
    old, new = audit.diff(before, {**snapshot(version, VERSION_FIELDS), **owners(indicator)})
    audit.record(actor=actor, action="indicator.save", obj=indicator, before=old,
                 after={"version": version.number, **new}, scope=scope_of(indicator.owner_department))
    ensure_in_scope(indicators_editable_by(actor), indicator)
    return version


@transaction.atomic
def indicator_publish(*, actor: Any, indicator: Indicator) -> IndicatorVersion:
    ensure_in_scope(indicators_editable_by(actor), indicator)
    indicator = _lock(indicator)
    draft = open_draft(indicator, _("There is no draft to publish."))
    validated(snapshot(draft, VERSION_FIELDS))  # the rules may have changed since the draft was saved
    return publish(actor=actor, root=indicator, draft=draft, fields=VERSION_FIELDS, action="indicator.publish")


@transaction.atomic
def indicator_discard_draft(*, actor: Any, indicator: Indicator) -> None:
    ensure_in_scope(indicators_editable_by(actor), indicator)
    discard(actor=actor, root=_lock(indicator), fields=VERSION_FIELDS, action="indicator.discard_draft",
            never_published=_("The indicator has never been published; retire it instead."))


@transaction.atomic
def indicator_retire(*, actor: Any, indicator: Indicator, retired: bool = True) -> Indicator:
    """A retired indicator stays readable (old templates and cycles use it) but new templates cannot pick it."""
    ensure_in_scope(indicators_editable_by(actor), indicator)
    result: Indicator = set_flag(actor=actor, root=_lock(indicator), field="retired", value=retired,
                                 actions=("indicator.retire", "indicator.restore"))
    return result
