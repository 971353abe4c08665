"""The agreement pages (the flow by buttons, errors shown on the page, the buttons each viewer gets), the list
with "waiting for me", and the goal set pages: a set edited as rows, and bulk assignment by ticking people."""

from __future__ import annotations

from typing import Any

import pytest

from fairmark.goals.models import Agreement, AgreementStatus, ChangeStatus, Goal, GoalChange, GoalSet
from fairmark.goals.services.agreement import agreement_submit
from fairmark.goals.services.goal_sets import goal_set_create

from .support import YEAR, build_goals, okr_goal

pytestmark = pytest.mark.django_db


def page(client: Any, agreement: Agreement) -> str:
    response = client.get(f"/goals/agreements/{agreement.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def act(client: Any, agreement: Agreement, step: str, **data: Any) -> Any:
    return client.post(f"/goals/agreements/{agreement.pk}/{step}/", data=data)


def test_the_flow_by_buttons(world, client_as) -> None:  # type: ignore[no-untyped-def]
    goals = build_goals(world)
    goal = okr_goal(world, parent=goals.department)
    agreement = goal.agreement
    employee, manager, head = client_as("employee"), client_as("manager"), client_as("head")

    mine = page(employee, agreement)
    assert 'data-testid="submit-agreement"' in mine
    assert goal.title in mine
    assert 'data-testid="approve-agreement"' not in mine
    assert 'data-testid="submit-agreement"' not in page(manager, agreement)
    assert act(manager, agreement, "submit").status_code == 403

    assert act(employee, agreement, "submit", comment="请审批").status_code == 302
    theirs = page(manager, agreement)
    assert 'data-testid="approve-agreement"' in theirs
    assert 'data-testid="return-agreement"' in theirs
    assert 'data-testid="approve-agreement"' not in page(employee, agreement)

    missing = act(manager, agreement, "return", comment="")
    assert missing.status_code == 400
    assert 'data-field-error="comment"' in missing.content.decode()
    assert act(manager, agreement, "return", comment="请量化目标").status_code == 302
    returned = page(employee, agreement)
    assert 'data-testid="return-comment"' in returned
    assert "请量化目标" in returned

    assert act(employee, agreement, "submit").status_code == 302
    assert act(employee, agreement, "approve").status_code == 403
    assert act(manager, agreement, "approve", comment="同意").status_code == 302
    assert 'data-testid="sign-employee"' in page(employee, agreement)
    assert 'data-testid="sign-manager"' in page(manager, agreement)
    assert act(employee, agreement, "sign").status_code == 302
    assert 'data-testid="sign-employee"' not in page(employee, agreement)
    assert act(manager, agreement, "sign").status_code == 302
    assert Agreement.objects.get(pk=agreement.pk).status == AgreementStatus.SIGNED

    signed = page(employee, agreement)
    assert 'data-testid="change-form"' in signed
    nothing = act(employee, agreement, "request-change", kind="edit", goal=str(goal.pk), reason="r")
    assert nothing.status_code == 400
    assert 'data-testid="form-errors"' in nothing.content.decode()
    bad = act(employee, agreement, "request-change", kind="edit", goal=str(goal.pk), weight="x", reason="r")
    assert bad.status_code == 400
    assert 'data-field-error="weight"' in bad.content.decode()
    assert act(employee, agreement, "request-change", kind="edit", goal=str(goal.pk), title="新标题",
               reason="工艺变更").status_code == 302
    change = GoalChange.objects.get()
    assert f'data-testid="approve-change-{change.pk}"' not in page(employee, agreement)
    assert f'data-testid="approve-change-{change.pk}"' in page(manager, agreement)
    assert employee.post(f"/goals/changes/{change.pk}/decide/", {"decision": "approve"}).status_code == 403
    assert manager.post(f"/goals/changes/{change.pk}/decide/", {"decision": "approve"}).status_code == 302
    assert GoalChange.objects.get().status == ChangeStatus.APPROVED
    assert Goal.objects.get(pk=goal.pk).title == "新标题"
    history = page(head, agreement)
    for action in ("submit", "return", "approve", "sign_employee", "sign_manager", "change_request",
                   "change_approve"):
        assert f'data-step="{action}"' in history


def test_illegal_steps_come_back_with_the_reason(world, client_as) -> None:  # type: ignore[no-untyped-def]
    build_goals(world)
    agreement = okr_goal(world).agreement
    response = act(client_as("manager"), agreement, "approve")
    assert response.status_code == 400
    assert "submitted" in response.content.decode() or "提交" in response.content.decode()
    assert act(client_as("employee"), agreement, "sign").status_code == 400
    assert Agreement.objects.get(pk=agreement.pk).status == AgreementStatus.DRAFT


def test_out_of_scope_pages_are_404(world, client_as) -> None:  # type: ignore[no-untyped-def]
    build_goals(world)
    theirs = okr_goal(world, person="other", actor="head").agreement
    assert client_as("manager").get(f"/goals/agreements/{theirs.pk}/").status_code == 404
    assert act(client_as("manager"), theirs, "approve").status_code == 404
    assert client_as("anonymous").get(f"/goals/agreements/{theirs.pk}/").status_code == 302


def test_the_list_and_waiting_for_me(world, client_as) -> None:  # type: ignore[no-untyped-def]
    build_goals(world)
    mine = okr_goal(world).agreement
    peer = okr_goal(world, person="peer", actor="manager").agreement
    agreement_submit(actor=world.user("employee"), agreement=mine)
    manager = client_as("manager")
    listed = manager.get("/goals/agreements/").content.decode()
    assert f'data-agreement="{mine.pk}"' in listed
    assert f'data-agreement="{peer.pk}"' in listed
    waiting = manager.get("/goals/agreements/?todo=1").content.decode()
    assert f'data-agreement="{mine.pk}"' in waiting
    assert f'data-agreement="{peer.pk}"' not in waiting
    drafts = manager.get(f"/goals/agreements/?status=draft&year={YEAR}").content.decode()
    assert f'data-agreement="{peer.pk}"' in drafts
    assert f'data-agreement="{mine.pk}"' not in drafts
    own = client_as("employee").get("/goals/agreements/").content.decode()
    assert f'data-agreement="{mine.pk}"' in own
    assert f'data-agreement="{peer.pk}"' not in own


def test_the_page_in_english(world, client_as) -> None:  # type: ignore[no-untyped-def]
    build_goals(world)
    agreement = okr_goal(world).agreement
    client = client_as("employee")
    client.cookies["django_language"] = "en"
    html = client.get(f"/goals/agreements/{agreement.pk}/").content.decode()
    assert "Submit for approval" in html
    assert "Goal agreement of" in html


def _set_form(world, goals, **rows: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    data: dict[str, Any] = {"name": "操作工目标包", "year": str(YEAR), "department": str(world.depts["LINE1"].pk),
                            "items-TOTAL_FORMS": "3", "items-INITIAL_FORMS": "0", "items-MIN_NUM_FORMS": "0",
                            "items-MAX_NUM_FORMS": "100"}
    for index in range(3):
        data[f"items-{index}-kind"] = "okr"
        data[f"items-{index}-weight"] = "1"
    data.update({
        "items-0-kind": "kpi", "items-0-title": "不良率", "items-0-indicator": "line_defect_rate",
        "items-0-threshold": "8", "items-0-target": "5", "items-0-stretch": "2", "items-0-weight": "2",
        "items-0-parent": str(goals.department.pk),
        "items-1-kind": "okr", "items-1-title": "5S", "items-1-key_results": "5S 评分; 60; 90\n现场整洁; 0; 10; 2",
    })
    data.update(rows)
    return data


def test_a_set_is_written_as_rows(world, client_as) -> None:  # type: ignore[no-untyped-def]
    goals = build_goals(world)
    manager = client_as("manager")
    form = manager.get("/goals/sets/new/")
    assert form.status_code == 200
    assert 'data-testid="goal-set-form"' in form.content.decode()
    assert client_as("employee").get("/goals/sets/new/").status_code == 403
    bad = manager.post("/goals/sets/new/", _set_form(world, goals, **{"items-0-target": ""}))
    assert bad.status_code == 400
    assert 'data-field-error="target"' in bad.content.decode()
    bad_kr = manager.post("/goals/sets/new/", _set_form(world, goals, **{"items-1-key_results": "只有标题"}))
    assert bad_kr.status_code == 400
    assert 'data-field-error="key_results"' in bad_kr.content.decode()
    assert GoalSet.objects.count() == 0
    saved = manager.post("/goals/sets/new/", _set_form(world, goals))
    assert saved.status_code == 302, saved.content.decode()[:2000]
    goal_set = GoalSet.objects.get()
    specs = [item.spec for item in goal_set.items.all()]
    assert [s["title"] for s in specs] == ["不良率", "5S"]  # the third row was left empty
    assert specs[1]["key_results"][1] == {"title": "现场整洁", "start": "0", "target": "10", "weight": "2"}
    detail = manager.get(f"/goals/sets/{goal_set.pk}/").content.decode()
    assert "不良率" in detail
    assert 'data-testid="assign-goal-set"' in detail
    edit = manager.get(f"/goals/sets/{goal_set.pk}/edit/").content.decode()
    assert 'value="不良率"' in edit
    assert "5S 评分; 60; 90" in edit
    listed = manager.get("/goals/sets/").content.decode()
    assert f'data-goal-set="{goal_set.pk}"' in listed
    # Edited as the browser posts it: the two rows shown, three empty ones; the second removed, one added.
    data = _set_form(world, goals, **{"items-INITIAL_FORMS": "2", "items-TOTAL_FORMS": "4", "items-1-DELETE": "on",
                                      "items-3-kind": "okr", "items-3-weight": "1", "items-3-title": "安全",
                                      "items-3-key_results": "安全事故; 2; 0"})
    assert manager.post(f"/goals/sets/{goal_set.pk}/edit/", data).status_code == 302
    assert [item.spec["title"] for item in goal_set.items.all()] == ["不良率", "安全"]


def test_bulk_assignment_by_ticking_people(world, client_as) -> None:  # type: ignore[no-untyped-def]
    goals = build_goals(world)
    goal_set = goal_set_create(actor=world.user("manager"), name="一线目标", year=YEAR, department=world.depts["LINE1"],
                               items=[{"kind": "okr", "title": "5S", "parent": goals.department.pk,
                                       "key_results": [{"title": "5S 评分", "start": "60", "target": "90"}]}])
    manager = client_as("manager")
    url = f"/goals/sets/{goal_set.pk}/assign/"
    shown = manager.get(url).content.decode()
    assert 'data-testid="person-E0004"' in shown
    assert 'data-testid="person-E0005"' in shown
    assert 'data-testid="person-E0003"' not in shown  # not oneself
    assert 'data-testid="person-E0007"' not in shown  # not LINE2
    assert " checked" not in shown.split('data-testid="people"')[1]
    all_ticked = manager.get(f"{url}?select=all").content.decode()
    assert all_ticked.count(" checked") == 2
    employee, peer = world.people["employee"], world.people["peer"]
    result = manager.post(url, {"employees": [str(employee.pk), str(peer.pk)]})
    assert result.status_code == 200
    html = result.content.decode()
    assert 'data-testid="assigned-people" data-count="2"' in html
    assert 'data-testid="assigned-goals" data-count="2"' in html
    assert Goal.objects.filter(goal_set=goal_set).count() == 2
    again = manager.post(url, {"employees": [str(employee.pk)]}).content.decode()
    assert 'data-testid="skipped"' in again
    assert "陈员工" in again
    outside = manager.post(url, {"employees": [str(world.people["other"].pk)]})
    assert outside.status_code == 400
    assert Goal.objects.filter(goal_set=goal_set).count() == 2
    assert client_as("employee").get(url).status_code == 404
