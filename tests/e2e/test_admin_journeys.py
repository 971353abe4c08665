"""HR transfers someone and sets up a stand-in; a system admin grants a role. Screenshots of the pages."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from fairmark.org.models import Assignment, Delegation, RoleGrant
from tests.world import World

from .conftest import Session, login, shoot

pytestmark = pytest.mark.e2e


def test_hr_transfers_an_employee(open_session: Callable[..., Session], e2e_world: World) -> None:
    page = open_session().page
    login(page, "hr")
    employee = e2e_world.people["employee"]
    page.goto(f"/org/people/{employee.pk}/")
    page.get_by_role("link", name="Transfer").click()
    form = page.get_by_test_id("employee-transfer-form")
    form.get_by_label("Department").select_option(str(e2e_world.depts["LINE2"].pk))
    form.get_by_label("Manager's employee number").fill(e2e_world.people["l2_leader"].number)
    form.get_by_label("Reason").fill("二线扩产")
    shoot(page, "employee-transfer.png")
    form.get_by_role("button", name="Transfer").click()
    page.wait_for_url(f"**/org/people/{employee.pk}/")
    history = page.get_by_test_id("history")
    expect(history).to_contain_text("Cell line 2")
    expect(history).to_contain_text("Cell line 1")
    assert Assignment.objects.filter(employee=employee).count() == 2
    shoot(page, "employee-page-after-transfer.png")


def test_manager_names_a_delegate(open_session: Callable[..., Session], e2e_world: World) -> None:
    page = open_session().page
    login(page, "manager")
    page.get_by_test_id("main-nav").get_by_role("link", name="Stand-ins").click()
    page.get_by_label("Stand-in's employee number").fill(e2e_world.people["l2_leader"].number)
    page.get_by_label("Reason").fill("出差")
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator("main")).to_contain_text(e2e_world.people["l2_leader"].name)
    assert Delegation.objects.filter(principal=e2e_world.people["manager"]).count() == 1
    shoot(page, "stand-ins.png")


def test_system_admin_grants_hr_bp(open_session: Callable[..., Session], e2e_world: World) -> None:
    page = open_session().page
    login(page, "admin")
    page.get_by_test_id("main-nav").get_by_role("link", name="Users").click()
    shoot(page, "users.png")
    page.get_by_role("link", name="manager", exact=True).click()
    grant = page.get_by_test_id("grant-form")
    grant.get_by_label("Role").select_option("hr_bp")
    grant.get_by_label("Org units (HR BP)").select_option([str(e2e_world.depts["QA"].pk)])
    grant.get_by_role("button", name="Grant").click()
    expect(page.get_by_test_id("user-roles")).to_contain_text("HR business partner")
    assert RoleGrant.objects.filter(user=e2e_world.users["manager"], role="hr_bp").exists()
    shoot(page, "user-detail.png")
