"""Fairmark runs on closed networks: no page asks another origin for anything (fonts, scripts, styles,
Swagger UI). Every context records its requests; this test walks every page and checks them all, and
that no page logs a script error or a Content-Security-Policy violation."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from tests.world import World

from .conftest import Session, login, visit

pytestmark = pytest.mark.e2e


def test_no_page_loads_anything_from_another_origin(open_session: Callable[..., Session], e2e_world: World) -> None:
    session = open_session()
    page = session.page
    page.goto("/accounts/login/")
    login(page, "hr")
    pages = [
        "/", "/org/people/", f"/org/people/{e2e_world.people['manager'].pk}/", "/org/departments/", "/audit/",
        "/notifications/", "/accounts/profile/", "/org/import/", "/org/chart/",
    ]
    for path in pages:
        assert visit(page, path) == 200, path
    # The last page fetches its data after load: wait until the chart has drawn it.
    expect(page.get_by_test_id("org-chart")).to_have_attribute("data-loaded", "true")
    # Swagger UI (drf-spectacular's sidecar) is the page most likely to reach for a CDN.
    page.goto("/api/docs/")
    expect(page.locator(".swagger-ui .information-container")).to_be_visible()
    page.wait_for_load_state("networkidle")
    zh = open_session(locale="zh-CN").page
    zh.goto("/accounts/login/")

    assert session.foreign_requests() == []
    # The check saw real traffic: static files, the chart's data and the API schema.
    assert any("/static/vendor/echarts/" in url for url in session.requests)
    assert any("/org/chart/data/" in url for url in session.requests)
    assert any("/api/schema/" in url for url in session.requests)
    assert session.console_errors == []
