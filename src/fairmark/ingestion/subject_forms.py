"""The forms of the subjects pages: registering a line, machine, project or team; mapping a person to it from a
date (the employee chosen by employee number, looked up among the people the viewer sees); and ending a
mapping (both default to today in the company's time zone, which the view passes). They check the input's shape; services.subjects decides the rest (a code taken, an end before the
start) and its messages are put next to the fields."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fairmark.org.forms import UNKNOWN_NUMBER, BootstrapForm
from fairmark.org.models import Department, Employee
from fairmark.org.selectors import departments_visible_to, employees_visible_to

from .models import REGISTERED_SUBJECT_TYPES


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def registered_type_choices() -> list[tuple[str, Any]]:
    return [(kind.value, kind.label) for kind in REGISTERED_SUBJECT_TYPES]


class SubjectForm(BootstrapForm):
    type = forms.ChoiceField(label=_("Type"), choices=registered_type_choices)
    code = forms.CharField(label=_("Code"), max_length=64,
                           help_text=_("As the sending systems name it, e.g. L1."),
                           widget=forms.TextInput(attrs={"class": "font-monospace", "autocomplete": "off"}))
    name_zh = forms.CharField(label=_("Name (Chinese)"), max_length=100, required=False,
                              help_text=_("Empty: the code."))
    name_en = forms.CharField(label=_("Name (English)"), max_length=100, required=False)
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.none(), required=False,
                                        empty_label=_("None"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        department = self.fields["department"]
        assert isinstance(department, forms.ModelChoiceField)
        department.queryset = departments_visible_to(user)


class MappingForm(BootstrapForm):
    employee = forms.CharField(label=_("Employee number"), max_length=32,
                               widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "E0004"}))
    valid_from = forms.DateField(label=_("Valid from"), widget=_date_input())
    valid_to = forms.DateField(label=_("Valid to"), required=False, widget=_date_input(),
                               help_text=_("Inclusive. Empty: until ended."))
    role = forms.CharField(label=pgettext_lazy("subject mapping", "Role"), max_length=64, required=False,
                           help_text=_("e.g. the shift: early shift, night shift"))

    def __init__(self, *args: Any, user: Any, today: dt.date, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"valid_from": today})
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_employee(self) -> Employee:
        number = (self.cleaned_data.get("employee") or "").strip()
        found = employees_visible_to(self.user).filter(number=number).first() if number else None
        if found is None:
            raise forms.ValidationError(UNKNOWN_NUMBER)
        return found


class MappingEndForm(BootstrapForm):
    valid_to = forms.DateField(label=_("Last day"), widget=_date_input(),
                               help_text=_("The person's last day on the subject (inclusive)."))

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"valid_to": today})
        super().__init__(*args, **kwargs)
        widget = self.fields["valid_to"].widget
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} form-control-sm".strip()  # inside a table row
