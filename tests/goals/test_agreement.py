"""The goal agreement (目标协议 / 目标签字): the acceptance flow from a draft to a signed agreement and an approved
change after sign-off, each step in the audit log and the history in order; who may take each step; the
transitions the state does not allow; changes decided by someone other than the one who asked."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from fairmark.audit.models import AuditEvent
from fairmark.core.errors import OutOfScope, ServiceError
from fairmark.goals.models import (
    Agreement,
    AgreementStatus,
    ChangeKind,
    ChangeStatus,
    Goal,
    GoalChange,
    GoalKind,
    GoalState,
)
from fairmark.goals.services.agreement import (
    Refused,
    agreement_approve,
    agreement_assigned,
    agreement_return,
    agreement_sign,
    agreement_submit,
)
from fairmark.goals.services.changes import change_decide, change_request
from fairmark.goals.services.tree import goal_update
from fairmark.notifications.models import Notification

from .support import YEAR, build_goals, kpi_goal, okr_goal

pytestmark = pytest.mark.django_db


def fresh(agreement: Agreement) -> Agreement:
    return Agreement.objects.get(pk=agreement.pk)


def signed_agreement(world, goals=None):  # type: ignore[no-untyped-def]
    """The employee's goals of YEAR, submitted, approved and signed by both."""
    goals = goals or build_goals(world)
    goal = okr_goal(world, parent=goals.department)
    agreement = goal.agreement
    agreement_submit(actor=world.user("employee"), agreement=agreement)
    agreement_approve(actor=world.user("manager"), agreement=agreement)
    agreement_sign(actor=world.user("employee"), agreement=agreement)
    agreement_sign(actor=world.user("manager"), agreement=agreement)
    return fresh(agreement), goal


def agreement_actions(agreement: Agreement) -> list[str]:
    return list(AuditEvent.objects.filter(object_type="goals.agreement", object_id=str(agreement.pk))
                .order_by("seq").values_list("action", flat=True))


def test_the_acceptance_flow(world) -> None:  # type: ignore[no-untyped-def]
    goals = build_goals(world)
    employee, manager, head = world.user("employee"), world.user("manager"), world.user("head")
    # The employee drafts their goals: the agreement of the year is created with the first one.
    goal = okr_goal(world, parent=goals.department)
    agreement = goal.agreement
    assert agreement.status == AgreementStatus.DRAFT
    assert agreement.year == YEAR

    agreement_submit(actor=employee, agreement=agreement, comment="请审批")
    assert fresh(agreement).status == AgreementStatus.SUBMITTED
    assert Notification.objects.filter(recipient=manager, kind="goal.agreement.submitted").count() == 1
    # Submitted goals wait for the decision: no edit in place.
    with pytest.raises(ServiceError) as caught:
        goal_update(actor=employee, goal=goal, changes={"title": "x"})
    assert caught.value.code == "agreement_locked"

    agreement_return(actor=manager, agreement=agreement, comment="目标值太低，请提高到 20 分钟")
    returned = fresh(agreement)
    assert returned.status == AgreementStatus.RETURNED
    assert returned.return_comment == "目标值太低，请提高到 20 分钟"
    assert Notification.objects.filter(recipient=employee, kind="goal.agreement.returned").count() == 1

    goal_update(actor=employee, goal=goal, changes={"key_results": [
        {"title": "换型时间（分钟）", "start": "60", "target": "20"}]})
    agreement_submit(actor=employee, agreement=agreement)
    assert fresh(agreement).return_comment == ""
    assert Notification.objects.filter(recipient=manager, kind="goal.agreement.submitted").count() == 2

    agreement_approve(actor=manager, agreement=agreement, comment="同意")
    approved = fresh(agreement)
    assert approved.status == AgreementStatus.APPROVED
    assert approved.approved_by == manager

    agreement_sign(actor=employee, agreement=agreement)
    half = fresh(agreement)
    assert half.status == AgreementStatus.APPROVED
    assert half.employee_signed_at is not None
    agreement_sign(actor=manager, agreement=agreement)
    signed = fresh(agreement)
    assert signed.status == AgreementStatus.SIGNED
    assert signed.manager_signed_by == manager
    assert signed.revision == 1

    # After sign-off: in place is refused, a change is asked for and decided by someone else.
    with pytest.raises(ServiceError) as caught:
        goal_update(actor=employee, goal=goal, changes={"weight": "2"})
    assert caught.value.code == "agreement_locked"
    change = change_request(actor=employee, agreement=agreement, kind=ChangeKind.EDIT, goal=goal,
                            proposed={"title": "换型时间降到 20 分钟", "weight": "2"}, reason="产线节拍调整")
    assert change.status == ChangeStatus.PENDING
    assert change.proposed == {"title": "换型时间降到 20 分钟", "weight": "2"}
    assert Goal.objects.get(pk=goal.pk).title == "降低换型时间"  # nothing applied yet
    with pytest.raises(Refused):  # the one who asked does not decide
        change_decide(actor=employee, change=change, approve=True)
    change_decide(actor=head, change=change, approve=True, comment="同意调整")
    changed = Goal.objects.get(pk=goal.pk)
    assert (changed.title, changed.weight) == ("换型时间降到 20 分钟", Decimal("2"))
    after = fresh(agreement)
    assert after.status == AgreementStatus.SIGNED
    assert after.revision == 2
    assert GoalChange.objects.get(pk=change.pk).status == ChangeStatus.APPROVED

    assert agreement_actions(agreement) == [
        "goal.agreement.submit", "goal.agreement.return", "goal.agreement.submit", "goal.agreement.approve",
        "goal.agreement.sign_employee", "goal.agreement.sign_manager", "goal.agreement.change_request",
        "goal.agreement.change_approve",
    ]
    steps = list(agreement.steps.order_by("at", "id").values_list("action", "status_after", "comment"))
    assert steps == [
        ("submit", "submitted", "请审批"), ("return", "returned", "目标值太低，请提高到 20 分钟"),
        ("submit", "submitted", ""), ("approve", "approved", "同意"), ("sign_employee", "approved", ""),
        ("sign_manager", "signed", ""), ("change_request", "signed", "产线节拍调整"),
        ("change_approve", "signed", "同意调整"),
    ]
    # The applied edit is in the goal's own audit trail, between the request and the decision.
    update = AuditEvent.objects.get(action="goal.update", object_id=str(goal.pk), actor_id=head.pk)
    request_seq = AuditEvent.objects.get(action="goal.agreement.change_request").seq
    decision_seq = AuditEvent.objects.get(action="goal.agreement.change_approve").seq
    assert request_seq < update.seq < decision_seq
    assert update.before["title"] == "降低换型时间"
    assert update.after["title"] == "换型时间降到 20 分钟"


@pytest.mark.parametrize("role", ["manager", "head", "hr", "exec"])
def test_the_people_who_decide(world, role) -> None:  # type: ignore[no-untyped-def]
    build_goals(world)
    agreement = okr_goal(world).agreement
    agreement_submit(actor=world.user("employee"), agreement=agreement)
    agreement_approve(actor=world.user(role), agreement=agreement)
    assert fresh(agreement).status == AgreementStatus.APPROVED


def test_wrong_roles_are_refused(world) -> None:  # type: ignore[no-untyped-def]
    build_goals(world)
    agreement = okr_goal(world).agreement
    with pytest.raises(Refused):  # only the employee submits
        agreement_submit(actor=world.user("manager"), agreement=agreement)
    with pytest.raises(OutOfScope):  # the HR BP of QA does not see a LINE1 operator
        agreement_submit(actor=world.user("hrbp"), agreement=agreement)
    agreement_submit(actor=world.user("employee"), agreement=agreement)
    with pytest.raises(Refused):  # never one's own goals
        agreement_approve(actor=world.user("employee"), agreement=agreement)
    with pytest.raises(Refused):
        agreement_return(actor=world.user("employee"), agreement=agreement, comment="no")
    with pytest.raises(OutOfScope):
        agreement_approve(actor=world.user("hrbp"), agreement=agreement)
    with pytest.raises(Refused):
        agreement_approve(actor=world.user("admin"), agreement=agreement)  # sees everything, decides nothing
    assert fresh(agreement).status == AgreementStatus.SUBMITTED


def test_out_of_scope_person(world) -> None:  # type: ignore[no-untyped-def]
    """The "other" person of LINE2 is outside the LINE1 manager's scope."""
    build_goals(world)
    agreement = okr_goal(world, person="other", actor="head").agreement
    with pytest.raises(OutOfScope):
        agreement_approve(actor=world.user("manager"), agreement=agreement)
    with pytest.raises(OutOfScope):
        agreement_sign(actor=world.user("manager"), agreement=agreement)


def test_illegal_transitions_say_why(world) -> None:  # type: ignore[no-untyped-def]
    translation.activate("en")  # the messages are read in English here (pytest-django resets the language)
    build_goals(world)
    goal = okr_goal(world)
    agreement = goal.agreement
    employee, manager = world.user("employee"), world.user("manager")
    with pytest.raises(ServiceError) as caught:
        agreement_approve(actor=manager, agreement=agreement)
    assert caught.value.code == "illegal_transition"
    assert "submitted" in caught.value.message
    with pytest.raises(ServiceError) as caught:
        agreement_sign(actor=employee, agreement=agreement)
    assert caught.value.code == "illegal_transition"
    assert "approved" in caught.value.message
    with pytest.raises(ServiceError) as caught:
        change_request(actor=employee, agreement=agreement, kind=ChangeKind.EDIT, goal=goal,
                       proposed={"title": "x"}, reason="r")
    assert caught.value.code == "illegal_transition"
    agreement_submit(actor=employee, agreement=agreement)
    with pytest.raises(ServiceError) as caught:
        agreement_submit(actor=employee, agreement=agreement)
    assert caught.value.code == "illegal_transition"
    with pytest.raises(ServiceError) as caught:
        agreement_return(actor=manager, agreement=agreement, comment="  ")
    assert "comment" in caught.value.fields
    agreement_approve(actor=manager, agreement=agreement)
    agreement_sign(actor=employee, agreement=agreement)
    with pytest.raises(ServiceError) as caught:
        agreement_sign(actor=employee, agreement=agreement)
    assert "already signed" in caught.value.message
    agreement_sign(actor=manager, agreement=agreement)
    with pytest.raises(ServiceError) as caught:
        agreement_sign(actor=manager, agreement=agreement)
    assert "already signed off" in caught.value.message
    with pytest.raises(ServiceError) as caught:  # edit a signed goal in place
        goal_update(actor=manager, goal=goal, changes={"title": "x"})
    assert caught.value.code == "agreement_locked"
    assert "change" in caught.value.message


def test_submit_needs_a_goal(world) -> None:  # type: ignore[no-untyped-def]
    from fairmark.goals.services.tree import agreement_for, goal_archive

    build_goals(world)
    goal = okr_goal(world)
    goal_archive(actor=world.user("employee"), goal=goal)
    with pytest.raises(ServiceError) as caught:
        agreement_submit(actor=world.user("employee"), agreement=agreement_for(world.people["employee"], YEAR))
    assert "goals" in caught.value.fields


def test_a_managers_own_request_is_decided_by_someone_else(world) -> None:  # type: ignore[no-untyped-def]
    goals = build_goals(world)
    agreement, goal = signed_agreement(world, goals)
    manager, head = world.user("manager"), world.user("head")
    change = change_request(actor=manager, agreement=agreement, kind=ChangeKind.ARCHIVE, goal=goal,
                            reason="换线后不再适用")
    # The employee hears of it, and the manager's manager is asked to decide.
    assert Notification.objects.filter(recipient=world.user("employee"), kind="goal.change.requested").count() == 1
    assert Notification.objects.filter(recipient=head, kind="goal.change.requested").count() == 1
    with pytest.raises(Refused):
        change_decide(actor=manager, change=change, approve=True)
    with pytest.raises(Refused):  # the employee never decides
        change_decide(actor=world.user("employee"), change=change, approve=True)
    change_decide(actor=head, change=change, approve=True)
    assert Goal.objects.get(pk=goal.pk).state == GoalState.ARCHIVED
    assert fresh(agreement).revision == 2


def test_a_rejected_change_changes_nothing_but_is_recorded(world) -> None:  # type: ignore[no-untyped-def]
    agreement, goal = signed_agreement(world)
    change = change_request(actor=world.user("employee"), agreement=agreement, kind=ChangeKind.EDIT, goal=goal,
                            proposed={"weight": "5"}, reason="r")
    change_decide(actor=world.user("manager"), change=change, approve=False, comment="维持原权重")
    assert Goal.objects.get(pk=goal.pk).weight == Decimal("1")
    assert fresh(agreement).revision == 1
    decided = GoalChange.objects.get(pk=change.pk)
    assert decided.status == ChangeStatus.REJECTED
    assert decided.decision_comment == "维持原权重"
    assert agreement_actions(agreement)[-1] == "goal.agreement.change_reject"
    with pytest.raises(ServiceError) as caught:  # decided once
        change_decide(actor=world.user("head"), change=change, approve=True)
    assert caught.value.code == "illegal_transition"


def test_adding_a_kpi_goal_after_sign_off(world) -> None:  # type: ignore[no-untyped-def]
    goals = build_goals(world)
    agreement, _goal = signed_agreement(world, goals)
    with pytest.raises(ServiceError) as caught:  # checked as goal_create would: lower is better
        change_request(actor=world.user("employee"), agreement=agreement, kind=ChangeKind.ADD,
                       proposed={"kind": "kpi", "title": "不良率", "indicator": "line_defect_rate",
                                 "threshold": "3", "target": "5", "stretch": "2"}, reason="r")
    assert "proposed.threshold" in caught.value.fields
    change = change_request(actor=world.user("employee"), agreement=agreement, kind=ChangeKind.ADD,
                            proposed={"kind": "kpi", "title": "不良率", "indicator": "line_defect_rate",
                                      "threshold": "8", "target": "5", "stretch": "2", "weight": "2"},
                            reason="新增质量指标")
    assert change.proposed["indicator_version"] == goals.defect.pk
    assert change.proposed["target"] == "5"
    change_decide(actor=world.user("manager"), change=change, approve=True)
    added = Goal.objects.get(agreement=agreement, kind=GoalKind.KPI)
    assert (added.target, added.weight, added.indicator_version_id) == (Decimal(5), Decimal(2), goals.defect.pk)
    assert GoalChange.objects.get(pk=change.pk).goal_id == added.pk
    assert fresh(agreement).status == AgreementStatus.SIGNED
    assert AuditEvent.objects.filter(action="goal.create", object_id=str(added.pk)).count() == 1


def test_a_change_is_checked_when_asked_for(world) -> None:  # type: ignore[no-untyped-def]
    goals = build_goals(world)
    agreement, goal = signed_agreement(world, goals)
    employee = world.user("employee")
    cases = [
        ({"nonsense": 1}, "proposed.nonsense"),
        ({"weight": "-1"}, "proposed.weight"),
        ({"target": "5"}, "proposed.target"),  # an OKR has no target line
        ({"key_results": [{"title": "", "start": "1", "target": "2"}]}, "proposed.key_results.0.title"),
        ({}, "proposed"),
    ]
    for proposed, field in cases:
        with pytest.raises(ServiceError) as caught:
            change_request(actor=employee, agreement=agreement, kind=ChangeKind.EDIT, goal=goal, proposed=proposed,
                           reason="r")
        assert field in caught.value.fields, (proposed, caught.value.fields)
    with pytest.raises(ServiceError) as caught:
        change_request(actor=employee, agreement=agreement, kind=ChangeKind.EDIT, goal=goal,
                       proposed={"title": "x"}, reason="")
    assert "reason" in caught.value.fields
    other = kpi_goal(world, goals.output, person="peer", threshold="600", target="1000", stretch="1200")
    with pytest.raises(ServiceError) as caught:  # a goal of another agreement
        change_request(actor=employee, agreement=agreement, kind=ChangeKind.EDIT, goal=other,
                       proposed={"title": "x"}, reason="r")
    assert "goal" in caught.value.fields
    change_request(actor=employee, agreement=agreement, kind=ChangeKind.EDIT, goal=goal, proposed={"title": "x"},
                   reason="r")
    with pytest.raises(ServiceError) as caught:  # one pending change per goal
        change_request(actor=employee, agreement=agreement, kind=ChangeKind.EDIT, goal=goal,
                       proposed={"title": "y"}, reason="r")
    assert "goal" in caught.value.fields
    assert GoalChange.objects.count() == 1


def test_editing_kpi_targets_through_a_change(world) -> None:  # type: ignore[no-untyped-def]
    goals = build_goals(world)
    goal = kpi_goal(world, goals.defect)
    agreement = goal.agreement
    agreement_submit(actor=world.user("employee"), agreement=agreement)
    agreement_approve(actor=world.user("manager"), agreement=agreement)
    agreement_sign(actor=world.user("manager"), agreement=agreement)
    agreement_sign(actor=world.user("employee"), agreement=agreement)
    with pytest.raises(ServiceError) as caught:  # target beyond the stretch for lower-is-better
        change_request(actor=world.user("manager"), agreement=agreement, kind=ChangeKind.EDIT, goal=goal,
                       proposed={"target": "1"}, reason="r")
    assert "proposed.target" in caught.value.fields or "proposed.stretch" in caught.value.fields
    change = change_request(actor=world.user("manager"), agreement=agreement, kind=ChangeKind.EDIT, goal=goal,
                            proposed={"target": "4.5", "period_end": "2026-06-30"}, reason="上半年")
    change_decide(actor=world.user("hr"), change=change, approve=True)
    changed = Goal.objects.get(pk=goal.pk)
    assert changed.target == Decimal("4.5")
    assert str(changed.period_end) == "2026-06-30"


def test_signing_notifies_the_other_side(world) -> None:  # type: ignore[no-untyped-def]
    build_goals(world)
    agreement = okr_goal(world).agreement
    employee, manager = world.user("employee"), world.user("manager")
    agreement_submit(actor=employee, agreement=agreement)
    agreement_approve(actor=manager, agreement=agreement)
    assert Notification.objects.filter(recipient=employee, kind="goal.agreement.approved").count() == 1
    agreement_sign(actor=manager, agreement=agreement)
    assert Notification.objects.filter(recipient=employee, kind="goal.agreement.signed").count() == 1
    agreement_sign(actor=employee, agreement=agreement)
    note = Notification.objects.get(recipient=manager, kind="goal.agreement.signed")
    assert note.link == f"/goals/agreements/{agreement.pk}/"


def test_notifications_are_in_the_recipients_language(world) -> None:  # type: ignore[no-untyped-def]
    build_goals(world)
    manager = world.user("manager")
    manager.language = "en"
    manager.save(update_fields=["language"])
    agreement = okr_goal(world).agreement
    agreement_submit(actor=world.user("employee"), agreement=agreement)
    note = Notification.objects.get(recipient=manager)
    assert note.title.startswith("陈员工 submitted the goals of 2026")


def test_a_manager_records_goals_they_assigned(world) -> None:  # type: ignore[no-untyped-def]
    goals = build_goals(world)
    goal = kpi_goal(world, goals.defect)  # created by the manager
    step = agreement_assigned(actor=world.user("manager"), agreement=goal.agreement, count=1)
    assert (step.action, step.status_after) == ("assign", "draft")
    assert agreement_actions(goal.agreement) == ["goal.agreement.assign"]
    with pytest.raises(Refused):
        agreement_assigned(actor=world.user("employee"), agreement=goal.agreement, count=1)
