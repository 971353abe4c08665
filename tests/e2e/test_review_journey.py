"""Acceptance of the reviews issue in a real browser, in Chinese and in English: the employee writes and submits
the self-review (autosaved on the way), a peer rates on the anchored scale, the manager closes the 360 round,
writes the manager review with a +3 adjustment and submits, and the employee opens the explanation and follows
the defect rate's number to the data value it came from. HR launched the cycle and two more peers rated through
the services (the pages of HR are tested in tests/reviews)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from fairmark.reviews.models import Rater, Review, ReviewState
from fairmark.reviews.services import cycles
from tests.reviews.support import (
    build_reviews,
    ensure_user,
    make_cycle,
    nominate_peers,
    push_employee,
    rate_as_peer,
)
from tests.world import World

from .conftest import Session, login, shoot

pytestmark = pytest.mark.e2e


@contextmanager
def _now(execute: bool = True) -> Iterator[list[Any]]:
    """On-commit callbacks run at once in a transactional test; the support helpers take a capture like this."""
    yield []


def _prepare(world: World) -> Review:
    setup = build_reviews(world)
    cycle = make_cycle(world)
    cycles.cycle_launch(actor=world.user("hr"), cycle=cycle)
    review = Review.objects.get(cycle=cycle, employee=world.people["employee"])
    assert review.state == ReviewState.SELF_REVIEW
    # Defect rate 4 % (→ 106.67), output 600 + 400 = 1,000 at target (→ 100.00).
    push_employee(world, setup.mes, "q1", [("defect_rate", "employee", 10, "4"), ("output", "employee", 10, 600),
                                            ("output", "employee", 40, 400)], _now)
    for person in ("peer", "peer2", "peer3"):
        ensure_user(world, person)
    nominate_peers(world, review, ("peer", "peer2", "peer3"), _now)
    return review


def sign_in(open_session: Callable[..., Session], role: str, locale: str) -> Page:
    page = open_session(locale=locale).page
    page.on("dialog", lambda dialog: dialog.accept())  # "Submit? You cannot change it afterwards."
    login(page, role)
    return page


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_self_review_to_explanation(open_session: Callable[..., Session], e2e_world: World, locale: str) -> None:
    world = e2e_world
    review = _prepare(world)
    chinese = locale == "zh-CN"

    # The employee writes the self-review: the autosave keeps it, then it is submitted.
    page = sign_in(open_session, "employee", locale)
    page.goto("/reviews/")
    page.locator(f'a[href="/reviews/{review.pk}/form/"]').first.click()
    item = page.locator('fieldset[data-item="teamwork"]')
    item.locator('input[type=radio][value="4"]').check()
    page.locator("#id_summary").fill("本季度良率提升，带了一名新员工。" if chinese else "Yield up this quarter.")
    expect(page.get_by_test_id("autosave-status")).to_have_attribute("data-state", "saved", timeout=10000)
    if chinese:
        shoot(page, "review-self-form.png")
    page.get_by_test_id("form-submit").click()
    page.wait_for_url(f"**/reviews/{review.pk}/")
    review.refresh_from_db()
    assert review.state == ReviewState.RATING_360

    # A peer rates on the anchored scale from their to-do list; two more peers rate through the services.
    page = sign_in(open_session, "peer", locale)
    page.goto("/reviews/")
    task = Rater.objects.get(review=review, rater=world.people["peer"])
    page.locator(f'a[href="/reviews/rate/{task.pk}/"]').first.click()
    page.locator('fieldset[data-item="teamwork"] input[type=radio][value="5"]').check()
    if chinese:
        shoot(page, "review-rate.png")
    page.get_by_test_id("rate-submit").click()
    page.wait_for_url("**/reviews/")  # back on the to-do list, where the task is no longer waiting
    expect(page.locator(f'a[href="/reviews/rate/{task.pk}/"]')).to_have_count(0)
    task.refresh_from_db()
    assert task.status == "submitted"
    rate_as_peer(world, review, "peer2", "4", _now)
    rate_as_peer(world, review, "peer3", "3", _now)

    # The manager closes the 360 round, writes the review with a +3 adjustment, and submits it.
    page = sign_in(open_session, "manager", locale)
    page.goto(f"/reviews/{review.pk}/")
    page.get_by_test_id("act-submit").click()
    page.wait_for_url(f"**/reviews/{review.pk}/")
    review.refresh_from_db()
    assert review.state == ReviewState.MANAGER_REVIEW
    page.goto(f"/reviews/{review.pk}/form/")
    page.locator('fieldset[data-item="teamwork"] input[type=radio][value="3"]').check()
    page.locator('[id="p-adjustments.0"]').fill("3")
    page.locator('[id="a-adjustments.0"]').fill("带新人" if chinese else "Coached a new hire")
    page.get_by_test_id("form-submit").click()
    page.wait_for_url(f"**/reviews/{review.pk}/")
    review.refresh_from_db()
    assert review.state == ReviewState.CALIBRATION

    # The employee opens the explanation and follows the defect rate to its data.
    page = sign_in(open_session, "employee", locale)
    page.goto(f"/reviews/{review.pk}/")
    page.get_by_test_id("explain-link").click()
    expect(page.locator("#review-total")).to_have_text("89.00")
    defect = page.locator('tr[data-item="line_defect_rate"]')
    expect(defect.locator(".item-score")).to_have_text("106.67")
    expect(page.locator('tr[data-item="teamwork"] .item-score')).to_have_text("60.00")
    if chinese:
        shoot(page, "review-explanation.png")
    for name in ("刘同事", "钱同事", "何同事", "E0005", "E0012", "E0013"):
        assert name not in page.content()
    source = defect.locator(".source-link").first
    value_id = source.get_attribute("data-source")
    source.click()
    page.wait_for_url(f"**/data/values/{value_id}/")
    expect(page.locator("main")).to_contain_text("4")
    expect(page.locator("main")).to_contain_text("E0004")
