"""Corrections from the pages: the rejected-rows list with its filters, correcting and replaying ticked rows
(what became of each, a row still wrong keeps its form with the reason next to the field), dismissing with a
note (none: the error, nothing changes), and resolving conflicts with a reason."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client

from fairmark.ingestion.models import Conflict, MetricValue, QuarantinedRow
from tests.world import db_fingerprint

from .support import build_mes, push, row

pytestmark = pytest.mark.django_db


def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def fields(quarantined: QuarantinedRow, **changes: object) -> dict[str, object]:
    """What the correction form posts for one row: its eight fields under the row's prefix."""
    data = {"row_key": "", "metric": "", "subject_type": "", "subject": "", "period": "", "at": "", "value": "",
            "unit": ""}
    data.update({name: value for name, value in quarantined.raw.items() if name in data})
    data.update(changes)
    return {f"{quarantined.pk}-{name}": value for name, value in data.items()}


def rejected_two(world) -> tuple[QuarantinedRow, QuarantinedRow]:  # type: ignore[no-untyped-def]
    mes = build_mes(world)
    push(Client(), {"idempotency_key": "a", "rows": [row(1, value=-1), row(2, value="x"), row(3)]}, key=mes.key)
    first, second = QuarantinedRow.objects.order_by("row_index")
    return first, second


def test_the_list_words_reasons_and_filters_by_reason(world, client_as) -> None:
    first, second = rejected_two(world)
    client = english(client_as("hr"))
    page = client.get("/data/quarantine/").content.decode()
    assert re.findall(r'data-quarantined="(\d+)"', page) == [str(first.pk), str(second.pk)]
    assert "-1 is below the minimum of 0." in page
    assert "“x” is not a number." in page
    assert f'name="ids" value="{first.pk}"' in page  # the HR admin manages the source: rows can be ticked
    filtered = client.get("/data/quarantine/?code=not_a_number", headers={"HX-Request": "true"}).content.decode()
    assert re.findall(r'data-quarantined="(\d+)"', filtered) == [str(second.pk)]
    assert "<html" not in filtered  # htmx gets the rows only
    reader = english(client_as("exec")).get("/data/quarantine/").content.decode()
    assert 'name="ids"' not in reader
    assert "-1 is below the minimum of 0." in reader
    assert "“x”不是数字。" in client_as("hr").get("/data/quarantine/").content.decode()


def test_ticked_rows_open_prefilled_forms(world, client_as) -> None:
    first, _second = rejected_two(world)
    before = db_fingerprint()
    page = english(client_as("hr")).post("/data/quarantine/correct/", {"ids": [first.pk]}).content.decode()
    assert f'name="{first.pk}-value" value="-1"' in page
    assert f'name="{first.pk}-row_key" value="{row(1)["row_key"]}"' in page
    assert db_fingerprint() == before  # showing the forms replays nothing


def test_replaying_a_corrected_row_commits_it_and_a_still_wrong_row_keeps_its_form(world, client_as) -> None:
    first, second = rejected_two(world)
    data = {"ids": [first.pk, second.pk], "replay": "1", **fields(first, value="5"), **fields(second, value="five")}
    answer = english(client_as("hr")).post("/data/quarantine/correct/", data)
    assert answer.status_code == 200
    page = answer.content.decode()
    value = MetricValue.objects.get(row_key=row(1)["row_key"])
    assert value.value == 5
    assert value.batch.channel == "replay"
    assert re.search(rf'data-quarantined="{first.pk}">.*?data-outcome="accepted"', page, re.S)
    assert f'href="/data/values/{value.pk}/"' in page
    still = re.search(rf'data-quarantined="{second.pk}">(.*?)</div></div>', page, re.S).group(1)
    assert 'data-outcome="rejected"' in still
    assert re.search(r'data-field-error="value">“five” is not a number.<', still)
    assert f'name="ids" value="{second.pk}"' in still
    assert f'name="ids" value="{first.pk}"' not in page
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("replayed", "open")


def test_replaying_a_known_key_with_another_value_is_held_as_a_conflict(world, client_as) -> None:
    mes = build_mes(world)
    push(Client(), {"idempotency_key": "a", "rows": [row(1, value=10)]}, key=mes.key)
    push(Client(), {"idempotency_key": "b", "rows": [row(1, value=-3)]}, key=mes.key)
    quarantined = QuarantinedRow.objects.get()
    data = {"ids": [quarantined.pk], "replay": "1", **fields(quarantined, value="11")}
    page = english(client_as("admin")).post("/data/quarantine/correct/", data).content.decode()
    conflict = Conflict.objects.get()
    assert 'data-outcome="conflict"' in page
    assert f"#conflict-{conflict.pk}" in page
    assert conflict.incoming_value == 11


def test_dismissing_without_a_note_shows_the_error_and_changes_nothing(world, client_as) -> None:
    first, second = rejected_two(world)
    client = english(client_as("hr"))
    before = db_fingerprint()
    answer = client.post("/data/quarantine/dismiss/", {"ids": [first.pk], "note": "  "})
    assert answer.status_code == 400
    page = answer.content.decode()
    assert 'data-field-error="note">This field is required.<' in page
    assert f'value="{first.pk}" id="tick-{first.pk}" checked' in page  # the ticks survive the error
    assert db_fingerprint() == before
    answer = client.post("/data/quarantine/dismiss/?code=out_of_range", {"ids": [first.pk], "note": "test row"})
    assert answer.status_code == 302
    assert answer["Location"] == "/data/quarantine/?code=out_of_range"
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.resolution_note, second.status) == ("dismissed", "test row", "open")


def test_only_managers_of_the_source_correct_or_dismiss(world, client_as) -> None:
    first, _second = rejected_two(world)
    before = db_fingerprint()
    for role in ("hrbp", "exec"):
        client = client_as(role)
        assert client.post("/data/quarantine/dismiss/", {"ids": [first.pk], "note": "x"}).status_code == 403
        assert client.get(f"/data/quarantine/correct/?ids={first.pk}").status_code == 403
    for role in ("manager", "employee"):
        assert client_as(role).post("/data/quarantine/dismiss/", {"ids": [first.pk], "note": "x"}).status_code == 404
    assert client_as("hr").post("/data/quarantine/dismiss/", {"ids": [999999], "note": "x"}).status_code == 404
    assert db_fingerprint() == before


def test_a_conflict_is_resolved_from_the_page_with_a_reason(world, client_as) -> None:
    mes = build_mes(world)
    push(Client(), {"idempotency_key": "a", "rows": [row(1, value=96)]}, key=mes.key)
    push(Client(), {"idempotency_key": "b", "rows": [row(1, value=97)]}, key=mes.key)
    conflict = Conflict.objects.get()
    client = english(client_as("hr"))
    listing = client.get("/data/conflicts/").content.decode()
    block = re.search(rf'data-conflict="{conflict.pk}">(.*?)</form>', listing, re.S).group(1)
    assert re.search(r"data-stored>96<", block)
    assert re.search(r"data-incoming>97<", block)
    before = db_fingerprint()
    refused = client.post(f"/data/conflicts/{conflict.pk}/resolve/", {"decision": "accept", "reason": ""})
    assert refused.status_code == 400
    assert 'data-field-error="reason">This field is required.<' in refused.content.decode()
    assert db_fingerprint() == before
    assert client_as("exec").post(f"/data/conflicts/{conflict.pk}/resolve/",
                                  {"decision": "accept", "reason": "x"}).status_code == 403
    assert client_as("employee").post(f"/data/conflicts/{conflict.pk}/resolve/",
                                      {"decision": "accept", "reason": "x"}).status_code == 404
    done = client.post(f"/data/conflicts/{conflict.pk}/resolve/", {"decision": "accept", "reason": "MES recount"})
    assert done.status_code == 302
    assert MetricValue.objects.get(row_key=row(1)["row_key"], current=True).value == 97
    conflict.refresh_from_db()
    assert (conflict.status, conflict.reason) == ("accepted", "MES recount")
    assert client.get("/data/conflicts/").content.decode().count("data-conflict=") == 0  # no open conflict left
    settled = client.get("/data/conflicts/?status=accepted").content.decode()
    assert "MES recount" in settled
    assert f'href="/data/values/{conflict.resolution_id}/"' in settled


def test_keeping_the_stored_value(world, client_as) -> None:
    mes = build_mes(world)
    push(Client(), {"idempotency_key": "a", "rows": [row(1, value=96)]}, key=mes.key)
    push(Client(), {"idempotency_key": "b", "rows": [row(1, value=98)]}, key=mes.key)
    conflict = Conflict.objects.get()
    answer = client_as("admin").post(f"/data/conflicts/{conflict.pk}/resolve/", {"decision": "keep", "reason": "typo"})
    assert answer.status_code == 302
    conflict.refresh_from_db()
    assert conflict.status == "rejected"
    assert MetricValue.objects.get(current=True).value == 96
