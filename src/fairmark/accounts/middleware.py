"""System admins must have a second factor: until they enrol, every page sends them to enrolment."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from fairmark.core.access import Role, viewer_for

ALLOWED_PREFIXES = ("/static/", "/i18n/", "/accounts/2fa/", "/accounts/logout/", "/api/v1/health")


class TwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(ALLOWED_PREFIXES)
            and not user.has_totp
            and viewer_for(user).has(Role.SYSADMIN)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"title": "Two-factor authentication required", "status": 403, "code": "2fa_required"},
                    status=403, content_type="application/problem+json",
                )
            return redirect(reverse("accounts:totp_setup"))
        return self.get_response(request)
