"""Mail goes out in the recipient's language: English, Finnish or Swedish."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from notifications.models import UserProfile
from notifications.selectors import user_language
from tests import factories as f
from workflows import scenarios as sc
from workflows.models import ScreeningDecision


def _speak(user, language):
    UserProfile.objects.create(user=user, language=language)


@pytest.mark.parametrize(
    ("language", "subject", "greeting", "message", "footer"),
    [
        (
            "en",
            "%s: the city asks for more information",
            "Hello",
            "The agent's message: Which schools?",
            "Choose which e-mail you get",
        ),
        (
            "fi",
            "%s: kaupunki pyytää lisätietoja",
            "Hei",
            "Agentin viesti: Which schools?",
            "Valitse, mitä sähköposteja saat",
        ),
        (
            "sv",
            "%s: staden ber om mer information",
            "Hej",
            "Agentens meddelande: Which schools?",
            "Välj vilken e-post du får",
        ),
    ],
)
def test_the_mail_is_in_the_recipients_language(
    world, django_capture_on_commit_callbacks, language, subject, greeting, message, footer
):
    _speak(world.company, language)
    pilot = f.submit_pilot(world.company_a, world.company)
    with django_capture_on_commit_callbacks(execute=True):
        sc.screen(pilot, world.agent, ScreeningDecision.REQUEST_INFORMATION, "Which schools?")
    [email] = [email for email in mail.outbox if email.to == ["company@example.com"]]
    assert email.subject == subject % pilot.reference
    assert email.body.startswith(f"{greeting} {world.company.get_full_name()},")
    assert message in email.body
    assert footer in email.body
    html = email.alternatives[0][0]
    assert f'<html lang="{language}">' in html
    assert message.replace("'", "&#x27;") in html


def test_dates_in_the_mail_follow_the_language(world, django_capture_on_commit_callbacks):
    # given a Swedish-speaking agent and a Finnish-speaking one
    _speak(world.agent, "sv")
    finn = f.make_agent("agent-fi")
    _speak(finn, "fi")
    with (
        time_machine.travel(datetime.datetime(2027, 3, 1, 9, tzinfo=ZoneInfo("Europe/Helsinki"))),
        django_capture_on_commit_callbacks(execute=True),
    ):
        pilot = f.submit_pilot(world.company_a, world.company)
    # screening is due 8 March 2027: written the Swedish and the Finnish way
    bodies = {email.to[0]: email.body for email in mail.outbox}
    assert "ska vara klar 8 mars 2027" in bodies["agent@example.com"]
    assert "määräpäivä on 8. maaliskuuta 2027" in bodies["agent-fi@example.com"]
    assert (
        f"Uppgiften ”Förhandsbedöm förslaget” i piloten {pilot.reference}"
        in (bodies["agent@example.com"])
    )


def test_the_language_defaults_to_the_sites(world, settings):
    assert user_language(world.agent) == "en"
    settings.LANGUAGE_CODE = "fi"
    assert user_language(world.agent) == "fi"
    _speak(world.company, "sv")
    assert user_language(world.company) == "sv"


def test_the_bell_list_is_in_the_readers_language(client, world):
    f.submit_pilot(world.company_a, world.company)
    client.force_login(world.agent)
    body = client.get("/notifications/", HTTP_ACCEPT_LANGUAGE="fi").content.decode()
    assert "odottaa jonossasi" in body
    assert "Merkitse kaikki luetuiksi" in body
