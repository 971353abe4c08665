"""The indicator editor's form. It checks only the shape of the input (lengths, offered choices, the owning
unit within the editor's reach); what makes a definition valid (required texts, the formula, the rule's
parameters) is checked by services.checks, the same for the form, the live check, the API and the import,
and its messages are put next to the fields here."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fairmark.core.access import Role, viewer_for
from fairmark.core.errors import ServiceError
from fairmark.org.forms import BootstrapForm
from fairmark.org.models import Department, Employee
from fairmark.org.selectors import departments_editable_by, employees_visible_to

from ..formula import MAX_LENGTH as FORMULA_MAX_LENGTH
from ..formula import FormulaError, parse
from ..models import Aggregation, Category, Direction, Indicator, IndicatorVersion
from .rule_fields import (
    PARAMS,
    form_field_for,
    initial_from_rule,
    required_field_names,
    rule_form_fields,
    rule_from_post,
)

TEXT_FIELDS = ("name_zh", "name_en", "unit", "definition_zh", "definition_en", "formula", "data_source_hint", "note")
CHOICE_FIELDS = ("category", "direction", "aggregation")
REQUIRED = {"code", "name_zh", "unit", "definition_zh", "category", "direction", "aggregation", "rule_kind"}
EMPTY_CHOICE = [("", "---------")]


class DepartmentChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Department) -> str:
        return f"{'— ' * obj.depth}{obj.display_name}"


def definition_from(data: Mapping[str, Any], metrics: list[dict[str, str]] | None = None) -> dict[str, Any]:
    """The definition the posted fields describe, in the shape services.checks and services.indicators read.
    Works on any posted data, valid or not, so the live check sees what the editor shows."""

    def text(name: str) -> str:
        value = data.get(name)
        return value if isinstance(value, str) else ""

    definition: dict[str, Any] = {name: text(name) for name in (*TEXT_FIELDS, *CHOICE_FIELDS)}
    definition["metrics"] = list(metrics or [])
    definition["scoring"] = rule_from_post(data, direction=definition["direction"])
    return definition


def formula_metrics(formula: str) -> list[str]:
    """The metrics a formula reads, in order; none when it does not parse."""
    try:
        return sorted(parse(formula).metrics) if formula.strip() else []
    except FormulaError:
        return []


class IndicatorForm(BootstrapForm):
    code = forms.CharField(label=_("Code"), max_length=64, required=False,
                           help_text=_("Lower-case English letters, digits and _, e.g. line_yield. It cannot "
                                       "change later."),
                           widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    name_zh = forms.CharField(label=_("Chinese name"), max_length=200, required=False)
    name_en = forms.CharField(label=_("English name"), max_length=200, required=False)
    category = forms.ChoiceField(label=_("Category"), choices=EMPTY_CHOICE + list(Category.choices), required=False)
    unit = forms.CharField(label=_("Unit"), max_length=32, required=False)
    direction = forms.ChoiceField(label=_("Direction"), choices=Direction.choices, required=False)
    definition_zh = forms.CharField(label=_("Definition (Chinese)"), required=False, max_length=5000,
                                    widget=forms.Textarea(attrs={"rows": 4}))
    definition_en = forms.CharField(label=_("Definition (English)"), required=False, max_length=5000,
                                    widget=forms.Textarea(attrs={"rows": 4}))
    aggregation = forms.ChoiceField(label=_("Aggregation over the period"), choices=Aggregation.choices,
                                    required=False)
    formula = forms.CharField(
        label=_("Formula"), required=False, max_length=FORMULA_MAX_LENGTH,
        help_text=_("For example sum(good_units) / sum(produced_units) * 100. Leave it empty for an item scored "
                    "by ratings (choose the rating-scale rule)."),
        widget=forms.Textarea(attrs={"rows": 3, "class": "font-monospace", "spellcheck": "false",
                                     "autocomplete": "off"}))
    data_source_hint = forms.CharField(label=_("Data source"), max_length=200, required=False,
                                       help_text=_("Where the data come from, e.g. MES or the EHS log."))
    owner_department = DepartmentChoice(label=_("Owning unit"), queryset=Department.objects.none(), required=False)
    owner_number = forms.CharField(label=_("Owner (employee number)"), max_length=32, required=False,
                                   help_text=_("The person who answers for the definition and its data (指标负责人)."),
                                   widget=forms.TextInput(attrs={"autocomplete": "off"}))
    note = forms.CharField(label=_("Change note"), max_length=500, required=False)
    base_version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, data: Any = None, *, user: Any, indicator: Indicator | None = None) -> None:
        head: IndicatorVersion | None = indicator.head if indicator is not None else None
        initial: dict[str, Any] = {"direction": Direction.HIGHER, "aggregation": Aggregation.SUM,
                                   "rule_kind": "linear"}
        if head is not None:
            initial.update({name: getattr(head, name) for name in (*TEXT_FIELDS, *CHOICE_FIELDS)})
            initial["note"] = ""  # a note describes the next change, not the last one
            initial.update(initial_from_rule(head.scoring))
            initial["base_version"] = head.number
        if indicator is not None:
            initial["owner_department"] = indicator.owner_department_id
            initial["owner_number"] = indicator.owner.number if indicator.owner else ""
        super().__init__(data, initial=initial)
        self.user = user
        self.indicator = indicator
        self.head = head
        for name, field in rule_form_fields().items():
            self.fields[name] = field
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = f"{field.widget.attrs.get('class', '')} {css}".strip()
        if indicator is not None:
            del self.fields["code"]
        else:
            del self.fields["base_version"]
        owner = self.fields["owner_department"]
        assert isinstance(owner, DepartmentChoice)
        owner.queryset = departments_editable_by(user).order_by("path")
        if viewer_for(user).has(Role.HR_ADMIN):
            owner.empty_label = _("Company-wide")
        else:  # an HR BP owns what they make through one of their units
            owner.required = True
            owner.empty_label = None
        self.required_names = {name for name in REQUIRED if name in self.fields} | required_field_names()
        if owner.required:
            self.required_names.add("owner_department")

    def clean_owner_number(self) -> Employee | None:
        number = (self.cleaned_data.get("owner_number") or "").strip()
        if not number:
            return None
        owner = employees_visible_to(self.user).filter(number=number).first()
        if owner is None:
            raise forms.ValidationError(_("No employee with this number."))
        return owner

    # --- what the views read -------------------------------------------------------------------------------

    @property
    def rule_kind(self) -> str:
        if self.is_bound:
            return str(self.data.get("rule_kind") or "")
        return str(self.initial.get("rule_kind") or "")

    def definition(self) -> dict[str, Any]:
        metrics = list(self.head.metrics) if self.head is not None else []
        return definition_from(self.data, metrics)

    def add_check_errors(self, errors: Mapping[str, list[str]]) -> None:
        """Errors keyed as services.checks keys them, each next to its field (or above the form)."""
        for key, messages in errors.items():
            name = key if key in self.fields else form_field_for(key, self.rule_kind)
            for message in messages:
                self.add_error(name if name in self.fields else None, message)

    def add_service_error(self, error: ServiceError) -> None:
        self.add_error(None, error.message)
        self.add_check_errors(error.fields)

    def rule_blocks(self) -> list[dict[str, Any]]:
        """Per rule kind, its parameter fields (a comparison's two fields side by side), for the template."""
        blocks = []
        for kind, params in PARAMS.items():
            rows = [[self[name] for name in param.field_names] for param in params]
            blocks.append({"kind": kind, "rows": rows, "active": kind == self.rule_kind})
        return blocks

    def current_formula(self) -> str:
        value = self.data.get("formula") if self.is_bound else self.initial.get("formula")
        return value if isinstance(value, str) else ""
