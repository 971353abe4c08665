from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from fairmark.accounts import services
from fairmark.accounts.models import ApiToken
from fairmark.accounts.tokens import hash_token
from fairmark.core.errors import OutOfScope, ServiceError


def _bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_token_is_hashed_at_rest_and_authenticates(world) -> None:  # type: ignore[no-untyped-def]
    user = world.users["manager"]
    row, text = services.token_create(actor=user, user=user, name="script", scopes=["read"])
    stored = ApiToken.objects.get(pk=row.pk)
    assert text not in (stored.secret_hash, stored.prefix)
    assert stored.secret_hash == hash_token(text)
    response = Client().get("/api/v1/me", **_bearer(text))
    assert response.status_code == 200
    assert response.json()["username"] == "manager"
    assert ApiToken.objects.get(pk=row.pk).last_used_at is not None


def test_wrong_expired_and_revoked_tokens_are_refused(world) -> None:  # type: ignore[no-untyped-def]
    user = world.users["employee"]
    row, text = services.token_create(actor=user, user=user, name="t", scopes=["read"])
    assert Client().get("/api/v1/me", **_bearer(text[:-2] + "xx")).status_code == 401
    ApiToken.objects.filter(pk=row.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    expired = Client().get("/api/v1/me", **_bearer(text))
    assert expired.status_code == 401
    assert expired["Content-Type"] == "application/problem+json"
    row2, text2 = services.token_create(actor=user, user=user, name="t2", scopes=["read"])
    services.token_revoke(actor=user, token=row2)
    assert Client().get("/api/v1/me", **_bearer(text2)).status_code == 401


def test_read_scope_cannot_write(world) -> None:  # type: ignore[no-untyped-def]
    hr = world.users["hr"]
    _row, read_only = services.token_create(actor=hr, user=hr, name="r", scopes=["read"])
    _row, writer = services.token_create(actor=hr, user=hr, name="w", scopes=["read", "write"])
    url = f"/api/v1/employees/{world.people['employee'].pk}/"
    refused = Client().patch(url, data='{"location": "X"}', content_type="application/json", **_bearer(read_only))
    assert refused.status_code == 403
    allowed = Client().patch(url, data='{"location": "X"}', content_type="application/json", **_bearer(writer))
    assert allowed.status_code == 200
    assert allowed.json()["location"] == "X"


def test_token_rules(world) -> None:  # type: ignore[no-untyped-def]
    employee, manager = world.users["employee"], world.users["manager"]
    with pytest.raises(OutOfScope):
        services.token_create(actor=manager, user=employee, name="x")
    with pytest.raises(ServiceError) as error:
        services.token_create(actor=employee, user=employee, name="x", scopes=["root"])
    assert "scopes" in error.value.fields
    with pytest.raises(ServiceError):
        services.token_create(actor=employee, user=employee, name="x", expires_in_days=1000)


def test_cli_prints_the_token_as_its_last_line(world, capsys) -> None:  # type: ignore[no-untyped-def]
    call_command("token", "create", "manager", "--scopes", "read")
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last.startswith("fm_")
    assert Client().get("/api/v1/me", **_bearer(last)).json()["username"] == "manager"
