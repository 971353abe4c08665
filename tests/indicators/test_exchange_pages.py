"""The Excel pages of templates: export a template, import one (preview, problems, confirmation)."""

from __future__ import annotations

import copy
import io
import re
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fairmark.indicators.exchange import read_template, write_template
from fairmark.indicators.models import Template, TemplateVersion, VersionStatus
from tests.indicators.definitions import two_sections

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("library")]

IMPORT = "/indicators/template-import/"


def definition(first: str = "30", second: str = "70", code: str = "line1_operator") -> dict[str, Any]:
    return {"code": code, **two_sections(first, second), "note": ""}


def upload(data: bytes, name: str = "template.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def payload_of(html: str) -> str:
    match = re.search(r'name="payload" value="([^"]+)"', html)
    assert match, "no confirm form"
    return match.group(1)


# --- export ---------------------------------------------------------------------------------------------------


def test_export_downloads_a_workbook_that_reads_back(client_as) -> None:  # type: ignore[no-untyped-def]
    response = client_as("manager").get("/indicators/templates/production_operator/export.xlsx",
                                        HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="production_operator-v1.xlsx"' in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[:2] == ["Template", "Items"]
    helper = [row[-1].value for row in book["Items"].iter_rows(min_row=2) if row[5].value == "yield_rate"]
    assert helper == ["Yield"]
    exported, problems = read_template(response.content)
    assert problems == []
    published = Template.objects.get(code="production_operator").published
    assert published is not None
    assert exported["sections"][0]["items"][1] == {"kind": "indicator", "indicator": "yield_rate", "weight": "25"}
    assert exported["name_zh"] == published.name_zh


def test_export_in_chinese_and_of_a_chosen_version(client_as) -> None:  # type: ignore[no-untyped-def]
    client = client_as("hr")
    zh = client.get("/indicators/templates/production_operator/export.xlsx?version=1")
    assert zh.status_code == 200
    assert openpyxl.load_workbook(io.BytesIO(zh.content)).sheetnames[:2] == ["方案", "考核项"]
    assert client.get("/indicators/templates/production_operator/export.xlsx?version=7").status_code == 404
    assert client.get("/indicators/templates/production_operator/export.xlsx?version=x").status_code == 404
    assert client.get("/indicators/templates/nothing_here/export.xlsx").status_code == 404


def test_an_employee_cannot_export_a_template_that_does_not_apply(client_as) -> None:  # type: ignore[no-untyped-def]
    assert client_as("employee").get("/indicators/templates/production_operator/export.xlsx").status_code == 404


def test_an_editor_exports_the_draft(world, client_as) -> None:  # type: ignore[no-untyped-def]
    from fairmark.indicators.services.templates import template_save

    template = Template.objects.get(code="production_operator")
    data = {key: value for key, value in read_template(
        client_as("hr").get("/indicators/templates/production_operator/export.xlsx").content)[0].items()
        if key != "code"}
    data["name_zh"] = "生产操作工（新版）"
    template_save(actor=world.users["hr"], template=template, data=data)
    hr = client_as("hr").get("/indicators/templates/production_operator/export.xlsx")
    assert 'filename="production_operator-v2.xlsx"' in hr["Content-Disposition"]
    assert read_template(hr.content)[0]["name_zh"] == "生产操作工（新版）"
    manager = client_as("manager").get("/indicators/templates/production_operator/export.xlsx")
    assert 'filename="production_operator-v1.xlsx"' in manager["Content-Disposition"]


def test_every_installed_template_round_trips_through_excel() -> None:
    from fairmark.indicators.services.templates import definition_of

    for template in Template.objects.select_related("head"):
        assert template.head is not None
        expected = definition_of(template.head)
        for section in expected["sections"]:
            for item in section["items"]:
                item.pop("indicator_version", None)
        for language in ("zh-hans", "en"):
            assert read_template(write_template(definition_of(template.head), language)) == (expected, []), template.code


# --- import ---------------------------------------------------------------------------------------------------


def test_the_import_page_and_example(client_as) -> None:  # type: ignore[no-untyped-def]
    client = client_as("hrbp")
    page = client.get(IMPORT)
    assert page.status_code == 200
    html = page.content.decode()
    assert "/indicators/template-import/example.xlsx" in html
    assert "<script>" not in html  # CSP: no inline scripts
    example = client.get("/indicators/template-import/example.xlsx")
    assert example.status_code == 200
    read, problems = read_template(example.content)
    assert problems == []
    assert read["code"] == "my_template"


def test_a_preview_shows_weight_errors_and_saves_nothing(client_as) -> None:  # type: ignore[no-untyped-def]
    before = Template.objects.count()
    response = client_as("hr").post(IMPORT, {"file": upload(write_template(definition("30", "69.99"), "en"))},
                                    HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert "The weights add up to 99.99 %, not 100 %" in html
    assert "<td class=\"text-nowrap\">Section weight (%)</td>" in html
    assert 'name="payload"' not in html  # no confirmation for a file with problems
    assert "Nothing was saved" in html
    assert Template.objects.count() == before


def test_item_problems_point_at_their_row_and_are_worded_by_path(client_as) -> None:  # type: ignore[no-untyped-def]
    broken = definition()
    broken["sections"][0]["items"][1]["indicator"] = "no_such_indicator"
    book = openpyxl.load_workbook(io.BytesIO(write_template(broken, "en")))
    book["Items"]["I2"] = "abc"  # the weight of the first item
    buffer = io.BytesIO()
    book.save(buffer)
    response = client_as("hr").post(IMPORT, {"file": upload(buffer.getvalue())}, HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert "“abc” is not a number" in html
    assert "section 1, item 2, indicator" in html
    rows = re.findall(r"<tr data-code=\"[^\"]*\">\s*<td[^>]*>([^<]*)</td>\s*<td[^>]*>([^<]*)</td>\s*<td[^>]*>([^<]*)</td>",
                      html)
    assert ("Items", "2", "Weight (%)") in rows
    assert ("Items", "3", "Indicator code") in rows


def test_a_file_that_is_not_a_workbook(client_as) -> None:  # type: ignore[no-untyped-def]
    response = client_as("hr").post(IMPORT, {"file": upload(b"not a workbook", "x.xlsx")}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "The file could not be read" in response.content.decode()
    assert 'name="payload"' not in response.content.decode()


def test_a_good_file_creates_the_template_on_confirmation(client_as) -> None:  # type: ignore[no-untyped-def]
    client = client_as("hr")
    preview = client.post(IMPORT, {"file": upload(write_template(definition(), "zh-hans"))})
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "yield_rate" in html
    assert "良品率" in html
    assert not Template.objects.filter(code="line1_operator").exists()
    confirmed = client.post(IMPORT, {"payload": payload_of(html)})
    assert confirmed.status_code == 302
    template = Template.objects.get(code="line1_operator")
    assert template.owner_department is None
    assert template.head is not None
    assert (template.head.number, template.head.status) == (1, VersionStatus.DRAFT)
    assert template.head.sections[1]["items"][0]["rater_groups"][0] == {"group": "manager", "weight": "60"}
    followed = client.get(confirmed["Location"])
    assert "line1_operator" in followed.content.decode()


def test_an_existing_code_saves_a_new_draft_version(client_as) -> None:  # type: ignore[no-untyped-def]
    client = client_as("hr")
    exported = client.get("/indicators/templates/production_operator/export.xlsx").content
    data, _problems = read_template(exported)
    data["sections"][0]["items"][0]["weight"] = "15"
    data["sections"][0]["items"][1]["weight"] = "30"
    preview = client.post(IMPORT, {"file": upload(write_template(data, "zh-hans"))}, HTTP_ACCEPT_LANGUAGE="en")
    html = preview.content.decode()
    assert "A new draft version 2 of this template is saved" in html
    assert client.post(IMPORT, {"payload": payload_of(html)}).status_code == 302
    template = Template.objects.get(code="production_operator")
    assert template.head is not None
    assert template.published is not None
    assert (template.head.number, template.head.status, template.published.number) == (2, VersionStatus.DRAFT, 1)
    assert template.head.sections[0]["items"][1]["weight"] == "30"


def test_the_commit_checks_again(client_as) -> None:  # type: ignore[no-untyped-def]
    client = client_as("hr")
    first = client.post(IMPORT, {"file": upload(write_template(definition(), "en"))})
    second = client.post(IMPORT, {"file": upload(write_template(definition(), "en"))})
    assert client.post(IMPORT, {"payload": payload_of(first.content.decode())}).status_code == 302
    # the code now exists: the second confirmation finds the template created meanwhile and refuses
    again = client.post(IMPORT, {"payload": payload_of(second.content.decode())}, HTTP_ACCEPT_LANGUAGE="en")
    assert again.status_code == 400
    assert "meanwhile" in again.content.decode()
    assert TemplateVersion.objects.filter(template__code="line1_operator").count() == 1


def test_a_forged_confirmation_is_refused(client_as) -> None:  # type: ignore[no-untyped-def]
    client = client_as("hr")
    response = client.post(IMPORT, {"payload": "eyJmaWxlIjoiIn0:forged:signature"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "The confirmation has expired or is not valid" in response.content.decode()
    assert not Template.objects.filter(code="line1_operator").exists()


def test_an_hr_bp_imports_for_their_unit_only(world, client_as) -> None:  # type: ignore[no-untyped-def]
    client = client_as("hrbp")
    no_owner = client.post(IMPORT, {"file": upload(write_template(definition(code="qa_operator"), "en"))})
    assert no_owner.status_code == 400  # the owning unit is required for an HR BP
    elsewhere = client.post(IMPORT, {"file": upload(write_template(definition(code="qa_operator"), "en")),
                                     "owner_department": world.depts["LINE1"].pk})
    assert elsewhere.status_code == 400
    shipped = copy.deepcopy(definition(code="production_operator"))
    taken = client.post(IMPORT, {"file": upload(write_template(shipped, "en")),
                                 "owner_department": world.depts["QA"].pk}, HTTP_ACCEPT_LANGUAGE="en")
    assert "you may not change it" in taken.content.decode()
    assert 'name="payload"' not in taken.content.decode()
    good = client.post(IMPORT, {"file": upload(write_template(definition(code="qa_operator"), "en")),
                                "owner_department": world.depts["QA"].pk})
    assert good.status_code == 200
    assert client.post(IMPORT, {"payload": payload_of(good.content.decode())}).status_code == 302
    template = Template.objects.get(code="qa_operator")
    assert template.owner_department == world.depts["QA"]


def test_readers_may_not_import(client_as) -> None:  # type: ignore[no-untyped-def]
    for role in ("employee", "manager", "head", "exec", "admin"):
        client = client_as(role)
        assert client.get(IMPORT).status_code == 403
        assert client.post(IMPORT, {"file": upload(write_template(definition(), "en"))}).status_code == 403
        assert client.get("/indicators/template-import/example.xlsx").status_code == 403
    assert not Template.objects.filter(code="line1_operator").exists()
