"""Excel/CSV upload (DESIGN.md C3): upload a file, map its columns, preview every row's fate, commit the valid
rows. The file is kept (gzip) from upload to commit so that the preview and the commit read the same bytes;
committing twice is harmless (the upload's id is the batch's idempotency key)."""

from __future__ import annotations

import gzip
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from fairmark.audit.services import record
from fairmark.core.errors import OutOfScope, ServiceError

from ..mapping import FieldMapping, MappingProblem
from ..models import Channel, Source, Upload, UploadStatus
from ..rows.messages import EN, ZH
from ..selectors import sources_managed_by
from ..uploads import Guess, MetricHint, Table, UploadError, guess_mapping, read_table
from .outcome import Outcome, RowProblem
from .receiving import check_rows, classify_rows, content_hash, pack_payload, receive_batch

PREVIEW_ROWS = 20


def _language() -> str:
    return ZH if (get_language() or "").startswith("zh") else EN


def _refuse(error: UploadError) -> ServiceError:
    return ServiceError(error.message(_language()), code=error.code, fields={"file": [error.message(_language())]})


def metric_hints(source: Source) -> list[MetricHint]:
    return [MetricHint(m.code, tuple(name for name in (m.name_zh, m.name_en) if name))
            for m in source.metrics.filter(active=True)]


def mapping_from_guess(guess: Guess) -> dict[str, Any]:
    data: dict[str, Any] = {name: header for name, header in guess.fields.items()}
    data["values"] = dict(guess.values)
    if guess.subject_type and "subject_type" not in guess.fields:
        data["constants"] = {"subject_type": guess.subject_type}
    return data


@transaction.atomic
def upload_create(*, actor: Any, source: Source, file_name: str, data: bytes, sheet: str = "") -> Upload:
    if not sources_managed_by(actor).filter(pk=source.pk).exists():
        raise OutOfScope(_("Not found."))
    table = read_table(data, file_name, sheet=sheet or None)
    if isinstance(table, UploadError):
        raise _refuse(table)
    guess = guess_mapping(table.headers, metric_hints(source))
    upload = Upload.objects.create(source=source, file_name=file_name[:255], content=gzip.compress(data, 6),
                                   sheet=table.sheet, mapping=mapping_from_guess(guess), uploaded_by=actor)
    record(actor=actor, action="ingestion.upload.create", obj=upload,
           after={"source": source.code, "file": upload.file_name, "sheet": table.sheet, "rows": len(table.records)})
    return upload


def upload_table(upload: Upload) -> Table:
    table = read_table(gzip.decompress(bytes(upload.content)), upload.file_name, sheet=upload.sheet or None)
    if isinstance(table, UploadError):  # the bytes were read at upload; only a changed reader gets here
        raise _refuse(table)
    return table


def _draft(actor: Any, upload: Upload) -> Upload:
    locked = Upload.objects.select_for_update().filter(
        pk=upload.pk, source__in=sources_managed_by(actor)).first()
    if locked is None:
        raise OutOfScope(_("Not found."))
    if locked.status != UploadStatus.DRAFT:
        raise ServiceError(_("This upload was already committed or discarded."), code="not_draft")
    return locked


@transaction.atomic
def upload_set_mapping(*, actor: Any, upload: Upload, mapping: dict[str, Any], sheet: str | None = None) -> Upload:
    """Store the mapping even when it has problems: the preview shows them next to the fields."""
    locked = _draft(actor, upload)
    before = {"mapping": locked.mapping, "sheet": locked.sheet}
    if sheet is not None and sheet != locked.sheet:
        table = read_table(gzip.decompress(bytes(locked.content)), locked.file_name, sheet=sheet)
        if isinstance(table, UploadError):
            raise _refuse(table)
        locked.sheet = table.sheet
    locked.mapping = mapping
    locked.save(update_fields=["mapping", "sheet"])
    record(actor=actor, action="ingestion.upload.map", obj=locked, before=before,
           after={"mapping": locked.mapping, "sheet": locked.sheet})
    return locked


@dataclass
class UploadPreview:
    """Every row's fate before anything is written. `row_numbers[i]` is the spreadsheet row of mapped row i."""

    table: Table
    problems: list[MappingProblem] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)
    row_numbers: list[int] = field(default_factory=list)
    new: int = 0
    unchanged: int = 0
    conflicts: int = 0
    rejected: list[RowProblem] = field(default_factory=list)

    @property
    def committable(self) -> bool:
        return not self.problems and self.new + self.conflicts > 0


def upload_preview(upload: Upload) -> UploadPreview:
    table = upload_table(upload)
    preview = UploadPreview(table)
    mapping = FieldMapping.from_dict(upload.mapping)
    if isinstance(mapping, list):
        preview.problems = mapping
        return preview
    preview.problems = mapping.check(table.headers)
    if preview.problems:
        return preview
    preview.rows = mapping.rows([record.values for record in table.records])
    preview.row_numbers = [table.records[row["record"]].row_number for row in preview.rows]
    accepted, rejected, _ids = check_rows(upload.source, preview.rows, Channel.UPLOAD)
    new, unchanged, conflicting = classify_rows(upload.source, accepted)
    preview.new, preview.unchanged, preview.conflicts = len(new), len(unchanged), len(conflicting)
    preview.rejected = [RowProblem(r.index, r.row_key, r.field, r.code, r.params) for r in rejected]
    return preview


@transaction.atomic
def upload_commit(*, actor: Any, upload: Upload) -> Outcome:
    """Commit the valid rows; the rejected ones are quarantined with their reasons, as for any batch."""
    locked = Upload.objects.select_for_update().filter(pk=upload.pk, source__in=sources_managed_by(actor)).first()
    if locked is None:
        raise OutOfScope(_("Not found."))
    if locked.status == UploadStatus.DISCARDED:
        raise ServiceError(_("This upload was discarded."), code="not_draft")
    preview = upload_preview(locked)
    if preview.problems:
        raise ServiceError(_("Map the columns first."), code="mapping_incomplete",
                           fields={"mapping": [problem.message(_language()) for problem in preview.problems]})
    records = [{"row": record.row_number, **record.values} for record in preview.table.records]
    payload = pack_payload(preview.rows, records)
    outcome = receive_batch(actor=actor, source=locked.source, idempotency_key=f"upload-{locked.pk}",
                            rows=preview.rows, payload=payload, content_hash=content_hash(bytes(locked.content)),
                            channel=Channel.UPLOAD, file_name=locked.file_name)
    if locked.status == UploadStatus.DRAFT:
        locked.status, locked.batch = UploadStatus.COMMITTED, outcome.batch
        locked.save(update_fields=["status", "batch"])
    return outcome


@transaction.atomic
def upload_discard(*, actor: Any, upload: Upload) -> Upload:
    locked = _draft(actor, upload)
    locked.status = UploadStatus.DISCARDED
    locked.save(update_fields=["status"])
    record(actor=actor, action="ingestion.upload.discard", obj=locked, after={"status": locked.status})
    return locked
