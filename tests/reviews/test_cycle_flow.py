"""A cycle from launch to a computed, explained total, through the services: the pilot assigns each person the
template of their position, the workflow moves by role, 360 ratings count only as an anonymous group of 3+, and
the total is exactly the hand-computed figure."""

from __future__ import annotations

from decimal import Decimal

import pytest

from fairmark.audit.models import AuditEvent
from fairmark.core.errors import Refused, ServiceError
from fairmark.reviews.models import CycleStatus, ItemScore, Rater, RaterStatus, Review, ReviewState, ReviewStep
from fairmark.reviews.services import forms

from .support import (
    act,
    build_reviews,
    ensure_user,
    launch,
    make_cycle,
    nominate_peers,
    push_employee,
    rate_as_peer,
    review_of,
)

pytestmark = pytest.mark.django_db


def test_a_pilot_gives_each_person_the_template_of_their_position(world, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    setup = build_reviews(world)
    cycle = launch(world, make_cycle(world, departments=("LINE1", "LINE2")), django_capture_on_commit_callbacks)
    assert cycle.status == CycleStatus.ACTIVE
    reviews = {r.employee.number: r for r in Review.objects.filter(cycle=cycle).select_related("employee")}
    # LINE1: manager (LL), employee, peer, peer2-4 (OP); LINE2: l2_leader (LL), other (OP).
    assert sorted(reviews) == ["E0003", "E0004", "E0005", "E0006", "E0007", "E0012", "E0013", "E0014"]
    assert reviews["E0003"].template_version_id == setup.leader.pk
    assert reviews["E0006"].template_version_id == setup.leader.pk
    assert {reviews[n].template_version_id for n in ("E0004", "E0005", "E0007")} == {setup.operator.pk}
    assert cycle.launch_done == cycle.launch_total == 8
    assert all(r.state == ReviewState.SELF_REVIEW for r in reviews.values())
    assert reviews["E0004"].manager_id == world.people["manager"].pk
    assert reviews["E0004"].n2_id == world.people["prod_head"].pk


def test_launching_twice_is_refused_and_creates_nothing_more(world, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    build_reviews(world)
    cycle = launch(world, make_cycle(world), django_capture_on_commit_callbacks)
    count = Review.objects.filter(cycle=cycle).count()
    with pytest.raises(ServiceError):
        launch(world, cycle, django_capture_on_commit_callbacks)
    assert Review.objects.filter(cycle=cycle).count() == count


def test_only_hr_launches(world, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    from fairmark.reviews.services import cycles

    build_reviews(world)
    cycle = make_cycle(world)
    for role in ("employee", "manager", "head", "exec"):
        with pytest.raises(Refused):
            cycles.cycle_launch(actor=world.user(role), cycle=cycle)
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.DRAFT


def _full_round(world, capture, peers=("peer", "peer2", "peer3")):  # type: ignore[no-untyped-def]
    setup = build_reviews(world)
    cycle = launch(world, make_cycle(world), capture)
    review = review_of(world, cycle)
    # Defect rate 4 % (better than target 5 → 100 + (5-4)/(5-2)*20 = 106.67); output 1000 = target → 100.
    push_employee(world, setup.mes, "q1", [("defect_rate", "employee", 10, "4"), ("output", "employee", 10, 600),
                                            ("output", "employee", 40, 400)], capture)
    nominate_peers(world, review, peers, capture)
    with capture(execute=True):
        forms.save_review_form(actor=world.user("employee"), review=review, entries={"teamwork": {"rating": "4"}},
                               summary="本季度良率提升")
    act(world, "employee", review, "submit", capture)
    for person, rating in zip(peers, ("5", "4", "3"), strict=False):
        rate_as_peer(world, review, person, rating, capture)
    act(world, "manager", review, "submit", capture)  # closes the 360 round
    with capture(execute=True):
        forms.save_review_form(actor=world.user("manager"), review=review, entries={"teamwork": {"rating": "3"}})
        forms.save_adjustment(actor=world.user("manager"), review=review, item="adjustments.0", points="3",
                              reason="带新人")
    act(world, "manager", review, "submit", capture)
    review.refresh_from_db()
    return setup, cycle, review


def test_the_total_is_computed_exactly(world, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    _setup, _cycle, review = _full_round(world, django_capture_on_commit_callbacks)
    assert review.state == ReviewState.CALIBRATION
    scores = {s.item: s for s in ItemScore.objects.filter(review=review)}
    assert scores["line_defect_rate"].score == Decimal("106.67")
    assert scores["line_output"].score == Decimal("100.00")
    # Teamwork: manager 3 → 50, peers 5/4/3 → 100/75/50 mean 75, self 4 → 75.
    # 50 × 60 % + 75 × 20 % + 75 × 20 % = 30 + 15 + 15 = 60.
    assert scores["teamwork"].score == Decimal("60.00")
    # KPI section (106.67 + 100) / 2 = 103.335 → 103.34 (half up); total 103.34 × 60 % + 60 × 40 % = 62.004 + 24
    # = 86.004 → 86.00; + 3 adjustment = 89.00.
    assert review.subtotal == Decimal("86.00")
    assert review.total == Decimal("89.00")


def test_two_peers_are_withheld_from_the_score(world, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    _setup, _cycle, review = _full_round(world, django_capture_on_commit_callbacks, peers=("peer", "peer2"))
    score = ItemScore.objects.get(review=review, item="teamwork").score
    # Peers 5 and 4 (2 < 3) are withheld: manager 50 × 60/80 + self 75 × 20/80 = 37.5 + 18.75 = 56.25.
    assert score == Decimal("56.25")


def test_every_step_is_recorded_and_audited(world, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    _setup, _cycle, review = _full_round(world, django_capture_on_commit_callbacks)
    steps = list(ReviewStep.objects.filter(review=review).values_list("action", "role", "from_state", "to_state"))
    assert steps == [("submit", "employee", "self_review", "rating_360"),
                     ("submit", "manager", "rating_360", "manager_review"),
                     ("submit", "manager", "manager_review", "calibration")]
    actions = list(AuditEvent.objects.filter(object_type="reviews.review", object_id=str(review.pk))
                   .order_by("id").values_list("action", flat=True))
    assert [a for a in actions if a == "review.submit"] == ["review.submit"] * 3


def test_a_return_goes_back_and_the_resubmission_comes_straight_back(world, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    build_reviews(world)
    cycle = launch(world, make_cycle(world), django_capture_on_commit_callbacks)
    review = review_of(world, cycle)
    with django_capture_on_commit_callbacks(execute=True):
        forms.save_review_form(actor=world.user("employee"), review=review, entries={"teamwork": {"rating": "4"}})
    act(world, "employee", review, "submit", django_capture_on_commit_callbacks)
    act(world, "manager", review, "submit", django_capture_on_commit_callbacks)
    with pytest.raises(ServiceError) as refused:
        act(world, "manager", review, "return", django_capture_on_commit_callbacks)
    assert "reason" in refused.value.fields
    act(world, "manager", review, "return", django_capture_on_commit_callbacks, reason="自评过于简单")
    review.refresh_from_db()
    assert review.state == ReviewState.SELF_REVIEW
    assert review.resume_at == ReviewState.MANAGER_REVIEW
    act(world, "employee", review, "submit", django_capture_on_commit_callbacks)
    review.refresh_from_db()
    assert review.state == ReviewState.MANAGER_REVIEW


def test_an_illegal_transition_is_refused_with_a_message(world, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    build_reviews(world)
    cycle = launch(world, make_cycle(world), django_capture_on_commit_callbacks)
    review = review_of(world, cycle)
    with pytest.raises(Refused) as refused:
        act(world, "manager", review, "submit", django_capture_on_commit_callbacks)
    assert refused.value.message
    with pytest.raises(ServiceError) as incomplete:
        act(world, "employee", review, "submit", django_capture_on_commit_callbacks)
    assert "items.teamwork.rating" in incomplete.value.fields
    review.refresh_from_db()
    assert review.state == ReviewState.SELF_REVIEW


def test_a_rater_declines_and_never_sees_the_review(world, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    build_reviews(world)
    cycle = launch(world, make_cycle(world), django_capture_on_commit_callbacks)
    review = review_of(world, cycle)
    nominate_peers(world, review, ("peer", "peer2", "peer3"), django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        forms.save_review_form(actor=world.user("employee"), review=review, entries={"teamwork": {"rating": "4"}})
    act(world, "employee", review, "submit", django_capture_on_commit_callbacks)
    user = ensure_user(world, "peer2")
    task = Rater.objects.get(review=review, rater=world.people["peer2"])
    forms.rater_decline(actor=user, rater=task, reason="不了解其工作")
    task.refresh_from_db()
    assert task.status == RaterStatus.DECLINED
    from fairmark.reviews.selectors import reviews_visible_to

    assert not reviews_visible_to(user).filter(pk=review.pk).exists()


def test_while_the_360_round_is_open_the_ratee_and_manager_see_no_number_that_depends_on_it(world, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    from fairmark.reviews.selectors.explanation import explain, visible_total

    capture = django_capture_on_commit_callbacks
    setup = build_reviews(world)
    cycle = launch(world, make_cycle(world), capture)
    review = review_of(world, cycle)
    push_employee(world, setup.mes, "q1", [("defect_rate", "employee", 10, "4")], capture)
    nominate_peers(world, review, ("peer", "peer2", "peer3"), capture)
    with capture(execute=True):
        forms.save_review_form(actor=world.user("employee"), review=review, entries={"teamwork": {"rating": "4"}})
    act(world, "employee", review, "submit", capture)
    for person in ("peer", "peer2", "peer3"):
        rate_as_peer(world, review, person, "5", capture)
    review.refresh_from_db()
    assert review.total is not None
    for role in ("employee", "manager"):
        seen = explain(world.user(role), review)
        assert seen.pending_360
        assert seen.total is None
        assert visible_total(world.user(role), review) is None
        teamwork = next(i for p in seen.parts for s in p.sections for i in s.items if i.key == "teamwork")
        assert teamwork.score is None
        assert {g.group for g in teamwork.groups} <= {"self", "manager"}
        kpi = next(i for p in seen.parts for s in p.sections for i in s.items if i.key == "line_defect_rate")
        assert kpi.score == Decimal("106.67")  # data items stay visible
    assert explain(world.user("hr"), review).total == review.total
    act(world, "manager", review, "submit", capture)
    review.refresh_from_db()
    assert explain(world.user("employee"), review).total == review.total
