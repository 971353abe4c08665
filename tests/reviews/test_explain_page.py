"""The explanation page: every number of the total with where it came from (each data point a link to its
provenance, the scoring rule in words, the rater groups as anonymous aggregates), and anonymity: a group of
fewer than 3 ratings is withheld, and no page the ratee or their manager opens names a rater or shows their
employee number; HR alone reads who rated."""

from __future__ import annotations

import re
from typing import Any

import pytest

from fairmark.reviews.services import forms, raters

from .support import act, build_reviews, launch, make_cycle, push_employee, rate_as_peer, review_of
from .test_review_pages import EN, page

pytestmark = pytest.mark.django_db
PEERS = {"peer": ("刘同事", "E0005"), "peer2": ("钱同事", "E0012"), "peer3": ("何同事", "E0013")}


def _round(world: Any, capture: Any, peers: tuple[str, ...], finish: bool = True) -> Any:
    """The employee's review with data, a self-review, the peers' ratings (nominated by the manager), and, when `finish`, the manager's review: the total is 89.00 with 3 peers."""
    setup = build_reviews(world)
    cycle = launch(world, make_cycle(world), capture)
    review = review_of(world, cycle)
    push_employee(world, setup.mes, "q1", [("defect_rate", "employee", 10, "4"), ("output", "employee", 10, 600),
                                            ("output", "employee", 40, 400)], capture)
    for person in peers:
        raters.nominate(actor=world.user("manager"), review=review, rater=world.people[person].pk, group="peer")
    with capture(execute=True):
        forms.save_review_form(actor=world.user("employee"), review=review, entries={"teamwork": {"rating": "4"}})
    act(world, "employee", review, "submit", capture)
    for person, rating in zip(peers, ("5", "4", "3"), strict=False):
        rate_as_peer(world, review, person, rating, capture)
    if finish:
        act(world, "manager", review, "submit", capture)
        with capture(execute=True):
            forms.save_review_form(actor=world.user("manager"), review=review, entries={"teamwork": {"rating": "3"}})
            forms.save_adjustment(actor=world.user("manager"), review=review, item="adjustments.0", points="3",
                                  reason="带新人")
        act(world, "manager", review, "submit", capture)
    review.refresh_from_db()
    return review


def _no_rater_named(body: str, peers: tuple[str, ...], where: str) -> None:
    for person in peers:
        name, number = PEERS[person]
        assert name not in body, f"{name} on {where}"
        assert number not in body, f"{number} on {where}"


def test_every_number_and_where_it_came_from(world, client_as, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    review = _round(world, django_capture_on_commit_callbacks, ("peer", "peer2", "peer3"))
    body = page(client_as("employee"), f"/reviews/{review.pk}/explain/")
    assert re.search(r'id="review-total">89\.00<', body)
    defect = body.split('data-item="line_defect_rate"')[1].split("</tr>")[0]
    assert re.search(r'class="text-end item-score">106\.67<', defect)
    assert 'class="item-value">4<' in defect
    assert "between the target 5 and the stretch 2" in defect
    links = re.findall(r'class="source-link" href="(/data/values/\d+/)"', defect)
    assert len(links) == 1
    assert client_as("employee").get(links[0]).status_code == 200  # their own value's provenance
    output = body.split('data-item="line_output"')[1].split("</tr>")[0]
    assert len(re.findall(r'class="source-link"', output)) == 2
    teamwork = body.split('data-item="teamwork"')[1].split("</tr>")[0]
    peer = teamwork.split('data-group="peer"')[1].split("</li>")[0]
    assert 'class="group-mean">75.00<' in peer
    assert 'class="group-count">3<' in peer
    assert re.search(r'class="text-end item-score">60\.00<', teamwork)
    assert "withheld" not in teamwork
    assert "Adjustment +3.00 points (带新人)" in body
    _no_rater_named(body, ("peer", "peer2", "peer3"), "the ratee's explanation")
    assert 'data-testid="explain-raters"' not in body
    manager = page(client_as("manager"), f"/reviews/{review.pk}/explain/")
    _no_rater_named(manager, ("peer", "peer2", "peer3"), "the manager's explanation")
    hr = page(client_as("hr"), f"/reviews/{review.pk}/explain/")
    raters_table = hr.split('data-testid="explain-raters"')[1].split("</table>")[0]
    assert all(PEERS[p][0] in raters_table for p in ("peer", "peer2", "peer3"))


def test_two_peers_are_withheld_and_never_named(world, client_as, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    peers = ("peer", "peer2")
    review = _round(world, django_capture_on_commit_callbacks, peers)
    employee, manager = client_as("employee"), client_as("manager")
    explain = page(employee, f"/reviews/{review.pk}/explain/")
    teamwork = explain.split('data-item="teamwork"')[1].split("</tr>")[0]
    assert 'data-group="peer"' not in teamwork
    assert 'data-withheld="2"' in teamwork
    assert "2 ratings withheld (fewer than 3 in a group)" in teamwork
    assert "peer 评语" not in explain
    assert "peer2 评语" not in explain
    for client, who in ((employee, "ratee"), (manager, "manager")):
        for url in (f"/reviews/{review.pk}/", f"/reviews/{review.pk}/explain/", "/reviews/"):
            _no_rater_named(page(client, url), peers, f"{who} {url}")
        assert 'data-group="peer"' not in page(client, f"/reviews/{review.pk}/explain/").split(
            'data-item="teamwork"')[1].split("</tr>")[0]


def test_during_the_360_round_no_page_of_the_ratee_names_a_rater(world, client_as, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    peers = ("peer", "peer2", "peer3")
    review = _round(world, django_capture_on_commit_callbacks, peers, finish=False)
    employee, manager = client_as("employee"), client_as("manager")
    for url in (f"/reviews/{review.pk}/", f"/reviews/{review.pk}/explain/", "/reviews/"):
        _no_rater_named(page(employee, url), peers, f"ratee {url}")
    for url in (f"/reviews/{review.pk}/explain/", f"/reviews/{review.pk}/form/", "/reviews/"):
        _no_rater_named(page(manager, url), peers, f"manager {url}")
    # The manager sees whom they nominated (nominations are not ratings), never who has rated.
    body = page(manager, f"/reviews/{review.pk}/")
    assert 'data-status="submitted"' not in body
    assert page(client_as("hr"), f"/reviews/{review.pk}/").count('data-status="submitted"') == 3


def test_the_self_review_form_names_no_rater(world, client_as, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    build_reviews(world)
    review = review_of(world, launch(world, make_cycle(world), django_capture_on_commit_callbacks))
    for person in ("peer", "peer2", "peer3"):
        raters.nominate(actor=world.user("manager"), review=review, rater=world.people[person].pk, group="peer")
    body = page(client_as("employee"), f"/reviews/{review.pk}/form/")
    _no_rater_named(body, ("peer", "peer2", "peer3"), "the self-review form")
    _no_rater_named(page(client_as("employee"), f"/reviews/{review.pk}/"), ("peer", "peer2", "peer3"),
                    "the ratee's review page")


def test_not_computed_yet_and_out_of_scope(world, client_as, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    build_reviews(world)
    cycle = launch(world, make_cycle(world, departments=("LINE1", "LINE2")), django_capture_on_commit_callbacks)
    review, other = review_of(world, cycle), review_of(world, cycle, "other")
    body = page(client_as("employee"), f"/reviews/{review.pk}/explain/")
    assert 'data-testid="not-computed"' in body or 'id="review-total">' in body
    assert client_as("hrbp").get(f"/reviews/{review.pk}/explain/").status_code == 404
    assert client_as("manager").get(f"/reviews/{other.pk}/explain/").status_code == 404
    assert client_as("head").get(f"/reviews/{other.pk}/explain/", **EN).status_code == 200
