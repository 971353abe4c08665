"""Benchmark: launch a review cycle over a whole company of --size people, on SQLite or PostgreSQL.

    .venv/bin/python bench/review_launch.py                   # 10,000 people on SQLite
    .venv/bin/python bench/review_launch.py --size 500        # the small size CI runs
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fairmark_bench .venv/bin/python bench/review_launch.py

SQLite is a fresh file in a temporary directory (the launch thread and the polling thread each have their own
connection to it, as the worker and the web server do). With DATABASE_URL naming a PostgreSQL server, the
benchmark creates its own database there (`<name>_review_launch`, dropped first if a run left it), migrates it
and drops it at the end, so the named database is never touched.

The company: departments of --department people, each a line leader (position LL) and operators (OP) reporting
to them, the leaders reporting to the plant head; two published templates (operators: two KPI indicators and a
rated behaviour item; leaders: one KPI), built through the services; a quarterly cycle over the whole company
with five phases. Building that is not timed. The launch is, as HR starts it: `cycle_launch` runs in a
background thread with its task (creating the reviews chunk by chunk and computing them) run there, while the
main thread reads the cycle's `launch_done` / `launch_total` every 0.5 s as the cycle page does. The samples
prove the progress is visible during the launch. The last line printed is JSON. recompute.py reuses the set-up
helpers of this file.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
START, END = date(2026, 1, 1), date(2026, 3, 31)
PHASES = {"self_review": date(2026, 4, 10), "rating_360": date(2026, 4, 15), "manager_review": date(2026, 4, 20),
          "calibration": date(2026, 4, 25), "published": date(2026, 4, 30)}
POLL_SECONDS = 0.5
RATING_POINTS = [[str(n), str((n - 1) * 25), f"level {n}", f"等级 {n}"] for n in range(1, 6)]


# ------------------------------------------------------------------------------------------ database

@contextmanager
def database(suffix: str) -> Iterator[str]:
    """Django set up on a database of the benchmark's own; yields "sqlite" or "postgresql"."""
    url = os.environ.get("DATABASE_URL", "")
    postgres = url.startswith(("postgres://", "postgresql://"))
    with tempfile.TemporaryDirectory(prefix="fairmark-bench-") as tmp:
        admin = ""
        if postgres:
            import psycopg

            parts = urlsplit(url)
            name = (parts.path.lstrip("/") or "fairmark") + suffix
            admin = urlunsplit(parts._replace(path="/postgres"))
            with psycopg.connect(admin, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                connection.execute(f'CREATE DATABASE "{name}"')
            url = urlunsplit(parts._replace(path=f"/{name}"))
        else:
            url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        os.environ.update(FAIRMARK_VAR_DIR=tmp, DATABASE_URL=url, DJANGO_SETTINGS_MODULE="fairmark.config.settings",
                          CELERY_BROKER_URL="memory://localhost/", CELERY_TASK_ALWAYS_EAGER="1")
        os.environ.setdefault("LOG_LEVEL", "WARNING")
        sys.path.insert(0, str(ROOT / "src"))
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0)
        try:
            yield "postgresql" if postgres else "sqlite"
        finally:
            if postgres:
                import psycopg
                from django.db import connections

                connections.close_all()
                with psycopg.connect(admin, autocommit=True) as connection:
                    connection.execute(f'DROP DATABASE IF EXISTS "{urlsplit(url).path.lstrip("/")}" WITH (FORCE)')


# ------------------------------------------------------------------------------------------ the company

def build_org(size: int, per_department: int = 50) -> dict[str, Any]:
    """size people: departments of `per_department` (a leader and operators), leaders under the plant head
    (the first leader); an HR admin with a login to act."""
    from fairmark.accounts.models import User
    from fairmark.core.access import Role
    from fairmark.org.models import (
        Assignment,
        Company,
        Department,
        Employee,
        JobFamily,
        Level,
        Position,
        RoleGrant,
    )

    company = Company.objects.create(code="BENCH", name="基准电池")
    family = JobFamily.objects.create(code="PRD", name="生产")
    level = Level.objects.create(code="P3", name="P3", rank=3)
    operator = Position.objects.create(code="OP", name="操作工", job_family=family)
    leader = Position.objects.create(code="LL", name="线长", job_family=family)
    root = Department.objects.create(company=company, code="PLANT", name="制造中心")
    Department.objects.filter(pk=root.pk).update(path=f"/{root.pk}/", depth=0)
    count = max(1, -(-size // per_department))
    departments = Department.objects.bulk_create([
        Department(company=company, code=f"L{n:04d}", name=f"产线{n}", parent=root, depth=1) for n in range(count)])
    for department in departments:
        department.path = f"/{root.pk}/{department.pk}/"
    Department.objects.bulk_update(departments, ["path"], batch_size=1000)
    hired = date(2024, 1, 1)

    def person(index: int, department: Any, position: Any, manager: Any) -> Any:
        return Employee(number=f"B{index:06d}", name=f"员工{index}", company=company, department=department,
                        position=position, level=level, manager=manager, hire_date=hired,
                        email=f"b{index}@example.com")

    sizes = [min(per_department, size - n * per_department) for n in range(count)]
    starts = [n * per_department for n in range(count)]
    head = Employee.objects.bulk_create([person(0, departments[0], leader, None)])[0]
    leaders = [head, *Employee.objects.bulk_create(
        [person(starts[n], departments[n], leader, head) for n in range(1, count)], batch_size=1000)]
    operators = Employee.objects.bulk_create(
        [person(starts[n] + k, departments[n], operator, leaders[n]) for n in range(count) for k in range(1, sizes[n])],
        batch_size=1000)
    people = leaders + operators
    Assignment.objects.bulk_create([
        Assignment(employee=p, department=p.department, position=p.position, manager=p.manager, valid_from=hired)
        for p in people], batch_size=1000)
    for department, boss in zip(departments, leaders, strict=True):
        department.head = boss
    Department.objects.bulk_update(departments, ["head"], batch_size=1000)
    hr = User.objects.create_user(username="bench-hr", password="bench-pw-not-used", email="hr@example.com")
    RoleGrant.objects.create(user=hr, role=Role.HR_ADMIN)
    return {"company": company, "hr": User.objects.get(pk=hr.pk), "people": people}


def build_indicators(data: int, rated: int) -> tuple[list[str], list[str]]:
    """`data` daily metrics each with a published KPI indicator over it (avg and sum alternately), and `rated`
    published indicators rated on an anchored 1–5 scale. Returns their codes."""
    from fairmark.core.access import SYSTEM
    from fairmark.indicators.services.indicators import indicator_create
    from fairmark.ingestion.models import Grain, SourceKind, SubjectType, ValueType
    from fairmark.ingestion.services.metrics import metric_create
    from fairmark.ingestion.services.sources import source_create

    metrics = [metric_create(actor=SYSTEM, code=f"m{n}", name_zh=f"指标{n}", unit="pcs", value_type=ValueType.DECIMAL,
                             min_value=Decimal(0), grain=Grain.DAY, subject_types=[SubjectType.EMPLOYEE])
               for n in range(data)]
    source_create(actor=SYSTEM, code="mes", name="MES", kind=SourceKind.PUSH, metrics=metrics)
    codes: list[str] = []
    for n in range(data):
        aggregation = "avg" if n % 2 == 0 else "sum"
        indicator_create(actor=SYSTEM, code=f"kpi_m{n}", publish_now=True, data={
            "name_zh": f"KPI {n}", "name_en": f"KPI {n}", "category": "quantity", "unit": "pcs",
            "direction": "higher", "definition_zh": f"指标{n}", "aggregation": aggregation,
            "formula": f"{aggregation}(m{n})", "metrics": [{"code": f"m{n}", "name_zh": f"指标{n}", "unit": "pcs"}],
            "scoring": {"kind": "linear", "params": {"threshold": "60", "target": "100", "stretch": "120"}}})
        codes.append(f"kpi_m{n}")
    behaviours: list[str] = []
    for n in range(rated):
        indicator_create(actor=SYSTEM, code=f"behaviour{n}", publish_now=True, data={
            "name_zh": f"行为{n}", "name_en": f"Behaviour {n}", "category": "behaviour", "unit": "分",
            "direction": "higher", "definition_zh": f"行为{n}", "aggregation": "avg", "formula": "", "metrics": [],
            "scoring": {"kind": "rating", "params": {"points": RATING_POINTS}}})
        behaviours.append(f"behaviour{n}")
    return codes, behaviours


def _weights(count: int) -> list[str]:
    """count weights of at most 2 places adding up to exactly 100."""
    base = (Decimal(100) / count).quantize(Decimal("0.01"), rounding="ROUND_DOWN")
    weights = [base] * count
    weights[0] += Decimal(100) - base * count
    return [str(w) for w in weights]


def build_template(code: str, positions: list[str], data: list[str], rated: list[str], adjustment: bool) -> Any:
    """A published template for `positions`: KPI items over `data`, rated items (manager 60 / peers 20 / self
    20) over `rated`, and an adjustment item."""
    from fairmark.core.access import SYSTEM
    from fairmark.indicators.services.templates import template_create

    sections: list[dict[str, Any]] = []
    kpi_weight = "60" if rated else "100"
    sections.append({"key": "kpi", "name_zh": "业绩 KPI", "name_en": "KPIs", "weight": kpi_weight, "items": [
        {"kind": "indicator", "indicator": c, "weight": w} for c, w in zip(data, _weights(len(data)), strict=True)]})
    if rated:
        groups = [{"group": "manager", "weight": "60"}, {"group": "peer", "weight": "20"},
                  {"group": "self", "weight": "20"}]
        sections.append({"key": "behaviour", "name_zh": "行为", "name_en": "Behaviour", "weight": "40", "items": [
            {"kind": "rated", "indicator": c, "weight": w, "rater_groups": groups}
            for c, w in zip(rated, _weights(len(rated)), strict=True)]})
    if adjustment:
        sections.append({"key": "adjustments", "name_zh": "加减分", "name_en": "Adjustments", "weight": "0",
                         "items": [{"kind": "adjustment", "cap": "5", "reason_required": True,
                                    "name_zh": "上级加减分", "name_en": "Manager adjustment"}]})
    data_ = {"name_zh": code, "name_en": code, "period": "quarter", "missing_rule": "reweight",
             "applies_to": {"job_families": [], "positions": positions, "levels": []}, "sections": sections}
    template = template_create(actor=SYSTEM, code=code, data=data_, publish_now=True)
    template.refresh_from_db()
    assert template.published is not None
    return template.published


def build_cycle(org: dict[str, Any]) -> Any:
    from fairmark.reviews.services import cycles

    return cycles.cycle_create(actor=org["hr"], company=org["company"], data={
        "name": "2026 Q1 绩效考核", "kind": "quarter", "period_start": START, "period_end": END,
        "population": "company", "phases": PHASES})


# ------------------------------------------------------------------------------------------ the launch

def launch_in_background(hr: Any, cycle_id: int) -> dict[str, Any]:
    """HR launches in a background thread (the task runs there, eagerly, as a worker would); this thread polls
    the cycle's progress the way the cycle page does."""
    from django.db import connection

    from fairmark.reviews.models import Cycle, CycleStatus
    from fairmark.reviews.services import cycles

    failure: list[BaseException] = []

    def work() -> None:
        try:
            cycles.cycle_launch(actor=hr, cycle=Cycle.objects.get(pk=cycle_id))
        except Exception as error:  # noqa: BLE001 - re-raised by the main thread
            failure.append(error)
        finally:
            connection.close()

    samples: list[tuple[float, int, int, str]] = []
    thread = threading.Thread(target=work, name="launch")
    start = time.perf_counter()
    thread.start()
    while True:
        status, done, total = Cycle.objects.filter(pk=cycle_id).values_list(
            "status", "launch_done", "launch_total").get()
        samples.append((time.perf_counter() - start, done, total, status))
        if status != CycleStatus.LAUNCHING and not thread.is_alive():
            break
        thread.join(POLL_SECONDS)
    thread.join()
    seconds = time.perf_counter() - start
    if failure:
        raise failure[0]
    launching = [s for s in samples if s[3] == CycleStatus.LAUNCHING and s[2] > 0]
    progress = [s for s in launching if s[1] > 0]
    return {"launch_s": round(seconds, 2), "progress_samples": len(launching),
            "progress_steps": sorted({s[1] for s in launching}),
            "first_progress_s": round(progress[0][0], 2) if progress else None}


def run(size: int, per_department: int, database_kind: str) -> dict[str, Any]:
    from fairmark.reviews.models import Cycle, CycleStatus, Review

    org = build_org(size, per_department)
    data, rated = build_indicators(2, 1)
    operators = build_template("line_ops", ["OP"], data, rated, adjustment=True)
    leaders = build_template("line_leaders", ["LL"], data[:1], [], adjustment=False)
    cycle = build_cycle(org)
    figures = launch_in_background(org["hr"], cycle.pk)
    cycle = Cycle.objects.get(pk=cycle.pk)
    reviews = Review.objects.filter(cycle=cycle)
    created = reviews.count()
    computed = reviews.filter(computed_at__isnull=False).count()
    by_template = {operators.pk: 0, leaders.pk: 0}
    for template_id in reviews.values_list("template_version_id", flat=True):
        by_template[template_id] = by_template.get(template_id, 0) + 1
    ok = (created == size == computed and cycle.status == CycleStatus.ACTIVE
          and cycle.launch_done == cycle.launch_total == size and sum(by_template.values()) == size
          and by_template[leaders.pk] == -(-size // per_department))
    steps = figures.pop("progress_steps")
    details = {"bench": "review_launch", "progress_done_seen": steps[:20], "departments": -(-size // per_department),
               "by_template": {"operators": by_template[operators.pk], "leaders": by_template[leaders.pk]},
               "database": database_kind, "cpus": os.cpu_count(), "python": platform.python_version(), "ok": ok}
    return {"people": size, "reviews": created, **figures, "details": details}


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000, help="people in the company (CI: 500)")
    parser.add_argument("--department", type=int, default=50, help="people per department")
    args = parser.parse_args()
    with database("_review_launch") as kind:
        figures = run(args.size, args.department, kind)
    details = figures.pop("details")
    print(json.dumps(details))
    print(json.dumps(figures))
    return 0 if details["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
