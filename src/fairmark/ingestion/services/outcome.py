"""What became of a batch's rows, as the push API, the upload page and a pull's run report it."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..models import Batch, Conflict, MetricValue, QuarantinedRow
from ..numbers import tidy_text
from ..rows.messages import EN, ZH, render_rejection


@dataclass(frozen=True, slots=True)
class RowProblem:
    index: int
    row_key: str | None
    field: str
    code: str
    params: dict[str, Any]

    def message(self, language: str) -> str:
        return render_rejection(self.code, self.field, self.params, language)

    def as_json(self) -> dict[str, Any]:
        return {"row": self.index, "row_key": self.row_key, "field": self.field, "code": self.code,
                "params": self.params, "message": self.message(EN), "message_zh_hans": self.message(ZH)}


@dataclass(frozen=True, slots=True)
class ConflictRow:
    index: int
    row_key: str
    stored: Decimal | str | None
    incoming: Decimal | str | None
    conflict_id: int

    def as_json(self) -> dict[str, Any]:
        return {"row": self.index, "row_key": self.row_key, "stored": _text(self.stored),
                "incoming": _text(self.incoming), "conflict": self.conflict_id}


@dataclass(frozen=True, slots=True)
class FlaggedRow:
    index: int
    row_key: str
    score: Decimal

    def as_json(self) -> dict[str, Any]:
        return {"row": self.index, "row_key": self.row_key, "code": "outlier", "score": str(self.score)}


@dataclass
class Outcome:
    """`repeated`: the idempotency key was known, nothing was written and the stored outcome is returned."""

    batch: Batch
    repeated: bool = False
    accepted: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    conflicts: list[ConflictRow] = field(default_factory=list)
    rejected: list[RowProblem] = field(default_factory=list)
    flagged: list[FlaggedRow] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {"rows": self.batch.rows, "accepted": len(self.accepted), "unchanged": len(self.unchanged),
                "conflicts": len(self.conflicts), "rejected": len(self.rejected), "flagged": len(self.flagged)}

    def as_json(self) -> dict[str, Any]:
        batch = self.batch
        return {
            "batch": batch.pk, "source": batch.source.code, "idempotency_key": batch.idempotency_key,
            "received_at": batch.received_at.isoformat(), "repeated": self.repeated, "counts": self.counts(),
            "accepted": self.accepted, "unchanged": self.unchanged,
            "conflicts": [c.as_json() for c in self.conflicts], "rejected": [r.as_json() for r in self.rejected],
            "flagged": [f.as_json() for f in self.flagged], "warnings": batch.warnings,
        }


def _text(value: Decimal | str | None) -> str | None:
    return tidy_text(value) if isinstance(value, Decimal) else value


def stored_outcome(batch: Batch) -> Outcome:
    """The outcome of a batch received before, rebuilt from what it wrote (a retry gets the same answer)."""
    # version 1: a conflict accepted later writes the next version under the same batch, but was not accepted here
    values = MetricValue.objects.filter(batch=batch, version=1).order_by("row_index")
    accepted: list[str] = []
    flagged: list[FlaggedRow] = []
    for row_key, row_index, score in values.values_list("row_key", "row_index", "outlier_score"):
        accepted.append(row_key)
        if score is not None:
            flagged.append(FlaggedRow(row_index, row_key, Decimal(score)))
    conflicts = [
        ConflictRow(c.row_index, c.row_key, c.stored.value if c.stored.value is not None else c.stored.text_value,
                    c.incoming_value if c.incoming_value is not None else c.incoming_text, c.pk)
        for c in Conflict.objects.filter(batch=batch).select_related("stored").order_by("row_index")
    ]
    conflicts += [ConflictRow(w["row"], w["row_key"], w["stored"], w["incoming"], w["conflict"])
                  for w in batch.warnings if w.get("code") == "conflict_already_open"]
    conflicts.sort(key=lambda c: c.index)
    rejected = [RowProblem(q.row_index, q.row_key or None, q.field, q.code, q.params)
                for q in QuarantinedRow.objects.filter(batch=batch).order_by("row_index")]
    return Outcome(batch, True, accepted, list(batch.unchanged_keys), conflicts, rejected, flagged)
