from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from fairmark.accounts.models import User
from fairmark.audit.models import AuditEvent
from fairmark.core.access import viewer_for
from fairmark.org.models import Employee


def test_user_create_links_an_employee_and_is_audited_as_system(world) -> None:  # type: ignore[no-untyped-def]
    call_command("user", "create", "wu", "--employee", world.people["qa_engineer"].number, "--password", "x-Secret-9")
    user = User.objects.get(username="wu")
    assert Employee.objects.get(user=user) == world.people["qa_engineer"]
    assert user.check_password("x-Secret-9")
    events = AuditEvent.objects.filter(action__in=["user.create", "employee.link_user"])
    assert {e.actor_label for e in events} == {"system"}
    assert viewer_for(user).employee_id == world.people["qa_engineer"].pk


def test_role_grant_and_revoke(world) -> None:  # type: ignore[no-untyped-def]
    call_command("role", "grant", "manager", "hr_bp", "--unit", "QA", "--unit", "HR")
    fresh = User.objects.get(username="manager")
    assert "hr_bp" in viewer_for(fresh).roles
    assert len(viewer_for(fresh).hr_paths) == 2
    call_command("role", "revoke", "manager", "hr_bp")
    assert "hr_bp" not in viewer_for(User.objects.get(username="manager")).roles
    with pytest.raises(CommandError):
        call_command("role", "grant", "manager", "hr_bp", "--unit", "NOPE")
    with pytest.raises(CommandError):
        call_command("role", "grant", "nobody", "executive")
