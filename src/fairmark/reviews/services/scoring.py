"""Compute and store review totals (DESIGN.md C5 computation): inputs read in bulk (inputs.py), the pure
`reviews/computation.py` for each review, and the results written in bulk: the total, the forced grade, the
derivation (what the explanation page shows) and one ItemScore per item and part. Never typed in: the only
way a total changes is this function, run when ratings are submitted, an adjustment is saved, data about the
person is committed (receivers.py) or HR asks for it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from ..computation import compute_review
from ..models import ItemScore, Review, ReviewState
from .inputs import data_codes, gather, parts_of, template_specs

CHUNK = 1000
# Past calibration a total is no longer moved by late data: what was calibrated and published stays.
FINAL_STATES = (ReviewState.VOIDED, ReviewState.CALIBRATION, ReviewState.PUBLISHED, ReviewState.APPEALED,
                ReviewState.INTERVIEW, ReviewState.CLOSED)
VALUE_PLACES = Decimal("0.000001")


def _value_of(explanation: Any) -> Decimal | None:
    if isinstance(explanation, dict) and explanation.get("value") not in (None, ""):
        try:
            return Decimal(str(explanation["value"])).quantize(VALUE_PLACES)
        except ArithmeticError:
            return None
    return None


def compute(reviews: Sequence[Review]) -> tuple[list[Review], list[ItemScore]]:
    """The computed reviews (fields set, not saved) and their item scores, for reviews with cycle loaded."""
    specs = template_specs({part.template_id for review in reviews for part in parts_of(review)})
    inputs = gather(reviews, specs)
    now = timezone.now()
    scores: list[ItemScore] = []
    for review in reviews:
        cycle = review.cycle
        parts = [(part.key, part.start, part.end, specs[part.template_id], inputs[(review.pk, part.key)])
                 for part in parts_of(review) if part.template_id in specs]
        result = compute_review(parts, cycle_start=cycle.period_start, cycle_end=cycle.period_end,
                                minimum=cycle.anonymity_minimum)
        review.total = result.total
        review.forced_grade = result.forced_grade or ""
        review.subtotal = result.parts[0].total.subtotal if len(result.parts) == 1 else result.total
        review.derivation = result.to_json()
        review.computed_at = now
        for part in result.parts:
            for section in part.total.sections:
                for item in section.items:
                    scores.append(ItemScore(review=review, part=part.key, section=section.key, item=item.key,
                                            kind=item.kind, weight=item.weight, score=item.score,
                                            value=_value_of(item.explanation)))
    return list(reviews), scores


def store(reviews: Sequence[Review], scores: Sequence[ItemScore]) -> None:
    with transaction.atomic():
        Review.objects.bulk_update(reviews, ["total", "forced_grade", "subtotal", "derivation", "computed_at"],
                                   batch_size=CHUNK)
        ItemScore.objects.filter(review__in=[r.pk for r in reviews]).delete()
        ItemScore.objects.bulk_create(scores, batch_size=CHUNK)


def recompute_reviews(review_ids: Iterable[int]) -> int:
    """Recompute the given reviews (voided ones are left as they were). Returns how many were computed."""
    ids = sorted(set(review_ids))
    done = 0
    for start in range(0, len(ids), CHUNK):
        # The stored derivation is about to be replaced: reading and decoding ~20 KB of JSON per review for
        # nothing cost a tenth of a 10,000-person recompute.
        chunk = list(Review.objects.filter(pk__in=ids[start:start + CHUNK]).exclude(state=ReviewState.VOIDED)
                     .select_related("cycle").defer("derivation"))
        computed, scores = compute(chunk)
        store(computed, scores)
        done += len(computed)
    return done


def recompute_cycle(cycle_id: int) -> int:
    return recompute_reviews(Review.objects.filter(cycle_id=cycle_id).values_list("pk", flat=True))


def recompute_reading(metric_codes: Iterable[str], start: date | None, end: date | None) -> int:
    """Recompute the open reviews of running cycles overlapping [start, end] whose templates read any of the
    metrics (through their indicators' pinned versions)."""
    from ..models import Cycle, CycleStatus

    codes = set(metric_codes)
    cycles = Cycle.objects.filter(status=CycleStatus.ACTIVE)
    if start is not None:
        cycles = cycles.filter(period_end__gte=start)
    if end is not None:
        cycles = cycles.filter(period_start__lte=end)
    ids: list[int] = []
    for cycle in cycles:
        reviews = Review.objects.filter(cycle=cycle).exclude(state__in=FINAL_STATES)
        templates = set(reviews.values_list("template_version_id", flat=True).distinct())
        specs = template_specs(templates)
        reading = {pk for pk, spec in specs.items()
                   if any(set(spec.indicators[code].get("metrics", ())) & codes for code in data_codes(spec))}
        if reading:
            ids += list(reviews.filter(template_version_id__in=reading).values_list("pk", flat=True))
    return recompute_reviews(ids)
