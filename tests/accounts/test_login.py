from __future__ import annotations

import pyotp
import pytest
from django.contrib.auth.hashers import identify_hasher, make_password
from django.test import Client, override_settings

from fairmark.accounts.models import User
from tests.world import PASSWORD, TOTP_SECRET


def _login(client: Client, username: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return client.post("/accounts/login/", {"username": username, "password": password, "next": "/org/people/"})


def test_login_with_password_reaches_the_next_page(world) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    response = _login(client, "manager")
    assert response.status_code == 302
    assert response.url == "/org/people/"
    assert client.get("/").status_code == 200


def test_wrong_password_is_refused_with_a_message(world) -> None:  # type: ignore[no-untyped-def]
    response = _login(Client(HTTP_ACCEPT_LANGUAGE="en"), "manager", "nope")
    assert response.status_code == 400
    assert "The username or password is wrong." in response.content.decode()
    chinese = _login(Client(HTTP_ACCEPT_LANGUAGE="zh-CN"), "manager", "nope")
    assert 'data-testid="login-error"' in chinese.content.decode()
    assert "The username or password is wrong." not in chinese.content.decode()


def test_open_redirect_is_refused(world) -> None:  # type: ignore[no-untyped-def]
    response = Client().post("/accounts/login/", {"username": "manager", "password": PASSWORD,
                                                  "next": "https://evil.example.com/"})
    assert response.status_code == 302
    assert response.url == "/"


@override_settings(AXES_FAILURE_LIMIT=3)
def test_login_is_throttled_after_repeated_failures(world) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    for _ in range(3):
        _login(client, "manager", "wrong")
    # Even the right password is refused while locked out.
    response = _login(client, "manager")
    assert response.status_code == 429
    assert client.get("/").status_code == 302  # still not signed in


def test_passwords_are_hashed_with_argon2() -> None:
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.Argon2PasswordHasher"]):
        encoded = make_password("fairmark-demo")
        assert identify_hasher(encoded).algorithm == "argon2"
    assert encoded.startswith("argon2$argon2id$")


def test_totp_user_needs_the_second_step(world) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    response = _login(client, "admin")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/2fa/")
    assert client.get("/").status_code == 302  # not signed in before the code
    bad = client.post("/accounts/2fa/", {"code": "000000"})
    assert bad.status_code == 400
    good = client.post("/accounts/2fa/", {"code": pyotp.TOTP(TOTP_SECRET).now(), "next": "/"})
    assert good.status_code == 302
    assert client.get("/").status_code == 200


def test_a_totp_code_cannot_be_replayed(world) -> None:  # type: ignore[no-untyped-def]
    code = pyotp.TOTP(TOTP_SECRET).now()
    first = Client()
    _login(first, "admin")
    assert first.post("/accounts/2fa/", {"code": code}).status_code == 302
    second = Client()
    _login(second, "admin")
    assert second.post("/accounts/2fa/", {"code": code}).status_code == 400


def test_too_many_wrong_codes_restart_the_sign_in(world) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    _login(client, "admin")
    for _ in range(5):
        client.post("/accounts/2fa/", {"code": "123456"})
    assert client.get("/accounts/2fa/").status_code == 302  # pending sign-in forgotten


def test_system_admin_without_totp_must_enrol(world) -> None:  # type: ignore[no-untyped-def]
    User.objects.filter(username="admin").update(totp_secret_encrypted="", totp_confirmed_at=None)
    client = Client()
    response = _login(client, "admin")
    assert response.status_code == 302
    # Every page sends them to enrolment, and the API refuses the session.
    assert client.get("/org/people/").url == "/accounts/2fa/setup/"
    assert client.get("/api/v1/me").status_code == 403
    page = client.get("/accounts/2fa/setup/")
    assert page.status_code == 200
    secret = page.context["secret"]
    assert "<svg" in page.content.decode()
    assert client.post("/accounts/2fa/setup/", {"code": "000000"}).status_code == 400
    assert client.post("/accounts/2fa/setup/", {"code": pyotp.TOTP(secret).now()}).status_code == 302
    admin = User.objects.get(username="admin")
    assert admin.has_totp
    assert secret not in admin.totp_secret_encrypted  # encrypted at rest
    assert client.get("/org/people/").status_code == 200


@pytest.mark.parametrize("role", ["employee", "hr"])
def test_totp_is_optional_for_other_roles(world, role) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    _login(client, role)
    assert client.get("/org/people/").status_code == 200


def test_production_settings_hash_with_argon2_first() -> None:
    from fairmark.config import settings as production

    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_a_user_changes_their_own_password(world) -> None:  # type: ignore[no-untyped-def]
    from fairmark.audit.models import AuditEvent

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.users["employee"])
    wrong = client.post("/accounts/password/", {"old_password": "nope", "new_password1": "Batt3ry-Line-42",
                                                "new_password2": "Batt3ry-Line-42"})
    assert wrong.status_code == 400
    weak = client.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": "123",
                                               "new_password2": "123"})
    assert weak.status_code == 400
    assert User.objects.get(username="employee").check_password(PASSWORD)
    done = client.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": "Batt3ry-Line-42",
                                               "new_password2": "Batt3ry-Line-42"})
    assert done.status_code == 302
    assert User.objects.get(username="employee").check_password("Batt3ry-Line-42")
    assert client.get("/accounts/profile/").status_code == 200  # still signed in
    assert AuditEvent.objects.filter(action="user.password_change", actor_id=world.users["employee"].pk).exists()
