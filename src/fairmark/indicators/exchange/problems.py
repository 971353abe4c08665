"""A problem found in an uploaded template workbook. Pure. Like the org import's report, it keeps a
message *code* and its parameters, never text, so the page words it in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .messages import describe, problem_location


@dataclass(frozen=True)
class Problem:
    sheet: str  # "template", "items", or "" for the file as a whole
    row: int  # the row number Excel shows; 0 for the file or a sheet as a whole
    column: str  # a field key (Template sheet) or column key (Items sheet); "" for the whole row or sheet
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def message(self, language: str) -> str:
        return describe(self.code, self.params, language)

    def location(self, language: str) -> tuple[str, str]:
        """(sheet name, column header) in `language`."""
        return problem_location(self.sheet, self.column, language)

    def to_json(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "code": self.code,
                "params": dict(self.params)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Problem:
        return cls(str(data.get("sheet", "")), int(data.get("row", 0)), str(data.get("column", "")),
                   str(data["code"]), dict(data.get("params") or {}))
