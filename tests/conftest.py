from __future__ import annotations

import pytest
from django.test import Client

from .world import World, build_world


@pytest.fixture
def world(db) -> World:  # type: ignore[no-untyped-def]
    return build_world()


@pytest.fixture
def library(db):  # type: ignore[no-untyped-def]
    """The shipped indicator library, installed as on a fresh database (70 indicators, 10 templates)."""
    from fairmark.indicators.services.library import install_library

    return install_library()


@pytest.fixture
def client_as(world: World):  # type: ignore[no-untyped-def]
    """client_as("manager") → a test client signed in as that role (anonymous: not signed in)."""

    def make(role: str) -> Client:
        client = Client()
        user = world.user(role)
        if user is not None:
            client.force_login(user)
        return client

    return make


# In CI, property tests use a fixed seed so a run is reproducible; locally they keep exploring.
# (`pytest --hypothesis-seed=N` reproduces a local failure.)
def _hypothesis_profiles() -> None:
    import os

    from hypothesis import settings

    settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
    if os.environ.get("CI"):
        settings.load_profile("ci")


_hypothesis_profiles()
