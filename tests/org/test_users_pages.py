"""User and role administration pages (/org/users/...), as a system admin would use them."""

from __future__ import annotations

import pyotp
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from fairmark.accounts import services as account_services
from fairmark.accounts.models import User
from fairmark.audit.models import AuditEvent
from fairmark.core import crypto
from fairmark.core.access import Role, viewer_for
from fairmark.org.models import Employee, RoleGrant
from tests.world import PASSWORD, ROLES, TOTP_SECRET

STRONG = "Vivid-Harbour-Lantern-81"


def _sign_in(username: str, password: str, client: Client | None = None):  # type: ignore[no-untyped-def]
    client = client or Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post("/accounts/login/", {"username": username, "password": password, "next": "/"})
    return client, response


def _fresh(user: User) -> User:
    """A new object, so its Viewer is computed from the database and not from a cached one."""
    return User.objects.get(pk=user.pk)


def test_create_and_link_through_the_page(world, client_as) -> None:  # type: ignore[no-untyped-def]
    admin = client_as("admin")
    response = admin.post("/org/users/new/", {"username": "peer", "email": "", "password": STRONG, "employee": "E0005"})
    assert response.status_code == 302
    user = User.objects.get(username="peer")
    assert response.url == f"/org/users/{user.pk}/"
    assert Employee.objects.get(number="E0005").user == user
    assert user.email == "peer@example.com"  # the employee's, as none was given
    actions = set(AuditEvent.objects.filter(actor_id=world.users["admin"].pk).values_list("action", flat=True))
    assert {"user.create", "employee.link_user"} <= actions

    client, signed_in = _sign_in("peer", STRONG)
    assert signed_in.status_code == 302
    assert signed_in.url == "/"
    assert client.get("/").status_code == 200
    assert viewer_for(_fresh(user)).employee_id == world.people["peer"].pk


def test_create_refuses_bad_input_with_form_errors(world, client_as) -> None:  # type: ignore[no-untyped-def]
    admin = client_as("admin")
    cases = [
        ({"username": "newbie", "password": "123"}, "error-password"),
        ({"username": "newbie", "employee": "E9999"}, "error-employee"),
        ({"username": "newbie", "employee": "E0004"}, "error-employee"),  # already has an account
        ({"username": "manager"}, "error-username"),
        ({"username": "has space"}, "error-username"),
    ]
    for data, marker in cases:
        response = admin.post("/org/users/new/", data)
        assert response.status_code == 400, data
        assert f'data-testid="{marker}"' in response.content.decode(), data
    assert not User.objects.filter(username="newbie").exists()
    assert Employee.objects.get(number="E0004").user == world.users["employee"]


def test_list_shows_employee_roles_and_two_factor_and_searches(world, client_as) -> None:  # type: ignore[no-untyped-def]
    admin = client_as("admin")
    page = admin.get("/org/users/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for username in ("employee", "manager", "hrbp", "admin"):
        assert f">{username}</a>" in page
    assert "陈员工" in page
    assert "HR business partner" in page
    found = admin.get("/org/users/?q=E0004").content.decode()
    assert ">employee</a>" in found
    assert ">manager</a>" not in found
    by_name = admin.get("/org/users/?q=张线长").content.decode()
    assert ">manager</a>" in by_name
    assert ">employee</a>" not in by_name
    rows = admin.get("/org/users/?q=E0004", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in rows
    assert ">employee</a>" in rows


def test_list_query_count_does_not_grow_with_accounts(world, client_as) -> None:  # type: ignore[no-untyped-def]
    admin = client_as("admin")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert admin.get("/org/users/").status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for i in range(20):
        user = User.objects.create_user(username=f"extra{i}")
        RoleGrant.objects.create(user=user, role=Role.EXECUTIVE)
    assert count() == few


def test_grant_hr_bp_with_units_then_revoke(world, client_as) -> None:  # type: ignore[no-untyped-def]
    admin = client_as("admin")
    target = world.users["manager"]
    units = [world.depts["QA"], world.depts["LINE2"]]
    response = admin.post(f"/org/users/{target.pk}/roles/", {"role": "hr_bp", "departments": [d.pk for d in units]})
    assert response.status_code == 302
    viewer = viewer_for(_fresh(target))
    assert viewer.has(Role.HR_BP)
    assert set(viewer.hr_paths) == {d.path for d in units}
    assert AuditEvent.objects.filter(action="role.grant", actor_id=world.users["admin"].pk).exists()
    detail = admin.get(f"/org/users/{target.pk}/").content.decode()
    assert 'data-testid="revoke-hr_bp"' in detail

    assert admin.post(f"/org/users/{target.pk}/roles/revoke/", {"role": "hr_bp"}).status_code == 302
    assert not viewer_for(_fresh(target)).has(Role.HR_BP)
    assert not RoleGrant.objects.filter(user=target).exists()


def test_hr_bp_needs_units(world, client_as) -> None:  # type: ignore[no-untyped-def]
    response = client_as("admin").post(f"/org/users/{world.users['manager'].pk}/roles/", {"role": "hr_bp"})
    assert response.status_code == 400
    assert 'data-testid="error-departments"' in response.content.decode()
    assert not RoleGrant.objects.filter(user=world.users["manager"]).exists()


def test_link_moves_and_unlink_removes(world, client_as) -> None:  # type: ignore[no-untyped-def]
    admin = client_as("admin")
    user = world.users["employee"]
    assert admin.post(f"/org/users/{user.pk}/link/", {"employee": "E0005"}).status_code == 302
    assert Employee.objects.get(number="E0005").user == user
    assert Employee.objects.get(number="E0004").user is None
    refused = admin.post(f"/org/users/{user.pk}/link/", {"employee": "E0003"})  # the manager's record
    assert refused.status_code == 400
    assert 'data-testid="error-employee"' in refused.content.decode()
    assert admin.post(f"/org/users/{user.pk}/unlink/").status_code == 302
    assert not Employee.objects.filter(user=user).exists()
    assert viewer_for(_fresh(user)).employee_id is None


def test_deactivated_user_cannot_sign_in_and_token_stops(world, client_as) -> None:  # type: ignore[no-untyped-def]
    target = world.users["manager"]
    _row, token = account_services.token_create(actor=target, user=target, name="script", scopes=["read"])
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert Client().get("/api/v1/me", **bearer).status_code == 200
    session = client_as("manager")
    assert session.get("/").status_code == 200

    admin = client_as("admin")
    assert admin.post(f"/org/users/{target.pk}/active/", {"active": "0"}).status_code == 302
    assert not _fresh(target).is_active
    assert Client().get("/api/v1/me", **bearer).status_code == 401
    assert session.get("/").status_code == 302  # the open session ends
    _client, refused = _sign_in("manager", PASSWORD)
    assert refused.status_code == 400
    assert AuditEvent.objects.filter(action="user.deactivate", object_id=str(target.pk)).exists()

    assert admin.post(f"/org/users/{target.pk}/active/", {"active": "1"}).status_code == 302
    _client, allowed = _sign_in("manager", PASSWORD)
    assert allowed.status_code == 302
    assert Client().get("/api/v1/me", **bearer).status_code == 200


def test_admin_cannot_deactivate_themselves(world, client_as) -> None:  # type: ignore[no-untyped-def]
    admin = world.users["admin"]
    response = client_as("admin").post(f"/org/users/{admin.pk}/active/", {"active": "0"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "You cannot deactivate your own account." in response.content.decode()
    assert _fresh(admin).is_active


def test_reset_two_factor_forces_a_system_admin_to_enrol(world, client_as) -> None:  # type: ignore[no-untyped-def]
    second = User.objects.create_user(username="admin2", password=PASSWORD)
    RoleGrant.objects.create(user=second, role=Role.SYSADMIN)
    User.objects.filter(pk=second.pk).update(totp_secret_encrypted=crypto.encrypt(TOTP_SECRET))
    account_services.totp_confirm(actor=_fresh(second), code=pyotp.TOTP(TOTP_SECRET).now())
    _client, before = _sign_in("admin2", PASSWORD)
    assert before.url.startswith("/accounts/2fa/")  # the code is asked for

    assert client_as("admin").post(f"/org/users/{second.pk}/2fa/reset/").status_code == 302
    assert not _fresh(second).has_totp
    assert AuditEvent.objects.filter(action="user.totp_reset", object_id=str(second.pk)).exists()
    client, signed_in = _sign_in("admin2", PASSWORD)
    assert signed_in.url == "/"  # no code asked for any more...
    forced = client.get("/org/users/")
    assert forced.status_code == 302
    assert forced.url == "/accounts/2fa/setup/"


def test_set_password_validates_and_is_not_audited_in_clear(world, client_as) -> None:  # type: ignore[no-untyped-def]
    admin = client_as("admin")
    target = world.users["employee"]
    weak = admin.post(f"/org/users/{target.pk}/password/", {"password": "password"})
    assert weak.status_code == 400
    assert 'data-testid="error-password"' in weak.content.decode()
    assert _fresh(target).check_password(PASSWORD)

    assert admin.post(f"/org/users/{target.pk}/password/", {"password": STRONG}).status_code == 302
    _client, response = _sign_in("employee", STRONG)
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="user.password_set", object_id=str(target.pk))
    assert STRONG not in f"{event.before}{event.after}"


def test_setting_ones_own_password_keeps_the_session(world, client_as) -> None:  # type: ignore[no-untyped-def]
    admin = client_as("admin")
    assert admin.post(f"/org/users/{world.users['admin'].pk}/password/", {"password": STRONG}).status_code == 302
    assert admin.get("/org/users/").status_code == 200


def _pages(w) -> list[tuple[str, str, dict[str, object]]]:  # type: ignore[no-untyped-def]
    pk = w.users["employee"].pk
    return [
        ("get", "/org/users/", {}), ("get", "/org/users/new/", {}), ("get", f"/org/users/{pk}/", {}),
        ("post", "/org/users/new/", {"username": "x", "password": STRONG}),
        ("post", f"/org/users/{pk}/link/", {"employee": "E0005"}), ("post", f"/org/users/{pk}/unlink/", {}),
        ("post", f"/org/users/{pk}/roles/", {"role": "executive"}),
        ("post", f"/org/users/{pk}/roles/revoke/", {"role": "executive"}),
        ("post", f"/org/users/{pk}/active/", {"active": "0"}), ("post", f"/org/users/{pk}/2fa/reset/", {}),
        ("post", f"/org/users/{pk}/password/", {"password": STRONG}),
    ]


@pytest.mark.parametrize("role", [r for r in ROLES if r not in ("anonymous", "admin")])
def test_non_sysadmins_get_404_on_every_page(world, client_as, role: str) -> None:  # type: ignore[no-untyped-def]
    client = client_as(role)
    for method, url, data in _pages(world):
        assert getattr(client, method)(url, data).status_code == 404, (role, method, url)
    assert _fresh(world.users["employee"]).is_active
    assert not User.objects.filter(username="x").exists()


def test_users_is_in_the_menu_of_system_admins_only(world, client_as) -> None:  # type: ignore[no-untyped-def]
    assert 'href="/org/users/"' in client_as("admin").get("/").content.decode()
    assert 'href="/org/users/"' not in client_as("hr").get("/").content.decode()
