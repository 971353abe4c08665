"""Authorization cases for the goal tree's pages and API: the map, my goals, team goals, a goal's page, the
goal forms, and /api/v1/goals/. Company and department goals are read by everyone signed in; a person's goal by
the people who may see the person (the employee, the LINE1 manager, the PROD head, HR admins, executives,
system admins — not the HR BP of QA). Writing a person's goal takes the person or someone who leads them (the
system admin reads everyone but leads nobody); a company objective, an executive or an HR admin. A refused
write is a 404 like an object out of scope, except the creation form, which says why (400)."""

from __future__ import annotations

from typing import Any

from tests.authz.matrix import Case
from tests.goals.support import YEAR, build_tree
from tests.world import World

ALL = {role: 200 for role in ("employee", "manager", "head", "hrbp", "hr", "exec", "admin")}
SEES_MINE = {role: 200 for role in ("employee", "manager", "head", "hr", "exec", "admin")}
SEES_OTHER = {role: 200 for role in ("head", "hr", "exec", "admin")}
WRITES_MINE = {role: 200 for role in ("employee", "manager", "head", "hr", "exec")}


def _goal(which: str, suffix: str = "", api: bool = False) -> Any:
    def make(w: World) -> str:
        goal = getattr(build_tree(w), which)
        return f"/api/v1/goals/{goal.pk}/{suffix}" if api else f"/goals/{goal.pk}/{suffix}"

    return make


def _fixed(url: str) -> Any:
    def make(w: World) -> str:
        build_tree(w)
        return url

    return make


def _company_goal_form(w: World) -> dict[str, Any]:
    return {"level": "company", "kind": "okr", "year": YEAR, "title": "新战略", "weight": "1",
            "key_results": "市场份额; 10; 15"}


def _company_goal_body(w: World) -> dict[str, Any]:
    return {"level": "company", "kind": "okr", "year": YEAR, "title": "新战略",
            "key_results": [{"title": "市场份额", "start": "10", "target": "15"}]}


def _edit_form(w: World) -> dict[str, Any]:
    return {"title": "新标题", "weight": "2", "description": "", "key_results": "换型时间; 60; 25"}


CASES = [
    Case("goals map", "goals:map", _fixed("/goals/"), expect=ALL),
    Case("goals map data", "goals:map_data", _fixed(f"/goals/map/data/?year={YEAR}"), expect=ALL),
    Case("goals mine", "goals:mine", _fixed("/goals/mine/"), expect=ALL),
    Case("goals team", "goals:team", _fixed("/goals/team/"), expect=ALL),
    Case("goals company goal page", "goals:goal", _goal("company"), expect=ALL),
    Case("goals person goal page", "goals:goal", _goal("mine"), expect=SEES_MINE),
    Case("goals out-of-scope goal page", "goals:goal", _goal("other"), expect=SEES_OTHER),
    Case("goals create form", "goals:goal_create", _fixed("/goals/new/"), expect=ALL),
    Case("goals create company objective", "goals:goal_create", _fixed("/goals/new/"), method="POST",
         data=_company_goal_form, writes=True, default=400, expect={"exec": 302, "hr": 302}),
    Case("goals edit form", "goals:goal_edit", _goal("mine", "edit/"), expect=WRITES_MINE),
    Case("goals edit", "goals:goal_edit", _goal("mine", "edit/"), method="POST", data=_edit_form, writes=True,
         expect={role: 302 for role in WRITES_MINE}),
    Case("goals edit out of scope", "goals:goal_edit", _goal("other", "edit/"), method="POST", data=_edit_form,
         writes=True, expect={"head": 302, "hr": 302, "exec": 302}),
    Case("goals move form", "goals:goal_move", _goal("mine", "move/"), expect=WRITES_MINE),
    Case("goals move", "goals:goal_move", _goal("mine", "move/"), method="POST", data=lambda w: {"weight": "2"},
         writes=True, expect={role: 302 for role in WRITES_MINE}),
    Case("goals archive", "goals:goal_archive", _goal("mine", "archive/"), method="POST", writes=True,
         expect={role: 302 for role in WRITES_MINE}),
    Case("goals archive out of scope", "goals:goal_archive", _goal("other", "archive/"), method="POST", writes=True,
         expect={"head": 302, "hr": 302, "exec": 302}),
    Case("goals api list", "api:goal-list", _fixed("/api/v1/goals/"), api=True, expect=ALL),
    Case("goals api create company objective", "api:goal-list", _fixed("/api/v1/goals/"), method="POST", api=True,
         data=_company_goal_body, writes=True, expect={"exec": 201, "hr": 201}),
    Case("goals api goal", "api:goal-detail", _goal("mine", api=True), api=True, expect=SEES_MINE),
    Case("goals api out-of-scope goal", "api:goal-detail", _goal("other", api=True), api=True, expect=SEES_OTHER),
    Case("goals api edit", "api:goal-detail", _goal("mine", api=True), method="PATCH", api=True,
         data=lambda w: {"title": "新标题"}, writes=True, expect=WRITES_MINE),
    Case("goals api move", "api:goal-move", _goal("mine", "move/", api=True), method="POST", api=True,
         data=lambda w: {"parent": None}, writes=True, expect=WRITES_MINE),
    Case("goals api archive", "api:goal-archive", _goal("mine", "archive/", api=True), method="POST", api=True,
         writes=True, expect=WRITES_MINE),
    Case("goals api values", "api:goal-values", _goal("mine", "values/", api=True), api=True, expect=SEES_MINE),
]
