"""Values about lines reach people through dated subject mappings (DESIGN.md C3)."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from fairmark.core.access import SYSTEM
from fairmark.ingestion.selectors import values_reaching
from fairmark.ingestion.services.subjects import subject_mapping_add, subject_mapping_end

from .support import build_mes, push

pytestmark = pytest.mark.django_db


def _output(subject: str, day: str, value: int, subject_type: str = "line") -> dict:
    return {"row_key": f"{subject}-{day}", "metric": "output", "subject_type": subject_type, "subject": subject,
            "period": day, "value": value}


def test_a_lines_values_reach_its_operators_only_while_they_are_on_it(world) -> None:
    mes = build_mes(world)
    employee = world.people["employee"]
    rows = [_output("L1", f"2026-11-0{d}", 100 + d) for d in range(1, 7)]
    rows += [_output("L2", f"2026-11-0{d}", 200 + d) for d in range(1, 7)]
    rows.append(_output("E0004", "2026-11-02", 7, "employee"))
    push(Client(), {"idempotency_key": "a", "rows": rows}, key=mes.key)
    on_l1 = subject_mapping_add(actor=SYSTEM, subject=mes.lines["L1"], employee=employee, valid_from=date(2026, 11, 1),
                                role="甲班")
    subject_mapping_end(actor=SYSTEM, mapping=on_l1, valid_to=date(2026, 11, 3))
    subject_mapping_add(actor=SYSTEM, subject=mes.lines["L2"], employee=employee, valid_from=date(2026, 11, 4))
    found = values_reaching(employee.pk, metric_codes=["output"], start=date(2026, 11, 1), end=date(2026, 11, 30))
    got = sorted((v.period, int(v.value)) for v in found)
    assert got == [("2026-11-01", 101), ("2026-11-02", 7), ("2026-11-02", 102), ("2026-11-03", 103),
                   ("2026-11-04", 204), ("2026-11-05", 205), ("2026-11-06", 206)]
    peer = world.people["peer"]  # never mapped: only values about the person count
    assert not values_reaching(peer.pk, metric_codes=["output"], start=date(2026, 11, 1), end=date(2026, 11, 30))
