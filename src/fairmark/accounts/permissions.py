from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission

from .models import ApiToken, TokenScope


class TokenScopePermission(BasePermission):
    """A token reads with `read` and writes with `write`; endpoints may name other scopes
    (e.g. `ingest`) in `required_token_scope`. Session logins are not limited by scopes."""

    def has_permission(self, request: Any, view: Any) -> bool:
        token = request.auth
        if not isinstance(token, ApiToken):
            return True
        needed = getattr(view, "required_token_scope", None)
        if needed is None:
            needed = TokenScope.READ if request.method in SAFE_METHODS else TokenScope.WRITE
        return needed in token.scopes
