"""Run the notification jobs once, without Celery beat (for cron on the embedded set-up)."""

from django.core.management.base import BaseCommand

from notifications import services


class Command(BaseCommand):
    help = (
        "Send the pending outbox, then the due-date and planned-end reminders and the daily "
        "digest. Every step is idempotent, so cron may run this as often as it likes; with a "
        "broker, celery beat runs the same jobs instead."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--only",
            choices=["outbox", "reminders", "digest"],
            help="Run only one of the jobs.",
        )

    def handle(self, *args, only=None, **options):
        if only in (None, "reminders"):
            self.stdout.write(f"reminders: {services.reminders_send()}")
        if only in (None, "digest"):
            self.stdout.write(f"digest mails: {services.digest_send()}")
        if only in (None, "outbox"):
            # last, so that the reminders and digests written above go out in the same run
            self.stdout.write(f"outbox: {services.outbox_relay()}")
