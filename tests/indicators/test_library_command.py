"""`fairmark library install|check`."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from fairmark.indicators.models import Indicator, LibraryInstall

pytestmark = pytest.mark.django_db


def test_install_adds_the_library_then_nothing() -> None:
    out = io.StringIO()
    call_command("library", "install", stdout=out)
    assert "Added 70 indicators and 10 templates" in out.getvalue()
    assert Indicator.objects.count() == 70
    Indicator.objects.filter(code="output").delete()
    out = io.StringIO()
    call_command("library", "install", stdout=out)
    assert "Added 1 indicators and 0 templates" in out.getvalue()
    assert "+ output" in out.getvalue()
    out = io.StringIO()
    call_command("library", "install", stdout=out)
    assert "Nothing to add" in out.getvalue()
    assert LibraryInstall.objects.count() == 2


def test_check_validates_the_shipped_files() -> None:
    out = io.StringIO()
    call_command("library", "check", stdout=out)
    assert "70 indicators, 10 templates, valid" in out.getvalue()
