"""Channel adapters. A channel turns an OutboxMessage into a delivery; adding DingTalk, WeCom or
Feishu means adding a module here and naming it in settings.FAIRMARK_CHANNELS: callers of
`notify()` do not change."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

from .base import Channel, DeliveryError


@cache
def _load(path: str) -> Channel:
    return import_string(path)()


def get_channel(code: str) -> Channel:
    return _load(settings.FAIRMARK_CHANNELS[code])


def enabled_channels() -> list[Channel]:
    return [get_channel(code) for code in settings.FAIRMARK_CHANNELS_ENABLED if code in settings.FAIRMARK_CHANNELS]


__all__ = ["Channel", "DeliveryError", "enabled_channels", "get_channel"]
