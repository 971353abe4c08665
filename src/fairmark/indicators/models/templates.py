"""Review templates (考核方案) and their versions. The sections and items of a version are one JSON document
in the shape of the shipped library (indicators/library, docs/library.md): a template version is edited,
validated, exported and pinned as a whole, and a published one never changes. Publishing pins, on every
item, the indicator version it scores with (`indicator_version`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from fairmark.core.models import TimeStampedModel

from .choices import MissingRule, Period, VersionStatus


class Template(TimeStampedModel):
    code = models.CharField(_("code"), max_length=64, unique=True)
    owner_department = models.ForeignKey(
        "org.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("owning unit"),
    )
    archived = models.BooleanField(_("archived"), default=False)
    shipped = models.BooleanField(_("from the shipped library"), default=False)
    head = models.ForeignKey("TemplateVersion", null=True, on_delete=models.SET_NULL, related_name="+")
    published = models.ForeignKey("TemplateVersion", null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("template")
        verbose_name_plural = _("templates")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.head.display_name if self.head else ''}".strip()


class TemplateVersion(models.Model):
    template = models.ForeignKey(Template, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=16, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    name_zh = models.CharField(_("Chinese name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True, default="")
    period = models.CharField(_("period"), max_length=16, choices=Period.choices)
    missing_rule = models.CharField(_("missing parts"), max_length=16, choices=MissingRule.choices)
    # {"job_families": ["PRD"], "positions": ["OP-COAT" or "涂布操作工"], "levels": ["P1"]}; see applies.py.
    applies_to = models.JSONField(_("applies to"), default=dict, blank=True)
    # [{"key", "name_zh", "name_en", "weight": "60", "items": [{"kind", "indicator", "weight", ...}]}]
    sections = models.JSONField(_("sections"), default=list)
    note = models.CharField(_("change note"), max_length=500, blank=True, default="")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("template version")
        verbose_name_plural = _("template versions")
        ordering = ["template_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="template_version_number_unique"),
            models.UniqueConstraint(fields=["template"], condition=models.Q(status="draft"), name="template_one_draft"),
        ]

    def __str__(self) -> str:
        return f"{self.template.code} v{self.number}"

    @property
    def display_name(self) -> str:
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name_zh

    def indicator_codes(self) -> set[str]:
        return {item["indicator"] for section in self.sections for item in section.get("items", [])
                if isinstance(item.get("indicator"), str)}


class LibraryInstall(models.Model):
    """One row per installation of the shipped library, so that a fresh database gets it exactly once and
    a later upgrade (`fairmark library install`) can say what it added."""

    library_version = models.PositiveIntegerField()
    installed_at = models.DateTimeField(auto_now_add=True)
    indicators_added = models.PositiveIntegerField(default=0)
    templates_added = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("library installation")

    def __str__(self) -> str:
        return f"library v{self.library_version} @ {self.installed_at:%Y-%m-%d}"
