"""Goal specs: a goal as the API, a form, a goal set item or an added goal's change describes it (kind, title,
weight, indicator code or version, threshold/target/stretch, key results, parent goal, period), resolved into
tree.build_goal's arguments and written back from a checked goal; numbers and dates kept as JSON-safe text."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from fairmark.core.errors import ServiceError
from fairmark.indicators.models import Indicator, IndicatorVersion

from ..models import Goal, GoalKind, KeyResult
from ..selectors import goal_scope_q
from .common import require

SPEC_FIELDS = ("kind", "title", "description", "weight", "indicator", "indicator_version", "threshold", "target",
               "stretch", "key_results", "parent", "period_start", "period_end")



def _plain(value: Any) -> Any:
    """A value as the JSON of a change or a goal set keeps it: numbers as text (exact), dates ISO."""
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return "0" if text in ("-0", "") else text
    if isinstance(value, date):
        return value.isoformat()
    return value


def date_or_none(value: Any, field: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ServiceError(_("Enter a date (YYYY-MM-DD)."), fields={field: [_("Enter a date (YYYY-MM-DD).")]}
                           ) from None


def prefixed(error: ServiceError, prefix: str) -> dict[str, list[str]]:
    """A service error's fields under `prefix` ("items.3."); a message without a field goes on the prefix."""
    if not error.fields:
        return {prefix.rstrip("."): [error.message]}
    return {f"{prefix}{name}" if name else prefix.rstrip("."): list(messages)
            for name, messages in error.fields.items()}


def _key_results_plain(results: Sequence[KeyResult]) -> list[dict[str, Any]]:
    out = []
    for kr in results:
        item: dict[str, Any] = {"title": kr.title, "start": _plain(kr.start), "target": _plain(kr.target),
                                "weight": _plain(kr.weight)}
        if kr.unit:
            item["unit"] = kr.unit
        if kr.current is not None:
            item["current"] = _plain(kr.current)
        if kr.confidence is not None:
            item["confidence"] = _plain(kr.confidence)
        out.append(item)
    return out


def resolve_spec(actor: Any, spec: Mapping[str, Any]) -> dict[str, Any]:
    """A goal spec as the API, a form or a goal set's JSON gives it (indicator by code or version id, parent by
    id, numbers and dates as text) → build_goal's keyword arguments. Field errors name the spec's keys."""
    if not isinstance(spec, Mapping):
        raise ServiceError(_("Describe the goal."), fields={"": [_("Describe the goal.")]})
    unknown = sorted(set(spec) - set(SPEC_FIELDS))
    require(not unknown, unknown[0] if unknown else "", _("This field is not part of a goal."))
    kind = str(spec.get("kind") or "")
    require(kind in GoalKind.values, "kind", _("Choose a kind."))
    version: IndicatorVersion | None = None
    if kind == GoalKind.KPI:
        code = str(spec.get("indicator") or "").strip()
        version_id = spec.get("indicator_version")
        if version_id not in (None, ""):  # a pinned version (a saved set keeps both: the version wins)
            version = (IndicatorVersion.objects.filter(pk=int(version_id)).select_related("indicator").first()
                       if str(version_id).isdigit() else None)
            require(version is not None, "indicator_version", _("No such indicator version."))
        elif code:
            indicator = (Indicator.objects.filter(code=code, retired=False).select_related("published").first())
            require(indicator is not None and indicator.published is not None, "indicator",
                    _("No published indicator with this code."))
            assert indicator is not None
            version = indicator.published
        else:
            require(False, "indicator", _("Choose the indicator this KPI goal is measured by."))
    parent: Goal | None = None
    parent_id = spec.get("parent")
    if parent_id not in (None, ""):
        parent = (Goal.objects.filter(goal_scope_q(actor)).filter(pk=int(parent_id)).first()
                  if str(parent_id).isdigit() else None)
        require(parent is not None, "parent", _("Choose a goal you can see."))
    key_results = spec.get("key_results") or []
    require(isinstance(key_results, list) and all(isinstance(kr, Mapping) for kr in key_results), "key_results",
            _("Enter the key results as a list."))
    return {
        "kind": kind, "title": str(spec.get("title") or ""), "description": str(spec.get("description") or ""),
        "weight": spec.get("weight", 1), "indicator_version": version, "threshold": spec.get("threshold"),
        "target": spec.get("target"), "stretch": spec.get("stretch"), "key_results": list(key_results),
        "parent": parent, "period_start": date_or_none(spec.get("period_start"), "period_start"),
        "period_end": date_or_none(spec.get("period_end"), "period_end"),
    }


def spec_of(goal: Goal, key_results: Sequence[KeyResult]) -> dict[str, Any]:
    """A checked goal as a spec (what a goal set item or an added goal's change keeps)."""
    version = goal.indicator_version
    spec: dict[str, Any] = {
        "kind": goal.kind, "title": goal.title, "weight": _plain(goal.weight),
        "parent": goal.parent_id if goal.parent_id else None,
    }
    if goal.description:
        spec["description"] = goal.description
    if goal.kind == GoalKind.KPI and version is not None:
        spec.update({"indicator_version": version.pk, "indicator": version.indicator.code,
                     "threshold": _plain(goal.threshold), "target": _plain(goal.target),
                     "stretch": _plain(goal.stretch)})
    else:
        spec["key_results"] = _key_results_plain(key_results)
    year_start, year_end = date(goal.year, 1, 1), date(goal.year, 12, 31)
    if goal.period_start != year_start or goal.period_end != year_end:
        spec.update({"period_start": _plain(goal.period_start), "period_end": _plain(goal.period_end)})
    return spec


__all__ = ["SPEC_FIELDS", "date_or_none", "prefixed", "resolve_spec", "spec_of"]
