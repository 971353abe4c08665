"""Every row of the workflow table through the service (issue 6: "every transition of the workflow table is
tested for the allowed role and refused for the others"): for each state of a cycle with every phase, each
action, and each person holding one role on the employee's review (employee, reviewing manager, N+2, HR admin,
executive), review_act succeeds exactly when reviews.workflow allows that role, moves the review where the pure
table says, and otherwise refuses without changing anything."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from fairmark.core.errors import Refused, ServiceError
from fairmark.reviews import workflow
from fairmark.reviews.models import Rating, Review, ReviewStep
from fairmark.reviews.services.transitions import review_act

from .support import build_reviews, launch, make_cycle

pytestmark = pytest.mark.django_db

ALL_PHASES = {phase: f"2026-04-{10 + i:02d}" for i, phase in enumerate(workflow.PHASES)}
USERS = {"employee": "employee", "manager": "manager", "n2": "head", "hr": "hr", "executive": "exec"}


def _attempt(call: Any) -> tuple[str, Any]:
    """"ok" and the review, or how the service refused: "refused" (403) or "error" (400, with its message)."""
    try:
        return "ok", call()
    except Refused as refused:
        return "refused", refused.message
    except ServiceError as error:
        return "error", f"{error.message} {error.fields}"


def _arguments(action: str, world) -> dict:  # type: ignore[no-untyped-def]
    if action == "delegate":
        return {"delegate": world.people["peer"].pk, "reason": "出差"}
    if action == "reopen":
        return {"to": "self_review", "reason": "重新评估"}
    return {"reason": "理由"}


def test_every_state_action_and_role(world, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    from datetime import date

    build_reviews(world)
    phases = {p: date.fromisoformat(d) for p, d in ALL_PHASES.items()}
    cycle = launch(world, make_cycle(world, phases=phases), django_capture_on_commit_callbacks)
    review = Review.objects.get(cycle=cycle, employee=world.people["employee"])
    # Complete forms, so that a submit the table allows is not refused for missing ratings.
    for group, rater in (("self", "employee"), ("manager", "manager")):
        Rating.objects.create(review=review, rater=world.people[rater], group=group, item="teamwork", rating=4)
    names = list(cycle.phase_list())
    checked = allowed_count = 0
    for state in workflow.STATES:
        for action in workflow.ACTIONS:
            for role, user_key in USERS.items():
                allowed = action in workflow.allowed(state, role, names)
                expected = workflow.transition(state, role, action, names, **_arguments(action, world)).next_state \
                    if allowed and action not in ("delegate", "reopen") else None
                Review.objects.filter(pk=review.pk).update(state=state, resume_at="", delegate=None)
                steps = ReviewStep.objects.count()
                with transaction.atomic():
                    outcome, moved = _attempt(lambda u=user_key, a=action: review_act(
                        actor=world.user(u), review=review.pk, action=a, **_arguments(a, world)))
                    if outcome == "ok":
                        assert allowed, f"{role} was let {action} in {state}"
                        assert ReviewStep.objects.count() == steps + 1
                        if expected is not None:
                            assert moved.state == expected, (state, role, action)
                        allowed_count += 1
                    else:
                        assert not allowed, f"{role} could not {action} in {state}: {outcome} {moved}"
                    transaction.set_rollback(True)
                fresh = Review.objects.get(pk=review.pk)
                assert fresh.state == state
                checked += 1
    assert checked == len(workflow.STATES) * len(workflow.ACTIONS) * len(USERS)
    # Every (state, role, action) row of the table that names one of these roles was exercised and allowed.
    table_rows = sum(1 for (s, r, a) in workflow.TABLE if r in USERS and a in workflow.allowed(s, r, names))
    assert allowed_count == table_rows
