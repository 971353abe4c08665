"""User administration that spans accounts and the org: an account created and linked to its employee
record in one transaction, and the link moved or removed afterwards. System admins only."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from fairmark.accounts import services as account_services
from fairmark.accounts.models import User
from fairmark.accounts.selectors import can_manage_users
from fairmark.core.access import forget_viewer
from fairmark.core.errors import OutOfScope, ServiceError

from ..models import Employee
from .employees import employee_link_user


def _require_sysadmin(actor: Any) -> None:
    if not can_manage_users(actor):
        raise OutOfScope(_("Not found."))


def _refuse_if_taken(employee: Employee, user: User | None) -> None:
    """employee_link_user would silently replace the employee's account; here a second account for the
    same person is a mistake to show, not to make (unlink the old one first)."""
    if employee.user_id is not None and (user is None or employee.user_id != user.pk):
        raise ServiceError(
            _("%(employee)s already has an account.") % {"employee": employee},
            fields={"employee": [_("Already has an account.")]},
        )


@transaction.atomic
def user_create_for_employee(
    *, actor: Any, username: str, email: str = "", password: str | None = None, employee: Employee | None = None
) -> User:
    """Create an account and, when given, link it to the employee. Without a password the account
    cannot sign in until a system admin sets one."""
    _require_sysadmin(actor)
    if employee is not None:
        _refuse_if_taken(employee, None)
    email = email or (employee.email if employee else "")
    if password:
        account_services.password_validate(password=password, user=User(username=username, email=email))
    user = account_services.user_create(actor=actor, username=username, password=password or None, email=email)
    if employee is not None:
        employee_link_user(actor=actor, employee=employee, user=user)
    return user


@transaction.atomic
def user_link_employee(*, actor: Any, user: User, employee: Employee | None) -> None:
    """Link the account to `employee` (moving it from the employee it was linked to), or unlink it
    when `employee` is None. Each change is audited by employee_link_user."""
    _require_sysadmin(actor)
    current = Employee.objects.select_for_update().filter(user=user).first()
    if employee is not None:
        _refuse_if_taken(employee, user)
    if current is not None and (employee is None or current.pk != employee.pk):
        employee_link_user(actor=actor, employee=current, user=None)
    if employee is not None and (current is None or current.pk != employee.pk):
        employee_link_user(actor=actor, employee=employee, user=user)
    # The account's roles (employee, manager, head) follow the link.
    forget_viewer(user)
