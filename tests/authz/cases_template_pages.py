"""Authorization cases for the review-template pages (indicators/views/template_pages.py).

Everyone signed in reads the templates except a plain employee, who reads only published templates that apply
to them: none of the shipped ones in the test world (404), but the "line 1 operators" template made here for
position OP. HR admins change every template; the HR BP (of QA) changes QA-owned ones and may duplicate any
template they see into a QA unit; the others read only (403 on the editing pages and actions).
"""

from __future__ import annotations

from typing import Any

from tests.authz.matrix import Case
from tests.world import World, ensure_library

SIGNED_IN = ("employee", "manager", "head", "hrbp", "hr", "exec", "admin")
READERS_ONLY = {"manager": 403, "head": 403, "exec": 403, "admin": 403}
ALL_READ = {role: 200 for role in SIGNED_IN}
SHIPPED_READ = {**ALL_READ, "employee": 404}
# A shipped (company-wide) template: only the HR admin changes it.
SHIPPED_EDIT = {"hr": 302, "employee": 404, "hrbp": 403, **READERS_ONLY}
SHIPPED_EDIT_PAGE = {"hr": 200, "employee": 404, "hrbp": 403, **READERS_ONLY}
# A QA-owned draft template: the HR admin and the QA HR BP change it; the employee does not see a draft.
QA_EDIT = {"hr": 302, "hrbp": 302, "employee": 404, **READERS_ONLY}
QA_EDIT_PAGE = {"hr": 200, "hrbp": 200, "employee": 404, **READERS_ONLY}
CREATORS_ONLY = {"employee": 403, **READERS_ONLY}

QA_CODE = "qa_inspectors"
FOR_EMPLOYEE = "line1_operators"


def _definition(first: str = "30", second: str = "70", positions: tuple[str, ...] = ("OP",)) -> dict[str, Any]:
    from tests.indicators.definitions import two_sections

    return {**two_sections(first, second), "applies_to": {"job_families": [], "positions": list(positions),
                                                          "levels": []}}


def _fields(definition: dict[str, Any], **extra: Any) -> dict[str, Any]:
    from fairmark.indicators.views.template_editor import fields_from_definition

    return {**fields_from_definition(definition), **extra}


def _shipped(w: World) -> str:
    ensure_library()
    return "production_operator"


def _qa_template(w: World) -> str:
    """A QA-owned template with a draft (version 1, never published), made once while the URL is built."""
    from fairmark.core.access import SYSTEM
    from fairmark.indicators.models import Template
    from fairmark.indicators.services.templates import template_create

    ensure_library()
    if not Template.objects.filter(code=QA_CODE).exists():
        template_create(actor=SYSTEM, code=QA_CODE, data=_definition(positions=("QE",)),
                        owner_department=w.depts["QA"])
    return QA_CODE


def _for_employee(w: World) -> str:
    """A published template that applies to the employee (position OP)."""
    from fairmark.core.access import SYSTEM
    from fairmark.indicators.models import Template
    from fairmark.indicators.services.templates import template_create

    ensure_library()
    if not Template.objects.filter(code=FOR_EMPLOYEE).exists():
        template_create(actor=SYSTEM, code=FOR_EMPLOYEE, data=_definition(), publish_now=True)
    return FOR_EMPLOYEE


def _shipped_with_draft(w: World) -> str:
    """The shipped production-operator template with an open draft (version 2), for publish and discard."""
    from fairmark.core.access import SYSTEM
    from fairmark.indicators.models import Template, VersionStatus
    from fairmark.indicators.services.templates import template_save

    code = _shipped(w)
    template = Template.objects.select_related("head").get(code=code)
    assert template.head is not None
    if template.head.status != VersionStatus.DRAFT:
        template_save(actor=SYSTEM, template=template, data=_definition("40", "60", positions=()))
    return code


def _url(code_of, suffix: str = ""):  # type: ignore[no-untyped-def]
    return lambda w: f"/indicators/templates/{code_of(w)}/{suffix}"


def _library_url(path: str):  # type: ignore[no-untyped-def]
    def make(w: World) -> str:
        ensure_library()
        return path

    return make


def _new(w: World) -> dict[str, Any]:
    """A new template owned by QA, which both the HR admin and the QA HR BP may create."""
    ensure_library()
    return _fields(_definition(), code="authz_new", owner_department=str(w.depts["QA"].pk))


def _edit_shipped(w: World) -> dict[str, Any]:
    ensure_library()
    return _fields(_definition("40", "60"), base_version="1", owner_department="")


def _edit_qa(w: World) -> dict[str, Any]:
    return _fields(_definition("50", "50", positions=("QE",)), base_version="1",
                   owner_department=str(w.depts["QA"].pk))


def _duplicate(w: World) -> dict[str, str]:
    return {"code": "authz_copy", "name_zh": "复制的方案", "name_en": "", "owner_department": str(w.depts["QA"].pk)}


def _check(w: World) -> dict[str, Any]:
    ensure_library()
    return _fields(_definition("30", "69.99"), code="authz_check")


def _editor(w: World) -> dict[str, Any]:
    return {**_check(w), "editor_action": "add-section"}


CASES = [
    # The list: everyone signed in (an employee sees the templates that apply to them, here none).
    Case("template_page list", "indicators:templates", _library_url("/indicators/templates/"), expect=ALL_READ),
    Case("template_page list, filtered", "indicators:templates",
         _library_url("/indicators/templates/?q=operator&period=month&status=published"), expect=ALL_READ),
    # A template's page, a version, the preview
    Case("template_page shipped template", "indicators:template", _url(_shipped), expect=SHIPPED_READ),
    Case("template_page a template for the employee", "indicators:template", _url(_for_employee), expect=ALL_READ),
    Case("template_page QA draft template", "indicators:template", _url(_qa_template),
         expect={**ALL_READ, "employee": 404}),
    Case("template_page no such template", "indicators:template",
         _library_url("/indicators/templates/no_such_template/")),
    Case("template_page version 1", "indicators:template_version", _url(_shipped, "versions/1/"), expect=SHIPPED_READ),
    Case("template_page version of the employee's", "indicators:template_version",
         _url(_for_employee, "versions/1/"), expect=ALL_READ),
    Case("template_page draft version", "indicators:template_version", _url(_shipped_with_draft, "versions/2/"),
         expect=SHIPPED_READ),
    Case("template_page no such version", "indicators:template_version", _url(_shipped, "versions/9/")),
    Case("template_page preview", "indicators:template_preview", _url(_shipped, "preview/"), expect=SHIPPED_READ),
    Case("template_page preview for the employee", "indicators:template_preview", _url(_for_employee, "preview/"),
         expect=ALL_READ),
    Case("template_page preview of a version", "indicators:template_preview",
         lambda w: _url(_shipped_with_draft, "preview/")(w) + "?version=1", expect=SHIPPED_READ),
    # The editor
    Case("template_page new", "indicators:template_new", _library_url("/indicators/templates/new/"),
         expect={"hr": 200, "hrbp": 200, **CREATORS_ONLY}),
    Case("template_page create", "indicators:template_new", _library_url("/indicators/templates/new/"),
         method="POST", data=_new, writes=True, expect={"hr": 302, "hrbp": 302, **CREATORS_ONLY}),
    Case("template_page edit page, shipped", "indicators:template_edit", _url(_shipped, "edit/"),
         expect=SHIPPED_EDIT_PAGE),
    Case("template_page edit page, QA", "indicators:template_edit", _url(_qa_template, "edit/"), expect=QA_EDIT_PAGE),
    Case("template_page edit, shipped", "indicators:template_edit", _url(_shipped, "edit/"), method="POST",
         data=_edit_shipped, writes=True, expect=SHIPPED_EDIT),
    Case("template_page edit, QA", "indicators:template_edit", _url(_qa_template, "edit/"), method="POST",
         data=_edit_qa, writes=True, expect=QA_EDIT),
    Case("template_page edit, no such template", "indicators:template_edit",
         _library_url("/indicators/templates/no_such_template/edit/"), method="POST", data=_edit_shipped,
         writes=True),
    Case("template_page live check", "indicators:template_check", _library_url("/indicators/templates/check/"),
         method="POST", data=_check, expect={"hr": 200, "hrbp": 200, **CREATORS_ONLY}),
    Case("template_page editor add section", "indicators:template_editor",
         _library_url("/indicators/templates/editor/"), method="POST", data=_editor,
         expect={"hr": 200, "hrbp": 200, **CREATORS_ONLY}),
    # Life-cycle actions
    Case("template_page publish, shipped draft", "indicators:template_publish", _url(_shipped_with_draft, "publish/"),
         method="POST", writes=True, expect=SHIPPED_EDIT),
    Case("template_page publish, QA draft", "indicators:template_publish", _url(_qa_template, "publish/"),
         method="POST", writes=True, expect=QA_EDIT),
    Case("template_page publish, no such template", "indicators:template_publish",
         _library_url("/indicators/templates/no_such_template/publish/"), method="POST", writes=True),
    Case("template_page discard, shipped draft", "indicators:template_discard", _url(_shipped_with_draft, "discard/"),
         method="POST", writes=True, expect=SHIPPED_EDIT),
    Case("template_page archive, shipped", "indicators:template_archive", _url(_shipped, "archive/"), method="POST",
         data=lambda w: {"archived": "1"}, writes=True, expect=SHIPPED_EDIT),
    Case("template_page archive, QA", "indicators:template_archive", _url(_qa_template, "archive/"), method="POST",
         data=lambda w: {"archived": "1"}, writes=True, expect=QA_EDIT),
    Case("template_page restore, employee's", "indicators:template_archive", _url(_for_employee, "archive/"),
         method="POST", data=lambda w: {"archived": "0"}, writes=True,
         expect={"hr": 302, "hrbp": 403, "employee": 403, **READERS_ONLY}),
    # Duplicate: any HR admin or HR BP, from a template they see, into a unit they own.
    Case("template_page duplicate page", "indicators:template_duplicate", _url(_shipped, "duplicate/"),
         expect={"hr": 200, "hrbp": 200, "employee": 404, **READERS_ONLY}),
    Case("template_page duplicate", "indicators:template_duplicate", _url(_shipped, "duplicate/"), method="POST",
         data=_duplicate, writes=True, expect={"hr": 302, "hrbp": 302, "employee": 404, **READERS_ONLY}),
    Case("template_page duplicate the employee's", "indicators:template_duplicate", _url(_for_employee, "duplicate/"),
         method="POST", data=_duplicate, writes=True, expect={"hr": 302, "hrbp": 302, "employee": 403, **READERS_ONLY}),
    Case("template_page duplicate, no such template", "indicators:template_duplicate",
         _library_url("/indicators/templates/no_such_template/duplicate/"), method="POST", data=_duplicate,
         writes=True),
]
