"""Forms of the org pages. They check the input's shape and look up codes and numbers in the viewer's
scope; the services decide whether the write is allowed and keep the business rules."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fairmark.core.access import viewer_for
from fairmark.core.errors import ServiceError

from .models import Company, DelegationKind, Department, Employee, EmployeeStatus, Level, Position
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
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            else:
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


# --- departments -------------------------------------------------------------------------------------


def _department_choices(departments: list[Department], *, top_level: bool) -> list[tuple[Any, str]]:
    """The tree as indented options; the empty choice ("top level") only when the viewer may make roots."""
    top = min((d.depth for d in departments), default=0)
    choices: list[tuple[Any, str]] = [("", str(_("— None (top level) —")))] if top_level else []
    choices += [(d.pk, "\u2003" * (d.depth - top) + f"{d.display_name} ({d.code})") for d in departments]
    return choices


class _DepartmentForm(BootstrapForm):
    """Shared by the department forms: the head is chosen by employee number among the people the viewer
    may see, and a parent among the whole (public) tree, so that a parent out of the viewer's units
    reaches the service, which refuses it (404, as in the API); the list offers only the allowed ones."""

    current_head: Employee | None = None

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.edits_all = viewer_for(user).edits_all_org

    def clean_head(self) -> Employee | None:
        number = self.cleaned_data.get("head", "").strip()
        if not number:
            return None
        current = self.current_head
        if current and current.number == number:
            return current  # unchanged: kept even if the viewer could not look them up
        found = employees_visible_to(self.user).exclude(status=EmployeeStatus.LEFT).filter(number=number).first()
        if found is None:
            raise forms.ValidationError(UNKNOWN_NUMBER)
        return found

    def _parent_field(self, allowed: list[Department]) -> None:
        parent = self.fields["parent"]
        assert isinstance(parent, forms.ModelChoiceField)
        parent.queryset = departments_visible_to(self.user)
        parent.widget.choices = _department_choices(allowed, top_level=self.edits_all)


HEAD_HELP = _("The head's employee number. Leave empty for no head.")


class DepartmentCreateForm(_DepartmentForm):
    code = forms.CharField(label=_("Code"), max_length=32)
    name = forms.CharField(label=_("Name"), max_length=200)
    name_en = forms.CharField(label=_("English name"), max_length=200, required=False)
    parent = forms.ModelChoiceField(label=_("Parent department"), queryset=Department.objects.none(), required=False)
    head = forms.CharField(label=_("Head"), max_length=32, required=False, help_text=HEAD_HELP,
                           widget=forms.TextInput(attrs={"autocomplete": "off"}))
    cost_centre = forms.CharField(label=_("Cost centre"), max_length=32, required=False)

    def __init__(self, *args: Any, user: Any, parent: Department | None = None, **kwargs: Any) -> None:
        super().__init__(*args, user=user, initial={"parent": parent.pk if parent else None}, **kwargs)
        self._parent_field(list(departments_editable_by(user).order_by("path")))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        parent: Department | None = data.get("parent")
        # A new top-level department belongs to the first company (the service lets only HR admins make one).
        company = parent.company if parent else Company.objects.order_by("pk").first()
        if company is None:
            raise forms.ValidationError(_("No company is set up yet."))
        data["company"] = company
        return data


class DepartmentEditForm(_DepartmentForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    name_en = forms.CharField(label=_("English name"), max_length=200, required=False)
    head = forms.CharField(label=_("Head"), max_length=32, required=False, help_text=HEAD_HELP,
                           widget=forms.TextInput(attrs={"autocomplete": "off"}))
    cost_centre = forms.CharField(label=_("Cost centre"), max_length=32, required=False)
    active = forms.BooleanField(label=_("Active"), required=False,
                                help_text=_("Only a department without employees can be deactivated."))

    FIELDS = ("name", "name_en", "head", "cost_centre", "active")

    def __init__(self, *args: Any, user: Any, department: Department, **kwargs: Any) -> None:
        self.current_head = department.head
        initial = {name: getattr(department, name) for name in self.FIELDS}
        initial["head"] = department.head.number if department.head else ""
        super().__init__(*args, user=user, initial=initial, **kwargs)
        self.department = department

    def changes(self) -> dict[str, Any]:
        """Only what the user changed, as keyword arguments of services.departments.department_update."""
        return {name: self.cleaned_data[name] for name in self.changed_data if name in self.cleaned_data}


class DepartmentMoveForm(_DepartmentForm):
    parent = forms.ModelChoiceField(label=_("New parent department"), queryset=Department.objects.none(),
                                    required=False)

    def __init__(self, *args: Any, user: Any, department: Department, **kwargs: Any) -> None:
        super().__init__(*args, user=user, initial={"parent": department.parent_id}, **kwargs)
        self.department = department
        # A department cannot go under itself or its own sub-departments (the service refuses that too).
        allowed = departments_editable_by(user).exclude(path__startswith=department.path).order_by("path")
        self._parent_field(list(allowed))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and data.get("parent") == self.department.parent:
            raise forms.ValidationError(_("Nothing would change: choose another parent department."))
        return data
