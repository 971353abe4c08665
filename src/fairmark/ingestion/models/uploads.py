"""An uploaded Excel or CSV file between its upload and its commit: the file itself (so the preview and the
commit read the same bytes), the sheet and the column mapping chosen, and the batch it became."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class UploadStatus(models.TextChoices):
    DRAFT = "draft", _("Being mapped")
    COMMITTED = "committed", _("Committed")
    DISCARDED = "discarded", _("Discarded")


class Upload(models.Model):
    source = models.ForeignKey("ingestion.Source", on_delete=models.CASCADE, related_name="uploads",
                               verbose_name=_("source"))
    file_name = models.CharField(_("file"), max_length=255)
    content = models.BinaryField()  # gzip of the file as uploaded
    sheet = models.CharField(_("sheet"), max_length=100, blank=True, default="")
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=UploadStatus.choices, default=UploadStatus.DRAFT)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    batch = models.ForeignKey("ingestion.Batch", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("upload")
        verbose_name_plural = _("uploads")
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return self.file_name
