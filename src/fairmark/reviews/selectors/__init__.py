"""Reads of cycles and reviews, scoped by the viewer (DESIGN.md §6). A review is read by the people who may see
its person (org.selectors.people_scope_q: the person, their managers up the chain, the head of the unit, HR BPs
and HR admins, executives); a rater reads only their own rating task. Cycles are company configuration: every
signed-in person reads them."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from fairmark.core.access import viewer_for
from fairmark.org.selectors import people_scope_q

from ..models import Cycle, CyclePhase, Rater, RaterStatus, Rating, Review, ReviewState, ReviewStep


def cycles_visible_to(user: Any) -> QuerySet[Cycle]:
    if not viewer_for(user).is_authenticated:
        return Cycle.objects.none()
    return Cycle.objects.select_related("company", "default_template")


def review_scope_q(user: Any, prefix: str = "") -> Q:
    viewer = viewer_for(user)
    if not viewer.is_authenticated:
        return Q(pk__in=[])
    if viewer.reads_all_people:
        return Q()  # (an empty Q OR-ed with anything would narrow it to that thing)
    q = people_scope_q(viewer, f"{prefix}employee__")
    if viewer.employee_id:  # the reviewing manager, N+2 and a delegate, even across a reporting-line change
        q |= (Q(**{f"{prefix}manager_id": viewer.employee_id}) | Q(**{f"{prefix}n2_id": viewer.employee_id})
              | Q(**{f"{prefix}delegate_id": viewer.employee_id}))
    return q


def reviews_visible_to(user: Any) -> QuerySet[Review]:
    return (Review.objects.filter(review_scope_q(user))
            .select_related("cycle", "employee", "department", "manager", "n2", "delegate",
                            "template_version", "template_version__template"))


def rater_tasks_for(user: Any) -> QuerySet[Rater]:
    """The 360 ratings the viewer was asked to give (approved, declined or done), never someone else's."""
    viewer = viewer_for(user)
    if viewer.employee_id is None:
        return Rater.objects.none()
    return (Rater.objects.filter(rater_id=viewer.employee_id)
            .exclude(status__in=[RaterStatus.NOMINATED, RaterStatus.REJECTED])
            .exclude(review__state=ReviewState.VOIDED)
            .select_related("review", "review__cycle", "review__employee", "review__template_version"))


def raters_of(user: Any, review: Review) -> QuerySet[Rater]:
    """Raters of a review in the viewer's scope. Callers decide who may see names (permissions.sees_raters);
    the ratee's page lists only the ones they nominated themself (they know those names already)."""
    return Rater.objects.filter(review=review, review__in=reviews_visible_to(user)).select_related("rater")


def ratings_by(user: Any, review: Review, rater_id: int, group: str) -> QuerySet[Rating]:
    return Rating.objects.filter(review=review, rater_id=rater_id, group=group)


def steps_of(review: Review) -> QuerySet[ReviewStep]:
    return ReviewStep.objects.filter(review=review).select_related("actor")


def phases_of(cycle: Cycle) -> QuerySet[CyclePhase]:
    return CyclePhase.objects.filter(cycle=cycle)


def pinned_versions(templates: Any) -> dict[int, dict[str, Any]]:
    """For each template version, its items' indicator versions by code: the version each item pinned when the
    template was published (by number), or the indicator's latest published one for an item that pinned none.
    One place for it, so that the computation, the forms and the explanation read the same definitions."""
    from fairmark.indicators.models import IndicatorVersion

    templates = list(templates)
    wanted: set[tuple[str, int | None]] = {
        (item["indicator"], item.get("indicator_version")) for template in templates
        for section in template.sections for item in section.get("items", []) if isinstance(item.get("indicator"), str)}
    q = Q(pk__in=[])
    for code, number in wanted:
        if number:
            q |= Q(indicator__code=code, number=number)
    versions = {(v.indicator.code, v.number): v for v in IndicatorVersion.objects.filter(q).select_related("indicator")}
    latest = {v.indicator.code: v for v in IndicatorVersion.objects.filter(
        indicator__code__in={code for code, number in wanted if not number}, status="published"
    ).select_related("indicator").order_by("indicator_id", "number")}
    out: dict[int, dict[str, Any]] = {}
    for template in templates:
        found: dict[str, Any] = {}
        for section in template.sections:
            for item in section.get("items", []):
                code = item.get("indicator")
                if isinstance(code, str):
                    version = versions.get((code, item.get("indicator_version"))) or latest.get(code)
                    if version is not None:
                        found[code] = version
        out[template.pk] = found
    return out
