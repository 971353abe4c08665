from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from . import context


def client_ip(request: HttpRequest) -> str | None:
    if settings.SECURE_PROXY_SSL_HEADER:
        # Behind a trusted proxy the client is the first address it forwarded.
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR")


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = context.set_current(
            context.RequestContext(
                ip=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", "")[:400]
            )
        )
        try:
            return self.get_response(request)
        finally:
            context.reset(token)


class ContentSecurityPolicyMiddleware:
    """Everything is served from our own origin (customers run on closed networks), so the policy
    can be strict. Swagger UI needs inline script for its initialiser."""

    POLICY = (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
    )
    SWAGGER_POLICY = POLICY.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = self.SWAGGER_POLICY if request.path.startswith("/api/docs") else self.POLICY
        response.headers.setdefault("Content-Security-Policy", policy)
        return response
