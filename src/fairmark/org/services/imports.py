"""Import of departments and employees from a spreadsheet: all or nothing. The file is checked as a
whole against the organisation (pure code in fairmark.org.importing); any error and nothing is
written, and the full report goes back. Otherwise every row is written in one transaction with bulk
statements, each created or changed row gets its audit event, and the actor's scope is checked again
before the transaction ends."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fairmark.audit import services as audit
from fairmark.core.access import forget_viewer, viewer_for
from fairmark.core.errors import OutOfScope

from ..importing import departments as dplan
from ..importing import employees as eplan
from ..importing.columns import Kind
from ..importing.readers import ReadError, Table, read_table
from ..importing.report import Issue, Report
from ..models import Assignment, Company, Department, Employee, EmployeeStatus, ImportJob, ImportStatus, Level, Position
from ..selectors import can_import_org, departments_editable_by, import_jobs_visible_to
from .departments import _set_path
from .snapshots import department_snapshot, employee_snapshot


@dataclass
class ImportResult:
    report: Report
    committed: bool = False


def _require_importer(actor: Any) -> None:
    if not can_import_org(actor):
        raise OutOfScope(_("Not found."))


def _editable_department_ids(actor: Any) -> set[int] | None:
    """None when the actor may edit the whole organisation."""
    if viewer_for(actor).edits_all_org:
        return None
    return set(departments_editable_by(actor).values_list("id", flat=True))


# --- employees --------------------------------------------------------------------------------------

_EMPLOYEE_VALUES = (
    "number", "name", "department__code", "position__code", "level__code", "manager__number", "hire_date",
    "probation_end", "status", "location", "cost_centre", "email", "phone", "department_id",
)


def _employee_context(actor: Any) -> eplan.EmployeeContext:
    editable = _editable_department_ids(actor)
    departments = {
        code: eplan.KnownDepartment(code, editable is None or pk in editable, cost_centre)
        for pk, code, cost_centre in Department.objects.values_list("id", "code", "cost_centre")
    }
    employees: dict[str, eplan.KnownEmployee] = {}
    for row in Employee.objects.values_list(*_EMPLOYEE_VALUES).iterator(chunk_size=5000):
        record = eplan.EmployeeRecord(*row[:-1])
        employees[record.number] = eplan.KnownEmployee(record, editable is None or row[-1] in editable)
    return eplan.EmployeeContext(
        departments=departments,
        positions=set(Position.objects.values_list("code", flat=True)),
        levels=set(Level.objects.values_list("code", flat=True)),
        employees=employees,
    )


def employees_import(*, actor: Any, rows: Table, dry_run: bool, source: str = "") -> ImportResult:
    """Upsert employees by employee number. `dry_run` checks and counts without writing."""
    _require_importer(actor)
    if dry_run:
        return ImportResult(eplan.plan_employees(rows, _employee_context(actor))[0])

    def write() -> Report:
        # Checked again inside the transaction, against the organisation as it is now.
        report, planned = eplan.plan_employees(rows, _employee_context(actor))
        if report.ok:
            _finish(actor, "employees", source, report, _commit_employees(actor=actor, planned=planned))
        return report

    return _write_all_or_nothing("employees", rows, write)


_EMPLOYEE_FIELDS = [
    "name", "company", "department", "position", "level", "manager", "hire_date", "probation_end", "status",
    "left_on", "location", "cost_centre", "email", "phone", "updated_at",
]
_BATCH = 500


class _Lookups:
    """Codes and numbers to ids, loaded once per commit."""

    def __init__(self) -> None:
        self.departments = {
            code: (pk, company_id, path)
            for pk, code, company_id, path in Department.objects.values_list("id", "code", "company_id", "path")
        }
        self.positions = dict(Position.objects.values_list("code", "id"))
        self.levels = dict(Level.objects.values_list("code", "id"))
        self.employees = dict(Employee.objects.values_list("number", "id"))

    def apply(self, employee: Employee, record: eplan.EmployeeRecord, today: dt.date) -> None:
        department_id, company_id, _path = self.departments[record.department_code]
        assert record.hire_date is not None  # required; the plan has refused a row without one
        employee.name = record.name
        employee.department_id = department_id
        employee.company_id = company_id
        employee.position_id = self.positions[record.position_code] if record.position_code else None
        employee.level_id = self.levels[record.level_code] if record.level_code else None
        # New managers are written before their reports (creation_levels), so their ids are known here.
        employee.manager_id = self.employees.get(record.manager_number) if record.manager_number else None
        employee.hire_date = record.hire_date
        employee.probation_end = record.probation_end
        employee.status = record.status
        employee.left_on = (employee.left_on or today) if record.status == EmployeeStatus.LEFT else None
        employee.location = record.location
        employee.cost_centre = record.cost_centre
        employee.email = record.email
        employee.phone = record.phone


def _commit_employees(*, actor: Any, planned: list[eplan.PlannedEmployee]) -> set[int]:
    """Write the plan; returns the departments written into (for the scope check)."""
    today, now = timezone.localdate(), timezone.now()
    lookups = _Lookups()
    path_of = {pk: path for pk, _company, path in lookups.departments.values()}
    entries: list[audit.Entry] = []

    # Managers before their reports, level by level, so that every manager has an id when the people
    # reporting to them are written, whatever the order of the file: no second pass of UPDATEs.
    created: list[Employee] = []
    for level in eplan.creation_levels([p.record for p in planned if p.action == "create"]):
        batch = []
        for record in level:
            employee = Employee(number=record.number)
            lookups.apply(employee, record, today)
            batch.append(employee)
        Employee.objects.bulk_create(batch, batch_size=_BATCH)
        if any(e.pk is None for e in batch):  # a database that does not return ids from a bulk insert
            ids = dict(Employee.objects.values_list("number", "id"))
            for employee in batch:
                employee.pk = ids[employee.number]
        lookups.employees.update({e.number: e.pk for e in batch})
        created += batch
    Assignment.objects.bulk_create(
        [Assignment(employee_id=e.pk, department_id=e.department_id, position_id=e.position_id,
                    manager_id=e.manager_id, valid_from=e.hire_date, reason=_("Hired")) for e in created],
        batch_size=_BATCH,
    )
    entries += [audit.entry_for("employee.create", e, after=employee_snapshot(e), scope=path_of[e.department_id])
                for e in created]

    changed = [p for p in planned if p.action == "update"]
    stored = Employee.objects.in_bulk([p.record.number for p in changed], field_name="number")
    updated: list[Employee] = []
    moved: list[Employee] = []
    for plan in changed:
        employee = stored[plan.record.number]
        before = employee_snapshot(employee)
        line = (employee.department_id, employee.position_id, employee.manager_id)
        lookups.apply(employee, plan.record, today)
        employee.updated_at = now
        updated.append(employee)
        if (employee.department_id, employee.position_id, employee.manager_id) != line:
            moved.append(employee)
        old, new = audit.diff(before, employee_snapshot(employee))
        entries.append(audit.entry_for("employee.update", employee, before=old, after=new,
                                       scope=path_of[employee.department_id]))
    Employee.objects.bulk_update(updated, _EMPLOYEE_FIELDS, batch_size=_BATCH)
    _move_assignments(moved, today)

    audit.record_many(actor=actor, entries=entries)
    return {e.department_id for e in (*created, *updated)}


def _chunks(items: list[int], size: int = _BATCH) -> Iterable[list[int]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _move_assignments(moved: list[Employee], today: dt.date) -> None:
    """A changed department, position or manager closes the open assignment the day before and opens
    a new one today, so the old reporting line keeps the period it covered."""
    if not moved:
        return
    open_rows: dict[int, Assignment] = {}
    for chunk in _chunks([e.pk for e in moved]):
        open_rows.update({a.employee_id: a for a in Assignment.objects.filter(employee_id__in=chunk, valid_to__isnull=True)})
    closed: list[Assignment] = []
    replaced: list[Assignment] = []
    opened: list[Assignment] = []
    reason = _("Changed by import")
    for employee in moved:
        current = open_rows.get(employee.pk)
        if current is not None and current.valid_from >= today:
            # The line started today (or starts later): a closed row of no days would be no history,
            # so the change replaces it.
            current.department_id, current.position_id = employee.department_id, employee.position_id
            current.manager_id = employee.manager_id
            replaced.append(current)
            continue
        if current is not None:
            current.valid_to = today - dt.timedelta(days=1)
            closed.append(current)
        opened.append(Assignment(employee_id=employee.pk, department_id=employee.department_id,
                                 position_id=employee.position_id, manager_id=employee.manager_id,
                                 valid_from=today, reason=reason))
    Assignment.objects.bulk_update(closed, ["valid_to"], batch_size=_BATCH)  # before opening: one open row each
    Assignment.objects.bulk_update(replaced, ["department", "position", "manager"], batch_size=_BATCH)
    Assignment.objects.bulk_create(opened, batch_size=_BATCH)


# --- departments ------------------------------------------------------------------------------------


def _department_context(actor: Any) -> dplan.DepartmentContext:
    editable = _editable_department_ids(actor)
    code_of = dict(Department.objects.values_list("id", "code"))
    departments = {
        code: dplan.KnownDepartmentRecord(
            dplan.DepartmentRecord(code, name, name_en, code_of.get(parent_id) if parent_id else None, head, cost_centre),
            editable is None or pk in editable,
        )
        for pk, code, name, name_en, parent_id, head, cost_centre in Department.objects.values_list(
            "id", "code", "name", "name_en", "parent_id", "head__number", "cost_centre"
        )
    }
    return dplan.DepartmentContext(
        departments=departments,
        employees=set(Employee.objects.values_list("number", flat=True)),
        may_add_roots=editable is None,
        has_company=Company.objects.exists(),
    )


def departments_import(*, actor: Any, rows: Table, dry_run: bool, source: str = "") -> ImportResult:
    """Upsert departments by code; a row may name as parent a department later in the file."""
    _require_importer(actor)
    if dry_run:
        return ImportResult(dplan.plan_departments(rows, _department_context(actor))[0])

    def write() -> Report:
        report, planned = dplan.plan_departments(rows, _department_context(actor))
        if report.ok:
            _finish(actor, "departments", source, report, _commit_departments(actor=actor, planned=planned))
        return report

    return _write_all_or_nothing("departments", rows, write)


_DEPARTMENT_FIELDS = ["name", "name_en", "parent", "head", "cost_centre", "path", "depth", "updated_at"]


def _commit_departments(*, actor: Any, planned: list[dplan.PlannedDepartment]) -> set[int]:
    now = timezone.now()
    by_code = {plan.record.code: plan for plan in planned}
    stored = {d.code: d for d in Department.objects.all()}
    heads = dict(Employee.objects.filter(
        number__in={p.record.head_number for p in planned if p.record.head_number}
    ).values_list("number", "id"))
    root_company = (Company.objects.filter(parent__isnull=True).order_by("pk").first()
                    or Company.objects.order_by("pk").first())

    def company_of(code: str) -> int:
        """A new department belongs to the company of the tree it joins."""
        if code in stored:
            return stored[code].company_id
        parent = by_code[code].record.parent_code
        if parent:
            return company_of(parent)
        assert root_company is not None  # the plan refuses a new root when there is no company
        return root_company.pk

    Department.objects.bulk_create(
        [Department(code=p.record.code, name=p.record.name, company_id=company_of(p.record.code))
         for p in planned if p.action == "create"],
        batch_size=_BATCH,
    )
    every = {d.pk: d for d in Department.objects.all()}
    by_code_now = {d.code: d for d in every.values()}
    before = {code: department_snapshot(d) for code, d in by_code_now.items() if code in stored}
    touched: list[Department] = []
    for plan in planned:
        if plan.action == "unchanged":
            continue
        record, department = plan.record, by_code_now[plan.record.code]
        department.name, department.name_en, department.cost_centre = record.name, record.name_en, record.cost_centre
        department.parent_id = by_code_now[record.parent_code].pk if record.parent_code else None
        department.head_id = heads.get(record.head_number) if record.head_number else None
        department.updated_at = now
        touched.append(department)

    # Paths for the whole tree, parents first: a moved department carries its subtree along.
    old_place = {pk: (d.path, d.depth) for pk, d in every.items()}
    for pk in dplan.parents_first({pk: d.parent_id for pk, d in every.items()}):
        department = every[pk]
        department.parent = every[department.parent_id] if department.parent_id else None  # _set_path reads it
        _set_path(department)
    dirty = {d.pk: d for d in touched}
    dirty.update({pk: d for pk, d in every.items() if (d.path, d.depth) != old_place[pk]})
    Department.objects.bulk_update(list(dirty.values()), _DEPARTMENT_FIELDS, batch_size=_BATCH)

    entries: list[audit.Entry] = []
    for department in touched:
        if department.code in before:
            old, new = audit.diff(before[department.code], department_snapshot(department))
            entries.append(audit.entry_for("department.update", department, before=old, after=new, scope=department.path))
        else:
            entries.append(audit.entry_for("department.create", department, after=department_snapshot(department),
                                           scope=department.path))
    audit.record_many(actor=actor, entries=entries)
    return {d.pk for d in touched}


# --- shared -----------------------------------------------------------------------------------------


def _write_all_or_nothing(kind: Kind, rows: Table, write: Callable[[], Report]) -> ImportResult:
    try:
        with transaction.atomic():
            report = write()
    except IntegrityError:
        # Someone else wrote the same employee number or department code between the check and the write.
        return ImportResult(Report(kind=kind, rows=len(rows.rows), issues=[Issue(0, "", "changed_meanwhile")]))
    return ImportResult(report, committed=report.ok)


def _finish(actor: Any, kind: Kind, source: str, report: Report, written: set[int]) -> None:
    """One event for the import as a whole, next to the one per row, so the log says what file did it;
    then rule 2 again, with the viewer rebuilt (heads and paths decide what the actor sees)."""
    counts = {k: report.counts()[k] for k in ("rows", "created", "updated", "unchanged")}
    audit.record_many(actor=actor, entries=[audit.Entry(
        action=f"{kind}.import", object_type="org.importjob", object_repr=source[:200], after={"file": source, **counts},
    )])
    forget_viewer(actor)
    _ensure_departments_in_scope(actor, written)


def _ensure_departments_in_scope(actor: Any, department_ids: Iterable[int]) -> None:
    """Rule 2 after the write: every department written to (or into) must still be the actor's."""
    if viewer_for(actor).edits_all_org:
        return
    wanted = set(department_ids)
    if len(wanted & set(departments_editable_by(actor).values_list("id", flat=True))) != len(wanted):
        raise OutOfScope(_("Not found."))


def read_report(kind: Kind, error: ReadError) -> Report:
    return Report(kind=kind, issues=[Issue(0, "", error.code, dict(error.params))])


def import_file(*, actor: Any, kind: Kind, content: bytes, dry_run: bool, source: str = "") -> ImportResult:
    """Read an uploaded .xlsx/.csv and import it; a file that cannot be read gives a one-line report."""
    _require_importer(actor)
    try:
        table = read_table(content)
    except ReadError as error:
        return ImportResult(read_report(kind, error))
    service = departments_import if kind == "departments" else employees_import
    return service(actor=actor, rows=table, dry_run=dry_run, source=source)


# --- the import page's stored uploads ---------------------------------------------------------------


def import_job_create(*, actor: Any, kind: Kind, filename: str, content: bytes) -> ImportJob:
    """Keep the upload and check it (a dry run); the report is stored as codes, not sentences."""
    _require_importer(actor)
    result = import_file(actor=actor, kind=kind, content=content, dry_run=True, source=filename)
    return ImportJob.objects.create(
        kind=kind, filename=filename[:255], content=content, created_by=actor,
        status=ImportStatus.READY if result.report.ok else ImportStatus.INVALID, report=result.report.to_json(),
    )


def import_job_commit(*, actor: Any, job: ImportJob) -> ImportResult:
    """Commit a checked upload. The file is checked again: the organisation may have changed since."""
    if not import_jobs_visible_to(actor).filter(pk=job.pk).exists():
        raise OutOfScope(_("Not found."))
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.status != ImportStatus.READY:
            # A second click changes nothing; a file whose report had errors is never committed as it is.
            return ImportResult(Report.from_json(job.report), committed=job.status == ImportStatus.COMMITTED)
        kind: Kind = "departments" if job.kind == "departments" else "employees"
        result = import_file(actor=actor, kind=kind, content=bytes(job.content), dry_run=False, source=job.filename)
        job.report = result.report.to_json()
        job.status = ImportStatus.COMMITTED if result.committed else ImportStatus.INVALID
        job.committed_at = timezone.now() if result.committed else None
        job.save(update_fields=["report", "status", "committed_at", "updated_at"])
    return result

