"""The authorization matrix: for every page and endpoint × every role × an in-scope and an
out-of-scope object, the expected status, and proof that a refused request changed nothing.

Each app lists its cases in tests/authz/cases_<app>.py as `CASES = [Case(...), ...]`; the test in
test_matrix.py runs them all and another test fails if a URL of the project has no case. A later
issue adds a cases file for its endpoints.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.test import Client

from tests.world import ROLES, World, db_fingerprint

PAGE_ANON = 302  # pages send anonymous visitors to the login page
API_ANON = 401  # the API answers anonymous callers with 401 (WWW-Authenticate: Bearer)


@dataclass(frozen=True)
class Case:
    """`expect` maps each role to a status; `default` applies to roles not listed.
    `url_name` is the URL name this case covers (for the coverage test)."""

    name: str
    url_name: str
    url: Callable[[World], str]
    method: str = "GET"
    expect: Mapping[str, int] = field(default_factory=dict)
    default: int = 404
    data: Callable[[World], Any] | None = None
    api: bool = False
    # Requests that write on success: the fingerprint must change only when allowed.
    writes: bool = False

    def status_for(self, role: str) -> int:
        if role in self.expect:
            return self.expect[role]
        if role == "anonymous":
            return API_ANON if self.api else PAGE_ANON
        return self.default


def perform(case: Case, client: Client, url: str, payload: Any) -> Any:
    method = case.method.lower()
    if case.api and payload is not None:
        return getattr(client, method)(url, data=json.dumps(payload), content_type="application/json")
    if payload is not None:
        return getattr(client, method)(url, data=payload)
    return getattr(client, method)(url)


def check(case: Case, world: World, role: str, client: Client) -> None:
    expected = case.status_for(role)
    # URL and payload first: building them may create the objects under test.
    url = case.url(world)
    payload = case.data(world) if case.data else None
    before = db_fingerprint()
    response = perform(case, client, url, payload)
    assert response.status_code == expected, (
        f"{case.name} as {role}: got {response.status_code}, expected {expected}: {response.content[:300]!r}"
    )
    allowed_to_write = case.writes and expected < 400 and role != "anonymous"
    if not allowed_to_write:
        after = db_fingerprint()
        changed = [label for label in before if before[label] != after[label]]
        # Signing in updates nothing here (force_login); a read may not write either.
        assert not changed, f"{case.name} as {role} ({response.status_code}) changed {changed}"


def all_roles() -> tuple[str, ...]:
    return ROLES
