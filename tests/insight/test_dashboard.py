"""The dashboard: who sees what, the same queries for 10 and 100 pilots, and its exports."""

import csv
import datetime
import io
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from cases.models import FundingSource
from tests import factories as f
from workflows import scenarios as sc

URL = "/dashboard/"


def _table(response, key):
    return next(table for table in response.context["tables"] if table.key == key)


def test_dashboard_url_is_named_in_the_insight_namespace():
    assert reverse("insight:dashboard") == URL


def test_anonymous_user_is_sent_to_log_in(client, world):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_manager_sees_every_pilot_in_the_figures(client, world):
    w = world
    f.submit_pilot(w.company_a, w.company, title="A")
    f.submit_pilot(w.company_b, w.company2, title="B")
    client.force_login(w.manager)
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["figures"]["total"] == 2
    assert _table(response, "stages").rows[0] == ["Intake", 2]


def test_company_user_sees_only_its_own_pilots_in_the_figures(client, world):
    w = world
    f.submit_pilot(w.company_a, w.company, title="A")
    f.submit_pilot(w.company_b, w.company2, title="B1")
    f.submit_pilot(w.company_b, w.company2, title="B2")
    client.force_login(w.company)
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["figures"]["total"] == 1
    assert _table(response, "stages").rows[0] == ["Intake", 1]


def test_division_staff_see_only_their_division_s_pilots(client, world):
    w = world
    mine = f.submit_pilot(w.company_a, w.company, title="Edu")
    other = f.submit_pilot(w.company_a, w.company, title="Urban")
    for pilot, division in [(mine, w.edu), (other, w.urban)]:
        sc.screen(pilot, w.agent)
        sc.match(pilot, w.agent, division)
    client.force_login(w.edu_staff)
    response = client.get(URL)
    assert response.context["figures"]["total"] == 1
    assert _table(response, "divisions").rows == [["Education Division", 1, 1, 0]]


def test_filters_narrow_the_figures(client, world):
    w = world
    f.submit_pilot(w.company_a, w.company, title="2027")
    f.submit_pilot(
        w.company_a,
        w.company,
        title="2028",
        planned_start=datetime.date(2028, 1, 1),
        planned_end=datetime.date(2028, 6, 1),
    )
    client.force_login(w.agent)
    response = client.get(URL, {"year": 2028})
    assert response.context["figures"]["total"] == 1
    assert _table(response, "years").rows == [[2028, 1]]


def test_funding_by_source_and_year_and_emissions(client, world):
    w = world
    f.submit_pilot(
        w.company_a,
        w.company,
        title="Funded",
        funding_sources=[FundingSource.ERDF, FundingSource.COMPANY],
        funding_amounts={"erdf": "30000.00", "company": "12500.50"},
        emission_reduction_estimate=Decimal("4.25"),
    )
    f.submit_pilot(
        w.company_a,
        w.company,
        title="Also funded",
        funding_amounts={"erdf": "10000"},
        emission_reduction_estimate=Decimal("1.75"),
    )
    client.force_login(w.manager)
    response = client.get(URL)
    assert _table(response, "funding").rows == [
        [2027, "European Regional Development Fund (ERDF)", 40000.0],
        [2027, "The company's own funding", 12500.5],
    ]
    assert _table(response, "emissions").rows == [[2027, 2, 6.0, 0, 0.0]]


def test_measured_emission_reduction_comes_from_the_division_s_evaluation(client, world):
    from tests.insight.helpers import closed_pilot

    w = world
    closed_pilot(
        w,
        title="Measured",
        division=w.edu,
        staff=w.edu_staff,
        emission_reduction_estimate=Decimal("2.00"),
    )
    client.force_login(w.manager)
    response = client.get(URL)
    # the evaluation scenario measures 1.50 t CO2e a year
    assert _table(response, "emissions").rows == [[2027, 1, 2.0, 1, 1.5]]
    assert _table(response, "outcomes").rows[0] == ["Scaled", 1]
    assert response.context["scaled"] == 1


def _dashboard_queries(client) -> int:
    assert client.get(URL).status_code == 200
    with CaptureQueriesContext(connection) as context:
        response = client.get(URL)
    assert response.status_code == 200
    return len(context.captured_queries)


def _pilots(w, start, count):
    pilots = [
        f.submit_pilot(w.company_a, w.company, title=f"Pilot {n}", funding_amounts={"erdf": "1000"})
        for n in range(start, start + count)
    ]
    for pilot in pilots[::3]:
        sc.screen(pilot, w.agent)
        sc.match(pilot, w.agent, w.edu)
    return pilots


def test_dashboard_runs_the_same_queries_for_10_and_100_pilots(client, world):
    w = world
    _pilots(w, 0, 10)
    counts_10 = {}
    for user in [w.manager, w.edu_staff, w.company]:
        client.force_login(user)
        counts_10[user.username] = _dashboard_queries(client)
    _pilots(w, 10, 90)
    counts_100 = {}
    for user in [w.manager, w.edu_staff, w.company]:
        client.force_login(user)
        counts_100[user.username] = _dashboard_queries(client)
        assert _table(client.get(URL), "stages").rows  # the page shows the figures
    assert counts_10 == counts_100
    client.force_login(w.manager)
    assert client.get(URL).context["figures"]["total"] == 100


def test_csv_export_has_the_rows_of_the_table(client, world):
    w = world
    f.submit_pilot(w.company_a, w.company, title="A")
    client.force_login(w.agent)
    response = client.get("/dashboard/export/stages.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="kokeilu-stages.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Stage", "Pilots"]
    assert rows[1] == ["Intake", "1"]
    assert len(rows) == 8


def test_xlsx_export_follows_the_filters(client, world):
    w = world
    f.submit_pilot(w.company_a, w.company, title="A", funding_amounts={"horizon": "5000"})
    f.submit_pilot(
        w.company_b,
        w.company2,
        title="B",
        funding_amounts={"horizon": "7000"},
        planned_start=datetime.date(2028, 1, 1),
        planned_end=datetime.date(2028, 6, 1),
    )
    client.force_login(w.manager)
    response = client.get("/dashboard/export/funding.xlsx", {"year": 2027})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [
        ["Year", "Source", "EUR"],
        [2027, "Horizon Europe or Horizon 2020", 5000],
    ]


def test_export_of_a_company_user_holds_only_its_pilots(client, world):
    w = world
    f.submit_pilot(w.company_a, w.company, title="A")
    f.submit_pilot(w.company_b, w.company2, title="B")
    client.force_login(w.company2)
    response = client.get("/dashboard/export/stages.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1] == ["Intake", "1"]


def test_unknown_table_or_format_is_404(client, world):
    client.force_login(world.manager)
    assert client.get("/dashboard/export/secrets.csv").status_code == 404
    assert client.get("/dashboard/export/stages.pdf").status_code == 404


def test_every_chart_has_a_title_a_description_and_its_table(client, world):
    w = world
    f.submit_pilot(w.company_a, w.company, title="A")
    client.force_login(w.manager)
    content = client.get(URL).content.decode()
    assert content.count('<svg role="img"') == content.count('<desc id="chart-')
    assert '<title id="chart-stages-title">Pilots by stage</title>' in content
    assert "<table>" in content
    assert "<script" not in content.split("<main", 1)[1]
