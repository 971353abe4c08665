from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from fairmark.audit import services as audit
from fairmark.core.access import viewer_for
from fairmark.core.errors import OutOfScope, ServiceError
from fairmark.core.scoping import ensure_in_scope

from ..models import Delegation, DelegationKind, Employee, EmployeeStatus
from ..selectors import delegations_editable_by, employees_editable_by


@transaction.atomic
def delegation_create(
    *, actor: Any, principal: Employee, delegate: Employee, kind: str, valid_from: dt.date,
    valid_to: dt.date | None = None, reason: str = "",
) -> Delegation:
    """HR may set up any stand-in; a manager may name their own delegate."""
    own = viewer_for(actor).employee_id == principal.pk
    if not own and not employees_editable_by(actor).filter(pk=principal.pk).exists():
        raise OutOfScope(_("Not found."))
    if EmployeeStatus.LEFT in (principal.status, delegate.status):
        raise ServiceError(_("People who have left cannot take part in a stand-in."),
                           fields={"delegate" if delegate.status == EmployeeStatus.LEFT else "principal": [_("Has left.")]})
    if principal.pk == delegate.pk:
        raise ServiceError(_("Nobody can stand in for themselves."), fields={"delegate": [_("Same person.")]})
    if kind not in DelegationKind.values:
        raise ServiceError(_("Unknown kind."), fields={"kind": [_("Unknown kind.")]})
    if valid_to and valid_to < valid_from:
        raise ServiceError(_("The end is before the start."), fields={"valid_to": [_("Before the start.")]})
    delegation = Delegation.objects.create(
        principal=principal, delegate=delegate, kind=kind, valid_from=valid_from, valid_to=valid_to, reason=reason
    )
    audit.record(
        actor=actor, action="delegation.create", obj=delegation, scope=principal.department.path,
        after={"principal": principal.number, "delegate": delegate.number, "kind": kind,
               "valid_from": valid_from.isoformat(), "valid_to": valid_to.isoformat() if valid_to else None},
    )
    return delegation


@transaction.atomic
def delegation_end(*, actor: Any, delegation: Delegation, on: dt.date) -> Delegation:
    """End a stand-in after `on`, its last day (inclusive, like `valid_to` everywhere). Whoever may set
    the stand-in up may end it: the principal themselves, or HR for the people they edit."""
    ensure_in_scope(delegations_editable_by(actor), delegation)
    # Locked (this row only, not the joined ones) and read again: two people pressing "End now" together
    # must not both record an end.
    current = (
        Delegation.objects.select_for_update(of=("self",)).select_related("principal__department").get(pk=delegation.pk)
    )
    if on < current.valid_from:
        raise ServiceError(
            _("This stand-in starts on %(date)s; it cannot end before it starts.")
            % {"date": current.valid_from.isoformat()},
            fields={"valid_to": [_("Before the start.")]},
        )
    if current.valid_to is not None and current.valid_to <= on:
        raise ServiceError(
            _("This stand-in has already ended, or ends by then (%(date)s).") % {"date": current.valid_to.isoformat()},
            fields={"valid_to": [_("Already ended.")]},
        )
    before = current.valid_to
    current.valid_to = on
    current.save(update_fields=["valid_to", "updated_at"])
    audit.record(
        actor=actor, action="delegation.end", obj=current, scope=current.principal.department.path,
        before={"valid_to": before.isoformat() if before else None}, after={"valid_to": on.isoformat()},
    )
    delegation.valid_to = on
    return current
