"""Start-up checks for the channel configuration: a channel named in NOTIFICATION_CHANNELS that is
not configured, or whose class does not load, would otherwise go unnoticed until someone asks
why they get no messages."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Warning, register
from django.utils.module_loading import import_string


@register()
def check_channels(app_configs: Any, **kwargs: Any) -> list[Error | Warning]:
    problems: list[Error | Warning] = []
    configured: dict[str, str] = getattr(settings, "FAIRMARK_CHANNELS", {})
    for code in getattr(settings, "FAIRMARK_CHANNELS_ENABLED", []):
        if code not in configured:
            problems.append(Warning(
                f"Notification channel {code!r} is enabled but not configured; it is ignored.",
                hint=f"Add it to FAIRMARK_CHANNELS or remove it from NOTIFICATION_CHANNELS (known: {sorted(configured)}).",
                id="fairmark.W101",
            ))
    for code, path in configured.items():
        try:
            channel_class = import_string(path)
        except ImportError as error:
            problems.append(Error(f"Notification channel {code!r}: {path} does not load: {error}", id="fairmark.E101"))
            continue
        if getattr(channel_class, "code", code) != code:
            problems.append(Error(
                f"Notification channel {code!r}: {path}.code is {channel_class.code!r}; the two must match.",
                id="fairmark.E102",
            ))
    return problems
