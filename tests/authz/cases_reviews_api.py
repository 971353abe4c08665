"""Authorization cases for the reviews API (reviews/api/: review-cycles, reviews, review-raters, rating-tasks).

The objects: a running cycle over LINE1 and LINE2 and a draft one; the employee's review ("mine", in the
self-review with a draft self-rating and three peers the employee nominated); the teammate peer2's review
("team", in the 360 round, rated by the employee and by the LINE2 person); the LINE2 person's review ("other",
out of the LINE1 manager's scope, with three nominations of their own); the employee's rating task on the
teammate's review and the LINE2 person's task there ("theirs": nobody's but theirs).

Who sees a review: the person, their manager, the PROD head (N+2 of both lines), HR admins, executives and the
system admin (who reads everyone and acts on nothing: 403 on writes); the HR BP of QA sees neither line (404).
Cycles are company configuration: everyone signed in reads them, only HR admins write (403). A rating task is
its rater's alone: 404 to everyone else, HR included. Case names start with "reviews_api"
(`pytest tests/authz -k reviews_api`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.test import TestCase

from tests.authz.matrix import Case
from tests.reviews.support import build_reviews, ensure_user, make_cycle, review_of
from tests.world import World

ROLES = ("employee", "manager", "head", "hrbp", "hr", "exec", "admin")
ALL = {role: 200 for role in ROLES}
SEES_MINE = {role: 200 for role in ("employee", "manager", "head", "hr", "exec", "admin")}
SEES_OTHER = {role: 200 for role in ("head", "hr", "exec", "admin")}
NO_ACT_MINE = {role: 403 for role in SEES_MINE}  # they see the review but may not take this step
NO_ACT_TEAM = {role: 403 for role in ("manager", "head", "hr", "exec", "admin")}
NO_ACT_OTHER = {role: 403 for role in SEES_OTHER}
HR_ONLY_ALL = {**{role: 403 for role in ROLES}, "hr": 200}


@dataclass
class Objects:
    cycle: int
    draft: int
    mine: int
    team: int
    other: int
    leader_template: int
    mine_nomination: int
    other_nomination: int
    my_task: int
    their_task: int


def _objects(w: World) -> Objects:
    """Made once per test (the URL and the payload both ask for them)."""
    found: Objects | None = getattr(w, "_reviews_api", None)
    if found is not None:
        return found
    from fairmark.reviews.models import Rater
    from fairmark.reviews.services import cycles, forms, raters, transitions

    build_reviews(w)
    with TestCase.captureOnCommitCallbacks(execute=True):
        cycle = make_cycle(w, departments=("LINE1", "LINE2"))
        cycles.cycle_launch(actor=w.user("hr"), cycle=cycle)
    draft = make_cycle(w, name="2026 Q1 补充考核")
    mine, team, other = (review_of(w, cycle, p) for p in ("employee", "peer2", "other"))
    with TestCase.captureOnCommitCallbacks(execute=True):
        forms.save_review_form(actor=w.user("employee"), review=mine, entries={"teamwork": {"rating": "4"}})
        for person in ("peer", "peer3", "peer4"):
            raters.nominate(actor=w.user("employee"), review=mine, rater=w.people[person].pk, group="peer")
        for person in ("employee", "other"):
            raters.nominate(actor=w.user("manager"), review=team, rater=w.people[person].pk, group="peer")
        transitions.review_act(actor=w.user("hr"), review=team, action="skip_phase", reason="自评已线下完成")
        own = ensure_user(w, "other")
        for person in ("qa_engineer", "hr_person", "qa_head"):
            raters.nominate(actor=own, review=other, rater=w.people[person].pk, group="peer")
    tasks = {r.rater_id: r.pk for r in Rater.objects.filter(review=team)}
    found = Objects(
        cycle=cycle.pk, draft=draft.pk, mine=mine.pk, team=team.pk, other=other.pk,
        leader_template=review_of(w, cycle, "manager").template_version_id,
        mine_nomination=Rater.objects.get(review=mine, rater=w.people["peer"]).pk,
        other_nomination=Rater.objects.get(review=other, rater=w.people["qa_engineer"]).pk,
        my_task=tasks[w.people["employee"].pk], their_task=tasks[w.people["other"].pk])
    w._reviews_api = found  # type: ignore[attr-defined]
    return found


def _url(template: str, *fields: str) -> Any:
    def make(w: World) -> str:
        objects = _objects(w)
        return "/api/v1/" + template.format(*(getattr(objects, f) for f in fields))

    return make


def _body(body: dict[str, Any]) -> Any:
    def make(w: World) -> dict[str, Any]:
        return body

    return make


def _template(w: World) -> dict[str, Any]:
    return {"template": _objects(w).leader_template}


CYCLE = {"name": "2026 Q2 绩效考核", "kind": "quarter", "period_start": "2026-04-01", "period_end": "2026-06-30",
         "population": "departments", "departments": ["LINE1"], "phases": {"self_review": "2026-07-05"}}
RATE = {"entries": {"teamwork": {"rating": "5", "comment": "主动补位"}}}
ADJUST = {"item": "adjustments.0", "points": "2", "reason": "带新人"}


def _as(expect: dict[str, int], code: int) -> dict[str, int]:
    return {role: code for role in expect}


def _reviews(name: str, url_name: str, path: str, which: str, expect: dict[str, int], **kw: Any) -> Case:
    return Case(f"reviews_api {name}", f"api:{url_name}", _url(f"reviews/{{}}/{path}", which), api=True,
                expect=expect, **kw)


CASES = [
    # cycles: read by everyone signed in, written by HR admins
    Case("reviews_api cycles", "api:review-cycle-list", _url("review-cycles/"), api=True, expect=ALL),
    Case("reviews_api cycle", "api:review-cycle-detail", _url("review-cycles/{}/", "cycle"), api=True, expect=ALL),
    Case("reviews_api cycle progress", "api:review-cycle-progress", _url("review-cycles/{}/progress/", "cycle"),
         api=True, expect=ALL),
    Case("reviews_api cycle create", "api:review-cycle-list", _url("review-cycles/"), method="POST", api=True,
         data=_body(CYCLE), writes=True, expect={**HR_ONLY_ALL, "hr": 201}),
    Case("reviews_api cycle update", "api:review-cycle-detail", _url("review-cycles/{}/", "draft"), method="PATCH",
         api=True, data=_body({"name": "2026 Q1 补充"}), writes=True, expect=HR_ONLY_ALL),
    Case("reviews_api cycle launch", "api:review-cycle-launch", _url("review-cycles/{}/launch/", "draft"),
         method="POST", api=True, writes=True, expect={**HR_ONLY_ALL, "hr": 202}),
    # reviews are still open: HR's close is refused too
    Case("reviews_api cycle close", "api:review-cycle-close", _url("review-cycles/{}/close/", "cycle"),
         method="POST", api=True, writes=True, expect={**HR_ONLY_ALL, "hr": 400}),
    # reviews: reads
    Case("reviews_api reviews", "api:review-list", _url("reviews/"), api=True, expect=ALL),
    _reviews("review", "review-detail", "", "mine", SEES_MINE),
    _reviews("review out of scope", "review-detail", "", "other", SEES_OTHER),
    _reviews("explanation", "review-explanation", "explanation/", "mine", SEES_MINE),
    _reviews("explanation out of scope", "review-explanation", "explanation/", "other", SEES_OTHER),
    # workflow steps: the employee submits their self-review; HR voids
    _reviews("submit", "review-act", "act/", "mine", {**NO_ACT_MINE, "employee": 200}, method="POST",
             data=_body({"action": "submit"}), writes=True),
    _reviews("void", "review-act", "act/", "mine", {**NO_ACT_MINE, "hr": 200}, method="POST",
             data=_body({"action": "void", "reason": "重复"}), writes=True),
    _reviews("void out of scope", "review-act", "act/", "other", {**NO_ACT_OTHER, "hr": 200}, method="POST",
             data=_body({"action": "void", "reason": "重复"}), writes=True),
    # forms: the self-review is the employee's, the manager drafts theirs from the 360 round on
    _reviews("self-review form", "review-form", "form/", "mine", {**NO_ACT_MINE, "employee": 200}),
    _reviews("manager form", "review-form", "form/", "team", {**NO_ACT_TEAM, "manager": 200}),
    _reviews("form out of scope", "review-form", "form/", "other", NO_ACT_OTHER),
    _reviews("self-review save", "review-form", "form/", "mine", {**NO_ACT_MINE, "employee": 200}, method="PUT",
             data=_body(RATE), writes=True),
    _reviews("manager form save", "review-form", "form/", "team", {**NO_ACT_TEAM, "manager": 200}, method="PATCH",
             data=_body(RATE), writes=True),
    _reviews("form save out of scope", "review-form", "form/", "other", NO_ACT_OTHER, method="PUT", data=_body(RATE),
             writes=True),
    _reviews("self-review submit", "review-form-submit", "form/submit/", "mine", {**NO_ACT_MINE, "employee": 200},
             method="POST", data=_body(RATE), writes=True),
    # the 360 round is not the manager form's phase: submitting there is closing the round (act/)
    _reviews("manager form submit in the 360 round", "review-form-submit", "form/submit/", "team",
             {**NO_ACT_TEAM, "manager": 400}, method="POST", data=_body(RATE), writes=True),
    _reviews("form submit out of scope", "review-form-submit", "form/submit/", "other", NO_ACT_OTHER, method="POST",
             data=_body(RATE), writes=True),
    # adjustments (the manager, in their phases), the template (HR admins)
    _reviews("adjustment", "review-adjustments", "adjustments/", "team", {**NO_ACT_TEAM, "manager": 200},
             method="PUT", data=_body(ADJUST), writes=True),
    _reviews("adjustment before the manager's phase", "review-adjustments", "adjustments/", "mine", NO_ACT_MINE,
             method="PUT", data=_body(ADJUST), writes=True),
    _reviews("adjustment out of scope", "review-adjustments", "adjustments/", "other", NO_ACT_OTHER, method="PUT",
             data=_body(ADJUST), writes=True),
    _reviews("template", "review-template", "template/", "mine", {**NO_ACT_MINE, "hr": 200}, method="PUT",
             data=_template, writes=True),
    _reviews("template out of scope", "review-template", "template/", "other", {**NO_ACT_OTHER, "hr": 200},
             method="PUT", data=_template, writes=True),
    # raters: HR, the manager and the person's own nominations
    _reviews("raters", "review-raters", "raters/", "mine", {**NO_ACT_MINE, "employee": 200, "manager": 200, "hr": 200}),
    _reviews("raters out of scope", "review-raters", "raters/", "other", {**NO_ACT_OTHER, "hr": 200}),
    _reviews("nominate", "review-raters", "raters/", "mine", {**NO_ACT_MINE, "employee": 201, "manager": 201, "hr": 201},
             method="POST", data=_body({"rater": "E0012", "group": "peer"}), writes=True),
    _reviews("nominate out of scope", "review-raters", "raters/", "other", {**NO_ACT_OTHER, "hr": 201},
             method="POST", data=_body({"rater": "E0001", "group": "peer"}), writes=True),
    _reviews("approve all", "review-raters-approve-all", "raters/approve-all/", "mine",
             {**NO_ACT_MINE, "manager": 200, "hr": 200}, method="POST", writes=True),
    _reviews("approve all out of scope", "review-raters-approve-all", "raters/approve-all/", "other",
             {**NO_ACT_OTHER, "hr": 200}, method="POST", writes=True),
    Case("reviews_api decide", "api:review-rater-decide", _url("review-raters/{}/decide/", "mine_nomination"),
         method="POST", api=True, data=_body({"approve": True}), writes=True,
         expect={**NO_ACT_MINE, "manager": 200, "hr": 200}),
    Case("reviews_api decide out of scope", "api:review-rater-decide",
         _url("review-raters/{}/decide/", "other_nomination"), method="POST", api=True,
         data=_body({"approve": True}), writes=True, expect={**NO_ACT_OTHER, "hr": 200}),
    Case("reviews_api remove a rater", "api:review-rater-detail", _url("review-raters/{}/", "mine_nomination"),
         method="DELETE", api=True, writes=True, expect={**NO_ACT_MINE, "employee": 204, "manager": 204, "hr": 204}),
    Case("reviews_api remove a rater out of scope", "api:review-rater-detail",
         _url("review-raters/{}/", "other_nomination"), method="DELETE", api=True, writes=True,
         expect={**NO_ACT_OTHER, "hr": 204}),
    # rating tasks: the rater's own, nobody else's
    Case("reviews_api rating tasks", "api:rating-task-list", _url("rating-tasks/"), api=True, expect=ALL),
    Case("reviews_api rating task", "api:rating-task-detail", _url("rating-tasks/{}/", "my_task"), api=True,
         expect={"employee": 200}),
    Case("reviews_api rating task of someone else", "api:rating-task-detail", _url("rating-tasks/{}/", "their_task"),
         api=True),
    Case("reviews_api rating save", "api:rating-task-save", _url("rating-tasks/{}/save/", "my_task"), method="PUT",
         api=True, data=_body(RATE), writes=True, expect={"employee": 200}),
    Case("reviews_api rating save of someone else", "api:rating-task-save",
         _url("rating-tasks/{}/save/", "their_task"), method="PUT", api=True, data=_body(RATE), writes=True),
    Case("reviews_api rating submit", "api:rating-task-submit", _url("rating-tasks/{}/submit/", "my_task"),
         method="POST", api=True, data=_body(RATE), writes=True, expect={"employee": 200}),
    Case("reviews_api rating submit of someone else", "api:rating-task-submit",
         _url("rating-tasks/{}/submit/", "their_task"), method="POST", api=True, data=_body(RATE), writes=True),
    Case("reviews_api rating decline", "api:rating-task-decline", _url("rating-tasks/{}/decline/", "my_task"),
         method="POST", api=True, data=_body({"reason": "不了解"}), writes=True, expect={"employee": 200}),
    Case("reviews_api rating decline of someone else", "api:rating-task-decline",
         _url("rating-tasks/{}/decline/", "their_task"), method="POST", api=True, data=_body({"reason": "x"}),
         writes=True),
]
