"""Import and export (C1). Import is for HR admins (everywhere) and HR BPs (their units); an upload is
seen and committed only by its uploader, so another user's or a missing upload is 404 for all. Export
is for everyone signed in, of the people they may see."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.authz.matrix import Case
from tests.org.import_files import EMPLOYEES_EN, csv_file, employee

SIGNED_IN = ("employee", "manager", "head", "hrbp", "hr", "exec", "admin")
IMPORTERS = ("hrbp", "hr")
NO_JOB = 987654  # nobody's upload: the matrix cannot make one without changing the database it compares


def _file() -> dict[str, object]:
    """A new QA engineer: in the units of the test HR BP, so both importers may commit it."""
    data = csv_file(EMPLOYEES_EN, [employee("N9001", "新质检", "QA", position="", manager="E0008")])
    return {"kind": "employees", "file": SimpleUploadedFile("people.csv", data, content_type="text/csv")}


CASES = [
    Case("import page", "org:import", lambda w: "/org/import/", expect={r: 200 for r in IMPORTERS}),
    Case("import upload (check)", "org:import", lambda w: "/org/import/", method="POST", data=lambda w: _file(),
         expect={r: 302 for r in IMPORTERS}, writes=True),
    Case("import report of no one's upload", "org:import_job", lambda w: f"/org/import/{NO_JOB}/"),
    Case("import commit of no one's upload", "org:import_commit", lambda w: f"/org/import/{NO_JOB}/commit/",
         method="POST", writes=True),
    Case("import template", "org:import_template", lambda w: "/org/import/template/employees.xlsx",
         expect={r: 200 for r in IMPORTERS}),
    Case("import template (unknown kind)", "org:import_template", lambda w: "/org/import/template/salaries.xlsx"),
    Case("export employees xlsx", "org:export_employees", lambda w: "/org/export/employees.xlsx",
         expect={r: 200 for r in SIGNED_IN}),
    Case("export employees csv", "org:export_employees", lambda w: "/org/export/employees.csv",
         expect={r: 200 for r in SIGNED_IN}),
    Case("export employees (unknown format)", "org:export_employees", lambda w: "/org/export/employees.pdf"),
    Case("export departments", "org:export_departments", lambda w: "/org/export/departments.xlsx",
         expect={r: 200 for r in SIGNED_IN}),
    # The API takes multipart, which the matrix sends for non-API cases; anonymous callers get the API's 401.
    Case("api import dry run", "api:import", lambda w: "/api/v1/imports/employees?dry_run=1", method="POST",
         data=lambda w: _file(), expect={"anonymous": 401, **{r: 200 for r in IMPORTERS}}),
    Case("api import", "api:import", lambda w: "/api/v1/imports/employees", method="POST",
         data=lambda w: _file(), expect={"anonymous": 401, **{r: 200 for r in IMPORTERS}}, writes=True),
]
