"""Identity: users, their second factor and their API tokens. What a user may *see* is decided by
org roles and reporting lines (fairmark.org.access), not here."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    language = models.CharField(_("language"), max_length=10, blank=True, default="")
    # Base32 TOTP secret, encrypted with fairmark.core.crypto; empty when not enrolled.
    totp_secret_encrypted = models.TextField(blank=True, default="")
    totp_confirmed_at = models.DateTimeField(null=True, blank=True)
    # The last accepted TOTP time step, so a code cannot be replayed within its window.
    totp_last_step = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def has_totp(self) -> bool:
        return bool(self.totp_secret_encrypted and self.totp_confirmed_at)


class TokenScope(models.TextChoices):
    READ = "read", _("Read")
    WRITE = "write", _("Write")
    INGEST = "ingest", _("Ingest metric data")


class ApiToken(models.Model):
    """A personal or integration token. Only a SHA-256 of the secret is stored: the token is 32 random
    bytes, so a fast hash is enough (no dictionary to attack) and lookups stay O(1) by prefix."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, unique=True)
    secret_hash = models.CharField(max_length=64)
    scopes = models.JSONField(_("scopes"), default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    @property
    def is_active(self) -> bool:
        if self.revoked_at:
            return False
        return self.expires_at is None or self.expires_at > timezone.now()
