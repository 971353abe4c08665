"""Installing the shipped library (indicators/library: 70 indicators, 10 role templates) into the database.
A fresh database gets it right after its first `migrate`; `fairmark library install` adds what a newer
release ships and leaves every code that exists alone, so nothing HR changed is overwritten."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

from fairmark.audit import services as audit
from fairmark.core.access import SYSTEM

from .. import library
from ..models import Indicator, IndicatorVersion, LibraryInstall, Template, TemplateVersion, VersionStatus
from .indicators import VERSION_FIELDS as INDICATOR_FIELDS
from .templates import VERSION_FIELDS as TEMPLATE_FIELDS


@dataclass(frozen=True)
class Installed:
    indicators: list[str]
    templates: list[str]


@transaction.atomic
def install_library(*, actor: Any = SYSTEM) -> Installed:
    """Add every shipped indicator and template whose code is not in the database yet, published as
    version 1 (templates pin the indicator versions they use). Idempotent."""
    problems = library.validate()
    if problems:  # the shipped files are checked in CI; this guards a hand-edited installation
        raise ValueError("the shipped library is invalid: " + "; ".join(problems[:5]))
    now = timezone.now()
    existing = set(Indicator.objects.values_list("code", flat=True))
    added_indicators: list[str] = []
    for data in library.load_indicators():
        if data["code"] in existing:
            continue
        indicator = Indicator.objects.create(code=data["code"], shipped=True)
        fields = {field: data.get(field) or "" for field in INDICATOR_FIELDS}
        fields["formula"] = data.get("formula") or ""
        fields["metrics"] = data["metrics"]
        fields["scoring"] = data["scoring"]
        version = IndicatorVersion.objects.create(indicator=indicator, number=1, status=VersionStatus.PUBLISHED,
                                                  published_at=now, **fields)
        Indicator.objects.filter(pk=indicator.pk).update(head=version, published=version)
        added_indicators.append(indicator.code)

    pinned = {indicator.code: indicator.published.number
              for indicator in Indicator.objects.select_related("published").filter(published__isnull=False)
              if indicator.published is not None}
    existing_templates = set(Template.objects.values_list("code", flat=True))
    added_templates: list[str] = []
    for data in library.load_templates():
        if data["code"] in existing_templates:
            continue
        sections = data["sections"]
        for section in sections:
            for item in section["items"]:
                if item.get("indicator") in pinned:
                    item["indicator_version"] = pinned[item["indicator"]]
        template = Template.objects.create(code=data["code"], shipped=True)
        fields = {field: data.get(field, "") for field in TEMPLATE_FIELDS}
        fields["sections"] = sections
        fields["applies_to"] = data["applies_to"]
        template_version = TemplateVersion.objects.create(template=template, number=1,
                                                          status=VersionStatus.PUBLISHED, published_at=now, **fields)
        Template.objects.filter(pk=template.pk).update(head=template_version, published=template_version)
        added_templates.append(template.code)

    if not added_indicators and not added_templates and LibraryInstall.objects.exists():
        return Installed([], [])
    install = LibraryInstall.objects.create(library_version=library.library_version(),
                                            indicators_added=len(added_indicators),
                                            templates_added=len(added_templates))
    # One event for the whole installation: the versions themselves keep every definition as installed.
    audit.record(actor=actor, action="library.install", obj=install,
                 after={"library_version": install.library_version, "indicators": added_indicators,
                        "templates": added_templates})
    return Installed(added_indicators, added_templates)


def install_after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """post_migrate: install the library once, into a database that has never had it."""
    if not settings.FAIRMARK_INSTALL_LIBRARY_ON_MIGRATE or using != "default":
        return
    tables = connections[using].introspection.table_names()
    if LibraryInstall._meta.db_table not in tables or Indicator._meta.db_table not in tables:
        return
    if LibraryInstall.objects.using(using).exists() or Indicator.objects.using(using).exists():
        return
    install_library()
