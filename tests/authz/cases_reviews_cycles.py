"""Authorization cases for the review cycle pages, the team view and the rater import. Cycles are company
configuration: everyone signed in reads the list, a cycle's page and its progress (the system admin too); only
HR admins create, edit, launch, close and import raters — the others get 403 on those pages, whose refusal
changes nothing. The team view answers 200 to everyone signed in (empty for someone who manages nobody). A cycle
that does not exist is 404 for every role."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.authz.matrix import Case
from tests.world import World

READERS = ("employee", "manager", "head", "hrbp", "hr", "exec", "admin")
READ = {role: 200 for role in READERS}
NO_CYCLE = 987654


def _hr_only(status: int) -> dict[str, int]:
    return {**{role: 403 for role in READERS}, "hr": status}


def _cycle(w: World, status: str = "draft") -> Any:
    """A cycle of the world's company with two phases, put in `status` (made once per test)."""
    from fairmark.reviews.models import Cycle, CyclePhase

    found = Cycle.objects.filter(name=f"权限 {status}").first()
    if found is not None:
        return found
    cycle = Cycle.objects.create(company=w.company, name=f"权限 {status}", kind="quarter", status=status,
                                 period_start=date(2026, 1, 1), period_end=date(2026, 3, 31))
    CyclePhase.objects.bulk_create([CyclePhase(cycle=cycle, phase="self_review", deadline=date(2026, 4, 10)),
                                    CyclePhase(cycle=cycle, phase="manager_review", deadline=date(2026, 4, 20))])
    return cycle


def _form(w: World) -> dict[str, Any]:
    return {"name": "权限新周期", "kind": "quarter", "period_start": "2026-01-01", "period_end": "2026-03-31",
            "population": "company", "min_tenure_days": "60", "leavers": "exclude", "raters_min": "3",
            "raters_max": "8", "anonymity_minimum": "3", "send_at": "09:00", "phase_self_review": "on",
            "deadline_self_review": "2026-04-10"}


def _upload(w: World) -> dict[str, Any]:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["被评人工号", "评价人工号", "评价关系"])
    book.active.append(["E0004", "E0005", "peer"])
    out = io.BytesIO()
    book.save(out)
    return {"file": SimpleUploadedFile("raters.xlsx", out.getvalue())}


def _url(path: str, status: str = "draft") -> Any:
    return lambda w: f"/reviews/cycles/{_cycle(w, status).pk}/{path}"


CASES = [
    Case("reviews_cycles list", "reviews:cycles", lambda w: "/reviews/cycles/", expect=READ),
    Case("reviews_cycles new (form)", "reviews:cycle_new", lambda w: "/reviews/cycles/new/", expect=_hr_only(200)),
    Case("reviews_cycles new (create)", "reviews:cycle_new", lambda w: "/reviews/cycles/new/", method="POST",
         data=_form, expect=_hr_only(302), writes=True),
    Case("reviews_cycles page", "reviews:cycle", _url(""), expect=READ),
    Case("reviews_cycles page of a running cycle", "reviews:cycle", _url("", "active"), expect=READ),
    Case("reviews_cycles page (no such cycle)", "reviews:cycle", lambda w: f"/reviews/cycles/{NO_CYCLE}/"),
    Case("reviews_cycles edit (form)", "reviews:cycle_edit", _url("edit/"), expect=_hr_only(200)),
    Case("reviews_cycles edit (save)", "reviews:cycle_edit", _url("edit/"), method="POST", data=_form,
         expect=_hr_only(302), writes=True),
    Case("reviews_cycles edit (no such cycle)", "reviews:cycle_edit", lambda w: f"/reviews/cycles/{NO_CYCLE}/edit/"),
    Case("reviews_cycles launch", "reviews:cycle_launch", _url("launch/"), method="POST", expect=_hr_only(302),
         writes=True),
    Case("reviews_cycles launch (no such cycle)", "reviews:cycle_launch",
         lambda w: f"/reviews/cycles/{NO_CYCLE}/launch/", method="POST", writes=True),
    Case("reviews_cycles progress", "reviews:cycle_progress", _url("progress/", "launching"), expect=READ),
    Case("reviews_cycles progress (no such cycle)", "reviews:cycle_progress",
         lambda w: f"/reviews/cycles/{NO_CYCLE}/progress/"),
    Case("reviews_cycles close", "reviews:cycle_close", _url("close/", "active"), method="POST",
         expect=_hr_only(302), writes=True),
    Case("reviews_cycles close (no such cycle)", "reviews:cycle_close",
         lambda w: f"/reviews/cycles/{NO_CYCLE}/close/", method="POST", writes=True),
    Case("reviews_cycles team", "reviews:team", lambda w: "/reviews/team/", expect=READ),
    Case("reviews_cycles rater import (form)", "reviews:rater_import", _url("raters/import/", "active"),
         expect=_hr_only(200)),
    # The preview reads the file and adds nobody: not even HR's request may write.
    Case("reviews_cycles rater import (preview)", "reviews:rater_import", _url("raters/import/", "active"),
         method="POST", data=_upload, expect=_hr_only(200)),
    Case("reviews_cycles rater import (no such cycle)", "reviews:rater_import",
         lambda w: f"/reviews/cycles/{NO_CYCLE}/raters/import/"),
    Case("reviews_cycles rater template", "reviews:rater_import_template", _url("raters/template.xlsx"),
         expect=_hr_only(200)),
    Case("reviews_cycles rater template (no such cycle)", "reviews:rater_import_template",
         lambda w: f"/reviews/cycles/{NO_CYCLE}/raters/template.xlsx"),
]
