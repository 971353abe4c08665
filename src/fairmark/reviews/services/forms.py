"""The review forms: which items a writer rates (self, manager, a 360 rater), with the anchored scale of each
item's indicator, saving a draft (the form autosaves), and the manager's adjustments. A rating is a draft until
its form is submitted: the self-review and manager review by the workflow (transitions.py), a 360 rater's by
`rater_submit` here. Drafts count in no score; nobody but their writer reads them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fairmark.audit.services import record
from fairmark.core.access import viewer_for
from fairmark.core.errors import Refused, ServiceError
from fairmark.indicators.models import IndicatorVersion
from fairmark.indicators.scoring import RatingScaleRule, RuleError, rule_from_dict
from fairmark.indicators.weighting import Adjustment as AdjustmentRule
from fairmark.indicators.weighting import WeightingError

from .. import workflow
from ..computation import item_key
from ..models import ANONYMOUS_GROUPS, Adjustment, Rater, RaterGroup, RaterStatus, Rating, Review, ReviewState
from ..permissions import roles_on
from ..selectors import pinned_versions
from .common import locked_review, not_found, refusal

MAX_COMMENT = 4000
# While the review is here, the writer of a group may save drafts of their ratings.
DRAFT_STATES = {
    RaterGroup.SELF: {ReviewState.GOAL_SETTING, ReviewState.IN_PROGRESS, ReviewState.SELF_REVIEW},
    RaterGroup.MANAGER: {ReviewState.RATING_360, ReviewState.MANAGER_REVIEW},
}


@dataclass(frozen=True)
class Point:
    rating: Decimal
    anchor: str


@dataclass(frozen=True)
class FormItem:
    key: str
    section: str
    label: str
    definition: str
    points: tuple[Point, ...]


@dataclass(frozen=True)
class AdjustmentItem:
    key: str
    label: str
    cap: Decimal


def _indicators(review: Review) -> dict[str, IndicatorVersion]:
    return pinned_versions([review.template_version])[review.template_version_id]


def _label(item: Mapping[str, Any], version: IndicatorVersion | None, language: str) -> str:
    if version is not None:
        return version.name_en if language.startswith("en") and version.name_en else version.name_zh
    name_en = str(item.get("name_en") or "")
    return name_en if language.startswith("en") and name_en else str(item.get("name_zh") or item.get("key", ""))


def rates_item(item: Mapping[str, Any], group: str) -> bool:
    groups = {g.get("group") for g in item.get("rater_groups", [])}
    if group == RaterGroup.OTHERS:
        return bool(groups & set(ANONYMOUS_GROUPS))
    return group in groups


def form_items(review: Review, group: str, language: str = "zh-hans") -> list[FormItem]:
    """The rated items this group rates in this review, with the scale's points and anchors."""
    versions = _indicators(review)
    english = language.startswith("en")
    out: list[FormItem] = []
    for section in review.template_version.sections:
        for index, item in enumerate(section.get("items", [])):
            if item.get("kind") != "rated" or not rates_item(item, group):
                continue
            version = versions.get(item.get("indicator", ""))
            points: tuple[Point, ...] = ()
            if version is not None:
                try:
                    rule = rule_from_dict(version.scoring)
                except RuleError:
                    rule = None
                if isinstance(rule, RatingScaleRule):
                    points = tuple(Point(p.rating, p.anchor_en if english else p.anchor_zh) for p in rule.scale)
            definition = ""
            if version is not None:
                definition = version.definition_en if english and version.definition_en else version.definition_zh
            out.append(FormItem(item_key(section, index, item), str(section.get("key", "")),
                                _label(item, version, language), definition, points))
    return out


def adjustment_items(review: Review, language: str = "zh-hans") -> list[AdjustmentItem]:
    out: list[AdjustmentItem] = []
    for section in review.template_version.sections:
        for index, item in enumerate(section.get("items", [])):
            if item.get("kind") == "adjustment":
                out.append(AdjustmentItem(item_key(section, index, item), _label(item, None, language),
                                          Decimal(str(item.get("cap", "0")))))
    return out


def missing_ratings(review: Review, rater_id: int | None, group: str) -> list[str]:
    keys = [item.key for item in form_items(review, group)]
    if rater_id is None:
        return keys
    rated = set(Rating.objects.filter(review=review, rater_id=rater_id, group=group, item__in=keys,
                                      rating__isnull=False).values_list("item", flat=True))
    return [key for key in keys if key not in rated]


def writer_group(actor: Any, review: Review) -> str:
    """The group whose form the actor writes on this review now: self or manager (360 raters use their task)."""
    roles = roles_on(viewer_for(actor), review)
    if "employee" in roles and review.state in DRAFT_STATES[RaterGroup.SELF]:
        return RaterGroup.SELF
    if "manager" in roles and review.state in DRAFT_STATES[RaterGroup.MANAGER]:
        return RaterGroup.MANAGER
    raise Refused(_("There is no form of yours to fill in on this review now."))


def _clean_entries(review: Review, group: str, entries: Mapping[str, Any]) -> dict[str, tuple[Decimal | None, str]]:
    allowed = {item.key: item for item in form_items(review, group)}
    errors: dict[str, list[str]] = {}
    clean: dict[str, tuple[Decimal | None, str]] = {}
    for key, entry in entries.items():
        if key not in allowed:
            errors[f"items.{key}"] = [_("This item is not on your form.")]
            continue
        entry = entry if isinstance(entry, Mapping) else {"rating": entry}
        raw, comment = entry.get("rating"), str(entry.get("comment") or "").strip()
        rating: Decimal | None = None
        if raw not in (None, ""):
            try:
                rating = Decimal(str(raw))
            except InvalidOperation:
                rating = None
            scale = {point.rating for point in allowed[key].points}
            if rating is None or (scale and rating not in scale):
                errors[f"items.{key}.rating"] = [_("Choose one of the points of the scale.")]
                continue
        if len(comment) > MAX_COMMENT:
            errors[f"items.{key}.comment"] = [_("At most %(count)d characters.") % {"count": MAX_COMMENT}]
            continue
        clean[key] = (rating, comment)
    if errors:
        raise ServiceError(next(iter(errors.values()))[0], fields=errors)
    return clean


def _upsert(review: Review, rater_id: int, group: str, clean: Mapping[str, tuple[Decimal | None, str]]) -> None:
    existing = {r.item: r for r in Rating.objects.filter(review=review, rater_id=rater_id, group=group)}
    for key, (rating, comment) in clean.items():
        row = existing.get(key)
        if row is None:
            Rating.objects.create(review=review, rater_id=rater_id, group=group, item=key, rating=rating,
                                  comment=comment)
        elif (row.rating, row.comment) != (rating, comment):
            row.rating, row.comment = rating, comment
            row.save(update_fields=["rating", "comment", "updated_at"])


def save_review_form(*, actor: Any, review: Review | int, entries: Mapping[str, Any],
                     summary: str | None = None) -> Review:
    """Save the actor's self-review or manager review as a draft (what the form's autosave calls)."""
    with transaction.atomic():
        review = locked_review(actor, review)
        group = writer_group(actor, review)
        writer = review.employee_id if group == RaterGroup.SELF else review.manager_id
        if writer is None:
            raise Refused(_("There is no form of yours to fill in on this review now."))
        clean = _clean_entries(review, group, entries)
        _upsert(review, writer, group, clean)
        field = "self_summary" if group == RaterGroup.SELF else "manager_summary"
        if summary is not None:
            if len(summary) > MAX_COMMENT * 2:
                raise ServiceError(_("The summary is too long."), fields={"summary": [_("The summary is too long.")]})
            setattr(review, field, summary.strip())
            review.save(update_fields=[field, "updated_at"])
        record(actor=actor, action=f"review.form.{group}", obj=review,
               after={"items": sorted(clean), "summary": summary is not None})
    return review


def save_adjustment(*, actor: Any, review: Review | int, item: str, points: Any, reason: str) -> Review:
    """The manager's ± points on an adjustment item, with the required reason and within the template's cap;
    0 points removes the adjustment. Recomputes the total."""
    from .scoring import recompute_reviews

    with transaction.atomic():
        review = locked_review(actor, review)
        if writer_group(actor, review) != RaterGroup.MANAGER:
            raise Refused(_("Only the reviewing manager adjusts the total."))
        items = {a.key: a for a in adjustment_items(review)}
        if item not in items:
            raise ServiceError(_("This template has no such adjustment."), fields={"item": [_("This template has no such adjustment.")]})
        try:
            number = Decimal(str(points).strip())
        except InvalidOperation:
            raise ServiceError(_("Enter a number."), fields={"points": [_("Enter a number.")]}) from None
        before = Adjustment.objects.filter(review=review, item=item).values("points", "reason").first()
        if number == 0:
            Adjustment.objects.filter(review=review, item=item).delete()
        else:
            try:
                checked = AdjustmentRule(number, reason or "", items[item].cap)
            except WeightingError as exc:
                field = "reason" if "reason" in exc.code else "points"
                message = (_("Give the reason for the adjustment.") if field == "reason" else
                           _("An adjustment is at most ±%(cap)s points, with at most two decimals.")
                           % {"cap": items[item].cap})
                raise ServiceError(message, fields={field: [message]}) from None
            Adjustment.objects.update_or_create(review=review, item=item, defaults={
                "points": checked.points, "reason": checked.reason, "author_id": review.manager_id})
        record(actor=actor, action="review.adjustment", obj=review, before=before,
               after={"item": item, "points": number, "reason": reason})
        review_id = review.pk
        transaction.on_commit(lambda: recompute_reviews([review_id]))
    return review


# ---------------------------------------------------------------------------------------------- 360 raters

def _my_task(actor: Any, rater: Rater | int) -> Rater:
    viewer = viewer_for(actor)
    pk = rater.pk if isinstance(rater, Rater) else rater
    task = (Rater.objects.select_for_update(of=("self",)).select_related("review", "review__cycle",
                                                                         "review__template_version")
            .filter(pk=pk, rater_id=viewer.employee_id).first() if viewer.employee_id else None)
    if task is None or task.status in (RaterStatus.NOMINATED, RaterStatus.REJECTED):
        raise not_found()
    return task


def _rater_move(task: Rater, action: str, reason: str | None = None) -> None:
    try:
        workflow.transition(task.review.state, "rater", action, task.review.cycle.phase_list(), reason=reason)
    except workflow.IllegalTransition as exc:
        raise refusal(exc) from None


def rater_save(*, actor: Any, rater: Rater | int, entries: Mapping[str, Any], comment: str | None = None) -> Rater:
    with transaction.atomic():
        task = _my_task(actor, rater)
        if task.status != RaterStatus.APPROVED or task.review.state != ReviewState.RATING_360:
            raise ServiceError(_("This rating can no longer be changed."), code="illegal_transition")
        clean = _clean_entries(task.review, task.group, entries)
        _upsert(task.review, task.rater_id, task.group, clean)
        if comment is not None:
            task.comment = comment.strip()[:MAX_COMMENT]
            task.save(update_fields=["comment"])
        record(actor=actor, action="review.rating.draft", obj=task, after={"items": sorted(clean)})
    return task


def rater_submit(*, actor: Any, rater: Rater | int) -> Rater:
    from .scoring import recompute_reviews

    with transaction.atomic():
        task = _my_task(actor, rater)
        if task.status != RaterStatus.APPROVED:
            raise ServiceError(_("This rating has been given already."), code="illegal_transition")
        _rater_move(task, "submit")
        missing = missing_ratings(task.review, task.rater_id, task.group)
        if missing:
            raise ServiceError(_("Rate every item before submitting."),
                               fields={f"items.{key}.rating": [_("Choose a rating.")] for key in missing})
        Rating.objects.filter(review=task.review, rater_id=task.rater_id, group=task.group).update(submitted=True)
        task.status = RaterStatus.SUBMITTED
        task.submitted_at = timezone.now()
        task.save(update_fields=["status", "submitted_at"])
        record(actor=actor, action="review.rating.submit", obj=task, after={"status": task.status})
        review_id = task.review_id
        transaction.on_commit(lambda: recompute_reviews([review_id]))
    return task


def rater_decline(*, actor: Any, rater: Rater | int, reason: str) -> Rater:
    with transaction.atomic():
        task = _my_task(actor, rater)
        if task.status != RaterStatus.APPROVED:
            raise ServiceError(_("This rating has been given already."), code="illegal_transition")
        _rater_move(task, "decline", reason)
        task.status = RaterStatus.DECLINED
        task.reason = (reason or "").strip()
        task.save(update_fields=["status", "reason"])
        Rating.objects.filter(review=task.review, rater_id=task.rater_id, group=task.group).delete()
        record(actor=actor, action="review.rating.decline", obj=task, after={"reason": task.reason})
    return task
