"""Acceptance 6: usable on a phone — the menu collapses behind the toggler and still reaches People."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from .conftest import Session, login, shoot

pytestmark = pytest.mark.e2e


def test_manager_reaches_people_on_a_phone(open_session: Callable[..., Session]) -> None:
    page = open_session(mobile=True).page
    login(page, "manager")
    people = page.get_by_test_id("main-nav").get_by_role("link", name="People")
    expect(people).to_be_hidden()

    toggler = page.locator(".navbar-toggler")
    expect(toggler).to_be_visible()
    toggler.tap()
    expect(people).to_be_visible()
    people.tap()
    page.wait_for_url("**/org/people/")
    table = page.get_by_test_id("people-table")
    expect(table.locator("tbody tr")).to_have_count(3)
    # Nothing wider than the phone: the page does not scroll sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shoot(page, "mobile-people.png")
