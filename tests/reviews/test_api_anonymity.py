"""The 360 anonymity guarantee over the whole reviews API: whatever the person reviewed or their managers read,
no response carries who rated them (a rater's employee id, number, name, user id or login) nor a peer group
of fewer than 3 ratings; with 3 the peer mean shows. Every GET route of the API is listed in READS, and a test
fails when a new one is added without being listed, so a new endpoint cannot slip past these checks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from rest_framework.routers import SimpleRouter

from fairmark.reviews import api as reviews_api
from fairmark.reviews.models import Rater, RaterGroup

from .support import build_reviews, ensure_user, launch, make_cycle, review_of
from .test_api_reviews import REVIEWS, login, send

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Target:
    cycle: int
    review: int
    ratee: str
    peer_task: int


# Every GET route of the reviews API → the URL that reads the review under test (or a peer's rating task).
READS: dict[str, Callable[[Target], str]] = {
    "review-cycle-list": lambda t: "/api/v1/review-cycles/",
    "review-cycle-detail": lambda t: f"/api/v1/review-cycles/{t.cycle}/",
    "review-cycle-progress": lambda t: f"/api/v1/review-cycles/{t.cycle}/progress/",
    "review-list": lambda t: f"{REVIEWS}?cycle={t.cycle}&employee={t.ratee}",  # the peers' own reviews aside
    "review-detail": lambda t: f"{REVIEWS}{t.review}/",
    "review-form": lambda t: f"{REVIEWS}{t.review}/form/",
    "review-raters": lambda t: f"{REVIEWS}{t.review}/raters/",
    "review-explanation": lambda t: f"{REVIEWS}{t.review}/explanation/",
    "rating-task-list": lambda t: "/api/v1/rating-tasks/",
    "rating-task-detail": lambda t: f"/api/v1/rating-tasks/{t.peer_task}/",
}
# The manager approves the nominations, so they read the nominees' names and groups there (never whether one
# rated or declined, nor what: tests/reviews/test_api_raters.py); the person reviewed reads only their own.
NOMINATIONS = {("manager", "review-raters"), ("head", "review-raters"), ("exec", "review-raters")}
READERS = ("employee", "manager", "head", "exec")  # the ratee; the manager audience of explain()
# Words of a key whose integer value could be a person's id ("rater_id", "user"); other ids are small integers
# too and may collide, so they are not compared.
PERSON_KEYS = frozenset({"rater", "name", "number", "user", "actor", "author", "nominated", "by"})


def get_routes() -> set[str]:
    router = SimpleRouter(trailing_slash=True)
    reviews_api.register(router)
    names: set[str] = set()
    for pattern in [*router.urls, *reviews_api.urlpatterns]:
        actions = getattr(pattern.callback, "actions", None)
        if actions is None or "get" in actions:  # a plain view: assume it reads
            names.add(pattern.name)
    return names


def test_reads_cover_every_get_route_of_the_reviews_api() -> None:
    assert set(READS) == get_routes()


@dataclass(frozen=True)
class Who:
    ids: frozenset[int]
    texts: frozenset[str]  # names and numbers: not even inside a longer text
    logins: frozenset[str]  # usernames: compared whole ("peer" is also a group's name)


def raters_of(world: Any, people: tuple[str, ...]) -> Who:
    found = [world.people[p] for p in people]
    return Who(ids=frozenset({e.pk for e in found} | {e.user_id for e in found if e.user_id}),
               texts=frozenset({e.name for e in found} | {e.number for e in found}),
               logins=frozenset(e.user.username for e in found if e.user_id))


def walk(data: Any, path: str = "$") -> Iterator[tuple[str, str, Any]]:
    """(path, key, value) for every value of the JSON; each key also comes as a text of its own (key "")."""
    if isinstance(data, dict):
        for key, value in data.items():
            here = f"{path}.{key}"
            yield here, "", str(key)
            if isinstance(value, dict | list):
                yield from walk(value, here)
            else:
                yield here, str(key).lower(), value
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from walk(value, f"{path}[{index}]")
    else:
        yield path, "", data


def leaks(data: Any, who: Who) -> list[str]:
    found: list[str] = []
    for path, key, value in walk(data):
        if isinstance(value, str):
            # the login "peer" is also the name of the group, which peer_groups() judges
            login = value in who.logins and not (key == "group" and value in RaterGroup.values)
            if login or any(text in value for text in who.texts):
                found.append(f"{path}={value!r}")
        elif (isinstance(value, int) and not isinstance(value, bool) and value in who.ids
              and PERSON_KEYS & set(key.split("_"))):
            found.append(f"{path}={value!r}")
    return found


def peer_groups(data: Any) -> list[str]:
    return [path for path, key, value in walk(data) if key == "group" and value == "peer"]


def _round(world: Any, client_as: Any, capture: Any, peers: tuple[str, ...]) -> Target:
    build_reviews(world)
    cycle = launch(world, make_cycle(world, departments=("LINE1", "LINE2")), capture)
    review = review_of(world, cycle)
    for person in peers:
        ensure_user(world, person)
        send(client_as("manager"), "post", f"{REVIEWS}{review.pk}/raters/",
             {"rater": world.people[person].number, "group": "peer"}, capture)
    send(client_as("employee"), "put", f"{REVIEWS}{review.pk}/form/",
         {"entries": {"teamwork": {"rating": "4"}}, "submit": True}, capture)
    for person, rating, comment in zip(peers, ("5", "4", "3"), ("主动补位", "乐于助人", "沟通及时"), strict=False):
        client = login(world, person)
        task = client.get("/api/v1/rating-tasks/").json()["results"][0]["id"]
        done = send(client, "post", f"/api/v1/rating-tasks/{task}/submit/",
                    {"entries": {"teamwork": {"rating": rating, "comment": comment}}, "comment": f"{comment}!"},
                    capture)
        assert done.status_code == 200, done.content
    task = Rater.objects.filter(review=review).order_by("pk").values_list("pk", flat=True).first()
    return Target(cycle=cycle.pk, review=review.pk, ratee=review.employee.number, peer_task=task or 0)


def _finish(client_as: Any, target: Target, capture: Any) -> None:
    manager = client_as("manager")
    assert send(manager, "post", f"{REVIEWS}{target.review}/act/", {"action": "submit"}, capture).status_code == 200
    done = send(manager, "post", f"{REVIEWS}{target.review}/form/submit/",
                {"entries": {"teamwork": {"rating": "3", "comment": "稳定"}}}, capture)
    assert done.status_code == 200, done.content


def _read_all(client_as: Any, target: Target, who: Who, *, peer_group_allowed: bool) -> dict[str, Any]:
    """Every route as every reader; returns the ratee's explanation."""
    for role in READERS:
        client = client_as(role)
        for name, url in READS.items():
            response = client.get(url(target), HTTP_ACCEPT_LANGUAGE="en")
            assert response.status_code in (200, 403, 404), (role, name, response.status_code)
            if name == "rating-task-detail":
                assert response.status_code == 404, (role, "reads a peer's rating task")
            if name in ("review-detail", "review-explanation"):
                assert response.status_code == 200, (role, name)
            body = response.json()
            if (role, name) in NOMINATIONS and response.status_code == 200:
                assert {row["status"] for row in body} <= {"nominated", "approved", "rejected"}, body
                assert all(set(row) == {"id", "number", "name", "group", "status", "reason"} for row in body)
                continue
            assert not leaks(body, who), (role, name, leaks(body, who))
            if not peer_group_allowed:
                assert not peer_groups(body), (role, name, peer_groups(body))
    explanation: dict[str, Any] = client_as("employee").get(f"{REVIEWS}{target.review}/explanation/").json()
    return explanation


def _teamwork(explanation: dict[str, Any]) -> dict[str, Any]:
    item: dict[str, Any] = next(i for part in explanation["parts"] for section in part["sections"]
                                for i in section["items"] if i["key"] == "teamwork")
    return item


def test_two_peer_ratings_leave_no_trace_in_any_response(world, client_as,  # type: ignore[no-untyped-def]
                                                          django_capture_on_commit_callbacks) -> None:
    capture = django_capture_on_commit_callbacks
    target = _round(world, client_as, capture, ("peer", "peer2"))
    who = raters_of(world, ("peer", "peer2"))
    during = _teamwork(_read_all(client_as, target, who, peer_group_allowed=False))  # the 360 round is open
    # While the round is open the ratee sees only the known raters' groups, no count of anonymous ratings and no
    # score that depends on them (a rating given at a known moment cannot be read off the change it makes).
    assert {g["group"] for g in during["groups"]} == {"self"}
    assert during["withheld"] == 0
    assert during["score"] is None
    _finish(client_as, target, capture)
    teamwork = _teamwork(_read_all(client_as, target, who, peer_group_allowed=False))
    # the peers' weight goes to the pool of "others", which is empty: 2 ratings are fewer than 3
    assert {g["group"]: g["count"] for g in teamwork["groups"]} == {"manager": 1, "self": 1}
    assert teamwork["withheld"] == 2
    # The check itself finds names where HR may read them.
    hr = client_as("hr").get(f"{REVIEWS}{target.review}/explanation/").json()
    assert leaks(hr, who)
    assert {r["number"] for r in hr["raters"]} == {"E0005", "E0012"}


def test_three_peer_ratings_show_the_peer_mean_and_still_no_one(world, client_as,  # type: ignore[no-untyped-def]
                                                                 django_capture_on_commit_callbacks) -> None:
    capture = django_capture_on_commit_callbacks
    peers = ("peer", "peer2", "peer3")
    target = _round(world, client_as, capture, peers)
    _finish(client_as, target, capture)
    teamwork = _teamwork(_read_all(client_as, target, raters_of(world, peers), peer_group_allowed=True))
    peer = next(g for g in teamwork["groups"] if g["group"] == "peer")
    assert (peer["count"], peer["mean"], peer["known"]) == (3, "75.00", False)
    assert peer["comments"] == sorted(["主动补位", "乐于助人", "沟通及时"])
    manager = client_as("manager").get(f"{REVIEWS}{target.review}/").json()["explanation"]
    assert next(g for g in _teamwork(manager)["groups"] if g["group"] == "peer")["mean"] == "75.00"
