"""360 raters through the API: who reads which nominations (HR every status; the manager names but never who
rated or declined; the person reviewed only their own nominations), nominating, deciding, approving all,
removing, and the caller's own rating tasks."""

from __future__ import annotations

from typing import Any

import pytest

from fairmark.reviews.models import Rater, RaterStatus

from .support import build_reviews, launch, make_cycle, review_of
from .test_api_reviews import REVIEWS, fields_of, login, send

pytestmark = pytest.mark.django_db

TASKS = "/api/v1/rating-tasks/"


def _setup(world: Any, capture: Any) -> tuple[Any, Any]:
    build_reviews(world)
    cycle = launch(world, make_cycle(world, departments=("LINE1", "LINE2")), capture)
    return review_of(world, cycle), review_of(world, cycle, "other")


def _nominate(client: Any, review: Any, number: str, capture: Any, group: str = "peer") -> Any:
    return send(client, "post", f"{REVIEWS}{review.pk}/raters/", {"rater": number, "group": group}, capture)


def _into_360(world: Any, client_as: Any, review: Any, capture: Any) -> None:
    send(client_as("employee"), "put", f"{REVIEWS}{review.pk}/form/",
         {"entries": {"teamwork": {"rating": "4"}}, "submit": True}, capture)


def test_each_reader_sees_what_they_may_of_the_raters(world, client_as,  # type: ignore[no-untyped-def]
                                                      django_capture_on_commit_callbacks) -> None:
    capture = django_capture_on_commit_callbacks
    review, _other = _setup(world, capture)
    url = f"{REVIEWS}{review.pk}/raters/"
    own = _nominate(client_as("employee"), review, "E0005", capture)
    assert own.status_code == 201
    assert own.json()["status"] == "nominated"
    assert _nominate(client_as("manager"), review, "E0014", capture).json()["status"] == "approved"
    assert [r["number"] for r in client_as("employee").get(url).json()] == ["E0005"]
    assert {r["number"]: r["status"] for r in client_as("manager").get(url).json()} == {
        "E0005": "nominated", "E0014": "approved"}
    assert "nominated_by" not in client_as("manager").get(url).json()[0]
    assert {r["nominated_by"] for r in client_as("hr").get(url).json()} == {"employee", "manager"}
    for role, code in (("head", 403), ("exec", 403), ("admin", 403), ("hrbp", 404)):
        assert client_as(role).get(url).status_code == code, role
    assert send(client_as("manager"), "post", f"/api/v1/review-raters/{own.json()['id']}/decide/",
                {"approve": True}, capture).json()["status"] == "approved"
    _into_360(world, client_as, review, capture)
    rater = login(world, "peer")
    task = rater.get(TASKS).json()["results"][0]
    send(rater, "post", f"{TASKS}{task['id']}/submit/", {"entries": {"teamwork": {"rating": "5"}}}, capture)
    decliner = login(world, "peer4")
    declined = send(decliner, "post", f"{TASKS}{decliner.get(TASKS).json()['results'][0]['id']}/decline/",
                    {"reason": "不了解其工作"}, capture)
    assert declined.json()["status"] == "declined"
    assert {r["number"]: r["status"] for r in client_as("hr").get(url).json()} == {
        "E0005": "submitted", "E0014": "declined"}
    seen = client_as("manager").get(url).json()
    assert {r["number"]: r["status"] for r in seen} == {"E0005": "approved", "E0014": "approved"}
    assert all(r["reason"] == "" and "submitted_at" not in r for r in seen)
    assert {r["status"] for r in client_as("employee").get(url).json()} == {"approved"}


def test_nominations_are_checked(world, client_as, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    capture = django_capture_on_commit_callbacks
    review, other = _setup(world, capture)
    employee = client_as("employee")
    for number, group, field in (("E0004", "peer", "rater"), ("E0003", "peer", "rater"), ("E9999", "peer", "rater"),
                                 ("E0005", "self", "group"), ("E0005", "subordinate", "group")):
        refused = _nominate(employee, review, number, capture, group)
        assert refused.status_code == 400, (number, group, refused.content)
        assert field in fields_of(refused), (number, group, refused.content)
    assert _nominate(employee, review, "E0005", capture).status_code == 201
    assert "rater" in fields_of(_nominate(employee, review, "E0005", capture))
    assert _nominate(client_as("head"), review, "E0012", capture).status_code == 403
    assert _nominate(client_as("manager"), other, "E0012", capture).status_code == 404
    assert not Rater.objects.filter(review=other).exists()


def test_deciding_approving_and_removing(world, client_as, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    capture = django_capture_on_commit_callbacks
    review, _other = _setup(world, capture)
    employee, manager = client_as("employee"), client_as("manager")
    ids = [_nominate(employee, review, n, capture).json()["id"] for n in ("E0005", "E0012")]
    decide = f"/api/v1/review-raters/{ids[0]}/decide/"
    assert send(employee, "post", decide, {"approve": True}).status_code == 403
    assert "reason" in fields_of(send(manager, "post", decide, {"approve": False}))
    rejected = send(manager, "post", decide, {"approve": False, "reason": "不同班次"}, capture)
    assert rejected.json() == {"id": ids[0], "number": "E0005", "name": "刘同事", "group": "peer",
                               "status": "rejected", "reason": "不同班次"}
    assert "status" in fields_of(send(manager, "post", decide, {"approve": True}))
    short = send(manager, "post", f"{REVIEWS}{review.pk}/raters/approve-all/")
    assert short.status_code == 400
    assert "groups.peer" in fields_of(short)
    for number in ("E0013", "E0014"):
        _nominate(employee, review, number, capture)
    assert send(employee, "post", f"{REVIEWS}{review.pk}/raters/approve-all/").status_code == 403
    approved = send(manager, "post", f"{REVIEWS}{review.pk}/raters/approve-all/", capture=capture)
    assert approved.status_code == 200
    assert {r["number"]: r["status"] for r in approved.json()} == {
        "E0005": "rejected", "E0012": "approved", "E0013": "approved", "E0014": "approved"}
    by_manager = _nominate(manager, review, "E0001", capture, "others").json()["id"]
    assert send(employee, "delete", f"/api/v1/review-raters/{by_manager}/").status_code == 403
    assert send(employee, "delete", f"/api/v1/review-raters/{ids[1]}/", capture=capture).status_code == 204
    assert send(client_as("hr"), "delete", f"/api/v1/review-raters/{by_manager}/", capture=capture).status_code == 204
    assert send(client_as("hrbp"), "delete", f"/api/v1/review-raters/{ids[0]}/").status_code == 404
    assert set(Rater.objects.filter(review=review).values_list("rater__number", flat=True)) == {
        "E0005", "E0013", "E0014"}


def test_rating_tasks_are_the_callers_own(world, client_as, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    capture = django_capture_on_commit_callbacks
    review, _other = _setup(world, capture)
    for number in ("E0005", "E0012"):
        _nominate(client_as("manager"), review, number, capture)
    rater, someone = login(world, "peer"), login(world, "peer2")
    task = rater.get(TASKS).json()["results"][0]
    assert (task["employee_name"], task["status"], task["deadline"]) == ("陈员工", "approved", "2026-04-15")
    url = f"{TASKS}{task['id']}/"
    early = send(rater, "put", f"{url}save/", {"entries": {"teamwork": {"rating": "4"}}})
    assert early.status_code == 400
    assert early.json()["code"] == "illegal_transition"
    _into_360(world, client_as, review, capture)
    for client in (someone, client_as("hr"), client_as("employee"), client_as("manager")):
        assert client.get(url).status_code == 404
        assert send(client, "put", f"{url}save/", {"entries": {}}).status_code == 404
    bad = send(rater, "put", f"{url}save/", {"entries": {"teamwork": {"rating": "4.5"}}})
    assert bad.status_code == 400
    assert "items.teamwork.rating" in fields_of(bad)
    assert "items.teamwork.rating" in fields_of(send(rater, "post", f"{url}submit/"))
    saved = send(rater, "put", f"{url}save/", {"entries": {"teamwork": {"rating": "4", "comment": "配合好"}},
                                               "comment": "总体不错"})
    assert saved.json()["items"][0]["rating"] == "4.00"
    assert saved.json()["comment"] == "总体不错"
    assert someone.get(f"{TASKS}{someone.get(TASKS).json()['results'][0]['id']}/").json()["items"][0]["rating"] is None
    done = send(rater, "post", f"{url}submit/", capture=capture)
    assert done.status_code == 200
    assert done.json()["status"] == "submitted"
    again = send(rater, "post", f"{url}submit/")
    assert again.status_code == 400
    assert again.json()["code"] == "illegal_transition"
    assert send(rater, "post", f"{url}decline/", {"reason": "x"}).status_code == 400
    assert Rater.objects.get(pk=task["id"]).status == RaterStatus.SUBMITTED
