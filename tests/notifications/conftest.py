from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from fairmark.accounts.models import User

from .helpers import SMTP_BACKEND, RecordingChannel, free_port


@pytest.fixture
def person(db: Any) -> User:
    return User.objects.create_user(username="lin", email="lin@example.com", password="x")


@pytest.fixture
def smtp_settings(settings: Any) -> int:
    """Email goes over real SMTP to 127.0.0.1 on a free port, where nothing listens yet (down)."""
    port = free_port()
    settings.EMAIL_BACKEND = SMTP_BACKEND
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_TIMEOUT = 5
    settings.FAIRMARK_CHANNELS_ENABLED = ["email"]
    return port


@pytest.fixture
def robot(settings: Any) -> Iterator[type[RecordingChannel]]:
    """Only the test channel is enabled: delivery needs no mail server."""
    RecordingChannel.reset()
    settings.FAIRMARK_CHANNELS = {**settings.FAIRMARK_CHANNELS, "robot": "tests.notifications.helpers.RecordingChannel"}
    settings.FAIRMARK_CHANNELS_ENABLED = ["robot"]
    yield RecordingChannel
    RecordingChannel.reset()
