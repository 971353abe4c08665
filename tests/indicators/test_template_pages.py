"""The review-template pages: list, definition, editor (create, edit, live check, structure edits), preview,
publish / discard / archive, duplicate; who may do what, and query counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fairmark.core.access import SYSTEM
from fairmark.indicators.models import Template, TemplateVersion, VersionStatus
from fairmark.indicators.services import templates as template_services
from fairmark.indicators.views import template_editor as editor
from tests.indicators.definitions import two_sections

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("library")]


@pytest.fixture
def client_as(client_as, settings):  # type: ignore[no-untyped-def]
    """The assertions below read the English texts: clients ask for English unless told otherwise."""

    def make(role: str, language: str = "en"):  # type: ignore[no-untyped-def]
        client = client_as(role)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        return client

    return make

LIST = "/indicators/templates/"
NEW = "/indicators/templates/new/"
CHECK = "/indicators/templates/check/"
EDITOR = "/indicators/templates/editor/"


def page(code: str, suffix: str = "") -> str:
    return f"/indicators/templates/{code}/{suffix}"


def form(definition: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {**editor.fields_from_definition(definition), **extra}


def text(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode()


def publish_for_employee(code: str = "line1_operators") -> Template:
    """A template that applies to the test world's employee (position OP), published by the HR admin."""
    template = template_services.template_create(actor=SYSTEM, code=code, data=two_sections(), publish_now=True)
    assert template.published is not None
    return template


# --- list -----------------------------------------------------------------------------------------------------


def test_the_list_shows_every_template_with_its_weighted_sections(client_as) -> None:  # type: ignore[no-untyped-def]
    response = client_as("hr").get(LIST)
    assert response.status_code == 200
    body = text(response)
    assert body.count("data-template=") == 10
    assert "Performance KPIs 70 · Competencies and values 30" in body  # section names in the reader's language
    assert 'data-testid="template-new"' in body
    assert "PRD · 涂布操作工, 卷绕操作工, 电芯装配操作工 +3 · P1, P2, P3" in body
    assert "v1 published" in body


def test_the_list_filters(client_as) -> None:  # type: ignore[no-untyped-def]
    client = client_as("manager")
    assert text(client.get(LIST, {"q": "quality"})).count("data-template=") == 1
    assert text(client.get(LIST, {"q": "生产操作"})).count("data-template=") == 1
    quarterly = Template.objects.filter(head__period="quarter").count()
    assert 0 < quarterly < 10
    assert text(client.get(LIST, {"period": "quarter"})).count("data-template=") == quarterly
    assert text(client.get(LIST, {"status": "published"})).count("data-template=") == 10
    assert text(client.get(LIST, {"status": "draft"})).count("data-template=") == 0
    operator = Template.objects.get(code="production_operator")
    template_services.template_save(actor=SYSTEM, template=operator, data=two_sections())
    template_services.template_archive(actor=SYSTEM, template=Template.objects.get(code="sales"))
    drafts = text(client.get(LIST, {"status": "draft"}))
    assert drafts.count("data-template=") == 1
    assert 'data-template="production_operator"' in drafts
    assert "v1 published · v2 draft" in drafts
    archived = text(client.get(LIST, {"status": "archived"}))
    assert archived.count("data-template=") == 1
    assert 'data-template="sales"' in archived
    # htmx asks for the rows only
    rows = client.get(LIST, {"q": "sales"}, headers={"HX-Request": "true"})
    assert "<html" not in text(rows)
    assert 'data-template="sales"' in text(rows)
    # readers get no creation buttons
    assert 'data-testid="template-new"' not in text(client.get(LIST))


def test_an_employee_sees_only_published_templates_that_apply_to_them(client_as) -> None:  # type: ignore[no-untyped-def]
    employee = client_as("employee")
    assert text(employee.get(LIST)).count("data-template=") == 0
    assert employee.get(page("production_operator")).status_code == 404
    assert employee.get(page("production_operator", "preview/")).status_code == 404
    # A draft that would apply is not theirs to see yet.
    template_services.template_create(actor=SYSTEM, code="draft_for_op", data=two_sections())
    assert employee.get(page("draft_for_op")).status_code == 404
    # The HR admin creates and publishes one for position OP through the editor: now the employee sees it.
    created = client_as("hr").post(NEW, form(two_sections(), code="line1_operators", owner_department="", publish="1"))
    assert created.status_code == 302
    body = text(employee.get(LIST))
    assert body.count("data-template=") == 1
    assert 'data-template="line1_operators"' in body
    detail = employee.get(page("line1_operators"))
    assert detail.status_code == 200
    assert 'data-testid="edit-link"' not in text(detail)
    assert 'data-testid="duplicate-link"' not in text(detail)
    assert employee.get(page("line1_operators", "preview/")).status_code == 200
    # The manager reads them all, drafts included.
    assert text(client_as("manager").get(LIST)).count("data-template=") == 12


def test_the_list_and_the_template_page_run_a_flat_number_of_queries(client_as) -> None:  # type: ignore[no-untyped-def]
    def count(client, url: str) -> int:  # type: ignore[no-untyped-def]
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        return len(ctx.captured_queries)

    source = Template.objects.get(code="production_operator").head
    assert source is not None
    for role in ("hr", "manager"):
        client = client_as(role)
        few = count(client, LIST)
        for n in range(8):
            template = Template.objects.create(code=f"{role}_extra_{n}")
            version = TemplateVersion.objects.create(
                template=template, number=1, name_zh=f"方案{n}", period="month", missing_rule="reweight",
                applies_to=source.applies_to, sections=source.sections)
            Template.objects.filter(pk=template.pk).update(head=version)
        many = count(client, LIST)
        assert many == few, f"{role}: {few} queries for a few rows, {many} for many"
    # The definition page loads every indicator of the template in one query.
    client = client_as("hr")
    operator = count(client, page("production_operator"))
    publish_for_employee("small")
    assert count(client, page("small")) == operator


def test_the_import_and_export_links_appear_only_when_their_pages_exist(client_as) -> None:  # type: ignore[no-untyped-def]
    from django.urls import NoReverseMatch, reverse

    for name, url, args in (("indicators:template_import", LIST, ()),
                            ("indicators:template_export", page("production_operator"), ("production_operator",))):
        body = text(client_as("hr").get(url))
        try:
            target = reverse(name, args=args)
        except NoReverseMatch:
            assert "template-import" not in body
            assert "export-link" not in body
        else:
            assert target in body


# --- the definition page --------------------------------------------------------------------------------------


def test_the_template_page_shows_the_definition_and_actions(client_as) -> None:  # type: ignore[no-untyped-def]
    body = text(client_as("hr").get(page("production_operator")))
    assert "生产操作工" in body
    assert "Production operator" in body
    assert "涂布操作工" in body
    assert "P1, P2, P3" in body
    assert 'data-item="yield_rate"' in body
    assert "· v1" in body
    assert "70 %" in body
    assert "30 %" in body
    assert "60 %" in body  # the manager's rater weight
    assert "± up to 5 points, reason required" in body
    for action in ("edit-link", "archive", "duplicate-link", "preview-link"):
        assert f'data-testid="{action}"' in body
    assert 'data-testid="publish"' not in body  # nothing to publish
    reader = text(client_as("manager").get(page("production_operator")))
    assert 'data-testid="edit-link"' not in reader
    assert 'data-testid="archive"' not in reader
    assert 'data-testid="preview-link"' in reader
    assert client_as("hr").get(page("no_such_template")).status_code == 404


def test_a_version_page(client_as) -> None:  # type: ignore[no-untyped-def]
    operator = Template.objects.get(code="production_operator")
    template_services.template_save(actor=SYSTEM, template=operator, data=two_sections())
    client = client_as("manager")
    first = client.get(page("production_operator", "versions/1/"))
    assert first.status_code == 200
    assert 'data-item="audit_5s"' in text(first)
    second = text(client.get(page("production_operator", "versions/2/")))
    assert 'data-item="audit_5s"' not in second
    assert 'data-item="output"' in second
    assert client.get(page("production_operator", "versions/3/")).status_code == 404


# --- preview --------------------------------------------------------------------------------------------------


def test_the_preview_shows_the_form_as_the_employee_will_see_it(client_as, settings) -> None:  # type: ignore[no-untyped-def]
    client = client_as("manager")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = text(client.get(page("production_operator", "preview/")))
    assert "70 % of the total" in body
    assert "30 % of the total" in body
    # teamwork's anchored scale, as disabled radio buttons, and who rates it
    assert "Steps in without being asked" in body
    assert body.count('type="radio"') >= 15
    assert "Manager 60 %" in body
    assert "Threshold" in body
    assert "Target" in body
    assert "± up to 5 points, reason required" in body
    assert "Veto if the value is ≥ 1: the grade becomes D" in body
    chinese = text(client_as("manager", "zh-hans").get(page("production_operator", "preview/")))
    assert "主动补位" in chinese  # the anchor in the reader's language
    rd = text(client.get(page("rd_engineer", "preview/")))
    assert 'data-testid="okr-block"' in rd


def test_the_preview_of_another_version(client_as) -> None:  # type: ignore[no-untyped-def]
    operator = Template.objects.get(code="production_operator")
    template_services.template_save(actor=SYSTEM, template=operator, data=two_sections("40", "60"))
    client = client_as("hr")
    newest = text(client.get(page("production_operator", "preview/")))
    assert "40 %" in newest
    assert 'data-item="audit_5s"' not in newest
    first = text(client.get(page("production_operator", "preview/"), {"version": "1"}))
    assert 'data-item="audit_5s"' in first
    assert client.get(page("production_operator", "preview/"), {"version": "9"}).status_code == 404
    assert client.get(page("production_operator", "preview/"), {"version": "x"}).status_code == 404


# --- the editor: create ---------------------------------------------------------------------------------------


def test_build_a_two_section_template_get_the_weight_error_fix_it_and_save(client_as) -> None:  # type: ignore[no-untyped-def]
    client = client_as("hr")
    blank = client.get(NEW)
    assert blank.status_code == 200
    assert 'name="s-0-weight"' in text(blank)
    assert 'name="s-1-weight"' not in text(blank)
    # add a section (htmx), without saving anything
    added = client.post(EDITOR, {**form(two_sections()), "editor_action": "add-section"})
    assert added.status_code == 200
    assert 'name="s-2-weight"' in text(added)
    wrong = form(two_sections("30", "69.99"), code="line1_ops", owner_department="")
    # the live check says so as the user types
    checked = text(client.post(CHECK, wrong))
    assert "Sections: 99.99 % — must be 100 %" in checked
    assert "99.99" in checked
    assert 'hx-swap-oob="true"' in checked
    # saving is refused, with the message, and nothing is saved
    refused = client.post(NEW, wrong)
    assert refused.status_code == 400
    assert "99.99" in text(refused)
    assert 'data-field-error="sections"' in text(refused)
    assert not Template.objects.filter(code="line1_ops").exists()
    # fixed: saved as a draft
    response = client.post(NEW, {**wrong, "s-1-weight": "70"})
    assert response.status_code == 302
    assert response["Location"] == page("line1_ops")
    template = Template.objects.get(code="line1_ops")
    assert template.head is not None
    assert template.head.status == VersionStatus.DRAFT
    assert template.published is None
    assert template.owner_department is None
    assert template.head.sections[1]["weight"] == "70"
    assert template.head.applies_to["positions"] == ["OP"]
    assert "Sections: 100 % ✓" in text(client.post(CHECK, {**wrong, "s-1-weight": "70", "code": "other_code"}))


def english(client):  # type: ignore[no-untyped-def]
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_item_errors_are_shown_next_to_their_item(client_as) -> None:  # type: ignore[no-untyped-def]
    definition = two_sections()
    definition["sections"][0]["items"][1]["weight"] = "39"
    definition["sections"][1]["items"][0]["indicator"] = "yield_rate"  # not a rated indicator
    response = client_as("hr").post(NEW, form(definition, code="bad_items", owner_department=""))
    assert response.status_code == 400
    body = text(response)
    assert 'id="err-s-0-items"' in body
    assert "99" in body
    assert 'data-field-error="s-1-i-0-indicator"' in body
    assert "This indicator is computed from data" in text(english(client_as("hr")).post(NEW, form(definition, code="bad_items")))
    # The live check puts the same messages in the same slots, out of band.
    checked = text(client_as("hr").post(CHECK, form(definition, code="bad_items")))
    assert '<div id="err-s-1-i-0-indicator" class="invalid-feedback d-block" data-field-error="s-1-i-0-indicator" hx-swap-oob="true"><div>' in checked


def test_save_and_publish_pins_the_indicator_versions(client_as) -> None:  # type: ignore[no-untyped-def]
    response = client_as("hr").post(NEW, form(two_sections(), code="published_now", owner_department="", publish="1"))
    assert response.status_code == 302
    template = Template.objects.select_related("published").get(code="published_now")
    assert template.published is not None
    assert template.published.status == VersionStatus.PUBLISHED
    items = [item for section in template.published.sections for item in section["items"]]
    assert all(item["indicator_version"] == 1 for item in items)


def test_structure_edits_work_without_javascript_and_save_nothing(client_as) -> None:  # type: ignore[no-untyped-def]
    client = client_as("hr")
    data = form(two_sections(), code="no_js", owner_department="")
    response = client.post(NEW, {**data, "editor_action": "remove-item-0-1"})
    assert response.status_code == 200
    body = text(response)
    assert 'name="s-0-i-1-kind"' not in body
    assert 'name="s-1-i-0-kind"' in body
    assert "Items: 60 % — must be 100 %" in body
    response = client.post(NEW, {**data, "editor_action": "add-item-1"})
    assert 'name="s-1-i-1-kind"' in text(response)
    assert not Template.objects.filter(code="no_js").exists()
    # the kind changed: the item shows the fields of its new kind
    refreshed = text(client.post(EDITOR, {**data, "s-1-i-0-kind": "adjustment", "editor_action": "refresh"}))
    assert 'name="s-1-i-0-cap"' in refreshed
    assert 'name="s-1-i-0-g-manager"' not in refreshed


def test_an_hr_bp_saves_only_with_one_of_their_units_as_owner(world, client_as) -> None:  # type: ignore[no-untyped-def]
    client = client_as("hrbp")
    new_page = text(client.get(NEW))
    assert f'value="{world.depts["QA"].pk}"' in new_page
    assert f'value="{world.depts["LINE1"].pk}"' not in new_page
    assert "Company-wide" not in new_page
    for owner in (world.depts["LINE1"].pk, ""):
        refused = client.post(NEW, form(two_sections(), code="qa_template", owner_department=owner))
        assert refused.status_code == 400
        assert 'data-field-error="owner_department"' in text(refused)
        assert not Template.objects.filter(code="qa_template").exists()
    saved = client.post(NEW, form(two_sections(), code="qa_template", owner_department=world.depts["QA"].pk))
    assert saved.status_code == 302
    assert Template.objects.get(code="qa_template").owner_department == world.depts["QA"]
    # and may edit it, but not the company-wide shipped templates
    assert client.get(page("qa_template", "edit/")).status_code == 200
    assert client.get(page("production_operator", "edit/")).status_code == 403


# --- the editor: edit -----------------------------------------------------------------------------------------


def test_editing_a_published_template_opens_the_next_version_as_a_draft(client_as) -> None:  # type: ignore[no-untyped-def]
    client = client_as("hr")
    edit = client.get(page("production_operator", "edit/"))
    assert edit.status_code == 200
    body = text(edit)
    assert "Saving opens version 2 as a draft" in body
    assert 'name="base_version" value="1"' in body
    assert 'name="code"' not in body
    assert 'value="yield_rate" selected' in body
    data = {**editor.fields_from_definition(template_services.definition_of(
        Template.objects.get(code="production_operator").head)), "base_version": "1", "owner_department": ""}  # type: ignore[arg-type]
    data["s-0-i-0-weight"], data["s-0-i-1-weight"] = "25", "20"
    response = client.post(page("production_operator", "edit/"), data)
    assert response.status_code == 302
    assert response["Location"] == page("production_operator")
    template = Template.objects.select_related("head", "published").get(code="production_operator")
    assert template.head is not None
    assert template.published is not None
    assert (template.head.number, template.head.status) == (2, VersionStatus.DRAFT)
    assert template.published.number == 1
    assert template.head.sections[0]["items"][0] == {"kind": "indicator", "indicator": "output", "weight": "25"}
    detail = text(client.get(page("production_operator")))
    assert 'data-testid="publish"' in detail
    assert 'data-testid="discard"' in detail
    assert "Version 2 is a draft" in detail
    # The editor now opens the draft.
    assert "You are editing the draft, version 2" in text(client.get(page("production_operator", "edit/")))
    # Someone else saved meanwhile: the editor opened on version 1 is refused, clearly, and nothing changes.
    stale = client.post(page("production_operator", "edit/"), {**data, "s-0-weight": "60", "s-1-weight": "40"})
    assert stale.status_code == 409
    assert 'data-testid="conflict"' in text(stale)
    template.head.refresh_from_db()
    assert template.head.sections[0]["weight"] == "70"


def test_a_refused_edit_changes_nothing(client_as) -> None:  # type: ignore[no-untyped-def]
    client = client_as("hr")
    data = {**form(template_services.definition_of(Template.objects.get(code="quality_engineer").head)),  # type: ignore[arg-type]
            "base_version": "1", "owner_department": "", "s-0-weight": "1", "publish": "1"}
    response = client.post(page("quality_engineer", "edit/"), data)
    assert response.status_code == 400
    assert 'data-testid="form-errors"' in text(response)
    assert TemplateVersion.objects.filter(template__code="quality_engineer").count() == 1


# --- actions --------------------------------------------------------------------------------------------------


def test_publish_discard_archive_and_restore(client_as) -> None:  # type: ignore[no-untyped-def]
    client = english(client_as("hr"))
    operator = Template.objects.get(code="production_operator")
    template_services.template_save(actor=SYSTEM, template=operator, data=two_sections())
    assert client.post(page("production_operator", "publish/")).status_code == 302
    operator.refresh_from_db()
    assert operator.published is not None
    assert operator.published.number == 2
    assert operator.published.sections[0]["items"][0]["indicator_version"] == 1
    # nothing left to publish: a message, nothing changes
    response = client.post(page("production_operator", "publish/"), follow=True)
    assert "There is no draft to publish." in text(response)
    template_services.template_save(actor=SYSTEM, template=operator, data=two_sections("40", "60"))
    assert client.post(page("production_operator", "discard/")).status_code == 302
    operator.refresh_from_db()
    assert operator.head_id == operator.published_id
    assert client.post(page("production_operator", "archive/"), {"archived": "1"}).status_code == 302
    operator.refresh_from_db()
    assert operator.archived
    assert 'data-testid="archived"' in text(client.get(page("production_operator")))
    client.post(page("production_operator", "archive/"), {"archived": "0"})
    operator.refresh_from_db()
    assert not operator.archived
    assert client.get(page("production_operator", "publish/")).status_code == 405


def test_readers_may_not_edit_publish_or_duplicate(client_as) -> None:  # type: ignore[no-untyped-def]
    operator = Template.objects.get(code="production_operator")
    template_services.template_save(actor=SYSTEM, template=operator, data=two_sections())
    for role in ("manager", "exec", "admin"):
        client = client_as(role)
        assert client.get(page("production_operator", "edit/")).status_code == 403
        assert client.post(page("production_operator", "edit/"), form(two_sections())).status_code == 403
        assert client.post(page("production_operator", "publish/")).status_code == 403
        assert client.post(page("production_operator", "discard/")).status_code == 403
        assert client.post(page("production_operator", "archive/")).status_code == 403
        assert client.get(page("production_operator", "duplicate/")).status_code == 403
        assert client.post(page("production_operator", "duplicate/"), {"code": "copy"}).status_code == 403
        assert client.get(NEW).status_code == 403
        assert client.post(CHECK, form(two_sections())).status_code == 403
        assert client.post(EDITOR, form(two_sections())).status_code == 403
    operator.refresh_from_db()
    assert operator.head is not None
    assert operator.head.status == VersionStatus.DRAFT
    assert not Template.objects.filter(code="copy").exists()


# --- duplicate ------------------------------------------------------------------------------------------------


def test_duplicate_a_template_and_go_on_to_its_editor(world, client_as) -> None:  # type: ignore[no-untyped-def]
    client = client_as("hr")
    page_ = client.get(page("production_operator", "duplicate/"))
    assert page_.status_code == 200
    assert "Company-wide" in text(page_)
    response = client.post(page("production_operator", "duplicate/"),
                           {"code": "coating_operator", "name_zh": "涂布操作工（2026 版）", "name_en": "",
                            "owner_department": ""})
    assert response.status_code == 302
    assert response["Location"] == page("coating_operator", "edit/")
    copy = Template.objects.select_related("head").get(code="coating_operator")
    assert copy.head is not None
    assert copy.head.status == VersionStatus.DRAFT
    assert copy.head.number == 1
    assert copy.head.name_zh == "涂布操作工（2026 版）"
    assert all("indicator_version" not in item for section in copy.head.sections for item in section["items"])
    assert client.get(response["Location"]).status_code == 200
    # the code is taken now
    again = client.post(page("production_operator", "duplicate/"), {"code": "coating_operator", "owner_department": ""})
    assert again.status_code == 400
    # The HR BP duplicates a template they only read, into one of their units.
    hrbp = client_as("hrbp")
    assert hrbp.get(page("production_operator", "duplicate/")).status_code == 200
    outside = hrbp.post(page("production_operator", "duplicate/"),
                        {"code": "qa_copy", "owner_department": world.depts["LINE1"].pk})
    assert outside.status_code == 400
    assert not Template.objects.filter(code="qa_copy").exists()
    inside = hrbp.post(page("production_operator", "duplicate/"),
                       {"code": "qa_copy", "owner_department": world.depts["QA"].pk})
    assert inside.status_code == 302
    assert Template.objects.get(code="qa_copy").owner_department == world.depts["QA"]
