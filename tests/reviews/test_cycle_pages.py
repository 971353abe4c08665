"""HR's cycle pages: the list, creating a cycle through the form (a phase's error next to that phase), launching
from the page (the task runs, the page shows reviews per department × state), the progress fragment while
launching, the launch report, editing after launch and closing; and a flat query count on the cycle page."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fairmark.org.models import Department, Employee, EmployeeStatus
from fairmark.reviews.models import Cycle, CycleStatus, Review, ReviewState

from .support import END, PHASES, START, build_reviews, launch, make_cycle

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _form(world, **changes):  # type: ignore[no-untyped-def]
    data = {"name": "2026 Q1 页面创建", "kind": "quarter", "period_start": START.isoformat(),
            "period_end": END.isoformat(), "population": "departments", "departments": [world.depts["LINE1"].pk],
            "people": "", "min_tenure_days": "60", "leavers": "exclude", "raters_min": "3", "raters_max": "8",
            "anonymity_minimum": "3", "send_at": "09:00"}
    for phase, deadline in PHASES.items():
        data[f"phase_{phase}"] = "on"
        data[f"deadline_{phase}"] = deadline.isoformat()
    data.update(changes)
    return data


def _row(body: str, marker: str) -> str:
    match = re.search(rf"<tr[^>]*{re.escape(marker)}[^>]*>(.*?)</tr>", body, re.S)
    assert match, f"no row {marker}"
    return match.group(1)


def _cells(row: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def test_hr_creates_a_cycle_through_the_page(world, client_as) -> None:  # type: ignore[no-untyped-def]
    build_reviews(world)
    client = client_as("hr")
    assert client.get("/reviews/cycles/new/").status_code == 200
    response = client.post("/reviews/cycles/new/", _form(world, people="E0004 E0005"))
    assert response.status_code == 302
    cycle = Cycle.objects.get(name="2026 Q1 页面创建")
    assert response["Location"] == f"/reviews/cycles/{cycle.pk}/"
    assert cycle.status == CycleStatus.DRAFT
    assert cycle.company_id == world.company.pk
    assert list(cycle.departments.all()) == [world.depts["LINE1"]]
    assert sorted(cycle.people.values_list("number", flat=True)) == ["E0004", "E0005"]
    assert {p.phase: p.deadline for p in cycle.phases.all()} == PHASES
    page = client.get(f"/reviews/cycles/{cycle.pk}/", **EN).content.decode()
    assert 'data-testid="launch-cycle"' in page
    assert 'data-phase="self_review"' in page


def test_a_deadline_before_the_period_shows_next_to_its_phase(world, client_as) -> None:  # type: ignore[no-untyped-def]
    build_reviews(world)
    response = client_as("hr").post("/reviews/cycles/new/", _form(world, deadline_self_review="2025-12-20"), **EN)
    assert response.status_code == 400
    body = response.content.decode()
    row = _row(body, 'data-phase="self_review"')
    assert 'data-field-error="phases.self_review"' in row
    assert "before the period starts" in row
    assert 'data-field-error="phases.rating_360"' not in body
    assert not Cycle.objects.exists()


def test_unknown_people_numbers_are_named(world, client_as) -> None:  # type: ignore[no-untyped-def]
    response = client_as("hr").post("/reviews/cycles/new/", _form(world, population="list", people="E0004 X404"))
    assert response.status_code == 400
    assert "X404" in response.content.decode()
    assert not Cycle.objects.exists()


def test_the_list_shows_cycles_to_everyone_and_new_cycle_to_hr(world, client_as) -> None:  # type: ignore[no-untyped-def]
    cycle = make_cycle(world)
    for role in ("employee", "manager", "admin"):
        body = client_as(role).get("/reviews/cycles/").content.decode()
        assert f'href="/reviews/cycles/{cycle.pk}/"' in body
        assert 'data-testid="new-cycle"' not in body
    assert 'data-testid="new-cycle"' in client_as("hr").get("/reviews/cycles/").content.decode()


def test_launching_from_the_page_shows_reviews_per_department(world, client_as,
                                                              django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    build_reviews(world)
    cycle = make_cycle(world, departments=("LINE1", "LINE2"))
    client = client_as("hr")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/reviews/cycles/{cycle.pk}/launch/")
    assert response.status_code == 302
    assert response["Location"] == f"/reviews/cycles/{cycle.pk}/"
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.ACTIVE
    assert cycle.launch_done == cycle.launch_total == 8
    body = client.get(f"/reviews/cycles/{cycle.pk}/", **EN).content.decode()
    assert _cells(_row(body, 'data-department="LINE1"'))[1:] == ["6", "6"]
    assert _cells(_row(body, 'data-department="LINE2"'))[1:] == ["2", "2"]
    assert _cells(_row(body, 'data-testid="counts-total"'))[1:] == ["8", "8"]
    assert 'data-state="self_review"' in body
    assert 'data-testid="launch-cycle"' not in body
    # The employee counts only their own review.
    mine = client_as("employee").get(f"/reviews/cycles/{cycle.pk}/").content.decode()
    assert _cells(_row(mine, 'data-testid="counts-total"'))[1:] == ["1", "1"]
    assert 'data-department="LINE2"' not in mine


def test_the_launch_report_names_who_was_left_out(world, client_as, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    build_reviews(world)
    Employee.objects.filter(pk=world.people["peer4"].pk).update(status=EmployeeStatus.PROBATION)
    cycle = launch(world, make_cycle(world), django_capture_on_commit_callbacks)
    body = client_as("hr").get(f"/reviews/cycles/{cycle.pk}/", **EN).content.decode()
    row = _row(body, 'data-person="E0014"')
    assert 'data-code="on_probation"' in body
    assert "probation" in row
    # Someone who may not see the person reads only that someone was left out.
    other = client_as("employee").get(f"/reviews/cycles/{cycle.pk}/", **EN).content.decode()
    assert 'data-person="E0014"' not in other
    assert "1 more person outside your scope" in other


def test_the_progress_fragment_polls_while_launching(world, client_as) -> None:  # type: ignore[no-untyped-def]
    cycle = make_cycle(world)
    Cycle.objects.filter(pk=cycle.pk).update(status=CycleStatus.LAUNCHING, launch_total=10, launch_done=4)
    client = client_as("manager")
    response = client.get(f"/reviews/cycles/{cycle.pk}/progress/", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert "HX-Refresh" not in response
    assert re.search(r'data-testid="progress-done">4<', body)
    assert re.search(r'data-testid="progress-total">10<', body)
    assert 'hx-trigger="every 1s"' in body
    assert 'width: 40%' in body
    assert 'hx-trigger="every 1s"' in client.get(f"/reviews/cycles/{cycle.pk}/").content.decode()
    Cycle.objects.filter(pk=cycle.pk).update(status=CycleStatus.ACTIVE, launch_done=10)
    done = client.get(f"/reviews/cycles/{cycle.pk}/progress/", HTTP_HX_REQUEST="true")
    assert done["HX-Refresh"] == "true"
    assert "hx-trigger" not in done.content.decode()


def test_after_launch_only_some_settings_change(world, client_as, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    build_reviews(world)
    cycle = launch(world, make_cycle(world), django_capture_on_commit_callbacks)
    client = client_as("hr")
    assert client.get(f"/reviews/cycles/{cycle.pk}/edit/").status_code == 200
    moved = {**_form(world, name="2026 Q1 改名", deadline_published="2026-05-05"),
             "name": "2026 Q1 改名", "population": "departments"}
    assert client.post(f"/reviews/cycles/{cycle.pk}/edit/", moved).status_code == 302
    cycle.refresh_from_db()
    assert cycle.name == "2026 Q1 改名"
    assert cycle.phases.get(phase="published").deadline == date(2026, 5, 5)
    refused = client.post(f"/reviews/cycles/{cycle.pk}/edit/", {**moved, "kind": "year"}, **EN)
    assert refused.status_code == 400
    assert 'data-field-error="kind"' in refused.content.decode()
    cycle.refresh_from_db()
    assert cycle.kind == "quarter"


def test_hr_closes_a_finished_cycle(world, client_as, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    build_reviews(world)
    cycle = launch(world, make_cycle(world), django_capture_on_commit_callbacks)
    client = client_as("hr")
    assert client.post(f"/reviews/cycles/{cycle.pk}/close/").status_code == 302
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.ACTIVE  # reviews are open: refused with a message
    Review.objects.filter(cycle=cycle).update(state=ReviewState.CLOSED)
    assert client.post(f"/reviews/cycles/{cycle.pk}/close/").status_code == 302
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.CLOSED


def test_cycle_page_query_count_does_not_grow_with_reviews(world, client_as,
                                                           django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    build_reviews(world)
    cycle = launch(world, make_cycle(world, departments=("LINE2",)), django_capture_on_commit_callbacks)
    template = Review.objects.filter(cycle=cycle).first().template_version  # type: ignore[union-attr]
    client = client_as("hr")

    def count() -> int:
        client.get(f"/reviews/cycles/{cycle.pk}/")
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/reviews/cycles/{cycle.pk}/")
        assert response.status_code == 200
        return len(queries)

    small = count()
    line2 = world.depts["LINE2"]
    for d in range(6):
        department = Department.objects.create(company=world.company, code=f"L2-{d}", name=f"二线{d}班", parent=line2)
        Department.objects.filter(pk=department.pk).update(path=f"{line2.path}{department.pk}/", depth=line2.depth + 1)
        for i in range(4):
            person = Employee.objects.create(number=f"Q{d}{i:02d}", name=f"班员{d}{i}", company=world.company,
                                             department=department, hire_date=date(2024, 1, 1))
            Review.objects.create(cycle=cycle, employee=person, department=department, template_version=template,
                                  state=ReviewState.SELF_REVIEW if i % 2 else ReviewState.RATING_360)
    assert count() == small
    body = client.get(f"/reviews/cycles/{cycle.pk}/").content.decode()
    assert _cells(_row(body, 'data-testid="counts-total"'))[-1] == "26"


def test_reminder_rules_are_written_one_per_line(world, client_as) -> None:  # type: ignore[no-untyped-def]
    build_reviews(world)
    client = client_as("hr")
    rules = "before 3 person\noverdue 1 person,manager\n\noverdue 4 hr"
    assert client.post("/reviews/cycles/new/", _form(world, reminders=rules)).status_code == 302
    cycle = Cycle.objects.get(name="2026 Q1 页面创建")
    assert cycle.reminder_rules == [
        {"id": "before-3", "when": "before", "days": 3, "to": ["person"]},  # the default ladder's id for the same rule
        {"id": "overdue-1-person-manager", "when": "overdue", "days": 1, "to": ["person", "manager"]},
        {"id": "overdue-4-hr", "when": "overdue", "days": 4, "to": ["hr"]}]
    edit = client.get(f"/reviews/cycles/{cycle.pk}/edit/").content.decode()
    assert "overdue 1 person,manager" in edit
    bad = client.post("/reviews/cycles/new/", _form(world, name="另一个", reminders="before 3 person\nlater 2 boss"),
                      **EN)
    assert bad.status_code == 400
    assert "Line 2 is not a rule" in bad.content.decode()
    same = client.post("/reviews/cycles/new/", _form(world, name="重复", reminders="before 3 person\nbefore 3 person"),
                       **EN)
    assert same.status_code == 400  # the service refuses two rules saying the same thing
    assert not Cycle.objects.filter(name__in=["另一个", "重复"]).exists()
