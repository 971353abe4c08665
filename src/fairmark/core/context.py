"""Where the current request came from, for the audit log. Set by RequestContextMiddleware;
background tasks leave it empty, so their audit records say 'system'."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    ip: str | None = None
    user_agent: str = ""


# RequestContext is a frozen dataclass, so sharing the default instance is safe.
_current: ContextVar[RequestContext] = ContextVar(
    "fairmark_request_context", default=RequestContext()  # noqa: B039
)


def current() -> RequestContext:
    return _current.get()


def set_current(ctx: RequestContext):  # type: ignore[no-untyped-def]
    return _current.set(ctx)


def reset(token) -> None:  # type: ignore[no-untyped-def]
    _current.reset(token)
