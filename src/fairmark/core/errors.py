"""Errors that services raise and how the API shows them: RFC 9457 problem+json with field errors."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler


class ServiceError(Exception):
    """A business rule refused the write. `fields` maps a field name to its messages."""

    status_code = 400
    code = "invalid"

    def __init__(self, message: str, *, fields: dict[str, list[str]] | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        if code:
            self.code = code


class ConflictError(ServiceError):
    status_code = 409
    code = "conflict"


class Refused(ServiceError):
    """The actor sees the object but may not take this step on it (the employee approving their own goals, a
    rater reading the ratee's total): 403, where an object outside the actor's scope is OutOfScope (404)."""

    status_code = 403
    code = "forbidden"


class OutOfScope(ServiceError):
    """The object is not (or would no longer be) within what the actor may see or change. Shown as 404
    so that scope does not leak the object's existence."""

    status_code = 404
    code = "not_found"


PROBLEM_TYPE_BASE = "https://fairmark.dev/problems/"


def require(condition: bool, field: str, message: str) -> None:
    """A service's check of one field: ServiceError with the message under that field (400 in the API)."""
    if not condition:
        raise ServiceError(message, fields={field: [message]})


def not_found() -> OutOfScope:
    """What a service raises for an object outside the actor's scope (404): the same words as a missing one."""
    return OutOfScope(_("Not found."))


def problem(status_code: int, title: str, detail: str, code: str, fields: dict[str, Any] | None = None) -> Response:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + code,
        "title": title,
        "status": status_code,
        "detail": detail,
        "code": code,
    }
    if fields:
        body["errors"] = [
            {"field": name, "messages": [str(m) for m in (msgs if isinstance(msgs, list) else [msgs])]}
            for name, msgs in _flatten(fields).items()
        ]
    return Response(body, status=status_code, content_type="application/problem+json")


def _flatten(errors: Any, prefix: str = "") -> dict[str, Any]:
    """DRF nests errors for nested serializers; a client wants 'address.city' style paths."""
    if isinstance(errors, dict):
        out: dict[str, Any] = {}
        for key, value in errors.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if isinstance(value, dict) or (isinstance(value, list) and value and isinstance(value[0], dict)):
                out.update(_flatten(value, name))
            else:
                out[name] = value
        return out
    if isinstance(errors, list):
        out = {}
        for index, value in enumerate(errors):
            out.update(_flatten(value, f"{prefix}[{index}]"))
        return out
    return {prefix or "non_field_errors": errors}


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ServiceError):
        return problem(exc.status_code, _("The request was refused"), exc.message, exc.code, exc.fields)
    if isinstance(exc, DjangoValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return problem(400, _("Invalid input"), _("Some fields are not valid."), "invalid", fields)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        result = problem(status.HTTP_400_BAD_REQUEST, _("Invalid input"), _("Some fields are not valid."), "invalid", detail)
    else:
        assert isinstance(exc, exceptions.APIException)
        detail_text = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        code = exc.get_codes() if isinstance(exc.get_codes(), str) else "error"
        result = problem(response.status_code, str(exc.default_detail), str(detail_text), str(code))
    for header in ("WWW-Authenticate", "Retry-After", "Allow"):
        if header in response.headers:
            result.headers[header] = response.headers[header]
    return result
