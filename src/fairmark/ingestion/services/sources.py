"""Metrics, sources and their keys, subjects and subject mappings: created and changed here, audited."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from fairmark.accounts.models import ApiToken, TokenScope
from fairmark.accounts.services import token_create
from fairmark.audit.services import record
from fairmark.core.access import Role, viewer_for
from fairmark.core.crypto import decrypt, encrypt
from fairmark.core.errors import OutOfScope, ServiceError, require
from fairmark.org.models import Department, Employee

from ..models import (
    Metric,
    Source,
    SourceKey,
    SourceKind,
)
from ..selectors import sources_managed_by
from .common import CODE

SOURCE_FIELDS = ("name", "kind", "owner_department", "owner", "mapping", "settings", "interval_minutes", "fresh_hours",
                 "time_zone", "enabled")


def _check_owner(actor: Any, department: Department | None) -> None:
    viewer = viewer_for(actor)
    if viewer.has(Role.HR_ADMIN, Role.SYSADMIN):
        return
    if viewer.has(Role.HR_BP) and department is not None and department.path.startswith(tuple(viewer.hr_paths)):
        return
    raise ServiceError(_("Choose one of your own units as the owner."), code="owner_not_allowed",
                       fields={"owner_department": [_("Choose one of your own units.")]})


@transaction.atomic
def source_create(*, actor: Any, code: str, name: str, kind: str, metrics: Iterable[Metric] = (),
                  owner_department: Department | None = None, owner: Employee | None = None,
                  mapping: dict[str, Any] | None = None, settings: dict[str, Any] | None = None,
                  secrets: dict[str, Any] | None = None, interval_minutes: int | None = None, fresh_hours: int = 26,
                  time_zone: str = "", enabled: bool = True) -> Source:
    _check_owner(actor, owner_department)
    require(bool(CODE.match(code)), "code", _("Use lower-case letters, digits and _, starting with a letter."))
    require(not Source.objects.filter(code=code).exists(), "code", _("A source with this code exists."))
    require(bool(name.strip()), "name", _("This field is required."))
    require(kind in SourceKind.values, "kind", _("Unknown kind of source."))
    require(interval_minutes is None or interval_minutes >= 5, "interval_minutes",
             _("Pull at most every 5 minutes."))
    source = Source.objects.create(
        code=code, name=name.strip(), kind=kind, owner_department=owner_department, owner=owner,
        mapping=mapping or {}, settings=settings or {}, interval_minutes=interval_minutes, fresh_hours=fresh_hours,
        time_zone=time_zone, enabled=enabled, secrets_encrypted=encrypt(json.dumps(secrets)) if secrets else "")
    source.metrics.set(list(metrics))
    record(actor=actor, action="ingestion.source.create", obj=source, after=_snapshot(source))
    return source


@transaction.atomic
def source_update(*, actor: Any, source: Source, metrics: Iterable[Metric] | None = None,
                  secrets: dict[str, Any] | None = None, **changes: Any) -> Source:
    """Change the named fields; `secrets` None keeps the stored ones (they are never shown back)."""
    locked = sources_managed_by(actor).select_for_update().filter(pk=source.pk).first()
    if locked is None:
        raise OutOfScope(_("Not found."))
    unknown = set(changes) - set(SOURCE_FIELDS)
    require(not unknown, "source", _("Unknown fields: %(names)s") % {"names": ", ".join(sorted(unknown))})
    if "owner_department" in changes:
        _check_owner(actor, changes["owner_department"])
    before = _snapshot(locked)
    for name, value in changes.items():
        setattr(locked, name, value)
    if secrets is not None:
        locked.secrets_encrypted = encrypt(json.dumps(secrets)) if secrets else ""
    locked.save()
    if metrics is not None:
        locked.metrics.set(list(metrics))
    after = _snapshot(locked)
    if secrets is not None:
        after["secrets"] = "changed"  # never the values
    record(actor=actor, action="ingestion.source.update", obj=locked, before=before, after=after)
    return locked


def source_secrets(source: Source) -> dict[str, Any]:
    if not source.secrets_encrypted:
        return {}
    data: dict[str, Any] = json.loads(decrypt(source.secrets_encrypted))
    return data


def _snapshot(source: Source) -> dict[str, Any]:
    return {"code": source.code, "name": source.name, "kind": source.kind,
            "owner_department": source.owner_department_id, "owner": source.owner_id,
            "metrics": sorted(source.metrics.values_list("code", flat=True)) if source.pk else [],
            "mapping": source.mapping, "settings": source.settings, "interval_minutes": source.interval_minutes,
            "fresh_hours": source.fresh_hours, "time_zone": source.time_zone, "enabled": source.enabled}


@transaction.atomic
def source_key_issue(*, actor: Any, source: Source, name: str = "", expires_in_days: int | None = 365
                     ) -> tuple[ApiToken, str]:
    """A key with the `ingest` scope that may push to this source only. The text is shown once."""
    if not sources_managed_by(actor).filter(pk=source.pk).exists():
        raise OutOfScope(_("Not found."))
    token, text = token_create(actor=actor, user=actor, name=name or _("Push key for %(source)s") % {
        "source": source.code}, scopes=[TokenScope.INGEST], expires_in_days=expires_in_days)
    SourceKey.objects.create(source=source, token=token)
    record(actor=actor, action="ingestion.source.key", obj=source, after={"token": token.prefix})
    return token, text
