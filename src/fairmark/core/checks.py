"""A system check that every URL in Fairmark's own code points at a scoped view or one marked
`scope_exempt` with a reason, so a new page cannot forget the viewer's scope."""

from __future__ import annotations

from typing import Any

from django.core.checks import Error, register
from django.urls import URLPattern, URLResolver, get_resolver

from .scoping import ScopedQueryMixin


def _walk(patterns: list[Any], prefix: str = "") -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            out.extend(_walk(pattern.url_patterns, prefix + str(pattern.pattern)))
        elif isinstance(pattern, URLPattern):
            out.append((prefix + str(pattern.pattern), pattern.callback))
    return out


def unscoped_views() -> list[tuple[str, str]]:
    found = []
    for route, callback in _walk(get_resolver().url_patterns):
        view = getattr(callback, "view_class", None) or getattr(callback, "cls", None) or callback
        module = getattr(view, "__module__", "") or ""
        if not module.startswith("fairmark."):
            continue
        if getattr(view, "scope_exempt", None) or getattr(callback, "scope_exempt", None):
            continue
        if isinstance(view, type) and issubclass(view, ScopedQueryMixin):
            continue
        found.append((route, f"{module}.{getattr(view, '__qualname__', view)}"))
    return found


@register()
def check_views_are_scoped(app_configs: Any, **kwargs: Any) -> list[Error]:
    return [
        Error(
            f"URL {route} points at {name}, which is neither scoped nor scope_exempt.",
            hint="Derive from fairmark.core.scoping / fairmark.core.api classes and name a selector.",
            id="fairmark.E001",
        )
        for route, name in unscoped_views()
    ]
