"""The scoring rule as form fields: one field per parameter of each rule kind (named `rule_<kind>_<param>`),
built from the rule dataclasses themselves, so the editor offers exactly what `rule_from_dict` reads.

Round trip: `initial_from_rule(stored)` fills the fields from the rule as `rule_from_dict(stored).to_dict()`
gives it (every parameter, defaults included), and `rule_from_post(fields)` turns the posted fields back into
the same dict. List-valued parameters are one text area with one row per line: the step table
"bound, score", the rating scale "rating | score | English anchor | Chinese anchor".

The rule's direction is not a field: linear, ratio and step rules take the indicator's direction."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from ..models import Direction
from ..scoring import FIELDS, RULE_KINDS, RuleError, rule_from_dict
from ..scoring.core import fmt
from .common import language as reader_language

RULE_KIND_CHOICES: list[tuple[str, Any]] = [
    ("linear", _("Linear: threshold, target, stretch")),
    ("ratio", _("Ratio to target")),
    ("step", _("Step table")),
    ("deduction", _("Deduction per incident")),
    ("addition", _("Addition per unit")),
    ("pass_fail", _("Pass / fail")),
    ("veto", _("Veto")),
    ("rating", _("Rating scale with anchors")),
    ("okr", _("OKR score (0.0–1.0)")),
]
RULE_KIND_LABELS: dict[str, Any] = dict(RULE_KIND_CHOICES)
# Rules with a direction take the indicator's; the form has no second direction field to disagree with it.
DIRECTED = ("linear", "ratio", "step")
COMPARISON_OPS: list[tuple[str, str]] = [(">=", "≥"), (">", ">"), ("<=", "≤"), ("<", "<"), ("==", "="), ("!=", "≠")]
VETO_EFFECTS: list[tuple[str, Any]] = [
    ("total_zero", _("The total becomes 0")),
    ("grade", _("The grade is set")),
]
ROW_SEPARATORS = re.compile(r"[\s,;，；、]+")
BANDS_HELP = _("One band per line: bound, score. Higher is better: a value at or above the bound scores the "
               "score; lower is better: a value at or below it.")
POINTS_HELP = _("One point per line: rating | score | English anchor | Chinese anchor. The anchors are "
                "optional, but give both or neither.")
CAP_HELP = _("Empty: the stretch score.")


def _label(name: str) -> str:
    """A parameter's label in the reader's language, from the scoring module's bilingual field names."""
    labels = FIELDS.get(name, {"en": name, "zh-hans": name})
    text = labels[reader_language()]
    return text[:1].upper() + text[1:]


label = lazy(_label, str)


@dataclass(frozen=True)
class Param:
    """One parameter of a rule kind: `shape` says how it is typed in (number, bands, points, comparison,
    effect, text); `default` is what an empty field means, shown as the placeholder."""

    kind: str
    name: str
    shape: str
    required: bool
    default: str

    @property
    def field_name(self) -> str:
        return f"rule_{self.kind}_{self.name}"

    @property
    def field_names(self) -> tuple[str, ...]:
        if self.shape == "comparison":
            return (f"{self.field_name}_op", f"{self.field_name}_bound")
        return (self.field_name,)


SHAPES = {"bands": "bands", "points": "points", "pass_if": "comparison", "trigger": "comparison",
          "effect": "effect", "grade": "text"}


def _default_text(value: object) -> str:
    if isinstance(value, Decimal):
        return fmt(value)
    return "" if value is None else str(value)


def _params_of(kind: str) -> tuple[Param, ...]:
    rule_type = RULE_KINDS[kind]
    assert dataclasses.is_dataclass(rule_type)
    params = []
    for field in dataclasses.fields(rule_type):
        if field.name == "direction":
            continue
        required = field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING
        default = "" if required else _default_text(field.default)
        params.append(Param(kind, field.name, SHAPES.get(field.name, "number"), required, default))
    return tuple(params)


PARAMS: dict[str, tuple[Param, ...]] = {kind: _params_of(kind) for kind, _label_text in RULE_KIND_CHOICES}


def _number_widget(param: Param) -> forms.Widget:
    attrs = {"inputmode": "decimal", "autocomplete": "off"}
    if param.default:
        attrs["placeholder"] = param.default
    return forms.TextInput(attrs=attrs)


def rule_form_fields() -> dict[str, forms.Field]:
    """`rule_kind` and every parameter field of every kind. None is required for Django: the rule's own
    validation names the missing or wrong parameter, in the reader's language."""
    fields: dict[str, forms.Field] = {
        "rule_kind": forms.ChoiceField(label=_("Scoring rule"), choices=RULE_KIND_CHOICES, required=False),
    }
    for kind, params in PARAMS.items():
        for param in params:
            name = param.field_name
            if param.shape == "comparison":
                fields[f"{name}_op"] = forms.ChoiceField(label=label(param.name), choices=COMPARISON_OPS,
                                                         required=False)
                fields[f"{name}_bound"] = forms.CharField(label=label("bound"), required=False, max_length=40,
                                                          widget=_number_widget(param))
            elif param.shape in ("bands", "points"):
                fields[name] = forms.CharField(
                    label=label(param.name), required=False, max_length=20000,
                    help_text=BANDS_HELP if param.shape == "bands" else POINTS_HELP,
                    widget=forms.Textarea(attrs={"rows": 5, "class": "font-monospace", "spellcheck": "false"}))
            elif param.shape == "effect":
                fields[name] = forms.ChoiceField(label=label(param.name), choices=VETO_EFFECTS, required=False)
            elif param.shape == "text":
                fields[name] = forms.CharField(label=label(param.name), required=False, max_length=500)
            else:
                fields[name] = forms.CharField(label=label(param.name), required=False, max_length=40,
                                               widget=_number_widget(param),
                                               help_text=CAP_HELP if (kind, param.name) == ("linear", "cap") else "")
    return fields


def required_field_names() -> set[str]:
    return {name for params in PARAMS.values() for param in params if param.required for name in param.field_names}


def _rows(text: str, *, anchored: bool) -> list[list[str]]:
    rows = []
    for line in text.splitlines():
        if not line.strip():
            continue
        if anchored and "|" in line:
            parts = [part.strip() for part in line.split("|")]
        else:
            parts = [part for part in ROW_SEPARATORS.split(line.strip()) if part]
        rows.append(parts)
    return rows


def rule_from_post(data: Mapping[str, Any], direction: object = None) -> dict[str, Any]:
    """The rule dict ({"kind", "params"}) the posted fields describe; `rule_from_dict` validates it. An empty
    optional field means the parameter's default (it is left out)."""
    kind = str(data.get("rule_kind") or "")
    if kind not in PARAMS:
        return {"kind": kind, "params": {}}
    params: dict[str, Any] = {}

    def text(name: str) -> str:
        value = data.get(name)
        return value.strip() if isinstance(value, str) else ""

    for param in PARAMS[kind]:
        name = param.field_name
        if param.shape == "comparison":
            op, bound = text(f"{name}_op"), text(f"{name}_bound")
            if bound:
                params[param.name] = {"op": op, "bound": bound}
        elif param.shape in ("bands", "points"):
            rows = _rows(text(name), anchored=param.shape == "points")
            if rows:
                params[param.name] = rows
        elif value := text(name):
            params[param.name] = value
    if kind in DIRECTED and direction in ("higher", "lower"):
        params["direction"] = direction
    return {"kind": kind, "params": params}


def _row_text(parts: list[Any], separator: str) -> str:
    cells = [str(part) for part in parts]
    while len(cells) > 2 and not cells[-1]:
        cells.pop()
    return separator.join(cells)


def initial_from_rule(scoring: object) -> dict[str, str]:
    """The field values that show `scoring` (a stored rule dict), every parameter written out."""
    try:
        stored = rule_from_dict(scoring)  # type: ignore[arg-type]
    except RuleError:
        data = scoring if isinstance(scoring, Mapping) else {}
    else:
        data = stored.to_dict()
    kind = str(data.get("kind") or "")
    params = data.get("params") if isinstance(data.get("params"), Mapping) else {}
    assert isinstance(params, Mapping)
    initial = {"rule_kind": kind}
    for param in PARAMS.get(kind, ()):
        value = params.get(param.name)
        name = param.field_name
        if param.shape == "comparison":
            if isinstance(value, Mapping):
                initial[f"{name}_op"] = str(value.get("op", ""))
                initial[f"{name}_bound"] = str(value.get("bound", ""))
        elif param.shape in ("bands", "points") and isinstance(value, list | tuple):
            separator = " | " if param.shape == "points" else ", "
            initial[name] = "\n".join(_row_text(list(row), separator) for row in value if isinstance(row, list | tuple))
        elif value is not None:
            initial[name] = str(value)
    return initial


def hidden_rule_values(scoring: object) -> list[tuple[str, str]]:
    """The fields of a stored rule as (name, value) pairs, for a form that posts the rule without showing
    it (the "try it" panel of an indicator's page)."""
    return sorted(initial_from_rule(scoring).items())


def form_field_for(key: str, kind: str) -> str | None:
    """The form field an error key of check_indicator or try_indicator ("scoring.target") belongs to."""
    if not key.startswith("scoring."):
        return None
    name = key.removeprefix("scoring.")
    if name in ("kind", "params"):
        return "rule_kind"
    if name == "direction":
        return "direction"
    params = {param.name: param for param in PARAMS.get(kind, ())}
    if name in ("anchor_en", "anchor_zh") and "points" in params:
        return params["points"].field_name
    comparison = next((param for param in params.values() if param.shape == "comparison"), None)
    if name in ("op", "bound") and comparison is not None:
        return f"{comparison.field_name}_{name}"
    if name in params:
        return params[name].field_names[0]
    return None


@dataclass(frozen=True)
class ParamRow:
    """One parameter of a stored rule as the indicator page shows it."""

    label: str
    value: str


@dataclass(frozen=True)
class RuleView:
    kind: str
    kind_label: str
    description: str
    rows: list[ParamRow]
    bands: list[tuple[str, str]]
    points: list[tuple[str, str, str]]
    valid: bool


def rule_view(scoring: object) -> RuleView:
    """A stored rule for reading: its kind, its description (Rule.describe()) in the reader's language, its
    parameters, and its step table or rating scale (with the anchors in the reader's language)."""
    language = reader_language()
    kind = str(scoring.get("kind", "")) if isinstance(scoring, Mapping) else ""
    try:
        rule = rule_from_dict(scoring)  # type: ignore[arg-type]
    except RuleError as exc:
        return RuleView(kind, str(RULE_KIND_LABELS.get(kind, kind)), exc.message(language), [], [], [], False)
    data = rule.to_dict()
    rows: list[ParamRow] = []
    bands: list[tuple[str, str]] = []
    points: list[tuple[str, str, str]] = []
    for name, value in data["params"].items():
        if name == "bands":
            bands = [(fmt(Decimal(bound)), fmt(Decimal(score))) for bound, score in value]
        elif name == "points":
            points = [(fmt(Decimal(row[0])), fmt(Decimal(row[1])), row[3] if language == "zh-hans" else row[2])
                      for row in value]
        elif isinstance(value, Mapping):
            shown = dict(COMPARISON_OPS).get(str(value.get("op")), str(value.get("op")))
            rows.append(ParamRow(_label(name), f"{shown} {fmt(Decimal(str(value.get('bound'))))}"))
        elif name == "direction":
            rows.append(ParamRow(_label(name), str(dict(Direction.choices).get(value, value))))
        elif name == "effect":
            rows.append(ParamRow(_label(name), str(dict(VETO_EFFECTS).get(value, value))))
        elif value is not None:
            rows.append(ParamRow(_label(name), fmt(Decimal(value)) if name != "grade" else str(value)))
    return RuleView(rule.kind, str(RULE_KIND_LABELS.get(rule.kind, rule.kind)), rule.describe().text(language), rows,
                    bands, points, True)

