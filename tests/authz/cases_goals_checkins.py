"""Authorization cases for check-ins, blockers and evidence (goals/views/checkin_pages.py, goals/api/checkins.py).

Checking in takes whoever may write the goal: on the employee's goal the employee, the LINE1 manager, the PROD
head, HR admins and the executive (who leads everyone); on the LINE2 person's goal ("other", out of the LINE1
manager's scope) the head, HR admins and the executive; on a company objective executives and HR admins. The HR
BP (of QA) does not see these people; the system admin reads everyone but leads nobody: 404 like anything out of
scope. A blocker is answered by its assignee or whoever decides for the goal's owner, never by its raiser, and
closed by its raiser or any of those. Evidence and blockers are read with their goal. The to-do page and the
lists answer 200 to everyone signed in, holding only what the caller may see. Case names start with
"goals_checkins" (`pytest -k goals_checkins`)."""

from __future__ import annotations

from typing import Any

from tests.authz.matrix import Case
from tests.goals.support import build_tree
from tests.world import World

ROLES = ("employee", "manager", "head", "hrbp", "hr", "exec", "admin")
ALL = {role: 200 for role in ROLES}
SEES_MINE = {role: 200 for role in ("employee", "manager", "head", "hr", "exec", "admin")}
SEES_OTHER = {role: 200 for role in ("head", "hr", "exec", "admin")}
WRITES_MINE = {role: 200 for role in ("employee", "manager", "head", "hr", "exec")}
WRITES_OTHER = {role: 200 for role in ("head", "hr", "exec")}
WRITES_COMPANY = {role: 200 for role in ("hr", "exec")}
# the employee's blocker (assigned to the LINE1 manager): answered by the manager, head, HR admin, executive
ANSWERS_MINE = {role: 200 for role in ("manager", "head", "hr", "exec")}
CLOSES_MINE = {**ANSWERS_MINE, "employee": 200}
# the LINE2 person's blocker, raised by the PROD head: the head may not answer it (but closes it)
ANSWERS_OTHER = {role: 200 for role in ("hr", "exec")}
CLOSES_OTHER = {role: 200 for role in ("head", "hr", "exec")}


def _as(expect: dict[str, int], status: int) -> dict[str, int]:
    return {role: status for role in expect}


def _blocker(w: World, which: str) -> Any:
    """The blocker on the employee's goal (raised by the employee) or on the LINE2 person's goal (raised by the
    PROD head), with a file and a link as evidence; made once per test."""
    from fairmark.goals.models import Blocker
    from fairmark.goals.services.checkins import EvidenceIn, checkin_create

    goal = getattr(build_tree(w), which)
    found = Blocker.objects.filter(goal=goal).first()
    if found is not None:
        return found
    raiser = "employee" if which == "mine" else "head"
    checkin_create(actor=w.user(raiser), goal=goal, comment="受阻", blocker="三号机设备故障",
                   evidence=[EvidenceIn(name="记录.txt", content_type="text/plain", data=b"downtime"),
                             EvidenceIn(link="https://example.com/mes")])
    return Blocker.objects.get(goal=goal)


def _goal_url(which: str, suffix: str = "") -> Any:
    def make(w: World) -> str:
        return f"/goals/{getattr(build_tree(w), which).pk}/{suffix}"

    return make


def _blocker_url(which: str, suffix: str = "", api: bool = False) -> Any:
    def make(w: World) -> str:
        pk = _blocker(w, which).pk
        return f"/api/v1/goal-blockers/{pk}/{suffix}" if api else f"/goals/blockers/{pk}/{suffix}"

    return make


def _evidence_url(which: str) -> Any:
    def make(w: World) -> str:
        evidence = _blocker(w, which).checkin.evidence.filter(link="").get()
        return f"/goals/evidence/{evidence.pk}/"

    return make


def _evidence_api_url(which: str) -> Any:
    def make(w: World) -> str:
        checkin = _blocker(w, which).checkin
        return f"/api/v1/goal-checkins/{checkin.pk}/evidence/{checkin.evidence.filter(link='').get().pk}/"

    return make


def _checkin_api_url(which: str) -> Any:
    def make(w: World) -> str:
        return f"/api/v1/goal-checkins/{_blocker(w, which).checkin_id}/"

    return make


def _fixed(url: str) -> Any:
    def make(w: World) -> str:
        _blocker(w, "mine")
        _blocker(w, "other")
        return url

    return make


def _form(w: World) -> dict[str, Any]:
    return {"comment": "本周进展", "confidence": "7", "blocker": "缺备件"}


def _api_body(which: str) -> Any:
    def make(w: World) -> dict[str, Any]:
        goal = getattr(build_tree(w), which)
        kr = goal.key_results.get()
        return {"goal": goal.pk, "comment": "本周进展", "key_results": {str(kr.pk): "45"},
                "evidence": [{"link": "https://example.com/smed"}], "blocker": "缺备件"}

    return make


def _response(w: World) -> dict[str, Any]:
    return {"response": "周三备件到货"}


CASES = [
    # the check-in form
    Case("goals_checkins form on the employee's goal", "goals:checkin", _goal_url("mine", "check-in/"),
         expect=WRITES_MINE),
    Case("goals_checkins form out of scope", "goals:checkin", _goal_url("other", "check-in/"), expect=WRITES_OTHER),
    Case("goals_checkins form on a company goal", "goals:checkin", _goal_url("company", "check-in/"),
         expect=WRITES_COMPANY),
    Case("goals_checkins post on the employee's goal", "goals:checkin", _goal_url("mine", "check-in/"), method="POST",
         data=_form, writes=True, expect=_as(WRITES_MINE, 302)),
    Case("goals_checkins post out of scope", "goals:checkin", _goal_url("other", "check-in/"), method="POST",
         data=_form, writes=True, expect=_as(WRITES_OTHER, 302)),
    # the to-do page, responding and closing
    Case("goals_checkins to-do", "goals:todo", _fixed("/goals/to-do/"), expect=ALL),
    Case("goals_checkins respond on the employee's blocker", "goals:blocker_respond",
         _blocker_url("mine", "respond/"), method="POST", data=_response, writes=True,
         expect=_as(ANSWERS_MINE, 302)),
    Case("goals_checkins respond out of scope", "goals:blocker_respond", _blocker_url("other", "respond/"),
         method="POST", data=_response, writes=True, expect=_as(ANSWERS_OTHER, 302)),
    Case("goals_checkins close the employee's blocker", "goals:blocker_close", _blocker_url("mine", "close/"),
         method="POST", writes=True, expect=_as(CLOSES_MINE, 302)),
    Case("goals_checkins close out of scope", "goals:blocker_close", _blocker_url("other", "close/"),
         method="POST", writes=True, expect=_as(CLOSES_OTHER, 302)),
    # evidence files
    Case("goals_checkins evidence of the employee's goal", "goals:evidence", _evidence_url("mine"),
         expect=SEES_MINE),
    Case("goals_checkins evidence out of scope", "goals:evidence", _evidence_url("other"), expect=SEES_OTHER),
    # API: check-ins
    Case("goals_checkins api evidence file", "api:goal-checkin-evidence", _evidence_api_url("mine"), api=True,
         expect=SEES_MINE),
    Case("goals_checkins api evidence file out of scope", "api:goal-checkin-evidence", _evidence_api_url("other"),
         api=True, expect=SEES_OTHER),
    Case("goals_checkins api list", "api:goal-checkin-list", _fixed("/api/v1/goal-checkins/"), api=True, expect=ALL),
    Case("goals_checkins api check-in", "api:goal-checkin-detail", _checkin_api_url("mine"), api=True,
         expect=SEES_MINE),
    Case("goals_checkins api check-in out of scope", "api:goal-checkin-detail", _checkin_api_url("other"), api=True,
         expect=SEES_OTHER),
    # a goal the caller does not see is a field error (400); one they see but may not write, 404
    Case("goals_checkins api create on the employee's goal", "api:goal-checkin-list",
         _fixed("/api/v1/goal-checkins/"), method="POST", api=True, data=_api_body("mine"), writes=True,
         expect={**_as(WRITES_MINE, 201), "hrbp": 400}),
    Case("goals_checkins api create out of scope", "api:goal-checkin-list", _fixed("/api/v1/goal-checkins/"),
         method="POST", api=True, data=_api_body("other"), writes=True,
         expect={**_as(WRITES_OTHER, 201), "employee": 400, "manager": 400, "hrbp": 400}),
    # API: blockers
    Case("goals_checkins api blockers", "api:goal-blocker-list", _fixed("/api/v1/goal-blockers/?mine=to-answer"),
         api=True, expect=ALL),
    Case("goals_checkins api blocker", "api:goal-blocker-detail", _blocker_url("mine", api=True), api=True,
         expect=SEES_MINE),
    Case("goals_checkins api blocker out of scope", "api:goal-blocker-detail", _blocker_url("other", api=True),
         api=True, expect=SEES_OTHER),
    Case("goals_checkins api respond", "api:goal-blocker-respond", _blocker_url("mine", "respond/", api=True),
         method="POST", api=True, data=_response, writes=True, expect=ANSWERS_MINE),
    Case("goals_checkins api respond out of scope", "api:goal-blocker-respond",
         _blocker_url("other", "respond/", api=True), method="POST", api=True, data=_response, writes=True,
         expect=ANSWERS_OTHER),
    Case("goals_checkins api close", "api:goal-blocker-close", _blocker_url("mine", "close/", api=True),
         method="POST", api=True, writes=True, expect=CLOSES_MINE),
    Case("goals_checkins api close out of scope", "api:goal-blocker-close", _blocker_url("other", "close/", api=True),
         method="POST", api=True, writes=True, expect=CLOSES_OTHER),
]
