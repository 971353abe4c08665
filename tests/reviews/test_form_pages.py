"""The self-review and manager review form: the anchored scale of each rated item, saving a draft, errors at the
item, submitting, autosave answering JSON, the manager's adjustments and read-only KPIs, and who gets the form
(the writer of the current step only: 403 for others who see the review, 404 for those who do not)."""

from __future__ import annotations

import json
import re

import pytest

from fairmark.reviews.models import Adjustment, Rating, ReviewState

from .support import act
from .test_review_pages import EN, launched, page, self_reviewed

pytestmark = pytest.mark.django_db


def test_the_employee_gets_their_self_review_form(world, client_as, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    review = launched(world, django_capture_on_commit_callbacks)
    body = page(client_as("employee"), f"/reviews/{review.pk}/form/")
    item = body.split('data-item="teamwork"')[1].split("</fieldset>")[0]
    assert re.findall(r'name="rating:teamwork" id="[^"]+" value="(\d)"', item) == ["1", "2", "3", "4", "5"]
    assert "Offers help unasked" in item
    assert "Works with colleagues and steps in." in item
    assert 'name="comment:teamwork"' in item
    assert 'name="summary"' in body
    assert f'data-autosave-url="/reviews/{review.pk}/form/autosave/"' in body
    assert "fairmark/review_form.js" in body
    assert 'data-testid="form-submit"' in body
    assert 'name="points:' not in body  # adjustments are the manager's
    assert client_as("manager").get(f"/reviews/{review.pk}/form/").status_code == 403
    assert client_as("hr").get(f"/reviews/{review.pk}/form/").status_code == 403
    assert client_as("hrbp").get(f"/reviews/{review.pk}/form/").status_code == 404


def test_saving_keeps_a_draft(world, client_as, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    review = launched(world, django_capture_on_commit_callbacks)
    client = client_as("employee")
    response = client.post(f"/reviews/{review.pk}/form/", {"rating:teamwork": "4", "comment:teamwork": "主动补位",
                                                           "summary": "良率提升", "save": "1"})
    assert response.status_code == 302
    assert response["Location"] == f"/reviews/{review.pk}/form/"
    rating = Rating.objects.get(review=review, group="self")
    assert (rating.rating, rating.comment, rating.submitted) == (4, "主动补位", False)
    review.refresh_from_db()
    assert review.self_summary == "良率提升"
    assert review.state == ReviewState.SELF_REVIEW
    body = page(client, f"/reviews/{review.pk}/form/")
    assert re.search(r'value="4" checked', body)
    assert "主动补位" in body


def test_errors_show_at_the_item(world, client_as, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    review = launched(world, django_capture_on_commit_callbacks)
    client = client_as("employee")
    response = client.post(f"/reviews/{review.pk}/form/", {"rating:teamwork": "7", "comment:teamwork": "x"}, **EN)
    assert response.status_code == 400
    item = response.content.decode().split('data-item="teamwork"')[1].split("</fieldset>")[0]
    assert 'data-field-error="items.teamwork.rating"' in item
    assert "Choose one of the points" in item
    assert not Rating.objects.filter(review=review).exists()


def test_submitting_needs_every_rating_then_hands_the_review_on(world, client_as, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    review = launched(world, django_capture_on_commit_callbacks)
    client = client_as("employee")
    response = client.post(f"/reviews/{review.pk}/form/", {"comment:teamwork": "", "summary": "", "submit": "1"}, **EN)
    assert response.status_code == 400
    assert 'data-field-error="items.teamwork.rating"' in response.content.decode()
    review.refresh_from_db()
    assert review.state == ReviewState.SELF_REVIEW
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/reviews/{review.pk}/form/", {"rating:teamwork": "5", "submit": "1"})
    assert response.status_code == 302
    assert response["Location"] == f"/reviews/{review.pk}/"
    review.refresh_from_db()
    assert review.state == ReviewState.RATING_360
    assert Rating.objects.get(review=review, group="self").submitted
    assert client.get(f"/reviews/{review.pk}/form/").status_code == 403  # submitted: no form any more


def test_autosave_answers_json(world, client_as, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    review = launched(world, django_capture_on_commit_callbacks)
    client = client_as("employee")
    url = f"/reviews/{review.pk}/form/autosave/"
    response = client.post(url, {"rating:teamwork": "3", "comment:teamwork": "草稿"})
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body["saved"] is True
    assert re.fullmatch(r"\d\d:\d\d", body["at"])
    assert Rating.objects.get(review=review, group="self").rating == 3
    response = client.post(url, {"rating:teamwork": "9"}, **EN)
    assert response.status_code == 400
    assert "items.teamwork.rating" in json.loads(response.content)["errors"]
    assert Rating.objects.get(review=review, group="self").rating == 3
    assert client.get(url).status_code == 405
    assert client_as("manager").post(url, {"rating:teamwork": "1"}).status_code == 403
    assert client_as("hrbp").post(url, {"rating:teamwork": "1"}).status_code == 404
    assert Rating.objects.get(review=review, group="self").rating == 3


def test_the_manager_form_has_adjustments_and_the_kpis_read_only(world, client_as, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    review = self_reviewed(world, launched(world, django_capture_on_commit_callbacks), django_capture_on_commit_callbacks)
    client = client_as("manager")
    body = page(client, f"/reviews/{review.pk}/form/")  # the 360 round: the manager may draft, not submit
    assert 'data-testid="form-submit"' not in body
    act(world, "manager", review, "submit", django_capture_on_commit_callbacks)
    body = page(client, f"/reviews/{review.pk}/form/")
    assert 'name="points:adjustments.0"' in body
    assert "± 5" in body
    kpis = body.split('data-testid="form-kpis"')[1].split("</table>")[0]
    assert 'data-item="line_defect_rate"' in kpis
    assert 'data-item="line_output"' in kpis
    assert 'name="rating:line_output"' not in body
    response = client.post(f"/reviews/{review.pk}/form/", {"rating:teamwork": "3", "points:adjustments.0": "3",
                                                           "reason:adjustments.0": ""}, **EN)
    assert response.status_code == 400
    slot = response.content.decode().split('data-item-errors="adjustments.adjustments.0"')[1].split("</div></div>")[0]
    assert "reason" in slot.lower()
    assert not Adjustment.objects.filter(review=review).exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/reviews/{review.pk}/form/", {"rating:teamwork": "3", "points:adjustments.0": "3",
                                                               "reason:adjustments.0": "带新人"})
    assert response.status_code == 302
    adjustment = Adjustment.objects.get(review=review)
    assert (adjustment.points, adjustment.reason) == (3, "带新人")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/reviews/{review.pk}/form/", {"rating:teamwork": "3", "points:adjustments.0": "3",
                                                               "reason:adjustments.0": "带新人", "submit": "1"})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.state == ReviewState.CALIBRATION
