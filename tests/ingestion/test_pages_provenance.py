"""A batch's page and a value's provenance through the test client: counts, who sent it, reasons worded in the
reader's language, the raw row exactly as sent, every version after an accepted conflict, and who may see which
part (an employee their own value, without the links to batches and sources)."""

from __future__ import annotations

import json
import re

import pytest
from django.conf import settings
from django.test import Client

from fairmark.accounts.models import ApiToken
from fairmark.ingestion.models import Batch, Conflict, MetricValue
from fairmark.ingestion.services.corrections import resolve_conflict

from .support import build_mes, push, row

pytestmark = pytest.mark.django_db


def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_a_batch_page_shows_counts_sender_values_and_reasons(world, client_as) -> None:
    mes = build_mes(world)
    rows = [row(i) for i in range(60)] + [row(60, value=-1), row(61, subject="L9")]
    body = push(Client(), {"idempotency_key": "day-1", "rows": rows}, key=mes.key).json()
    url = f"/data/batches/{body['batch']}/"
    page = english(client_as("hrbp")).get(url).content.decode()
    counts = dict(re.findall(r'data-count="(\w+)">(\d+)<', page))
    assert counts == {"rows": "62", "accepted": "60", "unchanged": "0", "conflicts": "0", "rejected": "2",
                      "flagged": "0"}  # outputs 1000–1006, one per day: nothing stands out
    prefix = ApiToken.objects.get(ingest_source__source=mes.source).prefix
    assert prefix in re.search(r'data-testid="batch-sent-by">([^<]*)<', page).group(1)
    assert "day-1" in page
    assert "-1 is below the minimum of 0." in page
    assert "Unknown production line “L9”." in page
    assert len(re.findall(r'<tr data-value="\d+">', page)) == 50  # the first page of 60
    first = MetricValue.objects.get(row_key=row(0)["row_key"])
    assert f'href="/data/values/{first.pk}/"' in page
    second = english(client_as("hrbp")).get(url + "?page=2").content.decode()
    assert len(re.findall(r'<tr data-value="\d+">', second)) == 10
    chinese = client_as("hrbp").get(url).content.decode()
    assert "-1 低于最小值 0。" in chinese


def test_a_batch_is_only_for_readers_of_ingestion(world, client_as) -> None:
    mes = build_mes(world)
    body = push(Client(), {"idempotency_key": "a", "rows": [row(1)]}, key=mes.key).json()
    for role, status in (("hr", 200), ("exec", 200), ("admin", 200), ("manager", 404), ("employee", 404)):
        assert client_as(role).get(f"/data/batches/{body['batch']}/").status_code == status, role
    assert client_as("hr").get("/data/batches/999999/").status_code == 404


def test_provenance_shows_the_raw_row_and_every_version_after_an_accepted_conflict(world, client_as) -> None:
    mes = build_mes(world)
    sent = {**row(1, value=96), "note": "班次A 早班"}  # a field the row does not need is kept as sent
    push(Client(), {"idempotency_key": "a", "rows": [sent]}, key=mes.key)
    push(Client(), {"idempotency_key": "b", "rows": [row(1, value=97)]}, key=mes.key)
    resolve_conflict(actor=world.user("hr"), conflict=Conflict.objects.get(), accept=True, reason="MES recount")
    first, second = MetricValue.objects.filter(row_key=row(1)["row_key"]).order_by("version")
    page = english(client_as("exec")).get(f"/data/values/{first.pk}/").content.decode()
    raw = re.search(r'data-testid="value-raw">(.*?)</pre>', page, re.S).group(1)
    assert json.loads(raw.replace("&quot;", '"')) == sent
    versions = re.search(r'data-testid="value-versions">(.*?)</table>', page, re.S).group(1)
    assert re.findall(r'data-version="(\d)"', versions) == ["1", "2"]
    assert f'href="/data/values/{second.pk}/"' in versions
    assert f'href="/data/batches/{first.batch_id}/"' in versions
    assert f'href="/data/batches/{second.batch_id}/"' in versions
    assert "superseded" in page
    assert "L1 电芯L1线" in re.search(r'data-testid="value-subject">(.*?)</dd>', page, re.S).group(1)
    newest = english(client_as("exec")).get(f"/data/values/{second.pk}/").content.decode()
    assert "MES recount" in newest
    assert ">97 pcs<" in newest.replace(" </dd>", "</dd>")
    assert json.loads(re.search(r'data-testid="value-raw">(.*?)</pre>', newest, re.S).group(1)
                      .replace("&quot;", '"')) == row(1, value=97)


def test_an_employee_sees_their_own_values_provenance_without_batch_links(world, client_as) -> None:
    mes = build_mes(world)
    own = row(1, subject="E0004", subject_type="employee")
    peer = row(2, subject="E0005", subject_type="employee")
    push(Client(), {"idempotency_key": "a", "rows": [own, peer]}, key=mes.key)
    mine = MetricValue.objects.get(row_key=own["row_key"])
    theirs = MetricValue.objects.get(row_key=peer["row_key"])
    page = english(client_as("employee")).get(f"/data/values/{mine.pk}/").content.decode()
    assert "E0004 陈员工" in page
    assert '"subject": "E0004"' in page.replace("&quot;", '"')
    assert "/data/batches/" not in page
    assert "/data/sources/" not in page
    assert client_as("employee").get(f"/data/values/{theirs.pk}/").status_code == 404
    assert client_as("manager").get(f"/data/values/{theirs.pk}/").status_code == 200  # their report
    assert client_as("employee").get(f"/data/batches/{mine.batch_id}/").status_code == 404
    reader = english(client_as("hr")).get(f"/data/values/{mine.pk}/").content.decode()
    assert f'href="/data/batches/{mine.batch_id}/"' in reader
    assert 'href="/data/sources/mes/"' in reader


def test_a_value_sent_by_a_signed_in_user_names_them(world, client_as) -> None:
    build_mes(world)
    push(client_as("hr"), {"idempotency_key": "by-hand", "source": "mes", "rows": [row(1)]})
    value = MetricValue.objects.get()
    page = english(client_as("hr")).get(f"/data/values/{value.pk}/").content.decode()
    assert re.search(r'data-testid="value-sent-by">hr<', page)
    assert Batch.objects.get().received_by == world.user("hr")
