"""The import benchmark still runs (at a small size); its figures at 10,000 rows are in docs/performance.md."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "import_employees.py"


def test_the_benchmark_runs_and_prints_its_figures() -> None:
    done = subprocess.run([sys.executable, str(BENCH), "--size", "200"], capture_output=True, text=True, timeout=300,
                          check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert figures["bench"] == "import_employees"
    assert figures["rows"] == 200
    assert figures["ok"] is True
    assert figures["seconds"] < 30
