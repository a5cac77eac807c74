"""Create the periodic jobs in django-celery-beat's schedule (idempotent)."""

from django.core.management.base import BaseCommand

from notifications.services import PERIODIC_TASKS, periodic_tasks_ensure


class Command(BaseCommand):
    help = (
        "Create the periodic jobs that celery beat runs (outbox relay, workflow timers, "
        "reminders, daily digest). Jobs that exist are left as they are."
    )

    def handle(self, *args, **options):
        created = periodic_tasks_ensure()
        self.stdout.write(
            f"{created} periodic job(s) created, {len(PERIODIC_TASKS) - created} already there."
        )
