"""Goal sets and bulk assignment: a set's goals checked item by item ("items.1.target"); one action gives every
goal of the set to every person chosen (agreements created, goals and key results, one audit event and one
"assign" step per person, one notification per person, progress and KPI values computed); all or nothing
when someone's goals are already submitted or signed; assigning again skips the people who hold the set."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from fairmark.audit.models import AuditEvent
from fairmark.core.errors import OutOfScope, ServiceError
from fairmark.goals.models import (
    Agreement,
    AgreementAction,
    AgreementStatus,
    AgreementStep,
    Goal,
    GoalKind,
    GoalSet,
    KeyResult,
)
from fairmark.goals.services.agreement import Refused, agreement_submit
from fairmark.goals.services.goal_sets import goal_set_assign, goal_set_create, goal_set_update
from fairmark.notifications.models import Notification

from .support import YEAR, Goals, build_goals, okr_goal

pytestmark = pytest.mark.django_db


def items(goals: Goals) -> list[dict[str, Any]]:
    return [
        {"kind": "kpi", "title": "不良率 ≤ 5%", "indicator": "line_defect_rate", "threshold": "8", "target": "5",
         "stretch": "2", "weight": "3", "parent": goals.department.pk},
        {"kind": "okr", "title": "换型提速", "weight": "1",
         "key_results": [{"title": "换型时间", "start": "60", "target": "30", "current": "60"},
                         {"title": "标准作业书", "start": "0", "target": "10", "weight": "2"}]},
        {"kind": "kpi", "title": "产量", "indicator": "line_output", "target": "1000"},
    ]


def make_set(world, goals: Goals, actor: str = "head") -> GoalSet:  # type: ignore[no-untyped-def]
    return goal_set_create(actor=world.user(actor), name="电芯操作工 2026", year=YEAR, department=world.depts["PROD"],
                           items=items(goals))


def people(world, *keys: str) -> list[Any]:  # type: ignore[no-untyped-def]
    return [world.people[key] for key in keys]


def test_a_set_keeps_checked_specs(world) -> None:  # type: ignore[no-untyped-def]
    goals = build_goals(world)
    goal_set = make_set(world, goals)
    specs = [item.spec for item in goal_set.items.all()]
    assert [s["title"] for s in specs] == ["不良率 ≤ 5%", "换型提速", "产量"]
    assert specs[0]["indicator_version"] == goals.defect.pk
    assert specs[0]["indicator"] == "line_defect_rate"
    assert specs[0]["parent"] == goals.department.pk
    assert specs[0]["weight"] == "3"
    assert specs[1]["key_results"][0] == {"title": "换型时间", "start": "60", "target": "30", "weight": "1",
                                          "current": "60"}
    assert specs[1]["key_results"][1] == {"title": "标准作业书", "start": "0", "target": "10", "weight": "2"}
    assert AuditEvent.objects.filter(action="goal.set.create", object_id=str(goal_set.pk)).count() == 1


def test_items_are_checked_one_by_one(world) -> None:  # type: ignore[no-untyped-def]
    goals = build_goals(world)
    bad = items(goals)
    bad[0]["threshold"] = "3"  # lower is better: the threshold must be above the target
    bad[1]["key_results"][0]["start"] = "abc"
    bad[2] = {"kind": "kpi", "title": "产量", "indicator": "line_output"}  # no target
    bad.append({"kind": "kpi", "title": "未知", "indicator": "no_such", "target": "1"})
    with pytest.raises(ServiceError) as caught:
        goal_set_create(actor=world.user("head"), name="x", year=YEAR, department=world.depts["PROD"], items=bad)
    fields = caught.value.fields
    assert "items.0.threshold" in fields
    assert "items.1.key_results.0.start" in fields
    assert "items.2.target" in fields
    assert "items.3.indicator" in fields
    assert GoalSet.objects.count() == 0
    with pytest.raises(ServiceError) as caught:
        goal_set_create(actor=world.user("head"), name="x", year=YEAR, department=world.depts["PROD"], items=[])
    assert "items" in caught.value.fields


def test_who_keeps_sets(world) -> None:  # type: ignore[no-untyped-def]
    goals = build_goals(world)
    with pytest.raises(ServiceError) as caught:  # the head of PROD does not set QA's goals
        goal_set_create(actor=world.user("head"), name="x", year=YEAR, department=world.depts["QA"],
                        items=items(goals)[1:2])
    assert "department" in caught.value.fields
    with pytest.raises(ServiceError):
        goal_set_create(actor=world.user("employee"), name="x", year=YEAR, department=world.depts["LINE1"],
                        items=items(goals)[1:2])
    assert make_set(world, goals, actor="manager").created_by == world.user("manager")


def test_bulk_assignment_to_three_people(world) -> None:  # type: ignore[no-untyped-def]
    goals = build_goals(world)
    goal_set = make_set(world, goals)
    head = world.user("head")
    # "other" (LINE2) already has a draft with a goal of their own; the others have no agreement yet.
    own = okr_goal(world, person="other", actor="head", title="自有目标")
    result = goal_set_assign(actor=head, goal_set=goal_set, employees=people(world, "employee", "peer", "other"))
    assert [p.number for p in result.assigned] == ["E0004", "E0005", "E0007"]
    assert result.skipped == []
    assert result.goals == 9
    assert result.agreements_created == 2

    for key in ("employee", "peer", "other"):
        person = world.people[key]
        agreement = Agreement.objects.get(employee=person, year=YEAR)
        mine = list(Goal.objects.filter(goal_set=goal_set, employee=person).order_by("position"))
        assert [g.title for g in mine] == ["不良率 ≤ 5%", "换型提速", "产量"]
        assert all(g.agreement_id == agreement.pk and g.created_by == head for g in mine)
        assert mine[0].parent_id == goals.department.pk
        assert mine[0].weight == Decimal(3)
        assert KeyResult.objects.filter(goal=mine[1]).count() == 2
        step = AgreementStep.objects.get(agreement=agreement)
        assert (step.action, step.status_after) == (AgreementAction.ASSIGN, AgreementStatus.DRAFT)
        event = AuditEvent.objects.get(action="goal.agreement.assign", object_id=str(agreement.pk))
        assert sorted(event.after["goals"]) == sorted(g.pk for g in mine)
    # after the goal of their own
    assert Goal.objects.get(goal_set=goal_set, employee=world.people["other"], title="产量").position == own.position + 3
    # one audit event per person, one notification per person (those who have an account)
    assert AuditEvent.objects.filter(action="goal.agreement.assign").count() == 3
    assert Notification.objects.filter(kind="goal.agreement.assigned").count() == 1  # only "employee" signs in
    note = Notification.objects.get(recipient=world.user("employee"), kind="goal.agreement.assigned")
    assert "3" in note.title
    # progress computed: the OKRs start at their baseline (no data yet: the KPI goals' progress is unknown)
    assert set(Goal.objects.filter(goal_set=goal_set, kind=GoalKind.OKR).values_list("progress", flat=True)) == {0}


def test_assigning_again_skips_the_people_who_hold_the_set(world) -> None:  # type: ignore[no-untyped-def]
    goals = build_goals(world)
    goal_set = make_set(world, goals)
    head = world.user("head")
    goal_set_assign(actor=head, goal_set=goal_set, employees=people(world, "employee"))
    # the employee has submitted since: they are skipped, not a reason to refuse
    agreement_submit(actor=world.user("employee"), agreement=Agreement.objects.get(employee=world.people["employee"]))
    result = goal_set_assign(actor=head, goal_set=goal_set, employees=people(world, "employee", "peer"))
    assert [p.number for p in result.skipped] == ["E0004"]
    assert [p.number for p in result.assigned] == ["E0005"]
    assert Goal.objects.filter(goal_set=goal_set, employee=world.people["employee"]).count() == 3
    again = goal_set_assign(actor=head, goal_set=goal_set, employees=people(world, "employee", "peer"))
    assert again.assigned == []
    assert again.goals == 0
    assert len(again.skipped) == 2
    assert Goal.objects.filter(goal_set=goal_set).count() == 6
    assert Notification.objects.filter(recipient=world.user("employee"), kind="goal.agreement.assigned").count() == 1


def test_all_or_nothing_when_someone_is_locked(world) -> None:  # type: ignore[no-untyped-def]
    goals = build_goals(world)
    goal_set = make_set(world, goals)
    agreement = okr_goal(world).agreement
    agreement_submit(actor=world.user("employee"), agreement=agreement)
    before = (Goal.objects.count(), Agreement.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ServiceError) as caught:
        goal_set_assign(actor=world.user("head"), goal_set=goal_set, employees=people(world, "peer", "employee"))
    assert caught.value.code == "agreement_locked"
    assert "陈员工 (E0004)" in caught.value.message
    assert "刘同事" not in caught.value.message
    assert (Goal.objects.count(), Agreement.objects.count(), AuditEvent.objects.count()) == before


def test_only_people_the_actor_leads(world) -> None:  # type: ignore[no-untyped-def]
    goals = build_goals(world)
    goal_set = make_set(world, goals, actor="manager")
    manager = world.user("manager")
    with pytest.raises(OutOfScope):  # LINE2's operator is outside the LINE1 manager's scope
        goal_set_assign(actor=manager, goal_set=goal_set, employees=people(world, "employee", "other"))
    with pytest.raises(Refused) as caught:  # one's own goals are not assigned by oneself
        goal_set_assign(actor=manager, goal_set=goal_set, employees=people(world, "employee", "manager"))
    assert "张线长" in caught.value.message
    assert Goal.objects.filter(goal_set=goal_set).count() == 0
    with pytest.raises(OutOfScope):  # the HR BP of QA does not see the set
        goal_set_assign(actor=world.user("hrbp"), goal_set=goal_set, employees=people(world, "qa_engineer"))


def test_editing_a_set_keeps_what_was_assigned(world) -> None:  # type: ignore[no-untyped-def]
    goals = build_goals(world)
    goal_set = make_set(world, goals)
    goal_set_assign(actor=world.user("head"), goal_set=goal_set, employees=people(world, "employee"))
    changed = items(goals)[:1]
    changed[0]["target"] = "4"
    goal_set_update(actor=world.user("head"), goal_set=goal_set, name="新名字", year=YEAR,
                    department=world.depts["LINE1"], items=changed)
    goal_set.refresh_from_db()
    assert goal_set.name == "新名字"
    assert goal_set.items.count() == 1
    assert Goal.objects.filter(goal_set=goal_set).count() == 3
    with pytest.raises(OutOfScope):  # the HR BP of QA does not see a set of LINE1
        goal_set_update(actor=world.user("hrbp"), goal_set=goal_set, name="x", year=YEAR,
                        department=world.depts["LINE1"], items=changed)


def test_kpi_goals_read_their_data_once_assigned(world) -> None:  # type: ignore[no-untyped-def]
    from django.test import Client

    from tests.ingestion.support import push

    goals = build_goals(world)
    rows = [{"row_key": f"d-{day}", "metric": "defect_rate", "subject_type": "employee", "subject": "E0004",
             "period": f"{YEAR}-03-0{day}", "value": value} for day, value in ((1, "4"), (2, "6"))]
    assert push(Client(), {"idempotency_key": "k1", "rows": rows}, key=goals.mes.key).status_code in (200, 201)
    goal_set = make_set(world, goals)
    goal_set_assign(actor=world.user("head"), goal_set=goal_set, employees=people(world, "employee", "peer"))
    mine = Goal.objects.get(goal_set=goal_set, employee=world.people["employee"], title="不良率 ≤ 5%")
    assert mine.value == Decimal(5)
    assert mine.value_on is not None
    assert mine.progress is not None  # 5 % is the target: its line scores it
    theirs = Goal.objects.get(goal_set=goal_set, employee=world.people["peer"], title="不良率 ≤ 5%")
    assert theirs.value is None
    assert theirs.progress is None
    # the department goal rolls up its new children by weight
    assert Goal.objects.get(pk=goals.department.pk).progress is not None
