"""Benchmark: decode and validate one pushed batch of N metric rows (10 % invalid), as the ingest API would.

    .venv/bin/python bench/ingest_decode.py                  # 50,000 rows (the API's maximum per request)
    .venv/bin/python bench/ingest_decode.py --size 5000      # the small size CI runs

The batch is shaped like the real thing: 500 employees and 20 production lines, six metrics (decimal
percentages as JSON numbers, integer counts, a few numbers sent as strings, a boolean, a monthly metric and
an instant metric with timestamps), and 10 % of the rows broken in one of a dozen ways (unknown metric or
subject, out of range, wrong unit, bad or wrong-grain period, bad timestamp, repeated row key, ...).
Building the JSON is not timed; decode_batch and validate_rows are, separately and together, also for the
gzip-compressed body. The last line printed is JSON; `decode_validate_rows_s` is rows per second of decode
+ validate (best of the runs; `median_...` is also given, as a loaded machine makes single runs noisy).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

import msgspec

from fairmark.ingestion.rows import Batch, MetricRule, decode_batch, validate_rows

RULES = {
    "yield_pct": MetricRule("yield_pct", "decimal", unit="%", min=Decimal(0), max=Decimal(100), grain="day",
                            subject_types=frozenset({"employee", "line"})),
    "good_units": MetricRule("good_units", "integer", unit="pcs", min=Decimal(0), grain="day",
                             subject_types=frozenset({"employee", "line"})),
    "first_response_min": MetricRule("first_response_min", "decimal", unit="min", min=Decimal(0), grain="day"),
    "training_done": MetricRule("training_done", "boolean", grain="month"),
    "monthly_sales": MetricRule("monthly_sales", "decimal", unit="CNY", min=Decimal(0), grain="month"),
    "temperature": MetricRule("temperature", "decimal", unit="°C", min=Decimal(-50), max=Decimal(400),
                              grain="instant", subject_types=frozenset({"machine"})),
}
EMPLOYEES = [f"E{n:05d}" for n in range(500)]
LINES = [f"L{n:02d}" for n in range(20)]
MACHINES = [f"M{n:03d}" for n in range(50)]


def _subjects() -> dict[tuple[str, str], int]:
    subjects: dict[tuple[str, str], int] = {}
    for kind, names in (("employee", EMPLOYEES), ("line", LINES), ("machine", MACHINES)):
        for name in names:
            subjects[(kind, name)] = len(subjects) + 1
    return subjects


def _valid_row(rng: random.Random, index: int) -> dict[str, Any]:
    day = f"2026-11-{rng.randint(1, 30):02d}"
    pick = rng.random()
    row: dict[str, Any]
    if pick < 0.35:
        row = {"metric": "yield_pct", "subject": rng.choice(EMPLOYEES), "period": day,
               "value": round(rng.uniform(85, 100), 2), "unit": "%"}
    elif pick < 0.55:
        row = {"metric": "good_units", "subject_type": "line", "subject": rng.choice(LINES), "period": day,
               "value": rng.randint(0, 20000), "unit": "pcs"}
    elif pick < 0.70:
        row = {"metric": "first_response_min", "subject": rng.choice(EMPLOYEES), "period": day,
               "value": str(round(rng.uniform(1, 120), 1))}  # some systems send numbers as strings
    elif pick < 0.75:
        row = {"metric": "training_done", "subject": rng.choice(EMPLOYEES), "period": "2026-11",
               "value": rng.random() < 0.8}
    elif pick < 0.85:
        row = {"metric": "monthly_sales", "subject": rng.choice(EMPLOYEES), "period": "2026-11",
               "value": round(rng.uniform(0, 500000), 2), "unit": "CNY"}
    else:
        row = {"metric": "temperature", "subject_type": "machine", "subject": rng.choice(MACHINES),
               "at": f"{day}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00+08:00",
               "value": round(rng.uniform(20, 300), 1), "unit": "°C"}
    return {"row_key": f"mes-{index:08d}", **row}


BREAKS = [
    ("unknown_metric", lambda row: {**row, "metric": "no_such_metric"}),
    ("unknown_subject", lambda row: {**row, "subject": "X99999"}),
    ("out_of_range", lambda row: {**row, "metric": "yield_pct", "subject_type": "employee", "subject": "E00001",
                                  "period": "2026-11-01", "value": 120.5, "unit": "%", "at": None}),
    ("not_a_number", lambda row: {**row, "metric": "yield_pct", "subject_type": "employee", "subject": "E00001",
                                  "period": "2026-11-01", "value": "n/a", "unit": "%", "at": None}),
    ("wrong_unit", lambda row: {**row, "metric": "yield_pct", "subject_type": "employee", "subject": "E00001",
                                "period": "2026-11-01", "value": 96.5, "unit": "‰", "at": None}),
    ("bad_period", lambda row: {**row, "metric": "yield_pct", "subject_type": "employee", "subject": "E00001",
                                "period": "2026-11-31", "value": 96.5, "unit": "%", "at": None}),
    ("wrong_grain", lambda row: {**row, "metric": "yield_pct", "subject_type": "employee", "subject": "E00001",
                                 "period": "2026-11", "value": 96.5, "unit": "%", "at": None}),
    ("missing_field", lambda row: {key: value for key, value in row.items() if key != "subject"}),
    ("not_an_integer", lambda row: {**row, "metric": "good_units", "subject_type": "line", "subject": "L01",
                                    "period": "2026-11-01", "value": "3.5", "unit": "pcs", "at": None}),
    ("bad_timestamp", lambda row: {**row, "metric": "temperature", "subject_type": "machine", "subject": "M001",
                                   "period": None, "at": "2026-11-22 25:00", "value": 80, "unit": "°C"}),
    ("subject_type_not_allowed", lambda row: {**row, "metric": "monthly_sales", "subject_type": "line",
                                              "subject": "L01", "period": "2026-11", "unit": "CNY"}),
    ("duplicate_row_key_in_batch", None),  # takes the key of an earlier row
]


def build(size: int, seed: int) -> tuple[bytes, dict[str, int]]:
    rng = random.Random(seed)
    rows: list[dict[str, Any]] = []
    expected: dict[str, int] = {}
    bad = set(rng.sample(range(1, size), size // 10))
    for index in range(size):
        row = _valid_row(rng, index)
        if index in bad:
            code, breaker = BREAKS[index % len(BREAKS)]
            row = {**row, "row_key": rows[index - 1]["row_key"]} if breaker is None else breaker(row)
            row = {key: value for key, value in row.items() if value is not None}
            expected[code] = expected.get(code, 0) + 1
        rows.append(row)
    return json.dumps({"idempotency_key": f"bench-{seed}", "source": "mes", "rows": rows}).encode(), expected


def _timed(data: bytes, subjects: dict[tuple[str, str], int], compressed: bool) -> tuple[float, float, float, Any]:
    """Wall seconds of decode and of validate, CPU seconds of both, and the result."""
    cpu = time.process_time()
    start = time.perf_counter()
    batch = decode_batch(data, gzip=compressed)
    decoded = time.perf_counter()
    assert isinstance(batch, Batch), batch
    result = validate_rows(batch.rows, RULES, subjects)
    return decoded - start, time.perf_counter() - decoded, time.process_time() - cpu, result


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--size", type=int, default=50_000, help="rows (CI: 5000)")
    parser.add_argument("--repeat", type=int, default=7, help="timed runs")
    parser.add_argument("--seed", type=int, default=20261122)
    args = parser.parse_args()

    data, expected = build(args.size, args.seed)
    packed = gzip.compress(data, compresslevel=6)
    subjects = _subjects()
    runs, gz_runs, result = [], [], None
    for _ in range(max(1, args.repeat)):
        *figures_of_run, result = _timed(data, subjects, False)
        runs.append(figures_of_run)
        *figures_of_run, _ = _timed(packed, subjects, True)
        gz_runs.append(figures_of_run)
    assert result is not None
    totals = [decode + check for decode, check, _ in runs]
    counts = result.rejected_by_code()
    ok = (len(result.accepted) + len(result.rejected) == args.size and counts == expected
          and len(result.rejected) == args.size // 10)
    figures = {
        "bench": "ingest_decode",
        "body_bytes": len(data),
        "gzip_bytes": len(packed),
        "accepted": len(result.accepted),
        "rejected": len(result.rejected),
        "decode_s": round(min(decode for decode, _, _ in runs), 4),
        "validate_s": round(min(check for _, check, _ in runs), 4),
        "decode_rows_s": round(args.size / min(decode for decode, _, _ in runs)),
        "validate_rows_s": round(args.size / min(check for _, check, _ in runs)),
        "median_decode_validate_rows_s": round(args.size / statistics.median(totals)),
        "gzip_decode_validate_rows_s": round(args.size / min(decode + check for decode, check, _ in gz_runs)),
        "cpu_decode_validate_rows_s": round(args.size / min(cpu for _, _, cpu in runs)),
        "runs": len(runs),
        "cpus": os.cpu_count(),
        "load_1min": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
        "python": platform.python_version(),
        "msgspec": msgspec.__version__,
        "ok": ok,
        "rows": args.size,
        "decode_validate_rows_s": round(args.size / min(totals)),
    }
    if not ok:
        print(json.dumps({"expected": expected, "got": counts}), file=sys.stderr)
    print(json.dumps(figures, ensure_ascii=False))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
