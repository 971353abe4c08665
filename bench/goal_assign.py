"""Benchmark: assign a goal set of 30 goals to 70 operators in one action (goal_set_assign), on SQLite or PostgreSQL.

    .venv/bin/python bench/goal_assign.py                     # 70 people × 30 goals on SQLite: the target is under 5 s
    .venv/bin/python bench/goal_assign.py --size 10           # the small size CI runs
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fairmark .venv/bin/python bench/goal_assign.py

SQLite is a fresh file in a temporary directory. With DATABASE_URL naming a PostgreSQL server, the benchmark
creates its own database there (`<name>_goal_assign`, dropped first if a run left it), migrates it, and drops it
at the end, so the named database is never touched.

It builds a company with one production line: a manager leading --size operators (each with an account, so
each gets a notification and an e-mail in the outbox), two published KPI indicators (defect rate, output) fed
by 30 days of pushed data for every operator, a company objective and the line's goal, and a set of --items
goals (half KPI goals on the two indicators, half OKRs with three key results each), aligned to the line's
goal. Building all that is not timed; `goal_set_assign` is, from the call to its commit (the same transaction
a page or API request runs). A second assignment of the same set to the same people is timed too: everyone
is skipped. The last line printed is JSON. Figures go in docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
YEAR = 2026
DAYS = 30


def _postgres(url: str) -> tuple[str, str]:
    """A fresh database next to the one named: (its URL, the maintenance URL to drop it with)."""
    import psycopg

    parts = urlsplit(url)
    name = (parts.path.lstrip("/") or "fairmark") + "_goal_assign"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}")), admin


def _drop(admin: str, url: str) -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _setup(directory: Path, url: str) -> None:
    os.environ["FAIRMARK_VAR_DIR"] = str(directory)
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "fairmark.config.settings"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT / "src"))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def _company(size: int) -> dict[str, Any]:
    from fairmark.accounts.models import User
    from fairmark.org.models import Assignment, Company, Department, Employee, Position

    company = Company.objects.create(code="BENCH", name="基准电池")
    root = Department.objects.create(company=company, code="PLANT", name="制造中心")
    root.path, root.depth = f"/{root.pk}/", 0
    root.save()
    line = Department.objects.create(company=company, code="LINE", name="电芯一线", parent=root)
    line.path, line.depth = f"{root.path}{line.pk}/", 1
    line.save()
    operator = Position.objects.create(code="OP", name="操作工")
    hired = date(2024, 1, 1)
    manager_user = User.objects.create_user(username="bench-manager", password="bench-pw-not-used")
    manager = Employee.objects.create(number="M0001", name="线长", company=company, department=line, user=manager_user,
                                      hire_date=hired, email="manager@example.com")
    Department.objects.filter(pk=line.pk).update(head=manager)
    users = [User(username=f"op{i:04d}", email=f"op{i}@example.com", password="!") for i in range(size)]
    User.objects.bulk_create(users)
    users = list(User.objects.filter(username__startswith="op").order_by("username"))
    people = Employee.objects.bulk_create([
        Employee(number=f"B{i:04d}", name=f"操作工{i}", company=company, department=line, position=operator,
                 manager=manager, user=users[i], hire_date=hired, email=f"op{i}@example.com") for i in range(size)])
    Assignment.objects.bulk_create([Assignment(employee=p, department=line, position=operator, manager=manager,
                                               valid_from=hired) for p in people])
    return {"manager": User.objects.get(pk=manager_user.pk), "line": line, "people": people}


def _indicators_and_data(people: list[Any]) -> dict[str, Any]:
    """Two published indicators and DAYS of pushed values per operator (defect rate and output)."""
    from fairmark.core.access import SYSTEM
    from fairmark.indicators.services.indicators import indicator_create
    from fairmark.ingestion.models import Channel, Grain, SourceKind, SubjectType, ValueType
    from fairmark.ingestion.services.metrics import metric_create
    from fairmark.ingestion.services.receiving import content_hash, pack_payload, receive_batch
    from fairmark.ingestion.services.sources import source_create

    subjects = [SubjectType.EMPLOYEE]
    output = metric_create(actor=SYSTEM, code="output", name_zh="产量", unit="pcs", value_type=ValueType.INTEGER,
                           min_value=Decimal(0), grain=Grain.DAY, subject_types=subjects)
    defect = metric_create(actor=SYSTEM, code="defect_rate", name_zh="不良率", unit="%", value_type=ValueType.DECIMAL,
                           min_value=Decimal(0), max_value=Decimal(100), grain=Grain.DAY, subject_types=subjects)
    source = source_create(actor=SYSTEM, code="mes", name="MES", kind=SourceKind.PUSH, metrics=[output, defect])
    versions = {}
    for code, data in (
        ("line_defect_rate", {"name_zh": "不良率", "name_en": "Defect rate", "definition_zh": "不良品数 ÷ 生产数 × 100%",
                              "category": "quality", "unit": "%", "direction": "lower",
                              "aggregation": "avg", "formula": "avg(defect_rate)",
                              "metrics": [{"code": "defect_rate", "name_zh": "不良率", "name_en": "Defect rate",
                                           "unit": "%"}],
                              "scoring": {"kind": "linear", "params": {"threshold": "8", "target": "5",
                                                                       "stretch": "2", "direction": "lower"}}}),
        ("line_output", {"name_zh": "产量", "name_en": "Output", "definition_zh": "合格产量之和", "category": "quantity", "unit": "pcs", "direction": "higher",
                         "aggregation": "sum", "formula": "sum(output)",
                         "metrics": [{"code": "output", "name_zh": "产量", "name_en": "Output", "unit": "pcs"}],
                         "scoring": {"kind": "linear", "params": {"threshold": "600", "target": "1000",
                                                                  "stretch": "1200"}}}),
    ):
        indicator = indicator_create(actor=SYSTEM, code=code, data=data, publish_now=True)
        indicator.refresh_from_db()
        versions[code] = indicator.published
    start = date(YEAR, 3, 1)
    for chunk in range(0, len(people), 20):
        rows = []
        for person in people[chunk:chunk + 20]:
            for day in range(DAYS):
                period = (start + timedelta(days=day)).isoformat()
                rows.append({"row_key": f"o-{person.number}-{period}", "metric": "output", "subject_type": "employee",
                             "subject": person.number, "period": period, "value": 30 + day % 7})
                rows.append({"row_key": f"d-{person.number}-{period}", "metric": "defect_rate",
                             "subject_type": "employee", "subject": person.number, "period": period,
                             "value": f"{3 + (day % 5) * 0.7:.1f}"})
        payload = pack_payload(rows)
        outcome = receive_batch(actor=SYSTEM, source=source, idempotency_key=f"bench-{chunk}", rows=rows,
                                payload=payload, content_hash=content_hash(payload), channel=Channel.API)
        assert not getattr(outcome, "rejected", 0), outcome
    return versions


def _goal_set(manager: Any, line: Any, items: int) -> Any:
    from fairmark.accounts.models import User
    from fairmark.core.access import Role
    from fairmark.goals.models import GoalKind, GoalLevel
    from fairmark.goals.services.goal_sets import goal_set_create
    from fairmark.goals.services.tree import goal_create
    from fairmark.org.models import RoleGrant

    executive = User.objects.create_user(username="bench-exec", password="bench-pw-not-used")
    RoleGrant.objects.create(user=executive, role=Role.EXECUTIVE)
    company = goal_create(actor=executive, level=GoalLevel.COMPANY, kind=GoalKind.OKR, year=YEAR, title="质量第一",
                          key_results=[{"title": "客诉", "start": "40", "target": "10"}])
    line_goal = goal_create(actor=manager, level=GoalLevel.DEPARTMENT, kind=GoalKind.OKR, year=YEAR,
                            department=line, parent=company, title="一线不良率 ≤ 5%",
                            key_results=[{"title": "不良率", "start": "8", "target": "5"}])
    specs: list[dict[str, Any]] = []
    for i in range(items):
        if i % 2 == 0:
            spec: dict[str, Any] = (
                {"kind": "kpi", "title": f"不良率 {i}", "indicator": "line_defect_rate", "threshold": "8",
                 "target": "5", "stretch": "2"} if i % 4 == 0 else
                {"kind": "kpi", "title": f"产量 {i}", "indicator": "line_output", "threshold": "600", "target": "1000",
                 "stretch": "1200"})
        else:
            spec = {"kind": "okr", "title": f"改善项目 {i}", "key_results": [
                {"title": f"关键结果 {k}", "start": "0", "target": "10"} for k in range(3)]}
        spec["weight"] = str(1 + i % 3)
        spec["parent"] = line_goal.pk
        specs.append(spec)
    return goal_set_create(actor=manager, name="电芯操作工目标包", year=YEAR, department=line, items=specs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=70, help="operators to assign the set to (CI: 10)")
    parser.add_argument("--items", type=int, default=30, help="goals in the set")
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", "")
    postgres = url.startswith(("postgres://", "postgresql://"))
    with tempfile.TemporaryDirectory(prefix="fairmark-bench-") as tmp:
        admin = ""
        if postgres:
            url, admin = _postgres(url)
        else:
            url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        _setup(Path(tmp), url)
        try:
            figures = run(args.size, args.items, "postgresql" if postgres else "sqlite")
        finally:
            if postgres:
                _drop(admin, url)
        print(json.dumps(figures))
        return 0 if figures["ok"] else 1


def run(size: int, items: int, database: str) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from fairmark.audit.models import AuditEvent
    from fairmark.audit.verification import verify_chain
    from fairmark.goals.models import AgreementStep, Goal, GoalKind, KeyResult
    from fairmark.goals.services.goal_sets import goal_set_assign
    from fairmark.notifications.models import Notification, OutboxMessage

    company = _company(size)
    _indicators_and_data(company["people"])
    goal_set = _goal_set(company["manager"], company["line"], items)
    manager = company["manager"]
    people = company["people"]
    audit_before = AuditEvent.objects.count()

    cpu_start = time.process_time()
    start = time.perf_counter()
    result = goal_set_assign(actor=manager, goal_set=goal_set, employees=people)
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu_start

    with CaptureQueriesContext(connection) as repeat_queries:
        again_start = time.perf_counter()
        again = goal_set_assign(actor=manager, goal_set=goal_set, employees=people)
        again_seconds = time.perf_counter() - again_start

    goals = Goal.objects.filter(goal_set=goal_set)
    kpi_with_value = goals.filter(kind=GoalKind.KPI, value__isnull=False).count()
    expected_goals = size * items
    ok = (result.goals == expected_goals and goals.count() == expected_goals and len(result.assigned) == size
          and len(again.skipped) == size and again.goals == 0
          and kpi_with_value == goals.filter(kind=GoalKind.KPI).count()
          and Notification.objects.filter(kind="goal.agreement.assigned").count() == size
          and AuditEvent.objects.count() - audit_before == size
          and AgreementStep.objects.filter(action="assign").count() == size and verify_chain() is None)
    return {
        "bench": "goal_assign",
        "people": size,
        "items": items,
        "goals": result.goals,
        "key_results": KeyResult.objects.filter(goal__goal_set=goal_set).count(),
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "repeat_seconds": round(again_seconds, 3),
        "repeat_queries": len(repeat_queries.captured_queries),
        "notifications": Notification.objects.filter(kind="goal.agreement.assigned").count(),
        "outbox": OutboxMessage.objects.count(),
        "kpi_goals_with_value": kpi_with_value,
        "target_seconds": 5,
        "database": database,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "ok": ok,
    }


if __name__ == "__main__":
    sys.exit(main())
