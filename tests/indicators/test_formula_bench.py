"""The formula benchmark still runs (at the small size CI uses); its figures at 10,000 subjects are in
docs/performance.md."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "formulas.py"


def _bench_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_formulas", BENCH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_benchmark_runs_and_prints_its_figures() -> None:
    done = subprocess.run([sys.executable, str(BENCH), "--size", "500"], capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert list(figures)[:3] == ["subjects", "indicators", "seconds"]
    assert figures["subjects"] == 500
    assert figures["indicators"] == 12
    assert figures["ok"] is True
    assert figures["seconds"] < 5


def test_the_inline_fallback_scores_like_the_linear_rule() -> None:
    # the scoring module is the bench's first choice; this proves the fallback would give the same scores
    LinearRule = pytest.importorskip("fairmark.indicators.scoring").LinearRule

    bench = _bench_module()
    values = np.concatenate([np.linspace(0, 10_000, 2001), np.linspace(80, 110, 3001), [np.nan]])
    for _, _, direction, threshold, target, stretch in bench.INDICATORS:
        rule = LinearRule(threshold=Decimal(str(threshold)), target=Decimal(str(target)),
                          stretch=Decimal(str(stretch)), direction=direction)
        inline = bench._linear_inline(direction, threshold, target, stretch)
        np.testing.assert_allclose(inline(values.copy()), rule.score_many(values), atol=1e-9, equal_nan=True)
