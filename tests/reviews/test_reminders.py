"""When review reminders are due (issue 6 item 6): local send hour across the UTC date line and DST, exactly
once per task and rule however often the worker runs, catching up after an outage, escalation by role."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fairmark.reviews.reminders import (
    DEFAULT_RULES,
    Reminder,
    ReminderError,
    ReminderRule,
    ReminderTask,
    due_reminders,
    late_by_phase,
    reminder_key,
    reminder_times,
)

SHANGHAI = "Asia/Shanghai"
BERLIN = "Europe/Berlin"
TICK = timedelta(minutes=15)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def task(task_id: int = 7, deadline: date | datetime = date(2026, 3, 19), *, person: int = 41,
         manager: int | None = 12, phase: str = "self_review", done: bool = False) -> ReminderTask:
    return ReminderTask(task_id, person, manager, phase, deadline, done)


def simulate(runs: Iterable[datetime], zone: str, tasks: Sequence[ReminderTask],
             rules: Sequence[ReminderRule] = DEFAULT_RULES, send_at: time = time(9)
             ) -> dict[str, tuple[datetime, Reminder]]:
    """The worker: each run sends what is due and records its keys. Fails on a key sent twice."""
    sent: dict[str, tuple[datetime, Reminder]] = {}
    for run in runs:
        for reminder in due_reminders(run, zone, tasks, rules, set(sent), send_at=send_at):
            assert reminder.key not in sent, f"{reminder.key} sent twice"
            sent[reminder.key] = (run, reminder)
    return sent


def ticks(start: datetime, end: datetime, step: timedelta = TICK) -> list[datetime]:
    out = []
    while start <= end:
        out.append(start)
        start += step
    return out


def test_the_send_hour_is_shanghai_time_across_the_utc_date_line() -> None:
    # Due on the 19th: "3 days before" falls on the 16th, at 09:00 in Shanghai = 01:00Z on the 16th.
    tasks = [task()]
    assert due_reminders(utc(2026, 3, 15, 23, 30), SHANGHAI, tasks) == []  # 07:30 on the 16th in Shanghai
    assert due_reminders(utc(2026, 3, 16, 0, 59), SHANGHAI, tasks) == []  # 08:59
    [reminder] = due_reminders(utc(2026, 3, 16, 1, 0), SHANGHAI, tasks)  # 09:00
    assert (reminder.key, reminder.rule_id, reminder.to, reminder.days) == ("7:before-3", "before-3", ("person",), 3)
    assert reminder.due_at == utc(2026, 3, 16, 1, 0)
    assert (reminder.person_id, reminder.manager_id, reminder.phase) == (41, 12, "self_review")
    # 20:00Z is 04:00 on the 17th in Shanghai: the 16th's reminder, if missed, is still due; the 17th's is not.
    [late] = due_reminders(utc(2026, 3, 16, 20, 0), SHANGHAI, tasks)
    assert (late.key, late.days) == ("7:before-3", 2)  # sent late, it says what is true then: 2 days left
    assert due_reminders(utc(2026, 3, 16, 20, 0), SHANGHAI, tasks, already_sent={"7:before-3"}) == []
    # In UTC the same clock time is another day's 09:00: the zone decides.
    assert due_reminders(utc(2026, 3, 16, 1, 0), "UTC", tasks) == []
    assert [r.key for r in due_reminders(utc(2026, 3, 16, 9, 0), "UTC", tasks)] == ["7:before-3"]


def test_the_local_hour_holds_across_daylight_saving_in_berlin() -> None:
    spring = task(deadline=date(2026, 3, 31))  # clocks go forward on Sunday 29 March 2026
    times = reminder_times(spring, BERLIN)
    assert times["before-3"] == utc(2026, 3, 28, 8, 0)  # 09:00 CET (+1)
    assert times["before-1"] == utc(2026, 3, 30, 7, 0)  # 09:00 CEST (+2)
    assert times["overdue-0"] == utc(2026, 4, 1, 7, 0)
    assert due_reminders(utc(2026, 3, 28, 7, 45), BERLIN, [spring]) == []  # 08:45 in Berlin
    assert [r.key for r in due_reminders(utc(2026, 3, 28, 8, 0), BERLIN, [spring])] == ["7:before-3"]
    autumn = task(deadline=date(2026, 10, 26))  # clocks go back on Sunday 25 October 2026
    times = reminder_times(autumn, BERLIN)
    assert times["before-3"] == utc(2026, 10, 23, 7, 0)  # CEST
    assert times["before-1"] == utc(2026, 10, 25, 8, 0)  # CET, the day of the change
    # Shanghai has no DST: always 01:00Z.
    assert {t.hour for t in reminder_times(spring, SHANGHAI).values() if t is not None} == {1}
    # A send hour skipped by the spring jump (02:30 does not exist on 29 March) is still sent that day.
    night = reminder_times(task(deadline=date(2026, 3, 30)), BERLIN, send_at=time(2, 30))["before-1"]
    assert night is not None
    assert night.astimezone(ZoneInfo(BERLIN)).date() == date(2026, 3, 29)


def test_moving_the_clock_past_a_deadline_gives_one_reminder_per_person_per_rule() -> None:
    # The acceptance case: three people, one deadline, the worker every 15 minutes for 10 days.
    deadline = date(2026, 3, 20)
    tasks = [task(i, deadline, person=100 + i) for i in range(3)]
    sent = simulate(ticks(utc(2026, 3, 15), utc(2026, 3, 25, 23, 45)), SHANGHAI, tasks)
    assert sorted(sent) == sorted(reminder_key(i, rule.id) for i in range(3) for rule in DEFAULT_RULES)
    for run, _reminder in sent.values():
        local = run.astimezone(ZoneInfo(SHANGHAI))
        assert local.time() == time(9, 0)  # every one at the first tick of 09:00 Shanghai time
    first = {r.rule_id: (run.astimezone(ZoneInfo(SHANGHAI)).date(), r.to, r.days)
             for run, r in sent.values() if r.person_id == 100}
    assert first == {
        "before-3": (date(2026, 3, 17), ("person",), 3),
        "before-1": (date(2026, 3, 19), ("person",), 1),
        "overdue-0": (date(2026, 3, 21), ("person",), 1),  # the first day it is late
        "overdue-2-manager": (date(2026, 3, 22), ("manager",), 2),
        "overdue-5-hr": (date(2026, 3, 25), ("hr",), 5),
    }


def test_escalations_go_to_the_manager_then_hr_as_roles() -> None:
    sent = simulate(ticks(utc(2026, 3, 18), utc(2026, 3, 28)), SHANGHAI, [task(deadline=date(2026, 3, 20))])
    overdue = sorted((run, r) for run, r in sent.values() if r.when == "overdue")
    assert [r.to for _run, r in overdue] == [("person",), ("manager",), ("hr",)]
    assert all(isinstance(role, str) and "@" not in role for _run, r in overdue for role in r.to)
    assert overdue[1][1].manager_id == 12  # the Django layer finds the manager by id, HR by the person's unit
    # Nobody above: the manager's escalation goes to HR rather than nowhere.
    top = simulate(ticks(utc(2026, 3, 18), utc(2026, 3, 28)), SHANGHAI,
                   [task(deadline=date(2026, 3, 20), manager=None)])
    assert top["7:overdue-2-manager"][1].to == ("hr",)
    both = ReminderRule("late-3", "overdue", 3, ("person", "manager"))
    [r] = due_reminders(utc(2026, 3, 24, 2), SHANGHAI, [task(deadline=date(2026, 3, 20), manager=None)], [both])
    assert r.to == ("person", "hr")


def test_a_deadline_at_a_time_of_day() -> None:
    early = task(deadline=datetime(2026, 3, 20, 8, 0))  # late from 08:00, so "overdue by 0" the same day at 09:00
    times = reminder_times(early, SHANGHAI, [*DEFAULT_RULES, ReminderRule("on-the-day", "before", 0)])
    assert times["overdue-0"] == utc(2026, 3, 20, 1, 0)
    assert times["on-the-day"] is None  # 09:00 on the day is past the deadline: never sent
    [r] = due_reminders(utc(2026, 3, 20, 1, 0), SHANGHAI, [early], already_sent={"7:before-1", "7:before-3"})
    assert (r.key, r.days) == ("7:overdue-0", 0)
    evening = task(deadline=datetime(2026, 3, 20, 18, 0))
    times = reminder_times(evening, SHANGHAI, [*DEFAULT_RULES, ReminderRule("on-the-day", "before", 0)])
    assert times["on-the-day"] == utc(2026, 3, 20, 1, 0)
    assert times["overdue-0"] == utc(2026, 3, 21, 1, 0)
    assert times["overdue-2-manager"] == utc(2026, 3, 22, 1, 0)


def test_after_an_outage_missed_reminders_are_sent_once_and_stale_warnings_skipped() -> None:
    tasks = [task(deadline=date(2026, 3, 20))]
    # Down from the 16th to 10:00 on the 19th: "3 days" and "1 day" are both due; only "1 day left" goes out.
    back = ticks(utc(2026, 3, 19, 2, 0), utc(2026, 3, 19, 23, 45))
    sent = simulate([utc(2026, 3, 15, 12), *back], SHANGHAI, tasks)
    assert sorted(sent) == ["7:before-1"]
    assert sent["7:before-1"][0] == utc(2026, 3, 19, 2, 0)
    # Down until after the deadline: no before reminder at all, each overdue rule once.
    sent = simulate([utc(2026, 3, 15, 12), *ticks(utc(2026, 3, 26), utc(2026, 3, 27))], SHANGHAI, tasks)
    assert sorted(sent) == ["7:overdue-0", "7:overdue-2-manager", "7:overdue-5-hr"]
    assert {run for run, _r in sent.values()} == {utc(2026, 3, 26)}  # all at the first run back
    assert sent["7:overdue-0"][1].days == 6  # late by 6 days when it finally goes out
    # Missed earlier the same day: sent at the next run, still that day.
    sent = simulate([utc(2026, 3, 17, 0, 45), utc(2026, 3, 17, 13, 0)], SHANGHAI, tasks)
    assert sorted(sent) == ["7:before-3"]
    assert sent["7:before-3"][0] == utc(2026, 3, 17, 13, 0)


def test_done_tasks_get_nothing_and_running_twice_sends_nothing_new() -> None:
    now = utc(2026, 3, 30, 1)
    assert due_reminders(now, SHANGHAI, [task(deadline=date(2026, 3, 20), done=True)]) == []
    first = due_reminders(now, SHANGHAI, [task(deadline=date(2026, 3, 20))])
    assert len(first) == 3
    assert due_reminders(now, SHANGHAI, [task(deadline=date(2026, 3, 20))], already_sent={r.key for r in first}) == []
    assert due_reminders(now, SHANGHAI, []) == []


def test_late_by_phase_for_the_managers_view() -> None:
    tasks = [
        task(1, date(2026, 3, 10), person=1, phase="goal_setting"),
        task(2, date(2026, 3, 18), person=1, phase="self_review"),
        task(3, date(2026, 3, 14), person=2, phase="self_review"),
        task(4, date(2026, 3, 14), person=3, phase="self_review", done=True),
        task(5, date(2026, 3, 20), person=4, phase="self_review"),  # due today: not late
        task(6, datetime(2026, 3, 20, 8, 0), person=5, phase="rating"),
    ]
    view = late_by_phase(date(2026, 3, 20), tasks)
    assert list(view) == ["goal_setting", "self_review"]
    assert [(x.person_id, x.days_late) for x in view["self_review"]] == [(2, 6), (1, 2)]  # most late first
    assert [(x.person_id, x.task_id, x.manager_id, x.days_late) for x in view["goal_setting"]] == [(1, 1, 12, 10)]
    # At an exact local time, a deadline at 08:00 today is late (0 days), as the reminders count it.
    exact = late_by_phase(datetime(2026, 3, 20, 9, 0), tasks)
    assert [(x.person_id, x.days_late) for x in exact["rating"]] == [(5, 0)]
    assert "rating" not in late_by_phase(datetime(2026, 3, 20, 7, 59), tasks)
    assert [x.days_late for x in exact["self_review"]] == [6, 2]
    assert late_by_phase(date(2026, 3, 1), tasks) == {}


def test_bad_rules_tasks_and_times_are_refused_with_a_code() -> None:
    bad_rules: list[tuple[str, object]] = [
        ("bad_rule_id", lambda: ReminderRule("Before 3", "before", 3)),
        ("bad_rule_id", lambda: ReminderRule("a:b", "before", 3)),
        ("unknown_when", lambda: ReminderRule("x", "after", 3)),  # type: ignore[arg-type]
        ("days_out_of_range", lambda: ReminderRule("x", "before", -1)),
        ("days_out_of_range", lambda: ReminderRule("x", "before", True)),
        ("no_recipients", lambda: ReminderRule("x", "before", 1, ())),
        ("unknown_role", lambda: ReminderRule("x", "before", 1, ("boss",))),  # type: ignore[arg-type]
        ("duplicate_role", lambda: ReminderRule("x", "before", 1, ("hr", "hr"))),
    ]
    for code, make in bad_rules:
        with pytest.raises(ReminderError) as error:
            make()  # type: ignore[operator]
        assert error.value.code == code
    now, tasks = utc(2026, 3, 16, 1), [task()]
    cases: list[tuple[str, object]] = [
        ("duplicate_rule", lambda: due_reminders(now, SHANGHAI, tasks, [DEFAULT_RULES[0], DEFAULT_RULES[0]])),
        ("same_rule", lambda: due_reminders(now, SHANGHAI, tasks,
                                            [DEFAULT_RULES[0], ReminderRule("again", "before", 3)])),
        ("unknown_zone", lambda: due_reminders(now, "Mars/Olympus", tasks)),
        ("naive_now", lambda: due_reminders(datetime(2026, 3, 16, 1), SHANGHAI, tasks)),
        ("aware_deadline", lambda: due_reminders(now, SHANGHAI, [task(deadline=utc(2026, 3, 19))])),
        ("duplicate_task", lambda: due_reminders(now, SHANGHAI, [task(), task()])),
        ("aware_send_at", lambda: due_reminders(now, SHANGHAI, tasks, send_at=time(9, tzinfo=UTC))),
        ("aware_today", lambda: late_by_phase(utc(2026, 3, 16), tasks)),
    ]
    for code, call in cases:
        with pytest.raises(ReminderError) as error:
            call()  # type: ignore[operator]
        assert error.value.code == code
    assert isinstance(ReminderError("x"), ValueError)


deadlines = st.one_of(
    st.dates(date(2026, 1, 5), date(2026, 1, 12)),
    st.builds(lambda d, h, m: datetime(2026, 1, 5, h, m) + timedelta(days=d),
              st.integers(0, 7), st.integers(0, 23), st.sampled_from([0, 15, 30, 59])),
)
zones = st.sampled_from([SHANGHAI, BERLIN, "America/New_York", "UTC", "Asia/Kolkata"])
send_hours = st.sampled_from([time(0), time(7, 30), time(9), time(17, 45), time(23)])


@settings(max_examples=40, deadline=None)
@given(deadlines, zones, send_hours, st.integers(0, 14))
def test_every_15_minutes_for_10_days_sends_each_reminder_once_at_its_local_hour(
        deadline: date | datetime, zone: str, send_at: time, offset_minutes: int) -> None:
    # 10 days of ticks from 1 January (before any rule falls due) at a worker-chosen minute offset.
    runs = ticks(utc(2025, 12, 31) + timedelta(minutes=offset_minutes), utc(2026, 1, 10, 23, 59))
    tasks = [task(1, deadline), task(2, deadline, done=True)]
    sent = simulate(runs, zone, tasks, send_at=send_at)
    times = reminder_times(tasks[0], zone, send_at=send_at)
    expected = {reminder_key(1, rid) for rid, at in times.items() if at is not None and at <= runs[-1]}
    assert set(sent) == expected  # none missing, none for the done task, none twice (simulate checks)
    local = ZoneInfo(zone)
    for key, (run, _reminder) in sent.items():
        due = times[key.split(":")[1]]
        assert due is not None
        assert due <= run < due + TICK  # at the first tick at or after its due moment
        assert run.astimezone(local).time() >= send_at or run.astimezone(local).date() > due.astimezone(local).date()
        assert due.astimezone(local).time() == send_at  # its local send hour (no DST change in January)


@settings(max_examples=60, deadline=None)
@given(deadlines, zones, st.lists(st.integers(0, 14 * 24 * 60), max_size=40))
def test_any_run_times_send_at_most_once_never_early_and_never_warn_after_the_deadline(
        deadline: date | datetime, zone: str, minutes: list[int]) -> None:
    runs = sorted(utc(2026, 1, 1) + timedelta(minutes=m) for m in minutes)
    tasks = [task(1, deadline)]
    sent = simulate(runs, zone, tasks)
    times = reminder_times(tasks[0], zone)
    end = (deadline.replace(tzinfo=ZoneInfo(zone)) if isinstance(deadline, datetime) else
           datetime.combine(deadline + timedelta(days=1), time(0), tzinfo=ZoneInfo(zone))).astimezone(UTC)
    for run, reminder in sent.values():
        due = times[reminder.rule_id]
        assert due is not None
        assert due <= run  # never before the local send hour of its day
        if reminder.when == "before":
            assert run < end  # no "days left" once the deadline has passed
    if runs:
        last = runs[-1]
        # Every overdue rule due by the last run has gone out (the escalation is never lost).
        for rule in DEFAULT_RULES:
            due = times[rule.id]
            if rule.when == "overdue" and due is not None and due <= last:
                assert reminder_key(1, rule.id) in sent
        # A person warned before a deadline has been warned with the nearest due rule if a run came before it.
        before_due = [r for r in DEFAULT_RULES
                      if r.when == "before" and (at := times[r.id]) is not None and at <= last < end]
        if before_due:
            nearest = min(before_due, key=lambda r: r.days)
            assert reminder_key(1, nearest.id) in sent
