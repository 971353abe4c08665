"""The demo company's MES (issue 4 item 8): six months of daily data per production line and shift, line-to-operator
mappings, pulled twice by the scheduled connector, with a gap, an outlier, a conflict and a rejected row."""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.utils import translation

from fairmark.audit.verification import verify_chain
from fairmark.demo import generator
from fairmark.demo.ingestion import MES_COLUMNS, mes_gaps, metric_specs
from fairmark.demo.mes import FILE_NAME, OUTLIER_FACTOR, TABLE, MesPlan, plan_mes
from fairmark.demo.names import DEFAULT_SEED
from fairmark.demo.people import plan_people
from fairmark.demo.structure import plan_structure
from fairmark.indicators.models import Indicator
from fairmark.ingestion.models import (
    Conflict,
    ConflictStatus,
    Grain,
    Metric,
    MetricValue,
    QuarantinedRow,
    QuarantineStatus,
    Run,
    Source,
    SourceKind,
    Subject,
    SubjectMapping,
    SubjectType,
    ValueType,
)
from fairmark.ingestion.periods import periods_between
from fairmark.ingestion.quality import gaps, outliers
from fairmark.org.models import Assignment, Department, Employee

SMALL = 80  # the size the other demo tests use
TODAY = dt.date(2026, 3, 16)


def _plan(size: int = SMALL, seed: int = DEFAULT_SEED, today: dt.date = TODAY) -> MesPlan:
    """The MES as generate() plans it: from the same RNG, after the structure and the people."""
    rng = random.Random(seed)
    structure = plan_structure(size, rng)
    plan_people(structure, rng, today)
    return plan_mes(structure, rng, today)


@pytest.fixture
def var_dir(settings: Any, tmp_path: Path) -> Path:
    settings.VAR_DIR = tmp_path  # the MES file of this test only (others may be generating alongside)
    return tmp_path


@pytest.fixture
def demo(db: None, var_dir: Path) -> generator.Result:
    return generator.generate(size=SMALL, today=TODAY)


@pytest.fixture
def plan() -> MesPlan:
    return _plan()


def _mes_rows(path: Path) -> dict[int, dict[str, Any]]:
    connection = sqlite3.connect(path)
    connection.row_factory = sqlite3.Row
    try:
        return {row["id"]: dict(row) for row in connection.execute(f"SELECT * FROM {TABLE}")}
    finally:
        connection.close()


def _line_ids() -> dict[str, int]:
    return dict(Subject.objects.filter(type=SubjectType.LINE).values_list("code", "pk"))


def test_the_mes_file_holds_the_plan_with_the_correction(demo: generator.Result, plan: MesPlan, var_dir: Path) -> None:
    rows = _mes_rows(var_dir / FILE_NAME)
    assert plan.correction is not None
    assert len(rows) == len(plan.rows)
    assert plan.last_day == TODAY - dt.timedelta(days=1)
    assert (TODAY - plan.first_day).days in range(181, 185)  # six months
    for row in plan.rows:
        stored = rows[row.id]
        output = plan.correction.output if row.id == plan.correction.row_id else row.output
        assert (stored["line_code"], stored["shift"], stored["work_date"], stored["output"], stored["run_hours"]) == (
            row.line_code, row.shift, row.work_date.isoformat(), output, f"{row.run_hours:.2f}")
    assert min(r["work_date"] for r in rows.values()) == plan.first_day.isoformat()
    assert max(r["work_date"] for r in rows.values()) == plan.last_day.isoformat()
    assert rows[plan.correction.row_id]["updated_at"] == max(r["updated_at"] for r in rows.values())
    # Good units and defects never add up to more than the output.
    assert all(r["good_units"] + r["defects"] <= r["output"] for r in rows.values())
    assert plan.days == demo.counts["mes_days"]
    assert (len(plan.lines), plan.shift_count) == (demo.counts["mes_lines"], demo.counts["mes_shifts"])


def test_the_mes_source_was_pulled_twice_on_schedule(demo: generator.Result, plan: MesPlan, var_dir: Path) -> None:
    mes = Source.objects.get(code="mes")
    assert mes.kind == SourceKind.SQL
    assert mes.settings["dialect"] == "sqlite"
    assert mes.settings["database"] == str(var_dir / FILE_NAME)
    assert mes.interval_minutes == 60
    assert mes.owner_department == Department.objects.get(code="MFG")
    assert mes.owner == mes.owner_department.head
    assert set(mes.metrics.values_list("code", flat=True)) == set(MES_COLUMNS)
    first, second = Run.objects.filter(source=mes).order_by("started_at", "pk")
    assert [(run.status, run.trigger) for run in (first, second)] == [("succeeded", "schedule")] * 2
    assert first.records == len(plan.rows)
    assert second.records == 1  # the corrected row only
    assert first.batch is not None
    assert second.batch is not None
    assert (first.batch.accepted, first.batch.rejected, first.batch.flagged) == (5 * len(plan.rows) - 1, 1, 1)
    assert (second.batch.accepted, second.batch.unchanged, second.batch.conflicts) == (0, 4, 1)
    assert mes.next_run_at is not None  # the beat's pull-due-sources takes it from here


def test_values_cover_every_line_and_metric_over_six_months(demo: generator.Result, plan: MesPlan) -> None:
    lines = _line_ids()
    assert set(lines) == {line.code for line in plan.lines}
    days: dict[tuple[str, int], set[str]] = defaultdict(set)
    for code, subject, period in MetricValue.objects.filter(source__code="mes", current=True).values_list(
            "metric__code", "subject_id", "period"):
        days[(code, subject)].add(period)
    every_day = {period.key for period in periods_between(plan.first_day, plan.last_day, Grain.DAY)}
    gap_line, gap_day = plan.gap
    for code in MES_COLUMNS:
        for line, subject in lines.items():
            missing = {gap_day.isoformat()} if line == gap_line else set()
            assert days[(code, subject)] == every_day - missing, (code, line)
    assert demo.counts["mes_values"] == 5 * len(plan.rows) - 1 == MetricValue.objects.filter(source__code="mes").count()
    hours = MetricValue.objects.get(source__code="mes", row_key=f"{plan.rows[0].id}:run_hours")
    assert hours.value == plan.rows[0].run_hours  # exact, never through float


def test_exactly_the_planned_gap_is_found(demo: generator.Result, plan: MesPlan) -> None:
    mes = Source.objects.get(code="mes")
    periods = [period.key for period in periods_between(plan.first_day, plan.last_day, Grain.DAY)]
    lines = _line_ids()
    for metric in mes.metrics.all():
        cells = MetricValue.objects.filter(source=mes, metric=metric, current=True).values_list("subject_id", "period")
        found = gaps(sorted(lines.values()), periods, cells)
        assert [(gap.subject, gap.start, gap.length) for gap in found.gaps] == [
            (lines[plan.gap[0]], plan.gap[1].isoformat(), 1)], metric.code
    assert mes_gaps(mes, plan.first_day, plan.last_day) == {(lines[plan.gap[0]], plan.gap[1].isoformat(), 1)}
    assert demo.counts["mes_gaps"] == 1
    assert plan.last_day - plan.gap[1] <= dt.timedelta(days=13)  # recent: within the data-quality page's window


def test_one_outlier_one_conflict_one_rejected_row(demo: generator.Result, plan: MesPlan) -> None:
    flagged = MetricValue.objects.get(source__code="mes", outlier_score__isnull=False)
    outlier = plan.row(plan.outlier)
    assert flagged.row_key == f"{outlier.id}:produced_units"
    assert flagged.value == outlier.output
    assert flagged.outlier_score is not None
    assert flagged.outlier_score > 10
    normal = [row.output for row in plan.rows if row.line_code == outlier.line_code and row.id != outlier.id]
    assert outlier.output > OUTLIER_FACTOR * 0.8 * max(normal)

    assert plan.correction is not None
    conflict = Conflict.objects.get()
    corrected = plan.row(plan.correction.row_id)
    assert conflict.status == ConflictStatus.OPEN
    assert conflict.row_key == f"{corrected.id}:produced_units"
    assert conflict.incoming_value == plan.correction.output
    assert conflict.stored.value == corrected.output != plan.correction.output
    assert corrected.work_date == plan.last_day

    quarantined = QuarantinedRow.objects.get()
    assert quarantined.status == QuarantineStatus.OPEN
    assert (quarantined.field, quarantined.code) == ("value", "out_of_range")
    assert quarantined.row_key == f"{plan.rejected}:downtime_minutes"
    assert Decimal(quarantined.params["value"]) < 0
    assert quarantined.params["min"] == "0"
    assert (demo.counts["mes_outliers"], demo.counts["mes_conflicts"], demo.counts["mes_rejected"]) == (1, 1, 1)
    for day in (plan.row(plan.outlier).work_date, plan.row(plan.rejected).work_date):
        assert plan.last_day - day <= dt.timedelta(days=13)


def test_every_line_maps_to_the_people_of_its_shifts(demo: generator.Result, plan: MesPlan) -> None:
    for line in plan.lines:
        subject = Subject.objects.get(type=SubjectType.LINE, code=line.code)
        assert subject.name_zh == line.name
        assert subject.department == Department.objects.get(code=line.dept_code)
        for shift in line.shifts:
            department = Department.objects.get(code=shift.dept_code)
            mapped = SubjectMapping.objects.filter(subject=subject, role=shift.name)
            assert mapped.exists(), (line.code, shift.name)
            assert all(m.valid_from >= plan.first_day for m in mapped)
            # Everyone working on the shift today is mapped, open-ended; nobody else is mapped open-ended.
            current = set(Employee.objects.filter(department=department).exclude(status="left")
                          .values_list("pk", flat=True))
            assert set(mapped.filter(valid_to__isnull=True).values_list("employee_id", flat=True)) == current
            # Everyone who was on the shift at some time in the six months is mapped for that time.
            served = set(Assignment.objects.filter(department=department, valid_from__lte=TODAY).exclude(
                valid_to__lt=plan.first_day).exclude(employee__left_on__lt=plan.first_day)
                .values_list("employee_id", flat=True))
            assert set(mapped.values_list("employee_id", flat=True)) == served
            assert department.head_id in current  # the line leader
    positions = set(SubjectMapping.objects.values_list("employee__position__code", flat=True))
    assert positions <= {"LL", "MH", "OP-COAT", "OP-WIND", "OP-ASM", "OP-FILL", "OP-FORM", "OP-PACK"}
    assert verify_chain() is None
    assert demo.counts["mes_mappings"] == SubjectMapping.objects.count()


def test_metrics_for_the_library_and_the_other_sources(demo: generator.Result) -> None:
    read = {metric["code"] for indicator in Indicator.objects.filter(shipped=True, published__isnull=False)
            .select_related("published") for metric in indicator.published.metrics}  # type: ignore[union-attr]
    assert read | set(MES_COLUMNS) == set(Metric.objects.values_list("code", flat=True))
    for code in MES_COLUMNS:
        metric = Metric.objects.get(code=code)
        assert metric.grain == Grain.DAY
        assert set(metric.subject_types) == {SubjectType.EMPLOYEE, SubjectType.LINE}
        assert metric.min_value == 0
    assert Metric.objects.get(code="produced_units").value_type == ValueType.INTEGER
    assert Metric.objects.get(code="run_hours").value_type == ValueType.DECIMAL
    assert Metric.objects.get(code="downtime_minutes").unit == "min"
    assert Metric.objects.get(code="revenue_wan").grain == Grain.MONTH
    assert Metric.objects.get(code="cost_saving_wan").min_value is None

    qms = Source.objects.get(code="qms")
    assert qms.kind == SourceKind.PUSH
    assert qms.owner_department == Department.objects.get(code="QA")
    key = qms.keys.select_related("token__user").get()
    assert key.token.user.username == "hr"
    assert "lots_inspected" in set(qms.metrics.values_list("code", flat=True))
    manual = Source.objects.get(code="manual")
    assert manual.kind == SourceKind.UPLOAD
    assert manual.owner_department == Department.objects.get(code="HR")
    assert "attendance_days" in set(manual.metrics.values_list("code", flat=True))
    assert not set(MES_COLUMNS) & set(qms.metrics.values_list("code", flat=True))


def test_describe_has_a_line_about_the_mes(demo: generator.Result) -> None:
    with translation.override("en"):
        first, mes, _goals, _reviews = generator.describe(demo).splitlines()
    assert first.startswith(f"{SMALL} people")
    assert mes.startswith(f"MES: {demo.counts['mes_lines']} production lines")
    assert "gaps 1, outliers 1, conflicts 1, rejected rows 1" in mes
    with translation.override("zh-hans"):
        chinese = generator.describe(demo).splitlines()[1]
    assert chinese.startswith(f"MES：{demo.counts['mes_lines']} 条产线")


def test_metric_rule() -> None:
    specs = {spec.code: spec for spec in metric_specs([
        ([{"code": "good_units", "name_zh": "良品数", "name_en": "Good units", "unit": "件"}], "MES"),
        ([{"code": "cost_saving_wan", "name_zh": "降本金额", "unit": "万元"},
          {"code": "design_changes", "name_zh": "设计变更数", "unit": "次"}], "财务系统"),
        ([{"code": "attendance_days", "name_zh": "实际出勤人天", "unit": "天"}], "HR 系统 / MES"),
    ])}
    assert (specs["good_units"].value_type, specs["good_units"].grain) == (ValueType.INTEGER, Grain.DAY)
    assert (specs["cost_saving_wan"].min_value, specs["cost_saving_wan"].grain) == (None, Grain.MONTH)
    assert specs["design_changes"].min_value == 0
    assert specs["design_changes"].subject_types == (SubjectType.EMPLOYEE,)
    assert specs["attendance_days"].value_type == ValueType.DECIMAL
    assert specs["attendance_days"].grain == Grain.DAY  # read from the MES by one indicator
    assert specs["downtime_minutes"].name_zh == "停机时长"  # the MES's own, not in the library


@pytest.mark.parametrize(("size", "seed"), [(80, 1), (80, 2), (500, 0), (500, 3), (2000, 0)])
def test_only_the_planted_outlier_stands_out(size: int, seed: int) -> None:
    """Grouped as ingestion flags a batch (a line's days; the lines of one day), over the whole first pull."""
    plan = _plan(size, DEFAULT_SEED + seed, TODAY + dt.timedelta(days=41 * seed))
    by_subject: dict[tuple[str, str], list[tuple[tuple[int, str], Decimal]]] = defaultdict(list)
    by_period: dict[tuple[str, dt.date], list[tuple[tuple[int, str], Decimal]]] = defaultdict(list)
    for row in plan.rows:
        for code, column in MES_COLUMNS.items():
            value = Decimal(getattr(row, column))
            if value >= 0:
                by_subject[(code, row.line_code)].append(((row.id, code), value))
                by_period[(code, row.work_date)].append(((row.id, code), value))
    found = {outlier.id for outlier in outliers(by_subject)} | {outlier.id for outlier in outliers(by_period)}
    assert found == {(plan.outlier, "produced_units")}


def _snapshot() -> list[tuple[Any, ...]]:
    codes = dict(Subject.objects.values_list("pk", "code"))
    return sorted((value.metric.code, codes[value.subject_id], value.period, value.row_key, value.value,
                   value.version, value.current, value.outlier_score)
                  for value in MetricValue.objects.select_related("metric"))


def test_the_same_seed_gives_the_same_values(db: None, var_dir: Path) -> None:
    with transaction.atomic():
        generator.generate(size=SMALL, today=TODAY)
        first = _snapshot()
        transaction.set_rollback(True)
    assert not MetricValue.objects.exists()
    generator.generate(size=SMALL, today=TODAY)
    assert _snapshot() == first
    assert len(first) == 5 * len(_plan().rows) - 1
    other = _plan(seed=DEFAULT_SEED + 1)
    assert [row.output for row in other.rows[:50]] != [row.output for row in _plan().rows[:50]]
