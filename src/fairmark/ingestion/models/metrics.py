"""Metrics (数据项): the raw business quantities that sources send and indicator formulas read by code."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from fairmark.core.models import TimeStampedModel

from ..numbers import tidy
from ..rows import MetricRule
from .choices import Grain, SubjectType, ValueType


class Metric(TimeStampedModel):
    code = models.CharField(_("code"), max_length=64, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True, default="")
    unit = models.CharField(_("unit"), max_length=32, blank=True, default="")
    value_type = models.CharField(_("value type"), max_length=16, choices=ValueType.choices, default=ValueType.DECIMAL)
    min_value = models.DecimalField(_("lowest allowed"), max_digits=28, decimal_places=10, null=True, blank=True)
    max_value = models.DecimalField(_("highest allowed"), max_digits=28, decimal_places=10, null=True, blank=True)
    grain = models.CharField(_("period grain"), max_length=16, choices=Grain.choices, default=Grain.DAY)
    # The subject types a value may be about, e.g. ["line"] for a line's output.
    subject_types = models.JSONField(_("subject types"), default=list)
    description = models.TextField(_("description"), blank=True, default="")
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("metric")
        verbose_name_plural = _("metrics")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.display_name}"

    @property
    def display_name(self) -> str:
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name_zh

    def rule(self) -> MetricRule:
        """What `ingestion.rows.validate_rows` checks a value of this metric against."""
        return MetricRule(
            code=self.code, value_type=self.value_type, unit=self.unit,
            min=tidy(self.min_value), max=tidy(self.max_value),
            grain=self.grain, subject_types=frozenset(self.subject_types or [SubjectType.EMPLOYEE]),
        )

