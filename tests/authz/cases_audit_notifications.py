"""Authorization cases for the notification centre, the outbox and the audit log.

The test world has no notifications, outbox messages or audit events, so `seed()` makes them. It
must run before check() takes its "nothing changed" fingerprint, and check() computes the URL only
after that; so these cases seed in `status_for`, the first thing check() calls. (If matrix.check
ever evaluates `case.url(world)` before the fingerprint, the url lambdas' own seed() call suffices.)
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from fairmark.accounts.models import User
from fairmark.audit import services as audit
from fairmark.audit.models import AuditEvent
from fairmark.notifications.models import Notification, OutboxMessage, OutboxStatus
from fairmark.org.models import Department
from tests.authz.matrix import Case
from tests.world import World

SIGNED_IN = ("employee", "manager", "head", "hrbp", "hr", "exec", "admin")
AUDIT_READERS = ("hrbp", "hr", "admin")


@dataclass(frozen=True)
class Seeded:
    employee_note: int  # the employee's own notification
    outsider_note: int  # a notification of a user who has none of the roles
    sent_message: int  # an outbox message that was delivered (retrying it is refused)
    qa_event: int  # seq of an audit event scoped to QA, the HR BP's unit
    line1_event: int  # seq of an audit event scoped to LINE1, outside the HR BP's units
    hrbp_own_event: int  # seq of an action the HR BP took outside their units
    employee_own_event: int  # seq of an action the employee took (no org scope)


def seed() -> Seeded:
    """Idempotent: the first call in a test creates, later calls find."""
    if not User.objects.filter(username="matrix-outsider").exists():
        outsider = User.objects.create_user(username="matrix-outsider", email="outsider@example.com")
        employee, hr, hrbp = (User.objects.get(username=name) for name in ("employee", "hr", "hrbp"))
        Notification.objects.create(recipient=employee, kind="matrix", title="Yours", event_key="matrix:employee")
        Notification.objects.create(recipient=outsider, kind="matrix", title="Not yours", event_key="matrix:outsider")
        OutboxMessage.objects.create(
            channel="email", recipient=employee, address="employee@example.com", dedupe_key="matrix:sent",
            subject="Delivered", body="", status=OutboxStatus.SENT, attempts=1, next_attempt_at=timezone.now(),
            sent_at=timezone.now(),
        )
        qa, line1 = Department.objects.get(code="QA"), Department.objects.get(code="LINE1")
        audit.record(actor=hr, action="matrix.qa", obj=qa, scope=qa.path)
        audit.record(actor=hr, action="matrix.line1", obj=line1, scope=line1.path)
        audit.record(actor=hrbp, action="matrix.hrbp_own", obj=line1, scope=line1.path)
        audit.record(actor=employee, action="matrix.employee_own", obj=employee)
    seq = dict(AuditEvent.objects.filter(action__startswith="matrix.").values_list("action", "seq"))
    return Seeded(
        employee_note=Notification.objects.get(event_key="matrix:employee").pk,
        outsider_note=Notification.objects.get(event_key="matrix:outsider").pk,
        sent_message=OutboxMessage.objects.get(dedupe_key="matrix:sent").pk,
        qa_event=seq["matrix.qa"],
        line1_event=seq["matrix.line1"],
        hrbp_own_event=seq["matrix.hrbp_own"],
        employee_own_event=seq["matrix.employee_own"],
    )


@dataclass(frozen=True)
class SeededCase(Case):
    def status_for(self, role: str) -> int:
        seed()
        return super().status_for(role)


def ok(roles: tuple[str, ...], status: int = 200) -> dict[str, int]:
    return dict.fromkeys(roles, status)


def _s(_w: World) -> Seeded:
    return seed()


CASES = [
    # --- notification centre: everyone signed in has one; only their own is in it ---------------
    SeededCase("notification centre", "notifications:centre", lambda w: "/notifications/", expect=ok(SIGNED_IN)),
    SeededCase(
        "mark someone else's notification read (page)", "notifications:mark_read", lambda w: "/notifications/mark-read/",
        method="POST", data=lambda w: {"id": _s(w).outsider_note}, expect=ok(SIGNED_IN, 302),
    ),
    SeededCase("notification list (API)", "api:notification-list", lambda w: "/api/v1/notifications/",
               expect=ok(SIGNED_IN), api=True),
    SeededCase(
        "own notification (API)", "api:notification-detail",
        lambda w: f"/api/v1/notifications/{_s(w).employee_note}/", expect={"employee": 200}, api=True,
    ),
    SeededCase(
        "someone else's notification (API)", "api:notification-detail",
        lambda w: f"/api/v1/notifications/{_s(w).outsider_note}/", api=True,
    ),
    SeededCase("unread count (API)", "api:notification-unread", lambda w: "/api/v1/notifications/unread/",
               expect=ok(SIGNED_IN), api=True),
    # 200, and the fingerprint proves nothing changed: another person's id is ignored.
    SeededCase(
        "mark someone else's notification read (API)", "api:notification-mark-read",
        lambda w: "/api/v1/notifications/mark-read/", method="POST", data=lambda w: {"ids": [_s(w).outsider_note]},
        expect=ok(SIGNED_IN), api=True,
    ),
    # --- outbox: system admins only ---------------------------------------------------------------
    SeededCase("outbox page", "notifications:outbox", lambda w: "/notifications/outbox/", expect={"admin": 200}),
    SeededCase(
        "retry a delivered message", "notifications:outbox_retry",
        lambda w: f"/notifications/outbox/{_s(w).sent_message}/retry/", method="POST", data=lambda w: {},
        expect={"admin": 302},  # refused with a message: only failed messages are retried
    ),
    # --- audit log: HR admin and system admin everything, HR BP own units + own actions; the page is
    # theirs alone, the API also gives everyone else their own actions (DESIGN.md §6) ---------------
    SeededCase("audit log page", "audit:events", lambda w: "/audit/", expect=ok(AUDIT_READERS)),
    SeededCase("audit events (API)", "api:audit-event-list", lambda w: "/api/v1/audit/events/",
               expect=ok(SIGNED_IN), api=True),
    SeededCase(
        "audit event in the HR BP's unit (API)", "api:audit-event-detail",
        lambda w: f"/api/v1/audit/events/{_s(w).qa_event}/", expect=ok(AUDIT_READERS), api=True,
    ),
    SeededCase(
        "audit event outside the HR BP's units (API)", "api:audit-event-detail",
        lambda w: f"/api/v1/audit/events/{_s(w).line1_event}/", expect=ok(("hr", "admin")), api=True,
    ),
    SeededCase(
        "the HR BP's own action outside their units (API)", "api:audit-event-detail",
        lambda w: f"/api/v1/audit/events/{_s(w).hrbp_own_event}/", expect=ok(AUDIT_READERS), api=True,
    ),
    SeededCase(
        "the employee's own action (API)", "api:audit-event-detail",
        lambda w: f"/api/v1/audit/events/{_s(w).employee_own_event}/", expect=ok(("employee", "hr", "admin")), api=True,
    ),
]
