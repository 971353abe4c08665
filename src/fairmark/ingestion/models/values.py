"""Metric values: facts, never edited. A correction (a replayed row, an accepted conflict) is the next
version of the same (source, row key), and the old one stops being current (ADR 0006)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .choices import SubjectType


class MetricValue(models.Model):
    # Few indexes, since every one slows the bulk load: the metric and source FKs are the leading columns of
    # metric_value_subject and metric_value_key_version, so they need none of their own.
    metric = models.ForeignKey("ingestion.Metric", on_delete=models.PROTECT, related_name="values", db_index=False)
    # The subject's id in its own table: org.Employee, org.Department or ingestion.Subject (by type).
    subject_type = models.CharField(_("subject type"), max_length=16, choices=SubjectType.choices)
    subject_id = models.BigIntegerField(pgettext_lazy("ingestion", "subject"))
    # The canonical period key ("2026-11-03", "2026-W45", "2026-11") and its dates; empty for a timestamp value.
    period = models.CharField(pgettext_lazy("ingestion", "period"), max_length=16, blank=True, default="")
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    at = models.DateTimeField(_("time"), null=True, blank=True)
    value = models.DecimalField(_("value"), max_digits=28, decimal_places=10, null=True)
    text_value = models.TextField(blank=True, default="")
    source = models.ForeignKey("ingestion.Source", on_delete=models.PROTECT, related_name="values", db_index=False)
    row_key = models.CharField(_("row key"), max_length=200)
    batch = models.ForeignKey("ingestion.Batch", on_delete=models.PROTECT, related_name="values")
    row_index = models.PositiveIntegerField(_("row"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    current = models.BooleanField(default=True)
    received_at = models.DateTimeField(_("received"))
    # Robust z-score when the value was flagged as an outlier (kept, not rejected).
    outlier_score = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("metric value")
        verbose_name_plural = _("metric values")
        ordering = ["metric_id", "period_start", "subject_id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "row_key"], condition=models.Q(current=True),
                                    name="metric_value_current_key"),
            models.UniqueConstraint(fields=["source", "row_key", "version"], name="metric_value_key_version"),
        ]
        indexes = [
            models.Index(fields=["metric", "subject_type", "subject_id", "period_start"], name="metric_value_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.metric_id} {self.subject_type}:{self.subject_id} {self.period or self.at} = {self.value}"
