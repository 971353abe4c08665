"""Subjects that are not people or departments (a production line, a machine, a project, a team) and the dated
mappings that carry their values to people: a line → the operators on its shifts, a project → its members."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from fairmark.core.models import TimeStampedModel

from .choices import REGISTERED_SUBJECT_TYPES


class Subject(TimeStampedModel):
    type = models.CharField(_("type"), max_length=16, choices=[(t.value, t.label) for t in REGISTERED_SUBJECT_TYPES])
    code = models.CharField(_("code"), max_length=64)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True, default="")
    department = models.ForeignKey("org.Department", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("department"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = pgettext_lazy("ingestion", "subject")
        verbose_name_plural = _("subjects")
        ordering = ["type", "code"]
        constraints = [models.UniqueConstraint(fields=["type", "code"], name="subject_type_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.display_name}"

    @property
    def display_name(self) -> str:
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name_zh


class SubjectMapping(TimeStampedModel):
    """From `valid_from` to `valid_to` (inclusive; open when empty) the subject's values count for the
    employee, e.g. the operators of line L1's early shift. `share` splits a value when several people share
    it; the goals and reviews decide how to use it (a line's defect rate applies whole to each operator)."""

    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="mappings", verbose_name=pgettext_lazy("ingestion", "subject"))
    employee = models.ForeignKey("org.Employee", on_delete=models.CASCADE, related_name="+", verbose_name=_("employee"))
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    role = models.CharField(_("role"), max_length=64, blank=True, default="")  # e.g. "早班" (early shift)

    class Meta:
        verbose_name = _("subject mapping")
        verbose_name_plural = _("subject mappings")
        ordering = ["subject_id", "valid_from", "employee_id"]
        indexes = [models.Index(fields=["employee", "valid_from"], name="subject_mapping_employee")]
        constraints = [models.CheckConstraint(
            condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=models.F("valid_from")),
            name="subject_mapping_dates_ordered")]

    def __str__(self) -> str:
        return f"{self.subject_id} → {self.employee_id} {self.valid_from}…{self.valid_to or ''}"
