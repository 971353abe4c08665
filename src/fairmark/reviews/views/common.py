"""What the pages of a person's review share: the review found in the viewer's scope, the deadlines of the
cycles' phases (one query for any number of reviews), the phase timeline, the reader's language, how a
service's refusal reaches the page (404 out of scope, 403 refused, else the message), the items of a rating
form, and the 360 section of the review page (who sees which nominations)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import get_language

from fairmark.core.access import viewer_for
from fairmark.core.errors import OutOfScope, Refused, ServiceError
from fairmark.core.scoping import ScopedQueryMixin
from fairmark.indicators.scoring import normalise_language

from .. import workflow
from ..forms.review_forms import NominateForm
from ..models import CyclePhase, Phase, RaterGroup, RaterStatus, Review
from ..permissions import approves_raters, nominates_for, sees_raters
from ..selectors import phases_of, raters_of, reviews_visible_to
from ..services.raters import COUNTED, OPEN_FOR_NOMINATION, template_groups

PHASE_ORDER = {value: index for index, value in enumerate(Phase.values)}


def language() -> str:
    return normalise_language(get_language() or "zh-hans")


class ReviewScopedMixin(LoginRequiredMixin, ScopedQueryMixin):
    """A page about one review: the review comes from reviews_visible_to, 404 outside it."""

    selector = reviews_visible_to

    def review(self, pk: int) -> Review:
        return get_object_or_404(self.get_queryset(), pk=pk)


def reraise(error: ServiceError) -> None:
    """A refusal is a status, not a message: out of scope 404, refused 403 (and nothing was written)."""
    if isinstance(error, OutOfScope):
        raise Http404 from error
    if isinstance(error, Refused):
        raise PermissionDenied(error.message) from error


def flash(request: HttpRequest, error: ServiceError, labels: dict[str, str] | None = None) -> None:
    """The service's message and its field errors as messages (the page they go back to shows them)."""
    messages.error(request, error.message)
    for name, texts in error.fields.items():
        for text in texts:
            if text != error.message:
                label = (labels or {}).get(name)
                messages.error(request, f"{label}: {text}" if label else str(text))


def flash_form(request: HttpRequest, form: Any) -> None:
    """A form's own errors (shape, an unknown employee number) as messages, each with its field's label."""
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else None
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else str(error))


def json_error(error: ServiceError) -> JsonResponse:
    reraise(error)
    return JsonResponse({"saved": False, "message": error.message,
                         "errors": {name: [str(t) for t in texts] for name, texts in error.fields.items()}},
                        status=error.status_code)


def json_saved() -> JsonResponse:
    at = timezone.localtime().strftime("%H:%M")
    return JsonResponse({"saved": True, "at": at})


def deadlines(cycle_ids: Iterable[int]) -> dict[tuple[int, str], date]:
    """(cycle, phase) → deadline for every phase of these cycles, in one query."""
    ids = sorted(set(cycle_ids))
    if not ids:
        return {}
    return {(p.cycle_id, p.phase): p.deadline for p in CyclePhase.objects.filter(cycle_id__in=ids)}


def phase_of(state: str) -> str | None:
    return workflow.PHASE_OF.get(state)  # type: ignore[call-overload, no-any-return]


def deadline_of(review: Review, table: dict[tuple[int, str], date]) -> date | None:
    phase = phase_of(review.state)
    return table.get((review.cycle_id, phase)) if phase else None


def timeline(review: Review) -> list[dict[str, Any]]:
    """The cycle's phases in their order with deadlines; each done, current or to come for this review."""
    rows = sorted(phases_of(review.cycle), key=lambda p: PHASE_ORDER.get(p.phase, 99))
    current = phase_of(review.state)
    rank = PHASE_ORDER.get(current, len(PHASE_ORDER)) if current else len(PHASE_ORDER)
    voided = review.state == "voided"
    out = []
    for row in rows:
        place = PHASE_ORDER.get(row.phase, 99)
        status = ("" if voided else "current" if row.phase == current else "done" if place < rank else "todo")
        out.append({"phase": row.phase, "label": row.get_phase_display(), "deadline": row.deadline,
                    "opens_on": row.opens_on, "status": status})
    return out


# ------------------------------------------------------------------------------------------ rating forms

def plain(value: Decimal | None) -> str:
    return "" if value is None else format(value.normalize(), "f")


def rating_rows(items: list[Any], saved: dict[str, tuple[str, str]], data: Any | None,
                errors: dict[str, list[str]]) -> list[dict[str, Any]]:
    """The form's items with the value to show: what was posted when the page comes back with errors."""
    rows = []
    for item in items:
        rating, comment = saved.get(item.key, ("", ""))
        if data is not None:
            rating = str(data.get(f"rating:{item.key}", rating))
            comment = str(data.get(f"comment:{item.key}", comment))
        rows.append({"key": item.key, "label": item.label, "definition": item.definition, "rating": rating,
                     "comment": comment, "errors": errors.get(item.key, []),
                     "points": [{"value": plain(p.rating), "anchor": p.anchor} for p in item.points]})
    return rows


# ------------------------------------------------------------------------------------------ the 360 section

def _shown_status(status: str, full: bool) -> str:
    """Whether a rater has rated or declined is HR's to know; to anyone else an approved rater stays approved."""
    if full or status not in (RaterStatus.SUBMITTED, RaterStatus.DECLINED):
        return status
    return RaterStatus.APPROVED


def raters_section(user: Any, review: Review) -> dict[str, Any] | None:
    """The 360 part of the review page for this viewer (None when the template asks for no 360 groups).

    HR (permissions.sees_raters) sees every rater and their status; the approving manager sees the names while
    nominations are open (nominations are not ratings); the ratee sees only those they nominated themselves.
    Nobody but HR learns who has rated."""
    groups = template_groups(review)
    if not groups:
        return None
    viewer = viewer_for(user)
    hr = sees_raters(viewer, review)
    ratee = viewer.employee_id is not None and viewer.employee_id == review.employee_id
    approver = approves_raters(viewer, review)
    is_open = review.state in OPEN_FOR_NOMINATION
    rows = list(raters_of(user, review).order_by("group", "id"))
    if hr:
        shown = rows
    elif ratee:
        shown = [r for r in rows if r.nominated_by_id == getattr(user, "pk", None)]
    elif approver and is_open:
        shown = [r for r in rows if r.status != RaterStatus.REJECTED]
    else:
        shown = []
    statuses = dict(RaterStatus.choices)
    labels = dict(RaterGroup.choices)
    lines = []
    for row in shown:
        status = _shown_status(row.status, hr)
        lines.append({"pk": row.pk, "name": row.rater.name, "number": row.rater.number, "group": row.group,
                      "group_label": labels.get(row.group, row.group), "status": status,
                      "status_label": statuses.get(status, status), "reason": row.reason if hr or ratee else "",
                      "decide": approver and is_open and row.status == RaterStatus.NOMINATED,
                      "remove": is_open and status != RaterStatus.REJECTED
                      and (row.status != RaterStatus.SUBMITTED or not hr)})
    order = {value: index for index, value in enumerate(RaterGroup.values)}
    counts = {g: sum(1 for r in rows if r.group == g and r.status in COUNTED) for g in groups}
    group_rows = [{"group": g, "label": labels.get(g, g), "count": None if ratee else counts[g]}
                  for g in sorted(groups, key=order.__getitem__)]
    may_nominate = is_open and nominates_for(viewer, review)
    return {"groups": group_rows, "rows": lines, "hr": hr, "ratee": ratee, "minimum": review.cycle.raters_min,
            "maximum": review.cycle.raters_max, "anonymity": review.cycle.anonymity_minimum,
            "approve_all": approver and is_open and any(r.status == RaterStatus.NOMINATED for r in rows),
            "nominate_form": NominateForm(review=review, groups=groups) if may_nominate else None}
