"""Check-ins (进展更新): a progress update on a goal with a comment, key-result values, confidence and evidence;
a check-in may name a blocker (e.g. "equipment failure on line 3"), which becomes a to-do of the manager
until they respond."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import BlockerStatus

EVIDENCE_MAX_BYTES = 10 * 1024 * 1024


class CheckIn(models.Model):
    goal = models.ForeignKey("goals.Goal", on_delete=models.CASCADE, related_name="checkins")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    comment = models.TextField(_("comment"), blank=True, default="")
    # An OKR's key-result values as entered: {"<key result id>": "70"}; a KPI goal's value comes from data.
    key_results = models.JSONField(default=dict, blank=True)
    confidence = models.DecimalField(_("confidence"), max_digits=3, decimal_places=2, null=True, blank=True)
    # The goal's progress right after this check-in (the history line on the goal page).
    progress_after = models.DecimalField(max_digits=12, decimal_places=6, null=True, blank=True)

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["-at", "-id"]


    def __str__(self) -> str:
        return f"{self.goal_id} {self.at:%Y-%m-%d}"

class Evidence(models.Model):
    """A file or a link that supports a check-in. Files live in the database (bounded in size) so that a
    backup of the database is a backup of everything."""

    checkin = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="evidence")
    name = models.CharField(_("name"), max_length=200)
    link = models.URLField(_("link"), blank=True, default="")
    content_type = models.CharField(max_length=100, blank=True, default="")
    size = models.PositiveIntegerField(default=0)
    data = models.BinaryField(null=True, blank=True)

    class Meta:
        ordering = ["id"]


    def __str__(self) -> str:
        return self.name

class Blocker(models.Model):
    goal = models.ForeignKey("goals.Goal", on_delete=models.CASCADE, related_name="blockers")
    checkin = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="blockers")
    text = models.TextField(_("blocker"))
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    raised_at = models.DateTimeField(auto_now_add=True)
    # Whose to-do it is: the goal owner's manager when it was raised.
    assignee = models.ForeignKey("org.Employee", null=True, on_delete=models.SET_NULL, related_name="+",
                                 verbose_name=_("assigned to"))
    status = models.CharField(_("status"), max_length=10, choices=BlockerStatus.choices, default=BlockerStatus.OPEN)
    response = models.TextField(_("response"), blank=True, default="")
    responded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    responded_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("blocker")
        verbose_name_plural = _("blockers")
        ordering = ["-raised_at", "-id"]
        indexes = [models.Index(fields=["assignee", "status"], name="blocker_assignee_status")]


    def __str__(self) -> str:
        return self.text[:60]

__all__ = ["EVIDENCE_MAX_BYTES", "Blocker", "CheckIn", "Evidence"]
