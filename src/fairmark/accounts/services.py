"""Writes to accounts: users, tokens, second factor. Each audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fairmark.audit import services as audit
from fairmark.core import crypto
from fairmark.core.access import Role, viewer_for
from fairmark.core.errors import OutOfScope, ServiceError

from . import totp
from .models import ApiToken, TokenScope, User
from .tokens import new_token

MAX_TOKEN_DAYS = 366


@transaction.atomic
def user_create(*, actor: Any, username: str, password: str | None, email: str = "", is_superuser: bool = False) -> User:
    _require_sysadmin(actor)
    if User.objects.filter(username=username).exists():
        raise ServiceError(_("This username is taken."), fields={"username": [_("Already used.")]})
    user = User(username=username, email=email, is_superuser=is_superuser, is_staff=is_superuser)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    audit.record(actor=actor, action="user.create", obj=user, after={"username": username, "superuser": is_superuser})
    return user


@transaction.atomic
def token_create(
    *, actor: Any, user: User, name: str, scopes: Iterable[str] = (TokenScope.READ,), expires_in_days: int | None = 90
) -> tuple[ApiToken, str]:
    """Returns the row and the token text, which is shown once and never stored."""
    if actor.pk != user.pk and not viewer_for(actor).has(Role.SYSADMIN):
        raise OutOfScope(_("Not found."))
    scope_list = sorted(set(scopes))
    unknown = [s for s in scope_list if s not in TokenScope.values]
    if unknown or not scope_list:
        raise ServiceError(_("Unknown scope."), fields={"scopes": [_("Choose from: %(s)s") % {"s": ", ".join(TokenScope.values)}]})
    if expires_in_days is not None and not 1 <= expires_in_days <= MAX_TOKEN_DAYS:
        raise ServiceError(
            _("A token lives 1 to %(n)d days.") % {"n": MAX_TOKEN_DAYS}, fields={"expires_in_days": [_("Out of range.")]}
        )
    text, prefix, digest = new_token()
    expires = timezone.now() + dt.timedelta(days=expires_in_days) if expires_in_days else None
    token = ApiToken.objects.create(user=user, name=name, prefix=prefix, secret_hash=digest, scopes=scope_list,
                                    expires_at=expires)
    audit.record(actor=actor, action="token.create", obj=token,
                 after={"user": user.username, "name": name, "scopes": scope_list,
                        "expires_at": expires.isoformat() if expires else None})
    return token, text


@transaction.atomic
def token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    if actor.pk != token.user_id and not viewer_for(actor).has(Role.SYSADMIN):
        raise OutOfScope(_("Not found."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(actor=actor, action="token.revoke", obj=token, after={"revoked_at": token.revoked_at.isoformat()})
    return token


@transaction.atomic
def totp_begin_enrolment(*, actor: User) -> str:
    """Store a fresh, unconfirmed secret and return it (for the QR code)."""
    secret = totp.new_secret()
    actor.totp_secret_encrypted = crypto.encrypt(secret)
    actor.totp_confirmed_at = None
    actor.totp_last_step = 0
    actor.save(update_fields=["totp_secret_encrypted", "totp_confirmed_at", "totp_last_step"])
    return secret


@transaction.atomic
def totp_confirm(*, actor: User, code: str) -> None:
    step = totp.accepted_step(actor.totp_secret_encrypted, code, actor.totp_last_step)
    if step is None:
        raise ServiceError(_("The code is not valid. Check the time on your phone and try again."),
                           fields={"code": [_("Invalid code.")]})
    actor.totp_confirmed_at = timezone.now()
    actor.totp_last_step = step
    actor.save(update_fields=["totp_confirmed_at", "totp_last_step"])
    audit.record(actor=actor, action="user.totp_enable", obj=actor, after={"totp": True})


def totp_check(*, user: User, code: str) -> bool:
    """Second step of a login. A used code cannot be used again."""
    step = totp.accepted_step(user.totp_secret_encrypted, code, user.totp_last_step)
    if step is None:
        return False
    User.objects.filter(pk=user.pk).update(totp_last_step=step)
    user.totp_last_step = step
    return True


@transaction.atomic
def password_change(*, actor: User, new_password: str) -> None:
    password_validate(password=new_password, user=actor)
    actor.set_password(new_password)
    actor.save(update_fields=["password"])
    audit.record(actor=actor, action="user.password_change", obj=actor)


def _require_sysadmin(actor: Any) -> None:
    # Not found rather than forbidden: a page or API behind this must not tell others the account exists.
    if not viewer_for(actor).has(Role.SYSADMIN):
        raise OutOfScope(_("Not found."))


def password_validate(*, password: str, user: User) -> None:
    """Django's password validators (AUTH_PASSWORD_VALIDATORS) as a ServiceError on the `password` field.
    `user` may be unsaved: the similarity check only needs its username and email."""
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ServiceError(_("This password is not strong enough."), fields={"password": list(error.messages)}) from error


@transaction.atomic
def password_set(*, actor: Any, user: User, password: str) -> None:
    """A system admin sets someone's password (a forgotten one, or a first one). The audit records
    that it happened, never the password."""
    _require_sysadmin(actor)
    password_validate(password=password, user=user)
    user.set_password(password)
    user.save(update_fields=["password"])
    audit.record(actor=actor, action="user.password_set", obj=user, after={"username": user.username})


@transaction.atomic
def user_set_active(*, actor: Any, user: User, active: bool) -> User:
    """Deactivate (or reactivate) an account. An inactive user cannot sign in, their sessions end at the
    next request (Django's backend refuses inactive users) and their API tokens are refused."""
    _require_sysadmin(actor)
    if not active and getattr(actor, "pk", None) == user.pk:
        # The last admin could lock everyone out of administration this way.
        raise ServiceError(_("You cannot deactivate your own account."), fields={"active": [_("Your own account.")]})
    if user.is_active != active:
        user.is_active = active
        user.save(update_fields=["is_active"])
        audit.record(actor=actor, action="user.activate" if active else "user.deactivate", obj=user,
                     before={"active": not active}, after={"active": active})
    return user


@transaction.atomic
def totp_reset(*, actor: Any, user: User) -> User:
    """Clear the second factor (a lost phone). The user signs in with the password alone until they
    enrol again; a system admin is sent to enrolment by TwoFactorMiddleware before any other page."""
    _require_sysadmin(actor)
    had_totp = user.has_totp
    user.totp_secret_encrypted = ""
    user.totp_confirmed_at = None
    user.totp_last_step = 0
    user.save(update_fields=["totp_secret_encrypted", "totp_confirmed_at", "totp_last_step"])
    audit.record(actor=actor, action="user.totp_reset", obj=user, before={"totp": had_totp}, after={"totp": False})
    return user
