"""A fresh database gets the shipped library after its first migrate, and only then."""

from __future__ import annotations

import pytest

from fairmark.audit.models import AuditEvent
from fairmark.indicators import library
from fairmark.indicators.models import Indicator, LibraryInstall, Template
from fairmark.indicators.services.library import install_after_migrate

pytestmark = pytest.mark.django_db


def test_post_migrate_installs_once_into_an_empty_database(settings) -> None:
    settings.FAIRMARK_INSTALL_LIBRARY_ON_MIGRATE = False
    install_after_migrate(sender=None)
    assert not Indicator.objects.exists()  # switched off (as in the test settings)

    settings.FAIRMARK_INSTALL_LIBRARY_ON_MIGRATE = True
    install_after_migrate(sender=None)
    assert Indicator.objects.count() == len(library.load_indicators())
    assert Template.objects.count() == len(library.load_templates())
    assert AuditEvent.objects.filter(action="library.install").count() == 1

    Indicator.objects.filter(code="output").update(retired=True)
    install_after_migrate(sender=None)  # a later migrate: the library is there, nothing is touched
    assert LibraryInstall.objects.count() == 1
    assert Indicator.objects.get(code="output").retired
