"""Review reminders end to end (issue 6 item 6): the worker ticks with a moved clock and each reminder reaches each
person once per rule, at 09:00 Shanghai time, in the in-app centre and by email through a real local SMTP server;
the ladder escalates to the manager and then HR; done tasks (a submitted self-review, a declined or submitted 360
rating) get nothing."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from fairmark.notifications.selectors import notifications_visible_to
from fairmark.notifications.services import deliver_due
from fairmark.reviews.models import Cycle, Rater, ReminderSent, Review, ReviewState
from fairmark.reviews.services import forms
from fairmark.reviews.services.reminding import late_people, send_due_reminders

from ..notifications.helpers import SMTP_BACKEND, SmtpReceiver, free_port
from ..world import World
from .support import act, build_reviews, ensure_user, launch, make_cycle, nominate_peers, rate_as_peer, review_of

pytestmark = pytest.mark.django_db

LINE1 = ("manager", "employee", "peer", "peer2", "peer3", "peer4")
REPORTS = ("employee", "peer", "peer2", "peer3", "peer4")  # the LINE1 leader's people
KIND = "review_reminder"


def utc(month: int, day: int, hour: int = 1, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def smtp(settings: Any) -> Iterator[SmtpReceiver]:
    """Email only, over real SMTP to a receiver on 127.0.0.1."""
    port = free_port()
    settings.EMAIL_BACKEND = SMTP_BACKEND
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_TIMEOUT = 5
    settings.FAIRMARK_CHANNELS_ENABLED = ["email"]
    with SmtpReceiver(port) as receiver:
        yield receiver


class Run:
    """A launched LINE1 cycle where everyone has a login with an address, and the worker's tick."""

    def __init__(self, world: World, capture: Any, smtp: SmtpReceiver) -> None:
        build_reviews(world)
        self.users = {key: ensure_user(world, key) for key in LINE1}
        self.users |= {"head": world.user("head"), "hr": world.user("hr")}
        self.world, self.capture, self.smtp = world, capture, smtp
        self.cycle: Cycle = launch(world, make_cycle(world), capture)
        self.deliver()  # launch and nomination messages are not what is counted here

    def deliver(self) -> list[Any]:
        deliver_due()
        mail = list(self.smtp.received)
        self.smtp.received.clear()
        return mail

    def tick(self, moment: datetime) -> tuple[int, list[Any]]:
        """One run of the scheduled worker at `moment`, then the outbox delivered: (sent, the emails)."""
        sent = send_due_reminders(moment)
        return sent, self.deliver()

    def centre(self, *keys: str, contains: str = "") -> Counter[str]:
        """Reminders in the in-app centres of these people: {person key: count}."""
        counts: Counter[str] = Counter()
        for key in keys:
            found = notifications_visible_to(self.users[key]).filter(kind=KIND, event_key__contains=contains)
            counts[key] = found.count()
        return +counts

    def person(self, key: str) -> Any:
        return self.world.people[key]

    def sent_rules(self, contains: str = "") -> Counter[str]:
        """ReminderSent keys ("<cycle>:<review>.<state>.<person>:<rule>") per rule."""
        keys = ReminderSent.objects.filter(review__cycle=self.cycle, key__contains=contains).values_list("key", flat=True)
        return Counter(key.rsplit(":", 1)[1] for key in keys)


@pytest.fixture
def run(world: World, django_capture_on_commit_callbacks: Any, smtp: SmtpReceiver) -> Run:
    return Run(world, django_capture_on_commit_callbacks, smtp)


def label(state: str) -> str:
    with translation.override("zh-hans"):
        return str(dict(ReviewState.choices)[state])


def addresses(mail: list[Any]) -> Counter[str]:
    return Counter(address for message in mail for address in message.rcpt_tos)


def submit_self_review(run: Run, key: str = "employee") -> Review:
    review = review_of(run.world, run.cycle, key)
    with run.capture(execute=True):
        forms.save_review_form(actor=run.users[key], review=review, entries={"teamwork": {"rating": "4"}})
    act(run.world, key, review, "submit", run.capture)
    run.deliver()  # the manager's "submitted" notice is not a reminder
    review.refresh_from_db()
    return review


def test_three_days_before_at_nine_in_shanghai_once_per_person(run: Run) -> None:
    assert run.tick(utc(4, 7, 0, 59)) == (0, [])  # 08:59 in Shanghai
    assert not run.centre(*LINE1)
    sent, mail = run.tick(utc(4, 7, 1, 0))  # 09:00 in Shanghai, 3 days before 10 April
    assert sent == len(LINE1)
    assert run.centre(*LINE1) == {key: 1 for key in LINE1}
    assert addresses(mail) == {run.users[key].email: 1 for key in LINE1}
    for message in mail:
        subject = message.message["subject"]
        assert run.cycle.name in subject
        assert label("self_review") in subject
        assert "2026-04-10" in subject
    for moment in (utc(4, 7, 1, 15), utc(4, 7, 5, 0)):
        assert run.tick(moment) == (0, [])
    assert run.centre(*LINE1) == {key: 1 for key in LINE1}
    keys = list(ReminderSent.objects.filter(review__cycle=run.cycle).values_list("key", flat=True))
    people = {int(key.split(":")[1].split(".")[2]) for key in keys}
    assert sorted(key.rsplit(":", 1)[1] for key in keys) == ["before-3"] * len(LINE1)
    assert people == {run.person(key).pk for key in LINE1}


def test_the_ladder_past_the_deadline_reaches_the_manager_then_hr(run: Run) -> None:
    run.tick(utc(4, 7))
    assert run.tick(utc(4, 9))[0] == len(LINE1)  # one day before
    assert run.tick(utc(4, 10, 15, 59)) == (0, [])  # 23:59 on the deadline's day: not late yet
    sent, mail = run.tick(utc(4, 11))
    assert sent == len(LINE1)
    assert addresses(mail) == {run.users[key].email: 1 for key in LINE1}
    assert all(label("self_review") in m.message["subject"] and run.cycle.name in m.message["subject"] for m in mail)
    assert run.tick(utc(4, 11, 9, 0)) == (0, [])

    sent, mail = run.tick(utc(4, 12))  # two days late: each person's manager, once per late person
    assert sent == len(LINE1)
    assert addresses(mail) == {run.users["manager"].email: len(REPORTS), run.users["head"].email: 1}
    escalations = notifications_visible_to(run.users["manager"]).filter(kind=KIND, event_key__endswith="manager")
    assert sorted(key for n in escalations for key in REPORTS if run.person(key).name in n.title) == sorted(REPORTS)
    assert all(run.cycle.name in n.title and label("self_review") in n.title for n in escalations)
    head = notifications_visible_to(run.users["head"]).get(kind=KIND)
    assert run.person("manager").name in head.title  # the line leader's own late self-review goes to his head

    for moment in (utc(4, 13), utc(4, 14), utc(4, 14, 23, 45)):
        assert run.tick(moment) == (0, [])
    sent, mail = run.tick(utc(4, 15))  # five days late: HR (LINE1 has no HR BP, so the HR admin)
    assert sent == len(LINE1)
    assert addresses(mail) == {run.users["hr"].email: len(LINE1)}
    hr = notifications_visible_to(run.users["hr"]).filter(kind=KIND)
    assert sorted(n.title for n in hr) == sorted({n.title for n in hr})  # one per late person
    assert {key for key in LINE1 if any(run.person(key).name in n.title for n in hr)} == set(LINE1)
    assert run.tick(utc(4, 16)) == (0, [])
    assert run.tick(utc(5, 1)) == (0, [])

    assert run.sent_rules() == {rule: len(LINE1) for rule in
                                ("before-3", "before-1", "overdue-0", "overdue-2-manager", "overdue-5-hr")}
    assert run.centre(*LINE1) == {key: 3 for key in LINE1} | {"manager": 3 + len(REPORTS)}
    assert run.centre("head", "hr") == {"head": 1, "hr": len(LINE1)}


def test_a_submitted_self_review_gets_no_overdue_reminder(run: Run) -> None:
    review = submit_self_review(run)
    assert review.state == ReviewState.RATING_360
    sent, mail = run.tick(utc(4, 11))
    assert sent == len(LINE1) - 1
    assert addresses(mail) == {run.users[key].email: 1 for key in LINE1 if key != "employee"}
    assert not run.centre("employee")
    assert not ReminderSent.objects.filter(review=review).exists()


def test_raters_who_have_not_rated_are_reminded_against_the_360_deadline(run: Run) -> None:
    review = submit_self_review(run)
    nominate_peers(run.world, review, ("peer", "peer2", "peer3", "peer4"), run.capture)
    forms.rater_decline(actor=run.users["peer2"], rater=Rater.objects.get(review=review, rater=run.person("peer2")),
                        reason="不了解其工作")
    rate_as_peer(run.world, review, "peer3", "4", run.capture)
    run.deliver()
    raters = f"{review.pk}.rater."

    run.tick(utc(4, 11, 0, 45))
    run.tick(utc(4, 11))
    assert not run.sent_rules(raters)  # the 360 deadline is 15 April: nothing three days before the 11th
    _sent, mail = run.tick(utc(4, 12))
    assert run.centre(*LINE1, contains=raters) == {"peer": 1, "peer4": 1}
    about = [m for m in mail if label("rating_360") in m.message["subject"]]
    # The raters, and the manager, whose task it is to close the employee's 360 round.
    assert addresses(about) == {run.users[key].email: 1 for key in ("peer", "peer4", "manager")}
    assert all(run.cycle.name in m.message["subject"] and "2026-04-15" in m.message["subject"] for m in about)
    assert run.sent_rules(raters) == {"before-3": 2}

    run.tick(utc(4, 14))
    run.tick(utc(4, 16))
    assert run.centre(*LINE1, contains=raters) == {"peer": 3, "peer4": 3}
    assert run.sent_rules(raters) == {"before-3": 2, "before-1": 2, "overdue-0": 2}
    assert not ReminderSent.objects.filter(key__contains=f"{raters}{run.person('peer2').pk}:").exists()
    assert not ReminderSent.objects.filter(key__contains=f"{raters}{run.person('peer3').pk}:").exists()


def test_a_reminder_names_whose_review_it_is(run: Run) -> None:
    """A rater or a manager has one task per colleague: the reminder must say which colleague's review."""
    review = submit_self_review(run)
    nominate_peers(run.world, review, ("peer", "peer2", "peer3"), run.capture)
    run.tick(utc(4, 12))
    employee = run.person("employee").name
    for key in ("peer", "manager"):
        titles = [n.title for n in notifications_visible_to(run.users[key]).filter(
            kind=KIND, link__endswith=f"/{review.pk}/") if label("rating_360") in n.title]
        assert len(titles) == 1
        assert employee in titles[0], titles[0]


def test_a_tick_with_nothing_new_writes_nothing(run: Run) -> None:
    """The keys already sent are passed to the pure rules, so a later tick does not even try them again."""
    run.tick(utc(4, 11))
    with CaptureQueriesContext(connection) as queries:
        assert run.tick(utc(4, 11, 1, 15)) == (0, [])
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("INSERT")]
    assert writes == []


def test_late_people_per_phase_for_the_manager(run: Run) -> None:
    manager = run.person("manager").pk
    assert late_people(run.cycle, [manager], date(2026, 4, 10)) == {}
    late = late_people(run.cycle, [manager], date(2026, 4, 12))
    assert list(late) == ["self_review"]
    # The team's self-reviews, and the manager's own one (his tasks are in his view too).
    assert sorted((entry.person_id, entry.days_late) for entry in late["self_review"]) == sorted(
        (run.person(key).pk, 2) for key in LINE1)
    assert late_people(run.cycle, [run.person("l2_leader").pk], date(2026, 4, 12)) == {}

    review = submit_self_review(run)
    nominate_peers(run.world, review, ("peer", "peer2", "peer3"), run.capture)
    rate_as_peer(run.world, review, "peer3", "4", run.capture)
    late = late_people(run.cycle, [manager], date(2026, 4, 17))
    assert list(late) == ["self_review", "rating_360"]
    assert sorted((entry.person_id, entry.days_late) for entry in late["self_review"]) == sorted(
        (run.person(key).pk, 7) for key in LINE1 if key != "employee")
    # The two raters who have not rated, and the manager who has not closed the round, 2 days late.
    assert sorted((entry.person_id, entry.days_late) for entry in late["rating_360"]) == sorted(
        (run.person(key).pk, 2) for key in ("manager", "peer", "peer2"))
