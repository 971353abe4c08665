"""The editing pages through the test client: edit and transfer an employee, name and end stand-ins.
Each write goes through its service (history row, audit event, scope re-checked); a refused write
shows the errors next to the fields with status 400 and changes nothing."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from fairmark.accounts.models import User
from fairmark.audit.models import AuditEvent
from fairmark.core.errors import OutOfScope, ServiceError
from fairmark.org.models import Assignment, Delegation, Employee
from fairmark.org.services.delegations import delegation_create, delegation_end
from tests.world import World, db_fingerprint


def _en(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _url(world: World, key: str, suffix: str = "") -> str:
    return f"/org/people/{world.people[key].pk}/{suffix}"


def _edit_data(person: Employee, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {"name": person.name, "level": person.level_id or "", "status": person.status,
                               "probation_end": "", "left_on": "", "location": person.location,
                               "cost_centre": person.cost_centre, "email": person.email, "phone": person.phone}
    data.update(changes)
    return data


def _field_errors(page: str, field: str) -> list[str]:
    return re.findall(rf'data-field-error="{field}">([^<]*)<', page)


# --- edit ------------------------------------------------------------------------------------------


def test_edit_saves_through_the_service(world, client_as) -> None:  # type: ignore[no-untyped-def]
    client = _en(client_as("hr"))
    person = world.people["employee"]
    page = client.get(_url(world, "employee")).content.decode()
    assert 'data-testid="edit-link"' in page
    assert 'data-testid="transfer-link"' in page

    response = client.post(_url(world, "employee", "edit/"), _edit_data(person, location="溧阳基地", phone="13800000000"))
    assert response.status_code == 302
    assert response["Location"] == _url(world, "employee")
    person.refresh_from_db()
    assert (person.location, person.phone) == ("溧阳基地", "13800000000")
    event = AuditEvent.objects.get(action="employee.update", object_id=str(person.pk))
    assert event.actor_id == world.users["hr"].pk
    # Only what changed is written and recorded.
    assert event.before == {"location": "", "phone": ""}
    assert event.after == {"location": "溧阳基地", "phone": "13800000000"}
    page = client.get(response["Location"]).content.decode()
    assert "The changes to 陈员工 are saved." in page
    assert "13800000000" in page


def test_edit_with_nothing_changed_writes_nothing(world, client_as) -> None:  # type: ignore[no-untyped-def]
    client = _en(client_as("hr"))
    before = db_fingerprint()
    response = client.post(_url(world, "employee", "edit/"), _edit_data(world.people["employee"]), follow=True)
    assert "Nothing was changed." in response.content.decode()
    assert db_fingerprint() == before


def test_edit_errors_are_shown_next_to_the_fields(world, client_as) -> None:  # type: ignore[no-untyped-def]
    client = _en(client_as("hr"))
    person = world.people["employee"]
    before = db_fingerprint()

    # The form's own check.
    response = client.post(_url(world, "employee", "edit/"), _edit_data(person, email="not-an-email"))
    assert response.status_code == 400
    assert _field_errors(response.content.decode(), "email") == ["Enter a valid email address."]

    # The service's rule: probation cannot end before the hire date (2024-03-01).
    response = client.post(_url(world, "employee", "edit/"),
                           _edit_data(person, name="改名", probation_end="2024-01-31"))
    assert response.status_code == 400
    page = response.content.decode()
    assert _field_errors(page, "probation_end") == ["Before hire date."]
    assert "Probation cannot end before the hire date." in page
    assert 'value="改名"' in page  # what the user typed is kept in the form
    assert 'data-testid="edit-title">Edit: 陈员工' in page  # the header shows the stored name
    assert db_fingerprint() == before


def test_edit_is_for_those_who_may_edit(world, client_as) -> None:  # type: ignore[no-untyped-def]
    # The manager sees their report but does not edit them: no buttons, 403 on the page and on POST.
    manager = client_as("manager")
    assert 'data-testid="edit-link"' not in manager.get(_url(world, "employee")).content.decode()
    assert manager.get(_url(world, "employee", "edit/")).status_code == 403
    refused = manager.post(_url(world, "employee", "edit/"), _edit_data(world.people["employee"], phone="1"))
    assert refused.status_code == 403
    # The HR BP does not even see line 1: 404; in their units they edit.
    hrbp = client_as("hrbp")
    assert hrbp.get(_url(world, "employee", "edit/")).status_code == 404
    assert hrbp.get(_url(world, "qa_engineer", "edit/")).status_code == 200
    assert 'data-testid="edit-link"' in hrbp.get(_url(world, "qa_engineer")).content.decode()


# --- transfer --------------------------------------------------------------------------------------


def _transfer_data(world: World, dept: str, manager: str | None, effective: dt.date | None = None) -> dict[str, object]:
    return {"effective": (effective or timezone.localdate()).isoformat(), "department": world.depts[dept].pk,
            "position": "", "manager": world.people[manager].number if manager else "", "reason": "支援二线"}


def test_transfer_opens_history_and_moves_the_reporting_line(world, client_as) -> None:  # type: ignore[no-untyped-def]
    client = _en(client_as("hr"))
    person = world.people["employee"]
    today = timezone.localdate()
    # The old manager sees the person before.
    assert client_as("manager").get(_url(world, "employee")).status_code == 200

    response = client.post(_url(world, "employee", "transfer/"), _transfer_data(world, "LINE2", "l2_leader"))
    assert response.status_code == 302
    assert response["Location"] == _url(world, "employee")
    person.refresh_from_db()
    assert person.department == world.depts["LINE2"]
    assert person.manager == world.people["l2_leader"]
    assert person.position is None
    old, new = Assignment.objects.filter(employee=person).order_by("valid_from")
    assert old.valid_to == today - dt.timedelta(days=1)
    assert (new.valid_from, new.valid_to, new.department, new.reason) == (today, None, world.depts["LINE2"], "支援二线")
    event = AuditEvent.objects.get(action="employee.transfer", object_id=str(person.pk))
    assert event.after["effective"] == today.isoformat()
    assert event.scope == world.depts["LINE2"].path
    page = client.get(response["Location"]).content.decode()
    assert f"陈员工 is transferred from {today.isoformat()}." in page

    # The old manager loses sight of them, on the page and in the list.
    manager = client_as("manager")
    assert manager.get(_url(world, "employee")).status_code == 404
    assert person.number not in manager.get("/org/people/").content.decode()


def test_transfer_errors_are_shown_next_to_the_fields(world, client_as) -> None:  # type: ignore[no-untyped-def]
    client = _en(client_as("hr"))
    before = db_fingerprint()

    # Before the current assignment began (2024-03-01): the service refuses.
    response = client.post(_url(world, "employee", "transfer/"),
                           _transfer_data(world, "LINE2", "l2_leader", dt.date(2024, 2, 1)))
    assert response.status_code == 400
    page = response.content.decode()
    assert _field_errors(page, "effective") == ["Too early."]
    assert "The transfer must take effect after 2024-03-01." in page

    # A manager who reports to the employee: a loop.
    response = client.post(_url(world, "manager", "transfer/"), _transfer_data(world, "LINE1", "employee"))
    assert response.status_code == 400
    assert _field_errors(response.content.decode(), "manager") == ["Creates a loop."]

    # A number that does not exist, and a transfer that changes nothing: the form's checks.
    unknown = {**_transfer_data(world, "LINE1", None), "manager": "E9999"}
    response = client.post(_url(world, "employee", "transfer/"), unknown)
    assert _field_errors(response.content.decode(), "manager") == ["Unknown employee number."]
    same = {**_transfer_data(world, "LINE1", "manager"), "position": world.people["employee"].position_id}
    response = client.post(_url(world, "employee", "transfer/"), same)
    assert response.status_code == 400
    assert "Nothing would change" in response.content.decode()
    assert db_fingerprint() == before


def test_hr_bp_cannot_transfer_out_of_their_units(world, client_as) -> None:  # type: ignore[no-untyped-def]
    """The page lists only the HR BP's departments; posting another one reaches the service, which
    refuses and rolls back: 404 and nothing changed."""
    client = client_as("hrbp")
    page = client.get(_url(world, "qa_engineer", "transfer/")).content.decode()
    options = re.findall(r'<option value="(\d+)"', page.split('name="department"')[1].split("</select>")[0])
    assert options == [str(world.depts["QA"].pk)]

    before = db_fingerprint()
    response = client.post(_url(world, "qa_engineer", "transfer/"), _transfer_data(world, "LINE1", None))
    assert response.status_code == 404
    assert db_fingerprint() == before
    # Within their units the transfer goes through.
    response = client.post(_url(world, "qa_engineer", "transfer/"), _transfer_data(world, "QA", "hr_person"))
    assert response.status_code == 302
    assert Assignment.objects.filter(employee=world.people["qa_engineer"]).count() == 2


# --- stand-ins -------------------------------------------------------------------------------------


def _login_as_employee(world: World, key: str) -> Client:
    user = User.objects.create_user(username=key, password="x-" + key)
    Employee.objects.filter(pk=world.people[key].pk).update(user=user)
    client = Client()
    client.force_login(user)
    return _en(client)


def _people_numbers(client: Client) -> set[str]:
    page = client.get("/org/people/").content.decode()
    return set(re.findall(r"<td>(E\d{4})</td>", page))


def test_acting_manager_named_on_the_page_sees_the_team(world, client_as) -> None:  # type: ignore[no-untyped-def]
    manager = _en(client_as("manager"))
    l2_leader = _login_as_employee(world, "l2_leader")
    assert _people_numbers(l2_leader) == {"E0006", "E0007"}

    page = manager.get("/org/delegations/").content.decode()
    assert 'data-testid="delegation-form"' in page
    # A manager may name a stand-in only for themselves, preselected.
    principal = page.split('name="principal"')[1].split("</select>")[0]
    assert re.findall(r'<option value="(\d*)"', principal) == [str(world.people["manager"].pk)]

    today = timezone.localdate()
    response = manager.post("/org/delegations/", {
        "principal": world.people["manager"].pk, "kind": "acting", "delegate": "E0006",
        "valid_from": today.isoformat(), "valid_to": "", "reason": "出差"})
    assert response.status_code == 302
    delegation = Delegation.objects.get()
    assert delegation.principal == world.people["manager"]
    assert delegation.delegate == world.people["l2_leader"]
    assert delegation.kind == "acting"
    assert AuditEvent.objects.filter(action="delegation.create", object_id=str(delegation.pk)).exists()
    page = manager.get("/org/delegations/").content.decode()
    assert 'data-status="current"' in page
    assert f'data-testid="end-{delegation.pk}"' in page

    # The acting manager now sees the principal's team; the principal's page names them.
    assert _people_numbers(l2_leader) == {"E0004", "E0005", "E0006", "E0007"}
    page = manager.get(_url(world, "manager")).content.decode()
    assert re.search(r"Acting manager</dt>\s*<dd[^>]*>赵二线", page)


def test_end_now_makes_today_the_last_day(world, client_as) -> None:  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    delegation = delegation_create(actor=world.users["hr"], principal=world.people["manager"],
                                   delegate=world.people["l2_leader"], kind="acting", valid_from=dt.date(2026, 1, 1))
    manager = _en(client_as("manager"))
    response = manager.post(f"/org/delegations/{delegation.pk}/end/", follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "赵二线 stands in for 张线长 until the end of today." in page
    assert f'data-testid="end-{delegation.pk}"' not in page
    delegation.refresh_from_db()
    assert delegation.valid_to == today
    event = AuditEvent.objects.get(action="delegation.end")
    assert (event.before, event.after, event.actor_id) == ({"valid_to": None}, {"valid_to": today.isoformat()},
                                                          world.users["manager"].pk)

    # Ending again is refused with a message, and changes nothing.
    before = db_fingerprint()
    page = manager.post(f"/org/delegations/{delegation.pk}/end/", follow=True).content.decode()
    assert f"This stand-in has already ended, or ends by then ({today.isoformat()})." in page
    assert db_fingerprint() == before


def test_an_ended_stand_in_no_longer_sees_the_team(world) -> None:  # type: ignore[no-untyped-def]
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    delegation = delegation_create(actor=world.users["hr"], principal=world.people["manager"],
                                   delegate=world.people["l2_leader"], kind="acting", valid_from=dt.date(2026, 1, 1))
    l2_leader = _login_as_employee(world, "l2_leader")
    assert "E0004" in _people_numbers(l2_leader)
    delegation_end(actor=world.users["hr"], delegation=delegation, on=yesterday)
    assert _people_numbers(l2_leader) == {"E0006", "E0007"}


def test_stand_in_form_errors(world, client_as) -> None:  # type: ignore[no-untyped-def]
    hr = _en(client_as("hr"))
    base = {"principal": world.people["manager"].pk, "kind": "delegate", "delegate": "E0006",
            "valid_from": "2026-12-01", "valid_to": "", "reason": ""}
    before = db_fingerprint()
    response = hr.post("/org/delegations/", {**base, "delegate": "E0003"})
    assert response.status_code == 400
    page = response.content.decode()
    assert _field_errors(page, "delegate") == ["Same person."]
    assert "Nobody can stand in for themselves." in page
    response = hr.post("/org/delegations/", {**base, "valid_to": "2026-11-30"})
    assert _field_errors(response.content.decode(), "valid_to") == ["Before the start."]
    response = hr.post("/org/delegations/", {**base, "delegate": "E9999"})
    assert _field_errors(response.content.decode(), "delegate") == ["Unknown employee number."]
    assert db_fingerprint() == before


def test_who_gets_the_stand_in_form(world, client_as) -> None:  # type: ignore[no-untyped-def]
    # The HR BP names stand-ins for the leaders of their units (the quality head).
    page = client_as("hrbp").get("/org/delegations/").content.decode()
    principal = page.split('name="principal"')[1].split("</select>")[0]
    assert re.findall(r'<option value="(\d+)"', principal) == [str(world.people["qa_head"].pk)]
    # An employee who leads nobody has no form and no menu item; the POST is refused.
    employee = _en(client_as("employee"))
    page = employee.get("/org/delegations/").content.decode()
    assert 'data-testid="delegation-form"' not in page
    assert "Stand-ins</a>" not in employee.get("/").content.decode()
    assert employee.post("/org/delegations/", {"principal": world.people["employee"].pk}).status_code == 403
    assert "Stand-ins</a>" in _en(client_as("manager")).get("/").content.decode()


def test_delegation_end_service_rules(world) -> None:  # type: ignore[no-untyped-def]
    """Scope-checked like creation (the principal or HR who edits them), audited, and never before the start."""
    delegation = delegation_create(actor=world.users["hr"], principal=world.people["manager"],
                                   delegate=world.people["l2_leader"], kind="delegate", valid_from=dt.date(2026, 1, 1))
    events = AuditEvent.objects.count()
    for role in ("head", "exec", "hrbp", "employee"):
        with pytest.raises(OutOfScope):
            delegation_end(actor=world.users[role], delegation=delegation, on=dt.date(2026, 6, 30))
    with pytest.raises(ServiceError) as refused:
        delegation_end(actor=world.users["manager"], delegation=delegation, on=dt.date(2025, 12, 31))
    assert refused.value.fields == {"valid_to": ["Before the start."]}
    delegation.refresh_from_db()
    assert delegation.valid_to is None
    assert AuditEvent.objects.count() == events
    delegation_end(actor=world.users["manager"], delegation=delegation, on=dt.date(2026, 6, 30))
    delegation.refresh_from_db()
    assert delegation.valid_to == dt.date(2026, 6, 30)
    assert AuditEvent.objects.filter(action="delegation.end", scope=world.depts["LINE1"].path).count() == 1
