"""The demo company: the logins the contract promises, a sound org, and an audit trail that holds."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.contrib.auth.hashers import check_password
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from fairmark.accounts.models import User
from fairmark.audit.models import AuditEvent
from fairmark.audit.verification import verify_chain
from fairmark.core.access import Role, viewer_for
from fairmark.demo import generator
from fairmark.notifications.models import Notification
from fairmark.org.models import Assignment, Delegation, Department, Employee, RoleGrant
from fairmark.org.services.hierarchy import nodes_in_loops

SMALL = 80


@pytest.fixture
def small(db: None) -> generator.Result:
    return generator.generate(size=SMALL)


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _subtree(code: str) -> set[int]:
    path = Department.objects.get(code=code).path
    return set(Department.objects.filter(path__startswith=path).values_list("pk", flat=True))


def test_logins_have_the_promised_roles(small: generator.Result) -> None:
    users = {name: _user(name) for name in generator.LOGIN_ROLES}
    for user in users.values():
        assert check_password(generator.DEMO_PASSWORD, user.password)
    viewers = {name: viewer_for(user) for name, user in users.items()}

    admin = users["admin"]
    assert admin.is_superuser
    assert Role.SYSADMIN in viewers["admin"].roles
    assert RoleGrant.objects.filter(user=admin, role=Role.SYSADMIN).exists()
    assert not admin.has_totp, "admin enrols in TOTP at the first login"
    assert viewers["admin"].employee_id is None

    assert Role.HR_ADMIN in viewers["hr"].roles
    assert Role.EXECUTIVE in viewers["exec"].roles
    gm = Employee.objects.get(user=users["exec"])
    assert gm.manager is None
    assert gm.department.parent is None
    assert gm.department.head == gm

    head = Employee.objects.get(user=users["head"])
    assert Role.DEPT_HEAD in viewers["head"].roles
    assert any(head.department.path.startswith(p) for p in viewers["head"].head_paths)

    manager = Employee.objects.get(user=users["manager"])
    employee = Employee.objects.get(user=users["employee"])
    assert Role.MANAGER in viewers["manager"].roles
    assert employee.pk in viewers["manager"].team_ids
    assert employee.manager == manager
    assert manager.manager == head
    assert viewers["employee"].roles == {Role.EMPLOYEE}
    assert employee.status == "active"

    manufacturing = Department.objects.get(code="MFG")
    assert Role.HR_BP in viewers["hrbp"].roles
    assert viewers["hrbp"].hr_paths == (manufacturing.path,)
    assert head.department.path.startswith(manufacturing.path)


def test_reporting_lines_follow_the_tree_without_loops(small: generator.Result) -> None:
    current = Employee.objects.exclude(status="left")
    assert current.count() == SMALL
    parent_of = dict(Employee.objects.values_list("id", "manager_id"))
    assert not nodes_in_loops(parent_of)
    assert Employee.objects.filter(manager__isnull=True).count() == 1  # the GM
    assert not Employee.objects.filter(manager__status="left").exists()
    for employee in current.select_related("department", "manager__department"):
        if employee.manager is None:
            continue
        # Everyone reports to someone in their own department or the one above it.
        assert employee.department.path.startswith(employee.manager.department.path)
    for department in Department.objects.select_related("head"):
        assert department.head is not None
        assert department.head.department_id == department.pk


def test_every_employee_has_one_open_assignment_and_transfers_keep_history(small: generator.Result) -> None:
    open_counts = Counter(Assignment.objects.filter(valid_to__isnull=True).values_list("employee_id", flat=True))
    assert set(open_counts) == set(Employee.objects.values_list("pk", flat=True))
    assert set(open_counts.values()) == {1}
    for employee in Employee.objects.all():
        current = Assignment.objects.get(employee=employee, valid_to__isnull=True)
        assert (current.department_id, current.manager_id) == (employee.department_id, employee.manager_id)
    moved = Employee.objects.get(user__username="employee")
    before, after = Assignment.objects.filter(employee=moved).order_by("valid_from")
    assert before.valid_to == after.valid_from - dt.timedelta(days=1)
    assert before.department_id != after.department_id
    assert small.counts["transfers"] >= 3


def test_audit_chain_verifies_with_one_entry_per_created_object(small: generator.Result) -> None:
    assert verify_chain() is None
    assert AuditEvent.objects.filter(action="employee.create").count() == Employee.objects.count()
    assert AuditEvent.objects.filter(action="department.create").count() == Department.objects.count()
    assert AuditEvent.objects.filter(action="employee.transfer").count() == small.counts["transfers"]
    assert AuditEvent.objects.filter(action="delegation.create").count() == Delegation.objects.count() == 2


def test_stand_ins_and_notifications(small: generator.Result) -> None:
    today = timezone.localdate()
    acting = Delegation.objects.get(kind="acting")
    assert acting.valid_from <= today <= acting.valid_to
    assert acting.principal.status == "leave"
    assert Notification.objects.filter(kind="welcome").count() == len(generator.LOGIN_ROLES)
    assert Notification.objects.filter(recipient__username="admin", kind="security").exists()


def test_rerun_detects_the_demo_and_adds_nothing(small: generator.Result) -> None:
    counts = (Employee.objects.count(), Department.objects.count(), User.objects.count(), AuditEvent.objects.count(),
              Notification.objects.count())
    call_command("demo", size=SMALL, no_serve=True)
    assert counts == (Employee.objects.count(), Department.objects.count(), User.objects.count(),
                      AuditEvent.objects.count(), Notification.objects.count())


@pytest.mark.django_db(transaction=True)
def test_reset_rebuilds_once() -> None:
    # Committed data: PostgreSQL cannot TRUNCATE (flush) rows written earlier in the same transaction.
    generator.generate(size=SMALL)
    call_command("demo", size=SMALL + 20, no_serve=True, reset=True)
    assert Employee.objects.exclude(status="left").count() == SMALL + 20
    assert User.objects.filter(username="admin").count() == 1
    assert verify_chain() is None


def test_refuses_to_mix_with_other_data(world: object) -> None:
    with pytest.raises(CommandError):
        call_command("demo", size=SMALL, no_serve=True)
    with pytest.raises(CommandError):
        call_command("demo", size=SMALL, no_serve=True, reset=True)
    with pytest.raises(CommandError):
        call_command("demo", size=10, no_serve=True)


def test_the_demo_has_the_shipped_library(small: generator.Result) -> None:
    from fairmark.indicators import library
    from fairmark.indicators.models import Indicator, Template

    assert Indicator.objects.filter(published__isnull=False).count() == len(library.load_indicators())
    assert Template.objects.filter(published__isnull=False).count() == len(library.load_templates())
