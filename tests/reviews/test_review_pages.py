"""My reviews and to-dos, the review page and its steps: the phases with deadlines, the steps each role may take
(a refused one is 403 and changes nothing, one not possible now comes back with its reason), the 360
nominations (names only of nominations, never who has rated), the history, and a query count of the to-do page
that does not grow with its rows."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fairmark.reviews.models import Rater, RaterGroup, RaterStatus, Review, ReviewState, ReviewStep
from fairmark.reviews.services import forms, raters

from .support import act, build_reviews, ensure_user, launch, make_cycle, rate_as_peer, review_of

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def launched(world: Any, capture: Any, departments: tuple[str, ...] = ("LINE1",)) -> Review:
    """The employee's review in a launched cycle (in its self-review)."""
    build_reviews(world)
    cycle = launch(world, make_cycle(world, departments=departments), capture)
    return review_of(world, cycle)


def self_reviewed(world: Any, review: Review, capture: Any) -> Review:
    with capture(execute=True):
        forms.save_review_form(actor=world.user("employee"), review=review, entries={"teamwork": {"rating": "4"}})
    act(world, "employee", review, "submit", capture)
    review.refresh_from_db()
    return review


def page(client: Any, url: str) -> str:
    response = client.get(url, **EN)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# ------------------------------------------------------------------------------------------ my reviews

def test_my_reviews_and_my_self_review_to_write(world, client_as, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    review = launched(world, django_capture_on_commit_callbacks)
    body = page(client_as("employee"), "/reviews/")
    assert f'data-review="{review.pk}"' in body
    todo = body.split('data-testid="todo-self"')[1].split("</ul>")[0]
    assert f"/reviews/{review.pk}/form/" in todo
    assert "2026-04-10" in todo
    assert f"/reviews/{review.pk}/explain/" in body
    assert 'data-testid="todo-write"' not in body


def test_the_manager_sees_reviews_to_write_and_nominations_to_approve(world, client_as, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    review = launched(world, django_capture_on_commit_callbacks)
    act(world, "hr", review, "skip_phase", django_capture_on_commit_callbacks, reason="请假")  # → 360 round
    Rater.objects.create(review=review, rater=world.people["peer"], group=RaterGroup.PEER)
    body = page(client_as("manager"), "/reviews/")
    write = body.split('data-testid="todo-write"')[1].split("</ul>")[0]
    assert f'data-review="{review.pk}"' in write
    assert "2026-04-15" in write
    approve = body.split('data-testid="todo-approve"')[1].split("</ul>")[0]
    assert f'data-review="{review.pk}"' in approve
    assert "1 nomination" in approve
    assert "刘同事" not in body  # counts, not the nominees' names


def test_a_rater_sees_their_rating_to_give(world, client_as, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    review = launched(world, django_capture_on_commit_callbacks)
    task = raters.nominate(actor=world.user("hr"), review=review, rater=world.people["prod_head"].pk,
                           group=RaterGroup.PEER)
    assert 'data-testid="todo-rate"' not in page(client_as("head"), "/reviews/")  # not before the 360 round
    self_reviewed(world, review, django_capture_on_commit_callbacks)
    body = page(client_as("head"), "/reviews/")
    rate = body.split('data-testid="todo-rate"')[1].split("</ul>")[0]
    assert f"/reviews/rate/{task.pk}/" in rate
    assert "陈员工" in rate
    assert "2026-04-15" in rate


def test_the_to_do_page_needs_the_same_queries_for_one_row_or_five(world, client_as, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    review = launched(world, django_capture_on_commit_callbacks)
    others = [review_of(world, review.cycle, p) for p in ("peer", "peer2", "peer3", "peer4")]

    def into_360(r: Review, rater: str) -> None:
        act(world, "hr", r, "skip_phase", django_capture_on_commit_callbacks, reason="补录")
        Rater.objects.create(review=r, rater=world.people[rater], group=RaterGroup.PEER)

    into_360(review, "peer")
    client = client_as("manager")
    client.get("/reviews/")
    with CaptureQueriesContext(connection) as one:
        body = page(client, "/reviews/")
    assert body.count("data-review=") == 4  # own review and self-review, one to write, one to approve
    for r, rater in zip(others, ("employee", "peer", "peer2", "peer3"), strict=True):
        into_360(r, rater)
    with CaptureQueriesContext(connection) as five:
        body = page(client, "/reviews/")
    assert body.count("data-review=") == 12
    assert len(five.captured_queries) == len(one.captured_queries)


# ------------------------------------------------------------------------------------------ the review page

def test_the_review_page_shows_phases_total_and_the_steps_of_each_role(world, client_as, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    review = launched(world, django_capture_on_commit_callbacks)
    url = f"/reviews/{review.pk}/"
    body = page(client_as("employee"), url)
    assert 'data-phase="self_review" data-status="current"' in body
    assert 'data-phase="manager_review" data-status="todo"' in body
    assert "2026-04-20" in body
    assert 'data-testid="act-submit"' in body
    assert f"/reviews/{review.pk}/form/" in body
    assert f"/reviews/{review.pk}/explain/" in body
    manager = page(client_as("manager"), url)
    assert 'data-testid="act-submit"' not in manager
    assert 'data-testid="no-action"' in manager
    assert 'data-testid="form-link"' not in manager
    hr = page(client_as("hr"), url)
    void = hr.split('data-action="void"')[1].split("</form>")[0]
    assert 'name="reason"' in void
    assert "required" in void
    assert 'data-action="skip_phase"' in hr
    assert 'data-action="submit"' not in hr
    for role in ("head", "exec", "admin"):
        assert 'data-testid="act-' not in page(client_as(role), url)
    assert client_as("hrbp").get(url).status_code == 404


def test_out_of_scope_reviews_are_not_found(world, client_as, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    review = launched(world, django_capture_on_commit_callbacks, departments=("LINE1", "LINE2"))
    other = review_of(world, review.cycle, "other")
    assert client_as("manager").get(f"/reviews/{other.pk}/").status_code == 404
    assert client_as("employee").get(f"/reviews/{other.pk}/").status_code == 404
    assert client_as("head").get(f"/reviews/{other.pk}/").status_code == 200


def test_a_step_moves_the_review_and_shows_in_the_history(world, client_as, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    review = launched(world, django_capture_on_commit_callbacks)
    forms.save_review_form(actor=world.user("employee"), review=review, entries={"teamwork": {"rating": "4"}})
    client = client_as("employee")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/reviews/{review.pk}/act/", {"action": "submit"})
    assert response.status_code == 302
    assert response["Location"] == f"/reviews/{review.pk}/"
    review.refresh_from_db()
    assert review.state == ReviewState.RATING_360
    history = page(client, f"/reviews/{review.pk}/").split('data-testid="review-history"')[1]
    assert 'data-step="submit"' in history
    assert "陈员工" in history
    assert "Self-review → 360 ratings" in history


def test_a_step_not_possible_now_comes_back_with_its_reason(world, client_as, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    review = launched(world, django_capture_on_commit_callbacks)
    client = client_as("employee")
    response = client.post(f"/reviews/{review.pk}/act/", {"action": "submit"}, follow=True, **EN)
    assert "Rate every item before submitting." in messages_of(response)
    review.refresh_from_db()
    assert review.state == ReviewState.SELF_REVIEW
    assert not ReviewStep.objects.filter(review=review).exists()


def test_a_role_that_may_not_take_the_step_gets_403(world, client_as, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    review = launched(world, django_capture_on_commit_callbacks)
    for role in ("manager", "head", "hr", "exec"):
        assert client_as(role).post(f"/reviews/{review.pk}/act/", {"action": "submit"}).status_code == 403
    assert client_as("hrbp").post(f"/reviews/{review.pk}/act/", {"action": "submit"}).status_code == 404
    review.refresh_from_db()
    assert review.state == ReviewState.SELF_REVIEW


def test_a_return_needs_a_reason(world, client_as, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    review = self_reviewed(world, launched(world, django_capture_on_commit_callbacks), django_capture_on_commit_callbacks)
    client = client_as("manager")
    body = page(client, f"/reviews/{review.pk}/")
    assert 'data-action="return"' in body
    assert "Close the 360 round" in body
    response = client.post(f"/reviews/{review.pk}/act/", {"action": "return", "reason": " "}, follow=True, **EN)
    assert "Give a reason." in messages_of(response)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/reviews/{review.pk}/act/", {"action": "return", "reason": "自评过于简单"})
    review.refresh_from_db()
    assert review.state == ReviewState.SELF_REVIEW
    assert "自评过于简单" in page(client_as("employee"), f"/reviews/{review.pk}/")


def test_hr_voids_and_reopens_at_a_chosen_phase(world, client_as, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    review = launched(world, django_capture_on_commit_callbacks)
    client = client_as("hr")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/reviews/{review.pk}/act/", {"action": "void", "reason": "离职"})
    review.refresh_from_db()
    assert review.state == ReviewState.VOIDED
    reopen = page(client, f"/reviews/{review.pk}/").split('data-action="reopen"')[1].split("</form>")[0]
    assert re.findall(r'<option value="(\w+)"', reopen) == ["self_review", "rating_360", "manager_review",
                                                            "calibration", "published"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/reviews/{review.pk}/act/", {"action": "reopen", "reason": "误操作", "to": "self_review"})
    review.refresh_from_db()
    assert review.state == ReviewState.SELF_REVIEW


def test_hr_delegates_the_managers_task_by_employee_number(world, client_as, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    review = self_reviewed(world, launched(world, django_capture_on_commit_callbacks), django_capture_on_commit_callbacks)
    client = client_as("hr")
    assert 'name="delegate"' in page(client, f"/reviews/{review.pk}/")
    response = client.post(f"/reviews/{review.pk}/act/", {"action": "delegate", "delegate": "X999"}, follow=True, **EN)
    assert any("Unknown employee number." in m for m in messages_of(response))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/reviews/{review.pk}/act/", {"action": "delegate", "delegate": "E0002"})
    review.refresh_from_db()
    assert review.delegate_id == world.people["prod_head"].pk


# ------------------------------------------------------------------------------------------ 360 nominations

def test_nominations_are_made_decided_and_removed_from_the_page(world, client_as, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    review = launched(world, django_capture_on_commit_callbacks)
    employee, manager = client_as("employee"), client_as("manager")
    with django_capture_on_commit_callbacks(execute=True):
        for number in ("E0005", "E0012", "E0013"):
            assert employee.post(f"/reviews/{review.pk}/raters/", {"rater": number, "group": "peer"}).status_code == 302
    rows = {r.rater.number: r for r in Rater.objects.filter(review=review).select_related("rater")}
    assert {r.status for r in rows.values()} == {RaterStatus.NOMINATED}
    mine = page(employee, f"/reviews/{review.pk}/")
    assert "刘同事" in mine
    assert 'data-testid="approve-rater-' not in mine
    response = employee.post(f"/reviews/{review.pk}/raters/", {"rater": "E0003", "group": "peer"}, follow=True, **EN)
    assert any("reviewing manager" in m for m in messages_of(response))
    assert employee.post(f"/reviews/raters/{rows['E0005'].pk}/decide/", {"approve": "1"}).status_code == 403
    body = page(manager, f"/reviews/{review.pk}/")
    assert f'data-testid="approve-rater-{rows["E0005"].pk}"' in body
    assert 'data-testid="approve-all"' in body
    response = manager.post(f"/reviews/raters/{rows['E0005'].pk}/decide/", {"approve": "0"}, follow=True, **EN)
    assert any("Give a reason." in m for m in messages_of(response))
    with django_capture_on_commit_callbacks(execute=True):
        manager.post(f"/reviews/raters/{rows['E0005'].pk}/decide/", {"approve": "0", "reason": "不同工段"})
        manager.post(f"/reviews/raters/{rows['E0012'].pk}/decide/", {"approve": "1"})
    statuses = dict(Rater.objects.filter(review=review).values_list("rater__number", "status"))
    assert statuses == {"E0005": "rejected", "E0012": "approved", "E0013": "nominated"}
    response = manager.post(f"/reviews/{review.pk}/raters/approve/", follow=True, **EN)
    assert any("at least 3" in m for m in messages_of(response))  # two left in the peer group
    assert employee.post(f"/reviews/raters/{rows['E0013'].pk}/remove/").status_code == 302
    assert not Rater.objects.filter(pk=rows["E0013"].pk).exists()
    assert client_as("hrbp").post(f"/reviews/raters/{rows['E0012'].pk}/remove/").status_code == 404
    assert client_as("head").post(f"/reviews/raters/{rows['E0012'].pk}/remove/").status_code == 403


def test_approve_all(world, client_as, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    review = launched(world, django_capture_on_commit_callbacks)
    for key in ("peer", "peer2", "peer3"):
        raters.nominate(actor=world.user("employee"), review=review, rater=world.people[key].pk, group="peer")
    with django_capture_on_commit_callbacks(execute=True):
        assert client_as("manager").post(f"/reviews/{review.pk}/raters/approve/").status_code == 302
    assert set(Rater.objects.filter(review=review).values_list("status", flat=True)) == {RaterStatus.APPROVED}


def test_nobody_but_hr_learns_who_has_rated(world, client_as, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    review = launched(world, django_capture_on_commit_callbacks)
    for key in ("peer", "peer2", "peer3"):
        raters.nominate(actor=world.user("employee"), review=review, rater=world.people[key].pk, group="peer")
    raters.approve_all(actor=world.user("manager"), review=review)
    self_reviewed(world, review, django_capture_on_commit_callbacks)
    rate_as_peer(world, review, "peer", "4", django_capture_on_commit_callbacks)
    ensure_user(world, "peer2")
    for role in ("employee", "manager"):
        body = page(client_as(role), f"/reviews/{review.pk}/")
        assert 'data-status="submitted"' not in body
        assert "Rated" not in body
        assert body.count('data-status="approved"') == 3
    hr = page(client_as("hr"), f"/reviews/{review.pk}/")
    assert hr.count('data-status="submitted"') == 1


def test_hr_puts_a_review_on_another_template_from_its_page(world, client_as,  # type: ignore[no-untyped-def]
                                                             django_capture_on_commit_callbacks) -> None:
    from fairmark.audit.models import AuditEvent
    from fairmark.reviews.models import Cycle, Review

    from .support import build_reviews, launch, make_cycle

    setup = build_reviews(world)
    cycle: Cycle = launch(world, make_cycle(world), django_capture_on_commit_callbacks)
    review = Review.objects.get(cycle=cycle, employee=world.people["employee"])
    page = client_as("hr").get(f"/reviews/{review.pk}/")
    assert b'data-testid="template-form"' in page.content
    assert b'data-testid="template-form"' not in client_as("manager").get(f"/reviews/{review.pk}/").content
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as("hr").post(f"/reviews/{review.pk}/template/", {"template": setup.leader.pk})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.template_version_id == setup.leader.pk
    assert review.template_overridden
    assert AuditEvent.objects.filter(action="review.template", object_id=str(review.pk)).exists()
    refused = client_as("manager").post(f"/reviews/{review.pk}/template/", {"template": setup.operator.pk})
    assert refused.status_code == 403
    review.refresh_from_db()
    assert review.template_version_id == setup.leader.pk
