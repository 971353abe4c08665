"""An uploaded import file, kept between "check" and "commit" so that the commit re-validates
exactly the file the user saw the report for."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fairmark.core.models import TimeStampedModel


class ImportKind(models.TextChoices):
    DEPARTMENTS = "departments", _("Departments")
    EMPLOYEES = "employees", _("Employees")


class ImportStatus(models.TextChoices):
    INVALID = "invalid", _("Has errors")
    READY = "ready", _("Ready to commit")
    COMMITTED = "committed", _("Committed")


class ImportJob(TimeStampedModel):
    kind = models.CharField(_("kind"), max_length=16, choices=ImportKind.choices)
    filename = models.CharField(_("file name"), max_length=255)
    content = models.BinaryField(_("file"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_jobs", verbose_name=_("uploaded by")
    )
    status = models.CharField(_("status"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.INVALID)
    # Issue codes and parameters, not sentences: the page words them in the reader's language.
    report = models.JSONField(_("report"), default=dict, blank=True)
    committed_at = models.DateTimeField(_("committed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.filename}"
