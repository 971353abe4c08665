"""Indicators (指标) and their versions. An indicator is the stable identity (its code and who owns it); every
definition lives on a version. A published version never changes: editing it makes the next version, and
templates and cycles that pinned the old number keep reading it, so old scores reproduce."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from fairmark.core.models import TimeStampedModel

from .choices import Aggregation, Category, Direction
from .versioning import Version


class Indicator(TimeStampedModel):
    code = models.CharField(_("code"), max_length=64, unique=True)
    # None: company-wide, changed by HR admins; a unit: also by the HR BPs of that unit (DESIGN.md §6).
    owner_department = models.ForeignKey(
        "org.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("owning unit"),
    )
    owner = models.ForeignKey(
        "org.Employee", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("owner"),
    )
    retired = models.BooleanField(_("retired"), default=False)
    shipped = models.BooleanField(_("from the shipped library"), default=False)
    # The newest version (the draft when there is one) and the newest published one: the list pages and
    # template editors read these without scanning the versions.
    head = models.ForeignKey("IndicatorVersion", null=True, on_delete=models.SET_NULL, related_name="+")
    published = models.ForeignKey("IndicatorVersion", null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.head.display_name if self.head else ''}".strip()


class IndicatorVersion(Version):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="versions")
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    unit = models.CharField(_("unit"), max_length=32)
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices)
    definition_zh = models.TextField(_("definition (Chinese)"))
    definition_en = models.TextField(_("definition (English)"), blank=True, default="")
    # [{"code": "good_units", "name_zh": "良品数", "name_en": "Good units", "unit": "件"}]: the metrics the
    # formula reads, by code (ingestion stores the values under these codes).
    metrics = models.JSONField(_("metrics"), default=list, blank=True)
    aggregation = models.CharField(_("aggregation"), max_length=16, choices=Aggregation.choices)
    # Empty for a rated item (scored from ratings on an anchored scale, not from data).
    formula = models.TextField(_("formula"), blank=True, default="")
    # {"kind": "linear", "params": {...}} exactly as indicators.scoring.rule_from_dict reads it.
    scoring = models.JSONField(_("scoring rule"))
    data_source_hint = models.CharField(_("data source"), max_length=200, blank=True, default="")

    class Meta:
        verbose_name = _("indicator version")
        verbose_name_plural = _("indicator versions")
        ordering = ["indicator_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "number"], name="indicator_version_number_unique"),
            models.UniqueConstraint(
                fields=["indicator"], condition=models.Q(status="draft"), name="indicator_one_draft"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} v{self.number}"

    @property
    def definition(self) -> str:
        if self.definition_en and (get_language() or "").startswith("en"):
            return self.definition_en
        return self.definition_zh

    @property
    def is_rated(self) -> bool:
        """Scored from ratings on an anchored scale rather than computed from data."""
        return not self.formula

    @property
    def metric_codes(self) -> list[str]:
        return [metric["code"] for metric in self.metrics]
