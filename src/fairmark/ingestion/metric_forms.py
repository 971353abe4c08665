"""The metric form (数据项): defining a metric, and changing what may change of it. The code, value type and
period grain are shown but locked once the metric exists: stored values and indicator formulas rely on them
(services.metrics.metric_update refuses them too). Whether the code is well formed and free, and whether the
range holds, is the service's to say; its messages are put next to the fields."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fairmark.org.forms import BootstrapForm

from .models import Grain, Metric, SubjectType, ValueType
from .numbers import tidy_text
from .services.metrics import METRIC_FIELDS

LOCKED = ("code", "value_type", "grain")
LOCKED_NOTE = _("Fixed once the metric exists: stored values and indicator formulas rely on it.")


def plain_number(value: Decimal | None) -> str:
    """A stored bound as it is typed: NUMERIC keeps ten places, 100.0000000000 is shown 100 (and 1E+2 never)."""
    return tidy_text(value) or ""


class MetricForm(BootstrapForm):
    code = forms.CharField(label=_("Code"), max_length=64,
                           help_text=_("Lower-case letters, digits and _, starting with a letter; indicator formulas "
                                       "read the metric by it."),
                           widget=forms.TextInput(attrs={"class": "font-monospace", "autocomplete": "off"}))
    name_zh = forms.CharField(label=_("Name (Chinese)"), max_length=100)
    name_en = forms.CharField(label=_("Name (English)"), max_length=100, required=False)
    unit = forms.CharField(label=_("Unit"), max_length=32, required=False, help_text=_("e.g. %, pcs, kg, CNY"))
    value_type = forms.ChoiceField(label=_("Value type"), choices=ValueType.choices, initial=ValueType.DECIMAL)
    min_value = forms.DecimalField(label=_("Lowest allowed"), max_digits=28, decimal_places=10, required=False,
                                   help_text=_("Empty: no lower bound."))
    max_value = forms.DecimalField(label=_("Highest allowed"), max_digits=28, decimal_places=10, required=False,
                                   help_text=_("Empty: no upper bound."))
    grain = forms.ChoiceField(label=_("Period grain"), choices=Grain.choices, initial=Grain.DAY)
    subject_types = forms.MultipleChoiceField(
        label=_("Subject types"), choices=SubjectType.choices, initial=[SubjectType.EMPLOYEE],
        widget=forms.CheckboxSelectMultiple, help_text=_("Who or what a value may be about."))
    description = forms.CharField(label=_("Description"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    active = forms.BooleanField(label=pgettext_lazy("ingestion", "Active"), required=False, initial=True,
                                help_text=_("An inactive metric is kept with its values but no longer offered to "
                                            "sources."))

    def __init__(self, *args: Any, metric: Metric | None = None, **kwargs: Any) -> None:
        self.metric = metric
        if metric is not None:
            kwargs.setdefault("initial", initial_for(metric))
        super().__init__(*args, **kwargs)
        # BootstrapForm gives every non-select widget form-control; ticks are form-check-input
        self.fields["subject_types"].widget.attrs["class"] = "form-check-input"
        if metric is None:
            del self.fields["active"]  # a new metric is active
        else:
            for name in LOCKED:
                self.fields[name].disabled = True
                self.fields[name].help_text = LOCKED_NOTE

    def changes(self) -> dict[str, Any]:
        """What the user changed of what services.metrics.metric_update accepts, compared with the metric
        as stored (100 and 100.0000000000 are the same bound; the order of ticked types does not matter):
        the audit log then shows exactly that, and a field changed by someone else meanwhile is not written
        back."""
        assert self.metric is not None
        changed: dict[str, Any] = {}
        for name in METRIC_FIELDS:
            if name not in self.cleaned_data:
                continue
            new, old = self.cleaned_data[name], getattr(self.metric, name)
            if name == "subject_types":
                differs = sorted(set(new)) != sorted(set(old or []))
            elif name in ("min_value", "max_value"):
                differs = (new is None) != (old is None) or (new is not None and Decimal(new) != Decimal(old))
            else:
                differs = new != old
            if differs:
                changed[name] = new
        return changed


def initial_for(metric: Metric) -> dict[str, Any]:
    return {"code": metric.code, "name_zh": metric.name_zh, "name_en": metric.name_en, "unit": metric.unit,
            "value_type": metric.value_type, "min_value": plain_number(metric.min_value),
            "max_value": plain_number(metric.max_value), "grain": metric.grain,
            "subject_types": list(metric.subject_types or []), "description": metric.description,
            "active": metric.active}
