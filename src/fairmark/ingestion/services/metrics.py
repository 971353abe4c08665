"""Metrics (数据项): defined and changed by HR admins and system admins, audited. Their codes are what indicator
formulas read, so the code, value type and grain never change once created."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from fairmark.audit.services import record
from fairmark.core.errors import require

from ..models import Grain, Metric, SubjectType, ValueType
from .common import CODE, may_configure


@transaction.atomic
def metric_create(*, actor: Any, code: str, name_zh: str, name_en: str = "", unit: str = "",
                  value_type: str = ValueType.DECIMAL, min_value: Decimal | None = None,
                  max_value: Decimal | None = None, grain: str = Grain.DAY,
                  subject_types: Iterable[str] = (SubjectType.EMPLOYEE,), description: str = "") -> Metric:
    """HR admins and system admins define metrics; their codes are what indicator formulas read."""
    may_configure(actor)
    kinds = sorted(set(subject_types))
    require(bool(CODE.match(code)), "code", _("Use lower-case letters, digits and _, starting with a letter."))
    require(not Metric.objects.filter(code=code).exists(), "code", _("A metric with this code exists."))
    require(bool(name_zh.strip()), "name_zh", _("This field is required."))
    require(value_type in ValueType.values, "value_type", _("Unknown value type."))
    require(grain in Grain.values, "grain", _("Unknown period grain."))
    require(bool(kinds) and all(kind in SubjectType.values for kind in kinds), "subject_types",
             _("Choose at least one known subject type."))
    require(min_value is None or max_value is None or min_value <= max_value, "max_value",
             _("The highest allowed value is below the lowest."))
    metric = Metric.objects.create(code=code, name_zh=name_zh.strip(), name_en=name_en.strip(), unit=unit,
                                   value_type=value_type, min_value=min_value, max_value=max_value, grain=grain,
                                   subject_types=kinds, description=description)
    record(actor=actor, action="ingestion.metric.create", obj=metric,
           after={"code": code, "unit": unit, "value_type": value_type, "grain": grain, "subject_types": kinds,
                  "min": None if min_value is None else str(min_value),
                  "max": None if max_value is None else str(max_value)})
    return metric


METRIC_FIELDS = ("name_zh", "name_en", "unit", "min_value", "max_value", "subject_types", "description", "active")


@transaction.atomic
def metric_update(*, actor: Any, metric: Metric, **changes: Any) -> Metric:
    """Change a metric's names, unit, range, subject types, description or active flag. The code, value type
    and grain stay: stored values and indicator formulas rely on them (define a new metric instead)."""
    may_configure(actor)
    unknown = set(changes) - set(METRIC_FIELDS)
    require(not unknown, "metric", _("These cannot be changed: %(names)s") % {"names": ", ".join(sorted(unknown))})
    locked = Metric.objects.select_for_update().get(pk=metric.pk)
    before = _metric_snapshot(locked)
    for name, value in changes.items():
        setattr(locked, name, value)
    kinds = sorted(set(locked.subject_types or []))
    require(bool(kinds) and all(kind in SubjectType.values for kind in kinds), "subject_types",
             _("Choose at least one known subject type."))
    require(bool(locked.name_zh.strip()), "name_zh", _("This field is required."))
    require(locked.min_value is None or locked.max_value is None or locked.min_value <= locked.max_value,
             "max_value", _("The highest allowed value is below the lowest."))
    locked.subject_types = kinds
    locked.save()
    record(actor=actor, action="ingestion.metric.update", obj=locked, before=before, after=_metric_snapshot(locked))
    return locked


def _metric_snapshot(metric: Metric) -> dict[str, Any]:
    return {"name_zh": metric.name_zh, "name_en": metric.name_en, "unit": metric.unit,
            "min": None if metric.min_value is None else str(metric.min_value),
            "max": None if metric.max_value is None else str(metric.max_value),
            "subject_types": list(metric.subject_types or []), "description": metric.description,
            "active": metric.active}
