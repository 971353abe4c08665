"""The manager's team view: the reviews of the people they manage in running cycles, each phase's late people
and by how many days once the clock is past a deadline, an empty page for someone who manages nobody, and a
query count that does not grow with the team."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fairmark.org.models import Assignment, Employee
from fairmark.reviews.models import Review, ReviewState
from fairmark.reviews.views import team_pages

from .support import build_reviews, launch, make_cycle

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _people(body: str) -> list[str]:
    return re.findall(r'data-testid="team-review" data-person="([^"]+)"', body)


def _late(body: str) -> dict[str, str]:
    return dict(re.findall(r'data-late-person="([^"]+)" data-days="(\d+)"', body))


def _clock(monkeypatch, day: date) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(team_pages, "company_today", lambda cycle: day)


def test_the_manager_sees_their_people_and_who_is_late(world, client_as, monkeypatch,
                                                       django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    build_reviews(world)
    launch(world, make_cycle(world, departments=("LINE1", "LINE2")), django_capture_on_commit_callbacks)
    client = client_as("manager")
    _clock(monkeypatch, date(2026, 4, 10))  # the self-review deadline: not late yet
    body = client.get("/reviews/team/", **EN).content.decode()
    assert sorted(_people(body)) == ["E0004", "E0005", "E0012", "E0013", "E0014"]  # not their own, not LINE2
    assert 'data-testid="team-late"' not in body
    assert "2026-04-10" in body  # the deadline of the self-review phase
    _clock(monkeypatch, date(2026, 4, 13))
    body = client.get("/reviews/team/", **EN).content.decode()
    # Their people, and the manager's own late self-review (late_people counts the viewer's tasks too).
    assert _late(body) == {"E0003": "3", "E0004": "3", "E0005": "3", "E0012": "3", "E0013": "3", "E0014": "3"}
    assert 'data-late-self="true"' in body
    assert 'data-late-phase="self_review"' in body
    assert body.count('data-testid="review-late" data-days="3"') == 5
    # One person submits: no longer late in the self-review; now the manager's own task, not yet late.
    Review.objects.filter(cycle__name="2026 Q1 绩效考核", employee=world.people["employee"]).update(
        state=ReviewState.MANAGER_REVIEW)
    body = client.get("/reviews/team/", **EN).content.decode()
    assert "E0004" not in _late(body)


def test_the_head_sees_the_line_leaders_and_their_people(world, client_as, monkeypatch,
                                                         django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    build_reviews(world)
    launch(world, make_cycle(world, departments=("LINE1", "LINE2")), django_capture_on_commit_callbacks)
    _clock(monkeypatch, date(2026, 4, 12))
    body = client_as("head").get("/reviews/team/", **EN).content.decode()
    assert len(_people(body)) == 8
    # late_people reports the tasks of the head's direct reports: the two line leaders.
    assert _late(body) == {"E0003": "2", "E0006": "2"}


def test_someone_who_manages_nobody_sees_an_empty_page(world, client_as,
                                                       django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    build_reviews(world)
    launch(world, make_cycle(world), django_capture_on_commit_callbacks)
    for role in ("employee", "hr", "admin"):
        response = client_as(role).get("/reviews/team/")
        assert response.status_code == 200
        assert 'data-testid="team-empty"' in response.content.decode()


def test_the_team_page_query_count_does_not_grow_with_the_team(world, client_as, monkeypatch,
                                                               django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    build_reviews(world)
    cycle = launch(world, make_cycle(world, departments=("LINE2",)), django_capture_on_commit_callbacks)
    _clock(monkeypatch, date(2026, 4, 20))
    leader = world.people["l2_leader"]
    template = Review.objects.filter(cycle=cycle).first().template_version  # type: ignore[union-attr]
    from tests.reviews.support import ensure_user

    client = client_as("manager")
    client.force_login(ensure_user(world, "l2_leader"))

    def count() -> int:
        client.get("/reviews/team/")
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/reviews/team/")
        assert response.status_code == 200
        return len(queries)

    small = count()
    for i in range(12):
        person = Employee.objects.create(number=f"T{i:03d}", name=f"组员{i}", company=world.company,
                                         department=leader.department, manager=leader, hire_date=date(2024, 1, 1))
        Assignment.objects.create(employee=person, department=person.department, manager=leader,
                                  valid_from=date(2024, 1, 1))
        Review.objects.create(cycle=cycle, employee=person, department=person.department, template_version=template,
                              state=ReviewState.SELF_REVIEW, manager=leader)
    big = count()
    assert big == small
    body = client.get("/reviews/team/").content.decode()
    assert len(_people(body)) == 13
    assert len(_late(body)) == 14  # and the leader's own self-review
