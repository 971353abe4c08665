"""Sources: where metric values come from (a pushing system, uploads, a database or a REST API to pull), who
owns them, which metrics they may write, their schedule and encrypted credentials, and their run history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fairmark.core.models import TimeStampedModel

from .choices import RunStatus, RunTrigger, SourceKind


class Source(TimeStampedModel):
    code = models.CharField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=SourceKind.choices)
    owner_department = models.ForeignKey("org.Department", null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="+", verbose_name=_("owning unit"))
    owner = models.ForeignKey("org.Employee", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                              verbose_name=_("owner"))
    # A row naming any other metric is rejected: a key of this source cannot write another source's metrics.
    metrics = models.ManyToManyField("ingestion.Metric", related_name="sources", blank=True, verbose_name=_("metrics"))
    # How pulled or uploaded records become rows (ingestion.mapping.FieldMapping.to_dict()).
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    # Connection settings without secrets (host, database, query, URL, paging ...).
    settings = models.JSONField(_("connection settings"), default=dict, blank=True)
    # Passwords and auth headers as JSON, encrypted with FIELD_ENCRYPTION_KEY (core.crypto); never shown again.
    secrets_encrypted = models.TextField(blank=True, default="")
    # Pulled every N minutes; None: only by hand.
    interval_minutes = models.PositiveIntegerField(_("pull every (minutes)"), null=True, blank=True)
    # The data is stale when nothing arrived for this long (the data-quality page's freshness).
    fresh_hours = models.PositiveIntegerField(_("expected at least every (hours)"), default=26)
    # Timestamps without an offset are read in this zone; empty: the company's time zone.
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True, default="")
    enabled = models.BooleanField(_("enabled"), default=True)
    # Where the last pull stopped ({"type": ..., "value": ...}, see ingestion.connectors).
    watermark = models.JSONField(null=True, blank=True)
    next_run_at = models.DateTimeField(null=True, blank=True)
    last_received_at = models.DateTimeField(_("last data received"), null=True, blank=True)

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class SourceKey(models.Model):
    """An API token (scope `ingest`) that may push to this source only."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="keys")
    token = models.OneToOneField("accounts.ApiToken", on_delete=models.CASCADE, related_name="ingest_source")

    class Meta:
        verbose_name = _("source key")
        verbose_name_plural = _("source keys")

    def __str__(self) -> str:
        return f"{self.source_id}: {self.token_id}"


class Run(models.Model):
    """One pull of a SQL or REST source (or a connection test is not a run: it is not recorded here)."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="runs")
    trigger = models.CharField(_("trigger"), max_length=16, choices=RunTrigger.choices)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=RunStatus.choices, default=RunStatus.RUNNING)
    records = models.PositiveIntegerField(_("records read"), default=0)
    watermark_before = models.JSONField(null=True, blank=True)
    watermark_after = models.JSONField(null=True, blank=True)
    batch = models.ForeignKey("ingestion.Batch", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    error_code = models.CharField(max_length=64, blank=True, default="")
    error_params = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("run")
        verbose_name_plural = _("runs")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["source", "-started_at"], name="run_source_started")]

    def __str__(self) -> str:
        return f"{self.source_id} {self.started_at:%Y-%m-%d %H:%M} {self.status}"
