"""Acceptance 1: employee, manager and HR admin sign in through the real form in Chinese (zh-CN browser)
and in English (en-US browser), and the header's language switch flips the language.

The Chinese labels are the zh-Hans catalogue's (src/fairmark/locale/zh_Hans/LC_MESSAGES/django.po):
they fail until that catalogue is compiled. The `lang` attribute does not depend on it (Django ships
zh-Hans itself, so LocaleMiddleware already picks zh-hans for a zh-CN browser).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from .conftest import Session, login, shoot

pytestmark = pytest.mark.e2e

LANGS = {
    "zh-CN": {"lang": "zh-hans", "sign_in": "登录", "home": "首页", "people": "人员", "org_chart": "组织架构图",
              "switch_to": "English"},
    "en-US": {"lang": "en", "sign_in": "Sign in", "home": "Home", "people": "People", "org_chart": "Org chart",
              "switch_to": "中文"},
}
OTHER = {"zh-CN": "en-US", "en-US": "zh-CN"}
# Screenshots taken on the way: (role, browser locale) → (login page, home page).
SHOTS = {
    ("employee", "en-US"): ("login.png", "home-employee.png"),
    ("employee", "zh-CN"): ("login-zh.png", "home-employee-zh.png"),
    ("manager", "en-US"): (None, "home-manager.png"),
}


def link(label: str) -> re.Pattern[str]:
    """A menu link's accessible name: the label, after the icon's glyph."""
    return re.compile(rf"(^|\s){re.escape(label)}$")


def expect_language(page: Page, locale: str, *, sees_people: bool) -> None:
    labels = LANGS[locale]
    expect(page.locator("html")).to_have_attribute("lang", labels["lang"])
    nav = page.get_by_test_id("main-nav")
    expect(nav.get_by_role("link", name=link(labels["home"]))).to_be_visible()
    expect(nav.get_by_role("link", name=link(labels["org_chart"]))).to_be_visible()
    people = nav.get_by_role("link", name=link(labels["people"]))
    if sees_people:
        expect(people).to_be_visible()
    else:
        expect(people).to_have_count(0)
    switch = page.get_by_test_id("language-switch").get_by_role("button")
    expect(switch).to_have_text(labels["switch_to"])


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
@pytest.mark.parametrize("role", ["employee", "manager", "hr"])
def test_sign_in_in_the_browsers_language(open_session: Callable[..., Session], role: str, locale: str) -> None:
    labels = LANGS[locale]
    page = open_session(locale=locale).page
    login_shot, home_shot = SHOTS.get((role, locale), (None, None))

    # The login page already speaks the browser's language (Accept-Language).
    page.goto("/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", labels["lang"])
    expect(page.get_by_test_id("login-form").get_by_role("button", name=labels["sign_in"], exact=True)).to_be_visible()
    if login_shot:
        shoot(page, login_shot, full_page=False)

    login(page, role)
    expect(page).to_have_url("/")
    expect_language(page, locale, sees_people=role != "employee")
    expect(page.get_by_test_id("my-record")).to_be_visible()
    if home_shot:
        shoot(page, home_shot)

    # The switch in the header flips the language, and the choice (a cookie) outlasts Accept-Language.
    page.get_by_test_id("language-switch").get_by_role("button").click()
    expect_language(page, OTHER[locale], sees_people=role != "employee")
    expect(page).to_have_url("/")
    page.goto("/org/departments/")
    expect_language(page, OTHER[locale], sees_people=role != "employee")
    page.get_by_test_id("language-switch").get_by_role("button").click()
    expect(page).to_have_url("/org/departments/")
    expect_language(page, locale, sees_people=role != "employee")
