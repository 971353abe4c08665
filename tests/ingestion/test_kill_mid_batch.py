"""A server killed with SIGKILL in the middle of a batch leaves all of the batch or none of it; the retry with the
same idempotency key completes it, and one more retry changes nothing (issue 4 acceptance, ADR 0006).

The server is a real gunicorn process. On PostgreSQL it works on the test database itself, which is why the
test is transactional: what it sets up must be committed for another process to see it. SQLite's test
database lives in this process's memory, so it is copied to a file for the server and read back afterwards."""

from __future__ import annotations

import gzip
import http.client
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.db import connection

from fairmark.ingestion.models import Batch, MetricValue

from .support import URL, build_mes, row

pytestmark = pytest.mark.django_db(transaction=True)

ROWS = 50_000
KEY = "mes-kill-1"
START_TIMEOUT = 90
REQUEST_TIMEOUT = 300
SPILLED = 4 << 20  # bytes of WAL written since the push began: the batch's transaction is under way


@dataclass
class Database:
    """Where the server finds the test database, and how to move data between this process and it."""

    url: str
    to_server: Callable[[], None]
    from_server: Callable[[], None]
    mid_batch: Callable[[], Any]  # something true-ish once the server is writing the batch
    after_kill: Callable[[Any], None]


def _postgres() -> Database:
    s = connection.settings_dict
    auth = quote(s["USER"] or "", safe="") + (f":{quote(s['PASSWORD'], safe='')}" if s["PASSWORD"] else "")
    url = f"postgres://{auth}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{quote(s['NAME'], safe='')}"

    def copying() -> int | None:
        # The values go in by COPY: while it runs, part of the batch is in the table, uncommitted.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                           "AND pid <> pg_backend_pid() AND state = 'active' AND query LIKE 'COPY%'")
            found = cursor.fetchone()
        return found[0] if found else None

    def gone(backend: int) -> None:
        # A COMMIT already sent would still finish: count only once the dead server's backend has ended.
        deadline = time.monotonic() + 60
        while True:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [backend])
                if cursor.fetchone() is None:
                    return
            assert time.monotonic() < deadline, "the killed server's database session did not end"
            time.sleep(0.05)

    return Database(url, lambda: None, lambda: None, copying, gone)


def _sqlite(directory: Path) -> Database:
    path = directory / "fairmark.sqlite3"
    wal = path.with_name(path.name + "-wal")
    before: list[int] = []  # the WAL's size at the first look, once the push is on its way

    def to_server() -> None:
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()

    def from_server() -> None:
        source = sqlite3.connect(path)  # opening it recovers: frames of an uncommitted transaction are ignored
        try:
            source.backup(connection.connection)
        finally:
            source.close()

    def spilling() -> bool:
        # Past the page cache, SQLite writes the open transaction's pages to the WAL before its commit.
        size = wal.stat().st_size if wal.exists() else 0
        before[:] = before or [size]
        return size - before[0] >= SPILLED

    return Database(f"sqlite:///{path}", to_server, from_server, spilling, lambda _found: None)


@pytest.fixture
def database(tmp_path: Path) -> Database:
    if connection.vendor == "postgresql":
        return _postgres()
    if connection.vendor == "sqlite":
        return _sqlite(tmp_path)
    pytest.skip(f"a server process on {connection.vendor} is not set up here")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _request(port: int, method: str, path: str, body: bytes | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    client = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    try:
        client.request(method, path, body=body, headers=headers or {})
        response = client.getresponse()
        return response.status, response.read()
    finally:
        client.close()


@contextmanager
def served(database: Database, directory: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": database.url, "DJANGO_SETTINGS_MODULE": "fairmark.config.test_settings",
           "FAIRMARK_VAR_DIR": str(directory / "var"), "LOG_LEVEL": "WARNING"}
    log_path = directory / "server.log"
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "fairmark.config.wsgi:application", f"--bind=127.0.0.1:{port}",
             "--workers=1", f"--timeout={REQUEST_TIMEOUT}", "--no-control-socket"],
            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            deadline = time.monotonic() + START_TIMEOUT
            while True:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the server did not start:\n{log_path.read_text()[-3000:]}")
                try:
                    if _request(port, "GET", "/api/v1/health")[0] == 200:
                        break
                except OSError:
                    time.sleep(0.2)
            yield process, port
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)  # its own session: gunicorn and its worker
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()


def _body() -> bytes:
    rows = [row(i, subject=("L1", "L2")[i % 2], day=i // 2) for i in range(ROWS)]
    return gzip.compress(json.dumps({"idempotency_key": KEY, "rows": rows}).encode(), compresslevel=1)


def _push(port: int, body: bytes, key: str) -> tuple[int, bytes]:
    return _request(port, "POST", URL, body, {"Content-Type": "application/json", "Content-Encoding": "gzip",
                                              "Authorization": f"Bearer {key}", "Accept-Language": "en"})


def _stored(source: Any) -> tuple[int, int, int]:
    """Values, distinct row keys, and batch rows with the test's idempotency key."""
    values = MetricValue.objects.filter(source=source)
    return (values.count(), values.values("row_key").distinct().count(),
            Batch.objects.filter(source=source, idempotency_key=KEY).count())


def _kill_mid_batch(database: Database, process: subprocess.Popen[bytes], sending: Future[Any]) -> Any:
    deadline = time.monotonic() + REQUEST_TIMEOUT
    while not (found := database.mid_batch()):
        if sending.done():
            pytest.fail(f"the server answered before it could be killed mid-batch: {sending.result()[0]}")
        assert time.monotonic() < deadline, "the server never started writing the batch"
        time.sleep(0.002)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    return found


def test_a_server_killed_mid_batch_leaves_all_or_nothing_and_the_retry_completes_it(
        world: Any, database: Database, tmp_path: Path) -> None:
    mes = build_mes(world)
    body = _body()
    database.to_server()
    with served(database, tmp_path) as (process, port), ThreadPoolExecutor(max_workers=1) as pool:
        sending = pool.submit(_push, port, body, mes.key)
        found = _kill_mid_batch(database, process, sending)
        with pytest.raises((OSError, http.client.HTTPException)):
            sending.result(timeout=60)  # no answer: the server died with the request
    database.after_kill(found)
    database.from_server()
    after_kill = _stored(mes.source)
    assert after_kill in {(0, 0, 0), (ROWS, ROWS, 1)}, after_kill

    with served(database, tmp_path) as (_process, port):
        status, answer = _push(port, body, mes.key)
        assert status == (201 if after_kill[2] == 0 else 200), answer[:500]
        assert json.loads(answer)["counts"]["accepted"] == ROWS
        database.from_server()
        assert _stored(mes.source) == (ROWS, ROWS, 1)

        status, answer = _push(port, body, mes.key)
        assert status == 200, answer[:500]
        assert json.loads(answer)["repeated"] is True
    database.from_server()
    assert _stored(mes.source) == (ROWS, ROWS, 1)
    assert not MetricValue.objects.filter(source=mes.source).exclude(version=1, current=True).exists()
