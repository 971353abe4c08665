"""What indicator and template services share: who may own what, the versions' life cycle
(draft → published → superseded) and the audit record of each step."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from fairmark.audit import services as audit
from fairmark.core.access import Role, viewer_for
from fairmark.core.errors import OutOfScope, ServiceError
from fairmark.org.models import Department
from fairmark.org.selectors import departments_editable_by

from ..models import VersionStatus


def check_owner(actor: Any, owner_department: Department | None) -> None:
    """HR admins own anything, company-wide included; an HR BP only what belongs to one of their units."""
    viewer = viewer_for(actor)
    if viewer.has(Role.HR_ADMIN):
        return
    if not viewer.has(Role.HR_BP):
        raise OutOfScope(_("Not found."))
    if owner_department is None or not departments_editable_by(actor).filter(pk=owner_department.pk).exists():
        raise ServiceError(_("Choose one of your units as the owner."),
                           fields={"owner_department": [_("Choose one of your units as the owner.")]})


def scope_of(owner_department: Department | None) -> str:
    return owner_department.path if owner_department else ""


def snapshot(version: models.Model, fields: tuple[str, ...]) -> dict[str, Any]:
    return {field: getattr(version, field) for field in fields}


def publish(*, actor: Any, root: Any, draft: Any, fields: tuple[str, ...], action: str) -> Any:
    """Publish `draft` of `root` (an Indicator or a Template): the previous published version becomes
    superseded, and everything that pinned it keeps it."""
    previous = root.published
    if previous is not None:
        previous.status = VersionStatus.SUPERSEDED
        previous.save(update_fields=["status"])
    draft.status = VersionStatus.PUBLISHED
    draft.published_at = timezone.now()
    draft.published_by = actor if getattr(actor, "pk", None) else None
    draft.save(update_fields=["status", "published_at", "published_by"])
    root.published = draft
    root.head = draft
    root.save(update_fields=["published", "head", "updated_at"])
    audit.record(actor=actor, action=action, obj=root,
                 before={"version": previous.number} if previous else None,
                 after={"version": draft.number, **snapshot(draft, fields)}, scope=scope_of(root.owner_department))
    return draft


def user_or_none(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None
