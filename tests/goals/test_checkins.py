"""Check-ins and blockers (services/checkins.py): an OKR check-in moves its key results, the goal's progress and
its parents' rollup; a KPI check-in takes no key-result values; evidence is bounded (size, count, programs,
web addresses only); a blocker reaches the owner's manager, who answers it (the raiser is notified once), and
is closed; who may do each; everything audited."""

from __future__ import annotations

from decimal import Decimal

import pytest

from fairmark.accounts.models import User
from fairmark.audit.models import AuditEvent
from fairmark.core.errors import OutOfScope, ServiceError
from fairmark.goals.models import (
    EVIDENCE_MAX_BYTES,
    Blocker,
    BlockerStatus,
    CheckIn,
    Evidence,
    Goal,
    KeyResult,
)
from fairmark.goals.selectors import blockers_to_answer
from fairmark.goals.services.checkins import EvidenceIn, blocker_close, blocker_respond, checkin_create
from fairmark.goals.services.tree import goal_archive
from fairmark.notifications.models import Notification
from fairmark.org.models import Employee

from .support import build_goals, build_tree, kpi_goal

pytestmark = pytest.mark.django_db


def progress(goal: Goal) -> Decimal | None:
    return Goal.objects.get(pk=goal.pk).progress


def kr_of(goal: Goal) -> KeyResult:
    return goal.key_results.get()


def user_for(world, key: str) -> User:  # type: ignore[no-untyped-def]
    """A login for a person of the world who has none (the peer, the LINE2 leader)."""
    user = User.objects.create_user(username=key, password="x-" + key)
    Employee.objects.filter(pk=world.people[key].pk).update(user=user)
    world.people[key].refresh_from_db()
    return user


def field_errors(excinfo) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    return excinfo.value.fields


# --- OKR and KPI check-ins -------------------------------------------------------------------------------------

def test_okr_checkin_moves_key_results_progress_and_the_rollup(world) -> None:  # type: ignore[no-untyped-def]
    tree = build_tree(world)
    kr = kr_of(tree.mine)
    checkin = checkin_create(actor=world.user("employee"), goal=tree.mine, comment="换型 SOP 已试行",
                             key_results={kr.pk: "45"}, confidence="0.7")
    kr.refresh_from_db()
    assert kr.current == Decimal(45)  # 60 → 30 minutes: half-way
    assert kr.confidence == Decimal("0.70")
    assert progress(tree.mine) == Decimal("0.5")
    assert checkin.progress_after == Decimal("0.5")
    assert checkin.key_results == {str(kr.pk): "45"}
    assert checkin.confidence == Decimal("0.70")
    # the department goal has two children (the other one has no progress yet), the company goal one
    assert progress(tree.department) == Decimal("0.5")
    assert progress(tree.company) == Decimal("0.5")
    # the LINE2 person's goal, checked in by the head of PROD: the rollup is by weight over both
    other_kr = kr_of(tree.other)
    checkin_create(actor=world.user("head"), goal=tree.other, key_results={str(other_kr.pk): 30})
    assert progress(tree.department) == Decimal("0.75")
    assert progress(tree.company) == Decimal("0.75")
    event = AuditEvent.objects.get(action="goal.checkin", object_id=str(checkin.pk))
    assert event.after["key_results"] == {str(kr.pk): "45"}
    assert event.before["key_results"][str(kr.pk)]["current"] is None


def test_checkin_is_progress_not_the_agreement(world) -> None:  # type: ignore[no-untyped-def]
    """Allowed whatever the agreement's status (here: signed off)."""
    tree = build_tree(world)
    agreement = Goal.objects.get(pk=tree.mine.pk).agreement
    type(agreement).objects.filter(pk=agreement.pk).update(status="signed")
    kr = kr_of(tree.mine)
    checkin_create(actor=world.user("employee"), goal=tree.mine, key_results={kr.pk: "54"})
    assert progress(tree.mine) == Decimal("0.2")


def test_key_result_values_are_checked(world) -> None:  # type: ignore[no-untyped-def]
    tree = build_tree(world)
    kr = kr_of(tree.mine)
    foreign = kr_of(tree.other)
    with pytest.raises(ServiceError) as excinfo:
        checkin_create(actor=world.user("employee"), goal=tree.mine,
                       key_results={kr.pk: "fifty", foreign.pk: "10", "x": "1"}, confidence="1.5")
    errors = field_errors(excinfo)
    assert set(errors) == {f"key_results.{kr.pk}", f"key_results.{foreign.pk}", "key_results.x", "confidence"}
    kr.refresh_from_db()
    foreign.refresh_from_db()
    assert kr.current is None
    assert foreign.current is None
    assert not CheckIn.objects.exists()


def test_an_empty_checkin_is_refused(world) -> None:  # type: ignore[no-untyped-def]
    tree = build_tree(world)
    with pytest.raises(ServiceError) as excinfo:
        checkin_create(actor=world.user("employee"), goal=tree.mine, comment="   ", key_results={})
    assert "comment" in field_errors(excinfo)


def test_kpi_checkin_takes_a_comment_but_no_key_result_values(world) -> None:  # type: ignore[no-untyped-def]
    goals = build_goals(world)
    goal = kpi_goal(world, goals.defect)
    okr_kr = goals.department.key_results.get()
    with pytest.raises(ServiceError) as excinfo:
        checkin_create(actor=world.user("employee"), goal=goal, key_results={okr_kr.pk: "3"})
    assert "key_results" in field_errors(excinfo)
    checkin = checkin_create(actor=world.user("employee"), goal=goal, comment="三号机停机两天",
                             evidence=[EvidenceIn(link="https://mes.example.com/line1/downtime")])
    assert checkin.key_results == {}
    assert checkin.evidence.get().link == "https://mes.example.com/line1/downtime"


def test_archived_goal_takes_no_checkin(world) -> None:  # type: ignore[no-untyped-def]
    tree = build_tree(world)
    goal_archive(actor=world.user("employee"), goal=tree.mine)
    with pytest.raises(ServiceError) as excinfo:
        checkin_create(actor=world.user("employee"), goal=tree.mine, comment="x")
    assert excinfo.value.code == "goal_archived"


@pytest.mark.parametrize(("role", "allowed"), [
    ("employee", True), ("manager", True), ("head", True), ("hr", True), ("exec", True),
    ("hrbp", False), ("admin", False),
])
def test_who_checks_in_on_a_person_goal(world, role: str, allowed: bool) -> None:  # type: ignore[no-untyped-def]
    tree = build_tree(world)
    if allowed:
        checkin_create(actor=world.user(role), goal=tree.mine, comment="ok")
        assert CheckIn.objects.count() == 1
    else:
        with pytest.raises(OutOfScope):
            checkin_create(actor=world.user(role), goal=tree.mine, comment="no")
        assert not CheckIn.objects.exists()


def test_who_checks_in_on_department_and_company_goals(world) -> None:  # type: ignore[no-untyped-def]
    tree = build_tree(world)
    for role in ("employee", "manager", "hrbp"):
        with pytest.raises(OutOfScope):
            checkin_create(actor=world.user(role), goal=tree.department, comment="no")
    checkin_create(actor=world.user("head"), goal=tree.department, comment="ok")
    for role in ("employee", "manager", "head", "hrbp"):
        with pytest.raises(OutOfScope):
            checkin_create(actor=world.user(role), goal=tree.company, comment="no")
    checkin_create(actor=world.user("exec"), goal=tree.company, comment="ok")
    checkin_create(actor=world.user("hr"), goal=tree.company, comment="ok")
    # the LINE1 manager does not lead the LINE2 person
    with pytest.raises(OutOfScope):
        checkin_create(actor=world.user("manager"), goal=tree.other, comment="no")
    assert CheckIn.objects.count() == 3


# --- evidence ---------------------------------------------------------------------------------------------------

def test_evidence_files_and_links_are_stored(world) -> None:  # type: ignore[no-untyped-def]
    tree = build_tree(world)
    checkin = checkin_create(actor=world.user("employee"), goal=tree.mine, evidence=[
        EvidenceIn(name="C:\\Users\\chen\\换型记录.xlsx", content_type="application/vnd.ms-excel", data=b"PK\x03\x04"),
        EvidenceIn(name="photo.png", content_type="not a type", data=b"\x89PNG"),
        EvidenceIn(link="https://wiki.example.com/smed", name="SMED"),
    ])
    files = list(checkin.evidence.order_by("id"))
    assert [(e.name, e.content_type, e.size, e.link) for e in files] == [
        ("换型记录.xlsx", "application/vnd.ms-excel", 4, ""),
        ("photo.png", "image/png", 4, ""),
        ("SMED", "", 0, "https://wiki.example.com/smed"),
    ]
    assert bytes(files[0].data) == b"PK\x03\x04"


@pytest.mark.parametrize(("item", "field"), [
    (EvidenceIn(name="big.pdf", content_type="application/pdf", data=b"x" * (EVIDENCE_MAX_BYTES + 1)), "evidence.1"),
    (EvidenceIn(name="setup.EXE", data=b"MZ"), "evidence.1"),
    (EvidenceIn(name="run.sh", data=b"#!/bin/sh"), "evidence.1"),
    (EvidenceIn(name="fix.ps1.", data=b"x"), "evidence.1"),
    (EvidenceIn(name="empty.txt", data=b""), "evidence.1"),
    (EvidenceIn(link="javascript:alert(1)"), "evidence.1"),
    (EvidenceIn(link="ftp://files.example.com/x"), "evidence.1"),
    (EvidenceIn(link="not a url"), "evidence.1"),
    (EvidenceIn(link="https://example.com/" + "a" * 200), "evidence.1"),
])
def test_bad_evidence_is_refused_with_a_field_error(world, item: EvidenceIn, field: str) -> None:  # type: ignore[no-untyped-def]
    tree = build_tree(world)
    good = EvidenceIn(name="ok.txt", content_type="text/plain", data=b"ok")
    with pytest.raises(ServiceError) as excinfo:
        checkin_create(actor=world.user("employee"), goal=tree.mine, comment="x", evidence=[good, item])
    assert list(field_errors(excinfo)) == [field]
    assert not CheckIn.objects.exists()
    assert not Evidence.objects.exists()


def test_at_most_five_pieces_of_evidence(world) -> None:  # type: ignore[no-untyped-def]
    tree = build_tree(world)
    six = [EvidenceIn(name=f"{n}.txt", data=b"x") for n in range(5)] + [EvidenceIn(link="https://example.com")]
    with pytest.raises(ServiceError) as excinfo:
        checkin_create(actor=world.user("employee"), goal=tree.mine, evidence=six)
    assert list(field_errors(excinfo)) == ["evidence"]
    checkin_create(actor=world.user("employee"), goal=tree.mine, evidence=six[:5])
    assert Evidence.objects.count() == 5


def test_a_file_of_exactly_the_limit_is_accepted(world) -> None:  # type: ignore[no-untyped-def]
    tree = build_tree(world)
    checkin_create(actor=world.user("employee"), goal=tree.mine,
                   evidence=[EvidenceIn(name="scan.pdf", content_type="application/pdf", data=b"x" * EVIDENCE_MAX_BYTES)])
    assert Evidence.objects.get().size == EVIDENCE_MAX_BYTES


# --- blockers ---------------------------------------------------------------------------------------------------

def _raise(world, tree, text: str = "三号机设备故障，等待备件"):  # type: ignore[no-untyped-def]
    checkin_create(actor=world.user("employee"), goal=tree.mine, comment="进度受阻", blocker=text)
    return Blocker.objects.get()


def test_blocker_goes_to_the_managers_todo_and_back(world) -> None:  # type: ignore[no-untyped-def]
    tree = build_tree(world)
    peer = user_for(world, "peer")
    other_manager = user_for(world, "l2_leader")
    blocker = _raise(world, tree)
    assert blocker.assignee_id == world.people["manager"].pk
    assert blocker.raised_by_id == world.user("employee").pk
    assert blocker.status == BlockerStatus.OPEN
    raised = Notification.objects.get(event_key=f"goal-blocker:{blocker.pk}:raised")
    assert raised.recipient_id == world.user("manager").pk
    assert raised.kind == "goal.blocker"
    assert raised.link == "/goals/to-do/"
    assert "三号机" in raised.body
    # the manager's to-do lists it; the peer's and the other line's leader's do not
    assert list(blockers_to_answer(world.user("manager"))) == [blocker]
    assert not blockers_to_answer(peer).exists()
    assert not blockers_to_answer(other_manager).exists()
    # neither the peer, the other leader nor the raiser may answer it
    for actor in (peer, other_manager, world.user("employee")):
        with pytest.raises(OutOfScope):
            blocker_respond(actor=actor, blocker=blocker, response="?")
    with pytest.raises(ServiceError) as excinfo:
        blocker_respond(actor=world.user("manager"), blocker=blocker, response="  ")
    assert "response" in field_errors(excinfo)

    answered = blocker_respond(actor=world.user("manager"), blocker=blocker, response="已联系设备部，周三到货")
    assert answered.status == BlockerStatus.ANSWERED
    assert answered.responded_by_id == world.user("manager").pk
    assert answered.responded_at is not None
    assert not blockers_to_answer(world.user("manager")).exists()
    # answering again is refused, and the raiser was notified once
    with pytest.raises(ServiceError) as excinfo:
        blocker_respond(actor=world.user("manager"), blocker=blocker, response="再说一次")
    assert excinfo.value.code == "blocker_not_open"
    notes = Notification.objects.filter(event_key=f"goal-blocker:{blocker.pk}:answered")
    assert [(n.recipient_id, n.body) for n in notes] == [(world.user("employee").pk, "已联系设备部，周三到货")]

    # the peer may not close it; the raiser does
    with pytest.raises(OutOfScope):
        blocker_close(actor=peer, blocker=blocker)
    closed = blocker_close(actor=world.user("employee"), blocker=blocker)
    assert closed.status == BlockerStatus.CLOSED
    assert closed.closed_at is not None
    with pytest.raises(ServiceError):
        blocker_close(actor=world.user("employee"), blocker=blocker)
    actions = list(AuditEvent.objects.filter(object_type="goals.blocker", object_id=str(blocker.pk))
                   .order_by("seq").values_list("action", flat=True))
    assert actions == ["goal.blocker.raise", "goal.blocker.respond", "goal.blocker.close"]


def test_others_who_decide_for_the_person_may_answer(world) -> None:  # type: ignore[no-untyped-def]
    tree = build_tree(world)
    blocker = _raise(world, tree)
    with pytest.raises(OutOfScope):
        blocker_respond(actor=world.user("hrbp"), blocker=blocker, response="?")  # HR BP of QA only
    blocker_respond(actor=world.user("head"), blocker=blocker, response="由制造中心协调")
    assert Blocker.objects.get().responded_by_id == world.user("head").pk


def test_a_responder_may_close_an_open_blocker(world) -> None:  # type: ignore[no-untyped-def]
    tree = build_tree(world)
    blocker = _raise(world, tree)
    blocker_close(actor=world.user("manager"), blocker=blocker)
    assert Blocker.objects.get().status == BlockerStatus.CLOSED
    with pytest.raises(ServiceError):
        blocker_respond(actor=world.user("manager"), blocker=blocker, response="late")


def test_notification_in_the_assignees_language(world) -> None:  # type: ignore[no-untyped-def]
    tree = build_tree(world)
    User.objects.filter(pk=world.user("manager").pk).update(language="en")
    blocker = _raise(world, tree, "Spare part missing")
    note = Notification.objects.get(event_key=f"goal-blocker:{blocker.pk}:raised")
    assert note.title.startswith("Blocker on")


def test_a_blocker_raised_by_the_manager_goes_one_level_up(world) -> None:  # type: ignore[no-untyped-def]
    tree = build_tree(world)
    checkin_create(actor=world.user("manager"), goal=tree.mine, blocker="需要制造中心支持")
    assert Blocker.objects.get().assignee_id == world.people["prod_head"].pk
    assert Notification.objects.get(kind="goal.blocker").recipient_id == world.user("head").pk


def test_department_and_company_goal_blockers(world) -> None:  # type: ignore[no-untyped-def]
    tree = build_tree(world)
    # raised by the PROD head on PROD's goal: the head's own manager (the GM) answers
    checkin_create(actor=world.user("head"), goal=tree.department, blocker="预算未批")
    dept = Blocker.objects.get(goal=tree.department)
    assert dept.assignee_id == world.people["gm"].pk
    blocker_respond(actor=world.user("exec"), blocker=dept, response="本周批")
    # a company objective's blocker goes to whoever set it (the GM) ...
    checkin_create(actor=world.user("hr"), goal=tree.company, blocker="招聘预算冻结")
    assert Blocker.objects.get(goal=tree.company, text="招聘预算冻结").assignee_id == world.people["gm"].pk
    # ... unless they raised it themself: no one is above them, the company goal writers answer
    checkin_create(actor=world.user("exec"), goal=tree.company, blocker="市场变化")
    company = Blocker.objects.get(goal=tree.company, text="市场变化")
    assert company.assignee_id is None
    with pytest.raises(OutOfScope):
        blocker_respond(actor=world.user("exec"), blocker=company, response="self")  # the raiser
    blocker_respond(actor=world.user("hr"), blocker=company, response="调整目标")
    assert Blocker.objects.get(pk=company.pk).status == BlockerStatus.ANSWERED
