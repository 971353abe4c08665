from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from fairmark.audit import services as audit
from fairmark.core.access import viewer_for
from fairmark.core.errors import OutOfScope, ServiceError

from ..models import Delegation, DelegationKind, Employee
from ..selectors import employees_editable_by


@transaction.atomic
def delegation_create(
    *, actor: Any, principal: Employee, delegate: Employee, kind: str, valid_from: dt.date,
    valid_to: dt.date | None = None, reason: str = "",
) -> Delegation:
    """HR may set up any stand-in; a manager may name their own delegate."""
    own = viewer_for(actor).employee_id == principal.pk
    if not own and not employees_editable_by(actor).filter(pk=principal.pk).exists():
        raise OutOfScope(_("Not found."))
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
