"""The push API end to end: HTTP → decoded → validated → committed (issue 4 acceptance)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from fairmark.audit.models import AuditEvent
from fairmark.ingestion.models import Batch, Conflict, MetricValue, QuarantinedRow

from .support import build_mes, push, row

pytestmark = pytest.mark.django_db

INVALID_KINDS = (
    {"value": -5},                      # below the metric's minimum
    {"value": "12x"},                   # not a number
    {"subject": "L9"},                  # unknown line
    {"period": "2026-13-01"},           # no such month
    {"metric": "humidity"},             # unknown metric
    {"value": 3.5},                     # output is a whole number
)


def ten_thousand_with_37_invalid() -> tuple[list[dict], list[int]]:
    rows = [row(i) for i in range(10_000)]
    bad = sorted({(i * 271) % 10_000 for i in range(37)})
    assert len(bad) == 37
    for n, index in enumerate(bad):
        rows[index] = {**rows[index], **INVALID_KINDS[n % len(INVALID_KINDS)]}
    return rows, bad


def test_ten_thousand_rows_with_37_invalid_commit_9963_and_quarantine_37(world) -> None:
    mes = build_mes(world)
    rows, bad = ten_thousand_with_37_invalid()
    answer = push(Client(), {"idempotency_key": "day-1", "rows": rows}, key=mes.key)
    assert answer.status_code == 201, answer.content[:500]
    body = answer.json()
    # nothing stands out: L1's outputs are 1000–1006 (median 1003, MAD 2, |z| ≤ 0.6745 × 3 / 2 ≈ 1.0 < 3.5), and
    # each day has a single value, too few to compare across subjects
    assert body["counts"] == {"rows": 10_000, "accepted": 9_963, "unchanged": 0, "conflicts": 0, "rejected": 37,
                              "flagged": 0}
    assert [r["row"] for r in body["rejected"]] == bad
    assert {r["code"] for r in body["rejected"]} == {"out_of_range", "not_a_number", "unknown_subject", "bad_period",
                                                      "unknown_metric", "not_an_integer"}
    assert all(r["message"] and r["message_zh_hans"] and r["field"] for r in body["rejected"])
    assert MetricValue.objects.filter(source=mes.source).count() == 9_963
    quarantined = QuarantinedRow.objects.filter(source=mes.source).order_by("row_index")
    assert [q.row_index for q in quarantined] == bad
    assert quarantined[0].raw["row_key"] == rows[bad[0]]["row_key"]
    stored = MetricValue.objects.get(source=mes.source, row_key=rows[1]["row_key"])
    assert stored.value == Decimal(rows[1]["value"])
    assert stored.version == 1
    assert stored.current
    assert stored.batch.raw_row(stored.row_index)[0] == rows[1]


def test_the_same_batch_again_changes_nothing_and_answers_alike(world) -> None:
    mes = build_mes(world)
    rows, _bad = ten_thousand_with_37_invalid()
    first = push(Client(), {"idempotency_key": "day-1", "rows": rows}, key=mes.key).json()
    before = (MetricValue.objects.count(), QuarantinedRow.objects.count(), Batch.objects.count(),
              AuditEvent.objects.count())
    again = push(Client(), {"idempotency_key": "day-1", "rows": rows}, key=mes.key)
    assert again.status_code == 200
    second = again.json()
    assert second["repeated"] is True
    assert first["repeated"] is False
    assert (MetricValue.objects.count(), QuarantinedRow.objects.count(), Batch.objects.count(),
            AuditEvent.objects.count()) == before
    for part in ("counts", "accepted", "unchanged", "conflicts", "rejected", "batch"):
        assert second[part] == first[part], part


def test_an_idempotency_key_reused_for_other_rows_is_refused(world) -> None:
    mes = build_mes(world)
    push(Client(), {"idempotency_key": "k", "rows": [row(1)]}, key=mes.key)
    answer = push(Client(), {"idempotency_key": "k", "rows": [row(2)]}, key=mes.key)
    assert answer.status_code == 409
    assert answer["Content-Type"] == "application/problem+json"
    assert answer.json()["code"] == "idempotency_key_reused"
    assert MetricValue.objects.count() == 1


def test_resent_rows_are_unchanged_and_a_new_value_for_a_known_key_is_a_conflict(world) -> None:
    mes = build_mes(world)
    push(Client(), {"idempotency_key": "a", "rows": [row(1, value=96), row(2, metric="defect_rate", value="1.50")]},
         key=mes.key)
    answer = push(Client(), {"idempotency_key": "b", "rows": [
        row(1, value=97), row(2, metric="defect_rate", value=1.5), row(3)]}, key=mes.key).json()
    assert answer["counts"]["accepted"] == 1
    assert answer["accepted"] == [row(3)["row_key"]]
    assert answer["unchanged"] == [row(2, metric="defect_rate")["row_key"]]  # 1.5 and "1.50" are the same value
    assert [(c["row_key"], c["stored"], c["incoming"]) for c in answer["conflicts"]] == [(row(1)["row_key"], "96", "97")]
    assert MetricValue.objects.filter(row_key=row(1)["row_key"]).count() == 1  # kept for review, not applied
    assert MetricValue.objects.get(row_key=row(1)["row_key"]).value == 96
    conflict = Conflict.objects.get()
    assert conflict.incoming_value == 97
    assert conflict.status == "open"
    # the same disagreement sent again is not a second conflict to review
    again = push(Client(), {"idempotency_key": "c", "rows": [row(1, value=97)]}, key=mes.key).json()
    assert again["conflicts"][0]["conflict"] == conflict.pk
    assert Conflict.objects.count() == 1
    repeated = push(Client(), {"idempotency_key": "c", "rows": [row(1, value=97)]}, key=mes.key).json()
    assert repeated["conflicts"] == again["conflicts"]


def test_gzip_bodies_are_accepted(world) -> None:
    mes = build_mes(world)
    answer = push(Client(), {"idempotency_key": "z", "rows": [row(i) for i in range(50)]}, key=mes.key, compress=True)
    assert answer.status_code == 201
    assert answer.json()["counts"]["accepted"] == 50


@pytest.mark.parametrize(("body", "code", "status"), [
    (b"{not json", "malformed_json", 400),
    (b'{"rows": []}', "wrong_shape", 400),
    (b"", "empty_body", 400),
])
def test_a_body_that_cannot_be_read_is_refused_as_a_whole(world, body: bytes, code: str, status: int) -> None:
    mes = build_mes(world)
    answer = push(Client(), body, key=mes.key, language="zh-hans")
    assert answer.status_code == status
    assert answer["Content-Type"] == "application/problem+json"
    assert answer.json()["code"] == code
    assert Batch.objects.count() == 0


def test_more_than_50000_rows_are_refused(world) -> None:
    mes = build_mes(world)
    rows = [{"row_key": str(i)} for i in range(50_001)]
    answer = push(Client(), {"idempotency_key": "big", "rows": rows}, key=mes.key, compress=True)
    assert answer.status_code == 400
    assert answer.json()["code"] == "too_many_rows"


def test_a_key_bound_to_one_source_cannot_write_another_sources_metrics(world) -> None:
    mes = build_mes(world)
    answer = push(Client(), {"idempotency_key": "x", "source": "erp", "rows": [row(1)]}, key=mes.key)
    assert answer.status_code == 403
    assert answer["Content-Type"] == "application/problem+json"
    revenue = {"row_key": "rev-1", "metric": "revenue", "subject": "E0004", "period": "2026-10", "value": "1200.50"}
    answer = push(Client(), {"idempotency_key": "y", "rows": [revenue, row(1)]}, key=mes.key).json()
    assert [(r["row_key"], r["code"]) for r in answer["rejected"]] == [("rev-1", "metric_not_allowed")]
    assert "erp" not in answer["rejected"][0]["message"]
    assert "mes" in answer["rejected"][0]["message"]
    assert not MetricValue.objects.filter(metric__code="revenue").exists()
    accepted = push(Client(), {"idempotency_key": "y", "rows": [revenue]}, key=mes.erp_key).json()
    assert accepted["counts"]["accepted"] == 1  # the ERP's own key may, under its own idempotency keys


def test_a_token_without_the_ingest_scope_and_anonymous_callers_are_refused(world) -> None:
    from fairmark.accounts.services import token_create

    build_mes(world)
    _token, read_only = token_create(actor=world.user("hr"), user=world.user("hr"), name="r", scopes=["read"])
    body = {"idempotency_key": "n", "source": "mes", "rows": [row(1)]}
    assert push(Client(), body, key=read_only).status_code == 403
    assert push(Client(), body).status_code == 401
    assert Batch.objects.count() == 0


@pytest.mark.parametrize(("role", "status"), [("hr", 201), ("admin", 201), ("hrbp", 403), ("exec", 403),
                                              ("manager", 400), ("employee", 400)])
def test_signed_in_users_push_only_to_sources_they_manage(world, client_as, role: str, status: int) -> None:
    build_mes(world)
    client = client_as(role)
    answer = push(client, {"idempotency_key": "s", "source": "mes", "rows": [row(1)]})
    assert answer.status_code == status, answer.content
    assert Batch.objects.count() == (1 if status == 201 else 0)
    if status != 201:  # a source the caller cannot even see is answered as unknown
        assert answer.json()["code"] == ("permission_denied" if status == 403 else "unknown_source")


def test_batch_status_shows_counts_and_is_scoped(world, client_as) -> None:
    mes = build_mes(world)
    created = push(Client(), {"idempotency_key": "st", "rows": [row(1), row(2, value=-1)]}, key=mes.key).json()
    url = f"/api/v1/ingest/batches/{created['batch']}"
    own = Client().get(url, headers={"Authorization": f"Bearer {mes.key}"})
    assert own.status_code == 200
    assert own.json()["counts"]["rejected"] == 1
    assert own.json()["channel"] == "api"
    assert Client().get(url, headers={"Authorization": f"Bearer {mes.erp_key}"}).status_code == 404
    assert client_as("hr").get(url).json()["accepted"] == [row(1)["row_key"]]
    assert client_as("manager").get(url).status_code == 404
    assert client_as("anonymous").get(url).status_code in (401, 403)


def test_outliers_are_flagged_not_rejected(world) -> None:
    mes = build_mes(world)
    rows = [row(i, value=1000 + i % 5) for i in range(30)]
    rows[17] = row(17, value=9000)
    answer = push(Client(), {"idempotency_key": "o", "rows": rows}, key=mes.key).json()
    assert answer["counts"]["accepted"] == 30
    assert [f["row"] for f in answer["flagged"]] == [17]
    assert MetricValue.objects.get(row_key=rows[17]["row_key"]).outlier_score > 3


def test_a_receipt_is_audited_once_per_batch(world) -> None:
    mes = build_mes(world)
    push(Client(), {"idempotency_key": "au", "rows": [row(i) for i in range(20)]}, key=mes.key)
    events = AuditEvent.objects.filter(action="ingestion.batch.receive")
    assert events.count() == 1
    assert events.get().after["accepted"] == 20
