"""Benchmark: parse 12 indicator formulas, evaluate them for N subjects over 30 daily points, score every value.

    .venv/bin/python bench/formulas.py                # 10,000 subjects: the target is well under a second
    .venv/bin/python bench/formulas.py --size 500     # the small size CI runs

The data are random but shaped like the real thing (production lines, support tickets, recruiting, training,
admin spend), with gaps: absent days, days without tickets, sparse hiring events and 1 % of subjects with no
data at all, so the missing-value paths are exercised too. Building the data is not timed; parsing, evaluating
and scoring are. Scores come from fairmark.indicators.scoring (LinearRule.score_many) when that module is
importable, else from the same 门槛/目标/挑战 rule written inline with np.interp. The last line printed is
JSON. Figures go in docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from fairmark.indicators.formula import Formula, parse

Array = npt.NDArray[np.float64]
POINTS = 30

# code, formula, direction, threshold, target, stretch (scores 60 / 100 / 120, floor 0, capped at 120)
INDICATORS: list[tuple[str, str, Literal["higher", "lower"], float, float, float]] = [
    ("yield 良品率", "sum(good_units) / sum(produced_units) * 100", "higher", 90, 95, 98),
    ("defect_rate 不良率", "sum(defect_units) / sum(produced_units) * 100", "lower", 5, 3, 1.5),
    ("utilisation 稼动率", "sum(run_hours) / sum(planned_hours) * 100", "higher", 75, 85, 92),
    ("efficiency 生产效率", "if(sum(run_hours) > 0, sum(good_units) / sum(run_hours), 0)", "higher", 38, 44, 50),
    ("on_time 准时交付率", "div(sum(orders_on_time), sum(orders_due), 1) * 100", "higher", 90, 95, 99),
    ("material 材料利用率", "sum(material_in_product_kg) / sum(material_issued_kg) * 100", "higher", 90, 94, 97),
    ("first_response 首次响应时长", "avg(first_response_minutes)", "lower", 60, 30, 15),
    ("resolution 问题解决率", "sum(tickets_resolved) / sum(tickets_opened) * 100", "higher", 80, 90, 95),
    ("time_to_fill 招聘周期", "avg(days_to_fill)", "lower", 45, 30, 20),
    ("cost_per_hire 人均招聘成本", "sum(recruiting_cost) / sum(hires)", "lower", 6000, 4000, 3000),
    ("training 培训完成率", "min(sum(trainings_done) / sum(trainings_planned) * 100, 100)", "higher", 80, 90, 100),
    ("admin_cost 行政费用控制率", "round(sum(admin_spend) / sum(admin_budget) * 100, 1)", "lower", 105, 100, 95),
]


def _series(subjects: int, seed: int) -> dict[str, Array]:
    rng = np.random.default_rng(seed)
    shape = (subjects, POINTS)

    def person(low: float, high: float) -> Array:  # a level per subject, so people differ
        return rng.uniform(low, high, size=(subjects, 1))

    def gaps(table: Array, share: float) -> Array:
        table[rng.random(shape) < share] = np.nan
        return table

    produced = np.rint(rng.normal(330, 30, shape).clip(0))
    good = np.rint(produced * (person(0.92, 0.995) + rng.normal(0, 0.01, shape)).clip(0, 1))
    absent = rng.random(shape) < 0.03  # a day off: no production figures at all that day
    planned = np.full(shape, 8.0)
    run = (planned * (person(0.70, 0.97) + rng.normal(0, 0.05, shape))).clip(0, 8)
    due = rng.poisson(4, shape).astype(np.float64)
    issued = rng.normal(500, 40, shape).clip(1)
    opened = rng.poisson(6, shape).astype(np.float64)
    hires = rng.poisson(0.15, shape).astype(np.float64)
    series = {
        "produced_units": np.where(absent, np.nan, produced),
        "good_units": np.where(absent, np.nan, good),
        "defect_units": np.where(absent, np.nan, produced - good),
        "planned_hours": np.where(absent, np.nan, planned),
        "run_hours": np.where(absent, np.nan, run),
        "orders_due": due,
        "orders_on_time": np.minimum(due, rng.binomial(due.astype(np.int64), person(0.85, 1.0))).astype(float),
        "material_issued_kg": issued,
        "material_in_product_kg": issued * (person(0.88, 0.98) + rng.normal(0, 0.01, shape)),
        "first_response_minutes": gaps(rng.gamma(2.0, person(8, 35), shape), 0.4),  # no tickets some days
        "tickets_opened": opened,
        "tickets_resolved": rng.binomial(opened.astype(np.int64), person(0.75, 0.98)).astype(np.float64),
        "days_to_fill": gaps(rng.normal(person(18, 50), 6, shape).clip(1), 0.9),  # a filled post is rare
        "hires": hires,
        "recruiting_cost": hires * rng.normal(person(2500, 7000), 500, shape).clip(0),
        "trainings_planned": rng.poisson(0.3, shape).astype(np.float64),
        "trainings_done": rng.poisson(0.27, shape).astype(np.float64),
        "admin_spend": rng.normal(person(300, 360), 30, shape),
        "admin_budget": np.full(shape, 330.0),
    }
    nobody = rng.random(subjects) < 0.01  # new starters: no data at all yet
    for table in series.values():
        table[nobody] = np.nan
    return series


def _linear_inline(direction: str, threshold: float, target: float, stretch: float) -> Callable[[Array], Array]:
    """The 门槛/目标/挑战 rule with np.interp, for when the scoring module cannot be imported."""
    xs = np.array([threshold, target, stretch])
    ys = np.array([60.0, 100.0, 120.0])
    if direction == "lower":
        xs, ys = xs[::-1], ys[::-1]

    def score(values: Array) -> Array:
        out = np.interp(values, xs, ys)
        worse = values < threshold if direction == "higher" else values > threshold
        out[worse] = 0.0  # below the threshold: the floor; beyond the stretch np.interp holds the cap
        out[np.isnan(values)] = np.nan
        return out

    return score


def _scorers() -> tuple[str, list[Callable[[Array], Array]]]:
    try:
        from fairmark.indicators.scoring import LinearRule
    except ImportError:
        return "inline np.interp", [_linear_inline(d, th, t, s) for _, _, d, th, t, s in INDICATORS]
    rules = [LinearRule(threshold=Decimal(str(th)), target=Decimal(str(t)), stretch=Decimal(str(s)), direction=d)
             for _, _, d, th, t, s in INDICATORS]
    return "LinearRule.score_many", [rule.score_many for rule in rules]


def _run(series: dict[str, Array], scorers: list[Callable[[Array], Array]]) -> tuple[dict[str, float], list[Array],
                                                                                       list[Array], list[Formula]]:
    cpu_start = time.process_time()
    start = time.perf_counter()
    formulas = [parse(text) for _, text, *_ in INDICATORS]
    parsed = time.perf_counter()
    values = [formula.evaluate(series) for formula in formulas]
    evaluated = time.perf_counter()
    scores = [score(value) for score, value in zip(scorers, values, strict=True)]
    scored = time.perf_counter()
    times = {"seconds": scored - start, "cpu_seconds": time.process_time() - cpu_start, "parse_seconds": parsed - start, "evaluate_seconds": evaluated - parsed,
             "score_seconds": scored - evaluated}
    return times, values, scores, formulas


def _check(series: dict[str, Array], values: list[Array], scores: list[Array], formulas: list[Formula],
           subjects: int) -> bool:
    ok = all(v.shape == (subjects,) and s.shape == (subjects,) for v, s in zip(values, scores, strict=True))
    ok = ok and all(not np.isinf(v).any() for v in values)
    ok = ok and all(bool(np.all(np.isnan(s) | ((s >= 0) & (s <= 120)))) for s in scores)
    # the explanation of one subject ends with exactly the value computed for everyone
    for formula, value in zip(formulas, values, strict=True):
        last = formula.explain(series, subjects // 2)[-1].value
        expected = float(value[subjects // 2])
        ok = ok and ((last is None and math.isnan(expected)) or last == expected)
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000, help="subjects (CI: 500)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs; the first is reported as seconds")
    parser.add_argument("--seed", type=int, default=20240601)
    args = parser.parse_args()

    series = _series(args.size, args.seed)
    scoring, scorers = _scorers()
    runs = [_run(series, scorers) for _ in range(max(1, args.repeat))]
    times, values, scores, formulas = runs[0]  # the first, cold run: what a page or a task would see
    all_seconds = [run[0]["seconds"] for run in runs]
    missing = int(sum(int(np.isnan(v).sum()) for v in values))
    figures = {
        "subjects": args.size,
        "indicators": len(INDICATORS),
        "seconds": round(times["seconds"], 4),
        "bench": "formulas",
        "cpu_seconds": round(times["cpu_seconds"], 4),
        "points": POINTS,
        "metrics": len(series),
        "parse_seconds": round(times["parse_seconds"], 4),
        "evaluate_seconds": round(times["evaluate_seconds"], 4),
        "score_seconds": round(times["score_seconds"], 4),
        "best_seconds": round(min(all_seconds), 4),
        "median_seconds": round(statistics.median(all_seconds), 4),
        "runs": len(runs),
        "values": args.size * len(INDICATORS),
        "missing_values": missing,
        "scoring": scoring,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "ok": _check(series, values, scores, formulas, args.size),
    }
    print(json.dumps(figures, ensure_ascii=False))
    return 0 if figures["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
