"""Token format and hashing. A token reads `fm_<prefix>_<secret>`; only the SHA-256 of the whole
token is stored, and the prefix finds the row."""

from __future__ import annotations

import hashlib
import hmac
import secrets

TOKEN_PREFIX = "fm_"  # noqa: S105 - a public marker, not a secret


def new_token() -> tuple[str, str, str]:
    """(token shown once, prefix stored, hash stored)."""
    prefix = secrets.token_hex(5)
    token = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    return token, prefix, hash_token(token)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def split_prefix(token: str) -> str | None:
    if not token.startswith(TOKEN_PREFIX):
        return None
    parts = token[len(TOKEN_PREFIX):].split("_", 1)
    return parts[0] if len(parts) == 2 and parts[0] else None


def matches(token: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_token(token), stored_hash)
