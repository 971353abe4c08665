"""Forms of the agreement pages (comments of the steps, a change request, a decision) and of goal sets (the
set's header, its goals as rows, the people to assign). They check the input's shape; the services decide
whether the step is allowed and check the goals as goal_create would."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fairmark.core.errors import ServiceError
from fairmark.org.forms import BootstrapForm

from ..models import ChangeKind, Goal, GoalKind

_SPLIT = re.compile(r"\s*[;；]\s*")
MAX_COMMENT = 4000


def parse_key_results(text: str) -> list[dict[str, Any]]:
    """'客诉件数; 40; 10' per line, optionally '; weight' → key results for the services (which check numbers)."""
    results: list[dict[str, Any]] = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = _SPLIT.split(line.strip())
        if not 3 <= len(parts) <= 4:
            raise ValidationError(_("Line %(line)s: write “title; start; target” (and optionally “; weight”).")
                                  % {"line": number})
        item: dict[str, Any] = {"title": parts[0], "start": parts[1], "target": parts[2]}
        if len(parts) == 4:
            item["weight"] = parts[3]
        results.append(item)
    return results


def key_results_text(key_results: Iterable[dict[str, Any]]) -> str:
    lines = []
    for kr in key_results:
        weight = str(kr.get("weight") or "1")
        tail = "" if weight in ("1", "1.00") else f"; {weight}"
        lines.append(f"{kr.get('title', '')}; {kr.get('start', '')}; {kr.get('target', '')}{tail}")
    return "\n".join(lines)


class _Choosing(BootstrapForm):
    def choice_field(self, name: str) -> forms.ChoiceField:
        return cast(forms.ChoiceField, self.fields[name])


def _text(label: Any, rows: int = 2, required: bool = False) -> forms.CharField:
    return forms.CharField(label=label, required=required, max_length=MAX_COMMENT,
                           widget=forms.Textarea(attrs={"rows": rows}))


class CommentForm(BootstrapForm):
    comment = _text(_("Comment"))


class ReturnForm(BootstrapForm):
    comment = _text(_("What should change"), required=True)


class DecideForm(BootstrapForm):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))],
                                 widget=forms.HiddenInput)
    comment = _text(_("Comment"), rows=1)

    @property
    def approve(self) -> bool:
        return self.cleaned_data.get("decision") == "approve"


class ChangeRequestForm(_Choosing):
    """One change of a signed agreement: edit a goal (only the fields typed in change), add one, archive one."""

    kind = forms.ChoiceField(label=_("Change"), choices=ChangeKind.choices)
    goal = forms.ChoiceField(label=_("Goal"), required=False,
                             help_text=_("The goal to edit or archive."))
    goal_kind = forms.ChoiceField(label=_("Kind of the new goal"), choices=GoalKind.choices, required=False)
    title = forms.CharField(label=_("Goal"), max_length=200, required=False)
    indicator = forms.CharField(label=_("Indicator code"), max_length=64, required=False,
                                help_text=_("For a new KPI goal."))
    weight = forms.CharField(label=_("Weight"), max_length=20, required=False)
    threshold = forms.CharField(label=_("Threshold"), max_length=40, required=False)
    target = forms.CharField(label=_("Target"), max_length=40, required=False)
    stretch = forms.CharField(label=_("Stretch"), max_length=40, required=False)
    key_results = forms.CharField(
        label=_("Key results"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: “title; start; target” (OKR only; replaces the key results)."))
    reason = _text(_("Reason"), required=True)

    def __init__(self, *args: Any, goals: Iterable[Goal] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.goals = {str(goal.pk): goal for goal in goals}
        self.choice_field("goal").choices = [("", "—"), *((pk, goal.title) for pk, goal in self.goals.items())]

    def clean_key_results(self) -> list[dict[str, Any]] | None:
        text = self.cleaned_data.get("key_results") or ""
        return parse_key_results(text) if text.strip() else None

    def chosen_goal(self) -> Goal | None:
        return self.goals.get(self.cleaned_data.get("goal") or "")

    def proposed(self) -> dict[str, Any]:
        data = self.cleaned_data
        kind = data["kind"]
        if kind == ChangeKind.ARCHIVE:
            return {}
        fields = ("title", "weight", "threshold", "target", "stretch")
        proposed: dict[str, Any] = {name: data[name].strip() for name in fields if (data.get(name) or "").strip()}
        if data.get("key_results") is not None:
            proposed["key_results"] = data["key_results"]
        if kind == ChangeKind.ADD:
            proposed["kind"] = data.get("goal_kind") or GoalKind.OKR
            if (data.get("indicator") or "").strip():
                proposed["indicator"] = data["indicator"].strip()
        return proposed


# ------------------------------------------------------------------------------------------------ goal sets

class GoalSetForm(_Choosing):
    name = forms.CharField(label=pgettext_lazy("goal set", "Name"), max_length=200)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    department = forms.ChoiceField(label=_("Department"))

    def __init__(self, *args: Any, departments: Iterable[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.departments = {str(d.pk): d for d in departments}
        self.choice_field("department").choices = [
            (pk, "\u00a0\u00a0" * d.depth + f"{d.code} {d.display_name}") for pk, d in self.departments.items()]

    def chosen_department(self) -> Any:
        return self.departments.get(self.cleaned_data.get("department") or "")


# The form field of a set item that shows the service's error about a key of the spec.
ITEM_FIELD_OF = {"indicator_version": "indicator", "period_start": "title", "period_end": "title",
                 "description": "title", "": "title"}


class GoalSetItemForm(_Choosing):
    # An initial kind, so that an extra row left as rendered counts as empty (unchanged).
    kind = forms.ChoiceField(label=_("Kind"), choices=GoalKind.choices, initial=GoalKind.OKR)
    title = forms.CharField(label=_("Goal"), max_length=200)
    indicator = forms.CharField(label=_("Indicator code"), max_length=64, required=False)
    threshold = forms.CharField(label=_("Threshold"), max_length=40, required=False)
    target = forms.CharField(label=_("Target"), max_length=40, required=False)
    stretch = forms.CharField(label=_("Stretch"), max_length=40, required=False)
    weight = forms.CharField(label=_("Weight"), max_length=20, required=False, initial="1")
    parent = forms.ChoiceField(label=_("Aligned to"), required=False)
    key_results = forms.CharField(label=_("Key results"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}),
                                  help_text=_("OKR: one per line, “title; start; target”."))

    def __init__(self, *args: Any, parents: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choice_field("parent").choices = [("", "—"), *(parents or [])]

    def clean_key_results(self) -> list[dict[str, Any]]:
        return parse_key_results(self.cleaned_data.get("key_results") or "")

    def spec(self) -> dict[str, Any]:
        data = self.cleaned_data
        spec: dict[str, Any] = {"kind": data["kind"], "title": data["title"],
                                "weight": (data.get("weight") or "").strip() or "1"}
        if data["kind"] == GoalKind.KPI:
            spec["indicator"] = (data.get("indicator") or "").strip()
            for name in ("threshold", "target", "stretch"):
                if (data.get(name) or "").strip():
                    spec[name] = data[name].strip()
        else:
            spec["key_results"] = data.get("key_results") or []
        if data.get("parent"):
            spec["parent"] = int(data["parent"])
        return spec

    @staticmethod
    def initial_from(spec: dict[str, Any]) -> dict[str, Any]:
        return {
            "kind": spec.get("kind"), "title": spec.get("title"), "indicator": spec.get("indicator") or "",
            "threshold": spec.get("threshold") or "", "target": spec.get("target") or "",
            "stretch": spec.get("stretch") or "", "weight": spec.get("weight") or "1",
            "parent": str(spec["parent"]) if spec.get("parent") else "",
            "key_results": key_results_text(spec.get("key_results") or []),
        }


class _ItemFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    def __init__(self, *args: Any, parents: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        self.parents = parents or []
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {**super().get_form_kwargs(index), "parents": self.parents}

    def filled(self) -> list[GoalSetItemForm]:
        """The rows that hold a goal (an extra row left empty has no cleaned title), not marked for deletion,
        in order."""
        return [form for form in self.forms  # type: ignore[misc]
                if getattr(form, "cleaned_data", {}).get("title")
                and not (self.can_delete and form.cleaned_data.get("DELETE"))]

    def add_service_errors(self, error: ServiceError) -> bool:
        """Puts "items.3.target" next to the target of the fourth filled row; True if any found a row."""
        rows = self.filled()
        placed = False
        for name, messages in error.fields.items():
            parts = name.split(".")
            if parts[0] != "items" or len(parts) < 2 or not parts[1].isdigit() or int(parts[1]) >= len(rows):
                continue
            key = parts[2] if len(parts) > 2 else ""
            field = key if key in GoalSetItemForm.base_fields else ITEM_FIELD_OF.get(key, "title")
            for message in messages:
                rows[int(parts[1])].add_error(field, message)
            placed = True
        return placed


GoalSetItemFormSet = forms.formset_factory(GoalSetItemForm, formset=_ItemFormSet, extra=3, can_delete=True,
                                           max_num=100, validate_max=True)
