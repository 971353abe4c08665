"""The subjects pages: registered lines, machines, projects and teams with the people mapped to them today;
registering one; a subject's mappings (current, ended, starting later), adding one by employee number and
ending one, with the service's errors next to the fields; who sees which mappings and who may change them."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fairmark.audit.models import AuditEvent
from fairmark.core.access import SYSTEM
from fairmark.ingestion.models import Subject, SubjectMapping, SubjectType
from fairmark.ingestion.reports import company_today
from fairmark.ingestion.services.subjects import subject_create, subject_mapping_add

from .support import build_mes

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _row(page: str, key: str) -> str:
    match = re.search(rf'<tr data-subject="{key}">(.*?)</tr>', page, re.S)
    assert match, f"no row for {key}"
    return match.group(1)


def _people_now(page: str, key: str) -> str:
    match = re.search(r'data-figure="people_now">(\d+)</td>', _row(page, key))
    assert match
    return match.group(1)


def _subjects(page: str) -> list[str]:
    return re.findall(r'<tr data-subject="([a-z]+:[^"]+)">', page)


def _mapped(world) -> dict[str, SubjectMapping]:  # type: ignore[no-untyped-def]
    """On line L1: the employee from a month ago (current, early shift), the peer until yesterday (ended), the
    other (of LINE2) from tomorrow; on L2 the other, current."""
    mes = build_mes(world)
    today = company_today()
    l1, l2 = mes.lines["L1"], mes.lines["L2"]
    people = world.people
    return {
        "employee": subject_mapping_add(actor=SYSTEM, subject=l1, employee=people["employee"],
                                        valid_from=today - timedelta(days=30), role="早班"),
        "peer": subject_mapping_add(actor=SYSTEM, subject=l1, employee=people["peer"],
                                    valid_from=today - timedelta(days=30), valid_to=today - timedelta(days=1)),
        "other_later": subject_mapping_add(actor=SYSTEM, subject=l1, employee=people["other"],
                                           valid_from=today + timedelta(days=1)),
        "other": subject_mapping_add(actor=SYSTEM, subject=l2, employee=people["other"], valid_from=today),
    }


def test_hr_lists_subjects_with_the_people_mapped_today(world, client_as) -> None:
    _mapped(world)
    subject_create(actor=SYSTEM, type=SubjectType.MACHINE, code="M-07", name_zh="涂布机7号", name_en="Coater 7",
                   department=world.depts["LINE1"])
    page = client_as("hr").get("/data/subjects/", **EN).content.decode()
    assert _subjects(page) == ["line:L1", "line:L2", "machine:M-07"]
    assert _people_now(page, "line:L1") == "1"  # the peer has ended, the other starts tomorrow
    assert _people_now(page, "line:L2") == "1"
    machine = _row(page, "machine:M-07")
    assert "Machine" in machine
    assert "Coater 7" in machine
    assert "Cell line 1" in machine
    assert "Production line" in _row(page, "line:L1")
    assert 'data-testid="subject-form"' in page
    machines = client_as("hr").get("/data/subjects/?type=machine", **EN).content.decode()
    assert _subjects(machines) == ["machine:M-07"]
    assert _subjects(client_as("hr").get("/data/subjects/?q=coater", **EN).content.decode()) == ["machine:M-07"]


def test_the_list_speaks_chinese_by_default(world, client_as) -> None:
    build_mes(world)
    page = client_as("hr").get("/data/subjects/").content.decode()
    assert "产线" in _row(page, "line:L1")  # the subject type's label, already translated
    assert "电芯L1线" in page


def test_the_list_costs_the_same_queries_for_2_and_12_subjects(world, client_as,
                                                              django_assert_max_num_queries) -> None:
    _mapped(world)
    client = client_as("hr")
    client.get("/data/subjects/")
    with CaptureQueriesContext(connection) as few:
        assert client.get("/data/subjects/").status_code == 200
    today = company_today()
    for n in range(10):
        subject = subject_create(actor=SYSTEM, type=SubjectType.PROJECT, code=f"P{n}", name_zh=f"项目{n}",
                                 department=world.depts["QA"])
        subject_mapping_add(actor=SYSTEM, subject=subject, employee=world.people["qa_engineer"], valid_from=today)
    with django_assert_max_num_queries(len(few)):
        many = client.get("/data/subjects/", **EN).content.decode()
    assert len(_subjects(many)) == 12
    assert _people_now(many, "project:P3") == "1"


def test_hr_registers_a_subject_and_a_taken_code_is_refused_next_to_the_field(world, client_as) -> None:
    build_mes(world)
    hr = client_as("hr")
    answer = hr.post("/data/new-subject/", {"type": "project", "code": "PJ-01", "name_zh": "降本项目",
                                            "name_en": "Cost down", "department": world.depts["PROD"].pk}, **EN)
    subject = Subject.objects.get(type="project", code="PJ-01")
    assert answer.status_code == 302
    assert answer["Location"] == f"/data/subjects/{subject.pk}/"
    assert subject.department == world.depts["PROD"]
    assert subject.name_en == "Cost down"
    assert AuditEvent.objects.filter(action="ingestion.subject.create").exists()
    taken = hr.post("/data/new-subject/", {"type": "line", "code": "L1"}, **EN)
    assert taken.status_code == 400
    page = taken.content.decode()
    assert 'data-field-error="code"' in page
    assert "A subject of this type with this code exists." in page
    assert "line:L1" in page  # the list comes back with the form
    assert hr.post("/data/new-subject/", {"type": "employee", "code": "E0004"}, **EN).status_code == 400
    assert Subject.objects.count() == 3


def test_a_subjects_page_shows_its_mappings_current_ended_and_later(world, client_as) -> None:
    mapped = _mapped(world)
    l1 = mapped["employee"].subject
    page = client_as("hr").get(f"/data/subjects/{l1.pk}/", **EN).content.decode()
    states = dict(re.findall(r'<tr data-mapping="(\d+)" data-state="(\w+)">', page))
    assert states == {str(mapped["employee"].pk): "current", str(mapped["peer"].pk): "ended",
                      str(mapped["other_later"].pk): "future"}
    assert "E0004" in page
    assert "陈员工" in page
    assert "早班" in page
    assert re.search(r'data-figure="people_now">1<', page)
    # ending is offered for what has not ended
    assert page.count('data-testid="mapping-end"') == 2
    assert 'data-testid="mapping-form"' in page


def test_hr_maps_a_person_by_employee_number_and_ends_the_mapping(world, client_as) -> None:
    mes = build_mes(world)
    l2 = mes.lines["L2"]
    today = company_today()
    hr = client_as("hr")
    answer = hr.post(f"/data/subjects/{l2.pk}/mappings/", {
        "employee": "E0007", "valid_from": (today - timedelta(days=3)).isoformat(), "role": "夜班"}, **EN)
    assert answer.status_code == 302
    assert answer["Location"] == f"/data/subjects/{l2.pk}/"
    mapping = SubjectMapping.objects.get(subject=l2)
    assert (mapping.employee, mapping.valid_to, mapping.role) == (world.people["other"], None, "夜班")
    assert AuditEvent.objects.filter(action="ingestion.subject_mapping.add").exists()
    ended = hr.post(f"/data/mappings/{mapping.pk}/end/", {f"end-{mapping.pk}-valid_to": today.isoformat()}, **EN)
    assert ended.status_code == 302
    assert ended["Location"] == f"/data/subjects/{l2.pk}/"
    mapping.refresh_from_db()
    assert mapping.valid_to == today
    assert AuditEvent.objects.filter(action="ingestion.subject_mapping.end").exists()
    page = hr.get(f"/data/subjects/{l2.pk}/", **EN).content.decode()
    assert "The mapping of 孙其他 (E0007) ends on" in page


@pytest.mark.parametrize(("data", "field"), [
    ({"employee": "E9999", "valid_from": "2026-01-01"}, "employee"),
    ({"employee": "E0004", "valid_from": "2026-03-01", "valid_to": "2026-02-01"}, "valid_to"),  # the service's
    ({"employee": "E0004", "valid_from": "not a date"}, "valid_from"),
])
def test_a_refused_mapping_says_why_next_to_the_field(world, client_as, data: dict, field: str) -> None:
    mes = build_mes(world)
    answer = client_as("hr").post(f"/data/subjects/{mes.lines['L1'].pk}/mappings/", data, **EN)
    assert answer.status_code == 400
    assert f'data-field-error="{field}"' in answer.content.decode()
    assert not SubjectMapping.objects.exists()


def test_an_end_before_the_start_is_refused_next_to_the_field(world, client_as) -> None:
    mapped = _mapped(world)
    mapping = mapped["employee"]
    before = (mapping.valid_from - timedelta(days=1)).isoformat()
    answer = client_as("hr").post(f"/data/mappings/{mapping.pk}/end/", {f"end-{mapping.pk}-valid_to": before},
                                  **EN)
    assert answer.status_code == 400
    page = answer.content.decode()
    assert 'data-field-error="valid_to"' in page
    assert "The end is before the start." in page
    mapping.refresh_from_db()
    assert mapping.valid_to is None


def test_a_manager_sees_the_mappings_about_their_team_and_changes_none(world, client_as) -> None:
    mapped = _mapped(world)
    l1 = mapped["employee"].subject
    manager = client_as("manager")
    page = manager.get(f"/data/subjects/{l1.pk}/", **EN).content.decode()
    shown = set(re.findall(r'<tr data-mapping="(\d+)"', page))
    # the employee and the peer are in the manager's team; the other (LINE2) is not
    assert shown == {str(mapped["employee"].pk), str(mapped["peer"].pk)}
    assert "1 more mapping is about people outside what you see." in page
    assert 'data-testid="mapping-form"' not in page
    assert 'data-testid="mapping-end"' not in page
    # the head of PROD sees both lines' people
    head = client_as("head").get(f"/data/subjects/{l1.pk}/", **EN).content.decode()
    assert len(re.findall(r'<tr data-mapping="', head)) == 3
    # a mapping the manager sees: 403; one about someone they do not see: 404
    assert manager.post(f"/data/mappings/{mapped['employee'].pk}/end/", {}).status_code == 403
    assert manager.post(f"/data/mappings/{mapped['other'].pk}/end/", {}).status_code == 404
    assert manager.post(f"/data/subjects/{l1.pk}/mappings/", {"employee": "E0004",
                                                              "valid_from": "2026-01-01"}).status_code == 403
    assert manager.post("/data/new-subject/", {"type": "line", "code": "L9"}).status_code == 403
    assert SubjectMapping.objects.count() == 4
    assert Subject.objects.count() == 2


@pytest.mark.parametrize("role", ["hrbp", "exec", "head", "manager"])
def test_readers_see_subjects_but_only_hr_admins_and_system_admins_change_them(world, client_as,
                                                                               role: str) -> None:
    mapped = _mapped(world)
    l1 = mapped["employee"].subject
    client = client_as(role)
    listed = client.get("/data/subjects/", **EN)
    assert listed.status_code == 200
    assert 'data-testid="subject-form"' not in listed.content.decode()
    assert client.get(f"/data/subjects/{l1.pk}/").status_code == 200
    assert client.post("/data/new-subject/", {"type": "line", "code": "L9"}).status_code == 403
    assert client.post(f"/data/mappings/{mapped['employee'].pk}/end/", {}).status_code == 403


def test_others_get_404(world, client_as) -> None:
    mapped = _mapped(world)
    l1 = mapped["employee"].subject
    employee = client_as("employee")
    assert employee.get("/data/subjects/").status_code == 404
    assert employee.get(f"/data/subjects/{l1.pk}/").status_code == 404
    assert employee.post("/data/new-subject/", {"type": "line", "code": "L9"}).status_code == 404
    assert employee.post(f"/data/subjects/{l1.pk}/mappings/", {}).status_code == 404
    assert employee.post(f"/data/mappings/{mapped['employee'].pk}/end/", {}).status_code == 404
    assert client_as("hr").get("/data/subjects/999999/").status_code == 404
    assert client_as("admin").get(f"/data/subjects/{l1.pk}/").status_code == 200
