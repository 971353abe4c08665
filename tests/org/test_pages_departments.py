"""The department editor pages through the test client: add, edit and move a department. Each write goes
through services.departments (path and depth kept right, audited, scope re-checked); a refused write
shows its errors on the form with status 400, or is a 404 when it would leave the HR BP's units, and
changes nothing."""

from __future__ import annotations

import re

from django.conf import settings
from django.test import Client

from fairmark.audit.models import AuditEvent
from fairmark.org.models import Department
from fairmark.org.services.departments import department_create
from tests.world import World, db_fingerprint

NEW = "/org/departments/new/"


def _en(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _url(department: Department, suffix: str) -> str:
    return f"/org/departments/{department.pk}/{suffix}"


def _new(code: str, parent: Department | None, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {"code": code, "name": "来料检验", "name_en": "Incoming inspection",
                               "parent": parent.pk if parent else "", "head": "", "cost_centre": ""}
    data.update(changes)
    return data


def _edit(department: Department, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {"name": department.name, "name_en": department.name_en,
                               "head": department.head.number if department.head else "",
                               "cost_centre": department.cost_centre}
    if department.active:
        data["active"] = "on"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _options(page: str) -> list[str]:
    """The values offered by the parent select."""
    return re.findall(r'<option value="(\d*)"', page.split('name="parent"')[1].split("</select>")[0])


def _field_errors(page: str, field: str) -> list[str]:
    return re.findall(rf'data-field-error="{field}">([^<]*)<', page)


def _sub(world: World, code: str, parent: Department) -> Department:
    return department_create(actor=world.users["hr"], company=world.company, code=code, name=code, parent=parent)


# --- add -------------------------------------------------------------------------------------------


def test_add_under_a_parent(world, client_as) -> None:  # type: ignore[no-untyped-def]
    client = _en(client_as("hr"))
    qa = world.depts["QA"]
    page = client.get(f"{NEW}?parent={qa.pk}").content.decode()
    assert re.search(rf'<option value="{qa.pk}" selected>', page)  # the parent is preselected
    assert "" in _options(page)  # HR admins may add a top-level department

    response = client.post(f"{NEW}?parent={qa.pk}", _new("IQC", qa, head="E0009", cost_centre="CC-QA"))
    assert response.status_code == 302
    assert response["Location"] == "/org/departments/"
    iqc = Department.objects.get(code="IQC")
    assert (iqc.parent, iqc.company, iqc.head, iqc.cost_centre) == (qa, qa.company, world.people["qa_engineer"],
                                                                    "CC-QA")
    assert iqc.path == f"{qa.path}{iqc.pk}/"
    assert iqc.depth == qa.depth + 1
    event = AuditEvent.objects.get(action="department.create", object_id=str(iqc.pk))
    assert (event.actor_id, event.scope) == (world.users["hr"].pk, iqc.path)
    page = client.get(response["Location"]).content.decode()
    assert "The department Incoming inspection is added." in page


def test_hr_admin_adds_a_top_level_department(world, client_as) -> None:  # type: ignore[no-untyped-def]
    response = client_as("hr").post(NEW, _new("BRANCH", None))
    assert response.status_code == 302
    branch = Department.objects.get(code="BRANCH")
    assert (branch.parent, branch.path, branch.depth, branch.company) == (None, f"/{branch.pk}/", 0, world.company)


def test_add_errors_are_shown_on_the_form(world, client_as) -> None:  # type: ignore[no-untyped-def]
    client = _en(client_as("hr"))
    before = db_fingerprint()
    response = client.post(NEW, _new("QA", world.depts["QA"]))  # the code is taken: the service refuses
    assert response.status_code == 400
    page = response.content.decode()
    assert _field_errors(page, "code") == ["Already used."]
    assert "A department with this code exists." in page
    response = client.post(NEW, _new("IQC", world.depts["QA"], head="E9999"))
    assert response.status_code == 400
    assert _field_errors(response.content.decode(), "head") == ["Unknown employee number."]
    assert db_fingerprint() == before


def test_hr_bp_adds_only_inside_their_units(world, client_as) -> None:  # type: ignore[no-untyped-def]
    client = _en(client_as("hrbp"))
    qa, prod = world.depts["QA"], world.depts["PROD"]
    # Only quality is offered, and no top level.
    assert _options(client.get(NEW).content.decode()) == [str(qa.pk)]
    assert client.get(f"{NEW}?parent={prod.pk}").status_code == 403
    assert client.get(f"{NEW}?parent=987654").status_code == 404

    before = db_fingerprint()
    assert client.post(NEW, _new("LINE3", prod)).status_code == 404
    assert client.post(NEW, _new("BRANCH", None)).status_code == 404
    assert db_fingerprint() == before

    assert client.post(NEW, _new("IQC", qa)).status_code == 302
    assert Department.objects.get(code="IQC").parent == qa


def test_add_is_for_those_who_may_edit(world, client_as) -> None:  # type: ignore[no-untyped-def]
    employee = client_as("employee")
    assert employee.get(NEW).status_code == 403
    assert employee.post(NEW, _new("IQC", world.depts["QA"])).status_code == 403
    assert not Department.objects.filter(code="IQC").exists()


# --- the tree ---------------------------------------------------------------------------------------


def test_tree_shows_the_links_where_the_viewer_may_edit(world, client_as) -> None:  # type: ignore[no-untyped-def]
    iqc = _sub(world, "IQC", world.depts["QA"])
    edit_links = re.compile(r'data-testid="department-edit-(\d+)"')
    hr = client_as("hr").get("/org/departments/").content.decode()
    assert 'data-testid="department-add"' in hr
    assert set(edit_links.findall(hr)) == {str(pk) for pk in Department.objects.values_list("pk", flat=True)}
    hrbp = client_as("hrbp").get("/org/departments/").content.decode()
    assert 'data-testid="department-add"' in hrbp
    assert set(edit_links.findall(hrbp)) == {str(world.depts["QA"].pk), str(iqc.pk)}
    assert set(re.findall(r'data-testid="department-move-(\d+)"', hrbp)) == {str(world.depts["QA"].pk), str(iqc.pk)}
    for role in ("employee", "head", "exec"):
        page = client_as(role).get("/org/departments/").content.decode()
        assert 'data-testid="department-add"' not in page
        assert not edit_links.findall(page)


# --- edit ------------------------------------------------------------------------------------------


def test_edit_saves_through_the_service(world, client_as) -> None:  # type: ignore[no-untyped-def]
    client = _en(client_as("hrbp"))
    qa = world.depts["QA"]
    response = client.post(_url(qa, "edit/"), _edit(qa, name_en="Quality assurance", head="E0009", cost_centre="Q1"))
    assert response.status_code == 302
    qa.refresh_from_db()
    assert (qa.name_en, qa.head, qa.cost_centre) == ("Quality assurance", world.people["qa_engineer"], "Q1")
    event = AuditEvent.objects.get(action="department.update", object_id=str(qa.pk))
    assert event.before == {"name_en": "Quality", "head_id": world.people["qa_head"].pk, "cost_centre": ""}
    assert "The changes to Quality assurance are saved." in client.get(response["Location"]).content.decode()

    before = db_fingerprint()
    response = client.post(_url(qa, "edit/"), _edit(qa), follow=True)
    assert "Nothing was changed." in response.content.decode()
    assert db_fingerprint() == before


def test_deactivating_a_department_with_people_is_refused(world, client_as) -> None:  # type: ignore[no-untyped-def]
    client = _en(client_as("hr"))
    line1 = world.depts["LINE1"]
    before = db_fingerprint()
    response = client.post(_url(line1, "edit/"), _edit(line1, name="一线改名", active=None))
    assert response.status_code == 400
    page = response.content.decode()
    assert "The department still has employees; move them first." in page
    assert 'value="一线改名"' in page  # what the user typed is kept in the form
    assert 'data-testid="edit-title">Edit: Cell line 1' in page  # the header shows what is stored
    assert db_fingerprint() == before

    # An empty department can be deactivated, and the tree says so.
    iqc = _sub(world, "IQC", world.depts["QA"])
    assert client.post(_url(iqc, "edit/"), _edit(iqc, active=None)).status_code == 302
    iqc.refresh_from_db()
    assert iqc.active is False
    assert 'data-testid="inactive"' in client.get("/org/departments/").content.decode()


# --- move ------------------------------------------------------------------------------------------


def test_move_repaths_the_subtree(world, client_as) -> None:  # type: ignore[no-untyped-def]
    client = _en(client_as("hr"))
    qa, prod = world.depts["QA"], world.depts["PROD"]
    iqc = _sub(world, "IQC", qa)
    bench = _sub(world, "BENCH", iqc)
    response = client.post(_url(iqc, "move/"), {"parent": prod.pk})
    assert response.status_code == 302
    iqc.refresh_from_db()
    bench.refresh_from_db()
    assert (iqc.parent, iqc.path, iqc.depth) == (prod, f"{prod.path}{iqc.pk}/", prod.depth + 1)
    assert (bench.path, bench.depth) == (f"{prod.path}{iqc.pk}/{bench.pk}/", prod.depth + 2)
    event = AuditEvent.objects.get(action="department.move", object_id=str(iqc.pk))
    assert event.before["parent_id"] == qa.pk
    assert event.after["parent_id"] == prod.pk
    assert "is moved, with its sub-departments." in client.get(response["Location"]).content.decode()


def test_move_under_its_own_child_is_a_form_error(world, client_as) -> None:  # type: ignore[no-untyped-def]
    client = _en(client_as("hr"))
    qa = world.depts["QA"]
    iqc = _sub(world, "IQC", qa)
    # The page does not offer the department itself nor its subtree.
    options = _options(client.get(_url(qa, "move/")).content.decode())
    assert str(qa.pk) not in options
    assert str(iqc.pk) not in options
    assert str(world.depts["PROD"].pk) in options

    before = db_fingerprint()
    response = client.post(_url(qa, "move/"), {"parent": iqc.pk})
    assert response.status_code == 400
    page = response.content.decode()
    assert _field_errors(page, "parent") == ["Creates a loop."]
    assert "A department cannot be moved under itself." in page
    # Moving to where it already is changes nothing either.
    response = client.post(_url(qa, "move/"), {"parent": qa.parent_id})
    assert response.status_code == 400
    assert "Nothing would change" in response.content.decode()
    assert db_fingerprint() == before


def test_hr_bp_cannot_move_a_unit_out_of_their_units(world, client_as) -> None:  # type: ignore[no-untyped-def]
    client = _en(client_as("hrbp"))
    qa = world.depts["QA"]
    iqc = _sub(world, "IQC", qa)
    oqc = _sub(world, "OQC", qa)
    # Only the rest of quality is offered, no top level.
    assert _options(client.get(_url(iqc, "move/")).content.decode()) == [str(qa.pk), str(oqc.pk)]
    # Outside quality the department is seen but not changed.
    line2 = world.depts["LINE2"]
    assert client.get(_url(line2, "move/")).status_code == 403
    assert client.post(_url(line2, "move/"), {"parent": qa.pk}).status_code == 403

    before = db_fingerprint()
    assert client.post(_url(iqc, "move/"), {"parent": world.depts["PROD"].pk}).status_code == 404
    assert client.post(_url(iqc, "move/"), {"parent": ""}).status_code == 404
    assert db_fingerprint() == before

    assert client.post(_url(iqc, "move/"), {"parent": oqc.pk}).status_code == 302
    iqc.refresh_from_db()
    assert iqc.path == f"{oqc.path}{iqc.pk}/"
