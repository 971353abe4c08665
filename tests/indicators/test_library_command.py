"""`fairmark library install|check`."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from fairmark.indicators import library
from fairmark.indicators.models import Indicator, LibraryInstall

pytestmark = pytest.mark.django_db


def test_install_adds_the_library_then_nothing() -> None:
    shipped_indicators, shipped_templates = len(library.load_indicators()), len(library.load_templates())
    out = io.StringIO()
    call_command("library", "install", stdout=out)
    assert f"Added {shipped_indicators} indicators and {shipped_templates} templates" in out.getvalue()
    assert Indicator.objects.count() == shipped_indicators
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
    shipped = f"{len(library.load_indicators())} indicators, {len(library.load_templates())} templates, valid"
    assert shipped in out.getvalue()
