from __future__ import annotations

import smtplib
import socket
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from ..models import OutboxMessage
from .base import DeliveryError


class EmailChannel:
    code = "email"

    def address_for(self, user: Any) -> str | None:
        return user.email or None

    def send(self, message: OutboxMessage) -> None:
        body = message.body
        if message.link:
            body = f"{body}\n\n{settings.FAIRMARK_BASE_URL}{message.link}"
        email = EmailMessage(
            subject=message.subject,
            body=body,
            to=[message.address],
            # A stable Message-ID: should the worker die between sending and marking the message
            # sent, the resend carries the same id and mail systems drop the duplicate.
            headers={"Message-ID": f"<outbox-{message.pk}@fairmark>"},
        )
        try:
            get_connection(fail_silently=False).send_messages([email])
        except smtplib.SMTPRecipientsRefused as error:
            raise DeliveryError(f"recipient refused: {error}", permanent=True) from error
        except (smtplib.SMTPException, OSError, socket.timeout) as error:
            raise DeliveryError(f"{type(error).__name__}: {error}") from error
