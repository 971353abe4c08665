"""The demo company's data feeds (DESIGN.md C3), written through the ingestion services as HR would set them up:
a metric for every code the shipped indicators read, the production lines as subjects mapped to the operators of
their shifts, three sources (the MES, pulled from the demo MES database of `mes.py`; the QMS, which pushes with a
key; HR's manual uploads), then two scheduled pulls of the MES with a correction in between, so that a fresh demo
shows runs, batches, a conflict, a quarantined row, a gap and an outlier."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext

from fairmark.audit import services as audit
from fairmark.core.access import SYSTEM
from fairmark.indicators.models import Indicator
from fairmark.ingestion.models import (
    Conflict,
    ConflictStatus,
    Grain,
    Metric,
    MetricValue,
    QuarantinedRow,
    QuarantineStatus,
    RunStatus,
    RunTrigger,
    Source,
    SourceKind,
    SubjectMapping,
    SubjectType,
    ValueType,
)
from fairmark.ingestion.periods import periods_between
from fairmark.ingestion.quality import gaps
from fairmark.ingestion.services.metrics import metric_create
from fairmark.ingestion.services.pulling import pull_source
from fairmark.ingestion.services.sources import source_create, source_key_issue
from fairmark.ingestion.services.subjects import subject_create
from fairmark.org.models import Assignment, Department

from .mes import FILE_NAME, QUERY, MesPlan, apply_correction, write_mes

# The metric rule. Value type: whole numbers for units that count things, decimals for everything else (hours,
# minutes, kg, money, scores, person-days, which come in halves). Lowest value: 0, unless the code names a
# quantity that can go below zero (a negative saving is a cost overrun). Grain and subjects: a production metric
# (one the MES reports, or one an indicator reads from the MES, by its data source) is reported per day, for
# employees and for production lines (a line's values reach its operators through the subject mappings); every
# other metric comes from a finance, HR, sales or quality system, or by hand, once a month, for employees.
COUNT_UNITS = frozenset({"件", "个", "次", "项", "人", "单", "份", "场", "家", "批", "篇", "台", "pcs"})
SIGNED_WORDS = frozenset({"saving", "savings", "profit", "margin", "variance", "delta", "balance"})
MES_HINT = "MES"
# metric code → MES column. The library's codes are reused where they mean the same thing: the MES's output is
# the library's produced_units (生产总数) and its defects are defect_units (不良品数).
MES_COLUMNS: dict[str, str] = {"produced_units": "output", "good_units": "good_units", "run_hours": "run_hours",
                               "downtime_minutes": "downtime_minutes", "defect_units": "defects"}
# Names for the MES metrics that no shipped indicator reads (or, should the library change, no longer reads).
MES_NAMES: dict[str, tuple[str, str, str]] = {
    "produced_units": ("生产总数", "Units produced", "件"),
    "good_units": ("良品数", "Good units", "件"),
    "run_hours": ("设备运行时长", "Run hours", "h"),
    "downtime_minutes": ("停机时长", "Downtime", "min"),  # "min" as the library writes minutes
    "defect_units": ("不良品数", "Defective units", "件"),
}
# Which data sources (the indicators' data_source_hint) the QMS push and HR's uploads carry.
QMS_HINTS = ("QMS",)
MANUAL_HINTS = ("手工填报", "HR 系统")
MES_SOURCE, QMS_SOURCE, MANUAL_SOURCE = "mes", "qms", "manual"
BATCH = 500


@dataclass(frozen=True)
class MetricSpec:
    code: str
    name_zh: str
    name_en: str
    unit: str
    value_type: str
    min_value: Decimal | None
    grain: str
    subject_types: tuple[str, ...]
    hints: frozenset[str]


def metric_specs(versions: Iterable[tuple[list[Mapping[str, Any]], str]]) -> list[MetricSpec]:
    """The metrics to create, by code, from (metrics JSON, data source hint) of each published indicator version,
    plus the MES's own; see the rule above. Names and unit come from the first indicator that lists the code."""
    named: dict[str, tuple[str, str, str]] = {}
    hints: dict[str, set[str]] = {}
    for metrics, hint in versions:
        parts = {part.strip() for part in hint.split("/") if part.strip()}
        for metric in metrics:
            code = metric["code"]
            named.setdefault(code, (metric.get("name_zh") or code, metric.get("name_en") or "", metric.get("unit") or ""))
            hints.setdefault(code, set()).update(parts)
    for code, names in MES_NAMES.items():
        named.setdefault(code, names)
        hints.setdefault(code, set()).add(MES_HINT)
    specs = []
    for code in sorted(named):
        name_zh, name_en, unit = named[code]
        production = MES_HINT in hints[code]
        specs.append(MetricSpec(
            code=code, name_zh=name_zh, name_en=name_en, unit=unit,
            value_type=ValueType.INTEGER if unit in COUNT_UNITS else ValueType.DECIMAL,
            min_value=None if SIGNED_WORDS & set(code.split("_")) else Decimal(0),
            grain=Grain.DAY if production else Grain.MONTH,
            subject_types=(SubjectType.EMPLOYEE, SubjectType.LINE) if production else (SubjectType.EMPLOYEE,),
            hints=frozenset(hints[code])))
    return specs


def mes_path() -> Path:
    return Path(settings.VAR_DIR) / FILE_NAME


def mes_mapping() -> dict[str, Any]:
    """The MES source's column mapping (ingestion.mapping.FieldMapping, wide): a row per metric of each record,
    keyed by the MES's row id, so that a corrected record comes back with the same keys."""
    return {"subject": "line_code", "period": "work_date", "row_key": "id", "constants": {"subject_type": "line"},
            "values": dict(MES_COLUMNS)}


def write_feeds(*, actor: Any, plan: MesPlan, today: dt.date) -> dict[str, int]:
    """Metrics, line subjects and their mappings, the sources and the MES pulls; the counts for `describe`."""
    specs = metric_specs((version.metrics, version.data_source_hint) for version in
                         (indicator.published for indicator in Indicator.objects.filter(
                             shipped=True, published__isnull=False).select_related("published").order_by("code"))
                         if version is not None)
    metrics = {spec.code: metric_create(actor=actor, code=spec.code, name_zh=spec.name_zh, name_en=spec.name_en,
                                        unit=spec.unit, value_type=spec.value_type, min_value=spec.min_value,
                                        grain=spec.grain, subject_types=spec.subject_types)
               for spec in specs}
    mappings = _write_lines(actor, plan, today)
    path = mes_path()
    mes = _write_sources(actor, specs, metrics, path)
    write_mes(path, plan)
    _pull(mes, len(plan.rows))
    apply_correction(path, plan)
    pull_source(actor=SYSTEM, source=mes, trigger=RunTrigger.SCHEDULE)
    return {
        "mes_lines": len(plan.lines), "mes_shifts": plan.shift_count, "mes_days": plan.days,
        "mes_values": MetricValue.objects.filter(source=mes, current=True).count(),
        "mes_gaps": len(mes_gaps(mes, plan.first_day, plan.last_day)),
        "mes_outliers": MetricValue.objects.filter(source=mes, current=True, outlier_score__isnull=False).count(),
        "mes_conflicts": Conflict.objects.filter(source=mes, status=ConflictStatus.OPEN).count(),
        "mes_rejected": QuarantinedRow.objects.filter(source=mes, status=QuarantineStatus.OPEN).count(),
        "mes_mappings": mappings,
    }


def _write_lines(actor: Any, plan: MesPlan, today: dt.date) -> int:
    """A subject per production line, mapped to the people of each of its shifts (line leader and operators)
    while they were there within the MES's six months: from their assignment's start (or the first MES day,
    whichever is later) to its end or their leaving day; the role is the shift. The mappings are written in
    bulk with the audit entries subject_mapping_add would write (one by one, 10,000 people take seconds)."""
    codes = [line.dept_code for line in plan.lines] + [shift.dept_code for line in plan.lines for shift in line.shifts]
    depts = {dept.code: dept for dept in Department.objects.filter(code__in=codes)}
    rows: list[SubjectMapping] = []
    for line in plan.lines:
        subject = subject_create(actor=actor, type=SubjectType.LINE, code=line.code, name_zh=line.name,
                                 name_en=line.name_en, department=depts[line.dept_code])
        for shift in line.shifts:
            rows += [SubjectMapping(subject=subject, employee=employee, valid_from=start, valid_to=end, role=shift.name)
                     for employee, start, end in _shift_people(depts[shift.dept_code], plan.first_day, today)]
    SubjectMapping.objects.bulk_create(rows, batch_size=BATCH)
    audit.record_many(actor=actor, entries=[audit.entry_for("ingestion.subject_mapping.add", row, after={
        "subject": row.subject.code, "employee": row.employee.number, "valid_from": row.valid_from.isoformat(),
        "valid_to": row.valid_to.isoformat() if row.valid_to else None, "role": row.role}) for row in rows])
    return len(rows)


def _shift_people(shift: Department, first: dt.date, today: dt.date) -> list[tuple[Any, dt.date, dt.date | None]]:
    assignments = (Assignment.objects.filter(department__path__startswith=shift.path, valid_from__lte=today)
                   .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=first))
                   .select_related("employee").order_by("employee__number", "valid_from"))
    found = []
    for assignment in assignments:
        start = max(assignment.valid_from, first)
        ends = [day for day in (assignment.valid_to, assignment.employee.left_on) if day is not None]
        end = min(ends) if ends else None
        if end is None or end >= start:
            found.append((assignment.employee, start, end))
    return found


def _owner(code: str) -> tuple[Department | None, Any]:
    department = Department.objects.select_related("head").filter(code=code).first()
    return department, department.head if department else None


def _write_sources(actor: Any, specs: list[MetricSpec], metrics: dict[str, Metric], path: Path) -> Source:
    mfg, mfg_head = _owner("MFG")
    mes = source_create(
        actor=actor, code=MES_SOURCE, name="MES 生产日报", kind=SourceKind.SQL,
        metrics=[metrics[code] for code in MES_COLUMNS], owner_department=mfg, owner=mfg_head,
        mapping=mes_mapping(), interval_minutes=60,
        settings={"dialect": "sqlite", "database": str(path), "query": QUERY, "watermark_column": "updated_at",
                  "timeout_seconds": 30})
    carried = set(MES_COLUMNS)  # the MES writes these; the other sources carry the rest of their systems' metrics

    def chosen(hints: tuple[str, ...]) -> list[Metric]:
        return [metrics[spec.code] for spec in specs if spec.hints & set(hints) and spec.code not in carried]

    qa, qa_head = _owner("QA")
    qms = source_create(actor=actor, code=QMS_SOURCE, name="QMS 质量系统", kind=SourceKind.PUSH,
                        metrics=chosen(QMS_HINTS), owner_department=qa, owner=qa_head)
    source_key_issue(actor=actor, source=qms, name="QMS 推送密钥")  # the key's text is not kept or shown
    hr, hr_head = _owner("HR")
    source_create(actor=actor, code=MANUAL_SOURCE, name="人事手工上传", kind=SourceKind.UPLOAD,
                  metrics=chosen(MANUAL_HINTS), owner_department=hr, owner=hr_head)
    return mes


def _pull(source: Source, records: int) -> None:
    """The first scheduled pull; a company big enough to fill more than one pull's maximum takes several."""
    read = 0
    while read < records:
        run = pull_source(actor=SYSTEM, source=source, trigger=RunTrigger.SCHEDULE)
        if run.status != RunStatus.SUCCEEDED or not run.records:
            return
        read += run.records
        source.refresh_from_db()


def mes_gaps(source: Source, first: dt.date, last: dt.date) -> set[tuple[int, str, int]]:
    """The gaps of the MES's lines over its days, as (subject, first day, length), found by the data-quality rule
    (ingestion.quality.gaps) over the current values of each metric: a line that reported on no shift of a day."""
    periods = [period.key for period in periods_between(first, last, Grain.DAY)]
    cells = (MetricValue.objects.filter(source=source, current=True, period_start__gte=first, period_start__lte=last)
             .order_by().values_list("metric_id", "subject_id", "period").distinct())
    reported: dict[int, list[tuple[int, str]]] = {}
    for metric, subject, period in cells:
        reported.setdefault(metric, []).append((subject, period))
    subjects = sorted({subject for found in reported.values() for subject, _period in found})
    return {(gap.subject, gap.start, gap.length) for found in reported.values()
            for gap in gaps(subjects, periods, found).gaps}


def describe_mes(counts: Mapping[str, int]) -> str:
    """One line about the MES for the demo's summary."""
    return gettext("MES: %(lines)s production lines, %(shifts)s shifts, %(days)s days, %(values)s values; "
                   "data quality: gaps %(gaps)s, outliers %(outliers)s, conflicts %(conflicts)s, "
                   "rejected rows %(rejected)s") % {
        "lines": counts["mes_lines"], "shifts": counts["mes_shifts"], "days": counts["mes_days"],
        "values": f"{counts['mes_values']:,}", "gaps": counts["mes_gaps"], "outliers": counts["mes_outliers"],
        "conflicts": counts["mes_conflicts"], "rejected": counts["mes_rejected"]}
