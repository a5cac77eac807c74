"""Publishing is an explicit agent action with the company's recorded consent; the company
marks its trade secrets. Every rule has a test that allows and one that denies, and a denied
request changes nothing."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from cases.models import Pilot, TimelineEntry
from registry import services
from tests import factories as f
from tests.registry.conftest import publish


def _state(pilot) -> dict:
    """What a denied request must leave as it was."""
    return {
        "pilot": Pilot.objects.filter(pk=pilot.pk).values().get(),
        "history": Pilot.history.filter(id=pilot.pk).count(),
        "timeline": list(TimelineEntry.objects.filter(pilot=pilot).values_list("pk", flat=True)),
    }


def _newest_history(pilot):
    return Pilot.history.filter(id=pilot.pk).order_by("-history_date", "-history_id").first()


def _last_entry(pilot) -> TimelineEntry:
    return TimelineEntry.objects.filter(pilot=pilot).order_by("-pk").first()


@pytest.fixture
def pilot(world):
    return f.submit_pilot(world.company_a, world.company, title="Reading game")


# -- consent --------------------------------------------------------------------------------


def test_company_user_consents_with_history_and_timeline(world, pilot):
    # when a user of the company consents
    services.pilot_consent_publication(pilot=pilot, by=world.company)
    pilot.refresh_from_db()
    # then the consent is recorded with who and when, in the history and on the timeline
    assert pilot.publication_consent is True
    assert pilot.publication_consented_by == world.company
    assert pilot.publication_consented_at is not None
    assert pilot.published is False
    assert _newest_history(pilot).history_user == world.company
    assert _newest_history(pilot).publication_consent is True
    entry = _last_entry(pilot)
    assert (entry.author, entry.visible_to_company) == (world.company, True)
    assert entry.text == "The company consented to publishing the pilot in the public registry."


@pytest.mark.parametrize("who", ["agent", "manager", "edu_staff", "company2"])
def test_only_the_company_consents(world, pilot, who):
    before = _state(pilot)
    # when anyone but the company's user tries to consent, then it is refused
    with pytest.raises(PermissionDenied):
        services.pilot_consent_publication(pilot=pilot, by=getattr(world, who))
    # and nothing changed
    assert _state(pilot) == before


def test_withdrawing_consent_takes_the_pilot_out_of_the_registry(world, pilot):
    publish(pilot, world.company, world.agent)
    # when the company withdraws its consent
    services.pilot_consent_publication(pilot=pilot, by=world.company, consent=False)
    pilot.refresh_from_db()
    # then the pilot is no longer published
    assert (pilot.publication_consent, pilot.published, pilot.published_at) == (False, False, None)
    assert _last_entry(pilot).text == (
        "The company withdrew its consent to publishing the pilot; it was taken out of the "
        "public registry."
    )


# -- publishing -----------------------------------------------------------------------------


def test_agent_publishes_with_consent(world, pilot):
    services.pilot_consent_publication(pilot=pilot, by=world.company)
    # when the agent publishes
    services.pilot_publish(pilot=pilot, by=world.agent)
    pilot.refresh_from_db()
    # then the pilot is published, recorded with who and when
    assert (pilot.published, pilot.published_by) == (True, world.agent)
    assert pilot.published_at is not None
    assert _newest_history(pilot).history_user == world.agent
    assert _last_entry(pilot).text == "The pilot was published in the public registry."


def test_publishing_is_refused_without_consent(world, pilot):
    before = _state(pilot)
    # when the agent publishes a pilot whose company has not consented, then it is refused
    with pytest.raises(ValidationError):
        services.pilot_publish(pilot=pilot, by=world.agent)
    assert _state(pilot) == before


@pytest.mark.parametrize("who", ["manager", "company", "edu_staff", "legal"])
def test_only_agents_publish(world, pilot, who):
    services.pilot_consent_publication(pilot=pilot, by=world.company)
    before = _state(pilot)
    # when anyone but an agent publishes, then it is refused and nothing changes
    with pytest.raises(PermissionDenied):
        services.pilot_publish(pilot=pilot, by=getattr(world, who))
    assert _state(pilot) == before


def test_agent_unpublishes_with_a_reason(world, pilot):
    publish(pilot, world.company, world.agent)
    # when the agent takes the pilot out of the registry
    services.pilot_unpublish(pilot=pilot, by=world.agent, reason="Outdated results.")
    pilot.refresh_from_db()
    # then it is no longer published; the consent stays
    assert (pilot.published, pilot.publication_consent) == (False, True)
    assert _last_entry(pilot).text == (
        "The pilot was taken out of the public registry: Outdated results."
    )


def test_the_database_refuses_a_published_pilot_without_consent(world, pilot):
    # a check constraint backs the rule: published needs consent
    pilot.published = True
    with pytest.raises(ValidationError):
        pilot.full_clean()


# -- trade secrets --------------------------------------------------------------------------


def test_company_marks_trade_secrets(world, pilot):
    # when the company marks fields (in any order)
    services.pilot_mark_trade_secrets(pilot=pilot, by=world.company, fields=["kpis", "summary"])
    pilot.refresh_from_db()
    # then they are kept in the form's order, with history and a timeline entry
    assert pilot.trade_secret_fields == ["summary", "kpis"]
    assert _newest_history(pilot).history_user == world.company
    assert _last_entry(pilot).text == (
        "The company marked these fields as trade secrets: summary, key performance indicators."
    )


def test_unknown_trade_secret_fields_are_refused(world, pilot):
    before = _state(pilot)
    with pytest.raises(ValidationError):
        services.pilot_mark_trade_secrets(pilot=pilot, by=world.company, fields=["contact_email"])
    assert _state(pilot) == before


@pytest.mark.parametrize("who", ["agent", "company2", "manager"])
def test_only_the_company_marks_trade_secrets(world, pilot, who):
    before = _state(pilot)
    with pytest.raises(PermissionDenied):
        services.pilot_mark_trade_secrets(pilot=pilot, by=getattr(world, who), fields=["need"])
    assert _state(pilot) == before


# -- the pilot page -------------------------------------------------------------------------


def test_company_consents_and_marks_secrets_on_the_pilot_page(client, world, pilot):
    client.force_login(world.company)
    # the pilot page offers the company its publication actions
    page = client.get(pilot.get_absolute_url()).content.decode()
    assert reverse("registry:consent", args=[pilot.reference]) in page
    assert reverse("registry:trade_secrets", args=[pilot.reference]) in page
    assert reverse("registry:publish", args=[pilot.reference]) not in page
    # when the company posts the forms
    response = client.post(
        reverse("registry:trade_secrets", args=[pilot.reference]),
        {"trade_secret_fields": ["solution", "cost_to_city"]},
    )
    assert response.status_code == 302
    response = client.post(reverse("registry:consent", args=[pilot.reference]), {"consent": "1"})
    assert response.status_code == 302
    pilot.refresh_from_db()
    # then both are saved
    assert pilot.trade_secret_fields == ["solution", "cost_to_city"]
    assert pilot.publication_consent is True


def test_agent_publishes_and_unpublishes_on_the_pilot_page(client, world, pilot):
    services.pilot_consent_publication(pilot=pilot, by=world.company)
    client.force_login(world.agent)
    assert (
        reverse("registry:publish", args=[pilot.reference])
        in client.get(pilot.get_absolute_url()).content.decode()
    )
    # when the agent publishes, then the pilot is in the registry
    client.post(reverse("registry:publish", args=[pilot.reference]))
    assert client.get(reverse("registry:pilot", args=[pilot.reference])).status_code == 200
    # when the agent unpublishes, then it is not
    client.post(reverse("registry:unpublish", args=[pilot.reference]), {"reason": ""})
    assert client.get(reverse("registry:pilot", args=[pilot.reference])).status_code == 404


def test_publication_actions_are_404_for_those_who_do_not_see_the_pilot(client, world, pilot):
    before = _state(pilot)
    client.force_login(world.company2)
    for name, data in (("consent", {"consent": "1"}), ("publish", {}), ("unpublish", {})):
        response = client.post(reverse(f"registry:{name}", args=[pilot.reference]), data)
        assert response.status_code == 404
    assert _state(pilot) == before


def test_publication_actions_are_403_for_those_who_see_but_may_not(client, world, pilot):
    services.pilot_consent_publication(pilot=pilot, by=world.company)
    before = _state(pilot)
    # the manager sees the pilot but may neither publish it nor consent for the company
    client.force_login(world.manager)
    assert client.post(reverse("registry:publish", args=[pilot.reference])).status_code == 403
    response = client.post(reverse("registry:consent", args=[pilot.reference]), {"consent": "0"})
    assert response.status_code == 403
    assert _state(pilot) == before


def test_publishing_without_consent_on_the_page_shows_the_error(client, world, pilot):
    before = _state(pilot)
    client.force_login(world.agent)
    response = client.post(reverse("registry:publish", args=[pilot.reference]), follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "The company has not consented to publishing this pilot."
    ]
    assert _state(pilot) == before


def test_proposal_form_takes_trade_secrets(client, world):
    client.force_login(world.company)
    data = {
        "title": "Noise sensors",
        "summary": "Sensors at building sites.",
        "need": "Fewer complaints.",
        "solution": "Class 1 sensors.",
        "theme": f.theme().pk,
        "planned_start": "2027-03-01",
        "planned_end": "2027-08-31",
        "cost_to_city": "0",
        "expected_impact": "Less noise.",
        "contact_name": "Liisa Vainio",
        "contact_email": "liisa@example.com",
        "trade_secret_fields": ["solution", "expected_impact"],
    }
    # when the company submits a proposal with trade secrets marked
    response = client.post(reverse("cases:proposal_new"), data)
    # then the pilot keeps them
    assert response.status_code == 302
    assert Pilot.objects.get().trade_secret_fields == ["solution", "expected_impact"]
