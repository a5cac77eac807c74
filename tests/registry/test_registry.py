"""The public registry: published pilots only, trade secrets never, the same record in HTML,
CSV and JSON, search, filters and pagination, all without logging in."""

import csv
import io
import json

import jsonschema
from django.urls import reverse

from registry import selectors
from registry.views import schema_document
from tests.registry.conftest import PRIVATE_WORDS, SECRET_WORDS

LICENCE_LINK = '<https://creativecommons.org/licenses/by/4.0/>; rel="license"'


def _refs_in_json(client, **params) -> list[str]:
    response = client.get(reverse("registry:pilots_json"), params)
    assert response.status_code == 200
    return [record["reference"] for record in response.json()["pilots"]]


def _refs_on_page(client, **params) -> list[str]:
    response = client.get(reverse("registry:list"), params)
    assert response.status_code == 200
    return [record["reference"] for record in response.context["records"]]


def _csv_rows(client, **params) -> list[dict]:
    response = client.get(reverse("registry:pilots_csv"), params)
    assert response.status_code == 200
    text = b"".join(response.streaming_content if response.streaming else [response.content])
    return list(csv.DictReader(io.StringIO(text.decode("utf-8-sig"))))


def _every_public_text(client, r) -> dict[str, str]:
    """Every page and file of the registry, as text."""
    texts = {
        "list": client.get(reverse("registry:list")).content.decode(),
        "json": client.get(reverse("registry:pilots_json")).content.decode(),
        "csv": client.get(reverse("registry:pilots_csv")).content.decode("utf-8-sig"),
    }
    for pilot in (r.open_a, r.closed_b):
        page = client.get(reverse("registry:pilot", args=[pilot.reference]))
        assert page.status_code == 200
        texts[pilot.reference] = page.content.decode()
    return texts


# -- who is in it ---------------------------------------------------------------------------


def test_registry_shows_published_pilots_only_without_login(client, registry):
    r = registry
    published = sorted([r.open_a.reference, r.closed_b.reference])
    # given an anonymous visitor, when they read the registry, its JSON and its CSV
    # then each has exactly the two published pilots
    assert sorted(_refs_on_page(client)) == published
    assert sorted(_refs_in_json(client)) == published
    assert sorted(row["reference"] for row in _csv_rows(client)) == published
    # and the page of an unpublished pilot (consented or not) is not found
    for pilot in (r.consented, r.private):
        assert client.get(reverse("registry:pilot", args=[pilot.reference])).status_code == 404
    assert client.get(reverse("registry:pilot", args=["PIL-1999-0001"])).status_code == 404


def test_unpublished_pilots_and_trade_secrets_never_appear(client, registry):
    r = registry
    # given secrets in the summary, KPIs and cost of open_a, in the KPIs (and the measured
    # KPIs of the evaluations) of closed_b, and words only in the unpublished pilots
    texts = _every_public_text(client, r)
    # then no page, no JSON and no CSV contains any of them
    for name, text in texts.items():
        for word in [*SECRET_WORDS, *PRIVATE_WORDS, "123456.78", "123456,78"]:
            assert word not in text, f"{word!r} leaked into {name}"
        assert r.consented.reference not in text
        assert r.private.reference not in text
    # and the contact details are never published either
    for text in texts.values():
        assert "contact@example.com" not in text
    # and a search for a secret word finds nothing
    for word in SECRET_WORDS:
        assert _refs_in_json(client, q=word) == []
        assert _refs_on_page(client, q=word) == []


def test_public_record_withholds_the_marked_fields(registry):
    r = registry
    # when the public records are made
    open_a = selectors.public_pilot(r.open_a)
    closed_b = selectors.public_pilot(r.closed_b)
    # then the marked fields are null and named, the others are there
    assert open_a["withheld_fields"] == ["summary", "cost_to_city", "kpis"]
    assert (open_a["summary"], open_a["kpis"], open_a["cost_to_city"]) == (None, None, None)
    assert open_a["need"] == "Teachers need timely feedback on learning."
    assert closed_b["withheld_fields"] == ["kpis"]
    assert closed_b["kpis"] is None
    assert closed_b["emission_reduction_estimate"] == 18.5
    # and the measured KPIs go with the KPIs, the other results stay
    evaluations = closed_b["results"]["evaluations"]
    assert [e["party"] for e in evaluations] == ["division", "company"]
    assert [e["measured_kpis"] for e in evaluations] == [None, None]
    assert [e["goal_achievement"] for e in evaluations] == [4, 4]
    assert [e["emission_reduction"] for e in evaluations] == [1.5, 1.5]
    assert closed_b["results"]["scaling_decision"] == "scale_cities"
    assert (closed_b["stage"], closed_b["outcome"]) == ("closed", "scaled")


def test_registry_page_of_a_pilot_shows_summary_period_results_and_outcome(client, registry):
    r = registry
    # when an anonymous visitor opens the closed pilot's page
    response = client.get(reverse("registry:pilot", args=[r.closed_b.reference]))
    text = response.content.decode()
    # then it shows its summary, period, results and outcome, and the licence
    assert response.status_code == 200
    assert "Adaptive street lights that dim when the streets are empty." in text
    assert "2026-02-01" in text
    assert "Scale to other cities" in text
    assert "Scaled" in text
    assert "Not published (trade secret)" in text
    assert "CC BY 4.0" in text
    assert response["Link"] == LICENCE_LINK


# -- open data ------------------------------------------------------------------------------


def test_json_follows_its_schema_and_names_the_licence(client, registry):
    # when the JSON is read
    response = client.get(reverse("registry:pilots_json"))
    document = response.json()
    # then it validates against the published JSON Schema
    jsonschema.Draft202012Validator(schema_document()).validate(document)
    # and it names the licence and the schema, in the body and the Link header
    assert document["licence"]["name"] == "CC BY 4.0"
    assert document["licence"]["url"] == "https://creativecommons.org/licenses/by/4.0/"
    assert document["schema"] == "http://testserver/registry/schema.json"
    assert document["count"] == 2
    assert response["Link"] == LICENCE_LINK


def test_schema_is_served_at_a_stable_url_and_documents_every_field(client, registry):
    # when the schema is fetched
    response = client.get("/registry/schema.json")
    schema = json.loads(b"".join(response.streaming_content))
    # then it is the schema file, listing exactly the fields of a record and the CSV columns
    assert response.status_code == 200
    assert response["Content-Type"] == "application/schema+json"
    record = selectors.public_pilot(registry.closed_b)
    assert schema["$defs"]["pilot"]["required"] == list(record)
    assert schema["x-csv-columns"] == selectors.CSV_COLUMNS
    assert "CC BY 4.0" in schema["description"]


def test_csv_has_the_documented_columns(client, registry):
    r = registry
    # when the CSV is read
    response = client.get(reverse("registry:pilots_csv"))
    rows = _csv_rows(client)
    # then it has the documented columns, one row per published pilot
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Link"] == LICENCE_LINK
    assert list(rows[0]) == selectors.CSV_COLUMNS
    by_ref = {row["reference"]: row for row in rows}
    closed = by_ref[r.closed_b.reference]
    assert closed["outcome"] == "scaled"
    assert closed["scaling_decision"] == "scale_cities"
    assert closed["division_goal_achievement"] == "4"
    assert closed["company_measured_kpis"] == ""
    assert closed["withheld_fields"] == "kpis"
    assert by_ref[r.open_a.reference]["withheld_fields"] == "summary; cost_to_city; kpis"


# -- search, filters, pagination ------------------------------------------------------------


def test_search_finds_public_text(client, registry):
    r = registry
    # when visitors search for words of public fields
    assert _refs_in_json(client, q="street lighting") == [r.closed_b.reference]
    assert _refs_in_json(client, q="timely feedback") == [r.open_a.reference]
    assert _refs_on_page(client, q="Katuvalo") == [r.closed_b.reference]
    # then only the matching published pilots are found
    assert _refs_in_json(client, q="Yksityinen") == []


def test_filters_by_theme_division_stage_outcome_and_year(client, registry):
    r = registry
    a, b = r.open_a.reference, r.closed_b.reference
    # when the registry is filtered, then exactly the matching pilots are listed
    assert _refs_on_page(client, theme="mobility") == [b]
    assert _refs_on_page(client, theme="learning") == [a]
    assert _refs_on_page(client, division="urban-environment") == [b]
    assert _refs_on_page(client, division="education") == []
    assert _refs_on_page(client, stage="intake") == [a]
    assert _refs_on_page(client, stage="closed", outcome="scaled") == [b]
    assert _refs_on_page(client, outcome="ended") == []
    assert _refs_on_page(client, year="2026") == [b]
    assert _refs_on_page(client, year="2027") == [a]
    assert _refs_in_json(client, theme="mobility", year="2026") == [b]


def test_bad_filter_is_an_error_for_open_data_and_ignored_on_the_page(client, registry):
    # when an unknown theme is asked for
    data = client.get(reverse("registry:pilots_json"), {"theme": "no-such-theme"})
    page = client.get(reverse("registry:list"), {"theme": "no-such-theme"})
    # then the open data answers 400 and the page shows every pilot with the error
    assert data.status_code == 400
    assert list(data.json()["errors"]) == ["theme"]
    assert page.status_code == 200
    assert len(page.context["records"]) == 2
    assert page.context["form"].errors["theme"]


def test_pagination(client, registry, monkeypatch):
    r = registry
    monkeypatch.setattr("registry.views.PAGE_SIZE", 1)
    # when the registry is read one pilot a page, then the newest published comes first
    assert _refs_on_page(client) == [r.closed_b.reference]
    assert _refs_on_page(client, page="2") == [r.open_a.reference]
    response = client.get(reverse("registry:list"), {"page": "2", "theme": ""})
    assert response.context["page"].paginator.num_pages == 2


def test_registry_links_its_open_data(client, registry):
    # when the registry's page is read
    text = client.get(reverse("registry:list")).content.decode()
    # then it links the CSV, the JSON and the schema, and states the licence
    for url in ("/registry/pilots.csv", "/registry/pilots.json", "/registry/schema.json"):
        assert f'href="{url}"' in text
    assert 'href="https://creativecommons.org/licenses/by/4.0/"' in text
