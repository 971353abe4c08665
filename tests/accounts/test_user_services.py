"""User administration services: system admins only, audited, and what each change does to sign-in."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from fairmark.accounts import services
from fairmark.accounts.models import User
from fairmark.accounts.selectors import users_visible_to
from fairmark.audit.models import AuditEvent
from fairmark.core.access import SYSTEM, Role
from fairmark.core.errors import OutOfScope, ServiceError
from fairmark.org.models import Employee, RoleGrant
from fairmark.org.services import users as org_users
from tests.world import PASSWORD

STRONG = "Vivid-Harbour-Lantern-81"


def _calls(world: Any) -> dict[str, Callable[[Any], Any]]:
    target = world.users["employee"]
    return {
        "user_set_active": lambda actor: services.user_set_active(actor=actor, user=target, active=False),
        "totp_reset": lambda actor: services.totp_reset(actor=actor, user=target),
        "password_set": lambda actor: services.password_set(actor=actor, user=target, password=STRONG),
        "user_create_for_employee": lambda actor: org_users.user_create_for_employee(
            actor=actor, username="newbie", password=STRONG, employee=world.people["peer"]),
        "user_link_employee": lambda actor: org_users.user_link_employee(actor=actor, user=target, employee=None),
    }


@pytest.mark.parametrize("role", ["employee", "manager", "head", "hrbp", "hr", "exec"])
def test_every_service_refuses_non_sysadmins(world, role: str) -> None:  # type: ignore[no-untyped-def]
    before = AuditEvent.objects.count()
    for name, call in _calls(world).items():
        with pytest.raises(OutOfScope):
            call(world.users[role])
        assert AuditEvent.objects.count() == before, name
    target = User.objects.get(pk=world.users["employee"].pk)
    assert target.is_active
    assert target.check_password(PASSWORD)
    assert Employee.objects.get(number="E0004").user == target
    assert not User.objects.filter(username="newbie").exists()


def test_anonymous_and_inactive_admins_are_refused(world) -> None:  # type: ignore[no-untyped-def]
    admin = world.users["admin"]
    User.objects.filter(pk=admin.pk).update(is_active=False)
    for call in _calls(world).values():
        with pytest.raises(OutOfScope):
            call(User.objects.get(pk=admin.pk))
        with pytest.raises(OutOfScope):
            call(None)


@pytest.mark.parametrize("actor", ["admin", "system", "granted"])
def test_system_admins_by_grant_superuser_or_console_may(world, actor: str) -> None:  # type: ignore[no-untyped-def]
    if actor == "granted":
        who: Any = User.objects.create_user(username="ops", password=PASSWORD)
        RoleGrant.objects.create(user=who, role=Role.SYSADMIN)
    else:
        who = SYSTEM if actor == "system" else world.users["admin"]
    for call in _calls(world).values():
        call(who)
    assert not User.objects.get(pk=world.users["employee"].pk).is_active
    assert Employee.objects.get(number="E0005").user == User.objects.get(username="newbie")


def test_users_visible_to_system_admins_only(world) -> None:  # type: ignore[no-untyped-def]
    assert users_visible_to(world.users["admin"]).count() == User.objects.count()
    for role in ("employee", "manager", "head", "hrbp", "hr", "exec"):
        assert not users_visible_to(world.users[role]).exists()
    assert not users_visible_to(None).exists()


def test_set_active_refuses_self_and_is_audited_once(world) -> None:  # type: ignore[no-untyped-def]
    admin, target = world.users["admin"], world.users["manager"]
    with pytest.raises(ServiceError) as refused:
        services.user_set_active(actor=admin, user=admin, active=False)
    assert not isinstance(refused.value, OutOfScope)
    services.user_set_active(actor=admin, user=target, active=False)
    services.user_set_active(actor=admin, user=target, active=False)  # already inactive: nothing to record
    events = AuditEvent.objects.filter(action="user.deactivate", object_id=str(target.pk))
    assert events.count() == 1
    assert events.get().after == {"active": False}
    services.user_set_active(actor=admin, user=target, active=True)
    assert User.objects.get(pk=target.pk).is_active
    assert AuditEvent.objects.filter(action="user.activate", object_id=str(target.pk)).exists()


def test_totp_reset_clears_the_factor(world) -> None:  # type: ignore[no-untyped-def]
    admin = world.users["admin"]
    assert admin.has_totp
    services.totp_reset(actor=SYSTEM, user=admin)
    stored = User.objects.get(pk=admin.pk)
    assert not stored.has_totp
    assert (stored.totp_secret_encrypted, stored.totp_confirmed_at, stored.totp_last_step) == ("", None, 0)
    event = AuditEvent.objects.get(action="user.totp_reset")
    assert (event.before, event.after, event.actor_label) == ({"totp": True}, {"totp": False}, "system")


def test_password_set_validates_and_never_records_the_password(world) -> None:  # type: ignore[no-untyped-def]
    admin, target = world.users["admin"], world.users["employee"]
    for weak in ("123", "password", "employee1"):
        with pytest.raises(ServiceError) as refused:
            services.password_set(actor=admin, user=target, password=weak)
        assert refused.value.fields["password"]
    assert User.objects.get(pk=target.pk).check_password(PASSWORD)
    services.password_set(actor=admin, user=target, password=STRONG)
    assert User.objects.get(pk=target.pk).check_password(STRONG)
    event = AuditEvent.objects.get(action="user.password_set")
    assert STRONG not in str(event.before) + str(event.after)


def test_create_for_employee_is_one_transaction(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """When the link fails after the account was written, the account is not left behind."""
    admin = world.users["admin"]

    def refuse(**kwargs: Any) -> None:
        raise ServiceError("link refused")

    monkeypatch.setattr(org_users, "employee_link_user", refuse)
    with pytest.raises(ServiceError, match="link refused"):
        org_users.user_create_for_employee(actor=admin, username="orphan", password=STRONG,
                                           employee=world.people["peer"])
    assert not User.objects.filter(username="orphan").exists()
    assert not AuditEvent.objects.filter(action="user.create").exists()
    monkeypatch.undo()
    with pytest.raises(ServiceError):
        org_users.user_create_for_employee(actor=admin, username="twin", employee=world.people["employee"])
    with pytest.raises(ServiceError):
        org_users.user_create_for_employee(actor=admin, username="weak", password="123")
    assert not User.objects.filter(username__in=["twin", "weak"]).exists()
    plain = org_users.user_create_for_employee(actor=admin, username="nopass")
    assert not plain.has_usable_password()
