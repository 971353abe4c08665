"""The in-app notification centre: the header's unread count, marking read (own notifications
only), and the API."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client
from django.utils import timezone

from fairmark.accounts.models import User
from fairmark.notifications.models import Notification
from tests.world import World


def _note(user: User | None, key: str, read: bool = False) -> Notification:
    assert user is not None
    return Notification.objects.create(
        recipient=user, kind="test", title=f"Note {key}", event_key=key, read_at=timezone.now() if read else None
    )


def _badge(client: Client) -> str | None:
    html = client.get("/notifications/").content.decode()
    match = re.search(r'data-testid="unread-count">(\d+)<', html)
    return match.group(1) if match else None


def test_header_shows_the_unread_count(world: World, client_as: Any) -> None:
    employee = world.user("employee")
    for key in ("a", "b", "c"):
        _note(employee, key)
    _note(employee, "d", read=True)
    _note(world.user("manager"), "m")  # someone else's
    client = client_as("employee")
    assert _badge(client) == "3"
    assert _badge(client_as("manager")) == "1"
    assert _badge(client_as("hr")) is None  # nothing unread: no badge


def test_centre_lists_only_own_notifications(world: World, client_as: Any) -> None:
    _note(world.user("employee"), "mine")
    _note(world.user("manager"), "theirs")
    html = client_as("employee").get("/notifications/").content.decode()
    assert "Note mine" in html
    assert "Note theirs" not in html


def test_mark_read_page_marks_only_own(world: World, client_as: Any) -> None:
    mine, other_mine = _note(world.user("employee"), "1"), _note(world.user("employee"), "2")
    theirs = _note(world.user("manager"), "3")
    client = client_as("employee")
    response = client.post("/notifications/mark-read/", {"id": [str(mine.pk), str(theirs.pk)]})
    assert response.status_code == 302
    assert Notification.objects.get(pk=mine.pk).read_at is not None
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert Notification.objects.get(pk=other_mine.pk).read_at is None
    assert _badge(client) == "1"
    client.post("/notifications/mark-read/", {"id": "not-a-number"})  # garbage marks nothing...
    assert Notification.objects.get(pk=other_mine.pk).read_at is None
    client.post("/notifications/mark-read/")  # ...no ids marks all of mine
    assert Notification.objects.get(pk=other_mine.pk).read_at is not None
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert _badge(client) is None


def test_api_list_detail_unread_and_mark_read(world: World, client_as: Any) -> None:
    mine = [_note(world.user("employee"), str(i)) for i in range(3)]
    theirs = _note(world.user("manager"), "x")
    client = client_as("employee")

    listing = client.get("/api/v1/notifications/").json()
    assert listing["count"] == 3
    assert {row["id"] for row in listing["results"]} == {n.pk for n in mine}
    assert client.get(f"/api/v1/notifications/{mine[0].pk}/").json()["title"] == "Note 0"
    assert client.get(f"/api/v1/notifications/{theirs.pk}/").status_code == 404

    assert client.get("/api/v1/notifications/unread/").json() == {"unread": 3}
    marked = client.post("/api/v1/notifications/mark-read/", {"ids": [mine[0].pk, theirs.pk]}, content_type="application/json")
    assert marked.json() == {"marked": 1}
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert client.get("/api/v1/notifications/unread/").json() == {"unread": 2}
    assert client.post("/api/v1/notifications/mark-read/", {}, content_type="application/json").json() == {"marked": 2}
    assert client.get("/api/v1/notifications/unread/").json() == {"unread": 0}
    assert client_as("manager").get("/api/v1/notifications/unread/").json() == {"unread": 1}


def test_api_refuses_anonymous_and_bad_input(world: World, client_as: Any) -> None:
    assert client_as("anonymous").get("/api/v1/notifications/unread/").status_code == 401
    bad = client_as("employee").post("/api/v1/notifications/mark-read/", {"ids": ["x"]}, content_type="application/json")
    assert bad.status_code == 400
    assert bad["Content-Type"] == "application/problem+json"
