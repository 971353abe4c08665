"""Authorization cases for the Excel/CSV upload pages. The rule: uploading is managing a source, so

- the list and the upload form (`ingestion:uploads`) are for those who may manage sources (HR admins, system
  admins and HR BPs); other signed-in roles get 403, as for the template import: the page shows no object, so
  there is nothing to hide. An HR BP gets the page with the uploads and sources of their units only; posting a
  source outside them is refused by the form (400, "not one of the choices"), nothing is stored;
- an upload (`ingestion:upload` and its mapping, commit and discard) is found among the uploads of the sources
  the viewer manages, else 404: the "mes" source has no owning unit, so only HR admins and system admins reach
  its uploads; an upload of a source owned by QA is also reached by the HR BP of QA."""

from __future__ import annotations

import itertools
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.authz.matrix import Case
from tests.world import World

MANAGERS = ("hr", "admin")
NOT_MANAGERS = ("employee", "manager", "head", "exec")
_NAMES = itertools.count()


def _mes(world: World) -> Any:
    from fairmark.ingestion.models import Source

    found = Source.objects.filter(code="mes").first()
    if found is None:
        from tests.ingestion.support import build_mes

        found = build_mes(world).source
    return found


def _qa_source(world: World) -> Any:
    from fairmark.core.access import SYSTEM
    from fairmark.ingestion.models import Source, SourceKind
    from fairmark.ingestion.services.sources import source_create

    found = Source.objects.filter(code="qa_spc").first()
    if found is None:
        mes = _mes(world)
        found = source_create(actor=SYSTEM, code="qa_spc", name="QA SPC", kind=SourceKind.UPLOAD,
                              metrics=list(mes.metrics.all()), owner_department=world.depts["QA"])
    return found


def _workbook() -> bytes:
    from tests.ingestion.test_uploading import operator_workbook

    return operator_workbook()


def _upload_of(source_of: Any, suffix: str = "") -> Any:
    """The URL of a fresh draft upload of the source (`suffix`: one of its actions)."""

    def build(world: World) -> str:
        from fairmark.ingestion.services.uploading import upload_create

        upload = upload_create(actor=world.user("hr"), source=source_of(world), file_name=f"产量{next(_NAMES)}.xlsx",
                               data=_workbook())
        return f"/data/uploads/{upload.pk}/{suffix}"

    return build


def _file(world: World) -> dict[str, Any]:
    return {"source": _mes(world).pk, "file": SimpleUploadedFile("产量日报.xlsx", _workbook()), "sheet": ""}


def _mapping(world: World) -> dict[str, Any]:
    return {"subject": "工号", "subject_type": "constant:employee", "period": "日期", "wide_output": "产量(件)"}


def _list(w: World) -> str:
    _mes(w)
    return "/data/uploads/"


QA_MANAGERS = {**{r: 200 for r in MANAGERS}, "hrbp": 200}

CASES = [
    Case("ingest_uploads list", "ingestion:uploads", _list,
         expect={**{r: 200 for r in (*MANAGERS, "hrbp")}, **{r: 403 for r in NOT_MANAGERS}}),
    Case("ingest_uploads upload a file", "ingestion:uploads", _list, method="POST", data=_file, writes=True,
         expect={**{r: 302 for r in MANAGERS}, "hrbp": 400, **{r: 403 for r in NOT_MANAGERS}}),
    Case("ingest_uploads mapping page", "ingestion:upload", _upload_of(_mes), expect={r: 200 for r in MANAGERS}),
    Case("ingest_uploads mapping page of a QA source", "ingestion:upload", _upload_of(_qa_source),
         expect=QA_MANAGERS),
    Case("ingest_uploads mapping page of no upload", "ingestion:upload", lambda w: "/data/uploads/999999/"),
    Case("ingest_uploads change the mapping", "ingestion:upload-map", _upload_of(_mes, "mapping/"), method="POST",
         data=_mapping, writes=True, expect={r: 302 for r in MANAGERS}),
    Case("ingest_uploads change the mapping of a QA source", "ingestion:upload-map",
         _upload_of(_qa_source, "mapping/"), method="POST", data=_mapping, writes=True,
         expect={r: 302 for r in (*MANAGERS, "hrbp")}),
    Case("ingest_uploads commit", "ingestion:upload-commit", _upload_of(_mes, "commit/"), method="POST",
         writes=True, expect={r: 302 for r in MANAGERS}),
    Case("ingest_uploads commit of a QA source", "ingestion:upload-commit", _upload_of(_qa_source, "commit/"),
         method="POST", writes=True, expect={r: 302 for r in (*MANAGERS, "hrbp")}),
    Case("ingest_uploads discard", "ingestion:upload-discard", _upload_of(_mes, "discard/"), method="POST",
         writes=True, expect={r: 302 for r in MANAGERS}),
    Case("ingest_uploads commit by GET", "ingestion:upload-commit", _upload_of(_mes, "commit/"), default=405),
]
