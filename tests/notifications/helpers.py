"""Test doubles for notification tests: a real SMTP receiver (aiosmtpd) and test-only channels.

The SMTP path is never mocked: EmailChannel talks to a real server on 127.0.0.1 through Django's
SMTP backend, or to a port where nothing listens (the server is down)."""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from types import TracebackType
from typing import Any, ClassVar

from aiosmtpd.controller import Controller

from fairmark.notifications.channels import DeliveryError
from fairmark.notifications.models import OutboxMessage

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


def free_port() -> int:
    """A port on 127.0.0.1 where nothing listens (until a receiver is started on it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


class CollectingHandler:
    """Accepts mail and keeps it; answers RCPT for the addresses in `refuse` with the given reply."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.refuse: dict[str, str] = {}

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"


class SmtpReceiver:
    """`with SmtpReceiver(port) as smtp:` runs a real SMTP server on 127.0.0.1:port."""

    def __init__(self, port: int) -> None:
        self.handler = CollectingHandler()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=port)

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def refuse(self, address: str, reply: str) -> None:
        self.handler.refuse[address] = reply

    def __enter__(self) -> SmtpReceiver:
        self.controller.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.controller.stop()


class RecordingChannel:
    """A test-only channel, registered through settings like DingTalk or WeCom would be."""

    code = "robot"
    sent: ClassVar[list[tuple[int, str, str]]] = []
    lock: ClassVar[threading.Lock] = threading.Lock()
    # Set by a test to run code in the middle of a send (to stage a race).
    during_send: ClassVar[Any] = None
    fail_with: ClassVar[DeliveryError | Exception | None] = None

    @classmethod
    def reset(cls) -> None:
        cls.sent = []
        cls.during_send = None
        cls.fail_with = None

    def address_for(self, user: Any) -> str | None:
        return f"robot:{user.username}"

    def send(self, message: OutboxMessage) -> None:
        if RecordingChannel.during_send is not None:
            RecordingChannel.during_send(message)
        if RecordingChannel.fail_with is not None:
            raise RecordingChannel.fail_with
        with RecordingChannel.lock:
            RecordingChannel.sent.append((message.pk, message.address, message.subject))


class MisnamedChannel(RecordingChannel):
    code = "not-its-settings-name"
