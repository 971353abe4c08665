"""Acceptance 4: the system admin signs in with a second factor (TOTP); a wrong code is refused."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from tests.world import PASSWORD

from .conftest import Session, login, totp_code, wrong_totp_code

pytestmark = pytest.mark.e2e


def test_admin_needs_a_valid_totp_code(open_session: Callable[..., Session]) -> None:
    page = open_session().page
    page.goto("/accounts/login/")
    page.locator("#id_username").fill("admin")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_test_id("login-form").locator("button[type=submit]").click()

    # The password alone does not sign in: the second step asks for the code.
    page.wait_for_url("**/accounts/2fa/**")
    expect(page.get_by_test_id("main-nav")).to_have_count(0)
    assert page.goto("/").url.endswith("/accounts/login/?next=/")  # type: ignore[union-attr]
    page.go_back()
    page.wait_for_url("**/accounts/2fa/**")

    # A wrong code is refused, and the admin is still not signed in.
    page.locator("#id_code").fill(wrong_totp_code())
    with page.expect_response(lambda r: r.request.method == "POST" and "/accounts/2fa/" in r.url) as refused:
        page.locator("main button[type=submit]").click()
    assert refused.value.status == 400
    expect(page.locator("main .text-danger")).to_be_visible()
    expect(page.get_by_test_id("main-nav")).to_have_count(0)
    assert page.request.get("/api/v1/me").status in (401, 403)

    # The right code signs in; the admin's menu has the audit log.
    page.locator("#id_code").fill(totp_code())
    page.locator("main button[type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/" not in url)
    expect(page.get_by_test_id("main-nav").get_by_role("link", name="Audit log")).to_be_visible()
    assert page.request.get("/api/v1/me").status == 200


def test_admin_login_helper_passes_the_second_step(open_session: Callable[..., Session]) -> None:
    page = open_session().page
    login(page, "admin")
    expect(page.get_by_test_id("my-record")).to_contain_text("not linked")
