"""Acceptance of the goals issue in a real browser, in Chinese: an executive creates a company objective, the
head of manufacturing cascades it to the department, the line manager builds a goal set aligned to it and
assigns it in one action to the line's operators, an operator checks in with a blocker, and the manager
answers it on the to-do page."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from fairmark.goals.models import Blocker, BlockerStatus, Goal, GoalLevel
from tests.world import World

from .conftest import Session, login, shoot

pytestmark = pytest.mark.e2e

OBJECTIVE = "质量领先：全年不良率降到 3%"
DEPARTMENT_GOAL = "制造中心不良率 ≤ 3%"
LINE_GOAL = "一线不良率降到 3%"
BLOCKER = "三号线设备故障，等待备件"


def choose(select: Locator, text: str) -> None:
    """Pick the option whose label contains `text` (labels carry a level prefix)."""
    value = select.locator("option", has_text=text).first.get_attribute("value")
    assert value, text
    select.select_option(value)


def sign_in(open_session: Callable[..., Session], role: str) -> Page:
    page = open_session(locale="zh-CN").page
    login(page, role)
    return page


def test_strategy_to_check_in_in_chinese(open_session: Callable[..., Session], e2e_world: World) -> None:
    year = timezone.localdate().year

    # The executive sets the company objective.
    page = sign_in(open_session, "exec")
    page.get_by_test_id("main-nav").get_by_role("link", name="目标").click()
    page.get_by_test_id("new-goal").click()
    form = page.get_by_test_id("goal-form")
    form.locator("#id_level").select_option("company")
    form.locator("#id_kind").select_option("okr")
    form.locator("#id_title").fill(OBJECTIVE)
    form.locator("#id_key_results").fill("客诉件数; 40; 10\n产线平均不良率; 6; 3")
    page.get_by_test_id("save-goal").click()
    expect(page.get_by_test_id("goal-title")).to_contain_text(OBJECTIVE)
    objective = Goal.objects.get(title=OBJECTIVE)
    assert objective.level == GoalLevel.COMPANY
    assert objective.year == year

    # The head of manufacturing cascades it to the department from the goal map.
    page = sign_in(open_session, "head")
    page.goto("/goals/")
    page.get_by_test_id("goal-map-list").get_by_role("link", name=OBJECTIVE).click()
    page.get_by_test_id("cascade").click()
    form = page.get_by_test_id("goal-form")
    expect(form.locator("#id_level")).to_have_value("department")
    choose(form.locator("#id_department"), "制造中心")
    form.locator("#id_title").fill(DEPARTMENT_GOAL)
    form.locator("#id_key_results").fill("制造中心不良率; 6; 3")
    page.get_by_test_id("save-goal").click()
    expect(page.get_by_test_id("goal-title")).to_contain_text(DEPARTMENT_GOAL)
    department_goal = Goal.objects.get(title=DEPARTMENT_GOAL)
    assert department_goal.parent_id == objective.pk
    page.goto(f"/goals/?year={year}")
    expect(page.get_by_test_id("goal-map")).to_have_attribute("data-loaded", "true")
    shoot(page, "goal-map.png")

    # The line manager builds a goal set aligned to the department goal and assigns it to the whole line.
    page = sign_in(open_session, "manager")
    page.goto("/goals/sets/")
    page.get_by_test_id("new-goal-set").click()
    form = page.get_by_test_id("goal-set-form")
    form.locator("#id_name").fill("电芯一线操作工目标")
    choose(form.locator("#id_department"), "电芯一线")
    first, second = page.get_by_test_id("item-0"), page.get_by_test_id("item-1")
    first.locator("[name$='-kind']").select_option("okr")
    first.locator("[name$='-title']").fill(LINE_GOAL)
    choose(first.locator("[name$='-parent']"), DEPARTMENT_GOAL)
    first.locator("[name$='-key_results']").fill("一线不良率; 6; 3")
    second.locator("[name$='-kind']").select_option("okr")
    second.locator("[name$='-title']").fill("换型时间 ≤ 25 分钟")
    second.locator("[name$='-key_results']").fill("换型分钟; 40; 25")
    page.get_by_test_id("save-goal-set").click()
    page.get_by_test_id("assign-goal-set").click()
    page.get_by_test_id("select-all").click()
    expect(page.get_by_test_id("person-E0004")).to_be_checked()
    expect(page.get_by_test_id("person-E0005")).to_be_checked()
    shoot(page, "goal-bulk-assign.png")
    page.get_by_test_id("assign-submit").click()
    expect(page.get_by_test_id("assign-result")).to_be_visible()
    for number in ("E0004", "E0005"):
        assert Goal.objects.filter(employee__number=number, title=LINE_GOAL, parent=department_goal).count() == 1

    # The operator checks in on the line goal and names what is in the way.
    page = sign_in(open_session, "employee")
    page.goto("/goals/mine/")
    page.get_by_test_id("my-goals").get_by_role("link", name=LINE_GOAL).click()
    page.get_by_test_id("check-in").click()
    form = page.get_by_test_id("checkin-form")
    form.locator("input[name^='kr_']").first.fill("4.5")
    form.locator("#id_comment").fill("本周不良率 4.5%，夜班改善中")
    form.locator("#id_blocker").fill(BLOCKER)
    shoot(page, "goal-check-in.png")
    page.get_by_test_id("checkin-submit").click()
    expect(page.get_by_test_id("goal-progress")).to_contain_text("50.0%")
    goal = Goal.objects.get(employee__number="E0004", title=LINE_GOAL)
    assert str(goal.progress) == "0.500000"

    # The manager sees the blocker on the to-do page and answers it.
    page = sign_in(open_session, "manager")
    page.goto("/goals/to-do/")
    row = page.get_by_test_id("todo-row").filter(has_text=BLOCKER)
    expect(row).to_be_visible()
    row.get_by_test_id("blocker-respond-form").locator("textarea").fill("已联系设备科，备件周三到货")
    shoot(page, "goal-to-do.png")
    row.get_by_test_id("blocker-respond-submit").click()
    expect(page.get_by_test_id("todo-row").filter(has_text=BLOCKER)).to_have_count(0)
    blocker = Blocker.objects.get(text=BLOCKER)
    assert blocker.status == BlockerStatus.ANSWERED
    assert blocker.response == "已联系设备科，备件周三到货"
    page.goto("/goals/team/")
    expect(page.get_by_test_id("team-person").filter(has_text="陈员工")).to_contain_text(LINE_GOAL)
    shoot(page, "goal-team.png")
