"""The forms of the upload pages (DESIGN.md C3): the upload form (a source the user manages, a file, a sheet),
and the column-mapping form, built from the file's headers and the source's metrics and read back into the
dict the upload services store (`FieldMapping.to_dict()`'s shape).

A field that can be a column or one value for every row (the subject type, the metric) is one select with two
groups of options, "column:<header>" and "constant:<code>", so the page never shows both at once."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from .mapping import MappingProblem
from .models import Metric, Source, SubjectType
from .quality.messages import normalise_language
from .selectors import sources_managed_by
from .uploads import MAX_BYTES, UploadError

COLUMN = "column:"
CONSTANT = "constant:"
WIDE = "wide_"  # the name of a metric's own column select: "wide_output"
COLUMN_FIELDS = ("subject", "period", "at", "row_key", "value", "unit")
# Constants the form does not edit, kept as they were stored (a mapping saved through the API may hold them).
KEPT_CONSTANTS = ("at", "unit")

FIELD_LABELS: dict[str, Any] = {
    "subject": _("Subject (employee number, line code…)"),
    "subject_type": _("Subject type"),
    "period": _("Period (date or month)"),
    "period_constant": _("…or one period for every row"),
    "at": _("Time"),
    "row_key": _("Row key"),
    "metric": _("Metric"),
    "value": _("Value"),
    "unit": _("Unit"),
}
# A row error names its field; in the error list the column it came from, else these names.
ROW_FIELD_LABELS: dict[str, Any] = {
    "subject": pgettext_lazy("ingestion", "Subject"), "subject_type": _("Subject type"), "period": pgettext_lazy("ingestion", "Period"), "at": _("Time"),
    "row_key": _("Row key"), "metric": _("Metric"), "value": _("Value"), "unit": _("Unit"),
}


def reader_language() -> str:
    return normalise_language(get_language() or "zh-hans")


class UploadForm(forms.Form):
    source = forms.ModelChoiceField(label=_("Source"), queryset=Source.objects.none(), empty_label=_("Choose a source"))
    file = forms.FileField(label=_("File (.xlsx or .csv)"))
    sheet = forms.CharField(label=_("Sheet"), required=False, max_length=100,
                            help_text=_("Leave empty for the first visible sheet; you can change it later."))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        source = self.fields["source"]
        assert isinstance(source, forms.ModelChoiceField)
        source.queryset = sources_managed_by(user).order_by("code")

    def has_sources(self) -> bool:
        source = self.fields["source"]
        assert isinstance(source, forms.ModelChoiceField)
        return source.queryset is not None and source.queryset.exists()

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size is not None and upload.size > MAX_BYTES:  # refused before it is read, in the reader's words
            raise forms.ValidationError(UploadError("too_large", {"max_bytes": MAX_BYTES}).message(reader_language()))
        return upload


def _columns(headers: Sequence[str], stored: Iterable[str | None]) -> list[tuple[str, str]]:
    """The file's headers, and any stored column the sheet lacks (kept selected, its problem shown beside it)."""
    choices = [(header, header) for header in headers]
    for column in stored:
        if column and column not in headers and (column, column) not in choices:
            choices.append((column, str(_("%(column)s (not in this sheet)") % {"column": column})))
    return choices


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _part(mapping: dict[str, Any], key: str) -> dict[str, Any]:
    """The stored `values` or `constants`, or {} (a mapping stored by hand may lack them)."""
    part = mapping.get(key)
    return part if isinstance(part, dict) else {}


class MappingForm(forms.Form):
    """One select per field over the file's headers; one per metric of the source for the wide layout."""

    def __init__(self, *args: Any, headers: Sequence[str], sheets: Sequence[str], sheet: str,
                 metrics: Sequence[Metric], mapping: dict[str, Any], **kwargs: Any) -> None:
        self.stored = mapping if isinstance(mapping, dict) else {}
        self.metrics = list(metrics)
        stored_values = _part(self.stored, "values")
        stored_columns = [_text(self.stored.get(name)) for name in (*COLUMN_FIELDS, "subject_type", "metric")]
        columns = _columns(headers, [*stored_columns, *(_text(v) for v in stored_values.values())])
        blank = [("", "—")]
        kwargs["initial"] = self._initial(sheet)
        super().__init__(*args, **kwargs)
        if len(sheets) > 1:
            self.fields["sheet"] = forms.ChoiceField(label=_("Sheet"), choices=[(name, name) for name in sheets])
        for name in COLUMN_FIELDS:
            self.fields[name] = forms.ChoiceField(label=FIELD_LABELS[name], required=False, choices=blank + columns)
            if name == "period":
                self.fields["period_constant"] = forms.CharField(
                    label=FIELD_LABELS["period_constant"], required=False, max_length=16,
                    help_text=_("For a sheet without a date column, e.g. 2026-11 for a month."))
        as_columns = [(COLUMN + value, label) for value, label in columns]
        self.fields["subject_type"] = forms.ChoiceField(
            label=FIELD_LABELS["subject_type"], required=False, help_text=_("Without one, subjects are employees."),
            choices=[*blank, (_("The same for every row"), [(CONSTANT + kind, label)
                                                             for kind, label in SubjectType.choices]),
                     (_("From a column"), as_columns)])
        self.fields["metric"] = forms.ChoiceField(
            label=FIELD_LABELS["metric"], required=False,
            choices=[*blank, (_("The same for every row"), [(CONSTANT + m.code, f"{m.code} · {m.display_name}")
                                                             for m in self.metrics]),
                     (_("From a column"), as_columns)])
        for metric in self.metrics:
            self.fields[WIDE + metric.code] = forms.ChoiceField(
                label=f"{metric.display_name} ({metric.code})", required=False, choices=blank + columns)
        for field in self.fields.values():
            small = "form-select form-select-sm" if isinstance(field, forms.ChoiceField) else "form-control form-control-sm"
            field.widget.attrs["class"] = small

    # ------------------------------------------------------------------------------ stored ⇄ form

    def _initial(self, sheet: str) -> dict[str, Any]:
        stored = self.stored
        constants, values = _part(stored, "constants"), _part(stored, "values")
        initial: dict[str, Any] = {name: _text(stored.get(name)) or "" for name in COLUMN_FIELDS}
        initial["sheet"] = sheet
        initial["period_constant"] = _text(constants.get("period")) or ""
        for name in ("subject_type", "metric"):
            column, constant = _text(stored.get(name)), _text(constants.get(name))
            initial[name] = COLUMN + column if column else CONSTANT + constant if constant else ""
        for metric in self.metrics:
            initial[WIDE + metric.code] = _text(values.get(metric.code)) or ""
        return initial

    def to_mapping(self) -> dict[str, Any]:
        data = self.cleaned_data
        constants = {name: value for name, value in _part(self.stored, "constants").items() if name in KEPT_CONSTANTS}
        mapping: dict[str, Any] = {name: data.get(name) or None for name in COLUMN_FIELDS}
        mapping["subject"] = data.get("subject") or ""  # a missing subject is a problem the preview shows
        for name in ("subject_type", "metric"):
            chosen = data.get(name) or ""
            mapping[name] = chosen.removeprefix(COLUMN) if chosen.startswith(COLUMN) else None
            if chosen.startswith(CONSTANT):
                constants[name] = chosen.removeprefix(CONSTANT)
        if (period := (data.get("period_constant") or "").strip()):
            constants["period"] = period
        mapping["values"] = {m.code: data[WIDE + m.code] for m in self.metrics if data.get(WIDE + m.code)}
        mapping["constants"] = constants
        return mapping

    # ------------------------------------------------------------------------------ problems

    def wide_fields(self) -> list[forms.BoundField]:
        return [self[WIDE + metric.code] for metric in self.metrics]

    def long_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("subject", "subject_type", "period", "period_constant", "at", "row_key",
                                        "metric", "value", "unit")]

    def place(self, problems: Sequence[MappingProblem], language: str) -> tuple[dict[str, list[str]], list[str]]:
        """Each problem next to the field it is about (field name → messages; a wide-layout column under its
        metric's select), and those about the mapping as a whole (the layout, an unknown stored entry)."""
        placed: dict[str, list[str]] = {}
        general: list[str] = []
        values = _part(self.stored, "values")
        for problem in problems:
            text = problem.message(language)
            if problem.field == "values" and problem.code == "unknown_column":
                codes = [code for code, column in values.items() if column == problem.params.get("column")]
                names = [WIDE + code for code in codes if WIDE + code in self.fields]
                for name in names:
                    placed.setdefault(name, []).append(text)
                if names:
                    continue
            if problem.field in self.fields and problem.field != "sheet":
                placed.setdefault(problem.field, []).append(text)
            else:
                general.append(text)
        for name in placed:
            self.fields[name].widget.attrs["class"] += " is-invalid"
        return placed, general
