from __future__ import annotations

import smtplib
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from ..models import OutboxMessage
from .base import DeliveryError


def message_id(message: OutboxMessage) -> str:
    """A Message-ID that stays the same across retries: should the worker die between sending and
    marking the message sent, the resend carries the same id and mail systems drop the duplicate.
    The creation time and the site's host keep two Fairmark installations from sharing ids."""
    host = urlsplit(settings.FAIRMARK_BASE_URL).hostname or "fairmark"
    stamp = int(message.created_at.timestamp() * 1_000_000) if message.created_at else 0
    return f"<fairmark-outbox-{message.pk}.{stamp}@{host}>"


class EmailChannel:
    code = "email"

    def address_for(self, user: Any) -> str | None:
        return user.email or None

    def send(self, message: OutboxMessage) -> None:
        body = message.body
        if message.link:
            body = f"{body}\n\n{settings.FAIRMARK_BASE_URL}{message.link}"
        email = EmailMessage(
            subject=message.subject, body=body, to=[message.address], headers={"Message-ID": message_id(message)}
        )
        try:
            get_connection(fail_silently=False).send_messages([email])
        except smtplib.SMTPRecipientsRefused as error:
            # 5xx: the server will never take it (no such mailbox). 4xx (greylisting, mailbox
            # busy) is the server asking us to come back later.
            codes = [code for code, _text in error.recipients.values()]
            permanent = bool(codes) and all(code >= 500 for code in codes)
            raise DeliveryError(f"recipient refused: {_describe(error.recipients)}", permanent=permanent) from error
        except smtplib.SMTPDataError as error:
            # The server read the message and rejected it (too large, content refused): resending the
            # same bytes will not help unless it said 4xx.
            raise DeliveryError(f"message refused: {error.smtp_code} {_text(error.smtp_error)}",
                                permanent=error.smtp_code >= 500) from error
        except ValueError as error:
            # Django refuses a malformed address before connecting.
            raise DeliveryError(f"invalid address: {error}", permanent=True) from error
        except (smtplib.SMTPException, OSError) as error:
            # Server down, refused connection, timeout, authentication or sender problems: all fixable
            # on the server side, so the message waits and is retried.
            raise DeliveryError(f"{type(error).__name__}: {error}") from error


def _text(raw: bytes | str) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


def _describe(recipients: dict[str, tuple[int, bytes]]) -> str:
    return "; ".join(f"{address}: {code} {_text(text)}" for address, (code, text) in recipients.items())
