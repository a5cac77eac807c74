"""Funding by source: entered in the proposal form, kept as euros per source."""

from decimal import Decimal

from cases.models import Pilot
from tests.cases.test_forms_and_views_input import proposal_data


def test_the_proposal_form_keeps_the_funding_amounts(client, world):
    client.force_login(world.company)
    data = proposal_data(funding_sources=["erdf", "company"])
    data.update({"funding_amounts_erdf": "25000", "funding_amounts_company": "4999.50"})
    response = client.post("/pilots/new/", data)
    assert response.status_code == 302
    pilot = Pilot.objects.get()
    assert pilot.funding_amounts == {"erdf": "25000.00", "company": "4999.50"}
    assert pilot.get_funding_amounts_display() == [
        ("European Regional Development Fund (ERDF)", Decimal("25000.00")),
        ("The company's own funding", Decimal("4999.50")),
    ]


def test_a_negative_amount_is_refused_and_nothing_is_saved(client, world):
    client.force_login(world.company)
    data = proposal_data()
    data.update({"funding_amounts_horizon": "-5"})
    response = client.post("/pilots/new/", data)
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "funding_amounts": ["Ensure this value is greater than or equal to 0."]
    }
    assert Pilot.objects.count() == 0
    # what the user entered is still in the form
    content = " ".join(response.content.decode().split())
    assert (
        'name="funding_amounts_horizon" id="id_funding_amounts_1" min="0" step="0.01" value="-5"'
        in content
    )


def test_the_form_labels_each_amount_with_its_source(client, world):
    client.force_login(world.company)
    content = client.get("/pilots/new/").content.decode()
    assert (
        '<label for="id_funding_amounts_0">European Regional Development Fund (ERDF)</label>'
        in content
    )
    assert 'id="id_funding_amounts_0"' in content
