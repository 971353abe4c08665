"""Acceptance of the upload (DESIGN.md C3, issue 4 item 3) in a real browser, in Chinese: an HR admin uploads an
MES workbook with errors, sees them in the preview by spreadsheet row, maps the column the guess missed, commits
the valid rows, then finds one value's provenance from the source's data-quality page: the row as it was sent,
with the operator's name from the sheet."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import datetime

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

from fairmark.ingestion.models import MetricValue, QuarantinedRow
from tests.ingestion.support import build_mes
from tests.world import World

from .conftest import Session, login, shoot, visit

pytestmark = pytest.mark.e2e

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def mes_workbook() -> bytes:
    """Five operator-days; "次品率%" is a header the guess does not know, so the defect rate is mapped by hand."""
    book = Workbook()
    sheet = book.active
    sheet.title = "11月"
    sheet.append(["工号", "姓名", "日期", "产量(件)", "次品率%"])
    sheet.append(["E0004", "陈员工", datetime(2026, 11, 2), 1200, 1.5])
    sheet.append(["E0005", "刘同事", datetime(2026, 11, 2), 1180, 2.25])
    sheet.append(["E0004", "陈员工", datetime(2026, 11, 3), -3, 1.1])     # row 4: output below 0
    sheet.append(["E9999", "无此人", datetime(2026, 11, 3), 1000, 1.0])   # row 5: no such employee
    sheet.append(["E0005", "刘同事", datetime(2026, 11, 3), 1190, 120])   # row 6: a rate above 100
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_hr_admin_uploads_maps_commits_and_traces_a_value(e2e_world: World,
                                                             open_session: Callable[..., Session]) -> None:
    mes = build_mes(e2e_world)
    session = open_session(locale="zh-CN")
    page = session.page
    login(page, "hr")
    assert visit(page, "/data/uploads/") == 200

    form = page.get_by_test_id("upload-form")
    form.locator("#id_source").select_option(str(mes.source.pk))
    form.locator("#id_file").set_input_files({"name": "11月产量日报.xlsx", "mimeType": XLSX, "buffer": mes_workbook()})
    page.get_by_test_id("upload-submit").click()
    page.wait_for_url(re.compile(r"/data/uploads/\d+/$"))

    # The guess: employees by 工号, days by 日期, the output column; the defect rate is left to map.
    expect(page.locator("#id_subject")).to_have_value("工号")
    expect(page.locator("#id_wide_output")).to_have_value("产量(件)")
    expect(page.locator("#id_wide_defect_rate")).to_have_value("")
    errors = page.get_by_test_id("upload-errors")
    expect(errors.locator("tr[data-row='4']")).to_contain_text("-3 低于最小值 0。")
    expect(errors.locator("tr[data-row='5']")).to_contain_text("员工“E9999”不存在。")
    expect(page.get_by_test_id("count-new")).to_have_text("3")
    expect(page.get_by_test_id("upload-first-rows").locator("tr[data-row='5']")).to_have_class(re.compile("table-danger"))

    # Mapping the rate's column re-renders the preview in place: its values and its error appear.
    page.locator("#id_wide_defect_rate").select_option("次品率%")
    expect(page.get_by_test_id("count-new")).to_have_text("6")
    expect(page.get_by_test_id("count-rejected")).to_have_text("4")
    expect(page.get_by_test_id("upload-errors").locator("tr[data-row='6']")).to_contain_text("120 超出范围：应在 0 到")
    expect(page.get_by_test_id("commit-button")).to_be_enabled()
    shoot(page, "ingest-upload-preview.png")

    page.get_by_test_id("commit-button").click()
    page.wait_for_url(re.compile(r"/data/batches/\d+/$"))
    expect(page.get_by_role("alert").first).to_contain_text(re.compile(r"6\D+4"))
    assert MetricValue.objects.count() == 6
    assert QuarantinedRow.objects.count() == 4

    # From the source's data-quality page to the batch, then to one value and the row as it was sent.
    assert visit(page, "/data/sources/mes/") == 200
    page.get_by_test_id("batch-table").get_by_role("link", name=re.compile(r"^#\d+$")).first.click()
    expect(page.get_by_test_id("batch-title")).to_be_visible()
    page.get_by_test_id("batch-values").get_by_role("link", name="employee|E0005|2026-11-02|defect_rate").click()
    expect(page.get_by_test_id("value-shown")).to_contain_text("2.25")
    expect(page.get_by_test_id("value-record")).to_contain_text("刘同事")
    expect(page.get_by_test_id("value-record")).to_contain_text("次品率%")
    expect(page.get_by_test_id("value-sent-by")).to_contain_text("hr")
    shoot(page, "ingest-provenance.png")

    assert visit(page, "/data/uploads/") == 200
    listed = page.get_by_test_id("upload-list")
    expect(listed).to_contain_text("11月产量日报.xlsx")
    expect(listed.get_by_role("link", name=re.compile(r"^#\d+$"))).to_have_count(1)
    shoot(page, "ingest-uploads.png")
    assert not session.console_errors, session.console_errors
