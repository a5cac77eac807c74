"""Division and theme names in English, Finnish and Swedish, in the pages and in the open
data; money and dates in each language's format; Django's own words translated."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import formats, translation

from cases.models import Division, PlatformTheme
from languages.formats import format_money
from registry import services as registry_services
from tests import factories as f
from workflows import scenarios as sc


@pytest.mark.parametrize(
    ("language", "division", "theme"),
    [
        ("en", "Education Division", "Learning environments"),
        ("fi", "Kasvatuksen ja koulutuksen toimiala", "Oppimisympäristöt"),
        ("sv", "Fostrans- och utbildningssektorn", "Lärmiljöer"),
    ],
)
def test_division_and_theme_are_named_in_the_active_language(db, language, division, theme):
    # when the reference data is read in a language
    with translation.override(language):
        education = Division.objects.get(code="education")
        learning = PlatformTheme.objects.get(code="learning")
        # then their names and descriptions are in it
        assert (str(education), learning.name) == (division, theme)
        assert (
            Division.objects.get(code="urban-environment").description
            == {
                "en": "Streets, building, traffic and environmental services.",
                "fi": "Kadut, rakentaminen, liikenne ja ympäristöpalvelut.",
                "sv": "Gator, byggande, trafik och miljötjänster.",
            }[language]
        )


def test_a_name_missing_in_a_language_falls_back_to_english(db):
    # given a division an administrator named in English only
    Division.objects.create(code="forum-virium", name_en="Forum Virium Helsinki")
    # when it is read in Swedish
    with translation.override("sv"):
        division = Division.objects.get(code="forum-virium")
        # then the English name is shown rather than nothing
        assert division.name == "Forum Virium Helsinki"


def _published_pilot(world):
    pilot = f.submit_pilot(world.company_a, world.company, title="Oppimisanalytiikka")
    sc.screen(pilot, world.agent)
    sc.match(pilot, world.agent, world.edu)
    registry_services.pilot_consent_publication(pilot=pilot, by=world.company)
    registry_services.pilot_publish(pilot=pilot, by=world.agent)
    return pilot


def test_open_data_names_theme_division_stage_and_outcome_in_each_language(client, world):
    # given a published pilot of the Education Division
    _published_pilot(world)
    # when the JSON is fetched by a client that prefers Swedish
    record = client.get("/registry/pilots.json", HTTP_ACCEPT_LANGUAGE="sv").json()["pilots"][0]
    # then the names are in Swedish, and in each language in fields of their own
    assert {key: record[key] for key in record if key.startswith(("theme", "division"))} == {
        "theme": "Lärmiljöer",
        "theme_en": "Learning environments",
        "theme_fi": "Oppimisympäristöt",
        "theme_sv": "Lärmiljöer",
        "theme_code": "learning",
        "division": "Fostrans- och utbildningssektorn",
        "division_en": "Education Division",
        "division_fi": "Kasvatuksen ja koulutuksen toimiala",
        "division_sv": "Fostrans- och utbildningssektorn",
        "division_code": "education",
    }
    assert {key: record[key] for key in record if key.startswith(("stage", "outcome"))} == {
        "stage": "matching",
        "stage_label": "Matchning",
        "stage_label_en": "Matching",
        "stage_label_fi": "Kohdentaminen",
        "stage_label_sv": "Matchning",
        "outcome": None,
        "outcome_label": None,
        "outcome_label_en": None,
        "outcome_label_fi": None,
        "outcome_label_sv": None,
    }


def test_the_csv_carries_the_names_in_each_language(client, world):
    # given a published pilot
    _published_pilot(world)
    # when the CSV is fetched
    response = client.get("/registry/pilots.csv", HTTP_ACCEPT_LANGUAGE="en")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    # then each language has its column
    assert [(row["division"], row["division_fi"], row["division_sv"]) for row in rows] == [
        (
            "Education Division",
            "Kasvatuksen ja koulutuksen toimiala",
            "Fostrans- och utbildningssektorn",
        )
    ]
    assert [(row["theme_fi"], row["stage_label_sv"]) for row in rows] == [
        ("Oppimisympäristöt", "Matchning")
    ]


def test_the_pilot_page_names_the_division_in_the_readers_language(client, world):
    # given a pilot matched with the Education Division
    pilot = _published_pilot(world)
    client.force_login(world.agent)
    # when the agent reads its page in Finnish
    html = client.get(pilot.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="fi").content.decode()
    # then the division and theme have their Finnish names
    assert "<dd>Kasvatuksen ja koulutuksen toimiala</dd>" in html
    assert "<dd>Oppimisympäristöt</dd>" in html


@pytest.mark.parametrize(
    ("language", "money", "date", "number"),
    [
        ("en", "12,500.50\u00a0€", "11/23/2026", "1.5"),
        ("fi", "12\u00a0500,50\u00a0€", "23.11.2026", "1,5"),
        ("sv", "12\u00a0500,50\u00a0€", "23.11.2026", "1,5"),
    ],
)
def test_money_dates_and_numbers_follow_the_language(language, money, date, number):
    # when an amount, a date and a number are formatted in a language
    with translation.override(language):
        # then each is written as that language writes it
        assert format_money(Decimal("12500.50")) == money
        assert formats.date_format(datetime.date(2026, 11, 23), "SHORT_DATE_FORMAT") == date
        assert formats.localize(Decimal("1.5")) == number


def test_the_proposal_cost_is_shown_as_money_of_the_language(client, world):
    # given a pilot that costs the city 12 000 euros
    pilot = f.submit_pilot(world.company_a, world.company, cost_to_city=Decimal("12000"))
    client.force_login(world.company)
    # when its page is read in Swedish
    html = client.get(pilot.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="sv").content.decode()
    # then the cost is written the Swedish way
    assert "<dd>12\u00a0000,00\u00a0€</dd>" in html


@pytest.mark.parametrize(
    ("language", "error"),
    [
        ("fi", "Ole hyvä ja syötä kelvollinen käyttäjätunnus ja salasana."),
        ("sv", "Ange ett korrekt användarnamn och lösenord."),
    ],
)
def test_djangos_own_login_error_is_translated(client, db, language, error):
    # given a user
    get_user_model().objects.create_user("someone", password="right-password-1")
    # when a wrong password is given in a language
    response = client.post(
        "/accounts/login/",
        {"username": "someone", "password": "wrong"},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    # then Django's own message is in that language
    assert error in response.content.decode()


@pytest.mark.parametrize(
    ("language", "title"), [("fi", "Sivuston ylläpito"), ("sv", "Webbplatsadministration")]
)
def test_the_admin_is_translated_by_django(client, db, language, title):
    # given an administrator
    admin = get_user_model().objects.create_superuser("root", password="right-password-1")
    client.force_login(admin)
    # when the admin is opened in a language
    html = client.get("/admin/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    # then Django's words are in that language, and so are the reference data's names
    assert title in html
    division_admin = client.get("/admin/cases/division/", HTTP_ACCEPT_LANGUAGE=language)
    assert division_admin.status_code == 200
