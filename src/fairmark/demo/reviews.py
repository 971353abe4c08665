"""The demo company's review round (DESIGN.md C5), written through the review services as the people would: HR
sets up a pilot cycle over last quarter for two production departments and launches it (each person gets the
template of their position from the shipped library, KPI items scored from the demo MES); on the line manager's
team one operator has written and submitted the self-review and been rated by three peers (the peer group shows),
one by only two (withheld, merged away), whose manager review is submitted with a +2 adjustment, and one has a
self-review in draft. The manager's to-do then holds a 360 round to close."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext

from fairmark.org.models import Department, Employee
from fairmark.org.services.users import user_create_for_employee
from fairmark.reviews.models import RaterGroup, Review, ReviewState
from fairmark.reviews.services import cycles, forms, launch, raters, transitions
from fairmark.reviews.services.scoring import recompute_cycle


def _quarter_before(today: dt.date) -> tuple[dt.date, dt.date, str]:
    first_month = (today.month - 1) // 3 * 3 + 1
    end = dt.date(today.year, first_month, 1) - dt.timedelta(days=1)
    start = dt.date(end.year, (end.month - 1) // 3 * 3 + 1, 1)
    return start, end, f"{start.year} Q{(start.month - 1) // 3 + 1}"


def _rate_all(actor: Any, review: Review, group: str, rating: str) -> None:
    items = forms.form_items(review, group)
    forms.save_review_form(actor=actor, review=review, entries={item.key: {"rating": rating} for item in items},
                           summary="本季度良率稳定，换型时间缩短；下季度重点是夜班的不良率。" if group == "self" else None)


def write_reviews(*, users: dict[str, Any], today: dt.date) -> dict[str, int]:
    hr, manager, admin = users["hr"], users["manager"], users["admin"]
    leader = Employee.objects.select_related("department", "department__parent").get(user=manager)
    # The pilot: the manager's production line (all its shifts) and the next line.
    line = leader.department.parent or leader.department
    sibling = (Department.objects.filter(parent=line.parent, active=True).exclude(pk=line.pk).order_by("code").first()
               if line.parent else None)
    start, end, label = _quarter_before(today)
    phases = {"self_review": today + dt.timedelta(days=3), "rating_360": today + dt.timedelta(days=8),
              "manager_review": today + dt.timedelta(days=13), "calibration": today + dt.timedelta(days=18),
              "published": today + dt.timedelta(days=25), "interview": today + dt.timedelta(days=30)}
    cycle = cycles.cycle_create(actor=hr, company=leader.company, data={
        "name": f"{label} 绩效考核（试点）", "kind": "quarter", "period_start": start, "period_end": end,
        "population": "departments", "departments": [d.pk for d in (line, sibling) if d is not None],
        "phases": phases})
    cycles.cycle_launch(actor=hr, cycle=cycle)
    launch.create_reviews(cycle.pk)  # the queued task finds the cycle launched and does nothing more

    reviews = list(Review.objects.filter(cycle=cycle).select_related(
        "employee", "manager", "cycle", "template_version", "department").order_by("employee__number"))
    # People of the pilot act here (self-reviews, ratings); those without an account get one without a password.
    for person in {r.employee for r in reviews} | {r.manager for r in reviews if r.manager is not None}:
        if person.user_id is None:
            person.user = user_create_for_employee(actor=admin, username=f"demo-{person.number.lower()}",
                                                   employee=person)
    chosen = sorted((r for r in reviews if r.manager is not None and r.employee_id != leader.pk),
                    key=lambda r: (r.manager_id != leader.pk, r.employee.number))[:3]
    submitted = rated = 0
    for index, review in enumerate(chosen):
        writer = review.employee.user
        boss = review.manager.user if review.manager is not None else None
        if index == 2:
            _rate_all(writer, review, "self", "3")  # a draft the autosave kept
            continue
        others = [r.employee for r in reviews if r.employee_id not in (review.employee_id, review.manager_id)]
        others = others[: 3 if index == 0 else 2]
        for peer in others:
            raters.nominate(actor=boss, review=review, rater=peer.pk, group=RaterGroup.PEER)
        _rate_all(writer, review, "self", "4")
        transitions.review_act(actor=writer, review=review, action="submit")
        submitted += 1
        for peer, rating in zip(others, ("4", "5", "3"), strict=False):
            task = review.raters.get(rater=peer)
            items = forms.form_items(review, RaterGroup.PEER)
            forms.rater_save(actor=peer.user, rater=task,
                             entries={i.key: {"rating": rating, "comment": "配合换型很主动"} for i in items})
            forms.rater_submit(actor=peer.user, rater=task)
            rated += 1
        if index == 1:
            transitions.review_act(actor=boss, review=review, action="submit")
            _rate_all(boss, Review.objects.get(pk=review.pk), "manager", "4")
            adjustment = forms.adjustment_items(review)
            if adjustment:
                forms.save_adjustment(actor=boss, review=review, item=adjustment[0].key, points="2",
                                      reason="带教两名新员工")
            transitions.review_act(actor=boss, review=review, action="submit")
    recompute_cycle(cycle.pk)
    return {"review_cycles": 1, "reviews": Review.objects.filter(cycle=cycle).count(),
            "reviews_computed": Review.objects.filter(cycle=cycle, total__isnull=False).count(),
            "self_reviews_submitted": submitted, "ratings_360": rated,
            "in_calibration": Review.objects.filter(cycle=cycle, state=ReviewState.CALIBRATION).count()}


def describe_reviews(counts: Mapping[str, int]) -> str:
    """One line about the review round for the demo's summary."""
    return gettext("Reviews: a pilot cycle with %(reviews)s reviews (%(computed)s with a computed total); "
                   "%(submitted)s self-reviews submitted, %(ratings)s 360 ratings given, %(calibration)s in calibration"
                   ) % {"reviews": counts["reviews"], "computed": counts["reviews_computed"],
                        "submitted": counts["self_reviews_submitted"], "ratings": counts["ratings_360"],
                        "calibration": counts["in_calibration"]}
