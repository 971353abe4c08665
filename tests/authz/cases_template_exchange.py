"""Authorization cases for the Excel export and import of templates. Export: anyone who may see the template
(a plain employee sees none of the shipped ones: 404). Import and its example: HR admins and HR BPs; other
signed-in roles get 403 (the page shows no object, so there is nothing to hide)."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.authz.matrix import Case
from tests.world import World, ensure_library

READERS = ("manager", "head", "hrbp", "hr", "exec", "admin")
IMPORTERS = ("hrbp", "hr")
NOT_IMPORTERS = ("employee", "manager", "head", "exec", "admin")


def _library(url: str) -> Any:
    def build(w: World) -> str:
        ensure_library()
        return url

    return build


def _definition() -> dict[str, Any]:
    return {
        "code": "qa_imported", "name_zh": "品质方案", "name_en": "QA template", "period": "month",
        "missing_rule": "reweight", "applies_to": {"job_families": [], "positions": ["QA-ENG"], "levels": []},
        "sections": [{"key": "kpi", "name_zh": "业绩", "name_en": "", "weight": "100",
                      "items": [{"kind": "indicator", "indicator": "yield_rate", "weight": "100"}]}],
        "note": "",
    }


def _upload(w: World) -> dict[str, Any]:
    from fairmark.indicators.exchange import write_template

    data = write_template(_definition(), "en")
    return {"file": SimpleUploadedFile("qa.xlsx", data), "owner_department": w.depts["QA"].pk}


def _confirmation(w: World) -> dict[str, Any]:
    """The signed confirmation the preview hands out (the bytes of the file and the owning unit)."""
    from fairmark.indicators.exchange import write_template
    from fairmark.indicators.views.exchange import _payload

    return {"payload": _payload(write_template(_definition(), "en"), "qa.xlsx", w.depts["QA"], None)}


CASES = [
    Case("template_exchange export", "indicators:template_export",
         _library("/indicators/templates/production_operator/export.xlsx"), expect={r: 200 for r in READERS}),
    Case("template_exchange export of a version", "indicators:template_export",
         _library("/indicators/templates/production_operator/export.xlsx?version=1"),
         expect={r: 200 for r in READERS}),
    Case("template_exchange export of an unknown version", "indicators:template_export",
         _library("/indicators/templates/production_operator/export.xlsx?version=9")),
    Case("template_exchange export of an unknown template", "indicators:template_export",
         _library("/indicators/templates/no_such_template/export.xlsx")),
    Case("template_exchange import page", "indicators:template_import", _library("/indicators/template-import/"),
         expect={**{r: 200 for r in IMPORTERS}, **{r: 403 for r in NOT_IMPORTERS}}),
    Case("template_exchange import preview", "indicators:template_import", _library("/indicators/template-import/"),
         method="POST", data=_upload, expect={**{r: 200 for r in IMPORTERS}, **{r: 403 for r in NOT_IMPORTERS}}),
    Case("template_exchange import confirmation", "indicators:template_import",
         _library("/indicators/template-import/"), method="POST", data=_confirmation, writes=True,
         expect={**{r: 302 for r in IMPORTERS}, **{r: 403 for r in NOT_IMPORTERS}}),
    Case("template_exchange import example", "indicators:template_import_example",
         _library("/indicators/template-import/example.xlsx"),
         expect={**{r: 200 for r in IMPORTERS}, **{r: 403 for r in NOT_IMPORTERS}}),
]
