"""TOTP (RFC 6238) second factor with pyotp; the secret is encrypted at rest."""

from __future__ import annotations

import datetime

import pyotp
import segno

from fairmark.core import crypto

ISSUER = "Fairmark"
VALID_WINDOW = 1  # accept the previous and next 30-second step for clock drift


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, username: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    return segno.make(uri, error="m").svg_inline(scale=4)


def accepted_step(encrypted_secret: str, code: str, last_step: int) -> int | None:
    """The time step the code belongs to, if it is valid and newer than the last one used."""
    if not encrypted_secret or not code.strip().isdigit():
        return None
    try:
        totp = pyotp.TOTP(crypto.decrypt(encrypted_secret))
        totp.byte_secret()  # raises ValueError for a malformed or too-short stored secret
    except ValueError:
        # A bad stored secret must refuse the code, not crash the sign-in.
        return None
    now_step = totp.timecode(datetime.datetime.now())
    for offset in range(-VALID_WINDOW, VALID_WINDOW + 1):
        step = now_step + offset
        if step > last_step and totp.generate_otp(step) == code.strip():
            return step
    return None
