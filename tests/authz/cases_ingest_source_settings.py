"""Authorization cases for setting sources up (ingestion/views/source_settings.py). HR admins and system
admins manage every source, the HR BP (of QA) the QA-owned one; readers of ingestion who do not manage a
source get 403 on its settings, anyone else 404. Creating a source: HR admins, system admins and HR BPs
open the form; others get 404."""

from __future__ import annotations

from typing import Any

from tests.authz.cases_ingest_pages import MANAGE_ALL, MANAGE_QA, _redirecting, _source
from tests.authz.matrix import Case
from tests.world import World

CREATORS = {"hr": 200, "admin": 200, "hrbp": 200}


def _url(code: str, action: str) -> Any:
    return lambda w: f"/data/sources/{_source(w, code).code}/{action}/"


def _new_source(w: World) -> dict[str, str]:
    _source(w, "mes")
    return {"code": "new_push", "name": "New push source", "kind": "push", "fresh_hours": "26", "enabled": "on",
            "owner_department": str(w.depts["QA"].pk)}


CASES = [
    Case("source new (form)", "ingestion:source-new", lambda w: "/data/new-source/", expect=CREATORS),
    Case("source new (create)", "ingestion:source-new", lambda w: "/data/new-source/", method="POST",
         data=_new_source, writes=True, expect={"hr": 302, "admin": 302, "hrbp": 302}),
    Case("source settings (mes)", "ingestion:source-edit", _url("mes", "settings"), expect=MANAGE_ALL),
    Case("source settings (qa)", "ingestion:source-edit", _url("qa_lab", "settings"), expect=MANAGE_QA),
    Case("source test (qa)", "ingestion:source-test", _url("qa_lab", "test"), method="POST", data=lambda w: {},
         expect=MANAGE_QA),
    Case("source pull (mes)", "ingestion:source-pull", _url("mes", "pull"), method="POST", data=lambda w: {},
         writes=True, expect=_redirecting(MANAGE_ALL)),
    Case("source key (qa)", "ingestion:source-key", _url("qa_lab", "keys"), method="POST", data=lambda w: {},
         writes=True, expect=MANAGE_QA),
]
