"""The reviews API (/api/v1/reviews/ and /api/v1/rating-tasks/): a whole round through the API alone reaches the
service test's total of 89.00; each endpoint's main refusals answer problem+json with the form's field paths."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from fairmark.reviews.models import ReviewState

from .support import PHASES, build_reviews, ensure_user, launch, make_cycle, push_employee, review_of

pytestmark = pytest.mark.django_db

REVIEWS = "/api/v1/reviews/"


def send(client: Client, method: str, url: str, body: dict[str, Any] | None = None, capture: Any = None) -> Any:
    def go() -> Any:
        if method == "get":
            return client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        return getattr(client, method)(url, data=json.dumps(body or {}), content_type="application/json",
                                       HTTP_ACCEPT_LANGUAGE="en")

    if capture is None:
        return go()
    with capture(execute=True):
        return go()


def fields_of(response: Any) -> dict[str, list[str]]:
    assert response["Content-Type"].startswith("application/problem+json"), response.content
    return {error["field"]: error["messages"] for error in response.json().get("errors", [])}


def login(world: Any, key: str) -> Client:
    client = Client()
    client.force_login(ensure_user(world, key))
    return client


def _api_round(world: Any, client_as: Any, capture: Any) -> int:
    setup = build_reviews(world)
    hr, employee, manager = client_as("hr"), client_as("employee"), client_as("manager")
    body = {"name": "2026 Q1 绩效考核", "kind": "quarter", "period_start": "2026-01-01", "period_end": "2026-03-31",
            "population": "departments", "departments": ["LINE1"],
            "phases": {phase: day.isoformat() for phase, day in PHASES.items()}}
    created = send(hr, "post", "/api/v1/review-cycles/", body)
    assert created.status_code == 201, created.content
    cycle = created.json()["id"]
    assert send(hr, "post", f"/api/v1/review-cycles/{cycle}/launch/", capture=capture).status_code == 202
    assert hr.get(f"/api/v1/review-cycles/{cycle}/progress/").json()["status"] == "active"
    mine = employee.get(REVIEWS).json()["results"]
    assert [r["employee_number"] for r in mine] == ["E0004"]
    pk = mine[0]["id"]
    push_employee(world, setup.mes, "q1", [("defect_rate", "employee", 10, "4"), ("output", "employee", 10, 600),
                                            ("output", "employee", 40, 400)], capture)
    for person in ("peer", "peer2", "peer3"):
        nominated = send(manager, "post", f"{REVIEWS}{pk}/raters/",
                         {"rater": world.people[person].number, "group": "peer"}, capture)
        assert nominated.status_code == 201, nominated.content
        assert nominated.json()["status"] == "approved"
    saved = send(employee, "put", f"{REVIEWS}{pk}/form/",
                 {"entries": {"teamwork": {"rating": "4"}}, "summary": "本季度良率提升"}, capture)
    assert saved.status_code == 200, saved.content
    assert saved.json()["group"] == "self"
    assert saved.json()["missing"] == []
    submitted = send(employee, "post", f"{REVIEWS}{pk}/form/submit/", capture=capture)
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["state"] == ReviewState.RATING_360
    for person, rating in (("peer", "5"), ("peer2", "4"), ("peer3", "3")):
        client = login(world, person)
        tasks = client.get("/api/v1/rating-tasks/").json()["results"]
        assert [t["employee_number"] for t in tasks] == ["E0004"]
        task = client.get(f"/api/v1/rating-tasks/{tasks[0]['id']}/").json()
        assert [i["key"] for i in task["items"]] == ["teamwork"]
        assert len(task["items"][0]["points"]) == 5
        assert task["items"][0]["points"][0]["anchor"]
        url = f"/api/v1/rating-tasks/{task['id']}/"
        assert send(client, "put", f"{url}save/", {"entries": {"teamwork": {"rating": rating}}}, capture).status_code == 200
        done = send(client, "post", f"{url}submit/", capture=capture)
        assert done.status_code == 200, done.content
        assert done.json()["status"] == "submitted"
    closed = send(manager, "post", f"{REVIEWS}{pk}/act/", {"action": "submit"}, capture)
    assert closed.json()["state"] == ReviewState.MANAGER_REVIEW
    assert send(manager, "put", f"{REVIEWS}{pk}/form/", {"entries": {"teamwork": {"rating": "3"}}},
                capture).status_code == 200
    adjusted = send(manager, "put", f"{REVIEWS}{pk}/adjustments/",
                    {"item": "adjustments.0", "points": "3", "reason": "带新人"}, capture)
    assert adjusted.status_code == 200, adjusted.content
    assert adjusted.json() == [{"item": "adjustments.0", "label": "Manager adjustment", "cap": "5", "points": "3.00",
                                "reason": "带新人"}]
    done = send(manager, "post", f"{REVIEWS}{pk}/form/submit/", capture=capture)
    assert done.status_code == 200, done.content
    assert done.json()["state"] == ReviewState.CALIBRATION
    return int(pk)


def test_a_whole_round_through_the_api_reaches_the_services_total(world, client_as,  # type: ignore[no-untyped-def]
                                                                   django_capture_on_commit_callbacks) -> None:
    pk = _api_round(world, client_as, django_capture_on_commit_callbacks)
    detail = client_as("employee").get(f"{REVIEWS}{pk}/").json()
    assert detail["total"] == "89.00"
    assert detail["explanation"]["total"] == "89.00"
    assert detail["explanation"]["audience"] == "ratee"
    assert detail["actions"] == []
    assert detail["form"] is None
    assert [s["to_state"] for s in detail["steps"]] == ["rating_360", "manager_review", "calibration"]
    assert detail["summaries"]["self"] == "本季度良率提升"
    teamwork = next(item for part in detail["explanation"]["parts"] for section in part["sections"]
                    for item in section["items"] if item["key"] == "teamwork")
    assert teamwork["score"] == "60.00"
    assert {g["group"]: (g["count"], g["mean"]) for g in teamwork["groups"]}["peer"] == (3, "75.00")  # scores 100, 75, 50
    hr = client_as("hr").get(f"{REVIEWS}{pk}/").json()
    assert "void" in hr["actions"]
    assert "submit" in hr["actions"]
    assert len(hr["explanation"]["raters"]) == 3


def _launched(world: Any, capture: Any, departments: tuple[str, ...] = ("LINE1", "LINE2")) -> Any:
    build_reviews(world)
    return launch(world, make_cycle(world, departments=departments), capture)


def test_the_list_is_scoped_and_filtered(world, client_as, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    cycle = _launched(world, django_capture_on_commit_callbacks)

    def numbers(role: str, query: str = "") -> list[str]:
        return [r["employee_number"] for r in client_as(role).get(f"{REVIEWS}{query}").json()["results"]]

    assert numbers("employee") == ["E0004"]
    assert numbers("manager") == ["E0003", "E0004", "E0005", "E0012", "E0013", "E0014"]
    assert len(numbers("hr")) == 8
    assert numbers("hrbp") == []
    assert numbers("hr", "?department=LINE2") == ["E0006", "E0007"]
    assert numbers("hr", "?employee=E0007") == ["E0007"]
    assert len(numbers("hr", f"?cycle={cycle.pk}&state=self_review")) == 8
    assert numbers("hr", "?state=closed") == []
    other = review_of(world, cycle, "other")
    assert client_as("manager").get(f"{REVIEWS}{other.pk}/").status_code == 404
    assert client_as("manager").get(f"{REVIEWS}{other.pk}/explanation/").status_code == 404
    assert send(client_as("manager"), "post", f"{REVIEWS}{other.pk}/act/", {"action": "submit"}).status_code == 404


def test_the_detail_shows_the_callers_actions_and_form(world, client_as, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    cycle = _launched(world, django_capture_on_commit_callbacks)
    pk = review_of(world, cycle).pk
    mine = client_as("employee").get(f"{REVIEWS}{pk}/").json()
    assert mine["state"] == "self_review"
    assert mine["actions"] == ["submit"]
    assert mine["form"] == "self"
    assert mine["raters"] == {"nominate": True, "approve": False, "names": False}
    assert mine["template_code"] == "line_ops"
    manager = client_as("manager").get(f"{REVIEWS}{pk}/").json()
    assert manager["actions"] == []
    assert manager["form"] is None
    assert manager["summaries"]["self"] is None  # the self-review is a draft until submitted
    assert client_as("head").get(f"{REVIEWS}{pk}/").json()["actions"] == []
    assert client_as("hr").get(f"{REVIEWS}{pk}/").json()["actions"] == ["void", "skip_phase"]
    assert client_as("exec").get(f"{REVIEWS}{pk}/").json()["actions"] == []


def test_workflow_refusals(world, client_as, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    cycle = _launched(world, django_capture_on_commit_callbacks)
    pk = review_of(world, cycle).pk
    url = f"{REVIEWS}{pk}/act/"
    wrong_role = send(client_as("manager"), "post", url, {"action": "submit"})
    assert wrong_role.status_code == 403
    assert wrong_role.json()["code"] == "illegal_transition"
    incomplete = send(client_as("employee"), "post", url, {"action": "submit"})
    assert incomplete.status_code == 400
    assert fields_of(incomplete) == {"items.teamwork.rating": ["Choose a rating."]}
    no_reason = send(client_as("hr"), "post", url, {"action": "void"})
    assert no_reason.status_code == 400
    assert no_reason.json()["code"] == "illegal_transition"
    assert "reason" in fields_of(no_reason)
    assert send(client_as("hr"), "post", url, {"action": "fly"}).status_code == 400
    nobody = send(client_as("hr"), "post", url, {"action": "delegate", "delegate": "E9999"})
    assert "delegate" in fields_of(nobody)
    assert send(client_as("employee"), "get", f"{REVIEWS}{pk}/").json()["state"] == "self_review"
    voided = send(client_as("hr"), "post", url, {"action": "void", "reason": "重复创建"},
                  django_capture_on_commit_callbacks)
    assert voided.status_code == 200
    assert voided.json()["state"] == "voided"
    assert voided.json()["steps"][-1]["reason"] == "重复创建"


def test_the_form_and_its_field_errors(world, client_as, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    cycle = _launched(world, django_capture_on_commit_callbacks)
    pk = review_of(world, cycle).pk
    url = f"{REVIEWS}{pk}/form/"
    form = client_as("employee").get(url, HTTP_ACCEPT_LANGUAGE="en").json()
    assert form["group"] == "self"
    assert form["missing"] == ["teamwork"]
    assert form["adjustments"] == []
    item = form["items"][0]
    assert item["label"] == "Teamwork"
    assert item["rating"] is None
    assert [p["rating"] for p in item["points"]] == ["1", "2", "3", "4", "5"]
    assert item["points"][3]["anchor"] == "Offers help unasked"
    assert client_as("manager").get(url).status_code == 403  # no manager form during the self-review
    bad = send(client_as("employee"), "put", url, {"entries": {"teamwork": {"rating": "7"}, "nope": {"rating": "1"}}})
    assert bad.status_code == 400
    assert set(fields_of(bad)) == {"items.teamwork.rating", "items.nope"}
    saved = send(client_as("employee"), "patch", url, {"entries": {"teamwork": {"rating": "4", "comment": "主动"}}})
    assert saved.json()["items"][0]["rating"] == "4.00"
    assert saved.json()["items"][0]["comment"] == "主动"
    assert client_as("employee").get(url).json()["missing"] == []
    both = send(client_as("employee"), "put", url, {"entries": {"teamwork": {"rating": "3"}}, "submit": True},
                django_capture_on_commit_callbacks)
    assert both.status_code == 200
    assert both.json()["state"] == "rating_360"
    # In the 360 round the manager drafts their form, but submitting it there is `act/` (closing the round).
    assert client_as("manager").get(url).json()["group"] == "manager"
    early = send(client_as("manager"), "post", f"{url}submit/", {"entries": {"teamwork": {"rating": "3"}}})
    assert early.status_code == 400
    assert early.json()["code"] == "illegal_transition"
    assert client_as("manager").get(url).json()["items"][0]["rating"] is None  # all or nothing


def test_adjustments_and_template(world, client_as, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    cycle = _launched(world, django_capture_on_commit_callbacks)
    review = review_of(world, cycle)
    url = f"{REVIEWS}{review.pk}/adjustments/"
    body = {"item": "adjustments.0", "points": "3", "reason": "带新人"}
    assert send(client_as("manager"), "put", url, body).status_code == 403  # not the manager's phase yet
    send(client_as("hr"), "post", f"{REVIEWS}{review.pk}/act/", {"action": "skip_phase", "reason": "x"},
         django_capture_on_commit_callbacks)
    too_much = send(client_as("manager"), "put", url, {**body, "points": "9"})
    assert too_much.status_code == 400
    assert "points" in fields_of(too_much)
    assert "reason" in fields_of(send(client_as("manager"), "put", url, {**body, "reason": ""}))
    assert "item" in fields_of(send(client_as("manager"), "put", url, {**body, "item": "kpi.0"}))
    assert send(client_as("manager"), "put", url, body).json()[0]["points"] == "3.00"
    assert send(client_as("manager"), "get", f"{REVIEWS}{review.pk}/form/").json()["adjustments"][0]["reason"] == "带新人"
    template = f"{REVIEWS}{review.pk}/template/"
    leader = review_of(world, cycle, "manager").template_version_id
    assert send(client_as("manager"), "put", template, {"template": leader}).status_code == 403
    assert "template" in fields_of(send(client_as("hr"), "put", template, {"template": 999999}))
    changed = send(client_as("hr"), "put", template, {"template": leader}, django_capture_on_commit_callbacks)
    assert changed.status_code == 200
    assert changed.json()["template"] == leader
    assert changed.json()["template_overridden"] is True


def test_the_explanation_endpoint(world, client_as, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    cycle = _launched(world, django_capture_on_commit_callbacks)
    pk = review_of(world, cycle).pk
    mine = client_as("employee").get(f"{REVIEWS}{pk}/explanation/").json()
    assert mine["audience"] == "ratee"
    assert mine["raters"] == []
    assert client_as("manager").get(f"{REVIEWS}{pk}/explanation/").json()["audience"] == "manager"
    assert client_as("hr").get(f"{REVIEWS}{pk}/explanation/").json()["audience"] == "hr"
    assert client_as("hrbp").get(f"{REVIEWS}{pk}/explanation/").status_code == 404


def test_the_lists_read_a_fixed_number_of_queries(world, client_as, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    capture = django_capture_on_commit_callbacks
    build_reviews(world)
    launch(world, make_cycle(world, departments=("LINE2",)), capture)

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client_as("hr").get(url).status_code == 200
        return len(queries)

    few = {url: count(url) for url in (REVIEWS, "/api/v1/review-cycles/")}
    launch(world, make_cycle(world, name="2026 Q1 全员", departments=("LINE1", "QA")), capture)
    assert {url: count(url) for url in few} == few
