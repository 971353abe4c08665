"""The goal tree: cascading, alignment across departments, weights and the rollup of progress by weight
(acceptance: 50 % × 1 and 100 % × 3 give 87.5 %; moving a child recomputes both parents; archiving a child
takes it out), and who may write which level."""

from __future__ import annotations

from decimal import Decimal

import pytest

from fairmark.audit.models import AuditEvent
from fairmark.core.errors import OutOfScope, ServiceError
from fairmark.goals.models import Goal, GoalKind, GoalLevel, GoalState
from fairmark.goals.services.tree import goal_archive, goal_create, goal_move, goal_update

from .support import YEAR, build_goals, okr_goal

pytestmark = pytest.mark.django_db


def _half_and_full(world, parent):  # type: ignore[no-untyped-def]
    half = okr_goal(world, parent=parent, weight=1, title="一半",
                    key_results=[{"title": "a", "start": "0", "target": "100", "current": "50"}])
    full = okr_goal(world, person="peer", actor="manager", parent=parent, weight=3, title="全部",
                    key_results=[{"title": "b", "start": "0", "target": "10", "current": "10"}])
    return half, full


def progress(goal: Goal) -> Decimal | None:
    return Goal.objects.get(pk=goal.pk).progress


def test_rollup_by_weight_not_a_plain_average(world) -> None:  # type: ignore[no-untyped-def]
    goals = build_goals(world)
    parent = goals.department
    half, full = _half_and_full(world, parent)
    assert progress(half) == Decimal("0.5")
    assert progress(full) == Decimal("1")
    assert progress(parent) == Decimal("0.875")
    # and on up: the company objective has the department goal as its only child
    assert progress(goals.company) == Decimal("0.875")


def test_moving_a_child_recomputes_both_parents(world) -> None:  # type: ignore[no-untyped-def]
    goals = build_goals(world)
    _half, full = _half_and_full(world, goals.department)
    other = goal_create(actor=world.user("head"), level=GoalLevel.DEPARTMENT, kind=GoalKind.OKR, year=YEAR,
                        department=world.depts["LINE2"], parent=goals.company, title="二线交付",
                        key_results=[{"title": "c", "start": "0", "target": "1", "current": "0"}])
    assert progress(other) == Decimal("0")
    goal_move(actor=world.user("manager"), goal=full, parent=other)
    assert progress(goals.department) == Decimal("0.5")  # only the half-done child is left
    assert progress(other) == Decimal("1")  # its own key result no longer counts: it has a child now
    assert AuditEvent.objects.filter(action="goal.move", object_id=str(full.pk)).count() == 1


def test_archiving_a_child_takes_it_out_of_the_rollup(world) -> None:  # type: ignore[no-untyped-def]
    goals = build_goals(world)
    half, full = _half_and_full(world, goals.department)
    goal_archive(actor=world.user("employee"), goal=half)
    assert Goal.objects.get(pk=half.pk).state == GoalState.ARCHIVED
    assert progress(goals.department) == Decimal("1")
    goal_archive(actor=world.user("manager"), goal=full)
    # no live child left: the department goal is back on its own key result (start 8, target 5, no value yet)
    assert progress(goals.department) is None


def test_a_goal_aligns_to_a_goal_of_another_department(world) -> None:  # type: ignore[no-untyped-def]
    goals = build_goals(world)
    qa = goal_create(actor=world.user("exec"), level=GoalLevel.DEPARTMENT, kind=GoalKind.OKR, year=YEAR,
                     department=world.depts["QA"], title="来料检验",
                     key_results=[{"title": "d", "start": "0", "target": "1"}])
    mine = okr_goal(world, parent=qa)
    assert mine.parent_id == qa.pk
    assert mine.employee.department_id != qa.department_id
    assert set(qa.children.values_list("pk", flat=True)) == {mine.pk}
    assert goals.company.children.count() == 1


def test_a_goal_cannot_align_under_its_own_child(world) -> None:  # type: ignore[no-untyped-def]
    goals = build_goals(world)
    with pytest.raises(ServiceError) as caught:
        goal_move(actor=world.user("exec"), goal=goals.company, parent=goals.department)
    assert "parent" in caught.value.fields


@pytest.mark.parametrize(("role", "allowed"), [("exec", True), ("hr", True), ("head", False), ("manager", False),
                                               ("employee", False), ("hrbp", False)])
def test_who_writes_company_objectives(world, role, allowed) -> None:  # type: ignore[no-untyped-def]
    def create() -> Goal:
        return goal_create(actor=world.user(role), level=GoalLevel.COMPANY, kind=GoalKind.OKR, year=YEAR,
                           title="战略目标", key_results=[{"title": "k", "start": "0", "target": "1"}])
    if allowed:
        assert create().level == GoalLevel.COMPANY
    else:
        with pytest.raises(OutOfScope):
            create()


@pytest.mark.parametrize(("role", "dept", "allowed"), [
    ("head", "PROD", True), ("head", "LINE1", True), ("head", "QA", False), ("hrbp", "QA", True),
    ("hrbp", "PROD", False), ("manager", "LINE1", True), ("employee", "LINE1", False), ("exec", "QA", True),
])
def test_who_writes_department_goals(world, role, dept, allowed) -> None:  # type: ignore[no-untyped-def]
    def create() -> Goal:
        return goal_create(actor=world.user(role), level=GoalLevel.DEPARTMENT, kind=GoalKind.OKR, year=YEAR,
                           department=world.depts[dept], title="部门目标",
                           key_results=[{"title": "k", "start": "0", "target": "1"}])
    if allowed:
        assert create().department_id == world.depts[dept].pk
    else:
        with pytest.raises(OutOfScope):
            create()


def test_kpi_goal_checks_its_line(world) -> None:  # type: ignore[no-untyped-def]
    goals = build_goals(world)
    with pytest.raises(ServiceError) as caught:
        goal_create(actor=world.user("manager"), level=GoalLevel.PERSON, kind=GoalKind.KPI, year=YEAR,
                    employee=world.people["employee"], title="不良率", indicator_version=goals.defect,
                    threshold="3", target="5", stretch="2")  # lower is better: threshold must be above target
    assert "threshold" in caught.value.fields


def test_edit_is_audited_with_before_and_after(world) -> None:  # type: ignore[no-untyped-def]
    build_goals(world)
    goal = okr_goal(world)
    goal_update(actor=world.user("employee"), goal=goal, changes={"title": "新标题", "weight": "2"})
    event = AuditEvent.objects.filter(action="goal.update", object_id=str(goal.pk)).get()
    assert event.before["title"] == "降低换型时间"
    assert event.after["title"] == "新标题"
