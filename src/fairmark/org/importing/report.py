"""The row-by-row report. Pure. An issue keeps a message *code* and its parameters, never text, so
the page or API builds the sentence in the reader's language when it shows it (messages.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .columns import Column, HeaderMatch, Kind


@dataclass
class Issue:
    row: int
    column: str  # a column key; "" when the issue is about the whole row or file
    code: str
    params: dict[str, Any] = field(default_factory=dict)
    header: str = ""  # the file's own header, for columns we do not know (they have no key)

    def to_json(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "code": self.code, "params": self.params, "header": self.header}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Issue:
        return cls(data["row"], data["column"], data["code"], dict(data.get("params") or {}), data.get("header", ""))


@dataclass
class Report:
    kind: Kind
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    issues: list[Issue] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)  # column key → header as the file wrote it

    @property
    def ok(self) -> bool:
        return not self.issues

    @property
    def error_rows(self) -> int:
        return len({issue.row for issue in self.issues})

    def add(self, row: int, column: str, code: str, **params: Any) -> None:
        self.issues.append(Issue(row, column, code, params))

    def sort(self, columns: Sequence[Column]) -> None:
        order = {c.key: i for i, c in enumerate(columns)}
        self.issues.sort(key=lambda i: (i.row, order.get(i.column, -1 if not i.column else len(order))))

    def counts(self) -> dict[str, int]:
        return {"rows": self.rows, "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
                "errors": len(self.issues), "error_rows": self.error_rows}

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, **self.counts(), "headers": self.headers,
                "issues": [issue.to_json() for issue in self.issues]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Report:
        return cls(
            kind=data["kind"], rows=data.get("rows", 0), created=data.get("created", 0),
            updated=data.get("updated", 0), unchanged=data.get("unchanged", 0),
            issues=[Issue.from_json(i) for i in data.get("issues", [])], headers=dict(data.get("headers") or {}),
        )


def header_issues(report: Report, match: HeaderMatch, header_row: int) -> bool:
    """Report problems with the header row; True when rows cannot be read at all."""
    report.headers = dict(match.headers)
    for _position, text in match.unknown:
        report.issues.append(Issue(header_row, "", "unknown_column", {}, header=text))
    for _position, text in match.duplicates:
        report.issues.append(Issue(header_row, "", "duplicate_column", {}, header=text))
    for column in match.missing:
        report.add(header_row, column.key, "missing_column")
    return bool(match.missing)
