"""API of the indicator library and the templates (filled in below)."""

from typing import Any

from django.urls import URLPattern


def register(router: Any) -> None:
    """Register this app's viewsets on the /api/v1/ router."""


urlpatterns: list[URLPattern] = []
