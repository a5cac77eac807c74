"""Celery tasks of the insight app."""

from celery import shared_task

from config.celery import IDEMPOTENT

from . import services


@shared_task(**IDEMPOTENT)
def dashboard_snapshots_refresh() -> dict[str, int]:
    """Keep the dashboard's snapshots fresh (beat, every five minutes)."""
    return services.dashboard_snapshots_refresh()
