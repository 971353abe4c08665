"""The metrics pages: the list (names in the reader's language, range, grain, subject types, the sources that
may send a metric, current values counted flat), search and the active filter, defining a metric and changing
what may change of it, with the service's errors next to the fields; who may do what."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from fairmark.audit.models import AuditEvent
from fairmark.core.access import SYSTEM
from fairmark.ingestion.models import Grain, Metric, SubjectType, ValueType
from fairmark.ingestion.services.metrics import metric_create, metric_update
from fairmark.ingestion.services.sources import source_create

from .support import build_mes, push, row

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _row(page: str, code: str) -> str:
    match = re.search(rf'<tr data-metric="{code}">(.*?)</tr>', page, re.S)
    assert match, f"no row for {code}"
    return match.group(1)


def _figure(row_html: str, name: str) -> str:
    match = re.search(rf'data-figure="{name}">(.*?)</td>', row_html, re.S)
    assert match, name
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def _codes(page: str) -> list[str]:
    return re.findall(r'<tr data-metric="([a-z0-9_]+)">', page)


def _push_values(mes) -> None:  # type: ignore[no-untyped-def]
    rows = [row(1), row(2), row(3, value=1200), row(4, metric="defect_rate", value="1.5"),
            row(5, subject="E0004", subject_type="employee"), row(6, subject="E0007", subject_type="employee")]
    assert push(Client(), {"idempotency_key": "m1", "rows": rows}, key=mes.key).status_code == 201
    # a corrected value is a new version: the old one is no longer current and is not counted
    assert push(Client(), {"idempotency_key": "m2", "rows": [row(1, value=999)]}, key=mes.key).status_code == 201


def test_hr_sees_every_metric_with_its_facts_sources_and_current_values(world, client_as) -> None:
    mes = build_mes(world)
    _push_values(mes)
    page = client_as("hr").get("/data/metrics/", **EN).content.decode()
    assert _codes(page) == ["defect_rate", "output", "revenue"]
    output = _row(page, "output")
    assert "Output" in output
    assert "pcs" in output
    assert "Whole number" in output
    assert _figure(output, "range") == "≥ 0"
    assert "Production line, Employee" in output or "Employee, Production line" in output
    assert _figure(output, "sources") == "mes"
    # rows 1, 2, 3, 5, 6 (row 1's conflict is held for review, not stored)
    assert _figure(output, "current_values") == "5"
    defect = _row(page, "defect_rate")
    assert _figure(defect, "range") == "0 – 100"
    assert _figure(defect, "current_values") == "1"
    revenue = _row(page, "revenue")
    assert _figure(revenue, "sources") == "erp"
    assert "Month" in revenue
    assert _figure(revenue, "current_values") == "0"
    assert 'data-testid="metric-new"' in page
    assert 'href="/data/metrics/output/"' in page
    assert 'href="/data/metrics/"' in page
    assert 'href="/data/subjects/"' in page


def test_the_reader_gets_names_in_their_language(world, client_as) -> None:
    build_mes(world)
    chinese = client_as("hr").get("/data/metrics/").content.decode()  # zh-hans is the default
    assert "产量" in _row(chinese, "output")
    assert "数据项" in chinese  # the page's title, already translated
    english = client_as("hr").get("/data/metrics/", **EN).content.decode()
    assert "Output" in _row(english, "output")
    assert "产量" not in _row(english, "output")


def test_search_by_code_or_name_and_the_active_filter(world, client_as) -> None:
    mes = build_mes(world)
    metric_update(actor=SYSTEM, metric=mes.metrics["revenue"], active=False)
    hr = client_as("hr")
    assert _codes(hr.get("/data/metrics/?q=DEFECT", **EN).content.decode()) == ["defect_rate"]
    assert _codes(hr.get("/data/metrics/?q=销售", **EN).content.decode()) == ["revenue"]
    assert _codes(hr.get("/data/metrics/?q=put", **EN).content.decode()) == ["output"]
    assert _codes(hr.get("/data/metrics/?active=yes", **EN).content.decode()) == ["defect_rate", "output"]
    inactive = hr.get("/data/metrics/?active=no", **EN).content.decode()
    assert _codes(inactive) == ["revenue"]
    assert "Inactive" in _row(inactive, "revenue")
    assert "No metric matches." in hr.get("/data/metrics/?q=nothing_like_it", **EN).content.decode()
    # htmx asks for the same page and swaps the table in (hx-select): the answer holds it
    htmx = hr.get("/data/metrics/?q=output", HTTP_HX_REQUEST="true", **EN)
    assert htmx.status_code == 200
    assert 'id="metric-rows"' in htmx.content.decode()


def test_the_list_costs_the_same_queries_for_3_and_23_metrics(world, client_as,
                                                             django_assert_max_num_queries) -> None:
    mes = build_mes(world)
    _push_values(mes)
    client = client_as("hr")
    client.get("/data/metrics/")  # warm the session and the viewer's caches
    with CaptureQueriesContext(connection) as few:
        assert client.get("/data/metrics/").status_code == 200
    extra = [metric_create(actor=SYSTEM, code=f"extra_{n}", name_zh=f"额外{n}", unit="kg",
                           subject_types=[SubjectType.LINE]) for n in range(20)]
    for n in range(3):
        source_create(actor=SYSTEM, code=f"more_{n}", name=f"More {n}", kind="push", metrics=extra[n::3])
    with django_assert_max_num_queries(len(few)):
        many = client.get("/data/metrics/").content.decode()
    assert len(_codes(many)) == 23
    assert _figure(_row(many, "extra_4"), "sources") == "more_1"


def test_a_manager_reads_metrics_and_counts_only_their_teams_values(world, client_as) -> None:
    mes = build_mes(world)
    _push_values(mes)
    page = client_as("manager").get("/data/metrics/", **EN)
    assert page.status_code == 200
    html = page.content.decode()
    # E0004 is in the manager's team, E0007 and the lines' values are not theirs to see
    assert _figure(_row(html, "output"), "current_values") == "1"
    assert 'data-figure="sources"' not in html  # sources are not theirs to read
    assert 'data-testid="metric-new"' not in html
    assert 'href="/data/metrics/output/"' not in html
    assert 'href="/data/sources/"' not in html  # the tabs they may open only


def test_hr_defines_a_metric(world, client_as) -> None:
    build_mes(world)
    hr = client_as("hr")
    form = hr.get("/data/new-metric/", **EN)
    assert form.status_code == 200
    assert 'data-testid="metric-form"' in form.content.decode()
    answer = hr.post("/data/new-metric/", {
        "code": "scrap_weight", "name_zh": "废料重量", "name_en": "Scrap weight", "unit": "kg",
        "value_type": ValueType.DECIMAL, "min_value": "0", "max_value": "5000", "grain": Grain.WEEK,
        "subject_types": [SubjectType.LINE, SubjectType.MACHINE], "description": "Weighed every Friday"}, **EN)
    assert answer.status_code == 302
    assert answer["Location"] == "/data/metrics/"
    metric = Metric.objects.get(code="scrap_weight")
    assert (metric.grain, metric.unit, metric.max_value, metric.active) == (Grain.WEEK, "kg", Decimal(5000), True)
    assert metric.subject_types == ["line", "machine"]
    assert AuditEvent.objects.filter(action="ingestion.metric.create").exists()
    listed = hr.get("/data/metrics/", **EN).content.decode()
    assert "Scrap weight" in _row(listed, "scrap_weight")
    assert "Metric “scrap_weight” created." in listed


@pytest.mark.parametrize(("changes", "field"), [
    ({"code": "Bad Code"}, "code"),
    ({"code": "output"}, "code"),  # taken
    ({"min_value": "10", "max_value": "1"}, "max_value"),
    ({"subject_types": []}, "subject_types"),
    ({"name_zh": ""}, "name_zh"),
])
def test_a_refused_metric_says_why_next_to_the_field(world, client_as, changes: dict, field: str) -> None:
    build_mes(world)
    data = {"code": "scrap", "name_zh": "废料", "value_type": ValueType.DECIMAL, "grain": Grain.DAY,
            "subject_types": [SubjectType.LINE], **changes}
    answer = client_as("hr").post("/data/new-metric/", data, **EN)
    assert answer.status_code == 400
    assert f'data-field-error="{field}"' in answer.content.decode()
    assert Metric.objects.count() == 3


def test_hr_changes_what_may_change_and_the_rest_stays(world, client_as) -> None:
    mes = build_mes(world)
    hr = client_as("hr")
    page = hr.get("/data/metrics/defect_rate/", **EN).content.decode()
    assert 'data-testid="metric-locked-note"' in page
    for name in ("code", "value_type", "grain"):
        assert re.search(rf'<(input|select)[^>]*name="{name}"[^>]*disabled', page), name
    assert 'value="100"' in page  # the bound as typed, not 100.0000000000
    answer = hr.post("/data/metrics/defect_rate/", {
        "code": "renamed", "value_type": ValueType.TEXT, "grain": Grain.YEAR,  # locked: ignored
        "name_zh": "不良率", "name_en": "Defect rate (cells)", "unit": "%", "min_value": "0", "max_value": "50",
        "subject_types": [SubjectType.LINE], "description": "", "active": ""}, **EN)
    assert answer.status_code == 302
    metric = Metric.objects.get(pk=mes.metrics["defect_rate"].pk)
    assert (metric.code, metric.value_type, metric.grain) == ("defect_rate", ValueType.DECIMAL, Grain.DAY)
    assert (metric.name_en, metric.max_value, metric.subject_types, metric.active) == (
        "Defect rate (cells)", Decimal(50), ["line"], False)
    event = AuditEvent.objects.filter(action="ingestion.metric.update").latest("pk")
    assert Decimal(event.after["max"]) == 50


def test_saving_an_unchanged_metric_writes_nothing(world, client_as) -> None:
    build_mes(world)
    hr = client_as("hr")
    data = {"name_zh": "不良率", "name_en": "Defect rate", "unit": "%", "min_value": "0.000", "max_value": "100",
            "subject_types": [SubjectType.EMPLOYEE, SubjectType.LINE], "description": "", "active": "on"}
    answer = hr.post("/data/metrics/defect_rate/", data, follow=True, **EN)
    assert "Nothing changed." in answer.content.decode()
    assert not AuditEvent.objects.filter(action="ingestion.metric.update").exists()


def test_an_edit_refused_by_the_service_shows_the_error_next_to_the_field(world, client_as) -> None:
    build_mes(world)
    data = {"name_zh": "不良率", "min_value": "80", "max_value": "20", "subject_types": [SubjectType.LINE]}
    answer = client_as("hr").post("/data/metrics/defect_rate/", data, **EN)
    assert answer.status_code == 400
    assert 'data-field-error="max_value"' in answer.content.decode()
    assert Metric.objects.get(code="defect_rate").max_value == 100


@pytest.mark.parametrize(("role", "status"), [("manager", 403), ("head", 403), ("hrbp", 403), ("exec", 403),
                                              ("employee", 404)])
def test_only_hr_admins_and_system_admins_define_or_change_metrics(world, client_as, role: str,
                                                                  status: int) -> None:
    build_mes(world)
    client = client_as(role)
    assert client.get("/data/metrics/").status_code == (200 if status == 403 else 404)
    assert client.get("/data/new-metric/").status_code == status
    assert client.post("/data/new-metric/", {"code": "x", "name_zh": "x", "subject_types": ["line"],
                                             "value_type": "decimal", "grain": "day"}).status_code == status
    assert client.get("/data/metrics/output/").status_code == status
    assert client.post("/data/metrics/output/", {"name_zh": "改", "subject_types": ["line"]}).status_code == status
    assert Metric.objects.count() == 3
    assert Metric.objects.get(code="output").name_zh == "产量"
    assert client_as("admin").get("/data/metrics/output/").status_code == 200
    assert client_as("hr").get("/data/metrics/no_such_metric/").status_code == 404
