from __future__ import annotations

from typing import Any, Protocol

from ..models import OutboxMessage


class DeliveryError(Exception):
    """The channel could not deliver. `permanent` errors are not retried (e.g. a malformed address)."""

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


class Channel(Protocol):
    code: str

    def address_for(self, user: Any) -> str | None:
        """Where this user receives messages on this channel, or None if they cannot."""

    def send(self, message: OutboxMessage) -> None:
        """Deliver or raise DeliveryError."""
