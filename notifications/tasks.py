"""Celery tasks of notifications: each takes ids or nothing, is idempotent, calls one service."""

from celery import shared_task

from config.celery import IDEMPOTENT

from . import services


@shared_task(**IDEMPOTENT)
def outbox_deliver(message_ids: list[int]) -> dict[str, int]:
    """Send the given outbox messages (published after the commit that wrote them)."""
    outcomes: dict[str, int] = {}
    for message_id in message_ids:
        outcome = services.outbox_deliver(message_id=message_id)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


@shared_task(**IDEMPOTENT)
def outbox_relay() -> dict[str, int]:
    """Send every pending message that is due (beat, every minute)."""
    return services.outbox_relay()


@shared_task(**IDEMPOTENT)
def reminders_send() -> dict[str, int]:
    """Due-tomorrow, overdue and planned-end reminders (beat, every morning)."""
    return services.reminders_send()


@shared_task(**IDEMPOTENT)
def digest_send() -> int:
    """The daily digest mails (beat, every morning)."""
    return services.digest_send()
