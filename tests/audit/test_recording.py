"""Who, from where: actor, IP address and user agent of a request through a real view; 'system'
outside a request."""

from __future__ import annotations

from typing import Any

import pytest

from fairmark.accounts.models import User
from fairmark.audit import services
from fairmark.audit.models import AuditEvent
from fairmark.audit.verification import verify_chain
from tests.world import World

pytestmark = pytest.mark.django_db
AGENT = "Mozilla/5.0 (X11; Linux x86_64) FairmarkTest/1.0"


def _create_token(client: Any, **meta: str) -> AuditEvent:
    response = client.post("/accounts/profile/", {"name": "ERP sync", "scopes": ["read"], "expires_in_days": 30}, **meta)
    assert response.status_code == 200
    return AuditEvent.objects.get(action="token.create")


def test_request_records_actor_ip_and_user_agent(world: World, client_as: Any) -> None:
    event = _create_token(client_as("employee"), REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT=AGENT)
    employee = world.users["employee"]
    assert (event.actor_id, event.actor_label) == (employee.pk, "employee")
    assert event.ip == "203.0.113.7"
    assert event.user_agent == AGENT
    assert isinstance(event.after, dict)
    assert event.after["name"] == "ERP sync"
    assert verify_chain() is None


def test_behind_a_proxy_the_forwarded_address_is_recorded_and_cut_to_size(
    world: World, client_as: Any, settings: Any
) -> None:
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    event = _create_token(client_as("employee"), REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.4, 10.0.0.1")
    assert event.ip == "198.51.100.4"
    # The client controls that header: a huge one must not break the write (PostgreSQL checks lengths).
    long = _create_token_again(client_as("employee"), HTTP_X_FORWARDED_FOR="x" * 500)
    assert long.ip == "x" * 64
    assert verify_chain() is None


def _create_token_again(client: Any, **meta: str) -> AuditEvent:
    client.post("/accounts/profile/", {"name": "second", "scopes": ["read"], "expires_in_days": 30}, **meta)
    return AuditEvent.objects.filter(action="token.create").order_by("-seq").first()  # type: ignore[return-value]


def test_outside_a_request_the_actor_is_system() -> None:
    user = User.objects.create_user(username="target")
    event = services.record(actor=None, action="nightly.cleanup", obj=user)
    assert (event.actor_id, event.actor_label) == (None, "system")
    assert event.ip is None
    assert event.user_agent == ""
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.actor_label, stored.ip, stored.object_type, stored.object_id) == (
        "system", None, "accounts.user", str(user.pk)
    )


def test_record_many_chains_a_batch() -> None:
    user = User.objects.create_user(username="target")
    entries = [services.entry_for(f"bulk.{i}", user, after={"i": i}) for i in range(3)]
    events = services.record_many(actor=user, entries=entries)
    assert [e.seq for e in events] == [1, 2, 3]
    assert events[1].prev_hash == events[0].hash
    assert services.record_many(actor=user, entries=[]) == []
    assert verify_chain() is None
