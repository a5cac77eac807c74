"""/healthz/: the database, the broker when one is configured, and the outbox, as JSON."""

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import OperationalError
from rest_framework.authtoken.models import Token

from notifications.models import OutboxMessage
from tests import factories as f


def _outbox(user, status, n):
    for i in range(n):
        OutboxMessage.objects.create(
            dedupe_key=f"health-{status}-{i}",
            recipient=user,
            to_email=user.email,
            status=status,
        )


def test_healthy_with_outbox_counts_and_no_login(client, db, settings):
    settings.CELERY_BROKER_URL = ""
    user = f.UserFactory()
    _outbox(user, OutboxMessage.Status.PENDING, 2)
    _outbox(user, OutboxMessage.Status.FAILED, 1)
    _outbox(user, OutboxMessage.Status.SENT, 4)
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "broker": "eager"},
        "outbox": {"pending": 2, "failed": 1},
    }
    assert "no-cache" in response["Cache-Control"]


def test_database_down_is_503(client, db, settings, monkeypatch):
    settings.CELERY_BROKER_URL = ""

    class Broken:
        def cursor(self):
            raise OperationalError("the database is gone")

    monkeypatch.setattr("api.health.connection", Broken())
    response = client.get("/healthz/")
    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "checks": {"database": "error", "broker": "eager"},
    }


def test_unreachable_broker_is_503(client, db, settings):
    # nothing listens on port 1 of the loopback address
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz/")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "broker": "error"}
    assert response.json()["status"] == "error"


@pytest.mark.services
@pytest.mark.skipif(not settings.CELERY_BROKER_URL, reason="needs CELERY_BROKER_URL")
def test_configured_broker_is_checked(client, db):
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json()["checks"]["broker"] == "ok"


def test_api_token_command_issues_rotates_and_revokes(db, capsys):
    user = f.UserFactory(username="integration")
    call_command("api_token", "integration")
    key = capsys.readouterr().out.strip()
    assert Token.objects.get(user=user).key == key
    # the same token again, until it is rotated
    call_command("api_token", "integration")
    assert capsys.readouterr().out.strip() == key
    call_command("api_token", "integration", "--rotate")
    rotated = capsys.readouterr().out.strip()
    assert rotated != key
    assert Token.objects.get(user=user).key == rotated
    call_command("api_token", "integration", "--revoke")
    assert not Token.objects.filter(user=user).exists()
