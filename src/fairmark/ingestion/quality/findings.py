"""What the data-quality checks report, and the error they raise on bad input. Pure.

A `Finding` is a code, its params and a severity, never text: `.message(language)` words it in English or
Simplified Chinese when it is shown, and `.to_dict()` / `Finding.from_dict` store it (with a batch, on a
quarantined row) and read it back. Each result type of the checks (`Verdict`, `CrossKeyDuplicate`,
`Outlier`, `Gap`, `Completeness`) is `Explained`: it has `.finding`, and `.code`, `.params` and
`.message(language)` from it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from .messages import EN, ERRORS, MESSAGES, ZH, render

# info: nothing to do (a new or resent value); warning: look at it, it was applied or counted anyway
# (an outlier, a gap, two row keys for one cell); review: held back until a person decides (a conflict).
Severity = Literal["info", "warning", "review"]


def json_safe(value: Any) -> Any:
    """A param as JSON can hold it: decimals as strings (exact, "96.50" stays "96.50"), datetimes in ISO 8601,
    tuples as lists; anything else that is not a JSON scalar as its str()."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [json_safe(item) for item in value]
    if isinstance(value, Mapping):
        return {str(key): json_safe(item) for key, item in value.items()}
    return str(value)


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    params: Mapping[str, Any] = field(default_factory=dict)
    severity: Severity = "warning"

    def message(self, language: str = EN) -> str:
        return render(MESSAGES, self.code, self.params, language)

    def to_dict(self) -> dict[str, Any]:
        """For JSON (a stored batch report, problem+json): the code, severity, params and both sentences."""
        return {"code": self.code, "severity": self.severity, "params": json_safe(self.params),
                "message_en": self.message(EN), "message_zh_hans": self.message(ZH)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Finding:
        severity = data.get("severity", "warning")
        if severity not in ("info", "warning", "review"):
            severity = "warning"
        return cls(str(data["code"]), dict(data.get("params") or {}), severity)


class Explained:
    """A result of a check that explains itself through its `finding` (defined by each result type)."""

    __slots__ = ()

    @property
    def finding(self) -> Finding:  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    @property
    def code(self) -> str:
        return self.finding.code

    @property
    def params(self) -> Mapping[str, Any]:
        return self.finding.params

    @property
    def severity(self) -> Severity:
        return self.finding.severity

    def message(self, language: str = EN) -> str:
        return self.finding.message(language)


class QualityError(ValueError):
    """Bad input to the checks (a float value, an invalid threshold, a period listed twice): a caller's bug or
    a configuration error, not a finding about the data. Carries a code and params like a finding."""

    def __init__(self, code: str, params: Mapping[str, Any] | None = None) -> None:
        self.code = code
        self.params: dict[str, Any] = dict(params or {})
        super().__init__(self.message(EN))

    def message(self, language: str = EN) -> str:
        return render(ERRORS, self.code, self.params, language)

    def __reduce__(self) -> tuple[Any, ...]:
        return (QualityError, (self.code, self.params))
