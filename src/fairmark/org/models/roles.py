"""Roles granted to users. Manager, N+2 and department head are not granted: they follow from the
reporting lines and department heads (fairmark.org.access)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fairmark.core.access import GRANTABLE_ROLES


class RoleGrant(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(_("role"), max_length=16, choices=[(r.value, r.label) for r in GRANTABLE_ROLES])
    # For HR BPs: the org units (with their subtrees) the grant covers. Other roles are company-wide.
    departments = models.ManyToManyField("org.Department", blank=True, related_name="role_grants", verbose_name=_("departments"))
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="one_grant_per_role")]

    def __str__(self) -> str:
        return f"{self.user} → {self.role}"
