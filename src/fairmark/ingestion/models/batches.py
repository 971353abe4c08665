"""Batches: one request, upload, pull or replay, written in one transaction with everything it brought: its
values, its quarantined rows, its conflicts. The idempotency key is unique per source, so a retry finds the
batch and changes nothing (ADR 0006)."""

from __future__ import annotations

import gzip
import json
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import Channel, ConflictStatus, QuarantineStatus


class Batch(models.Model):
    source = models.ForeignKey("ingestion.Source", on_delete=models.PROTECT, related_name="batches")
    idempotency_key = models.CharField(_("idempotency key"), max_length=200)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    received_at = models.DateTimeField(_("received"))
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("sent by"))
    token = models.ForeignKey("accounts.ApiToken", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                              verbose_name=_("API key"))
    # SHA-256 of the rows as sent: the same key with other rows is refused, not silently taken as a retry.
    content_hash = models.CharField(max_length=64)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    accepted = models.PositiveIntegerField(_("accepted"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    conflicts = models.PositiveIntegerField(_("conflicts"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    flagged = models.PositiveIntegerField(_("flagged as outliers"), default=0)
    # Row keys sent again with the same value: not stored anywhere else, kept so a retry can answer alike.
    unchanged_keys = models.JSONField(default=list, blank=True)
    # Warnings about the batch as a whole (cross-key duplicates), as code + params.
    warnings = models.JSONField(default=list, blank=True)
    # The rows as received (gzip of JSON {"rows": [...], "records": [...]}): the raw row of any value.
    payload = models.BinaryField()
    file_name = models.CharField(_("file"), max_length=255, blank=True, default="")

    class Meta:
        verbose_name = _("batch")
        verbose_name_plural = _("batches")
        ordering = ["-received_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["source", "idempotency_key"], name="batch_idempotency_unique")]
        indexes = [models.Index(fields=["source", "-received_at"], name="batch_source_received")]

    def __str__(self) -> str:
        return f"{self.source_id}/{self.idempotency_key}"

    def payload_json(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(gzip.decompress(bytes(self.payload)))
        return data

    def raw_row(self, index: int) -> tuple[Any, Any]:
        """(the row as sent, the source record it was mapped from or None)."""
        data = self.payload_json()
        rows = data.get("rows") or []
        row = rows[index] if 0 <= index < len(rows) else None
        records = data.get("records")
        record = None
        if records is not None and isinstance(row, dict) and isinstance(row.get("record"), int):
            position = row["record"]
            record = records[position] if 0 <= position < len(records) else None
        return row, record


class QuarantinedRow(models.Model):
    """A rejected row with its reason (code + params, worded in the reader's language), kept until it is
    corrected and replayed or dismissed with a reason: nothing is dropped silently."""

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="quarantined")
    source = models.ForeignKey("ingestion.Source", on_delete=models.CASCADE, related_name="+")
    row_index = models.PositiveIntegerField(_("row"))
    row_key = models.CharField(_("row key"), max_length=200, blank=True, default="")
    raw = models.JSONField(_("row as sent"))
    field = models.CharField(_("field"), max_length=32)
    code = models.CharField(_("reason"), max_length=64)
    params = models.JSONField(default=dict)
    status = models.CharField(_("status"), max_length=16, choices=QuarantineStatus.choices,
                              default=QuarantineStatus.OPEN)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    resolution_note = models.CharField(_("note"), max_length=500, blank=True, default="")
    replay_batch = models.ForeignKey(Batch, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("quarantined row")
        verbose_name_plural = _("quarantined rows")
        ordering = ["batch_id", "row_index"]
        indexes = [models.Index(fields=["source", "status", "code"], name="quarantine_source_status")]

    def __str__(self) -> str:
        return f"{self.batch_id}#{self.row_index} {self.code}"


class Conflict(models.Model):
    """A known row key sent with a different value: held for a person to decide, never applied by itself."""

    source = models.ForeignKey("ingestion.Source", on_delete=models.CASCADE, related_name="+")
    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="conflict_rows")
    row_index = models.PositiveIntegerField(_("row"))
    row_key = models.CharField(_("row key"), max_length=200)
    stored = models.ForeignKey("ingestion.MetricValue", on_delete=models.CASCADE, related_name="conflicts",
                               verbose_name=_("stored value"))
    incoming_value = models.DecimalField(_("incoming value"), max_digits=28, decimal_places=10, null=True)
    incoming_text = models.TextField(blank=True, default="")
    status = models.CharField(_("status"), max_length=16, choices=ConflictStatus.choices, default=ConflictStatus.OPEN)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    reason = models.CharField(_("reason"), max_length=500, blank=True, default="")
    resolution = models.ForeignKey("ingestion.MetricValue", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = _("conflict")
        verbose_name_plural = _("conflicts")
        ordering = ["-batch_id", "row_index"]
        indexes = [models.Index(fields=["source", "status"], name="conflict_source_status")]

    def __str__(self) -> str:
        return f"{self.source_id}/{self.row_key}"
