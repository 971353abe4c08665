"""Excel upload: a real workbook with errors → guessed mapping → preview of every row's fate → commit."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from openpyxl import Workbook

from fairmark.audit.models import AuditEvent
from fairmark.core.errors import OutOfScope, ServiceError
from fairmark.ingestion.models import Batch, MetricValue, QuarantinedRow, UploadStatus
from fairmark.ingestion.services.uploading import (
    upload_commit,
    upload_create,
    upload_preview,
    upload_set_mapping,
)

from .support import build_mes

pytestmark = pytest.mark.django_db


def operator_workbook() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["工号", "姓名", "日期", "产量(件)", "不良率"])
    sheet.append(["E0004", "陈员工", datetime(2026, 11, 2), 1200, 1.5])
    sheet.append(["E0005", "刘同事", datetime(2026, 11, 2), 1180, 2.25])
    sheet.append(["E0004", "陈员工", datetime(2026, 11, 3), -3, 1.1])      # row 4: output below 0
    sheet.append(["E9999", "无此人", datetime(2026, 11, 3), 1000, 1.0])    # row 5: unknown employee, both metrics
    sheet.append(["E0005", "刘同事", datetime(2026, 11, 3), 1190, None])    # a blank cell: not reported
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_upload_guesses_previews_every_error_and_commits_the_valid_rows(world) -> None:
    mes = build_mes(world)
    hr = world.user("hr")
    upload = upload_create(actor=hr, source=mes.source, file_name="产量日报.xlsx", data=operator_workbook())
    assert upload.mapping["subject"] == "工号"
    assert upload.mapping["period"] == "日期"
    assert upload.mapping["values"] == {"output": "产量(件)", "defect_rate": "不良率"}
    preview = upload_preview(upload)
    assert not preview.problems
    assert len(preview.rows) == 9  # 5 records × 2 metrics, less the blank cell
    assert preview.new == 6
    assert preview.committable
    assert sorted((preview.row_numbers[p.index], p.field, p.code) for p in preview.rejected) == [
        (4, "value", "out_of_range"), (5, "subject", "unknown_subject"), (5, "subject", "unknown_subject")]
    assert MetricValue.objects.count() == 0  # a preview writes nothing
    outcome = upload_commit(actor=hr, upload=upload)
    assert len(outcome.accepted) == 6
    assert len(outcome.rejected) == 3
    assert MetricValue.objects.count() == 6
    assert QuarantinedRow.objects.count() == 3
    upload.refresh_from_db()
    assert upload.status == UploadStatus.COMMITTED
    assert upload.batch == outcome.batch
    value = MetricValue.objects.get(metric__code="defect_rate", subject_id=world.people["peer"].pk, period="2026-11-02")
    row, record = value.batch.raw_row(value.row_index)
    assert row["value"] == 2.25
    assert record["row"] == 3
    assert record["姓名"] == "刘同事"
    again = upload_commit(actor=hr, upload=upload)  # a double click commits nothing twice
    assert again.repeated
    assert MetricValue.objects.count() == 6
    assert Batch.objects.count() == 1
    assert AuditEvent.objects.filter(action="ingestion.upload.create").count() == 1


def test_a_mapping_with_problems_is_shown_and_cannot_be_committed(world) -> None:
    mes = build_mes(world)
    hr = world.user("hr")
    upload = upload_create(actor=hr, source=mes.source, file_name="x.xlsx", data=operator_workbook())
    upload = upload_set_mapping(actor=hr, upload=upload, mapping={"subject": "工号", "values": {"output": "产量(件)"}})
    preview = upload_preview(upload)
    assert [p.code for p in preview.problems] == ["period_required"]
    assert not preview.committable
    with pytest.raises(ServiceError):
        upload_commit(actor=hr, upload=upload)
    assert MetricValue.objects.count() == 0


def test_only_managers_of_the_source_upload_and_a_bad_file_is_refused(world) -> None:
    mes = build_mes(world)
    with pytest.raises(OutOfScope):
        upload_create(actor=world.user("hrbp"), source=mes.source, file_name="x.xlsx", data=operator_workbook())
    with pytest.raises(ServiceError) as refused:
        upload_create(actor=world.user("hr"), source=mes.source, file_name="x.xls", data=b"\xd0\xcf\x11\xe0")
    assert refused.value.code == "old_excel"
