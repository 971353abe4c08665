"""The default demo company looks like the 500-person lithium-battery maker it is modelled on."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from django.utils import timezone

from fairmark.demo import generator
from fairmark.demo.management.commands.demo import _width, login_table
from fairmark.demo.people import plan_people
from fairmark.demo.structure import plan_structure
from fairmark.org.models import Company, Department, Employee, JobFamily, Level, Position


def _share(code: str, people: int) -> float:
    path = Department.objects.get(code=code).path
    return Employee.objects.exclude(status="left").filter(department__path__startswith=path).count() / people


@pytest.mark.django_db
def test_default_size_has_realistic_proportions() -> None:
    generator.generate()
    current = Employee.objects.exclude(status="left").count()
    assert 400 <= current <= 600
    assert 0.35 <= _share("MFG", current) <= 0.55  # production is the largest block
    assert 0.25 <= _share("RDC", current) <= 0.35  # the industry's R&D share
    for code in ("MFG", "RDC", "QA", "EQP", "SCM", "SAL", "HR", "ADM", "FIN"):
        assert _share("MFG", current) >= _share(code, current)
    names = set(Department.objects.values_list("name", flat=True))
    assert {"总经办", "研发中心", "电芯研发部", "材料研发部", "测试验证部", "制造中心", "品质部", "设备部", "供应链",
            "采购部", "计划部", "仓储物流部", "销售部", "国内销售", "海外销售", "人力资源部", "行政部", "财务部"} <= names
    assert Department.objects.filter(code__startswith="MFG-L", parent__code="MFG").count() >= 3
    assert Department.objects.filter(name__contains="模组PACK").exists()
    assert JobFamily.objects.count() == 6
    assert all(f.name_en for f in JobFamily.objects.all())
    assert {f"P{i}" for i in range(1, 9)} | {f"M{i}" for i in range(1, 6)} == set(Level.objects.values_list("code", flat=True))
    assert all(p.name_en and p.job_family_id for p in Position.objects.all())
    assert Company.objects.filter(parent__isnull=False).exists()  # the Liyang branch

    statuses = Counter(Employee.objects.values_list("status", flat=True))
    assert statuses["probation"] >= 5
    assert statuses["leave"] >= 2
    assert statuses["left"] >= 5
    today = timezone.localdate()
    assert not Employee.objects.filter(status="probation", probation_end__lte=today).exists()
    assert not Employee.objects.filter(status="left", left_on__isnull=True).exists()
    hires = list(Employee.objects.values_list("hire_date", flat=True))
    assert (max(hires) - min(hires)).days > 5 * 365
    assert set(Employee.objects.values_list("location", flat=True)) >= {"宁德基地", "溧阳基地"}
    emails = list(Employee.objects.values_list("email", flat=True))
    assert len(set(emails)) == len(emails)
    assert all(Employee.objects.values_list("cost_centre", flat=True))
    # Operators report to line leaders, who report to the line's head.
    operator = Employee.objects.filter(position__code="OP-ASM", manager__isnull=False).select_related(
        "manager__position", "manager__manager__position").first()
    assert operator is not None
    assert operator.manager.position.code == "LL"
    assert operator.manager.manager.position.code == "WSM"


def test_large_sizes_plan_quickly_with_bounded_spans() -> None:
    rng = random.Random(1)
    structure = plan_structure(10_000, rng)
    assert len(structure.seats) == 10_000
    spans = Counter(seat.manager for seat in structure.seats)
    assert max(spans.values()) <= 70
    plan = plan_people(structure, rng, timezone.localdate())
    assert len({p.number for p in plan.people}) == len(plan.people)


@pytest.mark.parametrize("size", [58, 59, 61, 77, 123, 499, 501, 1234, 3001])
def test_every_size_gets_the_login_seats_and_a_transfer(size: int) -> None:
    structure = plan_structure(size, random.Random(size))
    plan = plan_people(structure, random.Random(size), timezone.localdate())
    assert sum(1 for p in plan.people if p.status != "left") == size
    assert set(plan.logins) == {"exec", "head", "manager", "employee", "hrbp", "hr"}
    assert plan.people[plan.logins["employee"]].previous is not None
    assert plan.people[plan.logins["employee"]].seat.manager == plan.logins["manager"]


def test_same_seed_same_company() -> None:
    today = timezone.localdate()
    first = plan_people(plan_structure(300, random.Random(7)), random.Random(8), today)
    second = plan_people(plan_structure(300, random.Random(7)), random.Random(8), today)
    assert [(p.name, p.number, p.hire_date) for p in first.people] == [
        (p.name, p.number, p.hire_date) for p in second.people]


def test_login_table_aligns_chinese_text() -> None:
    rows = [generator.Login("hr", "HR admin", "吴娜", "人力资源部"), generator.Login("employee", "Employee", "王磊", "甲班")]
    lines = login_table(rows).splitlines()
    column = lines[0].index("department")
    for line in lines[2:]:
        person_end = line.rstrip().rsplit("  ", 1)[0]
        assert _width(person_end) <= column
