"""360 raters (DESIGN.md C5): nominated by the employee or the manager (or HR), approved by the manager, with a
minimum and a maximum per group (the cycle's settings), never the person themself nor their reviewing manager
(the manager rates in the manager review). Nominations are open until the 360 round is closed; approval checks
each anonymous group the template asks for has at least the minimum, since fewer could never be shown."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from fairmark.audit.services import record
from fairmark.core.access import user_or_none, viewer_for
from fairmark.core.errors import Refused, ServiceError
from fairmark.org.models import Employee, EmployeeStatus

from ..models import ANONYMOUS_GROUPS, Rater, RaterGroup, RaterStatus, Review, ReviewState
from ..permissions import approves_raters, nominates_for, roles_on
from .common import locked_review, send, users_of

OPEN_FOR_NOMINATION = {ReviewState.GOAL_SETTING, ReviewState.IN_PROGRESS, ReviewState.SELF_REVIEW,
                       ReviewState.RATING_360}
BEFORE_ROUND = {ReviewState.GOAL_SETTING, ReviewState.IN_PROGRESS, ReviewState.SELF_REVIEW}
COUNTED = (RaterStatus.NOMINATED, RaterStatus.APPROVED, RaterStatus.SUBMITTED)


def template_groups(review: Review) -> set[str]:
    """The anonymous rater groups the review's template weights (the groups raters can be nominated in)."""
    groups = {g.get("group") for section in review.template_version.sections for item in section.get("items", [])
              for g in item.get("rater_groups", [])}
    wanted = {g for g in groups if g in ANONYMOUS_GROUPS}
    return wanted | {RaterGroup.OTHERS} if wanted else wanted


def _field_error(field: str, message: str) -> ServiceError:
    return ServiceError(message, fields={field: [message]})


def nominate(*, actor: Any, review: Review | int, rater: int, group: str) -> Rater:
    with transaction.atomic():
        review = locked_review(actor, review)
        viewer = viewer_for(actor)
        if not nominates_for(viewer, review):
            raise Refused(_("Only the employee, their manager or HR nominate raters."))
        if review.state not in OPEN_FOR_NOMINATION:
            raise _field_error("rater", _("Raters can be nominated until the 360 round is closed."))
        if group not in template_groups(review):
            raise _field_error("group", _("This review's template has no such rater group."))
        person = Employee.objects.filter(pk=rater, company_id=review.employee.company_id).exclude(
            status=EmployeeStatus.LEFT).first()
        if person is None:
            raise _field_error("rater", _("Choose a colleague of the same company."))
        if person.pk == review.employee_id:
            raise _field_error("rater", _("The self-review is the person's own rating; choose someone else."))
        if person.pk == review.manager_id:
            raise _field_error("rater", _("The reviewing manager rates in the manager review; choose someone else."))
        if Rater.objects.filter(review=review, rater=person).exists():
            raise _field_error("rater", _("This person is already a rater of this review."))
        count = Rater.objects.filter(review=review, group=group, status__in=COUNTED).count()
        if count >= review.cycle.raters_max:
            raise _field_error("group", _("At most %(max)d raters per group.") % {"max": review.cycle.raters_max})
        approved = approves_raters(viewer, review)
        row = Rater.objects.create(review=review, rater=person, group=group, nominated_by=user_or_none(actor),
                                   status=RaterStatus.APPROVED if approved else RaterStatus.NOMINATED,
                                   decided_by=user_or_none(actor) if approved else None)
        record(actor=actor, action="review.rater.nominate", obj=row,
               after={"review": review.pk, "group": group, "status": row.status})
        if approved:
            _tell_rater(row)
    return row


def decide(*, actor: Any, rater: Rater | int, approve: bool, reason: str = "") -> Rater:
    """The manager approves or rejects one nomination (a rejection needs a reason)."""
    with transaction.atomic():
        pk = rater.pk if isinstance(rater, Rater) else rater
        row = Rater.objects.select_for_update().filter(pk=pk).first()
        if row is None:
            raise _field_error("rater", _("Not found."))
        review = locked_review(actor, row.review_id)
        if not approves_raters(viewer_for(actor), review):
            raise Refused(_("The manager approves the raters."))
        if row.status != RaterStatus.NOMINATED:
            raise _field_error("status", _("This nomination has been decided already."))
        if not approve and not reason.strip():
            raise _field_error("reason", _("Give a reason."))
        row.status = RaterStatus.APPROVED if approve else RaterStatus.REJECTED
        row.reason = reason.strip()
        row.decided_by = user_or_none(actor)
        row.save(update_fields=["status", "reason", "decided_by"])
        record(actor=actor, action="review.rater.approve" if approve else "review.rater.reject", obj=row,
               after={"status": row.status, "reason": row.reason})
        if approve:
            _tell_rater(row)
    return row


def approve_all(*, actor: Any, review: Review | int) -> list[Rater]:
    """Approve every open nomination at once, after checking each group reaches the cycle's minimum."""
    with transaction.atomic():
        review = locked_review(actor, review)
        if not approves_raters(viewer_for(actor), review):
            raise Refused(_("The manager approves the raters."))
        rows = list(Rater.objects.filter(review=review, status__in=COUNTED))
        short = short_groups(review, rows)
        if short:
            message = _("Each rater group needs at least %(min)d raters.") % {"min": review.cycle.raters_min}
            raise ServiceError(message, fields={f"groups.{group}": [message] for group in short})
        approved = [row for row in rows if row.status == RaterStatus.NOMINATED]
        for row in approved:
            row.status = RaterStatus.APPROVED
            row.decided_by = user_or_none(actor)
        Rater.objects.bulk_update(approved, ["status", "decided_by"])
        record(actor=actor, action="review.rater.approve_all", obj=review,
               after={"approved": sorted(row.rater_id for row in approved)})
        for row in approved:
            _tell_rater(row)
    return approved


def short_groups(review: Review, rows: Iterable[Rater]) -> list[str]:
    counts = Counter(row.group for row in rows if row.status in COUNTED)
    return sorted(group for group in counts if counts[group] < review.cycle.raters_min)


def remove(*, actor: Any, rater: Rater | int) -> None:
    """Take back a nomination that has not been rated (the employee their own, the manager or HR any)."""
    with transaction.atomic():
        pk = rater.pk if isinstance(rater, Rater) else rater
        row = Rater.objects.select_for_update().filter(pk=pk).first()
        if row is None:
            raise _field_error("rater", _("Not found."))
        review = locked_review(actor, row.review_id)
        viewer = viewer_for(actor)
        roles = roles_on(viewer, review)
        mine = "employee" in roles and row.nominated_by_id == getattr(actor, "pk", None)
        if not (mine or approves_raters(viewer, review)):
            raise Refused(_("Only the manager or the person who nominated removes a rater."))
        # Only HR knows who has rated; for everyone else the answer must not depend on it, so a rater can be
        # taken back only before the round starts, whatever they have done.
        if "hr" in roles:
            if row.status == RaterStatus.SUBMITTED:
                raise _field_error("rater", _("A rating that has been given stays."))
        elif review.state not in BEFORE_ROUND:
            raise _field_error("rater", _("Raters can no longer be removed once the 360 round has started."))
        record(actor=actor, action="review.rater.remove", obj=review, before={"rater": row.rater_id, "group": row.group})
        row.delete()


def _tell_rater(row: Rater) -> None:
    review = row.review
    name = review.employee.name
    cycle = review.cycle.name

    def title() -> str:
        return _("%(cycle)s: please rate %(name)s (360)") % {"cycle": cycle, "name": name}

    send(users_of(row.rater), kind="review", event_key=f"review:{review.pk}:rater:{row.pk}",
         link=reverse("reviews:rate", kwargs={"pk": row.pk}), title=title)
