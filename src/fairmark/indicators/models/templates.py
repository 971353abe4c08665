"""Review templates (考核方案) and their versions. The sections and items of a version are one JSON document
in the shape of the shipped library (indicators/library, docs/library.md): a template version is edited,
validated, exported and pinned as a whole, and a published one never changes. Publishing pins, on every
item, the indicator version it scores with (`indicator_version`)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from fairmark.core.models import TimeStampedModel

from .choices import MissingRule, Period
from .versioning import Version


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


class TemplateVersion(Version):
    template = models.ForeignKey(Template, on_delete=models.CASCADE, related_name="versions")
    period = models.CharField(_("period"), max_length=16, choices=Period.choices)
    missing_rule = models.CharField(_("missing parts"), max_length=16, choices=MissingRule.choices)
    # {"job_families": ["PRD"], "positions": ["OP-COAT" or "涂布操作工"], "levels": ["P1"]}; see applies.py.
    applies_to = models.JSONField(_("applies to"), default=dict, blank=True)
    # [{"key", "name_zh", "name_en", "weight": "60", "items": [{"kind", "indicator", "weight", ...}]}]
    sections = models.JSONField(_("sections"), default=list)

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
