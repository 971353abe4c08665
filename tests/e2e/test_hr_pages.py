"""Acceptance 5 and the HR admin's screenshots: org chart, departments, people, an employee's page,
notifications, profile, audit log and import."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from fairmark.notifications.services import notify
from tests.world import World

from .conftest import Session, login, shoot

pytestmark = pytest.mark.e2e

DEPARTMENTS_EN = ["GM office", "Manufacturing", "Cell line 1", "Cell line 2", "Quality", "Human resources"]


def test_org_chart_and_departments(open_session: Callable[..., Session]) -> None:
    page = open_session().page
    login(page, "hr")

    page.get_by_test_id("main-nav").get_by_role("link", name="Org chart").click()
    chart = page.get_by_test_id("org-chart")
    expect(chart).to_have_attribute("data-loaded", "true")
    canvas = chart.locator("canvas")
    expect(canvas.first).to_be_visible()
    box = canvas.first.bounding_box()
    assert box is not None
    assert box["width"] > 300
    assert box["height"] > 200
    page.wait_for_timeout(600)  # ECharts animates the tree in
    shoot(page, "org-chart.png", full_page=False)

    page.get_by_test_id("main-nav").get_by_role("link", name="Departments").click()
    tree = page.get_by_test_id("department-tree")
    rows = tree.locator("tbody tr")
    expect(rows).to_have_count(len(DEPARTMENTS_EN))
    expect(rows.locator("td:first-child a")).to_have_text(DEPARTMENTS_EN)
    # Heads and head counts are shown; a department links to its people.
    expect(rows.nth(2)).to_contain_text("张线长")
    expect(rows.nth(2).locator("td").nth(3)).to_have_text("3")
    # The HR admin may change every department: the add button and each row's links.
    expect(page.get_by_test_id("department-add")).to_be_visible()
    expect(rows.locator('[data-testid^="department-edit-"]')).to_have_count(len(DEPARTMENTS_EN))
    shoot(page, "departments.png")
    rows.nth(2).locator("td:first-child a").click()
    expect(page.get_by_test_id("people-table").locator("tbody tr")).to_have_count(3)


def test_people_list_search_and_employee_page(open_session: Callable[..., Session], e2e_world: World) -> None:
    page = open_session().page
    login(page, "hr")
    page.get_by_test_id("main-nav").get_by_role("link", name="People").click()
    table = page.get_by_test_id("people-table")
    expect(table.locator("tbody tr")).to_have_count(11)
    expect(page.get_by_test_id("people-count")).to_contain_text("11")
    shoot(page, "people-list.png")

    # htmx search narrows the table as one types, without a page load.
    page.get_by_role("searchbox").fill("刘同事")
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(page).to_have_url(f"{page.url.split('?')[0]}?q=%E5%88%98%E5%90%8C%E4%BA%8B&department=&status=")
    page.get_by_role("searchbox").fill("")
    expect(table.locator("tbody tr")).to_have_count(11)

    table.get_by_role("link", name="张线长").click()
    expect(page.get_by_test_id("employee-name")).to_contain_text("张线长")
    expect(page.get_by_test_id("history")).to_contain_text("Cell line 1")
    expect(page.get_by_role("heading", name="Direct reports")).to_be_visible()
    expect(page.locator("main").get_by_role("link", name="陈员工")).to_be_visible()
    assert page.url.endswith(f"/org/people/{e2e_world.people['manager'].pk}/")
    shoot(page, "employee-page.png")


def test_notification_bell(open_session: Callable[..., Session], e2e_world: World, settings) -> None:  # type: ignore[no-untyped-def]
    settings.FAIRMARK_CHANNELS_ENABLED = []  # in-app only: no SMTP server here
    page = open_session().page
    login(page, "hr")
    bell = page.get_by_test_id("notification-bell")
    expect(bell).to_be_visible()
    expect(page.get_by_test_id("unread-count")).to_have_count(0)

    notify(recipients=[e2e_world.users["hr"]], kind="e2e", title="Q3 calibration session opens Monday",
           body="Line 1 and line 2 calibrate together.", link="/org/departments/", event_key="e2e:calibration")
    notify(recipients=[e2e_world.users["hr"]], kind="e2e", title="3 employees end probation this month",
           link="/org/people/", event_key="e2e:probation")
    page.reload()
    expect(page.get_by_test_id("unread-count")).to_have_text("2")

    bell.click()
    page.wait_for_url("**/notifications/")
    expect(page.get_by_test_id("notification-list").locator(".list-group-item-primary")).to_have_count(2)
    shoot(page, "notifications.png")
    page.get_by_test_id("mark-all-read").click()
    expect(page.get_by_test_id("unread-count")).to_have_count(0)
    expect(page.get_by_test_id("notification-list").locator(".list-group-item-primary")).to_have_count(0)
    expect(page.get_by_test_id("notification-list")).to_contain_text("Q3 calibration session opens Monday")


def test_profile_token_and_audit_log(open_session: Callable[..., Session]) -> None:
    page = open_session().page
    login(page, "hr")
    page.get_by_test_id("profile-link").click()
    page.wait_for_url("**/accounts/profile/")
    expect(page.locator("main")).to_contain_text("冯HR")
    page.locator("#id_name").fill("MES nightly push")
    page.locator("main form").filter(has=page.locator("#id_name")).locator("button[type=submit]").click()
    expect(page.get_by_test_id("new-token")).to_be_visible()
    expect(page.locator("main table")).to_contain_text("MES nightly push")
    shoot(page, "profile.png")

    page.get_by_test_id("main-nav").get_by_role("link", name="Audit log").click()
    audit = page.get_by_test_id("audit-table")
    expect(audit).to_contain_text("token.create")
    expect(audit).to_contain_text("hr")
    shoot(page, "audit.png")


def test_import_page(open_session: Callable[..., Session]) -> None:
    page = open_session().page
    login(page, "hr")
    page.get_by_test_id("main-nav").get_by_role("link", name="Import").click()
    page.wait_for_url("**/org/import/")
    expect(page.locator("main h1")).to_contain_text("Import")
    shoot(page, "import.png")
