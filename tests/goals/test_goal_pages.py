"""The goal tree's pages: the map (chart data and the list), my goals, team goals (with a flat query count),
a goal's page, and the forms that create (cascade), edit, align elsewhere and archive; and the acceptance that
a batch pushed through the ingestion API shows on the employee's and the manager's pages with no manual step."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fairmark.goals.models import Goal, GoalKind, GoalLevel, GoalState
from fairmark.goals.services.tree import goal_create
from fairmark.ingestion.services.subjects import subject_mapping_add
from fairmark.org.models import Assignment, Employee

from ..ingestion.support import push
from .support import YEAR, build_goals, build_tree, kpi_goal, okr_goal

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def test_map_shows_the_strategy_to_everyone_and_person_goals_by_scope(world, client_as) -> None:  # type: ignore[no-untyped-def]
    tree = build_tree(world)
    data = client_as("employee").get(f"/goals/map/data/?year={YEAR}").json()
    root = data["roots"][0]
    assert root["name"] == tree.company.title
    department = root["children"][0]
    assert department["id"] == tree.department.pk
    assert [c["id"] for c in department["children"]] == [tree.mine.pk]  # not the LINE2 colleague's
    head = client_as("head").get(f"/goals/map/data/?year={YEAR}").json()
    assert {c["id"] for c in head["roots"][0]["children"][0]["children"]} == {tree.mine.pk, tree.other.pk}
    page = client_as("employee").get(f"/goals/?year={YEAR}", **EN)
    assert page.status_code == 200
    assert tree.company.title in page.content.decode()
    assert tree.other.title not in page.content.decode()


def test_my_goals_lists_kpi_and_okr_goals_with_progress(world, client_as) -> None:  # type: ignore[no-untyped-def]
    goals = build_goals(world)
    okr_goal(world, key_results=[{"title": "换型", "start": "0", "target": "10", "current": "4"}])
    kpi_goal(world, goals.defect, title="一线不良率")
    body = client_as("employee").get(f"/goals/mine/?year={YEAR}", **EN).content.decode()
    assert "一线不良率" in body
    assert "降低换型时间" in body
    assert "40.0%" in body  # the OKR at 4 of 10


def test_team_goals_query_count_does_not_grow_with_the_team(world, client_as) -> None:  # type: ignore[no-untyped-def]
    goals = build_goals(world)
    client = client_as("manager")

    def hire(n: int) -> None:
        for i in range(n):
            person = Employee.objects.create(
                number=f"T{Employee.objects.count():04d}", name=f"组员{i}", company=world.company,
                department=world.depts["LINE1"], manager=world.people["manager"], hire_date=date(2024, 1, 1))
            Assignment.objects.create(employee=person, department=person.department, manager=person.manager,
                                      valid_from=date(2024, 1, 1))
            world.people[person.number] = person
            okr_goal(world, person=person.number, actor="manager")
            kpi_goal(world, goals.defect, person=person.number)

    def count() -> int:
        client.get(f"/goals/team/?year={YEAR}")  # warm the session and the viewer
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/goals/team/?year={YEAR}")
        assert response.status_code == 200
        return len(queries)

    hire(2)
    small = count()
    hire(10)
    big = count()
    assert big == small
    assert client.get(f"/goals/team/?year={YEAR}").content.decode().count('data-testid="team-person"') == 14


def test_goal_page_shows_children_across_departments_and_hides_out_of_scope_ones(world, client_as) -> None:  # type: ignore[no-untyped-def]
    tree = build_tree(world)
    body = client_as("manager").get(f"/goals/{tree.department.pk}/", **EN).content.decode()
    assert tree.mine.title in body
    assert "1 more sub-goal of people outside your scope" in body
    assert client_as("manager").get(f"/goals/{tree.other.pk}/").status_code == 404


def test_exec_creates_an_objective_and_the_head_cascades_it(world, client_as) -> None:  # type: ignore[no-untyped-def]
    response = client_as("exec").post("/goals/new/", {
        "level": "company", "kind": "okr", "year": YEAR, "title": "海外收入翻番", "weight": "1",
        "key_results": "海外收入（亿元）; 2; 4\n新客户数; 0; 20; 2"})
    assert response.status_code == 302
    objective = Goal.objects.get(title="海外收入翻番")
    assert [(kr.title, kr.weight) for kr in objective.key_results.all()] == [("海外收入（亿元）", 1), ("新客户数", 2)]
    form = client_as("head").get(f"/goals/new/?parent={objective.pk}").content.decode()
    assert 'value="department" selected' in form
    response = client_as("head").post("/goals/new/", {
        "level": "department", "kind": "okr", "year": YEAR, "title": "制造中心支持海外交付", "weight": "1",
        "department": world.depts["PROD"].pk, "parent": objective.pk, "key_results": "准时交付率; 90; 98"})
    assert response.status_code == 302
    cascaded = Goal.objects.get(title="制造中心支持海外交付")
    assert cascaded.parent_id == objective.pk
    assert cascaded.level == GoalLevel.DEPARTMENT


def test_the_form_explains_what_is_wrong(world, client_as) -> None:  # type: ignore[no-untyped-def]
    response = client_as("employee").post("/goals/new/", {
        "level": "company", "kind": "okr", "year": YEAR, "title": "我想定战略", "weight": "1",
        "key_results": "x; 1"}, **EN)
    assert response.status_code == 400
    assert "Line 1" in response.content.decode()
    assert not Goal.objects.filter(title="我想定战略").exists()


def test_edit_move_and_archive_pages(world, client_as) -> None:  # type: ignore[no-untyped-def]
    tree = build_tree(world)
    client = client_as("manager")
    assert client.post(f"/goals/{tree.mine.pk}/edit/", {"title": "换型 25 分钟", "weight": "3", "description": "",
                                                        "key_results": "换型时间; 60; 25"}).status_code == 302
    goal = Goal.objects.get(pk=tree.mine.pk)
    assert (goal.title, goal.weight) == ("换型 25 分钟", Decimal(3))
    assert client.post(f"/goals/{tree.mine.pk}/move/", {"parent": tree.company.pk, "weight": "1"}).status_code == 302
    assert Goal.objects.get(pk=tree.mine.pk).parent_id == tree.company.pk
    assert client.post(f"/goals/{tree.mine.pk}/archive/").status_code == 302
    assert Goal.objects.get(pk=tree.mine.pk).state == GoalState.ARCHIVED


def test_a_pushed_batch_moves_kpi_goals_on_the_employee_and_manager_pages(world, client_as,
                                                                         django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    goals = build_goals(world)
    # Line L1's values reach the employee while they work its shifts.
    subject_mapping_add(actor=world.user("hr"), subject=goals.mes.lines["L1"], employee=world.people["employee"],
                valid_from=date(YEAR, 1, 1))
    goal = kpi_goal(world, goals.defect, title="一线不良率", parent=goals.department)
    assert Goal.objects.get(pk=goal.pk).value is None
    rows = [{"row_key": f"d-{day}", "metric": "defect_rate", "subject_type": "line", "subject": "L1",
             "period": f"{YEAR}-03-{day:02d}", "value": value} for day, value in ((1, "3"), (2, "4"))]
    with django_capture_on_commit_callbacks(execute=True):  # the push commits, then goals hear of it
        response = push(client_as("anonymous"), {"idempotency_key": "b1", "rows": rows}, key=goals.mes.key)
    assert response.status_code in (200, 201), response.content
    stored = Goal.objects.get(pk=goal.pk)
    assert stored.value == Decimal("3.5")  # avg(defect_rate) over the period so far
    # lower is better: 3.5 is half way from the target 5 to the stretch 2 → 100 + 20 × 0.5 = 110
    assert stored.progress == Decimal("1.1")
    mine = client_as("employee").get(f"/goals/mine/?year={YEAR}").content.decode()
    team = client_as("manager").get(f"/goals/team/?year={YEAR}").content.decode()
    for body in (mine, team):
        assert "110.0%" in body
        assert ">3.5<" in body
    page = client_as("employee").get(f"/goals/{goal.pk}/").content.decode()
    assert "3.5" in page
    assert json.loads(client_as("manager").get(f"/api/v1/goals/{goal.pk}/").content)["progress"] == "1.100000"
    # and the department goal it aligns to is now computed from it
    assert Goal.objects.get(pk=goals.department.pk).progress == Decimal("1.1")


def test_company_goal_visible_in_every_year_filter(world, client_as) -> None:  # type: ignore[no-untyped-def]
    goal_create(actor=world.user("exec"), level=GoalLevel.COMPANY, kind=GoalKind.OKR, year=YEAR + 1,
                title="明年目标", key_results=[{"title": "k", "start": "0", "target": "1"}])
    assert "明年目标" not in client_as("employee").get(f"/goals/?year={YEAR}").content.decode()
    assert "明年目标" in client_as("employee").get(f"/goals/?year={YEAR + 1}").content.decode()
