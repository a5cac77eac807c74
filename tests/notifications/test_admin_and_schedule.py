"""Failed deliveries in the admin, retried from there; the beat schedule in the database."""

from django.contrib.auth.models import Permission
from django.core import mail
from django.core.management import call_command
from django_celery_beat.models import PeriodicTask

from notifications import services
from notifications.models import Notification, OutboxMessage
from tests import factories as f
from workflows import tasks as workflow_tasks


def _failed_and_sent(world):
    f.submit_pilot(world.company_a, world.company, title="One")
    f.submit_pilot(world.company_a, world.company, title="Two")
    failed, sent = OutboxMessage.objects.order_by("pk")
    failed.status, failed.attempts, failed.last_error = "failed", 5, "SMTPServerDisconnected: x"
    failed.next_attempt_at = None
    failed.save()
    sent.status = "sent"
    sent.save()
    return failed, sent


def test_the_admin_lists_failed_deliveries_and_retries_them(client, world):
    admin = f.UserFactory(username="root", is_superuser=True, is_staff=True)
    failed, sent = _failed_and_sent(world)
    client.force_login(admin)
    url = "/admin/notifications/outboxmessage/"
    # the list filtered by status shows the failed one with its error
    response = client.get(url, {"status__exact": "failed"})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [failed]
    assert "SMTPServerDisconnected" in response.content.decode()
    # when the administrator retries both selected, only the failed one is tried again
    response = client.post(
        url,
        {"action": "retry", "_selected_action": [failed.pk, sent.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "1 delivery will be tried again." in response.content.decode()
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == ("pending", 0)
    # and the relay sends it
    assert services.outbox_relay() == {"sent": 1}
    assert len(mail.outbox) == 1


def test_staff_without_the_permission_cannot_retry(client, world):
    failed, _sent = _failed_and_sent(world)
    staff = f.UserFactory(username="helpdesk", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_outboxmessage"))
    client.force_login(staff)
    url = "/admin/notifications/outboxmessage/"
    response = client.get(url)
    assert response.status_code == 200
    # the list is readable, and offers no actions at all
    assert response.context["action_form"] is None
    client.post(url, {"action": "retry", "_selected_action": [failed.pk]})
    failed.refresh_from_db()
    assert failed.status == "failed"


EXPECTED_JOBS = {
    "Kokeilu: send the outbox": ("notifications.tasks.outbox_relay", "every 60 seconds"),
    "Kokeilu: fire workflow timers": ("workflows.tasks.workflow_fire_timers", "every 60 seconds"),
    "Kokeilu: task and pilot reminders": ("notifications.tasks.reminders_send", "0 7"),
    "Kokeilu: daily digest": ("notifications.tasks.digest_send", "15 7"),
    "Kokeilu: refresh the dashboard's snapshots": (
        "insight.tasks.dashboard_snapshots_refresh",
        "every 300 seconds",
    ),
}


def _jobs():
    jobs = {}
    for job in PeriodicTask.objects.select_related("interval", "crontab"):
        schedule = str(job.interval) if job.interval else f"{job.crontab.minute} {job.crontab.hour}"
        jobs[job.name] = (job.task, schedule)
    return jobs


def test_migrate_puts_the_periodic_jobs_in_the_beat_schedule(db):
    # post_migrate created them in the test database
    assert _jobs() == EXPECTED_JOBS
    crontab = PeriodicTask.objects.get(name="Kokeilu: daily digest").crontab
    assert str(crontab.timezone) == "Europe/Helsinki"


def test_setup_periodic_tasks_is_idempotent_and_keeps_admin_changes(db, capsys):
    job = PeriodicTask.objects.get(name="Kokeilu: task and pilot reminders")
    job.enabled = False
    job.save()
    PeriodicTask.objects.filter(name="Kokeilu: daily digest").delete()
    call_command("setup_periodic_tasks")
    assert capsys.readouterr().out == "1 periodic job(s) created, 4 already there.\n"
    assert _jobs() == EXPECTED_JOBS
    assert PeriodicTask.objects.get(name="Kokeilu: task and pilot reminders").enabled is False


def test_the_workflow_timers_task_fires_viewflows_due_timers(db):
    # PilotFlow has no timer nodes yet: nothing is due, and the sweep runs cleanly
    assert workflow_tasks.workflow_fire_timers() == {
        "timers": 0,
        "conditions": 0,
        "start_timers": 0,
    }


def test_send_notifications_runs_the_jobs_without_beat(world, capsys):
    from notifications.models import NotificationPreference

    NotificationPreference.objects.create(user=world.agent, kind="task_available", mode="digest")
    f.submit_pilot(world.company_a, world.company)
    call_command("send_notifications")
    out = capsys.readouterr().out
    assert "digest mails: 1" in out
    assert "outbox: {'sent': 1}" in out
    assert [email.subject for email in mail.outbox] == ["Kokeilu: your daily digest, 1 notice"]
    call_command("send_notifications")
    assert "digest mails: 0" in capsys.readouterr().out
    assert len(mail.outbox) == 1


def test_demo_data_fills_the_bells_but_sends_no_mail(db):
    call_command("seed_demo")
    assert OutboxMessage.objects.count() == 0
    assert Notification.objects.filter(user__username="agent").exists()
    assert Notification.objects.filter(user__username="company").exists()
