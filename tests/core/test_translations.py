"""zh-Hans must be complete: every message translated, nothing fuzzy (Django ignores fuzzy entries)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client
from django.utils import translation

import fairmark

LOCALE = Path(fairmark.__file__).parent / "locale"


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext's msgfmt is installed by scripts/setup")
def test_chinese_catalogue_is_complete() -> None:
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(LOCALE / "zh_Hans/LC_MESSAGES/django.po")],
        capture_output=True, text=True, check=True,
    )
    stats = result.stderr
    assert "translated messages" in stats
    assert "untranslated" not in stats, stats
    assert "fuzzy" not in stats, stats


def test_pages_speak_chinese_by_default_and_english_on_request(world, client_as) -> None:  # type: ignore[no-untyped-def]
    page = Client(HTTP_ACCEPT_LANGUAGE="zh-CN").get("/accounts/login/").content.decode()
    assert "登录" in page
    page = Client(HTTP_ACCEPT_LANGUAGE="en-US").get("/accounts/login/").content.decode()
    assert "Sign in to Fairmark" in page
    with translation.override("zh-hans"):
        assert translation.gettext("Org chart") == "组织架构图"
    problem = client_as("hr").post("/api/v1/employees/", data="{}", content_type="application/json",
                                   HTTP_ACCEPT_LANGUAGE="zh-CN").json()
    assert problem["title"] != "Invalid input"
