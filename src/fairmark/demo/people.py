"""Who the people in the seats are: names, hire dates, probation, leave, leavers and transfers,
and which of them the demo logins belong to. Plain Python, driven by one seeded RNG."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from .catalogue import EMAIL_DOMAIN, POSITION_BY_CODE
from .names import NameMaker
from .structure import DeptPlan, Seat, StructurePlan

YEARS_OF_HISTORY = 6  # the company was founded six years ago and has grown since
LEAVE_SHARE = 0.015  # on parental, sick or unpaid leave today
LEFT_SHARE = 0.03  # leavers kept on file (in addition to the headcount)
TRANSFER_REASONS = ("产线调整", "内部调动", "支援新产线", "项目需要", "个人申请调岗")

# Seats the demo logins sit in (role → how to find the seat), see `_pick`.
LOGIN_SEATS = {
    "exec": ("GMO", "head"),
    "head": ("MFG-L01", "head"),
    "manager": ("MFG-L01-A", "head"),
    "employee": ("MFG-L01-A", "member"),
    "hr": ("HR", "head"),
    "hrbp": ("HR", "member"),
}


@dataclass
class Person:
    seat: Seat
    name: str
    email: str
    hire_date: dt.date
    probation_end: dt.date
    status: str = "active"
    left_on: dt.date | None = None
    number: str = ""
    # Where the person sat before a transfer: (department key, manager seat, effective date, reason).
    previous: tuple[int, int | None, dt.date, str] | None = None


@dataclass
class DelegationPlan:
    principal: int  # seat indexes
    delegate: int
    kind: str
    valid_from: dt.date
    valid_to: dt.date
    reason: str


@dataclass
class PeoplePlan:
    people: list[Person] = field(default_factory=list)
    logins: dict[str, int] = field(default_factory=dict)  # username → seat index
    delegations: list[DelegationPlan] = field(default_factory=list)


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - one of the four always fits


def _weekday(day: dt.date) -> dt.date:
    """People start on a working day."""
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day


class _People:
    def __init__(self, structure: StructurePlan, rng: random.Random, today: dt.date) -> None:
        self.structure = structure
        self.rng = rng
        self.today = today
        self.span = YEARS_OF_HISTORY * 365
        self.names = NameMaker(rng, EMAIL_DOMAIN)
        self.depts = {d.key: d for d in structure.departments}

    def person(self, seat: Seat, days_ago: int) -> Person:
        name, pinyin = self.names.person()
        hired = _weekday(self.today - dt.timedelta(days=days_ago))
        # Operators serve three months' probation, everyone else six (the legal maximum).
        months = 3 if POSITION_BY_CODE[seat.position].family == "PRD" and not seat.is_head else 6
        person = Person(seat, name, self.names.email(pinyin), hired, add_months(hired, months))
        if person.probation_end > self.today:
            person.status = "probation"
        return person

    def hire_days_ago(self, seat: Seat) -> int:
        if seat.manager is None:
            return self.span  # the GM founded the company
        if seat.is_head:
            return int(self.span * (0.35 + 0.65 * self.rng.random()))
        # The company grew, and about one in five leaves each year: most people joined recently.
        return int(self.span * self.rng.random() ** 1.25)

    def subtree_of(self, code: str) -> set[int]:
        root = self.structure.by_code[code]
        keys = {root.key}
        for dept in self.structure.departments:  # parents come before children
            if dept.parent in keys:
                keys.add(dept.key)
        return keys


def _pick(helper: _People, people: list[Person], code: str, which: str) -> Person:
    dept = helper.structure.by_code[code]
    if which == "head":
        assert dept.head is not None
        return people[dept.head]
    keys = helper.subtree_of(code)
    return next(p for p in people if p.seat.dept in keys and not p.seat.is_head)


def _transfers(helper: _People, people: list[Person], logins: dict[str, int], count: int) -> None:
    """Give `count` people (the `employee` login first) a previous department with the same kind
    of work, so their history shows a transfer with the old reporting line kept."""
    rng, today = helper.rng, helper.today
    members_by_position: dict[str, set[int]] = {}
    for p in people:
        if not p.seat.is_head:
            members_by_position.setdefault(p.seat.position, set()).add(p.seat.dept)
    special = set(logins.values())
    pool = [p for p in people if not p.seat.is_head and p.status == "active" and p.seat.index not in special]
    rng.shuffle(pool)
    chosen = [people[logins["employee"]], *pool]
    done = 0
    for person in chosen:
        if done >= count:
            break
        served = (today - person.hire_date).days
        if served < 240:
            continue
        options = sorted(members_by_position.get(person.seat.position, set()) - {person.seat.dept})
        if not options and person.seat.index == logins["employee"]:
            options = [helper.structure.by_code["MFG-L02-A"].key]  # a tiny company may have one assembler
        if not options:
            continue
        previous: DeptPlan = helper.depts[rng.choice(options)]
        effective = person.hire_date + dt.timedelta(days=rng.randint(120, served - 60))
        if person.seat.index == logins["employee"]:
            effective = today - dt.timedelta(days=min(300, served - 120))
        person.previous = (previous.key, previous.head, effective, rng.choice(TRANSFER_REASONS))
        done += 1


def plan_people(structure: StructurePlan, rng: random.Random, today: dt.date) -> PeoplePlan:
    helper = _People(structure, rng, today)
    people = [helper.person(seat, helper.hire_days_ago(seat)) for seat in structure.seats]
    plan = PeoplePlan(people=people)
    for username, (code, which) in LOGIN_SEATS.items():
        person = _pick(helper, people, code, which)
        plan.logins[username] = person.seat.index
        # The demo logins are settled staff, hired years ago, so every page has history to show.
        person.hire_date = _weekday(min(person.hire_date, today - dt.timedelta(days=900 + 30 * len(plan.logins))))
        person.probation_end = add_months(person.hire_date, 6)
        person.status = "active"
    people[plan.logins["employee"]].seat.position = "OP-ASM"
    people[plan.logins["hrbp"]].seat.position = "HRBP"
    people[plan.logins["hrbp"]].seat.level = "P5"

    special = set(plan.logins.values())
    for person in people:
        ordinary = not person.seat.is_head and person.status == "active" and person.seat.index not in special
        if ordinary and rng.random() < LEAVE_SHARE:
            person.status = "leave"

    # A line leader on maternity leave, whose shift the neighbouring shift's leader runs meanwhile,
    # and the R&D director on a trip, who hands approvals to the cell R&D manager.
    acting_for = structure.by_code.get("MFG-L02-B")
    acting = structure.by_code.get("MFG-L02-A")
    if acting_for and acting and acting_for.head is not None and acting.head is not None:
        people[acting_for.head].status = "leave"
        plan.delegations.append(DelegationPlan(acting_for.head, acting.head, "acting", today - dt.timedelta(days=20),
                                               today + dt.timedelta(days=70), "产假期间由甲班线长代理"))
    rd, cell = structure.by_code["RDC"], structure.by_code["RDC-CELL"]
    assert rd.head is not None
    assert cell.head is not None
    plan.delegations.append(DelegationPlan(rd.head, cell.head, "delegate", today - dt.timedelta(days=3),
                                           today + dt.timedelta(days=11), "出差期间审批代理"))

    _transfers(helper, people, plan.logins, max(3, min(40, len(people) // 100)))
    _leavers(helper, people, round(len(people) * LEFT_SHARE))

    # Employee numbers in order of hiring, as HR issues them.
    for number, person in enumerate(sorted(people, key=lambda p: (p.hire_date, p.seat.index)), start=1):
        person.number = f"NC{number:05d}"
    return plan


def _leavers(helper: _People, people: list[Person], count: int) -> None:
    """People who left in the last year, from ordinary seats (leavers managed nobody)."""
    rng, today = helper.rng, helper.today
    members = [p.seat for p in people if not p.seat.is_head]
    for _ in range(count):
        like = rng.choice(members)
        seat = Seat(len(people), like.dept, like.position, like.level, like.manager, False)
        helper.structure.seats.append(seat)
        left_days_ago = rng.randint(1, 330)
        tenure = 30 + int((helper.span - left_days_ago - 30) * rng.random() ** 1.3)
        person = helper.person(seat, left_days_ago + tenure)
        person.status = "left"
        person.left_on = today - dt.timedelta(days=left_days_ago)
        people.append(person)
