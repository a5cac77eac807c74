"""Login protection and sessions: django-axes lockout with a cool-off, the idle session
timeout, the Content-Security-Policy header, and pages that need no login."""

import datetime

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client, override_settings

from tests import factories as f

AXES_BACKENDS = ["axes.backends.AxesStandaloneBackend", *settings.AUTHENTICATION_BACKENDS]
START = datetime.datetime(2027, 3, 1, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def axes_on():
    with override_settings(AXES_ENABLED=True, AUTHENTICATION_BACKENDS=AXES_BACKENDS):
        yield


def _login(client: Client, username: str, password: str):
    return client.post("/accounts/login/", {"username": username, "password": password})


@pytest.mark.django_db
def test_five_failed_logins_lock_the_username_for_thirty_minutes(axes_on):
    f.UserFactory(username="maija")
    client = Client()
    with time_machine.travel(START, tick=False) as clock:
        # given five failed logins for one username from one address
        answers = [_login(client, "maija", "wrong-password").status_code for _ in range(5)]
        assert answers == [200, 200, 200, 200, 429]

        # when the right password is given during the cool-off
        locked = _login(client, "maija", "kokeilu-test")

        # then it is refused with the lockout page, and no session starts
        assert locked.status_code == 429
        assert b"Too many failed logins" in locked.content
        assert "_auth_user_id" not in client.session
        assert AccessAttempt.objects.get(username="maija").failures_since_start == 6

        # and after the 30-minute cool-off the right password lets the user in
        clock.shift(datetime.timedelta(minutes=29))
        assert _login(client, "maija", "kokeilu-test").status_code == 429
        clock.shift(datetime.timedelta(minutes=31))
        ok = _login(client, "maija", "kokeilu-test")
        assert (ok.status_code, ok.headers["Location"]) == (302, "/")
        # a successful login resets the count
        assert AccessAttempt.objects.filter(username="maija").count() == 0


@pytest.mark.django_db
def test_a_lockout_is_per_username_and_address(axes_on):
    f.UserFactory(username="maija")
    f.UserFactory(username="matti")
    client = Client()
    for _ in range(5):
        _login(client, "maija", "wrong-password")
    # another user from the same address is not locked out
    ok = _login(client, "matti", "kokeilu-test")
    assert ok.status_code == 302
    # the locked user from another address is not locked out either
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert _login(other, "maija", "kokeilu-test").status_code == 302


@pytest.mark.django_db
def test_an_idle_session_ends_after_the_configured_time():
    user = f.UserFactory(username="maija")
    client = Client()
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(user)
        # each request renews the session (sliding expiry)
        clock.shift(datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE - 60))
        assert client.get("/notifications/").status_code == 200
        clock.shift(datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE - 60))
        assert client.get("/notifications/").status_code == 200
        # a longer pause than the idle time ends it: the login page again
        clock.shift(datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE + 1))
        response = client.get("/notifications/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/accounts/login/?next=/notifications/"
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_COOKIE_AGE == 60 * 60


@pytest.mark.django_db
def test_pages_carry_a_content_security_policy_without_inline_scripts(client):
    response = client.get("/accounts/login/")
    policy = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in directives["script-src"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_templates_have_no_inline_scripts_or_event_handlers():
    # the policy allows scripts only from files: no <script> blocks without src, no on*=
    import re
    from pathlib import Path

    offenders = []
    for path in sorted(Path(settings.BASE_DIR, "templates").rglob("*.html")):
        text = path.read_text()
        for match in re.finditer(r"<script(?![^>]*\bsrc=)[^>]*>", text):
            offenders.append(f"{path.name}: {match.group(0)}")
        for match in re.finditer(r"\son[a-z]+\s*=\s*[\"']", text):
            offenders.append(f"{path.name}: {match.group(0).strip()}")
    assert offenders == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/accounts/login/",
        "/accessibility/",
        "/registry/",
        "/healthz/",
        "/portal/signup/",
        "/api/schema/",
    ],
)
def test_public_pages_need_no_login(client, url):
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_the_api_answers_a_token_without_a_session(client):
    from rest_framework.authtoken.models import Token

    agent = f.make_agent()
    token = Token.objects.create(user=agent)
    # LoginRequiredMiddleware lets the API's views through; DRF checks the token itself
    ok = client.get("/api/v1/pilots/", HTTP_AUTHORIZATION=f"Token {token.key}")
    refused = client.get("/api/v1/pilots/", HTTP_AUTHORIZATION="Token not-a-token")
    anonymous = client.get("/api/v1/pilots/")
    assert (ok.status_code, refused.status_code, anonymous.status_code) == (200, 401, 401)
