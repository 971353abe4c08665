"""When review reminders are due (DESIGN.md C5, issue 6 item 6). Pure: no Django.

    task = ReminderTask(task_id=7, person_id=41, manager_id=12, phase="self_review", deadline=date(2026, 3, 20))
    due_reminders(datetime(2026, 3, 17, 1, 0, tzinfo=UTC), "Asia/Shanghai", [task])
    # [Reminder(key='7:before-3', to=('person',), days=3, ...)]: 09:00 in Shanghai, three days before
    due_reminders(datetime(2026, 3, 16, 23, 30, tzinfo=UTC), "Asia/Shanghai", [task])
    # []: 07:30 on the 17th in Shanghai, before the send hour; the 15-minute tick at 01:00Z sends it

Rules are data (HR edits them): *before* N days (remind on the day N days before the deadline's day) and
*overdue* by N days (remind on the first day the task is at least N days late), each addressed to roles,
not addresses: "person", "manager" (the person's manager) and "hr" (the Django layer finds the HR people
of the person's unit). The default ladder: the person 3 and 1 days before and once late, the manager at 2
days late, HR at 5. A rule falls due at the send hour (09:00 by default) in the company's zone on its day,
so a worker ticking every 15 minutes in UTC sends it at the first tick at or after that moment, and never
during the night: that is why the due moment is a local wall-clock time turned into UTC on the day, which
keeps 09:00 at 09:00 across daylight saving (Berlin: 08:00Z in winter, 07:00Z in summer).

A deadline is a local date (the whole day is allowed: late from 00:00 the next day) or a naive local
datetime (late from that moment). Days late are counted by the calendar: a task due on the 20th is 1 day
late on the 21st; one due at 08:00 is 0 days late at 09:00 the same day, so "overdue by 0" reaches it then
(for a date deadline "overdue by 0" and "by 1" both fall on the next day). A manager escalation for someone
without a manager goes to HR instead of nowhere.

Each reminder's `key` is "<task id>:<rule id>"; the worker records the keys it sent and passes them back,
so running twice, or every 15 minutes all day, sends each reminder exactly once. When the worker was down:
- a missed overdue rule is sent once at the next run, however late (the escalation still has to happen);
- a missed *before* rule is sent late only while the deadline is still ahead, and only the rule nearest to
  the deadline among those due (after a three-day outage the person gets "1 day left", not also "3 days
  left"); once the deadline has passed, before rules are skipped for good: the overdue rules take over.
Done tasks get nothing. Bad rules or tasks raise ReminderError with a `code` and `params` (no text for
users: the Django layer words messages, as it words the reminders themselves from the fields here)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

Id = int | str
When = Literal["before", "overdue"]
Role = Literal["person", "manager", "hr"]
ROLES: tuple[Role, ...] = ("person", "manager", "hr")
DEFAULT_ZONE = "Asia/Shanghai"
DEFAULT_SEND_AT = time(9, 0)
MAX_DAYS = 365
# A slug without ":" so that "<task id>:<rule id>" splits back at its last colon and two pairs never collide.
_RULE_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")


class ReminderError(ValueError):
    """Bad rules, tasks or times. `code` says what (e.g. "duplicate_rule", "unknown_zone", "naive_now"),
    `params` which rule, task or value."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(f"{code}: {params!r}")
        self.code = code
        self.params = params


@dataclass(frozen=True, slots=True)
class ReminderRule:
    """Remind `to` on the day `days` before the deadline's day ("before"), or on the first day the task is at
    least `days` days late ("overdue"). `id` is stable: it is half of every reminder's key, so renaming it
    would send the rule again."""

    id: str
    when: When
    days: int
    to: tuple[Role, ...] = ("person",)

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not _RULE_ID.fullmatch(self.id):
            raise ReminderError("bad_rule_id", rule=self.id)
        if self.when not in ("before", "overdue"):
            raise ReminderError("unknown_when", rule=self.id, when=self.when)
        if isinstance(self.days, bool) or not isinstance(self.days, int) or not 0 <= self.days <= MAX_DAYS:
            raise ReminderError("days_out_of_range", rule=self.id, days=self.days, max=MAX_DAYS)
        if not self.to:
            raise ReminderError("no_recipients", rule=self.id)
        for role in self.to:
            if role not in ROLES:
                raise ReminderError("unknown_role", rule=self.id, role=role)
        if len(set(self.to)) != len(self.to):
            raise ReminderError("duplicate_role", rule=self.id)


DEFAULT_RULES: tuple[ReminderRule, ...] = (
    ReminderRule("before-3", "before", 3),
    ReminderRule("before-1", "before", 1),
    ReminderRule("overdue-0", "overdue", 0),
    ReminderRule("overdue-2-manager", "overdue", 2, ("manager",)),
    ReminderRule("overdue-5-hr", "overdue", 5, ("hr",)),
)


@dataclass(frozen=True, slots=True)
class ReminderTask:
    """One person's open step of one phase (a self-review to write, a rating to give, ...), with its deadline
    as a local date or naive local datetime. `manager_id` None: nobody above (escalations go to HR)."""

    task_id: Id
    person_id: Id
    manager_id: Id | None
    phase: str
    deadline: date | datetime
    done: bool = False


@dataclass(frozen=True, slots=True)
class Reminder:
    """A reminder to send now. `to` are roles; `days` is days left ("before") or days late ("overdue") on the
    local day of the run, so a reminder sent late still tells the truth. `due_at` (UTC) is when it fell due."""

    key: str
    task_id: Id
    rule_id: str
    when: When
    phase: str
    person_id: Id
    manager_id: Id | None
    to: tuple[Role, ...]
    deadline: date | datetime
    due_at: datetime
    days: int


@dataclass(frozen=True, slots=True)
class Late:
    person_id: Id
    task_id: Id
    manager_id: Id | None
    days_late: int


@dataclass(frozen=True, slots=True)
class _Clock:
    zone: ZoneInfo
    send_at: time

    def send_moment(self, day: date) -> datetime:
        """The send hour of a local day, in UTC. A wall time skipped by a DST jump (02:30 on the spring day in
        Berlin) is read with the offset before the jump, i.e. one hour later on the clock: still that day."""
        return datetime.combine(day, self.send_at, tzinfo=self.zone).astimezone(UTC)


def reminder_key(task_id: Id, rule_id: str) -> str:
    return f"{task_id}:{rule_id}"


def resolve_zone(zone: str | ZoneInfo) -> ZoneInfo:
    if isinstance(zone, ZoneInfo):
        return zone
    try:
        return ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ReminderError("unknown_zone", zone=zone) from None


def check_rules(rules: Sequence[ReminderRule]) -> None:
    """Rule ids unique, and no two rules that would say the same thing to the same people on the same day."""
    ids: set[str] = set()
    meanings: set[tuple[str, int, frozenset[str]]] = set()
    for rule in rules:
        if rule.id in ids:
            raise ReminderError("duplicate_rule", rule=rule.id)
        meaning = (rule.when, rule.days, frozenset(rule.to))
        if meaning in meanings:
            raise ReminderError("same_rule", rule=rule.id)
        ids.add(rule.id)
        meanings.add(meaning)


def _check_send_at(send_at: time) -> None:
    if send_at.tzinfo is not None:
        raise ReminderError("aware_send_at", send_at=send_at.isoformat())


def _deadline_day(task: ReminderTask) -> date:
    deadline = task.deadline
    if isinstance(deadline, datetime):
        if deadline.tzinfo is not None:
            # Local means local: the caller converts a stored UTC time with the company's zone first.
            raise ReminderError("aware_deadline", task=task.task_id)
        return deadline.date()
    return deadline


def _deadline_end(task: ReminderTask, zone: ZoneInfo) -> datetime:
    """The UTC moment from which the task is late."""
    deadline = task.deadline
    if isinstance(deadline, datetime):
        return deadline.replace(tzinfo=zone).astimezone(UTC)
    return datetime.combine(deadline + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)


def _due_at(rule: ReminderRule, day: date, end: datetime, clock: _Clock) -> datetime | None:
    """When a rule falls due for a task due on local `day` and late from `end`; None: a before rule whose
    send hour is already past the deadline (before-0 with a deadline at 08:00), which can never be sent."""
    if rule.when == "before":
        moment = clock.send_moment(day - timedelta(days=rule.days))
        return moment if moment < end else None
    due_day = day + timedelta(days=rule.days)
    while clock.send_moment(due_day) < end:  # only "overdue by 0": the first send hour after the deadline
        due_day += timedelta(days=1)
    return clock.send_moment(due_day)


def reminder_times(task: ReminderTask, zone: str | ZoneInfo, rules: Sequence[ReminderRule] = DEFAULT_RULES,
                   *, send_at: time = DEFAULT_SEND_AT) -> dict[str, datetime | None]:
    """Each rule's due moment (UTC) for a task, by rule id; None for a before rule that can never be sent.
    For a page ("next reminder on ...") and for tests; `due_reminders` decides what to send."""
    check_rules(rules)
    _check_send_at(send_at)
    clock = _Clock(resolve_zone(zone), send_at)
    day, end = _deadline_day(task), _deadline_end(task, clock.zone)
    return {rule.id: _due_at(rule, day, end, clock) for rule in rules}


def _recipients(rule: ReminderRule, task: ReminderTask) -> tuple[Role, ...]:
    """A manager escalation for someone without a manager goes to HR rather than nowhere."""
    if task.manager_id is not None or "manager" not in rule.to:
        return rule.to
    roles = [role for role in rule.to if role != "manager"]
    if "hr" not in roles:
        roles.append("hr")
    return tuple(roles)


def due_reminders(now_utc: datetime, zone: str | ZoneInfo, tasks: Iterable[ReminderTask],
                  rules: Sequence[ReminderRule] = DEFAULT_RULES, already_sent: AbstractSet[str] = frozenset(),
                  *, send_at: time = DEFAULT_SEND_AT) -> list[Reminder]:
    """The reminders to send at `now_utc` (an aware time): due, not yet sent, for tasks not done, in task
    order then rule order. Safe to call at any rate: what was sent (`already_sent` keys) is never returned."""
    if now_utc.tzinfo is None or now_utc.utcoffset() is None:
        raise ReminderError("naive_now", now=now_utc.isoformat())
    check_rules(rules)
    _check_send_at(send_at)
    clock = _Clock(resolve_zone(zone), send_at)
    now = now_utc.astimezone(UTC)
    today = now.astimezone(clock.zone).date()
    seen: set[Id] = set()
    result: list[Reminder] = []
    for task in tasks:
        if task.task_id in seen:
            raise ReminderError("duplicate_task", task=task.task_id)
        seen.add(task.task_id)
        day = _deadline_day(task)
        if task.done:
            continue
        end = _deadline_end(task, clock.zone)
        due: list[tuple[ReminderRule, datetime]] = []
        for rule in rules:
            moment = _due_at(rule, day, end, clock)
            if moment is not None and moment <= now and (rule.when == "overdue" or now < end):
                due.append((rule, moment))
        before = [rule for rule, _moment in due if rule.when == "before"]
        if before:
            # Only the due before rule nearest the deadline counts, sent or not: the others are superseded.
            nearest = min(before, key=lambda rule: rule.days)
            due = [(rule, moment) for rule, moment in due if rule.when == "overdue" or rule is nearest]
        for rule, moment in due:
            key = reminder_key(task.task_id, rule.id)
            if key in already_sent:
                continue
            days = (day - today).days if rule.when == "before" else (today - day).days
            result.append(Reminder(
                key=key, task_id=task.task_id, rule_id=rule.id, when=rule.when, phase=task.phase,
                person_id=task.person_id, manager_id=task.manager_id, to=_recipients(rule, task),
                deadline=task.deadline, due_at=moment, days=days,
            ))
    return result


def late_by_phase(today_local: date | datetime, tasks: Iterable[ReminderTask]) -> dict[str, list[Late]]:
    """For the manager's view: per phase (in the order phases first appear), the open tasks that are late
    and by how many days, most late first. `today_local` a date: a day's view, late once the deadline's
    whole day has passed (a deadline at 17:00 today is not late yet); a naive local datetime: late from the
    exact deadline moment, as the reminders count it."""
    if isinstance(today_local, datetime) and today_local.tzinfo is not None:
        raise ReminderError("aware_today", today=today_local.isoformat())
    result: dict[str, list[Late]] = {}
    for task in tasks:
        day = _deadline_day(task)
        if task.done:
            continue
        if isinstance(today_local, datetime):
            deadline = task.deadline
            end = deadline if isinstance(deadline, datetime) else datetime.combine(day + timedelta(days=1), time(0))
            late = today_local >= end
            days = (today_local.date() - day).days
        else:
            days = (today_local - day).days
            late = days > 0
        if late:
            result.setdefault(task.phase, []).append(Late(task.person_id, task.task_id, task.manager_id, days))
    for people in result.values():
        people.sort(key=lambda entry: -entry.days_late)
    return result
