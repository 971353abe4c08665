"""The goal form (create, cascade, edit) and the move form. Key results are typed one per line as
"title; start; target; weight" (weight optional), the way people write them in a spreadsheet."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fairmark.org.forms import BootstrapForm

from ..models import GoalKind, GoalLevel

_SPLIT = re.compile(r"\s*[;；]\s*")


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def parse_key_results(text: str) -> list[dict[str, Any]]:
    """'客诉件数; 40; 10; 2' per line → key result dicts for the service (which checks the numbers)."""
    results: list[dict[str, Any]] = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = _SPLIT.split(line.strip())
        if len(parts) < 3 or len(parts) > 4:
            raise ValidationError(
                _("Line %(line)s: write \"title; start; target\" and optionally \"; weight\".") % {"line": number})
        item: dict[str, Any] = {"title": parts[0], "start": parts[1], "target": parts[2]}
        if len(parts) == 4:
            item["weight"] = parts[3]
        results.append(item)
    return results


def key_results_text(goal: Any) -> str:
    def plain(value: Any) -> str:
        text = format(value.normalize(), "f") if value is not None else ""
        return text

    return "\n".join(f"{kr.title}; {plain(kr.start)}; {plain(kr.target)}; {plain(kr.weight)}"
                     for kr in goal.key_results.all())


class GoalForm(BootstrapForm):
    level = forms.ChoiceField(label=_("Level"), choices=GoalLevel.choices)
    kind = forms.ChoiceField(label=_("Kind"), choices=GoalKind.choices)
    title = forms.CharField(label=_("Goal"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    department = forms.ChoiceField(label=_("Department"), required=False)
    employee = forms.ChoiceField(label=pgettext_lazy("goal owner", "Person"), required=False)
    parent = forms.ChoiceField(label=_("Aligned to"), required=False,
                               help_text=_("The goal this one contributes to, in any department."))
    weight = forms.DecimalField(label=_("Weight"), min_value=0, max_digits=7, decimal_places=2, initial=1)
    period_start = forms.DateField(label=_("From"), required=False, widget=_date_input())
    period_end = forms.DateField(label=_("To"), required=False, widget=_date_input())
    indicator = forms.ChoiceField(label=_("Indicator"), required=False)
    threshold = forms.DecimalField(label=_("Threshold"), required=False, max_digits=28, decimal_places=10)
    target = forms.DecimalField(label=_("Target"), required=False, max_digits=28, decimal_places=10)
    stretch = forms.DecimalField(label=_("Stretch"), required=False, max_digits=28, decimal_places=10)
    key_results = forms.CharField(
        label=_("Key results"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line: title; start; target; weight (weight optional), e.g. \"客诉件数; 40; 10\"."),
    )

    def __init__(self, *args: Any, departments: list[tuple[str, str]], people: list[tuple[str, str]],
                 parents: list[tuple[str, str]], indicators: list[tuple[str, str]], editing: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        blank = [("", "—")]
        for name, options in (("department", departments), ("employee", people), ("parent", parents),
                              ("indicator", indicators)):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = blank + options
        if editing:
            for name in ("level", "kind", "year", "department", "employee", "parent", "indicator"):
                del self.fields[name]

    def clean_key_results(self) -> list[dict[str, Any]]:
        return parse_key_results(self.cleaned_data.get("key_results") or "")


class MoveForm(BootstrapForm):
    parent = forms.ChoiceField(label=_("Aligned to"), required=False)
    weight = forms.DecimalField(label=_("Weight"), min_value=0, max_digits=7, decimal_places=2)

    def __init__(self, *args: Any, parents: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["parent"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("— none (a top goal) —")), *parents]


def year_choices(today: date) -> list[int]:
    return [today.year - 1, today.year, today.year + 1]
