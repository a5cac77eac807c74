"""/healthz/: is this web process able to serve? For load balancers and monitoring."""

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

BROKER_TIMEOUT_SECONDS = 2


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.exception("health check: the database does not answer")
        return "error"
    return "ok"


def check_broker() -> str:
    """ "ok" or "error" with a broker configured; "eager" when tasks run in the web process."""
    url = getattr(settings, "CELERY_BROKER_URL", "")
    if not url:
        return "eager"
    from kombu import Connection

    try:
        with Connection(url, connect_timeout=BROKER_TIMEOUT_SECONDS) as broker:
            # One attempt, no back-off: a health check answers at once.
            broker.ensure_connection(
                max_retries=1, interval_start=0, interval_step=0, timeout=BROKER_TIMEOUT_SECONDS
            )
    except Exception:
        logger.exception("health check: the broker does not answer")
        return "error"
    return "ok"


def outbox_counts() -> dict | None:
    """Pending and failed outbox messages; None when there is no outbox."""
    try:
        from notifications.models import OutboxMessage
    except ImportError:
        return None
    from django.db.models import Count, Q

    status = OutboxMessage.Status
    return OutboxMessage.objects.aggregate(
        pending=Count("pk", filter=Q(status=status.PENDING)),
        failed=Count("pk", filter=Q(status=status.FAILED)),
    )


@never_cache
@login_not_required
@require_safe
def healthz(request):
    """200 when the database (and the broker, if one is configured) answers, else 503. The
    outbox counts are reported for monitoring: failed mail does not make the process
    unhealthy, since taking it out of service would not deliver the mail."""
    checks = {"database": check_database(), "broker": check_broker()}
    healthy = all(value != "error" for value in checks.values())
    body = {"status": "ok" if healthy else "error", "checks": checks}
    if checks["database"] == "ok":
        try:
            counts = outbox_counts()
        except Exception:
            logger.exception("health check: the outbox cannot be counted")
            counts = None
        if counts is not None:
            body["outbox"] = counts
    return JsonResponse(body, status=200 if healthy else 503)
