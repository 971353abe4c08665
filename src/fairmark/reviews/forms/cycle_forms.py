"""The form of a review cycle (HR's setup page) and of the rater import upload. They check the input's shape and
turn it into the data services.cycles takes; the service keeps the rules (deadlines in order, what may change
after launch) and its field errors come back next to the fields, a phase's next to that phase's row."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fairmark.core.errors import ServiceError
from fairmark.indicators.models import VersionStatus
from fairmark.indicators.selectors import template_versions_visible_to
from fairmark.org.forms import BootstrapForm
from fairmark.org.models import Company, Employee
from fairmark.org.selectors import departments_visible_to

from ..models import Cycle, CycleKind, LeaverRule, Phase, Population

_NUMBERS = re.compile(r"[\s,，;；、]+")
MAX_UPLOAD = 5 * 1024 * 1024
PLAIN = ("name", "kind", "period_start", "period_end", "population", "min_tenure_days", "leavers",
         "include_probation", "raters_min", "raters_max", "anonymity_minimum", "send_at")


def _date() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TemplateChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.template.code} v{obj.number} · {obj.display_name}"


class TemplatesChoice(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.template.code} v{obj.number} · {obj.display_name}"


class CycleForm(BootstrapForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=CycleKind.choices)
    period_start = forms.DateField(label=_("Period start"), widget=_date())
    period_end = forms.DateField(label=_("Period end"), widget=_date())
    population = forms.ChoiceField(label=_("Who is reviewed"), choices=Population.choices)
    departments: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(label=_("Departments (pilot)"), queryset=None, required=False,
                                                 widget=forms.SelectMultiple(attrs={"size": 6}))
    people = forms.CharField(label=_("People (employee numbers)"), required=False,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("For a list of people: their employee numbers, separated by spaces, "
                                         "commas or line breaks."))
    templates = TemplatesChoice(label=_("Templates"), queryset=None, required=False,
                                widget=forms.SelectMultiple(attrs={"size": 6}),
                                help_text=_("Empty: every published template, the most specific first."))
    default_template = TemplateChoice(label=_("Template for everyone else"), queryset=None, required=False)
    min_tenure_days = forms.IntegerField(label=_("Minimum days employed in the period"), min_value=0, initial=60)
    leavers = forms.ChoiceField(label=_("Leavers"), choices=LeaverRule.choices)
    include_probation = forms.BooleanField(label=_("Review people on probation"), required=False)
    raters_min = forms.IntegerField(label=_("Minimum raters per group"), min_value=0, initial=3)
    raters_max = forms.IntegerField(label=_("Maximum raters per group"), min_value=1, initial=8)
    anonymity_minimum = forms.IntegerField(label=_("Ratings needed to show a group"), min_value=3, initial=3,
                                           help_text=_("At least 3: fewer ratings could identify the raters."))
    send_at = forms.TimeField(label=_("Reminders sent at (company time)"), initial="09:00",
                              widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))

    reminders = forms.CharField(
        label=_("Reminder rules"), required=False, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One rule per line: before or overdue, a number of days, and who is reminded (person, manager, "
                    "hr), e.g. “before 3 person” or “overdue 2 manager”. Empty: the default ladder."))

    def __init__(self, *args: Any, user: Any, company: Company, cycle: Cycle | None = None, **kwargs: Any) -> None:
        if cycle is not None and "initial" not in kwargs:
            kwargs["initial"] = initial_of(cycle)
        super().__init__(*args, **kwargs)
        self.company = company
        self.cycle = cycle
        departments = departments_visible_to(user).filter(company=company)
        self.fields["departments"].queryset = departments  # type: ignore[attr-defined]
        self.fields["departments"].label_from_instance = lambda d: f"{d.code} · {d.display_name}"  # type: ignore[attr-defined]
        published = template_versions_visible_to(user).filter(status=VersionStatus.PUBLISHED)
        self.fields["templates"].queryset = published  # type: ignore[attr-defined]
        self.fields["default_template"].queryset = published  # type: ignore[attr-defined]
        for phase in Phase:
            self.fields[f"phase_{phase.value}"] = forms.BooleanField(label=phase.label, required=False)
            self.fields[f"deadline_{phase.value}"] = forms.DateField(label=_("Deadline"), required=False,
                                                                     widget=_date())
        self._style_new_fields()

    def _style_new_fields(self) -> None:
        for name, field in self.fields.items():
            if name.startswith(("phase_", "deadline_")):
                css = "form-check-input" if isinstance(field.widget, forms.CheckboxInput) else "form-control"
                field.widget.attrs.setdefault("class", css)

    def clean_people(self) -> list[int]:
        numbers = [n for n in _NUMBERS.split(self.cleaned_data.get("people") or "") if n]
        found = dict(Employee.objects.filter(company=self.company, number__in=numbers).values_list("number", "pk"))
        unknown = [n for n in numbers if n not in found]
        if unknown:
            raise forms.ValidationError(_("Unknown employee numbers: %(numbers)s")
                                        % {"numbers": "、".join(unknown[:20])})
        return [found[n] for n in dict.fromkeys(numbers)]

    def clean_reminders(self) -> list[dict[str, Any]]:
        rules: list[dict[str, Any]] = []
        for number, line in enumerate((self.cleaned_data.get("reminders") or "").splitlines(), start=1):
            words = line.split()
            if not words:
                continue
            to = [w for w in re.split(r"[,，、]", words[2]) if w] if len(words) == 3 else []
            if (len(words) != 3 or words[0] not in ("before", "overdue") or not words[1].isdigit()
                    or not to or any(w not in ("person", "manager", "hr") for w in to)):
                raise forms.ValidationError(_("Line %(line)d is not a rule: write e.g. “overdue 2 manager”.")
                                            % {"line": number})
            rules.append(reminder_rule(words[0], int(words[1]), to))
        return rules

    def phase_rows(self) -> list[dict[str, Any]]:
        """The phases in their fixed order, each with its checkbox, its deadline and their errors."""
        return [{"phase": phase, "enabled": self[f"phase_{phase.value}"], "deadline": self[f"deadline_{phase.value}"]}
                for phase in Phase]

    def phases(self) -> dict[str, date | None]:
        data = self.cleaned_data
        return {p.value: data.get(f"deadline_{p.value}") for p in Phase if data.get(f"phase_{p.value}")}

    def service_data(self) -> dict[str, Any]:
        """Everything the form holds: after launch the service refuses only the settings that changed, next to
        their field (services.cycles.cycle_update), so an untouched form saves."""
        data = self.cleaned_data
        out: dict[str, Any] = {name: data[name] for name in PLAIN}
        out.update({
            "departments": [d.pk for d in data["departments"]],
            "people": data["people"],
            "templates": [t.pk for t in data["templates"]],
            "default_template": data["default_template"].pk if data["default_template"] else None,
            "phases": self.phases(),
            "reminder_rules": data.get("reminders") or [],
        })
        return out

    def add_service_errors(self, error: ServiceError) -> None:
        """The message on top, each field's next to it; `phases.<phase>` next to that phase's deadline."""
        self.add_error(None, error.message)
        for name, messages in error.fields.items():
            target: str | None = name if name in self.fields else None
            if name.startswith("phases."):
                target = f"deadline_{name.split('.', 1)[1]}"
                target = target if target in self.fields else None
            for message in messages:
                if target is not None or message != error.message:
                    self.add_error(target, message)


def reminder_rule(when: str, days: int, to: list[str]) -> dict[str, Any]:
    """A rule as the cycle stores it. The id is what the worker remembers as sent, so it is made from what the
    rule says, the way the default ladder names its rules: the same rule typed again is not sent again."""
    suffix = "" if to == ["person"] else "-" + "-".join(to)
    return {"id": f"{when}-{days}{suffix}", "when": when, "days": days, "to": to}


def rules_text(rules: list[dict[str, Any]]) -> str:
    return "\n".join(f"{r['when']} {r['days']} {','.join(r.get('to') or ['person'])}" for r in rules)


def initial_of(cycle: Cycle) -> dict[str, Any]:
    numbers = list(cycle.people.order_by("number").values_list("number", flat=True))
    initial: dict[str, Any] = {name: getattr(cycle, name) for name in PLAIN}
    initial.update({
        "departments": list(cycle.departments.values_list("pk", flat=True)),
        "people": "\n".join(numbers),
        "templates": list(cycle.templates.values_list("pk", flat=True)),
        "default_template": cycle.default_template_id,
        "reminders": rules_text(cycle.reminder_rules or []),
    })
    for phase in cycle.phases.all():
        initial[f"phase_{phase.phase}"] = True
        initial[f"deadline_{phase.phase}"] = phase.deadline
    return initial


class RaterUploadForm(BootstrapForm):
    file = forms.FileField(label=_("Workbook (.xlsx)"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(_("The file is larger than %(max_mb)s MB.")
                                        % {"max_mb": MAX_UPLOAD // (1024 * 1024)})
        return upload
