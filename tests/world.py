"""A small company that every test can stand on, with one user per role of DESIGN.md §2.

    总经办 GM (head: gm)                          users
    ├── 制造中心 PROD (head: prod_head)             employee → employee (LINE1, reports to manager)
    │   ├── 电芯一线 LINE1: manager, employee, peer  manager  → manager (LINE1 leader, reports to prod_head)
    │   └── 电芯二线 LINE2: l2_leader, other         head     → prod_head (heads PROD)
    ├── 品质部 QA (head: qa_head): qa_engineer       hrbp     → hr_person, HR BP for QA
    └── 人力资源部 HR: hr_person, hr_admin_person     hr       → hr_admin_person, HR admin
                                                  exec     → gm, executive
                                                  admin    → no employee, system admin (TOTP enrolled)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from fairmark.accounts.models import User
from fairmark.core import crypto
from fairmark.core.access import Role
from fairmark.org.models import Assignment, Company, Department, Employee, JobFamily, Level, Position, RoleGrant

PASSWORD = "fairmark-test-pw"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
ROLES = ("anonymous", "employee", "manager", "head", "hrbp", "hr", "exec", "admin")


@dataclass
class World:
    company: Company
    depts: dict[str, Department] = field(default_factory=dict)
    people: dict[str, Employee] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)

    def user(self, role: str) -> User | None:
        return self.users.get(role)


def _dept(company: Company, code: str, name: str, parent: Department | None, name_en: str = "") -> Department:
    d = Department.objects.create(company=company, code=code, name=name, name_en=name_en, parent=parent)
    d.path = f"{parent.path if parent else '/'}{d.pk}/"
    d.depth = parent.depth + 1 if parent else 0
    d.save(update_fields=["path", "depth"])
    return d


def build_world() -> World:
    company = Company.objects.create(code="NC", name="宁川新能源", name_en="Ningchuan New Energy")
    w = World(company=company)
    family = JobFamily.objects.create(code="PRD", name="生产", name_en="Production")
    level = Level.objects.create(code="P3", name="P3", rank=3)
    operator = Position.objects.create(code="OP", name="操作工", name_en="Operator", job_family=family)
    leader = Position.objects.create(code="LL", name="线长", name_en="Line leader", job_family=family)
    gm = _dept(company, "GM", "总经办", None, "GM office")
    prod = _dept(company, "PROD", "制造中心", gm, "Manufacturing")
    w.depts = {
        "GM": gm,
        "PROD": prod,
        "LINE1": _dept(company, "LINE1", "电芯一线", prod, "Cell line 1"),
        "LINE2": _dept(company, "LINE2", "电芯二线", prod, "Cell line 2"),
        "QA": _dept(company, "QA", "品质部", gm, "Quality"),
        "HR": _dept(company, "HR", "人力资源部", gm, "Human resources"),
    }
    hired = dt.date(2024, 3, 1)

    def person(key: str, number: str, name: str, dept: str, manager: str | None, position: Position | None = operator) -> Employee:
        e = Employee.objects.create(
            number=number, name=name, company=company, department=w.depts[dept], position=position, level=level,
            manager=w.people.get(manager) if manager else None, hire_date=hired, email=f"{key}@example.com",
        )
        Assignment.objects.create(employee=e, department=e.department, position=position, manager=e.manager, valid_from=hired)
        w.people[key] = e
        return e

    person("gm", "E0001", "王总", "GM", None, None)
    person("prod_head", "E0002", "李制造", "PROD", "gm", None)
    person("manager", "E0003", "张线长", "LINE1", "prod_head", leader)
    person("employee", "E0004", "陈员工", "LINE1", "manager")
    person("peer", "E0005", "刘同事", "LINE1", "manager")
    person("l2_leader", "E0006", "赵二线", "LINE2", "prod_head", leader)
    person("other", "E0007", "孙其他", "LINE2", "l2_leader")
    person("qa_head", "E0008", "周品质", "QA", "gm", None)
    person("qa_engineer", "E0009", "吴质检", "QA", "qa_head", None)
    person("hr_person", "E0010", "郑人事", "HR", "gm", None)
    person("hr_admin_person", "E0011", "冯HR", "HR", "gm", None)
    for code, head in (("GM", "gm"), ("PROD", "prod_head"), ("LINE1", "manager"), ("LINE2", "l2_leader"), ("QA", "qa_head")):
        Department.objects.filter(pk=w.depts[code].pk).update(head=w.people[head])

    def user(role: str, employee: str | None, superuser: bool = False) -> User:
        u = User.objects.create_user(username=role, password=PASSWORD, email=f"{role}@example.com", is_superuser=superuser)
        if employee:
            Employee.objects.filter(pk=w.people[employee].pk).update(user=u)
        w.users[role] = u
        return u

    user("employee", "employee")
    user("manager", "manager")
    user("head", "prod_head")
    hrbp = user("hrbp", "hr_person")
    RoleGrant.objects.create(user=hrbp, role=Role.HR_BP).departments.set([w.depts["QA"]])
    RoleGrant.objects.create(user=user("hr", "hr_admin_person"), role=Role.HR_ADMIN)
    RoleGrant.objects.create(user=user("exec", "gm"), role=Role.EXECUTIVE)
    admin = user("admin", None, superuser=True)
    RoleGrant.objects.create(user=admin, role=Role.SYSADMIN)
    User.objects.filter(pk=admin.pk).update(totp_secret_encrypted=crypto.encrypt(TOTP_SECRET), totp_confirmed_at=timezone.now())
    for key in w.people:
        w.people[key].refresh_from_db()
    for d in w.depts.values():
        d.refresh_from_db()
    for role, u in w.users.items():
        w.users[role] = User.objects.get(pk=u.pk)
    return w


def ensure_library() -> None:
    """Install the shipped indicator library once into this test's database (authorization cases call it
    while building their URLs, so only the cases about indicators and templates pay for it)."""
    from fairmark.indicators.models import LibraryInstall
    from fairmark.indicators.services.library import install_library

    if not LibraryInstall.objects.exists():
        install_library()


def db_fingerprint() -> dict[str, Any]:
    """Every row of the tables a request could change, to prove a refused request changed nothing."""
    from django.apps import apps

    out: dict[str, Any] = {}
    for label in ("org", "accounts", "audit", "notifications", "indicators", "ingestion", "goals", "reviews"):
        for model in apps.get_app_config(label).get_models():
            rows = list(model._base_manager.order_by("pk").values())
            for row in rows:
                row.pop("last_login", None)
                row.pop("last_used_at", None)
            out[model._meta.label] = rows
    return out
