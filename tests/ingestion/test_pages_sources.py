"""The data-quality pages of sources through the test client, with data pushed through the API: the list with
freshness and the last 30 days (and a query count that does not grow with the sources), and a source's page
with runs, batches, rejected rows by reason in either language, conflicts, gaps and outliers."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fairmark.core.access import SYSTEM
from fairmark.ingestion.models import Run, RunStatus, RunTrigger, Source, SourceKind
from fairmark.ingestion.reports import company_today
from fairmark.ingestion.services.sources import source_create

from .support import build_mes, push, row

pytestmark = pytest.mark.django_db


def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def figures(page: str, code: str) -> dict[str, str]:
    """The figures of one source's row in the list, by their data-figure name."""
    found = re.search(rf'<tr data-source="{code}">(.*?)</tr>', page, re.S)
    assert found, f"no row for {code}"
    return dict(re.findall(r'data-figure="(\w+)">(?:<a [^>]*>)?(\d+)', found.group(1)))


def day_row(subject: str, day: int, value: int = 1000) -> dict:
    """Output of a line for `day` days before today (in the company's time zone)."""
    period = (company_today() - timedelta(days=day)).isoformat()
    return {"row_key": f"output-{subject}-{period}", "metric": "output", "subject_type": "line", "subject": subject,
            "period": period, "value": value}


def test_the_list_shows_freshness_and_the_last_30_days(world, client_as) -> None:
    mes = build_mes(world)
    push(Client(), {"idempotency_key": "a", "rows": [row(1), row(2, value=-1), row(3, value="x")]}, key=mes.key)
    push(Client(), {"idempotency_key": "b", "rows": [row(1, value=5)]}, key=mes.key)  # a conflict
    Source.objects.filter(pk=mes.erp.pk).update(last_received_at=timezone.now() - timedelta(hours=30))
    page = english(client_as("hr")).get("/data/sources/").content.decode()
    assert figures(page, "mes") == {"batches": "2", "accepted": "1", "rejected": "2", "open_quarantined": "2",
                                    "open_conflicts": "1"}
    assert figures(page, "erp") == {"batches": "0", "accepted": "0", "rejected": "0", "open_quarantined": "0",
                                    "open_conflicts": "0"}
    mes_row = re.search(r'<tr data-source="mes">(.*?)</tr>', page, re.S).group(1)
    erp_row = re.search(r'<tr data-source="erp">(.*?)</tr>', page, re.S).group(1)
    assert 'data-freshness="fresh"' in mes_row
    assert "less than an hour ago" in mes_row
    assert 'data-freshness="stale"' in erp_row
    assert "30 hours ago" in erp_row


def test_the_list_costs_the_same_queries_for_2_and_6_sources(world, client_as,
                                                            django_assert_max_num_queries) -> None:
    mes = build_mes(world)
    push(Client(), {"idempotency_key": "a", "rows": [row(1), row(2, value=-1)]}, key=mes.key)
    client = client_as("hr")
    client.get("/data/sources/")  # warm the session and the viewer's caches
    with CaptureQueriesContext(connection) as two:
        assert client.get("/data/sources/").status_code == 200
    for n in range(4):
        source = source_create(actor=SYSTEM, code=f"extra_{n}", name=f"Extra {n}", kind=SourceKind.SQL,
                               metrics=[mes.metrics["output"]], owner_department=world.depts["QA"],
                               owner=world.people["qa_head"])
        Run.objects.create(source=source, trigger=RunTrigger.SCHEDULE, started_at=timezone.now(),
                           status=RunStatus.SUCCEEDED)
    with django_assert_max_num_queries(len(two)):
        six = client.get("/data/sources/").content.decode()
    assert len(re.findall(r'<tr data-source="', six)) == 6
    assert "周品质" in six  # the owners are on the page, without a query each


def test_readers_see_sources_and_others_get_404(world, client_as) -> None:
    build_mes(world)
    for role in ("hr", "hrbp", "exec", "admin"):
        assert client_as(role).get("/data/sources/").status_code == 200, role
        assert client_as(role).get("/data/sources/mes/").status_code == 200, role
    for role in ("employee", "manager", "head"):
        assert client_as(role).get("/data/sources/").status_code == 404, role
        assert client_as(role).get("/data/sources/mes/").status_code == 404, role
    assert client_as("hr").get("/data/sources/nothing/").status_code == 404


def test_a_source_page_groups_rejected_rows_by_reason_in_the_readers_language(world, client_as) -> None:
    mes = build_mes(world)
    push(Client(), {"idempotency_key": "a", "rows": [row(1, value=-1), row(2, value=-2), row(3, value="x"),
                                                     row(4)]}, key=mes.key)
    page = english(client_as("hr")).get("/data/sources/mes/").content.decode()
    reasons = re.search(r'data-testid="source-reasons">(.*?)</table>', page, re.S).group(1)
    groups = re.findall(r'<tr data-code="(\w+)">.*?<td class="text-end">(\d+)</td>', reasons, re.S)
    assert groups == [("out_of_range", "2"), ("not_a_number", "1")]
    assert "-1 is below the minimum of 0." in reasons
    assert "?source=mes&amp;code=out_of_range" in reasons
    chinese = client_as("hr").get("/data/sources/mes/").content.decode()  # zh-hans is the default
    assert "-1 低于最小值 0。" in chinese


def test_a_source_page_shows_conflicts_outliers_and_batches(world, client_as) -> None:
    mes = build_mes(world)
    rows = [row(i, value=1000 + i % 5) for i in range(30)]
    rows[17] = row(17, value=9000)
    push(Client(), {"idempotency_key": "a", "rows": rows}, key=mes.key)
    push(Client(), {"idempotency_key": "b", "rows": [row(1, value=777)]}, key=mes.key)
    page = english(client_as("exec")).get("/data/sources/mes/").content.decode()
    conflicts = re.search(r'data-testid="source-conflicts">(.*?)</table>', page, re.S).group(1)
    assert row(1)["row_key"] in conflicts
    assert ">1001<" in conflicts
    assert ">777<" in conflicts
    outliers = re.search(r'data-testid="source-outliers">(.*?)</table>', page, re.S).group(1)
    assert outliers.count("<tr>") - 1 == 1
    assert ">9000<" in outliers
    assert len(re.findall(r'<tr data-batch="\d+">', page)) == 2


def test_gaps_name_the_subject_and_the_day_it_missed(world, client_as) -> None:
    mes = build_mes(world)
    missed = 3
    # the window is the 14 days up to yesterday (today's data is still arriving); today's rows are not counted
    rows = [day_row("L1", day) for day in range(15)] + [day_row("L2", day) for day in range(1, 15) if day != missed]
    push(Client(), {"idempotency_key": "days", "rows": rows}, key=mes.key)
    page = english(client_as("hr")).get("/data/sources/mes/").content.decode()
    block = re.search(r'data-testid="gaps-output">(.*?)</table>', page, re.S).group(1)
    assert re.findall(r'data-gap-subject="([^"]+)"', block) == ["L2 电芯L2线"]
    assert (company_today() - timedelta(days=missed)).isoformat() in block
    assert "27 of 28 expected values were reported" in block
    assert 'data-testid="gaps-defect_rate"' in page  # the other daily metric, with nothing expected
    assert "No values were expected." in page


def test_a_pull_sources_runs_show_their_error_worded(world, client_as) -> None:
    mes = build_mes(world)
    sql = source_create(actor=SYSTEM, code="mes_db", name="MES DB", kind=SourceKind.SQL,
                        metrics=[mes.metrics["output"]])
    started = timezone.now() - timedelta(minutes=5)
    Run.objects.create(source=sql, trigger=RunTrigger.SCHEDULE, started_at=started,
                       finished_at=started + timedelta(seconds=42), status=RunStatus.FAILED,
                       error_code="timeout", error_params={"seconds": 30})
    Run.objects.create(source=sql, trigger=RunTrigger.MANUAL, started_at=started - timedelta(hours=1),
                       finished_at=started - timedelta(hours=1) + timedelta(seconds=3), status=RunStatus.SUCCEEDED,
                       records=120, watermark_after={"type": "int", "value": 5120})
    page = english(client_as("hr")).get("/data/sources/mes_db/").content.decode()
    runs = re.search(r'data-testid="source-runs">(.*?)</table>', page, re.S).group(1)
    assert "No answer within 30 seconds." in runs
    assert "42 s" in runs
    assert "5120" in runs
    assert ">120<" in runs
    assert runs.index("Failed") < runs.index("Succeeded")  # newest first
    listing = english(client_as("hr")).get("/data/sources/").content.decode()
    assert "Failed" in re.search(r'<tr data-source="mes_db">(.*?)</tr>', listing, re.S).group(1)
