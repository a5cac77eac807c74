"""The language: from the browser, from the switcher on every page, and from the user's one
saved setting, which also decides their e-mail and notifications."""

import pytest
from django.conf import settings

from languages.selectors import SESSION_KEY
from notifications.models import Event, Mode, UserProfile
from notifications.selectors import user_language

SETLANG = "/i18n/setlang/"


def _speak(user, language):
    UserProfile.objects.create(user=user, language=language)


def test_an_anonymous_visitor_gets_the_browsers_language(client, db):
    # when a visitor whose browser prefers Swedish opens the login page
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="sv,en;q=0.5")
    # then it is in Swedish
    html = response.content.decode()
    assert '<html lang="sv">' in html
    assert "<h1>Logga in i Kokeilu</h1>" in html
    assert response["Content-Language"] == "sv"


@pytest.mark.parametrize(
    ("username", "url", "form_class"),
    [
        (None, "/accounts/login/", "language-switcher"),
        (None, "/registry/", "language-switcher"),
        ("company", "/portal/", "language-switcher"),
        ("agent", "/workflow/pilot/inbox/", "language-switcher language-switcher--toolbar"),
    ],
)
def test_every_page_has_the_switcher(client, world, username, url, form_class):
    # given a page of the site's own layout or of Viewflow's
    if username:
        client.force_login(getattr(world, username))
    # when it is opened
    html = client.get(url).content.decode()
    # then it offers the three languages, each named in itself, posting to set_language
    assert f'<form class="{form_class}" method="post" action="{SETLANG}"' in html
    for code, name in [("en", "English"), ("fi", "Suomi"), ("sv", "Svenska")]:
        assert f'name="language" value="{code}" lang="{code}"' in html
        assert name in html
    assert html.count('aria-current="true"') == 1


def test_an_anonymous_choice_is_kept_in_a_cookie_only(client, db):
    # when a visitor chooses Finnish on the registry
    response = client.post(SETLANG, {"language": "fi", "next": "/registry/"})
    # then they go back to the page, which is now in Finnish, and nothing is saved
    assert (response.status_code, response["Location"]) == (302, "/registry/")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fi"
    assert '<html lang="fi">' in client.get("/registry/").content.decode()
    assert UserProfile.objects.count() == 0


def test_a_users_choice_is_their_setting_for_pages_mail_and_notices(client, world):
    # given a company user who reads in English
    client.force_login(world.company)
    # when they choose Swedish in the switcher
    client.post(SETLANG, {"language": "sv", "next": "/portal/"})
    # then it is saved as their language: the pages follow it, whatever the browser says,
    # and so do their e-mail and notifications
    assert UserProfile.objects.get(user=world.company).language == "sv"
    html = client.get("/portal/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="sv">' in html
    assert "<h1>Företagsportal</h1>" in html
    assert user_language(world.company) == "sv"


def test_an_unknown_language_changes_nothing(client, world):
    # given a user who saved Finnish
    _speak(world.company, "fi")
    client.force_login(world.company)
    # when a forged request asks for a language the site does not offer
    response = client.post(SETLANG, {"language": "de", "next": "/portal/"})
    # then nothing changes
    assert response.status_code == 302
    assert UserProfile.objects.get(user=world.company).language == "fi"
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_the_switcher_needs_a_post(client, db):
    # when set_language is opened with GET
    response = client.get(SETLANG, {"language": "fi"})
    # then it is refused and no language is set
    assert response.status_code == 405
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_logging_in_brings_the_saved_language(client, world):
    # given a user who saved Swedish, logging in from a browser that prefers English
    _speak(world.agent, "sv")
    world.agent.set_password("secret-password-1")
    world.agent.save()
    # when they log in
    response = client.post(
        "/accounts/login/",
        {"username": world.agent.username, "password": "secret-password-1"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    # then their pages are in Swedish
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == "sv"
    html = client.get("/pilots/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="sv">' in html


def test_a_first_login_saves_the_language_the_user_was_reading(client, world):
    # given a user with no saved language whose browser prefers Finnish
    world.company.set_password("secret-password-1")
    world.company.save()
    # when they log in
    client.post(
        "/accounts/login/",
        {"username": world.company.username, "password": "secret-password-1"},
        HTTP_ACCEPT_LANGUAGE="fi",
    )
    # then Finnish becomes their language, for their e-mail too
    assert UserProfile.objects.get(user=world.company).language == "fi"
    assert user_language(world.company) == "fi"


def test_the_settings_page_changes_the_language_at_once(client, world):
    # given a user reading in English
    client.force_login(world.company)
    # when they save Finnish on their settings page
    data = {"language": "fi", **{f"mode_{kind}": Mode.IMMEDIATE for kind in Event.values}}
    response = client.post("/notifications/preferences/", data, follow=True)
    # then the page answers in Finnish, and so do the next ones
    html = response.content.decode()
    assert '<html lang="fi">' in html
    assert "<h1>Kieli ja ilmoitukset</h1>" in html
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fi"
    assert UserProfile.objects.get(user=world.company).language == "fi"
    assert '<html lang="fi">' in client.get("/portal/").content.decode()
