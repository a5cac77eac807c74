"""Celery tasks of the workflows: Viewflow's database-backed timers, fired from beat."""

from celery import shared_task
from viewflow.workflow import timers

from config.celery import IDEMPOTENT


@shared_task(**IDEMPOTENT)
def workflow_fire_timers() -> dict[str, int]:
    """What `manage.py workflow_timers` does: fire due flow.Timer tasks, armed conditions and
    due start timers. Each is re-checked under its flow lock, so a repeated run is harmless
    (beat runs one dispatcher, as StartTimer needs)."""
    return {
        "timers": timers.fire_due_timers(),
        "conditions": timers.fire_due_conditions(),
        "start_timers": timers.fire_due_start_timers(),
    }
