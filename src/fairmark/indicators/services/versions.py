"""What indicator and template services share: who may own what, the versions' life cycle
(draft → published → superseded) and the audit record of each step."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from fairmark.audit import services as audit
from fairmark.core.access import Role, user_or_none, viewer_for
from fairmark.core.errors import ConflictError, OutOfScope, ServiceError
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


def open_draft(root: Any, refusal: str) -> Any:
    """The draft a publish or a discard acts on; `refusal` when the newest version is not a draft."""
    draft = root.head
    if draft is None or draft.status != VersionStatus.DRAFT:
        raise ServiceError(refusal)
    return draft


def owners(root: Any) -> dict[str, Any]:
    """Who owns an indicator or a template, as the audit log records it."""
    found = {"owner_department_id": root.owner_department_id}
    if hasattr(root, "owner_id"):
        found["owner_id"] = root.owner_id
    return found


def write_draft(*, actor: Any, root: Any, clean: dict[str, Any], base_version: int | None, stale: str) -> Any:
    """Save a checked definition into the open draft of `root`, or as the next version number, a new draft,
    when the newest is published (the caller saves `root`, whose head this sets). `base_version` is the
    version the editor started from: if someone saved since, `stale` is the refusal, so nobody's work is
    overwritten."""
    head = root.head
    if base_version is not None and head is not None and head.number != base_version:
        raise ConflictError(stale % {"number": head.number})
    if head is not None and head.status == VersionStatus.DRAFT:
        for field, value in clean.items():
            setattr(head, field, value)
        head.save()
        return head
    version = root.versions.create(number=(head.number if head else 0) + 1, created_by=user_or_none(actor), **clean)
    root.head = version
    return version


def discard(*, actor: Any, root: Any, fields: tuple[str, ...], action: str, never_published: str) -> None:
    """Drop the draft of `root`: its published version is the newest again. A root that was never published
    has nothing to go back to (`never_published` says what to do instead)."""
    draft = open_draft(root, _("There is no draft to discard."))
    if root.published is None:
        raise ServiceError(never_published)
    root.head = root.published
    root.save(update_fields=["head", "updated_at"])
    audit.record(actor=actor, action=action, obj=root, before={"version": draft.number, **snapshot(draft, fields)},
                 scope=scope_of(root.owner_department))
    draft.delete()


def set_flag(*, actor: Any, root: Any, field: str, value: bool, actions: tuple[str, str]) -> Any:
    """Retire/restore an indicator or archive/restore a template: `actions` are the audit actions for
    (setting, clearing) the flag. Setting it to what it is already records nothing."""
    if getattr(root, field) != value:
        setattr(root, field, value)
        root.save(update_fields=[field, "updated_at"])
        audit.record(actor=actor, action=actions[0] if value else actions[1], obj=root,
                     before={field: not value}, after={field: value}, scope=scope_of(root.owner_department))
    return root
