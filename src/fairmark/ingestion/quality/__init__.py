"""Data-quality rules of ingestion (DESIGN.md C3 validation): duplicates and conflicts, outliers, completeness.
Pure: standard library and numpy, no Django (so 50,000 rows are checked in well under a second, without a
request, and hypothesis can test the rules), over plain values: str period keys, Decimal values, subject ids.

    from fairmark.ingestion.quality import Fact, classify, outliers, gaps
    result = classify([Fact("mes", "r1", "output", 7, "2026-11-03", Decimal("96.50"))],
                      {("mes", "r1"): Decimal("96.5")})
    result.verdicts[0].status            # "unchanged"
    result.verdicts[0].message("zh-hans")

Every result explains itself with a code and params (`.finding`, `.message(language)`, in English and
Simplified Chinese); bad input to the checks raises `QualityError`, which does the same."""

from .completeness import Completeness, Gap, gaps
from .duplicates import (
    STATUSES,
    Cell,
    Classification,
    CrossKeyDuplicate,
    Fact,
    Key,
    Period,
    Status,
    Verdict,
    classify,
)
from .findings import Explained, Finding, QualityError, Severity, json_safe
from .messages import ERRORS, MESSAGES, normalise_language
from .outliers import MIN_COUNT, THRESHOLD, Method, Outlier, outliers

__all__ = [
    "ERRORS",
    "MESSAGES",
    "MIN_COUNT",
    "STATUSES",
    "THRESHOLD",
    "Cell",
    "Classification",
    "Completeness",
    "CrossKeyDuplicate",
    "Explained",
    "Fact",
    "Finding",
    "Gap",
    "Key",
    "Method",
    "Outlier",
    "Period",
    "QualityError",
    "Severity",
    "Status",
    "Verdict",
    "classify",
    "gaps",
    "json_safe",
    "normalise_language",
    "outliers",
]
