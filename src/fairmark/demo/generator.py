"""Writes the demo company into the database.

The bulk of it (departments, employees, their hire assignments) is written with bulk_create and
one audit entry per created object through `record_many`, because the per-row services would take
minutes for 10,000 people; everything a person would do by hand afterwards (accounts, role grants,
linking accounts to employees, transfers, acting managers) goes through the real services, so
the demo exercises them and their audit trail reads like the real thing.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from fairmark.accounts import services as accounts
from fairmark.accounts.models import User
from fairmark.audit import services as audit
from fairmark.core.access import SYSTEM, Role
from fairmark.indicators.services.library import install_library
from fairmark.notifications.services import notify
from fairmark.org.models import Assignment, Company, Department, Employee, JobFamily, Level, Position
from fairmark.org.services import delegations as delegation_services
from fairmark.org.services import employees as employee_services
from fairmark.org.services import roles as role_services
from fairmark.org.services.snapshots import department_snapshot, employee_snapshot

from .catalogue import BRANCH, COMPANY, FAMILIES, LEVELS, LIYANG, POSITIONS
from .goals import describe_goals, write_goals
from .ingestion import describe_mes, write_feeds
from .mes import plan_mes
from .names import DEFAULT_SEED
from .people import PeoplePlan, Person, plan_people
from .reviews import describe_reviews, write_reviews
from .structure import StructurePlan, plan_structure

DEMO_PASSWORD = "fairmark-demo"  # noqa: S105 - the published demo password, printed at start
BATCH = 500
# username → (role shown in the login table, grant)
LOGIN_ROLES: dict[str, tuple[str, str | None]] = {
    "admin": ("System admin · 系统管理员 (sets up TOTP at first login)", Role.SYSADMIN),
    "hr": ("HR admin · HR管理员", Role.HR_ADMIN),
    "exec": ("Executive · 总经理", Role.EXECUTIVE),
    "head": ("Department head · 部门负责人", None),
    "manager": ("Manager · 直属上级", None),
    "employee": ("Employee · 员工", None),
    "hrbp": ("HR BP for 制造中心 · HRBP", Role.HR_BP),
}


@dataclass(frozen=True)
class Login:
    username: str
    role: str
    person: str
    department: str


@dataclass
class Result:
    created: bool
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)


def demo_present() -> bool:
    return Company.objects.filter(code=COMPANY[0]).exists()


def foreign_org_present() -> bool:
    """Is there organisation data that is not the demo's (a real company must never be flushed)?"""
    demo = [COMPANY[0], BRANCH[0]]
    return Company.objects.exclude(code__in=demo).exists() or Employee.objects.exclude(company__code__in=demo).exists()


def usernames_taken() -> list[str]:
    return sorted(User.objects.filter(username__in=list(LOGIN_ROLES)).values_list("username", flat=True))


def logins() -> list[Login]:
    rows = []
    for username, (role, _grant) in LOGIN_ROLES.items():
        user = User.objects.filter(username=username).first()
        employee = Employee.objects.select_related("department").filter(user=user).first() if user else None
        rows.append(Login(username, role, employee.name if employee else "—",
                          employee.department.name if employee else "—"))
    return rows


def generate(*, size: int = 500, seed: int = DEFAULT_SEED, today: dt.date | None = None) -> Result:
    """Create the demo company in one transaction (nothing is left behind if it fails)."""
    started = time.perf_counter()
    rng = random.Random(seed)
    today = today or timezone.localdate()
    structure = plan_structure(size, rng)
    people = plan_people(structure, rng, today)
    mes = plan_mes(structure, rng, today)
    with transaction.atomic():
        install_library()  # migrate installs it on a fresh database; a database without it gets it here
        writer = _Writer(structure, people, today)
        writer.write_org()
        users = writer.write_accounts()
        writer.write_history(users["hr"])
        writer.write_notifications(users)
        feeds = write_feeds(actor=users["hr"], plan=mes, today=today)
        goals = write_goals(users=users, today=today)
        reviews = write_reviews(users=users, today=today)
    counts = {
        "departments": len(structure.departments),
        "employees": len(people.people),
        "current": sum(1 for p in people.people if p.status != "left"),
        "transfers": sum(1 for p in people.people if p.previous),
        "delegations": len(people.delegations),
        **feeds,
        **goals,
        **reviews,
    }
    return Result(created=True, seconds=time.perf_counter() - started, counts=counts)


class _Writer:
    def __init__(self, structure: StructurePlan, people: PeoplePlan, today: dt.date) -> None:
        self.structure = structure
        self.plan = people
        self.today = today
        self.depts: dict[int, Department] = {}
        self.employees: dict[int, Employee] = {}  # seat index → row
        self.entries: list[audit.Entry] = []

    def write_org(self) -> None:
        company = Company.objects.create(code=COMPANY[0], name=COMPANY[1], name_en=COMPANY[2])
        branch = Company.objects.create(code=BRANCH[0], name=BRANCH[1], name_en=BRANCH[2], parent=company)
        for c in (company, branch):
            self.entries.append(audit.entry_for("company.create", c, after={"code": c.code, "name": c.name}))
        families = {code: JobFamily(code=code, name=name, name_en=en) for code, name, en in FAMILIES}
        JobFamily.objects.bulk_create(families.values())
        levels = {code: Level(code=code, name=name, rank=rank) for code, name, rank in LEVELS}
        Level.objects.bulk_create(levels.values())
        positions = {p.code: Position(code=p.code, name=p.name, name_en=p.name_en, job_family=families[p.family])
                     for p in POSITIONS}
        Position.objects.bulk_create(positions.values())
        for action, objs in (("job_family.create", families), ("level.create", levels),
                             ("position.create", positions)):
            self.entries += [audit.entry_for(action, o, after={"code": o.code, "name": o.name}) for o in objs.values()]

        for depth in sorted({d.depth for d in self.structure.departments}):
            batch = [d for d in self.structure.departments if d.depth == depth]
            rows = [Department(company=branch if d.location == LIYANG else company, code=d.code, name=d.name,
                               name_en=d.name_en, parent=self.depts.get(d.parent) if d.parent is not None else None,
                               cost_centre=d.cost_centre, depth=d.depth) for d in batch]
            Department.objects.bulk_create(rows, batch_size=BATCH)
            for plan, row in zip(batch, rows, strict=True):
                row.path = f"{self.depts[plan.parent].path if plan.parent is not None else '/'}{row.pk}/"
                self.depts[plan.key] = row

        self._write_employees(positions, levels)
        for plan in self.structure.departments:
            self.depts[plan.key].head = self.employees[plan.head] if plan.head is not None else None
        Department.objects.bulk_update(self.depts.values(), ["path", "head"], batch_size=BATCH)
        self.entries += [audit.entry_for("department.create", d, after=department_snapshot(d), scope=d.path)
                         for d in self.depts.values()]
        self.entries += [audit.entry_for("employee.create", e, after=employee_snapshot(e),
                                         scope=e.department.path) for e in self.employees.values()]
        audit.record_many(actor=None, entries=self.entries)

    def _start(self, person: Person) -> tuple[Department, int | None]:
        """Where the person was first placed: before their transfer, if they had one."""
        if person.previous:
            return self.depts[person.previous[0]], person.previous[1]
        return self.depts[person.seat.dept], person.seat.manager

    def _write_employees(self, positions: dict[str, Position], levels: dict[str, Level]) -> None:
        people = self.plan.people
        tier: dict[int, int] = {}

        def depth(index: int) -> int:  # how far below the GM the first manager puts a person
            if index not in tier:
                manager = self._start(people[index])[1]
                tier[index] = 0 if manager is None else depth(manager) + 1
            return tier[index]

        order = sorted(range(len(people)), key=depth)
        for level in sorted(set(tier.values())):
            batch = [people[i] for i in order if tier[i] == level]
            rows = []
            for person in batch:
                dept, manager = self._start(person)
                final = self.depts[person.seat.dept]
                rows.append(Employee(
                    number=person.number, name=person.name, company=dept.company, department=dept,
                    position=positions[person.seat.position], level=levels[person.seat.level],
                    manager=self.employees[manager] if manager is not None else None, hire_date=person.hire_date,
                    probation_end=person.probation_end, status=person.status, left_on=person.left_on,
                    location=self.structure.departments[person.seat.dept].location,
                    cost_centre=final.cost_centre, email=person.email,
                ))
            Employee.objects.bulk_create(rows, batch_size=BATCH)
            for person, row in zip(batch, rows, strict=True):
                self.employees[person.seat.index] = row
        hired = gettext("Hired")  # the same reason employee_create writes
        Assignment.objects.bulk_create(
            [Assignment(employee=e, department=e.department, position=e.position, manager=e.manager,
                        valid_from=e.hire_date, reason=hired) for e in self.employees.values()],
            batch_size=BATCH,
        )

    def write_accounts(self) -> dict[str, User]:
        users: dict[str, User] = {}
        admin = accounts.user_create(actor=SYSTEM, username="admin", password=DEMO_PASSWORD, is_superuser=True)
        role_services.role_grant(actor=admin, user=admin, role=Role.SYSADMIN)
        users["admin"] = admin
        for username, (_label, grant) in LOGIN_ROLES.items():
            if username == "admin":
                continue
            # No e-mail on the accounts: the demo has no mail server, and the email channel would
            # retry every welcome message for hours. Employees keep their work addresses.
            users[username] = accounts.user_create(actor=admin, username=username, password=DEMO_PASSWORD)
            if grant == Role.HR_BP:
                role_services.role_grant(actor=admin, user=users[username], role=grant,
                                         departments=[self.depts[self.structure.by_code["MFG"].key]])
            elif grant:
                role_services.role_grant(actor=admin, user=users[username], role=grant)
        for username, seat in self.plan.logins.items():
            employee_services.employee_link_user(actor=users["hr"], employee=self.employees[seat], user=users[username])
        return users

    def write_history(self, hr: User) -> None:
        """Transfers and stand-ins, recorded by HR through the services."""
        for person in self.plan.people:
            if not person.previous:
                continue
            employee = self.employees[person.seat.index]
            manager = person.seat.manager
            employee_services.employee_transfer(
                actor=hr, employee=employee, effective=person.previous[2], department=self.depts[person.seat.dept],
                manager=self.employees[manager] if manager is not None else None, reason=person.previous[3],
            )
        for d in self.plan.delegations:
            delegation_services.delegation_create(
                actor=hr, principal=self.employees[d.principal], delegate=self.employees[d.delegate], kind=d.kind,
                valid_from=d.valid_from, valid_to=d.valid_to, reason=d.reason,
            )

    def write_notifications(self, users: dict[str, User]) -> None:
        everyone = list(users.values())
        notify(recipients=everyone, kind="welcome", title="欢迎使用公允绩效 Fairmark", event_key="demo:welcome",
               body="这是演示公司宁川新能源的数据：约 {n} 名员工，{d} 个部门。".format(
                   n=sum(1 for p in self.plan.people if p.status != "left"), d=len(self.structure.departments)),
               link=reverse("org:chart"))
        notify(recipients=[users["admin"]], kind="security", title="请为管理员账号设置双因素认证",
               body="系统管理员登录时必须使用动态验证码（TOTP）。", link=reverse("accounts:totp_setup"),
               event_key="demo:totp")
        moved = self.employees[self.plan.logins["employee"]]
        notify(recipients=[users["manager"], users["employee"]], kind="org.transfer",
               title=f"{moved.name} 已调入 {moved.department.name}", body="原汇报关系的历史已保留。",
               link=reverse("org:employee", args=[moved.pk]), event_key=f"demo:transfer:{moved.pk}")
        soon = self.today + dt.timedelta(days=30)
        due = [p for p in self.plan.people if p.status == "probation" and p.probation_end <= soon]
        notify(recipients=[users["hr"], users["hrbp"]], kind="org.probation",
               title=f"{len(due)} 名员工将在 30 天内转正", body="请安排转正考核。",
               link=reverse("org:people") + "?status=probation", event_key="demo:probation")
        notify(recipients=[users["head"], users["exec"]], kind="org.acting",
               title="电芯二线乙班线长休产假，由甲班线长代理", body="代理期间，代理人可查看并评估该班组。",
               link=reverse("org:departments"), event_key="demo:acting")


def describe(result: Result) -> str:
    c: dict[str, Any] = result.counts
    return (f"{c['current']} people ({c['employees'] - c['current']} leavers on file), {c['departments']} departments, "
            f"{c['transfers']} transfers, {c['delegations']} stand-ins in {result.seconds:.1f} s"
            + (f"\n{describe_mes(c)}" if "mes_values" in c else "")
            + (f"\n{describe_goals(c)}" if "goals" in c else "")
            + (f"\n{describe_reviews(c)}" if "reviews" in c else ""))
