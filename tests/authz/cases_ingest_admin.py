"""Authorization cases for the metrics and subjects pages (ingestion/views/metric_pages.py, subject_pages.py).

Readers of metrics (HR admin, HR BP, executive, system admin, manager, department head) open the lists and a
subject's page; the employee gets 404 on every one of these URLs, whatever the method. Defining and changing
metrics, registering subjects, and adding and ending mappings take an HR admin or a system admin: a reader of
metrics who may not gets 403 (they see the metric or subject, so saying "not found" would be untrue), anyone
else 404. A mapping is reached only through a visible subject and, for those who do not read ingestion, only
when it is about someone they see: the manager of LINE1 gets 404 for a mapping about a LINE2 operator, 403 for
one about their own report. The forms that only post answer 405 to GET for readers (404 to the employee)."""

from __future__ import annotations

import itertools
from typing import Any

from tests.authz.matrix import Case
from tests.world import World

READERS = {role: 200 for role in ("manager", "head", "hrbp", "hr", "exec", "admin")}
CONFIGURE = {"hr": 200, "admin": 200, **{role: 403 for role in ("manager", "head", "hrbp", "exec")}}
CONFIGURE_WRITE = {"hr": 302, "admin": 302, **{role: 403 for role in ("manager", "head", "hrbp", "exec")}}
POST_ONLY = {role: 405 for role in READERS}
_CODES = itertools.count()


def _mes(w: World) -> Any:
    """The MES of tests/ingestion/support.py (metrics output, defect_rate, revenue; lines L1 and L2), made once
    per test."""
    from fairmark.ingestion.models import Source
    from tests.ingestion.support import build_mes

    if not Source.objects.filter(code="mes").exists():
        build_mes(w)
    return Source.objects.get(code="mes")


def _line(w: World, code: str) -> Any:
    from fairmark.ingestion.models import Subject

    _mes(w)
    return Subject.objects.get(type="line", code=code)


def _mapping(person: str) -> Any:
    """A current mapping of a person to a line: the employee (LINE1, the manager's report) on L1, the other
    (LINE2) on L2."""

    def make(w: World) -> int:
        from fairmark.core.access import SYSTEM
        from fairmark.ingestion.models import SubjectMapping
        from fairmark.ingestion.reports import company_today
        from fairmark.ingestion.services.subjects import subject_mapping_add

        line = _line(w, "L1" if person == "employee" else "L2")
        employee = w.people[person]
        found = SubjectMapping.objects.filter(subject=line, employee=employee).first()
        if found is None:
            found = subject_mapping_add(actor=SYSTEM, subject=line, employee=employee, valid_from=company_today())
        return found.pk

    return make


def _url(path: str) -> Any:
    def make(w: World) -> str:
        _mes(w)
        return path

    return make


def _subject_url(code: str, suffix: str = "") -> Any:
    return lambda w: f"/data/subjects/{_line(w, code).pk}/{suffix}"


def _end_url(person: str) -> Any:
    return lambda w: f"/data/mappings/{_mapping(person)(w)}/end/"


def _end_data(person: str) -> Any:
    def make(w: World) -> dict[str, str]:
        from fairmark.ingestion.reports import company_today

        return {f"end-{_mapping(person)(w)}-valid_to": company_today().isoformat()}

    return make


def _new_metric(w: World) -> dict[str, Any]:
    _mes(w)
    return {"code": f"scrap_{next(_CODES)}", "name_zh": "废料", "unit": "kg", "value_type": "decimal",
            "grain": "day", "subject_types": ["line"]}


def _metric_change(w: World) -> dict[str, Any]:
    _mes(w)
    return {"name_zh": "产量", "name_en": "Output (cells)", "unit": "pcs", "min_value": "0",
            "subject_types": ["line", "employee"], "description": "", "active": "on"}


def _new_subject(w: World) -> dict[str, str]:
    _mes(w)
    return {"type": "machine", "code": f"M-{next(_CODES)}", "name_zh": "涂布机", "department": ""}


def _new_mapping(w: World) -> dict[str, str]:
    _mes(w)
    return {"employee": "E0005", "valid_from": "2026-01-05", "valid_to": "", "role": "早班"}


CASES = [
    # Metrics
    Case("ingest_admin metrics", "ingestion:metrics", _url("/data/metrics/"), expect=READERS),
    Case("ingest_admin metrics, filtered", "ingestion:metrics", _url("/data/metrics/?q=out&active=yes"),
         expect=READERS),
    Case("ingest_admin metric new (form)", "ingestion:metric-new", _url("/data/new-metric/"), expect=CONFIGURE),
    Case("ingest_admin metric new (create)", "ingestion:metric-new", _url("/data/new-metric/"), method="POST",
         data=_new_metric, writes=True, expect=CONFIGURE_WRITE),
    Case("ingest_admin metric edit (form)", "ingestion:metric-edit", _url("/data/metrics/output/"),
         expect=CONFIGURE),
    Case("ingest_admin metric edit (save)", "ingestion:metric-edit", _url("/data/metrics/output/"),
         method="POST", data=_metric_change, writes=True, expect=CONFIGURE_WRITE),
    Case("ingest_admin metric edit, no such metric", "ingestion:metric-edit", _url("/data/metrics/no_such/")),
    Case("ingest_admin metric edit (save), no such metric", "ingestion:metric-edit", _url("/data/metrics/no_such/"),
         method="POST", data=_metric_change, writes=True),
    # Subjects
    Case("ingest_admin subjects", "ingestion:subjects", _url("/data/subjects/"), expect=READERS),
    Case("ingest_admin subjects, filtered", "ingestion:subjects", _url("/data/subjects/?type=line&q=L"),
         expect=READERS),
    Case("ingest_admin subject new (create)", "ingestion:subject-new", _url("/data/new-subject/"), method="POST",
         data=_new_subject, writes=True, expect=CONFIGURE_WRITE),
    Case("ingest_admin subject new, GET", "ingestion:subject-new", _url("/data/new-subject/"), expect=POST_ONLY),
    Case("ingest_admin subject", "ingestion:subject", _subject_url("L1"), expect=READERS),
    Case("ingest_admin subject, no such subject", "ingestion:subject", _url("/data/subjects/999999/")),
    # Mappings
    Case("ingest_admin mapping add", "ingestion:subject-mapping-add", _subject_url("L1", "mappings/"),
         method="POST", data=_new_mapping, writes=True, expect=CONFIGURE_WRITE),
    Case("ingest_admin mapping add, no such subject", "ingestion:subject-mapping-add",
         _url("/data/subjects/999999/mappings/"), method="POST", data=_new_mapping, writes=True),
    Case("ingest_admin mapping add, GET", "ingestion:subject-mapping-add", _subject_url("L1", "mappings/"),
         expect=POST_ONLY),
    Case("ingest_admin mapping end (the manager's report)", "ingestion:subject-mapping-end", _end_url("employee"),
         method="POST", data=_end_data("employee"), writes=True, expect=CONFIGURE_WRITE),
    Case("ingest_admin mapping end (a LINE2 operator)", "ingestion:subject-mapping-end", _end_url("other"),
         method="POST", data=_end_data("other"), writes=True, expect={**CONFIGURE_WRITE, "manager": 404}),
    Case("ingest_admin mapping end, no such mapping", "ingestion:subject-mapping-end",
         _url("/data/mappings/999999/end/"), method="POST", data=lambda w: {}, writes=True),
    Case("ingest_admin mapping end, GET", "ingestion:subject-mapping-end", _end_url("employee"), expect=POST_ONLY),
]
