"""Forms of the org pages. They check the input's shape and look up codes and numbers in the viewer's
scope; the services decide whether the write is allowed and keep the business rules."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fairmark.core.errors import ServiceError

from .models import DelegationKind, Department, Employee, EmployeeStatus, Level, Position
from .selectors import (
    delegation_principals_for,
    departments_editable_by,
    departments_visible_to,
    employees_visible_to,
    levels_visible_to,
    positions_visible_to,
    stand_in_candidates,
)

UNKNOWN_NUMBER = _("Unknown employee number.")


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class BootstrapForm(forms.Form):
    """Gives widgets Bootstrap's classes, and marks a field invalid whichever way its error arrives
    (the form's own checks or a service's field errors added by the view)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


def add_service_errors(form: forms.Form, error: ServiceError) -> None:
    """The service's message on top of the form, its field messages next to the fields they concern."""
    form.add_error(None, error.message)
    for name, messages in error.fields.items():
        for message in messages:
            form.add_error(name if name in form.fields else None, message)


class EmployeeEditForm(BootstrapForm):
    """The fields of services.employees.UPDATABLE_FIELDS that HR keeps up to date, less the hire date,
    which starts the assignment history. Department, position and manager change by TransferForm."""

    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=100)
    level = forms.ModelChoiceField(label=_("Level"), queryset=Level.objects.none(), required=False)
    probation_end = forms.DateField(label=_("Probation end"), required=False, widget=_date_input())
    status = forms.ChoiceField(label=_("Status"), choices=EmployeeStatus.choices)
    left_on = forms.DateField(label=_("Left on"), required=False, widget=_date_input(),
                              help_text=_("When the status is “Left”: the last day worked (today if empty)."))
    location = forms.CharField(label=_("Location"), max_length=100, required=False)
    cost_centre = forms.CharField(label=_("Cost centre"), max_length=32, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)

    FIELDS = ("name", "level", "probation_end", "status", "left_on", "location", "cost_centre", "email", "phone")

    def __init__(self, *args: Any, user: Any, employee: Employee, **kwargs: Any) -> None:
        initial = {name: getattr(employee, name) for name in self.FIELDS}
        initial["level"] = employee.level_id  # compared with the posted id to find what changed
        super().__init__(*args, initial=initial, **kwargs)
        self.employee = employee
        level = self.fields["level"]
        assert isinstance(level, forms.ModelChoiceField)
        level.queryset = levels_visible_to(user)

    def clean_left_on(self) -> dt.date | None:
        left_on: dt.date | None = self.cleaned_data.get("left_on")
        if left_on and left_on < self.employee.hire_date:
            raise forms.ValidationError(_("Before hire date."))  # the service's wording for probation_end
        return left_on

    def changes(self) -> dict[str, Any]:
        """Only what the user changed: the audit log then shows exactly that, and a field someone else
        changed meanwhile is not written back with the value this page was opened with."""
        return {name: self.cleaned_data[name] for name in self.changed_data if name in self.cleaned_data}


class TransferForm(BootstrapForm):
    effective = forms.DateField(label=_("Effective from"), widget=_date_input())
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.none())
    position = forms.ModelChoiceField(label=_("Position"), queryset=Position.objects.none(), required=False)
    manager = forms.CharField(label=_("Manager's employee number"), max_length=32, required=False,
                              help_text=_("Leave empty for no manager."),
                              widget=forms.TextInput(attrs={"list": "manager-options", "autocomplete": "off"}))
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def __init__(self, *args: Any, user: Any, employee: Employee, **kwargs: Any) -> None:
        initial = {
            "effective": timezone.localdate(),
            "department": employee.department_id,
            "position": employee.position_id,
            "manager": employee.manager.number if employee.manager else "",
        }
        super().__init__(*args, initial=initial, **kwargs)
        self.employee = employee
        self.visible = employees_visible_to(user)
        department = self.fields["department"]
        assert isinstance(department, forms.ModelChoiceField)
        # Any department of the (public) tree is accepted here and the service decides whether the actor
        # may move people there (404 if not, as in the API); the list offers only the allowed ones.
        department.queryset = departments_visible_to(user)
        allowed = list(departments_editable_by(user).order_by("path"))
        top = min((d.depth for d in allowed), default=0)
        department.widget.choices = [(d.pk, "\u2003" * (d.depth - top) + d.display_name) for d in allowed]
        position = self.fields["position"]
        assert isinstance(position, forms.ModelChoiceField)
        position.queryset = positions_visible_to(user)

    def clean_manager(self) -> Employee | None:
        number = self.cleaned_data.get("manager", "").strip()
        if not number:
            return None
        current = self.employee.manager
        if current and current.number == number:
            return current  # unchanged: kept even if the viewer could not look them up (an HR BP's N+2)
        found = self.visible.exclude(status=EmployeeStatus.LEFT).filter(number=number).first()
        if found is None:
            raise forms.ValidationError(UNKNOWN_NUMBER)
        return found

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        employee = self.employee
        if (
            not self.errors
            and data.get("department") == employee.department
            and data.get("position") == employee.position
            and data.get("manager") == employee.manager
        ):
            raise forms.ValidationError(_("Nothing would change: choose another department, position or manager."))
        return data


class DelegationForm(BootstrapForm):
    principal = forms.ModelChoiceField(label=_("Stand in for"), queryset=Employee.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=DelegationKind.choices,
                             help_text=_("An acting manager takes over the team; a delegate handles the approvals."))
    delegate = forms.CharField(label=_("Stand-in's employee number"), max_length=32)
    valid_from = forms.DateField(label=_("From"), widget=_date_input())
    valid_to = forms.DateField(label=_("To"), required=False, widget=_date_input(),
                               help_text=_("The last day, included. Leave empty until further notice."))
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        principals = list(delegation_principals_for(user))
        initial = {"valid_from": timezone.localdate(), "principal": principals[0].pk if len(principals) == 1 else None}
        super().__init__(*args, initial=initial, **kwargs)
        self.user = user
        principal = self.fields["principal"]
        assert isinstance(principal, forms.ModelChoiceField)
        # As in the API, any principal the viewer can see gets to the service, which decides (404 if the
        # viewer may not name their stand-in); the list offers only the allowed ones.
        principal.queryset = employees_visible_to(user)
        choices = [(e.pk, f"{e.name} ({e.number}) · {e.department.display_name}") for e in principals]
        # With one choice (a manager, who names stand-ins only for themselves) it is preselected.
        principal.widget.choices = choices if len(choices) == 1 else [("", "---------"), *choices]

    def clean_delegate(self) -> Employee:
        number = self.cleaned_data["delegate"].strip()
        found = stand_in_candidates(self.user).filter(number=number).first()
        if found is None:
            raise forms.ValidationError(UNKNOWN_NUMBER)
        return found
