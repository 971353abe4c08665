from __future__ import annotations

import importlib
import pkgutil

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.world import ROLES

from .matrix import Case, check


def _all_cases() -> list[Case]:
    cases: list[Case] = []
    package = importlib.import_module("tests.authz")
    for module in pkgutil.iter_modules(package.__path__):
        if module.name.startswith("cases_"):
            cases.extend(importlib.import_module(f"tests.authz.{module.name}").CASES)
    return cases


CASES = _all_cases()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_authorization(case: Case, role: str, world, client_as) -> None:  # type: ignore[no-untyped-def]
    check(case, world, role, client_as(role))


def _url_names(patterns, namespace: str = "") -> set[str]:  # type: ignore[no-untyped-def]
    names: set[str] = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _url_names(pattern.url_patterns, ns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def test_every_url_has_a_case() -> None:
    """A page or endpoint added without authorization cases fails here."""
    covered = {case.url_name for case in CASES}
    # DRF's format-suffix variants (`…-list` with `.json`) share the name of the route they extend.
    missing = sorted(name for name in _url_names(get_resolver().url_patterns) if name not in covered)
    assert not missing, f"URLs without authorization cases: {missing}"
