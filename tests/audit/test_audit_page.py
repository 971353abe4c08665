"""The audit page and API: filters, and who sees what (DESIGN.md §6): HR admins and system admins
everything, HR BPs their units plus their own actions. Everyone else gets 404 on the page and sees
only their own actions through the API (§6 "own actions"; docs/architecture.md)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone

from fairmark.audit import services
from fairmark.audit.models import AuditEvent
from tests.world import World

UTC = dt.UTC


def _at(monkeypatch: pytest.MonkeyPatch, when: dt.datetime, **kwargs: Any) -> AuditEvent:
    """Record an event at a given time: the service stamps `timezone.now()`, so the clock is set."""
    with monkeypatch.context() as patch:
        patch.setattr(timezone, "now", lambda: when)
        return services.record(**kwargs)


@pytest.fixture
def log(world: World, monkeypatch: pytest.MonkeyPatch) -> dict[str, AuditEvent]:
    qa, line1 = world.depts["QA"], world.depts["LINE1"]
    hr, hrbp, admin = world.users["hr"], world.users["hrbp"], world.users["admin"]
    return {
        "qa_jan": _at(monkeypatch, dt.datetime(2026, 1, 10, 4, tzinfo=UTC), actor=hr, action="department.update", obj=qa,
                      scope=qa.path),
        "line1_feb": _at(monkeypatch, dt.datetime(2026, 2, 10, 4, tzinfo=UTC), actor=hr, action="employee.update",
                         obj=world.people["employee"], scope=line1.path),
        "hrbp_own_feb": _at(monkeypatch, dt.datetime(2026, 2, 20, 4, tzinfo=UTC), actor=hrbp, action="employee.update",
                            obj=world.people["other"], scope=world.depts["LINE2"].path),
        # 2026-02-28 18:00 UTC is 1 March 02:00 in Shanghai: a March event for the company.
        "qa_mar_local": _at(monkeypatch, dt.datetime(2026, 2, 28, 18, tzinfo=UTC), actor=admin, action="role.grant",
                            obj=world.people["qa_engineer"], scope=world.depts["QA"].path),
        "system_mar": _at(monkeypatch, dt.datetime(2026, 3, 15, 4, tzinfo=UTC), actor=None, action="token.revoke",
                          obj=hr),
        "employee_own": _at(monkeypatch, dt.datetime(2026, 3, 20, 4, tzinfo=UTC), actor=world.users["employee"],
                            action="user.password_change", obj=world.users["employee"]),
    }


def _page_seqs(client: Any, query: str = "") -> list[int]:
    response = client.get(f"/audit/{query}")
    assert response.status_code == 200
    return [int(s) for s in re.findall(r'data-testid="event-seq">(\d+)<', response.content.decode())]


def _api_seqs(client: Any, query: str = "") -> list[int]:
    response = client.get(f"/api/v1/audit/events/{query}")
    assert response.status_code == 200, response.content
    return [row["seq"] for row in response.json()["results"]]


def seqs(log: dict[str, AuditEvent], *names: str) -> list[int]:
    return sorted((log[n].seq for n in names), reverse=True)


def test_hr_admin_sees_everything_newest_first(log: dict[str, AuditEvent], client_as: Any) -> None:
    assert _page_seqs(client_as("hr")) == [6, 5, 4, 3, 2, 1]
    assert _api_seqs(client_as("hr")) == [6, 5, 4, 3, 2, 1]
    assert _page_seqs(client_as("admin")) == [6, 5, 4, 3, 2, 1]


def test_page_filters(log: dict[str, AuditEvent], client_as: Any) -> None:
    hr = client_as("hr")
    assert _page_seqs(hr, "?actor=hrbp") == seqs(log, "hrbp_own_feb")
    assert _page_seqs(hr, "?actor=system") == seqs(log, "system_mar")
    assert _page_seqs(hr, "?action=employee.") == seqs(log, "line1_feb", "hrbp_own_feb")
    assert _page_seqs(hr, "?object_type=org.department") == seqs(log, "qa_jan")
    assert _page_seqs(hr, "?since=2026-02-01&until=2026-02-28") == seqs(log, "line1_feb", "hrbp_own_feb")
    # Dates are the company's: the 28 Feb 18:00 UTC event happened on 1 March in Shanghai.
    assert _page_seqs(hr, "?since=2026-03-01&until=2026-03-15") == seqs(log, "qa_mar_local", "system_mar")
    assert _page_seqs(hr, "?action=employee.&until=2026-02-15") == seqs(log, "line1_feb")


def test_page_filters_reject_bad_dates_without_an_error(log: dict[str, AuditEvent], client_as: Any) -> None:
    response = client_as("hr").get("/audit/?since=not-a-date")
    assert response.status_code == 200
    assert 'data-testid="filter-errors"' in response.content.decode()
    assert _page_seqs(client_as("hr"), "?since=2026-03-01&until=2026-02-01") == []


def test_api_filters(log: dict[str, AuditEvent], client_as: Any) -> None:
    hr = client_as("hr")
    assert _api_seqs(hr, "?actor=hrbp") == seqs(log, "hrbp_own_feb")
    assert _api_seqs(hr, "?action=role.") == seqs(log, "qa_mar_local")
    assert _api_seqs(hr, "?object_type=org.employee") == seqs(log, "line1_feb", "hrbp_own_feb", "qa_mar_local")
    assert _api_seqs(hr, "?since=2026-02-01T00:00:00Z&until=2026-03-01T00:00:00Z") == seqs(
        log, "line1_feb", "hrbp_own_feb", "qa_mar_local"
    )
    detail = hr.get(f"/api/v1/audit/events/{log['qa_jan'].seq}/").json()
    assert detail["action"] == "department.update"
    assert detail["hash"] == log["qa_jan"].hash


def test_hr_bp_sees_own_units_and_own_actions(log: dict[str, AuditEvent], client_as: Any) -> None:
    hrbp = client_as("hrbp")
    visible = seqs(log, "qa_jan", "hrbp_own_feb", "qa_mar_local")
    assert _page_seqs(hrbp) == visible
    assert _api_seqs(hrbp) == visible
    assert hrbp.get(f"/api/v1/audit/events/{log['qa_jan'].seq}/").status_code == 200
    assert hrbp.get(f"/api/v1/audit/events/{log['hrbp_own_feb'].seq}/").status_code == 200
    # Outside the BP's units, and not their own action: as if it did not exist.
    assert hrbp.get(f"/api/v1/audit/events/{log['line1_feb'].seq}/").status_code == 404
    assert hrbp.get(f"/api/v1/audit/events/{log['system_mar'].seq}/").status_code == 404
    assert _page_seqs(hrbp, "?action=employee.") == seqs(log, "hrbp_own_feb")  # filters cannot widen the scope


@pytest.mark.parametrize("role", ["employee", "manager", "head", "exec"])
def test_other_roles_get_404_on_the_page_and_their_own_actions_in_the_api(
    log: dict[str, AuditEvent], client_as: Any, role: str
) -> None:
    client = client_as(role)
    assert client.get("/audit/").status_code == 404
    own = seqs(log, "employee_own") if role == "employee" else []
    assert _api_seqs(client) == own
    for name in ("qa_jan", "line1_feb", "system_mar"):
        assert client.get(f"/api/v1/audit/events/{log[name].seq}/").status_code == 404
    expected = 200 if role == "employee" else 404
    assert client.get(f"/api/v1/audit/events/{log['employee_own'].seq}/").status_code == expected


def test_anonymous_is_sent_to_sign_in(log: dict[str, AuditEvent], client_as: Any) -> None:
    assert client_as("anonymous").get("/audit/").status_code == 302
    assert client_as("anonymous").get("/api/v1/audit/events/").status_code == 401


def test_the_api_cannot_change_the_log(log: dict[str, AuditEvent], client_as: Any) -> None:
    url = f"/api/v1/audit/events/{log['qa_jan'].seq}/"
    hr = client_as("hr")
    assert hr.delete(url).status_code == 405
    assert hr.patch(url, {"action": "x"}, content_type="application/json").status_code == 405
    assert hr.post("/api/v1/audit/events/", {}, content_type="application/json").status_code == 405
    assert AuditEvent.objects.get(seq=log["qa_jan"].seq).action == "department.update"
