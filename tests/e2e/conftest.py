"""Browser tests (DESIGN.md §5 "Tests and benchmarks"): Playwright's sync API driving Debian's Chromium
against pytest-django's live server, on the small company of tests/world.py.

One browser per session, a fresh context (cookies, locale, viewport) per page the test opens. Every
context records the URL of every request it makes, and the fixture fails the test if any of them left
the live server: Fairmark must work on closed networks.

Run: .venv/bin/pytest -m e2e tests/e2e -p no:cacheprovider -q
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyotp
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright

from tests.world import PASSWORD, TOTP_SECRET, World

CHROMIUM = os.environ.get("FAIRMARK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    # Without these Chromium calls Google (component updates, variations, sync); closed networks refuse it.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 10_000

expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    # Playwright's sync API runs an event loop in the test thread; without this Django refuses ORM calls
    # made by the test (building the world, checking rows) from that thread. Set here rather than at import
    # so that collecting this file (the normal suite does, then deselects) leaves the other tests alone.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        yield p
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@dataclass
class Session:
    """One browser context and its page, with everything it asked the network for."""

    context: BrowserContext
    page: Page
    base_url: str
    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def foreign_requests(self) -> list[str]:
        # data: URLs (Bootstrap's inline SVG icons) never touch the network.
        return [u for u in self.requests if not (u.startswith(self.base_url + "/") or u.startswith("data:"))]


@pytest.fixture
def e2e_world(playwright_instance: Playwright, transactional_db: Any, live_server: Any, world: World) -> World:
    """The world, committed where the live server's thread can see it."""
    return world


@pytest.fixture
def open_session(browser: Browser, live_server: Any, e2e_world: World) -> Iterator[Callable[..., Session]]:
    """open_session(locale="en-US", mobile=False) → a new context and page on the live server."""
    sessions: list[Session] = []
    base_url = live_server.url.rstrip("/")

    def make(locale: str = "en-US", mobile: bool = False) -> Session:
        options: dict[str, Any] = {"locale": locale, "base_url": base_url}
        if mobile:
            options.update(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
        else:
            options.update(viewport=DESKTOP)
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        session = Session(context=context, page=page, base_url=base_url)
        context.on("request", lambda request: session.requests.append(request.url))
        # Recorded above, then refused: a test never waits on, or talks to, the outside world.
        context.route(lambda url: not url.startswith(base_url + "/"), lambda route: route.abort("blockedbyclient"))
        page.on("console", lambda msg: session.console_errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda error: session.console_errors.append(str(error)))
        sessions.append(session)
        return session

    yield make
    for session in sessions:
        session.context.close()
    leaks = [url for session in sessions for url in session.foreign_requests()]
    assert not leaks, f"requests left the server: {leaks}"


def totp_code(offset_steps: int = 0) -> str:
    return pyotp.TOTP(TOTP_SECRET).at(time.time() + 30 * offset_steps)


def wrong_totp_code() -> str:
    """Six digits that are not the code of the previous, current or next step."""
    valid = {totp_code(-1), totp_code(0), totp_code(1)}
    return next(c for c in (f"{n:06d}" for n in range(123456, 10**6, 7919)) if c not in valid)


def login(page: Page, role: str, *, code: str | None = None) -> None:
    """Sign in through the real form; the system admin also passes the second step."""
    page.goto("/accounts/login/")
    form = page.get_by_test_id("login-form")
    form.locator("#id_username").fill(role)
    form.locator("#id_password").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    if role == "admin":
        page.wait_for_url("**/accounts/2fa/**")
        page.locator("#id_code").fill(code or totp_code())
        page.locator("main button[type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/" not in url)
    expect(page.get_by_test_id("main-nav")).to_be_attached()


def _has_cjk_font() -> bool:
    if not shutil.which("fc-list"):
        return True  # cannot tell
    return bool(subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, check=False).stdout.strip())


@pytest.fixture(scope="session", autouse=True)
def cjk_font_check() -> None:
    """Without a Chinese font, screenshots show empty boxes for every name (apt-get install fonts-wqy-microhei)."""
    if not _has_cjk_font():
        warnings.warn("no CJK font installed: Chinese text in screenshots will be boxes", stacklevel=1)


def shoot(page: Page, name: str, *, full_page: bool = True) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    page.screenshot(path=str(path), full_page=full_page)
    return path


def visit(page: Page, path: str) -> int:
    """Open a page and return the HTTP status of the document."""
    response = page.goto(path)
    assert response is not None, path
    return response.status
