"""Alerts on goals, end to end: a defect-rate rule on the indicator ("above 5 warns, above 8 is critical")
watching an employee's KPI goal fed by the real push API (acceptance: one alert opened at warning with one
notification each to the employee and the manager, raised to critical, nothing new when the same data comes
again, resolved when back to 4); acknowledging; pace and staleness by the date."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from fairmark.audit.models import AuditEvent
from fairmark.core.access import SYSTEM
from fairmark.core.errors import OutOfScope, ServiceError
from fairmark.goals.models import Alert, AlertEvent, AlertKind, AlertStatus, AlertWatermark, CheckIn, Goal
from fairmark.goals.services.alert_rules import alert_rule_create, alert_rule_update
from fairmark.goals.services.alerts import alert_acknowledge, check_pace_and_staleness, evaluate_threshold_alerts
from fairmark.notifications.models import Notification

from ..ingestion.support import push
from .support import YEAR, build_goals, kpi_goal, okr_goal

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_outbox(settings: Any) -> None:
    """In-app notifications only: the counts below are of Notification rows, and no mail server is asked."""
    settings.FAIRMARK_CHANNELS_ENABLED = []


def defect_row(day: date, value: Any, *, number: str = "E0004") -> dict[str, Any]:
    return {"row_key": f"defect-{number}-{day.isoformat()}", "metric": "defect_rate", "subject_type": "employee",
            "subject": number, "period": day.isoformat(), "value": value}


def send(capture: Any, key: str, rows: list[dict[str, Any]], api_key: str) -> dict[str, Any]:
    """Push a batch as the MES does and let what runs after its commit run (the KPI refresh and the alerts)."""
    with capture(execute=True):
        response = push(Client(), {"idempotency_key": key, "rows": rows}, key=api_key)
    assert response.status_code in (200, 201), response.content
    return response.json()


def notes(world: Any, role: str) -> list[Notification]:
    return list(Notification.objects.filter(recipient=world.user(role), kind="goal.alert").order_by("pk"))


def kinds() -> list[str]:
    return list(AlertEvent.objects.order_by("pk").values_list("kind", flat=True))


def test_defect_rate_alert_through_the_push_api(world, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    goals = build_goals(world)
    goal = kpi_goal(world, goals.defect)
    rule = alert_rule_create(actor=world.user("hr"), name="不良率预警", kind=AlertKind.THRESHOLD,
                             indicator=goals.defect.indicator, warning="5", critical="8")
    assert rule.direction == "above"  # lower is better for a defect rate: worse when above
    key = goals.mes.key
    march = [date(YEAR, 3, day) for day in range(1, 8)]

    # Days at or under 5: the goal moves, no alert.
    send(django_capture_on_commit_callbacks, "d1", [defect_row(march[0], "3"), defect_row(march[1], "4.5"),
                                                     defect_row(march[2], "5")], key)
    assert Goal.objects.get(pk=goal.pk).value == Decimal("4.1666666667")
    assert not Alert.objects.exists()
    assert AlertWatermark.objects.get(rule=rule, goal=goal).period == march[2]
    assert notes(world, "employee") == []
    assert notes(world, "manager") == []

    # Crossing 5 twice in one batch: one alert, opened at warning; one notification each.
    send(django_capture_on_commit_callbacks, "d2", [defect_row(march[3], "5.5"), defect_row(march[4], "6")], key)
    alert = Alert.objects.get()
    assert (alert.goal_id, alert.rule_id, alert.level, alert.status) == (goal.pk, rule.pk, "warning", "open")
    assert alert.value == Decimal("5.5")
    assert alert.period == march[3]
    assert kinds() == ["opened"]
    assert len(notes(world, "employee")) == 1
    assert len(notes(world, "manager")) == 1
    note = notes(world, "employee")[0]
    assert "/goals/" in note.link
    assert str(goal.pk) in note.link
    assert note.event_key == f"goal-alert:{alert.pk}:{AlertEvent.objects.get().pk}"
    assert Notification.objects.filter(kind="goal.alert").count() == 2  # nobody else (not the peer, not HR)

    # 8.5: raised to critical, one more notification each.
    raise_rows = [defect_row(march[5], "8.5")]
    send(django_capture_on_commit_callbacks, "d3", raise_rows, key)
    alert.refresh_from_db()
    assert (alert.level, alert.status, alert.value) == ("critical", "open", Decimal("8.5"))
    assert kinds() == ["opened", "raised"]
    assert len(notes(world, "employee")) == 2
    assert len(notes(world, "manager")) == 2

    # The same batch again: under the same idempotency key, and under a new key with the same rows.
    send(django_capture_on_commit_callbacks, "d3", raise_rows, key)
    send(django_capture_on_commit_callbacks, "d3-again", raise_rows, key)
    evaluate_threshold_alerts([goal.pk])  # and the evaluation itself, run again by hand
    assert kinds() == ["opened", "raised"]
    assert len(notes(world, "employee")) == 2
    assert len(notes(world, "manager")) == 2
    assert Alert.objects.count() == 1

    # Back to 4: resolved, one notification each.
    send(django_capture_on_commit_callbacks, "d4", [defect_row(march[6], "4")], key)
    alert.refresh_from_db()
    assert (alert.level, alert.status) == ("ok", "resolved")
    assert alert.resolved_at is not None
    assert kinds() == ["opened", "raised", "resolved"]
    assert len(notes(world, "employee")) == 3
    assert len(notes(world, "manager")) == 3
    assert AlertWatermark.objects.get(rule=rule, goal=goal).period == march[6]
    titles = [n.title for n in notes(world, "manager")]
    assert all(goal.title in title for title in titles)


def test_a_batch_going_up_and_down_is_one_event_per_change(world, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    goals = build_goals(world)
    kpi_goal(world, goals.defect)
    alert_rule_create(actor=world.user("exec"), name="r", kind=AlertKind.THRESHOLD, indicator=goals.defect.indicator,
                      warning="5", critical="8")
    send(django_capture_on_commit_callbacks, "a", [defect_row(date(YEAR, 4, 1), "1")], goals.mes.key)
    # out of order in the batch: read in date order, 5.5 → 9 → 9.5 → 4 → 6
    values = {2: "9", 1: "5.5", 3: "9.5", 5: "6", 4: "4"}
    send(django_capture_on_commit_callbacks, "b",
         [defect_row(date(YEAR, 4, 1 + day), value) for day, value in values.items()], goals.mes.key)
    assert kinds() == ["opened", "raised", "resolved", "opened"]
    assert Alert.objects.filter(status="resolved").count() == 1
    live = Alert.objects.get(status="open")
    assert (live.level, live.period) == ("warning", date(YEAR, 4, 6))
    assert len(notes(world, "employee")) == 4


def test_older_days_sent_later_raise_nothing(world, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    goals = build_goals(world)
    kpi_goal(world, goals.defect)
    alert_rule_create(actor=world.user("hr"), name="r", kind=AlertKind.THRESHOLD, indicator=goals.defect.indicator,
                      warning="5")
    send(django_capture_on_commit_callbacks, "a", [defect_row(date(YEAR, 5, 10), "2")], goals.mes.key)
    send(django_capture_on_commit_callbacks, "b", [defect_row(date(YEAR, 5, 1), "7")], goals.mes.key)
    assert not AlertEvent.objects.exists()


def test_a_rule_on_one_goal_and_a_rule_starting_late(world, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    goals = build_goals(world)
    goal = kpi_goal(world, goals.defect)
    other = kpi_goal(world, goals.defect, person="peer", title="刘同事不良率")
    key = goals.mes.key
    # History before any rule: a bad spell that is over.
    send(django_capture_on_commit_callbacks, "h", [defect_row(date(YEAR, 2, 1), "9"), defect_row(date(YEAR, 2, 2), "3"),
                                                    defect_row(date(YEAR, 2, 1), "9", number="E0005")], key)
    rule = alert_rule_create(actor=world.user("employee"), name="我的不良率", kind=AlertKind.THRESHOLD, goal=goal,
                             warning="4")
    send(django_capture_on_commit_callbacks, "n", [defect_row(date(YEAR, 2, 3), "4.5"),
                                                    defect_row(date(YEAR, 2, 3), "4.5", number="E0005")], key)
    # The rule starts at the latest period (the 2nd, ok): February 1st is not replayed; the peer's goal has no rule.
    assert kinds() == ["opened"]
    assert Alert.objects.get().goal_id == goal.pk
    assert not Alert.objects.filter(goal=other).exists()
    assert AuditEvent.objects.filter(action="goal.alert_rule.create", object_id=str(rule.pk)).count() == 1


def test_acknowledge_lifecycle(world, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    goals = build_goals(world)
    kpi_goal(world, goals.defect)
    alert_rule_create(actor=world.user("hr"), name="r", kind=AlertKind.THRESHOLD, indicator=goals.defect.indicator,
                      warning="5", critical="8")
    key = goals.mes.key
    send(django_capture_on_commit_callbacks, "a", [defect_row(date(YEAR, 6, 1), "6")], key)
    alert = Alert.objects.get()
    # The HR BP of QA does not see a goal of the production line.
    with pytest.raises(OutOfScope):
        alert_acknowledge(actor=world.user("hrbp"), alert=alert)
    acked = alert_acknowledge(actor=world.user("manager"), alert=alert)
    assert (acked.status, acked.acknowledged_by) == (AlertStatus.ACKNOWLEDGED, world.user("manager"))
    assert AuditEvent.objects.filter(action="goal.alert.acknowledge", object_id=str(alert.pk)).count() == 1
    with pytest.raises(ServiceError):
        alert_acknowledge(actor=world.user("employee"), alert=alert)
    # Same level again: silent, still acknowledged.
    send(django_capture_on_commit_callbacks, "b", [defect_row(date(YEAR, 6, 2), "7")], key)
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED
    assert len(notes(world, "employee")) == 1
    # Raised: open again, notified.
    send(django_capture_on_commit_callbacks, "c", [defect_row(date(YEAR, 6, 3), "9")], key)
    alert.refresh_from_db()
    assert (alert.status, alert.level, alert.acknowledged_at) == (AlertStatus.OPEN, "critical", None)
    assert len(notes(world, "employee")) == 2
    # The owner acknowledges this time; then it resolves and notifies once more.
    alert_acknowledge(actor=world.user("employee"), alert=alert)
    send(django_capture_on_commit_callbacks, "d", [defect_row(date(YEAR, 6, 4), "1")], key)
    alert.refresh_from_db()
    assert alert.status == AlertStatus.RESOLVED
    assert kinds() == ["opened", "acknowledged", "raised", "acknowledged", "resolved"]
    assert len(notes(world, "manager")) == 3
    with pytest.raises(ServiceError):
        alert_acknowledge(actor=world.user("manager"), alert=alert)


def test_who_may_acknowledge(world) -> None:  # type: ignore[no-untyped-def]
    from django.core.exceptions import PermissionDenied

    goals = build_goals(world)
    goal = kpi_goal(world, goals.defect)
    rule = alert_rule_create(actor=SYSTEM, name="r", kind=AlertKind.THRESHOLD, goal=goal, warning="5")
    alert = Alert.objects.create(rule=rule, goal=goal, level="warning")
    with pytest.raises(PermissionDenied):  # a system admin reads everyone's goals but leads nobody
        alert_acknowledge(actor=world.user("admin"), alert=alert)
    for role in ("head", "hr"):
        alert_acknowledge(actor=world.user(role), alert=alert)
        Alert.objects.filter(pk=alert.pk).update(status="open")


def test_pace_warns_a_goal_behind_for_the_date(world) -> None:  # type: ignore[no-untyped-def]
    build_goals(world)
    goal = okr_goal(world, key_results=[{"title": "a", "start": "0", "target": "100", "current": "10"}])
    assert Goal.objects.get(pk=goal.pk).progress == Decimal("0.1")
    rule = alert_rule_create(actor=world.user("manager"), name="进度落后", kind=AlertKind.PACE, goal=goal,
                             warning="0.2", critical="0.6")
    mid = date(YEAR, 7, 2)  # the middle of the year: 50 % expected, 10 % done, 40 % behind
    early = date(YEAR, 2, 1)  # 8.5 % expected: not behind
    assert check_pace_and_staleness(today=early) == []
    assert len(check_pace_and_staleness(today=mid)) == 1
    alert = Alert.objects.get(rule=rule)
    assert (alert.level, alert.status, alert.value) == ("warning", "open", Decimal("0.1"))
    assert len(notes(world, "employee")) == 1
    assert len(notes(world, "manager")) == 1
    assert "%" in notes(world, "employee")[0].body
    # The hourly check again on the same day: nothing new.
    assert check_pace_and_staleness(today=mid) == []
    # Late in the year, more than 60 % behind: critical.
    check_pace_and_staleness(today=date(YEAR, 11, 30))
    alert.refresh_from_db()
    assert alert.level == "critical"
    assert kinds() == ["opened", "raised"]


def test_stale_goal_warns_and_resolves_when_data_arrives(world, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    goals = build_goals(world)
    goal = kpi_goal(world, goals.defect)
    alert_rule_create(actor=world.user("hr"), name="数据中断", kind=AlertKind.STALE, indicator=goals.defect.indicator,
                      warning="3", critical="10")
    send(django_capture_on_commit_callbacks, "a", [defect_row(date(YEAR, 3, 1), "2")], goals.mes.key)
    assert Goal.objects.get(pk=goal.pk).value_on == date(YEAR, 3, 1)
    assert check_pace_and_staleness(today=date(YEAR, 3, 4)) == []  # 3 days: not more than 3
    check_pace_and_staleness(today=date(YEAR, 3, 5))
    alert = Alert.objects.get()
    assert (alert.level, alert.value) == ("warning", Decimal(4))
    check_pace_and_staleness(today=date(YEAR, 3, 12))
    alert.refresh_from_db()
    assert alert.level == "critical"
    send(django_capture_on_commit_callbacks, "b", [defect_row(date(YEAR, 3, 12), "2")], goals.mes.key)
    check_pace_and_staleness(today=date(YEAR, 3, 12))
    alert.refresh_from_db()
    assert (alert.level, alert.status) == ("ok", "resolved")
    assert kinds() == ["opened", "raised", "resolved"]
    assert len(notes(world, "employee")) == 3


def test_stale_okr_reads_its_check_ins(world) -> None:  # type: ignore[no-untyped-def]
    build_goals(world)
    goal = okr_goal(world)
    zone = timezone.get_current_timezone()
    Goal.objects.filter(pk=goal.pk).update(created_at=datetime(YEAR - 1, 12, 20, tzinfo=zone))
    alert_rule_create(actor=world.user("employee"), name="多久没更新", kind=AlertKind.STALE, goal=goal, warning="14")
    # Never checked in: counted from the start of the goal's period (it was created before).
    assert check_pace_and_staleness(today=date(YEAR, 1, 15)) == []
    check_pace_and_staleness(today=date(YEAR, 1, 16))
    assert Alert.objects.get().level == "warning"
    checkin = CheckIn.objects.create(goal=goal, comment="进展")
    CheckIn.objects.filter(pk=checkin.pk).update(at=datetime(YEAR, 2, 1, 9, tzinfo=zone))
    check_pace_and_staleness(today=date(YEAR, 2, 10))
    assert Alert.objects.get().status == "resolved"
    check_pace_and_staleness(today=date(YEAR, 2, 16))  # 15 days after the check-in: stale again
    assert list(Alert.objects.order_by("pk").values_list("status", flat=True)) == ["resolved", "open"]


def test_rules_validate_their_bounds(world) -> None:  # type: ignore[no-untyped-def]
    goals = build_goals(world)
    okr = okr_goal(world)
    hr = world.user("hr")
    cases: list[tuple[dict[str, Any], str]] = [
        ({"kind": "threshold", "warning": "5", "critical": "3"}, "critical"),  # above: critical must be above
        ({"kind": "threshold", "warning": "5", "critical": "8", "direction": "below"}, "critical"),
        ({"kind": "threshold", "warning": ""}, "warning"),
        ({"kind": "threshold", "warning": "x"}, "warning"),
        ({"kind": "pace", "warning": "1.5"}, "warning"),
        ({"kind": "pace", "warning": "0.3", "critical": "0.2"}, "critical"),
        ({"kind": "stale", "warning": "2.5"}, "warning"),
        ({"kind": "stale", "warning": "0"}, "warning"),
        ({"kind": "stale", "warning": "7", "critical": "7"}, "critical"),
        ({"kind": "nonsense", "warning": "7"}, "kind"),
        ({"kind": "threshold", "warning": "1", "name": " "}, "name"),
    ]
    for fields, field in cases:
        body = {"name": "r", "indicator": goals.defect.indicator, **fields}
        with pytest.raises(ServiceError) as caught:
            alert_rule_create(actor=hr, **body)
        assert field in caught.value.fields, (fields, caught.value.fields)
    with pytest.raises(ServiceError) as caught:  # a threshold needs an indicator's value
        alert_rule_create(actor=hr, name="r", kind="threshold", goal=okr, warning="1")
    assert "kind" in caught.value.fields
    with pytest.raises(ServiceError):  # both subjects at once
        alert_rule_create(actor=hr, name="r", kind="pace", goal=okr, indicator=goals.defect.indicator, warning="0.1")
    rule = alert_rule_create(actor=hr, name="r", kind="threshold", indicator=goals.output.indicator, warning="600")
    assert rule.direction == "below"  # higher is better for output
    assert not AlertEvent.objects.exists()


def test_who_writes_rules(world) -> None:  # type: ignore[no-untyped-def]
    from django.core.exceptions import PermissionDenied

    goals = build_goals(world)
    mine = kpi_goal(world, goals.defect)
    theirs = kpi_goal(world, goals.defect, person="other", actor="head", title="孙其他不良率")
    for role in ("employee", "manager", "head", "hrbp", "admin"):
        with pytest.raises(PermissionDenied):
            alert_rule_create(actor=world.user(role), name="r", kind="threshold", indicator=goals.defect.indicator,
                              warning="5")
    for role in ("hr", "exec"):
        alert_rule_create(actor=world.user(role), name="r", kind="threshold", indicator=goals.defect.indicator,
                          warning="5")
    with pytest.raises(OutOfScope):  # the employee does not see a goal of another line
        alert_rule_create(actor=world.user("employee"), name="r", kind="pace", goal=theirs, warning="0.2")
    with pytest.raises(PermissionDenied):  # everyone reads company goals; only HR admins and executives write them
        alert_rule_create(actor=world.user("employee"), name="r", kind="pace", goal=goals.company, warning="0.2")
    own = alert_rule_create(actor=world.user("employee"), name="mine", kind="pace", goal=mine, warning="0.2")
    with pytest.raises(OutOfScope):
        alert_rule_update(actor=world.user("hrbp"), rule=own, changes={"name": "x"})
    updated = alert_rule_update(actor=world.user("manager"), rule=own, changes={"warning": "0.3", "name": "团队"})
    assert (updated.warning, updated.name) == (Decimal("0.3"), "团队")
    with pytest.raises(ServiceError):
        alert_rule_update(actor=world.user("manager"), rule=own, changes={"kind": "stale"})
    assert AuditEvent.objects.filter(action="goal.alert_rule.update", object_id=str(own.pk)).count() == 1


def test_turning_a_rule_off_resolves_its_alerts_silently(world) -> None:  # type: ignore[no-untyped-def]
    build_goals(world)
    goal = okr_goal(world, key_results=[{"title": "a", "start": "0", "target": "100", "current": "0"}])
    rule = alert_rule_create(actor=world.user("employee"), name="p", kind="pace", goal=goal, warning="0.1")
    check_pace_and_staleness(today=date(YEAR, 6, 1))
    assert Alert.objects.get().status == "open"
    before = Notification.objects.count()
    alert_rule_update(actor=world.user("employee"), rule=rule, changes={"active": False})
    assert Alert.objects.get().status == "resolved"
    assert Notification.objects.count() == before
    assert check_pace_and_staleness(today=date(YEAR, 6, 2)) == []  # an inactive rule checks nothing


def test_a_rule_reads_the_latest_data_when_created_and_when_changed(world, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    goals = build_goals(world)
    goal = kpi_goal(world, goals.defect)
    send(django_capture_on_commit_callbacks, "a", [defect_row(date(YEAR, 3, 1), "9"), defect_row(date(YEAR, 3, 2), "6")],
         goals.mes.key)
    with django_capture_on_commit_callbacks(execute=True):
        rule = alert_rule_create(actor=world.user("hr"), name="r", kind=AlertKind.THRESHOLD,
                                 indicator=goals.defect.indicator, warning="5", critical="8")
    alert = Alert.objects.get()  # the goal is already beyond the warning on its latest day (6), not replayed (9)
    assert (alert.level, alert.period, alert.goal_id) == ("warning", date(YEAR, 3, 2), goal.pk)
    assert len(notes(world, "employee")) == 1
    with django_capture_on_commit_callbacks(execute=True):
        alert_rule_update(actor=world.user("exec"), rule=rule, changes={"warning": "6.5"})
    alert.refresh_from_db()
    assert alert.status == "resolved"
    with django_capture_on_commit_callbacks(execute=True):
        alert_rule_update(actor=world.user("exec"), rule=rule, changes={"name": "renamed"})  # bounds unchanged
    assert kinds() == ["opened", "resolved"]
    assert AlertWatermark.objects.get(rule=rule, goal=goal).period == date(YEAR, 3, 2)
