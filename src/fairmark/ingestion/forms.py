"""The forms of the data-quality pages. They check the shape of the input only (ids are whole numbers, a note
is given, a field is not longer than a row may hold); whether a corrected row is valid is decided by the same
validation every batch goes through (services.corrections), and its reasons are put next to the fields."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fairmark.org.forms import BootstrapForm

from .rows.validate import MAX_ROW_KEY, MAX_SUBJECT, MAX_SUBJECT_TYPE, MAX_TEXT_LENGTH, MAX_TIMESTAMP
from .services.corrections import ROW_FIELDS


class IdsField(forms.Field):
    """The ids of the rows ticked in a list (`ids=3&ids=7`)."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {"required": _("Choose at least one row."), "invalid": _("Choose rows from the list.")}

    def to_python(self, value: Any) -> list[int]:
        if not value:
            return []
        try:
            return sorted({int(item) for item in value})
        except (TypeError, ValueError) as error:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from error


def ids_in(data: Mapping[str, Any]) -> list[int]:
    """The ticked ids of a request, or none when they are not all whole numbers."""
    getlist = getattr(data, "getlist", None)
    try:
        return IdsField().clean(getlist("ids") if getlist else data.get("ids"))
    except forms.ValidationError:
        return []


class DismissForm(BootstrapForm):
    ids = IdsField()
    note = forms.CharField(label=_("Why are these rows dismissed?"), max_length=500,
                           widget=forms.TextInput(attrs={"placeholder": _("e.g. a test row; the line was closed")}))


class CorrectionForm(BootstrapForm):
    """One quarantined row as it should have been sent: the eight fields of a row, prefilled with what was
    sent (the form's prefix is the row's id)."""

    row_key = forms.CharField(label=_("Row key"), max_length=MAX_ROW_KEY, required=False)
    metric = forms.CharField(label=_("Metric"), max_length=64, required=False)
    subject_type = forms.CharField(label=_("Subject type"), max_length=MAX_SUBJECT_TYPE, required=False)
    subject = forms.CharField(label=pgettext_lazy("ingestion", "Subject"), max_length=MAX_SUBJECT, required=False)
    period = forms.CharField(label=pgettext_lazy("ingestion", "Period"), max_length=32, required=False)
    at = forms.CharField(label=_("Time"), max_length=MAX_TIMESTAMP, required=False)
    value = forms.CharField(label=_("Value"), max_length=MAX_TEXT_LENGTH, required=False)
    unit = forms.CharField(label=_("Unit"), max_length=32, required=False)

    @staticmethod
    def initial_from(raw: Any) -> dict[str, str]:
        """The fields of the row as sent, as text (a JSON true becomes "true", 96.5 "96.5")."""
        if not isinstance(raw, dict):
            return {}
        initial = {}
        for name in ROW_FIELDS:
            sent = raw.get(name)
            if sent is None:
                continue
            initial[name] = ("true" if sent else "false") if isinstance(sent, bool) else str(sent)
        return initial

    def row(self) -> dict[str, str]:
        """The corrected row for services.corrections.replay_quarantined (empty fields are left out there)."""
        return {name: self.cleaned_data.get(name) or "" for name in ROW_FIELDS}


class ResolveForm(BootstrapForm):
    """A conflict's decision: the two buttons post `decision`, the reason is required either way."""

    decision = forms.ChoiceField(choices=[("accept", _("Accept the incoming value")),
                                          ("keep", _("Keep the stored value"))],
                                 widget=forms.HiddenInput, error_messages={"required": _("Choose a decision.")})
    reason = forms.CharField(label=_("Reason"), max_length=500,
                             widget=forms.TextInput(attrs={"placeholder": _("e.g. MES recount after the audit")}))

    @property
    def accept(self) -> bool:
        return self.cleaned_data["decision"] == "accept"
