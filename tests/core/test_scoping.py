from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory, override_settings
from django.urls import path
from django.views import View

from fairmark.core.checks import unscoped_views
from fairmark.core.scoping import ScopedListView
from fairmark.org.models import Employee


class ForgetfulView(View):
    """A view that shows data without naming a selector."""


class QuerysetView(ScopedListView):
    queryset = Employee.objects.all()
    selector = staticmethod(lambda user: Employee.objects.none())


urlpatterns = [path("leak/", ForgetfulView.as_view(), name="leak")]


def test_the_project_has_no_unscoped_views() -> None:
    assert unscoped_views() == []


@override_settings(ROOT_URLCONF=__name__)
def test_the_system_check_catches_a_view_without_a_selector() -> None:
    from fairmark.core import checks

    ForgetfulView.__module__ = "fairmark.fake"
    try:
        errors = checks.check_views_are_scoped(None)
    finally:
        ForgetfulView.__module__ = __name__
    assert [e.id for e in errors] == ["fairmark.E001"]
    assert "leak/" in errors[0].msg


def test_a_queryset_attribute_is_refused(rf: RequestFactory, db) -> None:  # type: ignore[no-untyped-def]
    view = QuerysetView()
    view.request = rf.get("/")
    with pytest.raises(ImproperlyConfigured):
        view.get_queryset()
