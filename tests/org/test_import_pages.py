"""The import pages through the test client: upload → report → fix → preview → commit; the template;
the export (scoped, and importable again unchanged); the API."""

from __future__ import annotations

import io
import json

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils.translation import gettext, override
from openpyxl import load_workbook

from fairmark.org.importing.readers import read_table
from fairmark.org.models import Assignment, Department, Employee, ImportJob
from fairmark.org.services.imports import departments_import, employees_import

from .import_files import EMPLOYEES_EN, EMPLOYEES_ZH, csv_file, employee, xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _in(client: Client, language: str) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _upload(client: Client, data: bytes, name: str = "people.xlsx", kind: str = "employees"):  # type: ignore[no-untyped-def]
    return client.post("/org/import/", {"kind": kind, "file": SimpleUploadedFile(name, data)})


def test_upload_report_fix_preview_commit(world, client_as) -> None:  # type: ignore[no-untyped-def]
    client = _in(client_as("hr"), "en")
    assert b'data-testid="import-form"' in client.get("/org/import/").content

    bad = xlsx(EMPLOYEES_EN, [employee("N1", "甲", manager="N2"), employee("N2", "乙", "NOPE", hire="someday")])
    response = _upload(client, bad)
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert response["Location"] == f"/org/import/{job.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="import-report"' in page
    assert 'data-testid="commit-form"' not in page
    assert 'data-row="3" data-field="department_code" data-code="unknown_department"' in page
    assert "There is no department with code “NOPE”." in page
    assert 'data-row="3" data-field="hire_date" data-code="bad_date"' in page
    assert not Employee.objects.filter(number__in=["N1", "N2"]).exists()
    # Committing a file with errors does nothing.
    assert client.post(f"/org/import/{job.pk}/commit/").status_code == 302
    assert not Employee.objects.filter(number__in=["N1", "N2"]).exists()

    good = xlsx(EMPLOYEES_EN, [employee("N1", "甲", manager="N2"), employee("N2", "乙", "LINE1", manager="E0003")])
    response = _upload(client, good)
    job = ImportJob.objects.order_by("-pk").first()
    assert job is not None
    assert job.status == "ready"
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="commit-form"' in page
    assert 'data-testid="count-created">2<' in page
    assert not Employee.objects.filter(number="N1").exists()  # checking wrote nothing

    response = client.post(f"/org/import/{job.pk}/commit/")
    assert response.status_code == 302
    assert Employee.objects.get(number="N1").manager == Employee.objects.get(number="N2")
    job.refresh_from_db()
    assert job.status == "committed"
    assert job.committed_at is not None
    page = client.get(f"/org/import/{job.pk}/").content.decode()
    assert 'data-testid="import-committed"' in page
    # A second click changes nothing.
    assignments = Assignment.objects.count()
    client.post(f"/org/import/{job.pk}/commit/")
    assert Assignment.objects.count() == assignments
    assert Employee.objects.filter(number="N1").count() == 1


def test_commit_checks_the_file_again(world, client_as) -> None:  # type: ignore[no-untyped-def]
    client = client_as("hr")
    _upload(client, xlsx(EMPLOYEES_EN, [employee("N1", "甲", "QA", manager="E0008")]))
    job = ImportJob.objects.get()
    assert job.status == "ready"
    Department.objects.filter(code="QA").update(code="QA2")  # the organisation changes in between
    client.post(f"/org/import/{job.pk}/commit/")
    job.refresh_from_db()
    assert job.status == "invalid"
    assert job.report["issues"][0]["code"] == "unknown_department"
    assert not Employee.objects.filter(number="N1").exists()


def test_the_report_is_worded_in_the_readers_language_at_request_time(world, client_as) -> None:  # type: ignore[no-untyped-def]
    client = client_as("hr")
    _upload(client, xlsx(EMPLOYEES_ZH, [employee("N1", "甲", "NOPE")]))
    job = ImportJob.objects.get()
    english = _in(client, "en").get(f"/org/import/{job.pk}/").content.decode()
    assert "There is no department with code “NOPE”." in english
    assert "<th scope=\"col\">Row</th>" in english
    assert "部门编码" in english  # the column as the user's file names it
    chinese = _in(client, "zh-hans").get(f"/org/import/{job.pk}/").content.decode()
    with override("zh-hans"):
        expected = gettext("There is no department with code “%(value)s”.") % {"value": "NOPE"}
    assert expected in chinese
    assert '<html lang="zh-hans">' in chinese


def test_uploads_are_private_to_their_uploader(world, client_as) -> None:  # type: ignore[no-untyped-def]
    _upload(client_as("hr"), xlsx(EMPLOYEES_EN, [employee("N1", "甲", "QA", manager="E0008")]))
    job = ImportJob.objects.get()
    hrbp = client_as("hrbp")
    assert hrbp.get(f"/org/import/{job.pk}/").status_code == 404
    assert hrbp.post(f"/org/import/{job.pk}/commit/").status_code == 404
    assert not Employee.objects.filter(number="N1").exists()


def test_upload_form_errors(world, client_as) -> None:  # type: ignore[no-untyped-def]
    response = client_as("hr").post("/org/import/", {"kind": "employees"})
    assert response.status_code == 400
    assert not ImportJob.objects.exists()


def test_template_in_the_users_language_with_instructions(world, client_as) -> None:  # type: ignore[no-untyped-def]
    for language, header in (("zh-hans", EMPLOYEES_ZH), ("en", EMPLOYEES_EN)):
        response = _in(client_as("hrbp"), language).get("/org/import/template/employees.xlsx")
        assert response.status_code == 200
        assert response["Content-Type"] == XLSX
        book = load_workbook(io.BytesIO(response.content))
        data, notes = book.worksheets
        rows = list(data.iter_rows(values_only=True))
        assert list(rows[0]) == header
        assert len(rows) == 2
        assert rows[1][2] == "QA"  # the example uses a department the HR BP may import into
        text = " ".join(str(v) for row in notes.iter_rows(values_only=True) for v in row if v)
        assert "QA" in text
        assert "LINE1" not in text
    # The template's own example row is a valid row.
    result = employees_import(actor=world.users["hrbp"], rows=read_table(response.content), dry_run=True)
    assert result.report.ok
    assert result.report.created == 1
    departments = client_as("hr").get("/org/import/template/departments.xlsx")
    assert load_workbook(io.BytesIO(departments.content)).worksheets[0]["A1"].value == "部门编码"


def test_export_is_scoped_and_imports_back_unchanged(world, client_as) -> None:  # type: ignore[no-untyped-def]
    manager = client_as("manager").get("/org/export/employees.csv")
    assert manager.status_code == 200
    numbers = [row.cells[0] for row in read_table(manager.content).rows]
    assert numbers == ["E0003", "E0004", "E0005"]
    assert [r.cells[0] for r in read_table(client_as("employee").get("/org/export/employees.xlsx").content).rows] == [
        "E0004"]

    hr = world.users["hr"]
    for fmt in ("xlsx", "csv"):
        content = _in(client_as("hr"), "en" if fmt == "csv" else "zh-hans").get(f"/org/export/employees.{fmt}").content
        table = read_table(content)
        assert len(table.rows) == Employee.objects.count()
        result = employees_import(actor=hr, rows=table, dry_run=True)
        assert result.report.issues == []
        assert result.report.unchanged == len(table.rows)
        departments = read_table(client_as("hr").get(f"/org/export/departments.{fmt}").content)
        result = departments_import(actor=hr, rows=departments, dry_run=True)
        assert result.report.ok
        assert result.report.unchanged == Department.objects.count()


def test_api_dry_run_errors_and_commit(world, client_as) -> None:  # type: ignore[no-untyped-def]
    client = _in(client_as("hr"), "en")
    good = csv_file(EMPLOYEES_EN, [employee("N1", "甲", "QA", manager="E0008")])
    response = client.post("/api/v1/imports/employees?dry_run=1", {"file": SimpleUploadedFile("p.csv", good)})
    assert response.status_code == 200
    body = response.json()
    assert (body["dry_run"], body["committed"], body["counts"]["created"], body["errors"]) == (True, False, 1, [])
    assert not Employee.objects.filter(number="N1").exists()

    bad = csv_file(EMPLOYEES_EN, [employee("N1", "甲", "NOPE")])
    response = client.post("/api/v1/imports/employees", {"file": SimpleUploadedFile("p.csv", bad)})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    problem = json.loads(response.content)
    assert problem["code"] == "import_invalid"
    assert problem["committed"] is False
    assert problem["errors"] == [{"row": 2, "column": "Department code", "field": "department_code",
                                  "code": "unknown_department",
                                  "messages": ["There is no department with code “NOPE”."]}]

    response = client.post("/api/v1/imports/employees", {"file": SimpleUploadedFile("p.csv", good)})
    assert response.status_code == 200
    assert response.json()["committed"] is True
    assert Employee.objects.filter(number="N1").exists()

    missing = client.post("/api/v1/imports/employees", {})
    assert missing.status_code == 400
    assert missing.json()["errors"][0]["field"] == "file"
    assert client.post("/api/v1/imports/positions", {}).status_code == 404


def test_a_file_reported_with_errors_is_never_committed_as_it_is(world, client_as) -> None:  # type: ignore[no-untyped-def]
    client = client_as("hr")
    _upload(client, xlsx(EMPLOYEES_EN, [employee("N1", "甲", "NEW", manager="E0003")]))
    job = ImportJob.objects.get()
    assert job.status == "invalid"
    Department.objects.create(company=world.company, code="NEW", name="新部门", parent=world.depts["PROD"])
    client.post(f"/org/import/{job.pk}/commit/")  # the user saw errors, not a preview: upload again instead
    job.refresh_from_db()
    assert job.status == "invalid"
    assert not Employee.objects.filter(number="N1").exists()
