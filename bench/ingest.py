"""Benchmark: the push API end to end (HTTP → validated → committed) on PostgreSQL and on SQLite, and the same
rows loaded by raw PostgreSQL COPY into the same table.

    .venv/bin/python bench/ingest.py                  # 100,000 rows in batches of 10,000, best of 3 runs
    .venv/bin/python bench/ingest.py --size 500       # the small size CI runs
    .venv/bin/python bench/ingest.py --profile        # where one batch's time goes (cProfile, in-process, PostgreSQL)

DATABASE_URL names a PostgreSQL database the benchmark may fill (default below; created and migrated when
missing). SQLite is a fresh file in a temporary directory. Each run adds a push source with its own key, and a
second source for the COPY rows, so runs never collide and every row is new (nothing is classified as
unchanged). The app runs under gunicorn as deployed (sync workers, DB_CONN_MAX_AGE set: Django's default of 0
reopens the database on every request); the client posts gzip bodies of --batch rows, each with a new
idempotency key, one after the other, and checks that every answer accepted all its rows and that the
table holds them afterwards. Building the bodies and the COPY tuples is not timed; from the first request to
the last answer is. COPY loads the same rows, typed as storing.insert_values gets them (storing.COLUMNS,
Decimal values), with psycopg 3 `cursor.copy()`, one COPY and commit per batch: in binary, as insert_values
does (the baseline), and for reference in text (psycopg's default) and into a bare copy of the table (no
indexes, no foreign keys). API and COPY runs alternate. The run's values
are deleted at the end, so the database does not grow from run to run. The last line printed is JSON;
`ratio_api_to_copy` is the target of issue 4 (at least 0.5), `sqlite_to_pg` the other (at least 0.5).
Figures go in docs/performance.md.
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import json
import os
import platform
import random
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/fairmark_bench"
PUSH_URL = "/api/v1/ingest/batches"
START_TIMEOUT = 90
LINES = [f"BL{n:02d}" for n in range(20)]
MACHINES = [f"BM{n:03d}" for n in range(50)]
# metric code → value type, unit, subject type, subjects
METRICS = {
    "bench_output": ("integer", "pcs", "line", LINES),
    "bench_defect_rate": ("decimal", "%", "line", LINES),
    "bench_energy_kwh": ("decimal", "kWh", "machine", MACHINES),
}
FIRST_DAY = date(2024, 1, 1)
# Binary is how storing.insert_values copies, so it is the baseline; text is psycopg's default, for reference.
COPY_KINDS = ("copy", "copy_text")


# ------------------------------------------------------------------------------------------ the data

def build_rows(size: int, seed: int, prefix: str) -> list[dict[str, Any]]:
    """A MES's daily figures: output and defect rate per line, energy per machine; decimals sent as JSON
    numbers (1.37), which the API must keep exact."""
    rng = random.Random(seed)
    codes = list(METRICS)
    rows = []
    for index in range(size):
        code = codes[index % len(codes)]
        _kind, _unit, subject_type, subjects = METRICS[code]
        step = index // len(codes)
        subject = subjects[step % len(subjects)]
        day = (FIRST_DAY + timedelta(days=step // len(subjects))).isoformat()
        value: int | float
        if code == "bench_output":
            value = rng.randint(800, 1200)
        elif code == "bench_defect_rate":
            value = round(rng.uniform(0.2, 3.0), 2)
        else:
            value = round(rng.uniform(100, 900), 1)
        rows.append({"row_key": f"{prefix}-{code}-{subject}-{day}", "metric": code, "subject_type": subject_type,
                     "subject": subject, "period": day, "value": value})
    return rows


def chunks(rows: list[dict[str, Any]], size: int) -> list[list[dict[str, Any]]]:
    return [rows[start:start + size] for start in range(0, len(rows), size)]


def copy_tuples(rows: list[dict[str, Any]], setup: dict[str, Any], source_id: int,
                batch_id: int) -> list[tuple[Any, ...]]:
    received_at = datetime.now(UTC)
    out = []
    for index, row in enumerate(rows):
        day = date.fromisoformat(row["period"])
        fields = {
            "metric_id": setup["metrics"][row["metric"]], "subject_type": row["subject_type"],
            "subject_id": setup["subjects"][f"{row['subject_type']}:{row['subject']}"], "period": row["period"],
            "period_start": day, "period_end": day, "at": None,
            "value": Decimal(repr(row["value"])),  # the JSON text, as the API decodes it: never a float
            "text_value": "", "source_id": source_id, "row_key": row["row_key"], "batch_id": batch_id,
            "row_index": index, "version": 1, "current": True, "received_at": received_at, "outlier_score": None,
        }
        out.append(tuple(fields[column] for column in setup["columns"]))
    return out


# ------------------------------------------------------------------------------- inside Django (--role)

def _django(url: str) -> None:
    os.environ.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="fairmark.config.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def prepare(run: str, copy_batches: int) -> dict[str, Any]:
    """Migrate; the metrics, subjects and a source manager (kept between runs); this run's push source with
    a key, and a source per kind of COPY with one Batch row per COPY batch (values need a batch)."""
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from fairmark.accounts.models import User
    from fairmark.core.access import SYSTEM, Role
    from fairmark.ingestion.models import Batch, Channel, Grain, Metric, MetricValue, SourceKind, Subject
    from fairmark.ingestion.services.metrics import metric_create
    from fairmark.ingestion.services.sources import source_create, source_key_issue
    from fairmark.ingestion.services.storing import COLUMNS, copy_types
    from fairmark.ingestion.services.subjects import subject_create
    from fairmark.org.models import RoleGrant

    call_command("migrate", verbosity=0)
    with transaction.atomic():
        manager, created = User.objects.get_or_create(username="bench-ingest")
        if created:
            RoleGrant.objects.create(user=manager, role=Role.HR_ADMIN)
        metrics = [Metric.objects.filter(code=code).first() or metric_create(
            actor=SYSTEM, code=code, name_zh=code, unit=unit, value_type=kind, min_value=Decimal(0), grain=Grain.DAY,
            subject_types=[subject_type]) for code, (kind, unit, subject_type, _subjects) in METRICS.items()]
        subjects = {}
        for kind, codes in (("line", LINES), ("machine", MACHINES)):
            for code in codes:
                subject = (Subject.objects.filter(type=kind, code=code).first()
                           or subject_create(actor=SYSTEM, type=kind, code=code, name_zh=code))
                subjects[f"{kind}:{code}"] = subject.pk
        api = source_create(actor=manager, code=f"bench_api_{run}", name=f"bench API {run}", kind=SourceKind.PUSH,
                            metrics=metrics)
        _token, key = source_key_issue(actor=manager, source=api)
        copies = {}
        for kind in COPY_KINDS:
            copy = source_create(actor=manager, code=f"bench_{kind}_{run}", name=f"bench {kind} {run}",
                                 kind=SourceKind.PUSH, metrics=metrics)
            copies[kind] = {"source_id": copy.pk, "batches": [
                Batch.objects.create(source=copy, idempotency_key=f"copy-{n}", channel=Channel.API,
                                     received_at=timezone.now(), content_hash="", payload=b"").pk
                for n in range(copy_batches)]}
    return {"key": key, "api_source_id": api.pk, "copies": copies,
            "metrics": {metric.code: metric.pk for metric in metrics}, "subjects": subjects,
            "columns": list(COLUMNS), "types": copy_types(), "table": MetricValue._meta.db_table}


def profile(url: str, batch: int, seed: int) -> None:
    """Two batches through Django's test client in this process; the second is profiled."""
    import cProfile
    import pstats

    _django(url)
    from django.test import Client

    setup = prepare(uuid.uuid4().hex[:8], 0)
    client = Client()
    headers = {"Authorization": f"Bearer {setup['key']}", "Content-Encoding": "gzip", "Accept-Language": "en"}
    bodies = [_body(build_rows(batch, seed + n, f"p{n}"), f"profile-{n}") for n in range(2)]
    for n, body in enumerate(bodies):
        profiler = cProfile.Profile() if n else None
        start = time.perf_counter()
        if profiler:
            profiler.enable()
        answer = client.post(PUSH_URL, data=body, content_type="application/json", headers=headers)
        if profiler:
            profiler.disable()
        assert answer.status_code == 201, answer.content[:500]
        print(f"batch {n}: {batch} rows in {time.perf_counter() - start:.3f} s{' (profiled)' if profiler else ''}")
        if profiler:
            stats = pstats.Stats(profiler).strip_dirs()
            stats.sort_stats("tottime").print_stats(25)
            stats.sort_stats("cumulative").print_stats(40)


# --------------------------------------------------------------------------------------- the driver

def _body(rows: list[dict[str, Any]], idempotency_key: str) -> bytes:
    return gzip.compress(json.dumps({"idempotency_key": idempotency_key, "rows": rows}).encode(), compresslevel=6)


def _ensure_database(url: str) -> str:
    with psycopg.connect(url, dbname="postgres", autocommit=True) as admin:
        name = psycopg.conninfo.conninfo_to_dict(url).get("dbname") or "postgres"
        if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(str(name))))
        return str(admin.info.parameter_status("server_version"))


def _run_role(url: str, var_dir: Path, *args: str) -> dict[str, Any]:
    env = {**os.environ, "DATABASE_URL": url, "FAIRMARK_VAR_DIR": str(var_dir), "LOG_LEVEL": "WARNING"}
    done = subprocess.run([sys.executable, str(Path(__file__).resolve()), *args], env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"{' '.join(args)} failed:\n{done.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _status(port: int, method: str, path: str, body: bytes | None = None,
            headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    # gunicorn's sync workers close the connection after each answer: one connection per request.
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@contextmanager
def served(url: str, var_dir: Path, workers: int, log: Path) -> Iterator[int]:
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": url, "FAIRMARK_VAR_DIR": str(var_dir), "DB_CONN_MAX_AGE": "600",
           "DJANGO_SETTINGS_MODULE": "fairmark.config.settings", "LOG_LEVEL": "WARNING",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")]))}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "fairmark.config.wsgi:application", f"--bind=127.0.0.1:{port}",
             f"--workers={workers}", "--timeout=600", "--no-control-socket"],
            env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            deadline = time.monotonic() + START_TIMEOUT
            while True:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not start:\n{log.read_text()[-4000:]}")
                try:
                    if _status(port, "GET", "/api/v1/health")[0] == 200:
                        break
                except OSError:
                    time.sleep(0.2)
            yield port
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def push_all(port: int, key: str, bodies: list[tuple[bytes, int]]) -> float:
    headers = {"Content-Type": "application/json", "Content-Encoding": "gzip", "Authorization": f"Bearer {key}",
               "Accept-Language": "en"}
    start = time.perf_counter()
    for body, count in bodies:
        status, answer = _status(port, "POST", PUSH_URL, body, headers)
        if status != 201:
            raise RuntimeError(f"the API answered {status}: {answer[:1000]!r}")
        counts = json.loads(answer)["counts"]
        if counts["accepted"] != count or counts["rejected"]:
            raise RuntimeError(f"not every row was accepted: {counts}")
    return time.perf_counter() - start


def copy_all(url: str, table: str, setup: dict[str, Any], batches: list[list[tuple[Any, ...]]],
             binary: bool = True) -> float:
    statement = sql.SQL("COPY {} ({}) FROM STDIN{}").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, setup["columns"])),
        sql.SQL(" (FORMAT BINARY)" if binary else ""))
    with psycopg.connect(url) as connection:
        start = time.perf_counter()
        for rows in batches:
            with connection.cursor() as cursor, cursor.copy(statement) as copy:
                if binary:
                    copy.set_types(setup["types"])
                for row in rows:
                    copy.write_row(row)
            connection.commit()
        return time.perf_counter() - start


@contextmanager
def bare_table(url: str, like: str, run: str) -> Iterator[str]:
    """The table's columns without its indexes and foreign keys: what COPY does with nothing to check."""
    name = f"bench_ingest_bare_{run}"
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE TABLE {} (LIKE {} INCLUDING DEFAULTS INCLUDING IDENTITY)").format(
            sql.Identifier(name), sql.Identifier(like)))
        try:
            yield name
        finally:
            connection.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier(name)))


def stored_pg(url: str, table: str, source_id: int) -> int:
    with psycopg.connect(url) as connection:
        found = connection.execute(sql.SQL("SELECT count(*) FROM {} WHERE source_id = %s").format(
            sql.Identifier(table)), [source_id]).fetchone()
    return int(found[0]) if found else 0


def forget_pg(url: str, table: str, sources: list[int]) -> None:
    """Delete this run's values and batches: a database that grew by every run would slow later runs."""
    with psycopg.connect(url) as connection:
        connection.execute(sql.SQL("DELETE FROM {} WHERE source_id = ANY(%s)").format(sql.Identifier(table)),
                           [sources])
        connection.execute("DELETE FROM ingestion_batch WHERE source_id = ANY(%s)", [sources])


def stored_sqlite(path: Path, table: str, source_id: int) -> int:
    with sqlite3.connect(path) as connection:
        found = connection.execute(f"SELECT count(*) FROM {table} WHERE source_id = ?", [source_id]).fetchone()  # noqa: S608
    return int(found[0])


class Plan:
    """The rows of every timed run and their request bodies, built before any timing (the COPY tuples too,
    in load_pg, once the database's ids are known), and the timings."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.run = uuid.uuid4().hex[:8]
        self.size, self.repeats = args.size, max(1, args.repeat)
        self.rows = [chunks(build_rows(args.size, args.seed + n, f"{self.run}r{n}"), args.batch)
                     for n in range(self.repeats)]
        self.bodies = [[(_body(chunk, f"{self.run}-r{n}-b{b}"), len(chunk)) for b, chunk in enumerate(batches)]
                       for n, batches in enumerate(self.rows)]
        self.per_run = len(self.rows[0])
        self.timings: dict[str, list[float]] = {
            kind: [] for kind in ("api_pg", "copy_pg", "copy_text_pg", "copy_bare_pg", "api_sqlite")}

    def prepare(self, url: str, var_dir: Path) -> dict[str, Any]:
        return _run_role(url, var_dir, "--role=prepare", f"--run={self.run}",
                         f"--copy-batches={self.per_run * self.repeats}")

    def timed(self, kind: str, run: int, seconds: float) -> None:
        self.timings[kind].append(seconds)
        print(f"{kind:14} run {run + 1}: {self.size} rows in {seconds:.3f} s = {self.size / seconds:,.0f} rows/s")

    def rate(self, kind: str, pick: Callable[[list[float]], float] = min) -> int:
        return round(self.size / pick(self.timings[kind]))


def _warm(port: int, key: str) -> None:
    # The first request opens the worker's database connection and imports the views: not part of the load.
    _status(port, "GET", f"{PUSH_URL}/0", headers={"Authorization": f"Bearer {key}"})


def load_pg(plan: Plan, url: str, var_dir: Path, workers: int) -> dict[str, int]:
    """API and COPY runs alternate, so a busy moment on the machine does not fall on one side only."""
    setup = plan.prepare(url, var_dir)
    copies = {kind: [[copy_tuples(chunk, setup, found["source_id"], found["batches"][n * plan.per_run + b])
                      for b, chunk in enumerate(run)] for n, run in enumerate(plan.rows)]
              for kind, found in setup["copies"].items()}
    sources = {"api_pg": setup["api_source_id"],
               **{f"{kind}_pg": found["source_id"] for kind, found in setup["copies"].items()}}
    table = setup["table"]
    try:
        with served(url, var_dir, workers, var_dir / "gunicorn-pg.log") as port, \
                bare_table(url, table, plan.run) as bare:
            _warm(port, setup["key"])
            for n in range(plan.repeats):
                plan.timed("api_pg", n, push_all(port, setup["key"], plan.bodies[n]))
                plan.timed("copy_pg", n, copy_all(url, table, setup, copies["copy"][n]))
                plan.timed("copy_text_pg", n, copy_all(url, table, setup, copies["copy_text"][n], binary=False))
                plan.timed("copy_bare_pg", n, copy_all(url, bare, setup, copies["copy"][n]))
        return {name: stored_pg(url, table, source) for name, source in sources.items()}
    finally:
        forget_pg(url, table, list(sources.values()))


def load_sqlite(plan: Plan, var_dir: Path, workers: int) -> dict[str, int]:
    path = var_dir / "bench.sqlite3"
    url = f"sqlite:///{path}"
    setup = plan.prepare(url, var_dir)
    with served(url, var_dir, workers, var_dir / "gunicorn-sqlite.log") as port:
        _warm(port, setup["key"])
        for n in range(plan.repeats):
            plan.timed("api_sqlite", n, push_all(port, setup["key"], plan.bodies[n]))
    return {"api_sqlite": stored_sqlite(path, setup["table"], setup["api_source_id"])}


def measure(args: argparse.Namespace, pg_url: str) -> dict[str, Any]:
    plan = Plan(args)
    with tempfile.TemporaryDirectory(prefix="fairmark-bench-") as tmp:
        stored = {**load_pg(plan, pg_url, Path(tmp), args.workers), **load_sqlite(plan, Path(tmp), args.workers)}
    ok = all(count == plan.size * plan.repeats for count in stored.values())
    if not ok:
        print(json.dumps({"expected": plan.size * plan.repeats, "stored": stored}), file=sys.stderr)
    api_pg, copy_pg, api_sqlite = plan.rate("api_pg"), plan.rate("copy_pg"), plan.rate("api_sqlite")
    return {
        "rows": args.size,
        "api_pg_rows_s": api_pg,
        "copy_pg_rows_s": copy_pg,
        "api_sqlite_rows_s": api_sqlite,
        "ratio_api_to_copy": round(api_pg / copy_pg, 3),
        "sqlite_to_pg": round(api_sqlite / api_pg, 3),
        "median_ratio_api_to_copy": round(plan.rate("api_pg", statistics.median)
                                          / plan.rate("copy_pg", statistics.median), 3),
        "copy_text_pg_rows_s": plan.rate("copy_text_pg"),
        "copy_bare_pg_rows_s": plan.rate("copy_bare_pg"),
        "bench": "ingest",
        "batch": args.batch,
        "batches": plan.per_run,
        "workers": args.workers,
        "runs": plan.repeats,
        **{f"median_{kind}_rows_s": plan.rate(kind, statistics.median) for kind in plan.timings},
        "cpus": os.cpu_count(),
        "load_1min": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
        "python": platform.python_version(),
        "postgresql": args.server_version,
        "sqlite": sqlite3.sqlite_version,
        "ok": ok,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000, help="rows per run (CI: 500)")
    parser.add_argument("--batch", type=int, default=10_000, help="rows per request (the API takes up to 50,000)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each (best is reported)")
    parser.add_argument("--workers", type=int, default=1, help="gunicorn workers (the client sends one at a time)")
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--profile", action="store_true", help="profile one batch in-process instead")
    parser.add_argument("--role", choices=["prepare"], help=argparse.SUPPRESS)
    parser.add_argument("--run", help=argparse.SUPPRESS)
    parser.add_argument("--copy-batches", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()

    pg_url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    if args.role == "prepare":
        _django(pg_url)
        print(json.dumps(prepare(str(args.run), args.copy_batches)))
        return 0
    if not pg_url.startswith(("postgres://", "postgresql://")):
        print(f"DATABASE_URL must name a PostgreSQL database, not {pg_url}", file=sys.stderr)
        return 2
    args.server_version = _ensure_database(pg_url)
    if args.profile:
        with tempfile.TemporaryDirectory(prefix="fairmark-bench-") as tmp:
            os.environ["FAIRMARK_VAR_DIR"] = tmp
            profile(pg_url, args.batch, args.seed)
        return 0
    result = measure(args, pg_url)
    print(json.dumps(result))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
