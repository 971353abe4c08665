"""Channel adapters. A channel turns an OutboxMessage into a delivery; adding DingTalk, WeCom or
Feishu means adding a module here and naming it in settings.FAIRMARK_CHANNELS: callers of
`notify()` do not change (docs/notifications.md)."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

from .base import Channel, DeliveryError


@cache
def _load(path: str) -> Channel:
    # One instance per class path, so an adapter may keep state (an HTTP session, a rate limiter).
    return import_string(path)()


def get_channel(code: str) -> Channel:
    """Raises KeyError for a code that is not configured, ImportError for a path that does not load."""
    return _load(settings.FAIRMARK_CHANNELS[code])


def enabled_channels() -> list[Channel]:
    # Unknown codes are skipped here, not raised: a typo in NOTIFICATION_CHANNELS must not break every
    # write that notifies. The system check in notifications/checks.py reports it at start-up.
    return [get_channel(code) for code in settings.FAIRMARK_CHANNELS_ENABLED if code in settings.FAIRMARK_CHANNELS]


__all__ = ["Channel", "DeliveryError", "enabled_channels", "get_channel"]
