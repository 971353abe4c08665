"""Correct and replay ticked quarantined rows: one form per row with the eight fields of a row, prefilled with
what was sent. Replaying sends the corrected rows through the same validation as any batch
(services.corrections.replay_quarantined, as a batch of its own); each row then shows what became of it:
accepted, unchanged, held as a conflict, or still rejected with its reason next to the field.

The list's "Correct and replay" button posts the ticked ids here (a POST without `replay` only shows the
forms), and a link can open the same forms with `?ids=`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views import View

from fairmark.core.access import viewer_for
from fairmark.core.errors import OutOfScope, ServiceError
from fairmark.core.scoping import ScopedQueryMixin

from ..forms import CorrectionForm, ids_in
from ..models import QuarantinedRow, QuarantineStatus
from ..selectors import (
    quarantine_managed_by,
    quarantine_visible_to,
    reads_ingestion,
    sources_managed_by,
    values_visible_to,
)
from ..services.corrections import replay_quarantined
from ..services.outcome import Outcome
from .common import compact_json, language, light, reason, reason_label

TEMPLATE = "ingestion/quarantine_correct.html"


def chosen_rows(user: Any, ids: list[int]) -> list[QuarantinedRow]:
    """The ticked rows in id order: 404 when one is out of the viewer's sight (or the viewer reads no
    ingestion), 403 when the viewer does not manage the source of every one."""
    if not reads_ingestion(viewer_for(user)):
        raise Http404
    rows = list(quarantine_visible_to(user).filter(pk__in=ids).defer(*light("batch")).order_by("pk"))
    if len(rows) != len(ids):
        raise Http404
    if not sources_managed_by(user).exists() or quarantine_managed_by(user).filter(pk__in=ids).count() != len(ids):
        raise PermissionDenied
    return rows


def _entry(row: QuarantinedRow, form: CorrectionForm | None) -> dict[str, Any]:
    return {"row": row, "reason": reason(row), "label": reason_label(row.code), "raw": compact_json(row.raw),
            "form": form if row.status == QuarantineStatus.OPEN else None, "outcome": None}


def _page(request: HttpRequest, entries: list[dict[str, Any]], status: int = 200, **extra: Any) -> HttpResponse:
    replayable = any(entry["form"] is not None for entry in entries)
    return render(request, TEMPLATE, {"entries": entries, "replayable": replayable, **extra}, status=status)


def _form(row: QuarantinedRow, data: Any = None) -> CorrectionForm:
    if data is not None:
        return CorrectionForm(data, prefix=str(row.pk))
    return CorrectionForm(prefix=str(row.pk), initial=CorrectionForm.initial_from(row.raw))


class QuarantineCorrectView(LoginRequiredMixin, ScopedQueryMixin, View):
    selector = quarantine_visible_to

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._show(request, ids_in(request.GET))

    def post(self, request: HttpRequest) -> HttpResponse:
        if "replay" not in request.POST:
            return self._show(request, ids_in(request.POST))
        rows = chosen_rows(request.user, ids_in(request.POST))
        entries = [_entry(row, _form(row, request.POST)) for row in rows]
        to_replay = [entry for entry in entries if entry["form"] is not None]
        if not to_replay:
            return self._nothing_open(request)
        if not all(entry["form"].is_valid() for entry in to_replay):
            return _page(request, entries, 400)
        try:
            outcome = replay_quarantined(actor=request.user, corrections={
                entry["row"].pk: entry["form"].row() for entry in to_replay})
        except OutOfScope as error:
            raise Http404 from error
        except ServiceError as error:
            return _page(request, entries, 400, error=error.message)
        self._report(request.user, outcome, to_replay)
        return _page(request, entries, outcome=outcome)

    def _show(self, request: HttpRequest, ids: list[int]) -> HttpResponse:
        rows = chosen_rows(request.user, ids)
        if not any(row.status == QuarantineStatus.OPEN for row in rows):
            return self._nothing_open(request)
        return _page(request, [_entry(row, _form(row)) for row in rows])

    @staticmethod
    def _nothing_open(request: HttpRequest) -> HttpResponse:
        messages.info(request, _("Tick the open rows to correct first."))
        return redirect("ingestion:quarantine")

    @staticmethod
    def _report(user: Any, outcome: Outcome, replayed: list[dict[str, Any]]) -> None:
        """What became of each replayed row. The outcome numbers rows by their position in the replayed batch,
        which holds the rows in id order (services.corrections), as `replayed` does."""
        rejected = {problem.index: problem for problem in outcome.rejected}
        conflicts = {conflict.index: conflict for conflict in outcome.conflicts}
        unchanged = set(outcome.unchanged)
        value_ids = dict(values_visible_to(user).filter(batch=outcome.batch).values_list("row_index", "pk"))
        for index, entry in enumerate(replayed):
            form = entry["form"]
            if index in rejected:
                problem = rejected[index]
                message = problem.message(language())
                form.add_error(problem.field if problem.field in form.fields else None, message)
                entry["outcome"] = {"status": "rejected", "message": message}
                continue
            entry["form"] = None  # the row is replayed: nothing more to correct
            if index in conflicts:
                entry["outcome"] = {"status": "conflict", "conflict": conflicts[index].conflict_id}
            elif form.cleaned_data["row_key"] in unchanged:
                entry["outcome"] = {"status": "unchanged"}
            else:
                entry["outcome"] = {"status": "accepted", "value": value_ids.get(index)}


urlpatterns: list[URLPattern] = [
    path("quarantine/correct/", QuarantineCorrectView.as_view(), name="quarantine-correct"),
]
