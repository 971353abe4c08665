"""Moving a review through its workflow (DESIGN.md C5, issue 6 item 2): the pure table in reviews/workflow.py
decides, this service applies it. One transaction: lock the review in the actor's scope, find the role in which
the actor takes the action, check what the step needs (the self-review's ratings before it is submitted, the
manager's before theirs), apply the transition, write a ReviewStep and an audit event ("review.<action>") with
the state before and after, notify whoever owns the next step, and recompute the score when ratings became
final. A refused step says why in words (403 for a role that may not, 400 for a step not possible now)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from fairmark.audit.services import record
from fairmark.core.access import user_or_none, viewer_for
from fairmark.core.errors import Refused, ServiceError
from fairmark.org.models import Employee

from .. import workflow
from ..models import RaterGroup, Rating, Review, ReviewStep
from ..permissions import roles_on
from .common import locked_review, refusal, review_link, send, users_of
from .forms import missing_ratings

# The rater group whose ratings become final when the owner of a writing phase submits it.
WRITER_GROUP = {"self_review": RaterGroup.SELF, "manager_review": RaterGroup.MANAGER}


def role_for(roles: list[str], state: str, action: str, phases: list[str]) -> str | None:
    """The first of the actor's roles for which the table allows the action here (None: none does)."""
    for role in roles:
        if (state, role, action) in workflow.TABLE:
            try:
                if action in workflow.allowed(state, role, phases):
                    return role
            except workflow.IllegalTransition:
                return None
    return None


def review_act(*, actor: Any, review: Review | int, action: str, reason: str | None = None, to: str | None = None,
               delegate: int | None = None) -> Review:
    with transaction.atomic():
        review = locked_review(actor, review)
        viewer = viewer_for(actor)
        roles = roles_on(viewer, review)
        if not roles:
            raise Refused(_("You have no part in this review."))
        phases = review.cycle.phase_list()
        state = review.state
        role = role_for(roles, state, action, phases) or roles[0]
        delegate_to = _delegate(review, delegate) if action == "delegate" else None
        submits_on = workflow.TABLE.get((state, role, "submit"))  # type: ignore[arg-type]
        resume = review.resume_at if (action == "submit" and review.resume_at and submits_on is workflow.NEXT) else None
        try:
            move = workflow.transition(state, role, action, phases, reason=reason, to=to,
                                       delegate=delegate_to.pk if delegate_to else None, resume_at=resume)
        except workflow.IllegalTransition as exc:
            raise refusal(exc) from None
        if action == "submit":
            _check_complete(review, state, role)
        before = {"state": state, "delegate": review.delegate_id, "resume_at": review.resume_at}
        _apply(review, move, delegate_to)
        ReviewStep.objects.create(review=review, action=action, role=role, from_state=state,
                                  to_state=move.next_state, actor=user_or_none(actor), reason=move.reason or "")
        record(actor=actor, action=move.event, obj=review, before=before,
               after={**move.audit(), "state": review.state})
        _notify(review, move, delegate_to)
        if (action == "submit" and state in WRITER_GROUP) or move.next_state in WRITER_GROUP:
            review_id = review.pk
            transaction.on_commit(lambda: _recompute(review_id))
    return review


def _recompute(review_id: int) -> None:
    from .scoring import recompute_reviews

    recompute_reviews([review_id])


def _delegate(review: Review, delegate: int | None) -> Employee:
    person = Employee.objects.filter(pk=delegate, company_id=review.employee.company_id).exclude(
        status="left").first() if delegate else None
    if person is None:
        raise ServiceError(_("Choose the person to delegate to."), fields={"delegate": [_("Choose the person to delegate to.")]})
    if person.pk == review.employee_id:
        raise ServiceError(_("A review cannot be delegated to the person reviewed."),
                           fields={"delegate": [_("A review cannot be delegated to the person reviewed.")]})
    return person


def _check_complete(review: Review, state: str, role: str) -> None:
    group = WRITER_GROUP.get(state)
    if group is None:
        return
    writer = review.employee_id if group == RaterGroup.SELF else review.manager_id
    missing = missing_ratings(review, writer, group)
    if missing:
        message = _("Rate every item before submitting.")
        raise ServiceError(message, fields={f"items.{key}.rating": [_("Choose a rating.")] for key in missing})


def _apply(review: Review, move: workflow.Transition, delegate_to: Employee | None) -> None:
    if move.action == "delegate":
        review.delegate = delegate_to
    elif move.moved:
        review.delegate = None
    if move.action == "return":
        review.resume_at = move.resume_at or ""
    elif move.action == "submit" and move.moved:
        review.resume_at = ""
    # Ratings of a writing phase are final once it is submitted, and open again when work returns to it.
    group = WRITER_GROUP.get(move.state)
    if move.action == "submit" and group is not None:
        writer = review.employee_id if group == RaterGroup.SELF else review.manager_id
        Rating.objects.filter(review=review, group=group, rater_id=writer).update(submitted=True)
    reopened = WRITER_GROUP.get(move.next_state)
    if move.moved and reopened is not None and move.action in ("return", "reopen"):
        Rating.objects.filter(review=review, group=reopened).update(submitted=False)
    review.state = move.next_state
    review.save(update_fields=["state", "delegate", "resume_at", "updated_at"])


def _notify(review: Review, move: workflow.Transition, delegate_to: Employee | None) -> None:
    """Tell the owner of the next step (or the delegate) that it is theirs; tell the employee when their review
    was returned, voided, reopened or published."""
    if not move.moved and move.action != "delegate":
        return
    owner = workflow.OWNER.get(move.next_state)
    people: list[Employee | None] = []
    if move.action == "delegate":
        people = [delegate_to]
    elif owner == "employee" or move.action in ("void", "reopen"):
        people = [review.employee]
    elif owner == "manager":
        people = [review.manager]
    elif owner == "n2":
        people = [review.n2]
    recipients = users_of(*people)
    if not recipients:
        return
    name = review.employee.name
    cycle = review.cycle.name
    labels = dict(workflow_labels())
    action, target = move.action, move.next_state

    def title() -> str:
        return _("%(cycle)s · %(name)s: %(action)s → %(state)s") % {
            "cycle": cycle, "name": name, "action": labels.get(action, action), "state": labels.get(target, target)}

    def body() -> str:
        return move.reason or ""

    send(recipients, kind="review", event_key=f"review:{review.pk}:{review.steps.count()}:{action}",
         link=review_link(review), title=title, body=body)


def workflow_labels() -> list[tuple[str, str]]:
    from ..models import ReviewAction, ReviewState

    return [(value, str(label)) for value, label in ReviewAction.choices + ReviewState.choices]
