"""Channels are pluggable: a new adapter is a class named in settings; callers of notify() do not
change. The system check catches a misconfigured channel at start-up."""

from __future__ import annotations

from typing import Any

from django.core import mail

from fairmark.accounts.models import User
from fairmark.notifications.checks import check_channels
from fairmark.notifications.models import OutboxMessage, OutboxStatus
from fairmark.notifications.services import deliver_due, notify

from .helpers import RecordingChannel


def _notify_as_a_domain_service_would(person: User) -> None:
    # Exactly the call a review service makes; it names no channel.
    notify(recipients=[person], kind="goal.approved", title="Goal approved", body="Your goal was approved.",
           event_key="goal:7:approved")


def test_a_channel_registered_in_settings_needs_no_caller_change(person: User, settings: Any) -> None:
    RecordingChannel.reset()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.FAIRMARK_CHANNELS = {**settings.FAIRMARK_CHANNELS, "robot": "tests.notifications.helpers.RecordingChannel"}
    settings.FAIRMARK_CHANNELS_ENABLED = ["email", "robot"]
    _notify_as_a_domain_service_would(person)
    assert set(OutboxMessage.objects.values_list("channel", "address")) == {
        ("email", "lin@example.com"), ("robot", "robot:lin")
    }
    assert deliver_due()["sent"] == 2
    assert [(address, subject) for _pk, address, subject in RecordingChannel.sent] == [("robot:lin", "Goal approved")]
    assert [m.to for m in mail.outbox] == [["lin@example.com"]]
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxStatus.SENT}
    RecordingChannel.reset()


def test_disabled_channels_get_no_messages(person: User, settings: Any) -> None:
    settings.FAIRMARK_CHANNELS = {**settings.FAIRMARK_CHANNELS, "robot": "tests.notifications.helpers.RecordingChannel"}
    settings.FAIRMARK_CHANNELS_ENABLED = ["robot"]
    _notify_as_a_domain_service_would(person)
    assert list(OutboxMessage.objects.values_list("channel", flat=True)) == ["robot"]


def test_system_check_reports_misconfigured_channels(settings: Any) -> None:
    assert check_channels(None) == []
    settings.FAIRMARK_CHANNELS_ENABLED = ["email", "wecom"]
    settings.FAIRMARK_CHANNELS = {
        "email": settings.FAIRMARK_CHANNELS["email"],
        "dingtalk": "fairmark.notifications.channels.dingtalk.DingTalkChannel",
        "robot": "tests.notifications.helpers.MisnamedChannel",
    }
    ids = sorted(str(problem.id) for problem in check_channels(None))
    assert ids == ["fairmark.E101", "fairmark.E102", "fairmark.W101"]
