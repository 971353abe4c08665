"""A 360 rater's form: only the rater opens it (404 for everyone else, the ratee and HR included); it shows the
person and the items with their anchors and nothing of the ratee's scores or others' ratings; autosave keeps
a draft, submitting needs every rating, declining needs a reason, and outside the 360 round it is read-only."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from fairmark.reviews.models import Rater, RaterGroup, RaterStatus, Rating
from fairmark.reviews.services import raters

from .support import ensure_user, rate_as_peer
from .test_review_pages import EN, launched, self_reviewed

pytestmark = pytest.mark.django_db


def _task(world, capture, key="peer", into_360=True):  # type: ignore[no-untyped-def]
    review = launched(world, capture)
    for person in ("peer", "peer2", "peer3"):
        raters.nominate(actor=world.user("hr"), review=review, rater=world.people[person].pk, group=RaterGroup.PEER)
    if into_360:
        self_reviewed(world, review, capture)
    client = Client()
    client.force_login(ensure_user(world, key))
    return review, Rater.objects.get(review=review, rater=world.people[key]), client


def test_only_the_rater_opens_their_form(world, client_as, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    review, task, client = _task(world, django_capture_on_commit_callbacks)
    rate_as_peer(world, review, "peer2", "5", django_capture_on_commit_callbacks)
    response = client.get(f"/reviews/rate/{task.pk}/", **EN)
    assert response.status_code == 200
    body = response.content.decode()
    assert "陈员工" in body
    assert "Offers help unasked" in body
    assert 'name="rating:teamwork"' in body
    assert f'data-autosave-url="/reviews/rate/{task.pk}/autosave/"' in body
    # Nothing of the ratee's results, nor of the other raters.
    assert "item-score" not in body
    assert "钱同事" not in body
    assert "peer2 评语" not in body
    for role in ("employee", "manager", "head", "hrbp", "hr", "exec", "admin"):
        assert client_as(role).get(f"/reviews/rate/{task.pk}/").status_code == 404, role


def test_autosave_keeps_a_draft_and_submit_needs_every_rating(world, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    review, task, client = _task(world, django_capture_on_commit_callbacks)
    response = client.post(f"/reviews/rate/{task.pk}/autosave/", {"rating:teamwork": "4", "overall": "靠谱"})
    assert response.status_code == 200
    assert json.loads(response.content)["saved"] is True
    rating = Rating.objects.get(review=review, rater=world.people["peer"])
    assert (rating.rating, rating.submitted) == (4, False)
    task.refresh_from_db()
    assert task.comment == "靠谱"
    response = client.post(f"/reviews/rate/{task.pk}/submit/", {"rating:teamwork": "", "comment:teamwork": ""}, **EN)
    assert response.status_code == 400
    assert 'data-field-error="items.teamwork.rating"' in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/reviews/rate/{task.pk}/submit/", {"rating:teamwork": "5", "comment:teamwork": "好"})
    assert response.status_code == 302
    assert response["Location"] == "/reviews/"
    task.refresh_from_db()
    assert task.status == RaterStatus.SUBMITTED
    assert Rating.objects.get(review=review, rater=world.people["peer"]).submitted
    body = client.get(f"/reviews/rate/{task.pk}/", **EN).content.decode()
    assert 'data-testid="rate-closed"' in body
    assert "data-autosave-url" not in body
    response = client.post(f"/reviews/rate/{task.pk}/autosave/", {"rating:teamwork": "1"})
    assert response.status_code == 400


def test_declining_needs_a_reason(world, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    _review, task, client = _task(world, django_capture_on_commit_callbacks)
    response = client.post(f"/reviews/rate/{task.pk}/decline/", {"reason": ""})
    assert response.status_code == 302
    assert response["Location"] == f"/reviews/rate/{task.pk}/"
    task.refresh_from_db()
    assert task.status == RaterStatus.APPROVED
    assert client.post(f"/reviews/rate/{task.pk}/decline/", {"reason": "不了解其工作"}).status_code == 302
    task.refresh_from_db()
    assert (task.status, task.reason) == (RaterStatus.DECLINED, "不了解其工作")


def test_before_the_360_round_the_form_is_read_only(world, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    _review, task, client = _task(world, django_capture_on_commit_callbacks, into_360=False)
    body = client.get(f"/reviews/rate/{task.pk}/", **EN).content.decode()
    assert 'data-testid="rate-closed"' in body
    assert "disabled" in body
    assert "data-autosave-url" not in body
    response = client.post(f"/reviews/rate/{task.pk}/autosave/", {"rating:teamwork": "4"})
    assert response.status_code == 400
    assert not Rating.objects.filter(rater=world.people["peer"]).exists()
    response = client.post(f"/reviews/rate/{task.pk}/submit/", {"rating:teamwork": "4"}, **EN)
    assert response.status_code == 400
    task.refresh_from_db()
    assert task.status == RaterStatus.APPROVED
