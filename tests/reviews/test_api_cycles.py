"""Review cycles through /api/v1/review-cycles/: everyone signed in reads them, HR admins set them up, launch
(202, then `progress/`) and close them; bad settings answer 400 with the fields of the cycle form."""

from __future__ import annotations

from typing import Any

import pytest

from fairmark.reviews.models import Cycle, CycleStatus

from .support import PHASES, build_reviews, launch, make_cycle, review_of
from .test_api_reviews import REVIEWS, fields_of, send

pytestmark = pytest.mark.django_db

CYCLES = "/api/v1/review-cycles/"
PHASES_OUT = {phase: day.isoformat() for phase, day in PHASES.items()}


def _body(**changes: Any) -> dict[str, Any]:
    return {"name": "2026 Q2 绩效考核", "kind": "quarter", "period_start": "2026-04-01", "period_end": "2026-06-30",
            "population": "departments", "departments": ["LINE1"], "raters_min": 2, "raters_max": 6,
            "phases": {"self_review": "2026-07-05", "manager_review": "2026-07-15"}, **changes}


def test_hr_creates_and_changes_a_cycle(world, client_as) -> None:  # type: ignore[no-untyped-def]
    build_reviews(world)
    created = send(client_as("hr"), "post", CYCLES, _body())
    assert created.status_code == 201, created.content
    cycle = created.json()
    assert cycle["phases"] == {"self_review": "2026-07-05", "manager_review": "2026-07-15"}
    assert (cycle["status"], cycle["departments"], cycle["raters_min"]) == ("draft", ["LINE1"], 2)
    url = f"{CYCLES}{cycle['id']}/"
    changed = send(client_as("hr"), "patch", url, {"name": "2026 Q2", "departments": ["LINE1", "LINE2"],
                                                   "phases": {"self_review": "2026-07-06", "calibration": "2026-07-20"}})
    assert changed.status_code == 200, changed.content
    assert changed.json()["name"] == "2026 Q2"
    assert changed.json()["departments"] == ["LINE1", "LINE2"]
    assert changed.json()["phases"] == {"self_review": "2026-07-06", "calibration": "2026-07-20"}
    listed = client_as("employee").get(CYCLES).json()
    assert [c["name"] for c in listed["results"]] == ["2026 Q2"]
    assert listed["results"][0]["people"] is None  # a list population is HR's to read
    assert client_as("employee").get(f"{url}?format=json").status_code == 200
    assert client_as("hr").get(f"{CYCLES}?status=active").json()["count"] == 0


def test_only_hr_sets_up_cycles(world, client_as) -> None:  # type: ignore[no-untyped-def]
    build_reviews(world)
    for role in ("employee", "manager", "head", "hrbp", "exec", "admin"):
        assert send(client_as(role), "post", CYCLES, _body()).status_code == 403, role
    cycle = make_cycle(world)
    for role in ("manager", "exec"):
        assert send(client_as(role), "patch", f"{CYCLES}{cycle.pk}/", {"name": "x"}).status_code == 403
        assert send(client_as(role), "post", f"{CYCLES}{cycle.pk}/launch/").status_code == 403
    assert Cycle.objects.get(pk=cycle.pk).status == CycleStatus.DRAFT
    assert client_as("anonymous").get(CYCLES).status_code == 401


def test_bad_settings_name_their_fields(world, client_as) -> None:  # type: ignore[no-untyped-def]
    build_reviews(world)
    hr = client_as("hr")
    cases = [
        (_body(period_end="2026-03-01"), "period_end"),
        (_body(departments=["NOPE"]), "departments"),
        (_body(population="list", departments=[]), "people"),
        (_body(people=["E9999"], population="list"), "people"),
        (_body(phases={"self_review": "someday"}), "phases.self_review"),
        (_body(phases={"self_review": "2026-07-05", "manager_review": "2026-07-01"}), "phases.manager_review"),
        (_body(phases={"coffee": "2026-07-05"}), "phases"),
        (_body(anonymity_minimum=2), "anonymity_minimum"),
        (_body(templates=[999999]), "templates"),
        (_body(kind="weekly"), "kind"),
    ]
    for body, field in cases:
        refused = send(hr, "post", CYCLES, body)
        assert refused.status_code == 400, (field, refused.content)
        assert field in fields_of(refused), (field, refused.json())
    assert not Cycle.objects.exists()


def test_launch_progress_and_close(world, client_as, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    capture = django_capture_on_commit_callbacks
    build_reviews(world)
    cycle = make_cycle(world, departments=("LINE1", "LINE2"))
    url = f"{CYCLES}{cycle.pk}/"
    launched = send(client_as("hr"), "post", f"{url}launch/", capture=capture)
    assert launched.status_code == 202
    assert launched.json()["status"] == "launching"  # the reviews are created once the request has committed
    hr = client_as("hr").get(f"{url}progress/").json()
    assert (hr["status"], hr["launch_total"], hr["launch_done"], hr["reviews"]) == ("active", 8, 8, 8)
    assert hr["by_state"] == {"self_review": 8}
    assert [(d["code"], d["total"]) for d in hr["by_department"]] == [("LINE1", 6), ("LINE2", 2)]
    assert client_as("hr").get(url).json()["phases"] == PHASES_OUT
    mine = client_as("manager").get(f"{url}progress/").json()
    assert (mine["reviews"], [d["code"] for d in mine["by_department"]]) == (6, ["LINE1"])
    assert client_as("employee").get(f"{url}progress/").json()["reviews"] == 1
    again = send(client_as("hr"), "post", f"{url}launch/")
    assert again.status_code == 400
    assert again.json()["code"] == "illegal_transition"
    frozen = send(client_as("hr"), "patch", url, {"departments": ["LINE1"]})
    assert frozen.status_code == 400
    assert "departments" in fields_of(frozen)
    moved = send(client_as("hr"), "patch", url, {"phases": {**PHASES_OUT, "published": "2026-05-05"}})
    assert moved.status_code == 200
    assert moved.json()["phases"]["published"] == "2026-05-05"
    still_open = send(client_as("hr"), "post", f"{url}close/")
    assert still_open.status_code == 400
    assert "status" in fields_of(still_open)
    assert send(client_as("manager"), "post", f"{url}close/").status_code == 403


def test_a_cycle_closes_once_its_reviews_are_done(world, client_as, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    capture = django_capture_on_commit_callbacks
    build_reviews(world)
    cycle = launch(world, make_cycle(world, departments=("LINE2",)), capture)
    for person in ("l2_leader", "other"):
        voided = send(client_as("hr"), "post", f"{REVIEWS}{review_of(world, cycle, person).pk}/act/",
                      {"action": "void", "reason": "试点取消"}, capture)
        assert voided.status_code == 200
    closed = send(client_as("hr"), "post", f"{CYCLES}{cycle.pk}/close/", capture=capture)
    assert closed.status_code == 200, closed.content
    assert closed.json()["status"] == "closed"


def test_reminder_rules_through_the_api(world, client_as) -> None:  # type: ignore[no-untyped-def]
    build_reviews(world)
    rules = [{"id": "before-2", "when": "before", "days": 2, "to": ["person"]},
             {"id": "overdue-3-hr", "when": "overdue", "days": 3, "to": ["hr"]}]
    created = send(client_as("hr"), "post", CYCLES, _body(reminder_rules=rules))
    assert created.status_code == 201, created.content
    assert created.json()["reminder_rules"] == rules
    bad = send(client_as("hr"), "patch", f"{CYCLES}{created.json()['id']}/",
               {"reminder_rules": [{"id": "x", "when": "later", "days": 1, "to": ["person"]}]})
    assert bad.status_code == 400
    assert "reminder_rules" in fields_of(bad)
