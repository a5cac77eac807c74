"""The outbox: written with the change, published after commit, sent once, retried, failed."""

import datetime
import logging
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from notifications import services, tasks
from notifications.models import Event, Notification, OutboxMessage
from tests import factories as f
from workflows import scenarios as sc
from workflows.scenarios import open_task


def test_mail_is_published_only_after_the_commit(world, django_capture_on_commit_callbacks):
    # when a proposal is submitted, inside its transaction
    with mock.patch.object(tasks.outbox_deliver, "apply_async") as publish:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            pilot = f.submit_pilot(world.company_a, world.company)
        # then nothing was published while the transaction was open
        assert publish.call_count == 0
        assert OutboxMessage.objects.get().status == OutboxMessage.Status.PENDING
        # and one publish waits for the commit, with the message's id
        assert len(callbacks) == 1
        callbacks[0]()
    message = OutboxMessage.objects.get()
    publish.assert_called_once_with(args=[[message.pk]], retry=False)
    assert message.notification.pilot == pilot


def test_a_notice_is_delivered_once(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        pilot = f.submit_pilot(world.company_a, world.company)
    # the relay ran eagerly after the commit: one mail to the agent
    assert len(mail.outbox) == 1
    message = OutboxMessage.objects.get()
    assert (message.status, message.attempts) == (OutboxMessage.Status.SENT, 1)
    assert message.sent_at is not None
    email = mail.outbox[0]
    assert email.to == ["agent@example.com"]
    assert email.subject == f"{pilot.reference}: “Screen the proposal” is waiting in your queue"
    assert message.subject == email.subject
    # the Message-ID comes from the dedupe key, so that a receiver can drop a copy
    assert email.extra_headers["Message-ID"] == services._message_id(message)
    # when the relay and the task run again, nothing more is sent
    assert services.outbox_relay() == {}
    assert tasks.outbox_deliver([message.pk]) == {"skipped": 1}
    assert len(mail.outbox) == 1


def test_the_mail_has_text_and_html_with_a_link_to_the_exact_task(world):
    pilot = f.submit_pilot(world.company_a, world.company)
    task = open_task(pilot, "screen")
    services.outbox_relay()
    email = mail.outbox[0]
    # the task waits in the queue: the link is its claim page
    url = f"http://127.0.0.1:8000/workflow/pilot/{task.process_id}/screen/{task.pk}/assign/"
    assert url in email.body
    assert "Hello" in email.body
    html, mimetype = email.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="{url}"' in html
    assert '<html lang="en">' in html
    assert "/notifications/preferences/" in email.body


def test_a_link_leads_the_owner_to_the_form_and_others_to_the_pilot(world):
    pilot = f.submit_pilot(world.company_a, world.company)
    notice = Notification.objects.get(user=world.agent)
    task = notice.task
    from notifications import messages

    assert messages.target_path(notice) == reverse(
        "pilot:screen:assign", args=[task.process_id, task.pk]
    )
    with task.activation() as activation:
        activation.assign(world.agent)
    notice.task.refresh_from_db()
    assert messages.target_path(notice) == reverse(
        "pilot:screen:execute", args=[task.process_id, task.pk]
    )
    sc.screen(pilot, world.agent)
    notice.task.refresh_from_db()
    assert messages.target_path(notice) == pilot.get_absolute_url()


def test_a_broker_that_is_down_fails_nothing_and_the_relay_sends_later(
    world, django_capture_on_commit_callbacks, caplog
):
    # given a broker that refuses connections
    refused = OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
    with (
        mock.patch.object(tasks.outbox_deliver, "apply_async", side_effect=refused),
        caplog.at_level(logging.WARNING, logger="notifications.services"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        # when a proposal is submitted, the submission succeeds
        pilot = f.submit_pilot(world.company_a, world.company)
    assert pilot.pk is not None
    # and the message waits in the outbox, with a warning in the log
    assert OutboxMessage.objects.get().status == OutboxMessage.Status.PENDING
    assert len(mail.outbox) == 0
    assert "Broker unavailable, 1 message(s) left for the outbox relay" in caplog.text
    # when the relay runs (beat, once the broker is back), the mail goes, once
    assert services.outbox_relay() == {"sent": 1}
    assert services.outbox_relay() == {}
    assert len(mail.outbox) == 1


@override_settings(KOKEILU_OUTBOX_MAX_ATTEMPTS=3, KOKEILU_OUTBOX_RETRY_SECONDS=60)
def test_a_failing_send_is_retried_with_backoff_then_marked_failed(world):
    f.submit_pilot(world.company_a, world.company)
    message = OutboxMessage.objects.get()
    start = timezone.now()
    with (
        mock.patch(
            "django.core.mail.EmailMultiAlternatives.send",
            side_effect=ConnectionRefusedError("SMTP down"),
        ),
        time_machine.travel(start, tick=False) as clock,
    ):
        # first attempt fails: retry in 60 s
        assert services.outbox_relay() == {"retry": 1}
        message.refresh_from_db()
        assert (message.status, message.attempts) == (OutboxMessage.Status.PENDING, 1)
        assert message.next_attempt_at == start + datetime.timedelta(seconds=60)
        assert message.last_error == "ConnectionRefusedError: SMTP down"
        # nothing is tried before then
        clock.shift(59)
        assert services.outbox_relay() == {}
        # second attempt after 60 s fails: retry in 120 s
        clock.shift(1)
        assert services.outbox_relay() == {"retry": 1}
        message.refresh_from_db()
        assert message.next_attempt_at == start + datetime.timedelta(seconds=60 + 120)
        # third and last attempt fails: the message is failed for an administrator
        clock.shift(120)
        assert services.outbox_relay() == {"failed": 1}
    message.refresh_from_db()
    assert (message.status, message.attempts, message.next_attempt_at) == (
        OutboxMessage.Status.FAILED,
        3,
        None,
    )
    assert len(mail.outbox) == 0
    # when an administrator retries it, it is sent
    assert services.outbox_retry(message_ids=[message.pk]) == 1
    assert services.outbox_relay() == {"sent": 1}
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxMessage.Status.SENT, 1)
    assert len(mail.outbox) == 1


@override_settings(KOKEILU_OUTBOX_MAX_ATTEMPTS=2)
def test_a_message_whose_worker_keeps_dying_ends_failed(world):
    # given a message whose attempts were all counted but never finished (the worker died)
    f.submit_pilot(world.company_a, world.company)
    message = OutboxMessage.objects.get()
    message.attempts = 2
    message.save()
    # then the relay gives up on it instead of looping
    assert services.outbox_relay() == {"failed": 1}
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.FAILED
    assert message.last_error == "The last attempt did not finish."
    assert len(mail.outbox) == 0


def test_mail_to_someone_who_no_longer_sees_the_pilot_is_cancelled(world):
    pilot = f.submit_pilot(world.company_a, world.company)
    sc.screen(pilot, world.agent)
    sc.match(pilot, world.agent, world.edu)
    OutboxMessage.objects.exclude(recipient=world.edu_staff).update(
        status=OutboxMessage.Status.SENT
    )
    # given the division's staff member leaves the division before the mail goes
    from cases.services import division_staff_remove

    division_staff_remove(user=world.edu_staff, division=world.edu)
    assert services.outbox_relay() == {"cancelled": 1}
    message = OutboxMessage.objects.get(recipient=world.edu_staff)
    assert message.status == OutboxMessage.Status.CANCELLED
    assert message.last_error == "The recipient no longer sees the pilot."
    assert len(mail.outbox) == 0


def test_mail_to_a_deactivated_user_is_cancelled(world):
    f.submit_pilot(world.company_a, world.company)
    world.agent.is_active = False
    world.agent.save()
    assert services.outbox_relay() == {"cancelled": 1}
    assert len(mail.outbox) == 0


def test_a_double_submitted_task_form_gives_one_notification(client, world):
    # given the agent's screening task, claimed
    pilot = f.submit_pilot(world.company_a, world.company)
    task = open_task(pilot, "screen")
    client.force_login(world.agent)
    args = [task.process_id, task.pk]
    assert client.post(reverse("pilot:screen:assign", args=args)).status_code == 302
    url = reverse("pilot:screen:execute", args=args)
    data = {"decision": "accept", "message": ""}
    # when the form is posted twice
    first = client.post(url, data)
    second = client.post(url, data)
    # then the second post did nothing, and the company was told of the new stage once
    assert first.status_code == 302
    assert second.status_code in (302, 403, 404)
    assert Notification.objects.filter(kind=Event.STAGE_CHANGED).count() == 1
    assert OutboxMessage.objects.filter(dedupe_key__startswith="stage_changed:").count() == 1
    # and the match task was opened, and announced, once
    assert (
        Notification.objects.filter(task__flow_task_type="HUMAN", kind="task_available").count()
        == 2
    )


def test_broker_settings_keep_a_request_from_hanging():
    from django.conf import settings

    assert settings.CELERY_BROKER_CONNECTION_TIMEOUT == 1.0
    assert settings.CELERY_TASK_PUBLISH_RETRY is False
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["max_retries"] == 0
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["socket_connect_timeout"] == 1.0
    assert tasks.outbox_deliver.acks_late is True
    assert tasks.outbox_deliver.reject_on_worker_lost is True


@pytest.mark.parametrize("status", [OutboxMessage.Status.SENT, OutboxMessage.Status.PENDING])
def test_retry_leaves_sent_and_pending_messages_alone(world, status):
    f.submit_pilot(world.company_a, world.company)
    message = OutboxMessage.objects.get()
    message.status = status
    message.save()
    assert services.outbox_retry(message_ids=[message.pk]) == 0
    message.refresh_from_db()
    assert message.status == status


def test_mail_goes_through_an_anymail_provider_when_configured(world, settings):
    # given a provider backend (Anymail's test backend stands in for Mailgun, SES and the rest)
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    settings.ANYMAIL = {}
    pilot = f.submit_pilot(world.company_a, world.company)
    assert services.outbox_relay() == {"sent": 1}
    [email] = mail.outbox
    assert email.to == ["agent@example.com"]
    assert email.subject == f"{pilot.reference}: “Screen the proposal” is waiting in your queue"
    assert email.anymail_test_params["to"][0].addr_spec == "agent@example.com"
    assert email.anymail_status.status == {"sent"}
