"""Authorization cases for the goal agreement and goal sets, pages and API. An agreement is read by whoever may
see the person (the employee; the LINE1 manager, the PROD head, HR admins, executives and system admins for the
LINE1 operator — not the HR BP of QA; the LINE2 operator "other" is outside the LINE1 manager's scope). The
employee submits and signs as the employee; the people who lead the person (manager chain, head, HR admin;
the executive leads everyone below the GM) return, approve, sign as the manager and decide changes someone else
asked for. A step the viewer sees but may not take is 403 (the system admin reads everything and leads
nobody); outside the scope 404.

Goal sets are read by whoever keeps them (their author, heads and HR BPs of the unit, HR admins, executives,
system admins); a set of LINE1 is the manager's, a set of PROD is not. Creating one takes someone who sets
goals in some unit (403 on the page for the employee and the system admin); assigning one takes leading every
person chosen."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils import timezone

from tests.authz.matrix import Case
from tests.world import World

YEAR = 2026
ROLES = ("employee", "manager", "head", "hrbp", "hr", "exec", "admin")
ALL = {role: 200 for role in ROLES}
SEES_MINE = {role: 200 for role in ("employee", "manager", "head", "hr", "exec", "admin")}
SEES_OTHER = {role: 200 for role in ("head", "hr", "exec", "admin")}
DECIDERS = ("manager", "head", "hr", "exec")


def _expect(ok: tuple[str, ...], status: int, refused: tuple[str, ...]) -> dict[str, int]:
    """`ok` roles get `status`, `refused` (who see but may not) 403; the rest the default 404."""
    return {**{role: status for role in ok}, **{role: 403 for role in refused}}


def _agreement(w: World, state: str = "draft", person: str = "employee") -> Any:
    """The person's agreement of YEAR with one OKR goal, put in `state` (made once per test)."""
    from fairmark.goals.models import Agreement, AgreementStatus
    from tests.goals.support import okr_goal

    found = Agreement.objects.filter(employee=w.people[person], year=YEAR).first()
    if found is not None:
        return found
    goal = okr_goal(w, person=person, actor="employee" if person == "employee" else "head")
    now = timezone.now()
    extra: dict[str, Any] = {}
    if state == AgreementStatus.SIGNED:
        extra = {"approved_at": now, "employee_signed_at": now, "manager_signed_at": now}
    elif state == AgreementStatus.APPROVED:
        extra = {"approved_at": now}
    Agreement.objects.filter(pk=goal.agreement_id).update(status=state, **extra)
    return Agreement.objects.get(pk=goal.agreement_id)


def _change(w: World, requester: str = "employee") -> Any:
    from fairmark.goals.models import GoalChange

    agreement = _agreement(w, "signed")
    found = GoalChange.objects.filter(agreement=agreement).first()
    if found is not None:
        return found
    return GoalChange.objects.create(agreement=agreement, goal=agreement.goals.get(), kind="edit",
                                     proposed={"title": "新标题"}, reason="工艺变更", requested_by=w.user(requester))


def _goal_set(w: World, department: str = "LINE1") -> Any:
    """A set of LINE1 made by the LINE1 manager, or of PROD made by the PROD head."""
    from fairmark.goals.models import GoalSet
    from fairmark.goals.services.goal_sets import goal_set_create

    found = GoalSet.objects.filter(department=w.depts[department]).first()
    if found is not None:
        return found
    return goal_set_create(actor=w.user("manager" if department == "LINE1" else "head"), name=f"{department} 目标包",
                           year=YEAR, department=w.depts[department],
                           items=[{"kind": "okr", "title": "5S",
                                   "key_results": [{"title": "5S 评分", "start": "60", "target": "90"}]}])


def _agreement_url(state: str, suffix: str = "", person: str = "employee", api: bool = False) -> Callable[[World], str]:
    def make(w: World) -> str:
        pk = _agreement(w, state, person).pk
        return f"/api/v1/goal-agreements/{pk}/{suffix}" if api else f"/goals/agreements/{pk}/{suffix}"

    return make


def _change_url(suffix: str = "", requester: str = "employee", api: bool = False) -> Callable[[World], str]:
    def make(w: World) -> str:
        pk = _change(w, requester).pk
        return f"/api/v1/goal-changes/{pk}/{suffix}" if api else f"/goals/changes/{pk}/{suffix}"

    return make


def _set_url(suffix: str = "", department: str = "LINE1", api: bool = False) -> Callable[[World], str]:
    def make(w: World) -> str:
        pk = _goal_set(w, department).pk
        return f"/api/v1/goal-sets/{pk}/{suffix}" if api else f"/goals/sets/{pk}/{suffix}"

    return make


def _fixed(url: str) -> Callable[[World], str]:
    def make(w: World) -> str:
        _agreement(w)
        _goal_set(w)
        return url

    return make


def _change_form(w: World) -> dict[str, Any]:
    return {"kind": "edit", "goal": str(_agreement(w, "signed").goals.get().pk), "title": "新标题", "reason": "工艺变更"}


def _change_body(w: World) -> dict[str, Any]:
    return {"kind": "edit", "goal": _agreement(w, "signed").goals.get().pk, "proposed": {"title": "新标题"},
            "reason": "工艺变更"}


def _set_form(w: World, initial: int = 0) -> dict[str, Any]:
    """The set form as the browser posts it: `initial` rows were the set's goals when the page was shown."""
    return {"name": "新目标包", "year": str(YEAR), "department": str(w.depts["LINE1"].pk),
            "items-TOTAL_FORMS": "1", "items-INITIAL_FORMS": str(initial), "items-MIN_NUM_FORMS": "0",
            "items-MAX_NUM_FORMS": "100", "items-0-kind": "okr", "items-0-title": "5S", "items-0-weight": "1",
            "items-0-key_results": "5S 评分; 60; 90"}


def _set_body(w: World) -> dict[str, Any]:
    return {"name": "新目标包", "year": YEAR, "department": "LINE1", "items": [
        {"kind": "okr", "title": "5S", "key_results": [{"title": "5S 评分", "start": "60", "target": "90"}]}]}


def _assign_form(w: World) -> dict[str, Any]:
    return {"employees": [str(w.people["employee"].pk)]}


SIGNERS = _expect(("employee", *DECIDERS), 302, ("admin",))
ASKERS = SIGNERS

CASES = [
    # ---------------------------------------------------------------- pages
    Case("goals_agreement list", "goals:agreements", _fixed("/goals/agreements/"), expect=ALL),
    Case("goals_agreement list waiting for me", "goals:agreements", _fixed("/goals/agreements/?todo=1"),
         expect=ALL),
    Case("goals_agreement page", "goals:agreement", _agreement_url("draft"), expect=SEES_MINE),
    Case("goals_agreement page out of scope", "goals:agreement", _agreement_url("draft", person="other"),
         expect=SEES_OTHER),
    Case("goals_agreement submit", "goals:agreement_submit", _agreement_url("draft", "submit/"), method="POST",
         data=lambda w: {"comment": "请审批"}, writes=True,
         expect=_expect(("employee",), 302, ("manager", "head", "hr", "exec", "admin"))),
    Case("goals_agreement return", "goals:agreement_return", _agreement_url("submitted", "return/"), method="POST",
         data=lambda w: {"comment": "请补充"}, writes=True, expect=_expect(DECIDERS, 302, ("employee", "admin"))),
    Case("goals_agreement approve", "goals:agreement_approve", _agreement_url("submitted", "approve/"),
         method="POST", data=lambda w: {"comment": ""}, writes=True,
         expect=_expect(DECIDERS, 302, ("employee", "admin"))),
    Case("goals_agreement approve out of scope", "goals:agreement_approve",
         _agreement_url("submitted", "approve/", person="other"), method="POST", data=lambda w: {}, writes=True,
         expect=_expect(("head", "hr", "exec"), 302, ("admin",))),
    Case("goals_agreement sign", "goals:agreement_sign", _agreement_url("approved", "sign/"), method="POST",
         data=lambda w: {}, writes=True, expect=SIGNERS),
    Case("goals_agreement request change", "goals:agreement_request_change",
         _agreement_url("signed", "request-change/"), method="POST", data=_change_form, writes=True, expect=ASKERS),
    Case("goals_agreement decide change", "goals:change_decide", _change_url("decide/"), method="POST",
         data=lambda w: {"decision": "approve", "comment": "同意"}, writes=True,
         expect=_expect(DECIDERS, 302, ("employee", "admin"))),
    Case("goals_agreement decide own change", "goals:change_decide", _change_url("decide/", requester="manager"),
         method="POST", data=lambda w: {"decision": "reject"}, writes=True,
         expect=_expect(("head", "hr", "exec"), 302, ("employee", "manager", "admin"))),
    Case("goals_agreement goal sets", "goals:goal_sets", _fixed("/goals/sets/"), expect=ALL),
    Case("goals_agreement goal set new", "goals:goal_set_create", _fixed("/goals/sets/new/"),
         expect=_expect(("manager", "head", "hrbp", "hr", "exec"), 200, ("employee", "admin"))),
    Case("goals_agreement goal set create", "goals:goal_set_create", _fixed("/goals/sets/new/"), method="POST",
         data=_set_form, writes=True,
         # the HR BP of QA may keep sets, but not for LINE1: the form says so
         expect={**_expect(("manager", "head", "hr", "exec"), 302, ("employee", "admin")), "hrbp": 400}),
    Case("goals_agreement goal set page", "goals:goal_set", _set_url(),
         expect={role: 200 for role in ("manager", "head", "hr", "exec", "admin")}),
    Case("goals_agreement goal set page out of scope", "goals:goal_set", _set_url(department="PROD"),
         expect={role: 200 for role in ("head", "hr", "exec", "admin")}),
    Case("goals_agreement goal set edit", "goals:goal_set_edit", _set_url("edit/"),
         expect=_expect(("manager", "head", "hr", "exec"), 200, ("admin",))),
    Case("goals_agreement goal set save", "goals:goal_set_edit", _set_url("edit/"), method="POST",
         data=lambda w: _set_form(w, initial=1), writes=True,
         expect=_expect(("manager", "head", "hr", "exec"), 302, ("admin",))),
    Case("goals_agreement bulk assign page", "goals:bulk_assign", _set_url("assign/"),
         expect={role: 200 for role in ("manager", "head", "hr", "exec", "admin")}),
    Case("goals_agreement bulk assign", "goals:bulk_assign", _set_url("assign/"), method="POST", data=_assign_form,
         writes=True,
         # the system admin leads nobody: nobody they tick is among the people listed
         expect={**{role: 200 for role in ("manager", "head", "hr", "exec")}, "admin": 400}),
    Case("goals_agreement bulk assign out of scope", "goals:bulk_assign", _set_url("assign/", department="PROD"),
         method="POST", data=_assign_form, writes=True,
         expect={**{role: 200 for role in ("head", "hr", "exec")}, "admin": 400}),
    # ---------------------------------------------------------------- API
    Case("goals_agreement api list", "api:goal-agreement-list", _fixed("/api/v1/goal-agreements/"), api=True,
         expect=ALL),
    Case("goals_agreement api detail", "api:goal-agreement-detail", _agreement_url("draft", api=True), api=True,
         expect=SEES_MINE),
    Case("goals_agreement api detail out of scope", "api:goal-agreement-detail",
         _agreement_url("draft", person="other", api=True), api=True, expect=SEES_OTHER),
    Case("goals_agreement api submit", "api:goal-agreement-submit", _agreement_url("draft", "submit/", api=True),
         method="POST", api=True, data=lambda w: {}, writes=True,
         expect=_expect(("employee",), 200, ("manager", "head", "hr", "exec", "admin"))),
    Case("goals_agreement api return", "api:goal-agreement-return",
         _agreement_url("submitted", "return/", api=True), method="POST", api=True,
         data=lambda w: {"comment": "请补充"}, writes=True, expect=_expect(DECIDERS, 200, ("employee", "admin"))),
    Case("goals_agreement api approve", "api:goal-agreement-approve",
         _agreement_url("submitted", "approve/", api=True), method="POST", api=True, data=lambda w: {},
         writes=True, expect=_expect(DECIDERS, 200, ("employee", "admin"))),
    Case("goals_agreement api approve out of scope", "api:goal-agreement-approve",
         _agreement_url("submitted", "approve/", person="other", api=True), method="POST", api=True,
         data=lambda w: {}, writes=True, expect=_expect(("head", "hr", "exec"), 200, ("admin",))),
    Case("goals_agreement api sign", "api:goal-agreement-sign", _agreement_url("approved", "sign/", api=True),
         method="POST", api=True, data=lambda w: {}, writes=True,
         expect=_expect(("employee", *DECIDERS), 200, ("admin",))),
    Case("goals_agreement api request change", "api:goal-agreement-request-change",
         _agreement_url("signed", "request-change/", api=True), method="POST", api=True, data=_change_body,
         writes=True, expect=_expect(("employee", *DECIDERS), 201, ("admin",))),
    Case("goals_agreement api changes", "api:goal-change-list", _fixed("/api/v1/goal-changes/"), api=True,
         expect=ALL),
    Case("goals_agreement api change", "api:goal-change-detail", _change_url(api=True), api=True, expect=SEES_MINE),
    Case("goals_agreement api decide", "api:goal-change-decide", _change_url("decide/", api=True), method="POST",
         api=True, data=lambda w: {"approve": False, "comment": "维持"}, writes=True,
         expect=_expect(DECIDERS, 200, ("employee", "admin"))),
    Case("goals_agreement api decide own", "api:goal-change-decide",
         _change_url("decide/", requester="manager", api=True), method="POST", api=True,
         data=lambda w: {"approve": True}, writes=True,
         expect=_expect(("head", "hr", "exec"), 200, ("employee", "manager", "admin"))),
    Case("goals_agreement api goal sets", "api:goal-set-list", _fixed("/api/v1/goal-sets/"), api=True, expect=ALL),
    Case("goals_agreement api goal set", "api:goal-set-detail", _set_url(api=True), api=True,
         expect={role: 200 for role in ("manager", "head", "hr", "exec", "admin")}),
    Case("goals_agreement api goal set out of scope", "api:goal-set-detail", _set_url(department="PROD", api=True),
         api=True, expect={role: 200 for role in ("head", "hr", "exec", "admin")}),
    Case("goals_agreement api goal set create", "api:goal-set-list", _fixed("/api/v1/goal-sets/"), method="POST",
         api=True, data=_set_body, writes=True,
         expect={**{role: 201 for role in ("manager", "head", "hr", "exec")},
                 **{role: 400 for role in ("employee", "hrbp", "admin")}}),
    Case("goals_agreement api assign", "api:goal-set-assign", _set_url("assign/", api=True), method="POST", api=True,
         data=lambda w: {"employees": ["E0004"]}, writes=True,
         expect=_expect(("manager", "head", "hr", "exec"), 200, ("admin",))),
    Case("goals_agreement api assign out of scope", "api:goal-set-assign",
         _set_url("assign/", department="PROD", api=True), method="POST", api=True,
         data=lambda w: {"employees": ["E0007"]}, writes=True,
         expect=_expect(("head", "hr", "exec"), 200, ("admin",))),
]
