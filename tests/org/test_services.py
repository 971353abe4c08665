from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fairmark.audit.models import AuditEvent
from fairmark.core.access import viewer_for
from fairmark.core.errors import OutOfScope, ServiceError
from fairmark.org.models import Assignment, Delegation, Department, Employee
from fairmark.org.selectors import employees_visible_to
from fairmark.org.services import delegations, departments, employees, roles

TODAY = timezone.localdate()


def test_create_is_audited_and_opens_an_assignment(world) -> None:  # type: ignore[no-untyped-def]
    hr = world.users["hr"]
    e = employees.employee_create(actor=hr, number="N1", name="新人", department=world.depts["QA"],
                                  hire_date=dt.date(2026, 1, 5), manager=world.people["qa_head"])
    assert Assignment.objects.get(employee=e).valid_to is None
    event = AuditEvent.objects.get(action="employee.create", object_id=str(e.pk))
    assert event.actor_id == hr.pk
    assert event.after["number"] == "N1"
    assert event.scope == world.depts["QA"].path


def test_hr_bp_cannot_move_someone_out_of_their_units(world) -> None:  # type: ignore[no-untyped-def]
    """The scope is re-checked after the write: the transaction rolls back and nothing changes."""
    hrbp = world.users["hrbp"]
    engineer = world.people["qa_engineer"]
    before = AuditEvent.objects.count()
    with pytest.raises(OutOfScope):
        employees.employee_transfer(actor=hrbp, employee=engineer, effective=TODAY,
                                    department=world.depts["LINE1"])
    engineer.refresh_from_db()
    assert engineer.department == world.depts["QA"]
    assert Assignment.objects.filter(employee=engineer).count() == 1
    assert AuditEvent.objects.count() == before


def test_hr_bp_cannot_edit_outside_their_units(world) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(OutOfScope):
        employees.employee_update(actor=world.users["hrbp"], employee=world.people["employee"], location="X")
    with pytest.raises(OutOfScope):
        employees.employee_update(actor=world.users["manager"], employee=world.people["employee"], location="X")


def test_department_and_position_change_only_by_transfer(world) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ServiceError) as error:
        employees.employee_update(actor=world.users["hr"], employee=world.people["employee"],
                                  department=world.depts["QA"])
    assert "department" in error.value.fields


def test_transfer_must_follow_the_current_assignment(world) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ServiceError):
        employees.employee_transfer(actor=world.users["hr"], employee=world.people["employee"],
                                    effective=dt.date(2024, 3, 1), department=world.depts["LINE2"])


def test_manager_loops_are_refused(world) -> None:  # type: ignore[no-untyped-def]
    hr = world.users["hr"]
    with pytest.raises(ServiceError):
        employees.employee_transfer(actor=hr, employee=world.people["gm"], effective=TODAY,
                                    manager=world.people["employee"])
    with pytest.raises(ServiceError):
        employees.employee_transfer(actor=hr, employee=world.people["gm"], effective=TODAY,
                                    manager=world.people["gm"])


def test_moving_a_department_moves_its_subtree(world) -> None:  # type: ignore[no-untyped-def]
    hr = world.users["hr"]
    departments.department_move(actor=hr, department=world.depts["PROD"], new_parent=world.depts["QA"])
    line1 = Department.objects.get(code="LINE1")
    assert line1.path == f"{world.depts['QA'].path}{world.depts['PROD'].pk}/{line1.pk}/"
    assert line1.depth == 3
    with pytest.raises(ServiceError):
        departments.department_move(actor=hr, department=world.depts["QA"], new_parent=line1)


def test_department_head_sees_the_subtree_and_follows_moves(world) -> None:  # type: ignore[no-untyped-def]
    head = world.users["head"]
    assert employees_visible_to(head).filter(pk=world.people["other"].pk).exists()
    assert not employees_visible_to(head).filter(pk=world.people["qa_engineer"].pk).exists()


def test_acting_manager_sees_the_team_for_the_period(world) -> None:  # type: ignore[no-untyped-def]
    peer_user = world.users["employee"]
    # The employee stands in for the line-2 leader: they now see line 2's operator.
    assert not employees_visible_to(peer_user).filter(pk=world.people["other"].pk).exists()
    delegations.delegation_create(actor=world.users["hr"], principal=world.people["l2_leader"],
                                  delegate=world.people["employee"], kind="acting",
                                  valid_from=dt.date(2020, 1, 1), valid_to=None, reason="leave")
    fresh = type(peer_user).objects.get(pk=peer_user.pk)
    assert employees_visible_to(fresh).filter(pk=world.people["other"].pk).exists()
    assert "manager" in viewer_for(fresh).roles
    # An expired delegation grants nothing.
    Delegation.objects.update(valid_to=dt.date(2021, 1, 1))
    fresh = type(peer_user).objects.get(pk=peer_user.pk)
    assert not employees_visible_to(fresh).filter(pk=world.people["other"].pk).exists()


def test_a_manager_may_name_their_own_delegate_but_not_others(world) -> None:  # type: ignore[no-untyped-def]
    manager = world.users["manager"]
    delegations.delegation_create(actor=manager, principal=world.people["manager"], delegate=world.people["peer"],
                                  kind="delegate", valid_from=dt.date(2026, 1, 1))
    with pytest.raises(OutOfScope):
        delegations.delegation_create(actor=manager, principal=world.people["l2_leader"],
                                      delegate=world.people["peer"], kind="delegate", valid_from=dt.date(2026, 1, 1))


def test_roles_are_granted_only_by_system_admins(world) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(OutOfScope):
        roles.role_grant(actor=world.users["hr"], user=world.users["manager"], role="hr_admin")
    with pytest.raises(ServiceError):
        roles.role_grant(actor=world.users["admin"], user=world.users["manager"], role="hr_bp")
    roles.role_grant(actor=world.users["admin"], user=world.users["manager"], role="hr_bp",
                     departments=[world.depts["HR"]])
    fresh = type(world.users["manager"]).objects.get(pk=world.users["manager"].pk)
    assert employees_visible_to(fresh).filter(pk=world.people["hr_person"].pk).exists()
    roles.role_revoke(actor=world.users["admin"], user=fresh, role="hr_bp")
    assert AuditEvent.objects.filter(action__in=["role.grant", "role.revoke"]).count() == 2


def test_leavers_drop_out_of_their_managers_team(world) -> None:  # type: ignore[no-untyped-def]
    employees.employee_update(actor=world.users["hr"], employee=world.people["peer"], status="left")
    peer = Employee.objects.get(pk=world.people["peer"].pk)
    assert peer.left_on is not None
    manager = type(world.users["manager"]).objects.get(pk=world.users["manager"].pk)
    assert peer.pk not in viewer_for(manager).team_ids


def test_leaving_closes_the_open_assignment(world) -> None:  # type: ignore[no-untyped-def]
    employees.employee_update(actor=world.users["hr"], employee=world.people["peer"], status="left",
                              left_on=dt.date(2026, 10, 31))
    assert Assignment.objects.get(employee=world.people["peer"]).valid_to == dt.date(2026, 10, 31)


def test_manager_loop_check_walks_only_the_reporting_line(world, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    from fairmark.org.services.employees import _reports_up_to

    # employee → manager → prod_head → gm: four levels, four lookups, however big the company is.
    with django_assert_max_num_queries(4):
        assert _reports_up_to(world.people["employee"].pk, world.people["gm"].pk)
    assert not _reports_up_to(world.people["gm"].pk, world.people["employee"].pk)


def test_a_system_admin_cannot_revoke_their_own_role(world) -> None:  # type: ignore[no-untyped-def]
    admin = world.users["admin"]
    with pytest.raises(ServiceError):
        roles.role_revoke(actor=admin, user=admin, role="sysadmin")
    assert viewer_for(type(admin).objects.get(pk=admin.pk)).has("sysadmin")


def test_only_system_admins_create_accounts(world) -> None:  # type: ignore[no-untyped-def]
    from fairmark.accounts import services as accounts

    with pytest.raises(OutOfScope):
        accounts.user_create(actor=world.users["hr"], username="x", password=None)
    assert accounts.user_create(actor=world.users["admin"], username="x", password=None).username == "x"


def test_a_future_transfer_takes_effect_on_its_date(world) -> None:  # type: ignore[no-untyped-def]
    employee, hr = world.people["employee"], world.users["hr"]
    effective = TODAY + dt.timedelta(days=10)
    employees.employee_transfer(actor=hr, employee=employee, effective=effective, department=world.depts["LINE2"],
                                manager=world.people["l2_leader"])
    employee.refresh_from_db()
    # Until the date the old line stands: the employee is still on line 1 under their manager.
    assert employee.department == world.depts["LINE1"]
    assert employee.manager == world.people["manager"]
    assert employees.assignments_apply_due(on=TODAY) == 0
    assert employees.assignments_apply_due(on=effective) == 1
    employee.refresh_from_db()
    assert (employee.department, employee.manager) == (world.depts["LINE2"], world.people["l2_leader"])
    event = AuditEvent.objects.get(action="employee.transfer_effective")
    assert event.actor_label == "system"
    assert employees.assignments_apply_due(on=effective) == 0  # safe to run again


def test_leavers_cannot_stand_in(world) -> None:  # type: ignore[no-untyped-def]
    employees.employee_update(actor=world.users["hr"], employee=world.people["peer"], status="left")
    with pytest.raises(ServiceError) as error:
        delegations.delegation_create(actor=world.users["hr"], principal=world.people["manager"],
                                      delegate=Employee.objects.get(pk=world.people["peer"].pk), kind="acting",
                                      valid_from=TODAY)
    assert "delegate" in error.value.fields


def test_the_daily_task_applies_due_transfers(world) -> None:  # type: ignore[no-untyped-def]
    from fairmark.org.tasks import apply_due_transfers

    assert apply_due_transfers.delay().get() == 0


def test_hr_bp_cannot_rehang_their_granted_unit(world) -> None:  # type: ignore[no-untyped-def]
    hrbp = world.users["hrbp"]
    iqc = departments.department_create(actor=hrbp, company=world.company, code="IQC", name="来料检验",
                                        parent=world.depts["QA"])
    # Their granted unit itself may not move (it would carry the grant elsewhere) …
    with pytest.raises(OutOfScope):
        departments.department_move(actor=hrbp, department=world.depts["QA"], new_parent=world.depts["PROD"])
    # … nor may a unit inside it go under a parent outside their units.
    with pytest.raises(OutOfScope):
        departments.department_move(actor=hrbp, department=iqc, new_parent=world.depts["PROD"])
    iqc.refresh_from_db()
    assert iqc.parent == world.depts["QA"]
