"""Authorization cases for the pages of a person's review (reviews/views/mine_pages.py, review_pages.py,
form_pages.py, rate_pages.py, explain_pages.py), on a launched cycle of LINE1 and LINE2 (tests/reviews/support.py).

The employee's review is seen by the employee, the LINE1 manager, the PROD head (their N+2), HR admins, the
executive and the system admin (who reads everyone and acts on nothing); the HR BP (of QA) does not see it: 404.
The LINE2 person's review is out of the LINE1 manager's and the employee's scope. Who sees a review but may not
take a step gets 403 and nothing changes: the workflow table decides (an employee submits their self-review,
nobody else does), the employee, manager and HR nominate raters, the manager and HR decide nominations. The
self-review form is the employee's while the review is in its self-review. A 360 rater's form is their own
only: the PROD head is made a rater of the employee's review, and everyone else gets 404. Case names start with
"reviews_person" (`pytest -k reviews_person`)."""

from __future__ import annotations

from typing import Any

from django.test import TestCase

from tests.authz.matrix import Case
from tests.world import World

ROLES = ("employee", "manager", "head", "hrbp", "hr", "exec", "admin")
ALL = {role: 200 for role in ROLES}
SEES_MINE = {role: 200 for role in ("employee", "manager", "head", "hr", "exec", "admin")}
SEES_OTHER = {role: 200 for role in ("head", "hr", "exec", "admin")}
CYCLE = "2026 Q1 绩效考核"


def _as(expect: dict[str, int], status: int) -> dict[str, int]:
    return {role: status for role in expect}


def _review(w: World, person: str = "employee") -> Any:
    """The person's review in the launched cycle, made once per test."""
    from fairmark.reviews.models import Cycle, Review
    from tests.reviews.support import build_reviews, launch, make_cycle

    cycle = Cycle.objects.filter(name=CYCLE).first()
    if cycle is None:
        build_reviews(w)
        cycle = launch(w, make_cycle(w, departments=("LINE1", "LINE2")), TestCase.captureOnCommitCallbacks)
    return Review.objects.get(cycle=cycle, employee=w.people[person])


def _drafted(w: World) -> Any:
    """The employee's review with the self-review's rating saved, so that submitting it works."""
    from fairmark.reviews.models import Rating
    from fairmark.reviews.services.forms import save_review_form

    review = _review(w)
    if not Rating.objects.filter(review=review, group="self").exists():
        save_review_form(actor=w.user("employee"), review=review, entries={"teamwork": {"rating": "4"}})
    return review


def _nomination(w: World) -> Any:
    """A peer the employee nominated on their review (waiting for the manager's decision)."""
    from fairmark.reviews.models import Rater
    from fairmark.reviews.services.raters import nominate

    review = _review(w)
    found = Rater.objects.filter(review=review, rater=w.people["peer2"]).first()
    return found or nominate(actor=w.user("employee"), review=review, rater=w.people["peer2"].pk, group="peer")


def _head_rates(w: World) -> Any:
    """The PROD head as a rater of the employee's review (nominated by HR, so approved), in the 360 round."""
    from fairmark.reviews.models import Rater, ReviewState
    from fairmark.reviews.services.raters import nominate
    from fairmark.reviews.services.transitions import review_act

    review = _drafted(w)
    task = Rater.objects.filter(review=review, rater=w.people["prod_head"]).first()
    if task is None:
        task = nominate(actor=w.user("hr"), review=review, rater=w.people["prod_head"].pk, group="peer")
    if review.state == ReviewState.SELF_REVIEW:
        with TestCase.captureOnCommitCallbacks(execute=True):
            review_act(actor=w.user("employee"), review=review, action="submit")
    return task


def _review_url(person: str, suffix: str = "") -> Any:
    def make(w: World) -> str:
        return f"/reviews/{_review(w, person).pk}/{suffix}"

    return make


def _drafted_url(suffix: str) -> Any:
    def make(w: World) -> str:
        return f"/reviews/{_drafted(w).pk}/{suffix}"

    return make


def _rater_url(suffix: str) -> Any:
    def make(w: World) -> str:
        return f"/reviews/raters/{_nomination(w).pk}/{suffix}"

    return make


def _rate_url(suffix: str = "") -> Any:
    def make(w: World) -> str:
        return f"/reviews/rate/{_head_rates(w).pk}/{suffix}"

    return make


def _fixed(url: str) -> Any:
    def make(w: World) -> str:
        _review(w)
        return url

    return make


def _submit(w: World) -> dict[str, str]:
    return {"action": "submit"}


def _leader_template(w: World) -> dict[str, str]:
    from fairmark.indicators.models import Template

    published = Template.objects.get(code="line_leaders").published
    assert published is not None
    return {"template": str(published.pk)}


def _peer(w: World) -> dict[str, str]:
    return {"rater": "E0005", "group": "peer"}


def _approve(w: World) -> dict[str, str]:
    return {"approve": "1"}


def _rating(w: World) -> dict[str, str]:
    return {"rating:teamwork": "4", "comment:teamwork": "主动补位", "summary": "本季度"}


def _decline(w: World) -> dict[str, str]:
    return {"reason": "不了解其工作"}


NOMINATORS = {"employee": 302, "manager": 302, "hr": 302, "head": 403, "exec": 403, "admin": 403}
DECIDERS = {"manager": 302, "hr": 302, "employee": 403, "head": 403, "exec": 403, "admin": 403}
SELF_WRITER = {"employee": 302, "manager": 403, "head": 403, "hr": 403, "exec": 403, "admin": 403}
RATER = {"head": 200}

CASES = [
    Case("reviews_person my reviews", "reviews:mine", _fixed("/reviews/"), expect=ALL),
    Case("reviews_person review page", "reviews:review", _review_url("employee"), expect=SEES_MINE),
    Case("reviews_person review page out of scope", "reviews:review", _review_url("other"), expect=SEES_OTHER),
    Case("reviews_person explanation", "reviews:explain", _review_url("employee", "explain/"), expect=SEES_MINE),
    Case("reviews_person explanation out of scope", "reviews:explain", _review_url("other", "explain/"),
         expect=SEES_OTHER),
    # the workflow: only the employee submits their self-review
    Case("reviews_person act submit", "reviews:act", _drafted_url("act/"), method="POST", data=_submit,
         writes=True, expect=SELF_WRITER),
    Case("reviews_person act out of scope", "reviews:act", _review_url("other", "act/"), method="POST",
         data=_submit, writes=True, expect=_as(SEES_OTHER, 403)),
    # HR puts a review on another template by hand
    Case("reviews_person change template", "reviews:review_template", _review_url("employee", "template/"),
         method="POST", data=_leader_template, writes=True,
         expect={**_as(SEES_MINE, 403), "hr": 302}),
    Case("reviews_person change template out of scope", "reviews:review_template", _review_url("other", "template/"),
         method="POST", data=_leader_template, writes=True, expect={**_as(SEES_OTHER, 403), "hr": 302}),
    # 360 nominations
    Case("reviews_person nominate", "reviews:nominate", _review_url("employee", "raters/"), method="POST",
         data=_peer, writes=True, expect=NOMINATORS),
    Case("reviews_person nominate out of scope", "reviews:nominate", _review_url("other", "raters/"),
         method="POST", data=_peer, writes=True, expect={"hr": 302, "head": 403, "exec": 403, "admin": 403}),
    Case("reviews_person decide a nomination", "reviews:rater_decide", _rater_url("decide/"), method="POST",
         data=_approve, writes=True, expect=DECIDERS),
    Case("reviews_person approve all", "reviews:raters_approve", _review_url("employee", "raters/approve/"),
         method="POST", writes=True, expect=DECIDERS),
    Case("reviews_person remove a nomination", "reviews:rater_remove", _rater_url("remove/"), method="POST",
         writes=True, expect={**DECIDERS, "employee": 302}),
    # the self-review form
    Case("reviews_person form", "reviews:form", _review_url("employee", "form/"),
         expect={**_as(SELF_WRITER, 403), "employee": 200}),
    Case("reviews_person form out of scope", "reviews:form", _review_url("other", "form/"),
         expect=_as(SEES_OTHER, 403)),
    Case("reviews_person form save", "reviews:form", _review_url("employee", "form/"), method="POST",
         data=_rating, writes=True, expect=SELF_WRITER),
    Case("reviews_person form autosave", "reviews:form_autosave", _review_url("employee", "form/autosave/"),
         method="POST", data=_rating, writes=True, expect={**_as(SELF_WRITER, 403), "employee": 200}),
    # a 360 rater's own form
    Case("reviews_person rate", "reviews:rate", _rate_url(), expect=RATER),
    Case("reviews_person rate autosave", "reviews:rate_autosave", _rate_url("autosave/"), method="POST",
         data=_rating, writes=True, expect=RATER),
    Case("reviews_person rate submit", "reviews:rate_submit", _rate_url("submit/"), method="POST", data=_rating,
         writes=True, expect={"head": 302}),
    Case("reviews_person rate decline", "reviews:rate_decline", _rate_url("decline/"), method="POST",
         data=_decline, writes=True, expect={"head": 302}),
]
