"""Benchmark: import N employees from a real .xlsx workbook on SQLite (read + check + commit).

    .venv/bin/python bench/import_employees.py --size 10000     # the target: well under 30 s
    .venv/bin/python bench/import_employees.py --size 500       # the small size CI runs

It makes its own SQLite database in a temporary directory (the settings read DATABASE_URL and
FAIRMARK_VAR_DIR), builds a company of 40 departments, then a workbook in which managers come after
their reports, and times each step. The last line printed is JSON. Figures go in docs/performance.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def _setup(directory: Path) -> None:
    os.environ["FAIRMARK_VAR_DIR"] = str(directory)
    os.environ["DATABASE_URL"] = f"sqlite:///{directory / 'bench.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "fairmark.config.settings"
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def _company() -> Any:
    from fairmark.accounts.models import User
    from fairmark.core.access import Role
    from fairmark.org.models import Company, Department, Level, Position, RoleGrant

    company = Company.objects.create(code="BENCH", name="基准电池")
    root = Department.objects.create(company=company, code="ROOT", name="总部")
    root.path, root.depth = f"/{root.pk}/", 0
    root.save()
    for i in range(40):
        d = Department.objects.create(company=company, code=f"D{i:02d}", name=f"车间{i}", parent=root)
        d.path, d.depth = f"{root.path}{d.pk}/", 1
        d.save()
    Position.objects.bulk_create([Position(code=f"P{i}", name=f"岗位{i}") for i in range(10)])
    Level.objects.bulk_create([Level(code=f"L{i}", name=f"L{i}", rank=i) for i in range(8)])
    hr = User.objects.create_user(username="bench-hr", password="bench-pw-not-used")
    RoleGrant.objects.create(user=hr, role=Role.HR_ADMIN)
    return hr


def _workbook(size: int) -> bytes:
    from openpyxl import Workbook

    from fairmark.org.importing.columns import EMPLOYEE_COLUMNS

    leaders = max(1, size // 20)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("员工")
    sheet.append([c.zh for c in EMPLOYEE_COLUMNS])
    for i in range(size):
        is_leader = i >= size - leaders  # leaders last: managers are resolved in a second pass
        manager = "" if is_leader else f"B{size - leaders + i % leaders:06d}"
        sheet.append([
            f"B{i:06d}", f"员工{i}", f"D{i % 40:02d}", f"P{i % 10}", f"L{i % 8}", manager,
            dt.date(2020, 1, 1) + dt.timedelta(days=i % 1500), "", "在职", "宁德", f"CC{i % 40}",
            f"b{i}@example.com", f"138{i:08d}",
        ])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000, help="rows in the workbook (CI: 500)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="fairmark-bench-") as tmp:
        _setup(Path(tmp))
        from fairmark.audit.verification import verify_chain
        from fairmark.org.importing.readers import read_table
        from fairmark.org.models import Assignment, Employee
        from fairmark.org.services.imports import employees_import

        hr = _company()
        data = _workbook(args.size)

        cpu_start = time.process_time()
        start = time.perf_counter()
        table = read_table(data)
        read = time.perf_counter()
        check = employees_import(actor=hr, rows=table, dry_run=True)
        checked = time.perf_counter()
        result = employees_import(actor=hr, rows=table, dry_run=False)  # checks again, then writes
        done = time.perf_counter()
        cpu = time.process_time() - cpu_start

        ok = (result.committed and Employee.objects.count() == args.size
              and Assignment.objects.count() == args.size and verify_chain() is None)
        figures = {
            "bench": "import_employees",
            "rows": args.size,
            "seconds": round(done - start - (checked - read), 2),  # read + check + commit, as the page does
            "cpu_seconds": round(cpu, 2),  # all three steps; steadier than wall time on a busy machine
            "read_seconds": round(read - start, 2),
            "dry_run_seconds": round(checked - read, 2),
            "check_and_commit_seconds": round(done - checked, 2),
            "workbook_bytes": len(data),
            "database": "sqlite",
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "ok": ok and check.report.ok,
        }
        print(json.dumps(figures))
        return 0 if figures["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
