"""Acceptance 2 and 3: each role sees only what DESIGN.md §6 allows — in the menu, in the people list
(and the API list behind it), on the home page — and an employee cannot open a colleague."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from tests.world import World

from .conftest import Session, login, visit

pytestmark = pytest.mark.e2e

ALL = {f"E{n:04d}" for n in range(1, 12)}
# Employee numbers each role may see (tests/world.py): self, the reporting line, the department subtree
# as head, the HR BP's units, everybody for HR admin, executive and system admin.
PEOPLE = {
    "employee": {"E0004"},
    "manager": {"E0003", "E0004", "E0005"},
    "head": {"E0002", "E0003", "E0004", "E0005", "E0006", "E0007"},
    "hrbp": {"E0008", "E0009", "E0010"},
    "hr": ALL,
    "exec": ALL,
    "admin": ALL,
}
BASE_NAV = ["Home", "Departments", "Org chart", "Goals", "Reviews", "Indicators", "Templates"]
NAV = {
    "employee": BASE_NAV,
    # Stand-ins: for HR and for whoever leads someone (the head and the executive have reports too).
    "manager": ["Home", "People", "Departments", "Org chart", "Goals", "Reviews", "Indicators", "Templates", "Stand-ins"],
    "head": ["Home", "People", "Departments", "Org chart", "Goals", "Reviews", "Indicators", "Templates", "Stand-ins"],
    "exec": ["Home", "People", "Departments", "Org chart", "Goals", "Reviews", "Indicators", "Templates", "Data", "Stand-ins"],
    "admin": ["Home", "People", "Departments", "Org chart", "Goals", "Reviews", "Indicators", "Templates", "Data", "Audit log", "Outbox",
              "Users"],
    "hr": ["Home", "People", "Departments", "Org chart", "Goals", "Reviews", "Indicators", "Templates", "Data", "Import", "Stand-ins",
           "Audit log"],
    "hrbp": ["Home", "People", "Departments", "Org chart", "Goals", "Reviews", "Indicators", "Templates", "Data", "Import", "Stand-ins",
             "Audit log"],
}


@pytest.mark.parametrize("role", list(NAV))
def test_menu_and_people_list_follow_the_scope(open_session: Callable[..., Session], role: str) -> None:
    page = open_session().page
    login(page, role)

    nav_links = page.get_by_test_id("main-nav").get_by_role("link")
    assert [text.strip() for text in nav_links.all_inner_texts()] == NAV[role]

    assert visit(page, "/org/people/") == 200
    table = page.get_by_test_id("people-table")
    expect(table).to_be_visible()
    shown = {text.strip() for text in table.locator("tbody tr td:first-child").all_inner_texts()}
    assert shown == PEOPLE[role]

    api = page.request.get("/api/v1/employees/?page_size=500")
    assert api.status == 200
    assert {row["number"] for row in api.json()["results"]} == PEOPLE[role]

    for path, allowed in (("/org/import/", "Import" in NAV[role]), ("/audit/", "Audit log" in NAV[role]),
                          ("/data/sources/", "Data" in NAV[role])):
        status = visit(page, path)
        assert status == (200 if allowed else 404), (path, status)


def test_home_shows_own_record_and_team(open_session: Callable[..., Session], e2e_world: World) -> None:
    employee = open_session().page
    login(employee, "employee")
    record = employee.get_by_test_id("my-record")
    expect(record).to_contain_text("陈员工")
    expect(record).to_contain_text("E0004")
    expect(record).to_contain_text("张线长")  # their manager
    expect(employee.get_by_test_id("my-team")).to_have_count(0)

    manager = open_session().page
    login(manager, "manager")
    expect(manager.get_by_test_id("my-record")).to_contain_text("张线长")
    team = manager.get_by_test_id("my-team")
    expect(team).to_contain_text("2")
    expect(team.get_by_role("link")).to_have_text(["陈员工", "刘同事"], ignore_case=False)


def test_employee_cannot_open_a_colleague(open_session: Callable[..., Session], e2e_world: World) -> None:
    own, peer = e2e_world.people["employee"], e2e_world.people["peer"]
    page = open_session().page
    login(page, "employee")

    assert visit(page, f"/org/people/{peer.pk}/") == 404
    expect(page.get_by_text("刘同事")).to_have_count(0)
    api = page.request.get(f"/api/v1/employees/{peer.pk}/")
    assert api.status == 404
    assert "刘同事" not in api.text()

    assert visit(page, f"/org/people/{own.pk}/") == 200
    expect(page.get_by_test_id("employee-name")).to_contain_text("陈员工")
    api = page.request.get(f"/api/v1/employees/{own.pk}/")
    assert api.status == 200
    assert api.json()["number"] == "E0004"

    # Their manager does see the colleague (the 404 above is scope, not a broken page).
    manager = open_session().page
    login(manager, "manager")
    assert visit(manager, f"/org/people/{peer.pk}/") == 200
    expect(manager.get_by_test_id("employee-name")).to_contain_text("刘同事")
