"""Authorization cases for the indicator library pages (indicators/views/indicator_pages.py).

Everyone signed in reads the library except a plain employee, who reads only the indicators of published
templates that apply to them: none of the shipped ones in the test world, so a shipped indicator's pages
are 404 for "employee" (the list is 200 and empty). HR admins change every indicator; the HR BP (of QA)
reads everything but changes only QA-owned indicators; the others read only (403 on the editing pages).
"""

from __future__ import annotations

from typing import Any

from tests.authz.matrix import Case
from tests.world import World, ensure_library

READERS_ONLY = {"manager": 403, "head": 403, "exec": 403, "admin": 403}
# A shipped (company-wide) indicator: only the HR admin edits it.
SHIPPED_EDIT = {"hr": 302, "employee": 404, "hrbp": 403, **READERS_ONLY}
SHIPPED_EDIT_PAGE = {"hr": 200, "employee": 404, "hrbp": 403, **READERS_ONLY}
# A QA-owned indicator: the HR admin and the QA HR BP edit it.
QA_EDIT = {"hr": 302, "hrbp": 302, "employee": 404, **READERS_ONLY}
QA_EDIT_PAGE = {"hr": 200, "hrbp": 200, "employee": 404, **READERS_ONLY}
CREATORS_ONLY = {"employee": 403, **READERS_ONLY}

QA_CODE = "qa_escape_rate"


def _definition(**changes: str) -> dict[str, Any]:
    data = {
        "name_zh": "漏检率", "name_en": "Escape rate", "category": "quality", "unit": "%", "direction": "lower",
        "definition_zh": "漏检数 ÷ 检验数 × 100%。", "definition_en": "Escapes ÷ inspected × 100.",
        "aggregation": "ratio_of_sums", "formula": "sum(escapes) / sum(inspected) * 100",
        "scoring": {"kind": "linear", "params": {"threshold": "2", "target": "1", "stretch": "0.5",
                                                 "direction": "lower"}},
        "data_source_hint": "QMS",
    }
    data.update(changes)
    return data


def _qa_indicator(w: World) -> str:
    """A published indicator owned by QA, made (once) while the case builds its URL."""
    from fairmark.core.access import SYSTEM
    from fairmark.indicators.models import Indicator
    from fairmark.indicators.services.indicators import indicator_create

    ensure_library()
    if not Indicator.objects.filter(code=QA_CODE).exists():
        indicator_create(actor=SYSTEM, code=QA_CODE, data=_definition(), owner_department=w.depts["QA"],
                         publish_now=True)
    return QA_CODE


def _with_draft(code_of):  # type: ignore[no-untyped-def]
    """The indicator with an open draft (version 2), for publish and discard."""

    def make(w: World) -> str:
        from fairmark.core.access import SYSTEM
        from fairmark.indicators.models import Indicator, VersionStatus
        from fairmark.indicators.services.indicators import VERSION_FIELDS, indicator_save

        code = code_of(w)
        indicator = Indicator.objects.select_related("head").get(code=code)
        assert indicator.head is not None
        if indicator.head.status != VersionStatus.DRAFT:
            data = {field: getattr(indicator.head, field) for field in VERSION_FIELDS}
            data["note"] = "调整口径"
            indicator_save(actor=SYSTEM, indicator=indicator, data=data)
        return code

    return make


def _shipped(w: World) -> str:
    ensure_library()
    return "yield_rate"


def _url(code_of, suffix: str = ""):  # type: ignore[no-untyped-def]
    return lambda w: f"/indicators/{code_of(w)}/{suffix}"


def _form(w: World, code: str | None = None, owner: str = "", **changes: str) -> dict[str, str]:
    """What the editor posts: the definition, the linear rule's fields, the owner and the button."""
    data = {
        "name_zh": "漏检率", "name_en": "Escape rate", "category": "quality", "unit": "%", "direction": "lower",
        "definition_zh": "漏检数 ÷ 检验数 × 100%。", "definition_en": "Escapes ÷ inspected × 100.",
        "aggregation": "ratio_of_sums", "formula": "sum(escapes) / sum(inspected) * 100", "data_source_hint": "QMS",
        "rule_kind": "linear", "rule_linear_threshold": "2", "rule_linear_target": "1", "rule_linear_stretch": "0.5",
        "owner_department": str(w.depts[owner].pk) if owner else "", "note": "", "action": "draft",
    }
    if code is not None:
        data["code"] = code
    data.update(changes)
    return data


def _edit_shipped(w: World) -> dict[str, str]:
    ensure_library()
    data = _form(w, name_zh="良品率", direction="higher", formula="sum(good_units) / sum(produced_units) * 100",
                 rule_linear_threshold="90", rule_linear_target="95", rule_linear_stretch="98")
    data["base_version"] = "1"
    return data


def _edit_qa(w: World) -> dict[str, str]:
    return {**_form(w, owner="QA", note="收紧目标"), "base_version": "1"}


def _try(w: World) -> dict[str, str]:
    return {"formula": "sum(good_units) / sum(produced_units) * 100", "aggregation": "ratio_of_sums",
            "direction": "higher", "rule_kind": "linear", "rule_linear_threshold": "90",
            "rule_linear_target": "95", "rule_linear_stretch": "98", "sample_good_units": "4800 4850",
            "sample_produced_units": "5000 5000"}


def _library_url(path: str):  # type: ignore[no-untyped-def]
    def make(w: World) -> str:
        ensure_library()
        return path

    return make


_draft_shipped = _with_draft(_shipped)
_draft_qa = _with_draft(_qa_indicator)


CASES = [
    # The library
    Case("indicator_page list", "indicators:list", _library_url("/indicators/"), default=200),
    Case("indicator_page list, searched and filtered", "indicators:list",
         _library_url("/indicators/?q=yield&category=quality&status=published&template=production_operator"),
         default=200),
    # Create
    Case("indicator_page new", "indicators:new", _library_url("/indicators/new/"),
         expect={"hr": 200, "hrbp": 200, **CREATORS_ONLY}),
    Case("indicator_page new, owned by QA", "indicators:new", _library_url("/indicators/new/"), method="POST",
         data=lambda w: _form(w, code="qa_new_rate", owner="QA"), writes=True,
         expect={"hr": 302, "hrbp": 302, **CREATORS_ONLY}),
    Case("indicator_page new, owned by line 1", "indicators:new", _library_url("/indicators/new/"), method="POST",
         data=lambda w: _form(w, code="line_new_rate", owner="LINE1"), writes=True,
         expect={"hr": 302, "hrbp": 400, **CREATORS_ONLY}),
    Case("indicator_page new, company-wide", "indicators:new", _library_url("/indicators/new/"), method="POST",
         data=lambda w: _form(w, code="company_new_rate"), writes=True,
         expect={"hr": 302, "hrbp": 400, **CREATORS_ONLY}),
    # Read
    Case("indicator_page detail, shipped", "indicators:detail", _url(_shipped), default=200,
         expect={"employee": 404}),
    Case("indicator_page detail, QA-owned", "indicators:detail", _url(_qa_indicator), default=200,
         expect={"employee": 404}),
    Case("indicator_page detail, no such code", "indicators:detail", _library_url("/indicators/no_such_code/")),
    Case("indicator_page version, published", "indicators:version", _url(_shipped, "versions/1/"), default=200,
         expect={"employee": 404}),
    Case("indicator_page version, draft", "indicators:version", _url(_draft_shipped, "versions/2/"), default=200,
         expect={"employee": 404}),
    Case("indicator_page version, no such number", "indicators:version", _url(_shipped, "versions/9/")),
    # Edit
    Case("indicator_page edit page, shipped", "indicators:edit", _url(_shipped, "edit/"), expect=SHIPPED_EDIT_PAGE),
    Case("indicator_page edit page, QA-owned", "indicators:edit", _url(_qa_indicator, "edit/"), expect=QA_EDIT_PAGE),
    Case("indicator_page edit, shipped", "indicators:edit", _url(_shipped, "edit/"), method="POST",
         data=_edit_shipped, writes=True, expect=SHIPPED_EDIT),
    Case("indicator_page edit, QA-owned", "indicators:edit", _url(_qa_indicator, "edit/"), method="POST",
         data=_edit_qa, writes=True, expect=QA_EDIT),
    # Publish, discard, retire
    Case("indicator_page publish, shipped", "indicators:publish", _url(_draft_shipped, "publish/"), method="POST",
         data=lambda w: {}, writes=True, expect=SHIPPED_EDIT),
    Case("indicator_page publish, QA-owned", "indicators:publish", _url(_draft_qa, "publish/"), method="POST",
         data=lambda w: {}, writes=True, expect=QA_EDIT),
    Case("indicator_page publish, GET", "indicators:publish", _url(_draft_qa, "publish/"),
         expect={"hr": 405, "hrbp": 405, "manager": 405, "head": 405, "exec": 405, "admin": 405, "employee": 405}),
    Case("indicator_page discard, shipped", "indicators:discard", _url(_draft_shipped, "discard/"), method="POST",
         data=lambda w: {}, writes=True, expect=SHIPPED_EDIT),
    Case("indicator_page discard, QA-owned", "indicators:discard", _url(_draft_qa, "discard/"), method="POST",
         data=lambda w: {}, writes=True, expect=QA_EDIT),
    Case("indicator_page retire, shipped", "indicators:retire", _url(_shipped, "retire/"), method="POST",
         data=lambda w: {"retired": "1"}, writes=True, expect=SHIPPED_EDIT),
    Case("indicator_page retire, QA-owned", "indicators:retire", _url(_qa_indicator, "retire/"), method="POST",
         data=lambda w: {"retired": "1"}, writes=True, expect=QA_EDIT),
    # The editor's helpers: check is for editors, try for everyone signed in; neither writes.
    Case("indicator_page check", "indicators:check", _library_url("/indicators/check/"), method="POST",
         data=lambda w: _form(w, code="some_new_code", owner="QA"), expect={"hr": 200, "hrbp": 200, **CREATORS_ONLY}),
    Case("indicator_page try", "indicators:try", _library_url("/indicators/try/"), method="POST", data=_try,
         default=200),
]
