"""The upload pages: a real workbook with errors uploaded through the form, its guessed mapping preselected,
every error listed by spreadsheet row in the reader's language, a changed mapping changing the counts, the commit
storing the valid values and quarantining the others (twice: harmlessly), and a refused file worded by the field."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook

from fairmark.ingestion.models import Batch, MetricValue, QuarantinedRow, Upload, UploadStatus

from ..world import World
from .support import build_mes
from .test_uploading import operator_workbook

pytestmark = pytest.mark.django_db

EN = {"Accept-Language": "en"}
HTMX = {"HX-Request": "true", **EN}
ClientAs = Callable[[str], Client]


class _Selects(HTMLParser):
    """The selected option of every <select> (by name), and the <option>s each offers."""

    def __init__(self) -> None:
        super().__init__()
        self.selected: dict[str, str] = {}
        self.options: dict[str, list[str]] = {}
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "select":
            self._select = found.get("name") or ""
            self.options[self._select] = []
        elif tag == "option" and self._select is not None:
            self.options[self._select].append(found.get("value") or "")
            if "selected" in found:
                self.selected[self._select] = found.get("value") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def selects(response: Any) -> _Selects:
    parser = _Selects()
    parser.feed(response.content.decode())
    return parser


def count(response: Any, name: str) -> int:
    match = re.search(rf'data-testid="count-{name}">(\d+)<', response.content.decode())
    assert match, f"no count {name}"
    return int(match.group(1))


def error_rows(response: Any) -> list[tuple[int, str]]:
    return [(int(row), code) for row, code in
            re.findall(r'<tr data-row="(\d+)" data-code="(\w+)">', response.content.decode())]


def upload(client: Client, source: Any, name: str = "产量日报.xlsx", data: bytes | None = None,
           headers: dict[str, str] | None = None) -> Any:
    file = SimpleUploadedFile(name, operator_workbook() if data is None else data)
    return client.post("/data/uploads/", {"source": source.pk, "file": file, "sheet": ""}, headers=headers)


def mapping_post(response: Any, **changes: str) -> dict[str, str]:
    """The mapping form as the page shows it, with `changes`."""
    parsed = selects(response)
    data = {name: parsed.selected.get(name, "") for name in parsed.options}
    data["period_constant"] = ""
    data.update(changes)
    return data


def test_an_upload_with_errors_is_mapped_previewed_and_committed(world: World, client_as: ClientAs) -> None:
    mes = build_mes(world)
    client = client_as("hr")
    response = upload(client, mes.source)
    upload_row = Upload.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/data/uploads/{upload_row.pk}/"

    page = client.get(response["Location"], headers=EN)
    chosen = selects(page).selected
    assert chosen["subject"] == "工号"
    assert chosen["period"] == "日期"
    assert chosen["subject_type"] == "constant:employee"
    assert chosen["wide_output"] == "产量(件)"
    assert chosen["wide_defect_rate"] == "不良率"
    assert (count(page, "records"), count(page, "new"), count(page, "rejected")) == (5, 6, 3)
    assert error_rows(page) == [(4, "out_of_range"), (5, "unknown_subject"), (5, "unknown_subject")]
    text = page.content.decode()
    assert "-3 is below the minimum of 0." in text
    assert "Unknown employee “E9999”." in text
    assert "Commit 6 valid rows" in text
    assert "员工“E9999”不存在。" in client.get(response["Location"]).content.decode()  # Chinese by default
    assert MetricValue.objects.count() == 0  # looking writes nothing

    # Un-mapping a metric (through htmx: the workspace alone comes back) changes the counts.
    changed = client.post(f"/data/uploads/{upload_row.pk}/mapping/", mapping_post(page, wide_defect_rate=""), headers=HTMX)
    assert changed.status_code == 200
    assert b"<html" not in changed.content
    assert (count(changed, "new"), count(changed, "rejected")) == (3, 2)
    assert selects(changed).selected["wide_defect_rate"] == ""
    upload_row.refresh_from_db()
    assert upload_row.mapping["values"] == {"output": "产量(件)"}

    committed = client.post(f"/data/uploads/{upload_row.pk}/commit/", headers=EN)
    assert committed.status_code == 302
    assert MetricValue.objects.count() == 3
    assert QuarantinedRow.objects.count() == 2
    assert sorted(QuarantinedRow.objects.values_list("code", flat=True)) == ["out_of_range", "unknown_subject"]
    landing = client.get(committed["Location"], headers=EN)
    assert "3 values committed. 2 rows quarantined." in landing.content.decode()

    again = client.post(f"/data/uploads/{upload_row.pk}/commit/", headers=EN)  # a double click
    assert again.status_code == 302
    assert MetricValue.objects.count() == 3
    assert Batch.objects.count() == 1
    assert "nothing was written again" in client.get(again["Location"], headers=EN).content.decode()
    upload_row.refresh_from_db()
    assert upload_row.status == UploadStatus.COMMITTED


def test_the_upload_page_shows_the_outcome_once_committed_and_is_read_only(world: World, client_as: ClientAs) -> None:
    mes = build_mes(world)
    client = client_as("hr")
    pk = Upload.objects.get(pk=int(upload(client, mes.source)["Location"].split("/")[-2])).pk
    client.post(f"/data/uploads/{pk}/commit/")
    page = client.get(f"/data/uploads/{pk}/", headers=EN)
    text = page.content.decode()
    assert "Committed: 6 values stored, 3 rows quarantined" in text
    assert 'data-testid="commit-button"' not in text
    assert "<fieldset disabled>" in text
    refused = client.post(f"/data/uploads/{pk}/mapping/", mapping_post(page, wide_output=""), headers=EN)
    assert refused.status_code == 302
    from_htmx = client.post(f"/data/uploads/{pk}/mapping/", mapping_post(page, wide_output=""), headers=HTMX)
    assert from_htmx["HX-Redirect"] == f"/data/uploads/{pk}/"  # the whole page again, not a page in the workspace
    assert Upload.objects.get(pk=pk).mapping["values"]["output"] == "产量(件)"
    assert client.post(f"/data/uploads/{pk}/discard/").status_code == 302
    assert Upload.objects.get(pk=pk).status == UploadStatus.COMMITTED


def test_a_mapping_problem_is_shown_next_to_its_field_and_blocks_the_commit(world: World, client_as: ClientAs) -> None:
    mes = build_mes(world)
    client = client_as("hr")
    location = upload(client, mes.source)["Location"]
    page = client.get(location, headers=EN)
    response = client.post(f"{location}mapping/", mapping_post(page, period=""), headers=EN)
    assert response.status_code == 302
    page = client.get(location, headers=EN)
    text = page.content.decode()
    assert re.search(r'data-field-problem="period">Choose the column of the period', text)
    assert re.search(r'data-testid="commit-button" disabled', text)
    assert client.post(f"{location}commit/").status_code == 302
    assert Batch.objects.count() == 0
    assert MetricValue.objects.count() == 0


def test_a_sheet_is_chosen_among_several(world: World, client_as: ClientAs) -> None:
    mes = build_mes(world)
    book = Workbook()
    book.active.title = "说明"
    book.active.append(["说明"])
    book.active.append(["本文件由 MES 导出"])
    data = book.create_sheet("产量")
    data.append(["工号", "日期", "产量"])
    data.append(["E0004", "2026-11-02", 1200])
    out = io.BytesIO()
    book.save(out)
    client = client_as("hr")
    location = upload(client, mes.source, "mes.xlsx", out.getvalue())["Location"]
    page = client.get(location, headers=EN)
    assert selects(page).options["sheet"] == ["说明", "产量"]
    assert selects(page).selected["sheet"] == "说明"
    moved = client.post(f"{location}mapping/", mapping_post(page, sheet="产量", subject="", wide_output=""), headers=HTMX)
    assert "产量" in selects(moved).options["wide_output"]
    assert count(moved, "records") == 1


def test_a_refused_file_is_worded_next_to_the_file_field(world: World, client_as: ClientAs) -> None:
    mes = build_mes(world)
    client = client_as("hr")
    old_excel = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512
    english = upload(client, mes.source, "产量.xls", old_excel, headers=EN)
    assert english.status_code == 400
    assert re.search(r'data-testid="upload-file-error">This is an old Excel file \(.xls\)', english.content.decode())
    chinese = upload(client, mes.source, "产量.xls", old_excel)
    assert "这是旧版 Excel 文件（.xls）" in chinese.content.decode()
    missing_sheet = client.post("/data/uploads/", {"source": mes.source.pk, "sheet": "无此表",
                                                   "file": SimpleUploadedFile("x.xlsx", operator_workbook())}, headers=EN)
    assert missing_sheet.status_code == 400
    assert "has no sheet named “无此表”" in missing_sheet.content.decode()
    assert Upload.objects.count() == 0


def test_the_list_shows_the_uploads_of_managed_sources_only(world: World, client_as: ClientAs) -> None:
    mes = build_mes(world)
    upload(client_as("hr"), mes.source)
    listed = client_as("admin").get("/data/uploads/", headers=EN)
    assert listed.status_code == 200
    assert "产量日报.xlsx" in listed.content.decode()
    bp = client_as("hrbp").get("/data/uploads/", headers=EN)
    assert bp.status_code == 200
    assert "产量日报.xlsx" not in bp.content.decode()
    assert 'data-testid="upload-no-sources"' in bp.content.decode()
    assert client_as("hrbp").get(f"/data/uploads/{Upload.objects.get().pk}/").status_code == 404


def test_the_list_costs_the_same_queries_however_many_uploads(world: World, client_as: ClientAs) -> None:
    mes = build_mes(world)
    client = client_as("hr")
    upload(client, mes.source)
    with CaptureQueriesContext(connection) as one:
        client.get("/data/uploads/")
    for _ in range(3):
        upload(client, mes.source)
    first = Upload.objects.earliest("pk")
    client.post(f"/data/uploads/{first.pk}/commit/")
    with CaptureQueriesContext(connection) as four:
        listed = client.get("/data/uploads/")
    assert listed.content.decode().count("产量日报.xlsx") == 4
    assert len(four) == len(one)
