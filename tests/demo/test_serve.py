"""`fairmark demo` end to end: it creates the company, serves it with gunicorn and the worker on
the embedded SQLite + SQL-transport setup, and the health endpoint, sign-in and static files work."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from fairmark.demo.generator import DEMO_PASSWORD

START_TIMEOUT = 90


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _health(base: str) -> dict[str, str]:
    try:
        with urllib.request.urlopen(f"{base}/api/v1/health", timeout=5) as response:
            return dict(json.load(response))
    except OSError:
        return {}


def _sign_in(base: str, username: str) -> str:
    """Sign in through the login form; return the path the browser ends on."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    with opener.open(f"{base}/accounts/login/", timeout=10) as response:
        page = response.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token, "the login page has a CSRF token"
    form = urllib.parse.urlencode({"username": username, "password": DEMO_PASSWORD,
                                   "csrfmiddlewaretoken": token.group(1)}).encode()
    with opener.open(f"{base}/accounts/login/", data=form, timeout=10) as response:
        assert response.status == 200
        return urllib.parse.urlparse(response.geturl()).path


@pytest.fixture
def served(tmp_path: Path):  # type: ignore[no-untyped-def]
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL"}}
    env.update(DJANGO_SETTINGS_MODULE="fairmark.config.settings", FAIRMARK_VAR_DIR=str(tmp_path / "var"))
    log = (tmp_path / "demo.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "fairmark.cli", "demo", "--size", "60", "--port", str(port)],
        cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline and _health(base).get("worker") != "ok":
            assert process.poll() is None, (tmp_path / "demo.log").read_text()
            time.sleep(0.5)
        yield base, tmp_path
    finally:
        os.killpg(process.pid, signal.SIGTERM)  # our own child's process group: serve, gunicorn, worker
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()


def test_demo_serves_with_a_live_worker(served: tuple[str, Path]) -> None:
    base, tmp_path = served
    health = _health(base)
    assert health == {**health, "status": "ok", "database": "ok", "migrations": "ok", "worker": "ok"}, (
        (tmp_path / "demo.log").read_text())
    assert _sign_in(base, "employee") == "/"
    assert _sign_in(base, "admin") == "/accounts/2fa/setup/"  # admins enrol in TOTP first
    with urllib.request.urlopen(f"{base}/static/fairmark/fairmark.css", timeout=10) as response:
        assert response.status == 200
        assert response.read()
    output = (tmp_path / "demo.log").read_text()
    assert "hrbp" in output
    assert DEMO_PASSWORD in output
    assert (tmp_path / "var" / "fairmark.sqlite3").exists()
    assert (tmp_path / "var" / "broker.sqlite3").exists()
