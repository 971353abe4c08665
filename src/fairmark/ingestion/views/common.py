"""What the data-quality pages share: the reader's language for the sentences the pure modules word (row
errors, gaps, connector errors), values and raw rows as they are shown, who sent a batch, and the short names
of the reasons a row is rejected for (the filters and the "rejected by reason" table)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from fairmark.core.access import viewer_for

from ..models import Batch, Conflict, MetricValue, QuarantinedRow
from ..numbers import tidy_text
from ..quality.messages import MESSAGES, normalise_language, render
from ..rows.messages import render_rejection
from ..selectors import HEAVY_BATCH_FIELDS, reads_ingestion


class ReadersOnly:
    """For the lists: whoever reads no ingestion gets 404, as for any of their objects, rather than an empty
    page that would tell them the page exists."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and not reads_ingestion(viewer_for(request.user)):
            raise Http404
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]




def light(prefix: str) -> list[str]:
    """The heavy batch fields under `prefix` ("batch", "stored__batch"), for `.defer(*light("batch"))`."""
    return [f"{prefix}__{name}" for name in HEAVY_BATCH_FIELDS]


def language() -> str:
    return normalise_language(get_language() or "zh-hans")


def plain(value: Decimal | None, text: str = "") -> str:
    """A stored value as it reads: NUMERIC keeps ten places, 96.5000000000 is shown 96.5; a text value as is."""
    return text if value is None else tidy_text(value) or ""


def value_text(value: MetricValue) -> str:
    return plain(value.value, value.text_value)


def incoming_text(conflict: Conflict) -> str:
    return plain(conflict.incoming_value, conflict.incoming_text)


def pretty_json(data: Any) -> str:
    """A raw row as sent, indented, Chinese left readable."""
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False, default=str)


def compact_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, default=str)


def reason(row: QuarantinedRow) -> str:
    return render_rejection(row.code, row.field, row.params, language())


def sent_by(batch: Batch) -> str:
    """The user who sent the batch, or the API key by its prefix (a key's secret is never shown)."""
    if batch.token_id is not None and batch.token is not None:
        return f"{batch.token.name} ({batch.token.prefix}…)"
    if batch.received_by is not None:
        return batch.received_by.get_username()
    return str(_("system"))


def warning_text(warning: dict[str, Any]) -> str:
    """A batch's warning (code + params) in the reader's language."""
    code = str(warning.get("code", ""))
    if code == "conflict_already_open":
        return gettext("Row %(row)s (“%(row_key)s”) disagrees again with the stored value %(stored)s: %(incoming)s "
                       "is already waiting for review.") % {
            "row": warning.get("row"), "row_key": warning.get("row_key"), "stored": warning.get("stored"),
            "incoming": warning.get("incoming")}
    if code in MESSAGES:
        return render(MESSAGES, code, warning.get("params") or warning, language())
    return code


def run_error(code: str, params: dict[str, Any]) -> str:
    """A failed run's error in the reader's language, from the connectors' table; the bare code where that
    table is not installed."""
    if not code:
        return ""
    try:
        from ..connectors.messages import word
    except ImportError:  # the connectors ship on their own; a run's code stays readable without them
        return code
    return word(code, params or {}, language())


# The reasons a row is rejected for, named briefly (the full sentence, with the row's values, comes from
# rows.messages). Codes not listed are shown as they are.
REASON_LABELS: dict[str, Any] = {
    "not_an_object": _("Not an object"),
    "unreadable_row": _("Unreadable row"),
    "missing_field": _("Missing field"),
    "wrong_type": _("Wrong type"),
    "value_too_long": _("Too long"),
    "duplicate_row_key_in_batch": _("Row key repeated in the batch"),
    "unknown_metric": _("Unknown metric"),
    "metric_not_allowed": _("Metric not allowed for the source"),
    "unknown_subject": _("Unknown subject"),
    "subject_type_not_allowed": _("Subject type not allowed"),
    "not_a_number": _("Not a number"),
    "not_an_integer": _("Not a whole number"),
    "number_too_large": _("Number too large"),
    "too_many_decimals": _("Too many decimal places"),
    "out_of_range": _("Out of range"),
    "wrong_unit": _("Wrong unit"),
    "wrong_grain": _("Wrong period grain"),
    "bad_period": _("Invalid period"),
    "bad_timestamp": _("Invalid timestamp"),
}


def reason_label(code: str) -> str:
    label = REASON_LABELS.get(code)
    return str(label) if label is not None else code
