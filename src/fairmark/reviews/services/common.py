"""What the review services share: locking a review in the actor's scope, the words for a refused transition,
notifications about a review, and the review's page link."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from fairmark.core.errors import Refused, ServiceError, not_found
from fairmark.notifications.services import notify_in_their_language
from fairmark.org.models import Employee

from ..models import Phase, Review, ReviewAction, ReviewState
from ..selectors import reviews_visible_to
from ..workflow import IllegalTransition


def locked_review(actor: Any, review: Review | int) -> Review:
    """The review, locked for the write, if the actor may see it; else 404 (rule 2: re-checked in the
    transaction, so a review that left the actor's scope meanwhile is not written)."""
    pk = review.pk if isinstance(review, Review) else review
    found = reviews_visible_to(actor).select_for_update(of=("self",)).filter(pk=pk).first()
    if found is None:
        raise not_found()
    return found


def _labels(values: Iterable[Any], choices: Any) -> str:
    names = dict(choices.choices)
    return "、".join(str(names.get(value, value)) for value in values)


def refusal(error: IllegalTransition) -> ServiceError:
    """A refused transition in words, 403 when the actor's role may not do it, 400 otherwise."""
    params = error.params
    state = _labels([params.get("state")], ReviewState) if params.get("state") else ""
    action = _labels([params.get("action")], ReviewAction) if params.get("action") else ""
    roles = ", ".join(str(role) for role in params.get("roles", []) or [])  # type: ignore[attr-defined]
    messages: dict[str, Callable[[], str]] = {
        "wrong_state": lambda: _("“%(action)s” is not possible while the review is in “%(state)s”.")
        % {"action": action, "state": state},
        "phase_not_in_cycle": lambda: _("This cycle has no “%(phase)s” phase.")
        % {"phase": _labels([params.get("phase")], Phase)},
        "wrong_role": lambda: _("You may not “%(action)s” a review in “%(state)s” (allowed: %(roles)s).")
        % {"action": action, "state": state, "roles": roles or "—"},
        "reason_required": lambda: _("Give a reason."),
        "delegate_required": lambda: _("Choose the person to delegate to."),
        "no_target": lambda: _("There is no earlier step to return the review to."),
        "target_required": lambda: _("Choose the phase to reopen the review at."),
        "wrong_target": lambda: _("The review cannot be reopened at that phase."),
    }
    text = messages.get(error.code, lambda: _("This step is not possible now."))()
    field = {"reason_required": "reason", "delegate_required": "delegate", "target_required": "to",
             "wrong_target": "to"}.get(error.code)
    if error.code == "wrong_role":
        return Refused(text, code="illegal_transition")
    return ServiceError(text, fields={field: [text]} if field else None, code="illegal_transition")


def review_link(review: Review) -> str:
    return reverse("reviews:review", kwargs={"pk": review.pk})


def users_of(*people: Employee | None) -> list[Any]:
    return [p.user for p in people if p is not None and p.user is not None and p.user.is_active]


def send(recipients: Iterable[Any], *, kind: str, event_key: str, link: str, title: Callable[[], str],
         body: Callable[[], str] = lambda: "") -> None:
    notify_in_their_language(recipients, kind=kind, event_key=event_key, link=link, title=title, body=body)
