"""Authorization cases for the indicator and template API. Everyone signed in except a plain employee reads the
whole library; an employee reads only the published templates that apply to them (none of the shipped ones in
the test world, so 404). HR admins change everything; the HR BP of QA changes what QA owns. A reader writing
to an object they can see gets 403; to one they cannot, 404."""

from __future__ import annotations

from typing import Any

from tests.authz.matrix import Case
from tests.world import World, ensure_library

READERS = ("manager", "head", "hrbp", "hr", "exec", "admin")
READ_ALL = {role: 200 for role in READERS}
ALL_SIGNED_IN = {"employee": 200, **READ_ALL}
# A visible object that only HR admins may change.
HR_ONLY = {"hr": 200, "employee": 404, **{role: 403 for role in ("manager", "head", "hrbp", "exec", "admin")}}
# A visible object owned by QA: the HR BP of QA changes it too.
QA_OWNED = {**HR_ONLY, "hrbp": 200}
# Endpoints without an object: readers may not (403), HR may.
CREATE_COMPANY_WIDE = {"hr": 201, "hrbp": 400, **{role: 403 for role in ("employee", "manager", "head", "exec", "admin")}}
CREATE_FOR_QA = {"hr": 201, "hrbp": 201, **{role: 403 for role in ("employee", "manager", "head", "exec", "admin")}}
TOOLS = {"employee": 403, **READ_ALL}

YIELD: dict[str, Any] = {
    "name_zh": "品质良品率", "name_en": "QA yield", "category": "quality", "unit": "%", "direction": "higher",
    "definition_zh": "良品数 ÷ 生产总数 × 100%。", "definition_en": "Good ÷ produced × 100.",
    "aggregation": "ratio_of_sums", "formula": "sum(good_units) / sum(produced_units) * 100",
    "scoring": {"kind": "linear", "params": {"threshold": "90", "target": "95", "stretch": "98", "direction": "higher"}},
}


def _template(**extra: Any) -> dict[str, Any]:
    return {
        "name_zh": "品质方案", "name_en": "QA template", "period": "month", "missing_rule": "reweight",
        "applies_to": {"positions": ["QA-ENG"]},
        "sections": [{"key": "kpi", "name_zh": "业绩", "weight": "100",
                      "items": [{"kind": "indicator", "indicator": "yield_rate", "weight": "100"}]}],
        **extra,
    }


def _library(url: str) -> Any:
    def build(w: World) -> str:
        ensure_library()
        return url

    return build


def _qa_indicator(state: str, suffix: str = "") -> Any:
    """An indicator owned by QA: "draft" (never published), "published", or "redraft" (published, then a
    draft opened)."""

    def build(w: World) -> str:
        from fairmark.indicators.services import indicators as services

        ensure_library()
        actor = w.users["hr"]
        indicator = services.indicator_create(actor=actor, code="qa_yield", data=YIELD, owner_department=w.depts["QA"],
                                              publish_now=state != "draft")
        if state == "redraft":
            services.indicator_save(actor=actor, indicator=indicator, data={**YIELD, "note": "next"})
        return f"/api/v1/indicators/qa_yield/{suffix}"

    return build


def _qa_template(state: str, suffix: str = "") -> Any:
    def build(w: World) -> str:
        from fairmark.indicators.services import templates as services

        ensure_library()
        actor = w.users["hr"]
        template = services.template_create(actor=actor, code="qa_template", data=_template(),
                                            owner_department=w.depts["QA"], publish_now=state != "draft")
        if state == "redraft":
            services.template_save(actor=actor, template=template, data=_template(note="next"))
        return f"/api/v1/templates/qa_template/{suffix}"

    return build


def _shipped_template_definition(w: World) -> dict[str, Any]:
    from fairmark.indicators.models import Template
    from fairmark.indicators.services.templates import definition_of

    ensure_library()
    head = Template.objects.get(code="production_operator").head
    assert head is not None
    data = definition_of(head)
    data.pop("code")
    for section in data["sections"]:
        for item in section["items"]:
            item.pop("indicator_version", None)
    return data


def _try(w: World) -> dict[str, Any]:
    return {"formula": YIELD["formula"], "aggregation": "ratio_of_sums", "scoring": YIELD["scoring"],
            "samples": {"good_units": [4800, 4850], "produced_units": [5000, 5000]}}


CASES = [
    # indicators: reads
    Case("indicator_api list", "api:indicator-list", _library("/api/v1/indicators/"), api=True, expect=ALL_SIGNED_IN),
    Case("indicator_api detail, shipped", "api:indicator-detail", _library("/api/v1/indicators/yield_rate/"),
         api=True, expect=READ_ALL),
    Case("indicator_api detail, unknown", "api:indicator-detail", _library("/api/v1/indicators/no_such_code/"),
         api=True),
    Case("indicator_api versions", "api:indicator-versions", _library("/api/v1/indicators/yield_rate/versions/"),
         api=True, expect=READ_ALL),
    Case("indicator_api version", "api:indicator-version", _library("/api/v1/indicators/yield_rate/versions/1/"),
         api=True, expect=READ_ALL),
    Case("indicator_api version, unknown number", "api:indicator-version",
         _library("/api/v1/indicators/yield_rate/versions/9/"), api=True),
    Case("indicator_api versions of a draft-only indicator", "api:indicator-versions", _qa_indicator("draft", "versions/"),
         api=True, expect=READ_ALL),
    # indicators: writes
    Case("indicator_api create company-wide", "api:indicator-list", _library("/api/v1/indicators/"), method="POST",
         api=True, writes=True, data=lambda w: {"code": "new_yield", "owner_department": None, **YIELD},
         expect=CREATE_COMPANY_WIDE),
    Case("indicator_api create for QA", "api:indicator-list", _library("/api/v1/indicators/"), method="POST",
         api=True, writes=True, data=lambda w: {"code": "new_yield", "owner_department": "QA", **YIELD},
         expect=CREATE_FOR_QA),
    Case("indicator_api save shipped", "api:indicator-detail", _library("/api/v1/indicators/yield_rate/"),
         method="PUT", api=True, writes=True, data=lambda w: {**YIELD, "base_version": 1}, expect=HR_ONLY),
    Case("indicator_api save QA-owned", "api:indicator-detail", _qa_indicator("published"), method="PUT", api=True,
         writes=True, data=lambda w: {**YIELD, "note": "v2"}, expect=QA_OWNED),
    Case("indicator_api publish QA-owned draft", "api:indicator-publish", _qa_indicator("draft", "publish/"),
         method="POST", api=True, writes=True, expect={**QA_OWNED}),
    Case("indicator_api publish shipped (no draft)", "api:indicator-publish",
         _library("/api/v1/indicators/yield_rate/publish/"), method="POST", api=True, writes=True,
         expect={**HR_ONLY, "hr": 400}),
    Case("indicator_api discard QA-owned draft", "api:indicator-discard", _qa_indicator("redraft", "discard/"),
         method="POST", api=True, writes=True, expect=QA_OWNED),
    Case("indicator_api retire shipped", "api:indicator-retire", _library("/api/v1/indicators/yield_rate/retire/"),
         method="POST", api=True, writes=True, data=lambda w: {"retired": True}, expect=HR_ONLY),
    Case("indicator_api retire QA-owned", "api:indicator-retire", _qa_indicator("published", "retire/"),
         method="POST", api=True, writes=True, data=lambda w: {"retired": True}, expect=QA_OWNED),
    # indicators: tools
    Case("indicator_api validate", "api:indicator-validate", _library("/api/v1/indicators/validate"), method="POST",
         api=True, data=lambda w: YIELD, expect=TOOLS),
    Case("indicator_api try", "api:indicator-try", _library("/api/v1/indicators/try"), method="POST", api=True,
         data=_try, expect=TOOLS),
    # templates: reads
    Case("template_api list", "api:template-list", _library("/api/v1/templates/"), api=True, expect=ALL_SIGNED_IN),
    Case("template_api detail, shipped", "api:template-detail", _library("/api/v1/templates/production_operator/"),
         api=True, expect=READ_ALL),
    Case("template_api detail, unknown", "api:template-detail", _library("/api/v1/templates/no_such_code/"), api=True),
    Case("template_api versions", "api:template-versions",
         _library("/api/v1/templates/production_operator/versions/"), api=True, expect=READ_ALL),
    Case("template_api version", "api:template-version",
         _library("/api/v1/templates/production_operator/versions/1/"), api=True, expect=READ_ALL),
    Case("template_api version, unknown number", "api:template-version",
         _library("/api/v1/templates/production_operator/versions/9/"), api=True),
    # templates: writes
    Case("template_api create company-wide", "api:template-list", _library("/api/v1/templates/"), method="POST",
         api=True, writes=True, data=lambda w: {"code": "new_template", **_template()}, expect=CREATE_COMPANY_WIDE),
    Case("template_api create for QA", "api:template-list", _library("/api/v1/templates/"), method="POST",
         api=True, writes=True, data=lambda w: {"code": "new_template", "owner_department": "QA", **_template()},
         expect=CREATE_FOR_QA),
    Case("template_api save shipped", "api:template-detail", _library("/api/v1/templates/production_operator/"),
         method="PUT", api=True, writes=True, data=_shipped_template_definition, expect=HR_ONLY),
    Case("template_api save QA-owned", "api:template-detail", _qa_template("published"), method="PUT", api=True,
         writes=True, data=lambda w: _template(note="v2"), expect=QA_OWNED),
    Case("template_api publish QA-owned draft", "api:template-publish", _qa_template("draft", "publish/"),
         method="POST", api=True, writes=True, expect=QA_OWNED),
    Case("template_api discard QA-owned draft", "api:template-discard", _qa_template("redraft", "discard/"),
         method="POST", api=True, writes=True, expect=QA_OWNED),
    Case("template_api archive shipped", "api:template-archive",
         _library("/api/v1/templates/production_operator/archive/"), method="POST", api=True, writes=True,
         data=lambda w: {"archived": True}, expect=HR_ONLY),
    Case("template_api archive QA-owned", "api:template-archive", _qa_template("published", "archive/"),
         method="POST", api=True, writes=True, data=lambda w: {"archived": True}, expect=QA_OWNED),
    Case("template_api duplicate shipped for QA", "api:template-duplicate",
         _library("/api/v1/templates/production_operator/duplicate/"), method="POST", api=True, writes=True,
         data=lambda w: {"code": "qa_copy", "owner_department": "QA"}, expect={**CREATE_FOR_QA, "employee": 404}),
    Case("template_api validate", "api:template-validate", _library("/api/v1/templates/validate"), method="POST",
         api=True, data=lambda w: _template(), expect=TOOLS),
]
