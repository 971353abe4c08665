"""Acceptance: `fairmark audit verify` passes on an untouched log and fails, naming the record, after
the database was changed behind the application's back with raw SQL."""

from __future__ import annotations

import datetime as dt
import decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from fairmark.accounts.models import User
from fairmark.audit import services
from fairmark.audit.models import AuditChainHead, AuditEvent
from fairmark.audit.verification import chain_state, verify_chain

pytestmark = pytest.mark.django_db


def _log(count: int = 5) -> User:
    user = User.objects.create_user(username="auditor", email="a@example.com")
    for i in range(count):
        services.record(actor=user if i % 2 else None, action=f"thing.update{i}", obj=user,
                        before={"n": i, "name": "旧"}, after={"n": i + 1, "name": "新"}, scope="/1/")
    return user


def run_verify(*args: str) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("audit", "verify", *args, stdout=out, stderr=err)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def raw(sql: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_untouched_log_verifies() -> None:
    _log()
    code, out, _err = run_verify()
    assert code == 0
    assert "5 records, chain intact" in out
    state = chain_state()
    assert f"head {state.head_seq}:{state.head_hash}" in out


def test_empty_log_verifies() -> None:
    assert run_verify()[0] == 0


def test_changed_row_fails_and_names_it() -> None:
    _log()
    raw("UPDATE audit_auditevent SET actor_label = %s WHERE seq = %s", ["mallory", 3])
    code, _out, err = run_verify()
    assert code == 1
    assert "FAILED at record 3 (altered)" in err


def test_changed_before_after_values_fail() -> None:
    _log()
    cast = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    raw(f'UPDATE audit_auditevent SET "after" = {cast} WHERE seq = %s', ['{"n": 99, "name": "新"}', 2])
    code, _out, err = run_verify()
    assert code == 1
    assert "record 2 (altered)" in err


def test_changed_time_fails() -> None:
    _log()
    event = AuditEvent.objects.get(seq=4)
    raw("UPDATE audit_auditevent SET at = %s WHERE seq = %s", [event.at - dt.timedelta(days=1), 4])
    assert "record 4 (altered)" in run_verify()[2]


def test_renumbered_row_is_named_by_its_place() -> None:
    _log()
    raw("UPDATE audit_auditevent SET seq = %s WHERE seq = %s", [100, 2])
    code, _out, err = run_verify()
    assert code == 1
    assert "record 2" in err


def test_deleted_row_fails_and_names_it() -> None:
    _log()
    raw("DELETE FROM audit_auditevent WHERE seq = %s", [2])
    code, _out, err = run_verify()
    assert code == 1
    assert "FAILED at record 2 (deleted)" in err


def test_deleted_last_row_fails_and_names_it() -> None:
    _log()
    raw("DELETE FROM audit_auditevent WHERE seq = %s", [5])
    code, _out, err = run_verify()
    assert code == 1
    assert "FAILED at record 5 (truncated)" in err


def test_deleted_head_row_fails() -> None:
    _log()
    raw("DELETE FROM audit_auditchainhead", [])
    code, _out, err = run_verify()
    assert code == 1
    assert "head_missing" in err


def test_anchor_catches_a_rewritten_tail() -> None:
    """Deleting the tail and moving the head back is invisible to the chain alone; an anchor kept
    outside the database (printed by an earlier verify) catches it."""
    _log()
    anchor = f"{chain_state().head_seq}:{chain_state().head_hash}"
    assert run_verify("--anchor", anchor)[0] == 0
    fourth = AuditEvent.objects.get(seq=4)
    raw("DELETE FROM audit_auditevent WHERE seq = %s", [5])
    raw("UPDATE audit_auditchainhead SET last_seq = %s, last_hash = %s", [4, fourth.hash])
    assert run_verify()[0] == 0  # the chain alone is fooled
    code, _out, err = run_verify("--anchor", anchor)
    assert code == 1
    assert "record 5" in err
    with pytest.raises(CommandError):
        call_command("audit", "verify", "--anchor", "5:nothex", stdout=StringIO())


def test_values_the_database_reshapes_still_verify() -> None:
    """jsonb gives 1e16 back as an integer and refuses NaN; dates and decimals become text. The
    hash covers what is stored, so verification holds on SQLite and PostgreSQL alike."""
    user = User.objects.create_user(username="x")
    services.record(actor=user, action="odd.values", obj=user, before={
        "big": 1e16, "float": 0.1, "nan": float("nan"), "inf": float("-inf"), "tiny": 1.5e-7,
        "date": dt.date(2026, 1, 2), "money": decimal.Decimal("12.30"), "nested": [{"k": 2.0}],
    })
    assert verify_chain() is None
    stored = AuditEvent.objects.get().before
    assert stored is not None
    assert stored["money"] == "12.30"


def test_rolled_back_write_leaves_no_event_and_the_chain_continues() -> None:
    user = _log(2)

    def audited_write_that_fails() -> None:
        with transaction.atomic():
            services.record(actor=user, action="doomed", obj=user)
            raise RuntimeError("the change it describes failed")

    with pytest.raises(RuntimeError):
        audited_write_that_fails()
    assert not AuditEvent.objects.filter(action="doomed").exists()
    assert AuditChainHead.objects.get().last_seq == 2
    services.record(actor=user, action="after", obj=user)
    assert AuditEvent.objects.get(action="after").seq == 3
    assert verify_chain() is None
