"""Preferences per kind of event: at once, in one digest mail a day, or in the app only."""

import datetime

from django.core import mail

from notifications import services
from notifications.models import Event, Mode, Notification, NotificationPreference, OutboxMessage
from tests import factories as f
from workflows import scenarios as sc
from workflows.models import ScreeningDecision

D = datetime.date


def prefer(user, kind, mode):
    NotificationPreference.objects.create(user=user, kind=kind, mode=mode)


def test_off_keeps_the_notice_in_the_app_and_sends_no_mail(world):
    prefer(world.agent, Event.TASK_AVAILABLE, Mode.OFF)
    pilot = f.submit_pilot(world.company_a, world.company)
    notice = Notification.objects.get(user=world.agent, pilot=pilot)
    assert (notice.email_mode, notice.message) == (Mode.OFF, None)
    assert OutboxMessage.objects.count() == 0
    assert services.digest_send(today=D(2027, 3, 1)) == 0


def test_a_preference_is_per_kind(world):
    prefer(world.company, Event.STAGE_CHANGED, Mode.OFF)
    pilot = f.submit_pilot(world.company_a, world.company)
    sc.screen(pilot, world.agent, ScreeningDecision.REQUEST_INFORMATION, "More, please.")
    sc.request_information(pilot, world.company)
    sc.screen(pilot, world.agent)
    # the company's stage notice stays in the app; the request for information was mailed
    modes = dict(Notification.objects.filter(user=world.company).values_list("kind", "email_mode"))
    assert modes == {Event.INFORMATION_REQUESTED: Mode.IMMEDIATE, Event.STAGE_CHANGED: Mode.OFF}
    assert list(
        OutboxMessage.objects.filter(recipient=world.company).values_list(
            "notification__kind", flat=True
        )
    ) == [Event.INFORMATION_REQUESTED]


def test_the_digest_gathers_a_days_notices_into_one_mail(world):
    prefer(world.agent, Event.TASK_AVAILABLE, Mode.DIGEST)
    pilots = [f.submit_pilot(world.company_a, world.company, title=f"P{n}") for n in range(3)]
    # no mail at once
    assert OutboxMessage.objects.count() == 0
    # when the digest runs in the morning
    assert services.digest_send(today=D(2027, 3, 2)) == 1
    message = OutboxMessage.objects.get()
    assert (message.kind, message.dedupe_key) == (
        OutboxMessage.Kind.DIGEST,
        f"digest:u{world.agent.pk}:2027-03-02",
    )
    assert message.digest_notifications.count() == 3
    services.outbox_relay()
    # then one mail lists the three, each with its link
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.subject == "Kokeilu: your daily digest, 3 notices"
    for pilot in pilots:
        assert f"{pilot.reference}: “Screen the proposal” is waiting in your queue" in email.body
    html = email.alternatives[0][0]
    assert html.count("<li>") == 3


def test_one_digest_a_day_however_often_it_runs(world):
    prefer(world.agent, Event.TASK_AVAILABLE, Mode.DIGEST)
    f.submit_pilot(world.company_a, world.company, title="Morning")
    assert services.digest_send(today=D(2027, 3, 2)) == 1
    # a notice after the day's digest waits for the next day's
    f.submit_pilot(world.company_a, world.company, title="Afternoon")
    assert services.digest_send(today=D(2027, 3, 2)) == 0
    assert services.digest_send(today=D(2027, 3, 3)) == 1
    assert services.digest_send(today=D(2027, 3, 3)) == 0
    assert [m.digest_notifications.count() for m in OutboxMessage.objects.order_by("pk")] == [
        1,
        1,
    ]
    services.outbox_relay()
    assert [email.subject for email in mail.outbox] == [
        "Kokeilu: your daily digest, 1 notice",
        "Kokeilu: your daily digest, 1 notice",
    ]


def test_immediate_and_digest_kinds_mix(world):
    prefer(world.company, Event.STAGE_CHANGED, Mode.DIGEST)
    pilot = f.submit_pilot(world.company_a, world.company)
    sc.screen(pilot, world.agent, ScreeningDecision.REQUEST_INFORMATION, "More, please.")
    sc.request_information(pilot, world.company)
    sc.screen(pilot, world.agent)
    services.outbox_relay()
    # the request for information went at once
    assert sorted(email.to[0] for email in mail.outbox) == [
        "agent@example.com",  # screen
        "agent@example.com",  # screen again
        "agent@example.com",  # match
        "company@example.com",  # request for information
    ]
    services.digest_send(today=D(2027, 3, 2))
    services.outbox_relay()
    assert mail.outbox[-1].subject == "Kokeilu: your daily digest, 1 notice"
    assert f"{pilot.reference} is now in the stage “Matching”" in mail.outbox[-1].body


def test_a_kind_switched_off_before_the_digest_is_left_out(world):
    prefer(world.agent, Event.TASK_AVAILABLE, Mode.DIGEST)
    f.submit_pilot(world.company_a, world.company)
    NotificationPreference.objects.filter(user=world.agent).update(mode=Mode.OFF)
    assert services.digest_send(today=D(2027, 3, 2)) == 0
    assert Notification.objects.get(user=world.agent).email_mode == Mode.OFF
    assert OutboxMessage.objects.count() == 0
