"""The dashboard's snapshots of large scopes: who shares one, when they are recomputed, and that
the figures come back as they were computed."""

import datetime
import json

import pytest
from django.utils import timezone, translation

from cases.models import Pilot
from cases.selectors import VisibilityScope, pilots_visible_to, visibility_scope
from insight import selectors, services, snapshots
from insight.models import DashboardSnapshot
from tests import factories as f
from workflows import scenarios as sc

from .helpers import closed_pilot

URL = "/dashboard/"
YEAR = 2027


@pytest.fixture
def small_set_of_two(monkeypatch):
    """Scopes of more than two pilots count as large, so that a handful of pilots takes the
    snapshot path."""
    monkeypatch.setattr(selectors, "SMALL_PILOT_SET", 2)


def _spread(w):
    """Pilots of both companies at several stages, one closed with its evaluations, so that
    every figure has rows."""
    closed_pilot(
        w,
        title="Closed",
        division=w.edu,
        staff=w.edu_staff,
        funding_amounts={"division_budget": "1200.50"},
        emission_reduction_estimate="3.5",
    )
    matched = f.submit_pilot(w.company_a, w.company, title="Matched")
    sc.screen(matched, w.agent)
    sc.match(matched, w.agent, w.urban)
    f.submit_pilot(w.company_b, w.company2, title="New B1")
    f.submit_pilot(w.company_b, w.company2, title="New B2")
    f.submit_pilot(w.company_b, w.company2, title="New B3")
    Pilot.objects.update(planned_start=datetime.date(YEAR, 3, 1))


def test_figures_come_back_from_json_as_they_were_computed(world):
    _spread(world)
    figures = selectors.dashboard_figures(pilots_visible_to(world.manager))
    assert figures["funding"] and figures["emissions"] and figures["lead_times"]["nodes"]
    stored = json.loads(json.dumps(snapshots.encode(figures)))
    assert snapshots.decode(stored) == figures
    # counters keep their zero default, which the tables rely on
    assert snapshots.decode(stored)["by_stage"]["no-such-stage"] == 0


def test_visibility_scope_selects_each_role_s_pilots(world):
    _spread(world)
    w = world
    company_b = {"New B1", "New B2", "New B3"}
    expected = {
        w.agent: {"Closed", "Matched"} | company_b,
        w.manager: {"Closed", "Matched"} | company_b,
        w.legal: {"Closed"},  # contracting has started for that one only
        w.edu_staff: {"Closed"},
        w.urban_staff: {"Matched"},
        w.company: {"Closed", "Matched"},
        w.company2: company_b,
        f.UserFactory(username="nobody"): set(),
    }
    for user, titles in expected.items():
        scope = visibility_scope(user)
        assert set(scope.pilots().values_list("title", flat=True)) == titles, user.username
        assert VisibilityScope.from_dict(scope.as_dict()) == scope


def test_users_of_one_division_share_a_scope_and_other_divisions_do_not(world):
    w = world
    colleague = f.make_division_staff(w.edu, "edu2")
    assert visibility_scope(colleague) == visibility_scope(w.edu_staff)
    assert visibility_scope(w.urban_staff) != visibility_scope(w.edu_staff)
    assert visibility_scope(w.company) != visibility_scope(w.company2)
    assert visibility_scope(w.agent) == visibility_scope(w.manager) == VisibilityScope(True)


def test_a_small_scope_is_computed_on_each_request(client, world):
    _spread(world)
    client.force_login(world.company)
    response = client.get(URL)
    assert response.context["figures"]["total"] == 2
    assert response.context["computed_at"] is None
    assert not DashboardSnapshot.objects.exists()


def test_a_large_scope_is_served_from_its_snapshot_until_it_is_too_old(
    client, world, small_set_of_two, settings
):
    _spread(world)
    client.force_login(world.agent)
    first = client.get(URL)
    assert first.context["figures"]["total"] == 5
    assert DashboardSnapshot.objects.count() == 1
    assert "Computed at" in first.content.decode()
    # A new pilot is not in the snapshot, which the page says is a snapshot
    f.submit_pilot(world.company_a, world.company, title="Later")
    second = client.get(URL)
    assert second.context["figures"] == first.context["figures"]
    assert second.context["computed_at"] == first.context["computed_at"]
    # Once the snapshot is older than the maximum age, the request computes the figures again
    settings.KOKEILU_DASHBOARD_MAX_AGE = 60
    DashboardSnapshot.objects.update(computed_at=timezone.now() - datetime.timedelta(minutes=2))
    third = client.get(URL)
    assert third.context["figures"]["total"] == 6
    assert DashboardSnapshot.objects.count() == 1


def test_a_snapshot_is_shared_only_by_the_same_scope_filters_and_language(
    client, world, small_set_of_two
):
    w = world
    _spread(w)
    f.submit_pilot(w.company_a, w.company, title="Third of A")
    client.force_login(w.company)
    mine = client.get(URL).context["figures"]
    client.force_login(w.company2)
    theirs = client.get(URL).context["figures"]
    # two companies with three pilots each: two snapshots, each with its own pilots
    assert mine["total"] == theirs["total"] == 3
    assert mine["by_stage"] != theirs["by_stage"]
    assert DashboardSnapshot.objects.count() == 2
    # a colleague of company B's user shares its snapshot
    colleague = f.make_company_user(w.company_b, "company2b")
    client.force_login(colleague)
    assert client.get(URL).context["figures"] == theirs
    assert DashboardSnapshot.objects.count() == 2
    # a filter and a language are snapshots of their own
    client.get(URL, {"year": YEAR})
    assert DashboardSnapshot.objects.count() == 3
    client.get(URL, headers={"accept-language": "fi"})
    assert set(DashboardSnapshot.objects.values_list("language", flat=True)) == {"en", "fi"}


def test_the_export_uses_the_page_s_snapshot(client, world, small_set_of_two):
    _spread(world)
    client.force_login(world.agent)
    client.get(URL)
    f.submit_pilot(world.company_a, world.company, title="Later")
    rows = client.get(f"{URL}export/stages.csv").content.decode().splitlines()
    assert rows[1].split(",")[-1] == "3"  # intake: three new pilots of B, not the later one


def test_refresh_recomputes_old_snapshots_and_drops_unviewed_ones(world, small_set_of_two):
    w = world
    _spread(w)
    now = timezone.now()
    with translation.override("fi"):
        services.dashboard_figures(w.agent)
    services.dashboard_figures(w.company2)
    services.dashboard_figures(w.agent, year=YEAR)
    f.submit_pilot(w.company_a, w.company, title="Later")
    everything = VisibilityScope(everything=True).as_dict()
    old, unviewed, fresh = (
        DashboardSnapshot.objects.get(scope=everything, language="fi"),
        DashboardSnapshot.objects.get(scope=visibility_scope(w.company2).as_dict()),
        DashboardSnapshot.objects.get(scope=everything, filters__year=YEAR),
    )
    hour, week = datetime.timedelta(hours=1), datetime.timedelta(days=8)
    DashboardSnapshot.objects.filter(pk=old.pk).update(computed_at=now - hour)
    DashboardSnapshot.objects.filter(pk=unviewed.pk).update(viewed_at=now - week)
    assert services.dashboard_snapshots_refresh(now=now) == {"refreshed": 1, "dropped": 1}
    old.refresh_from_db()
    fresh_before = fresh.figures
    fresh.refresh_from_db()
    assert snapshots.decode(old.figures)["total"] == 6
    assert old.computed_at >= now
    # recomputed in the snapshot's own language
    assert "Kasvatuksen ja koulutuksen toimiala" in snapshots.decode(old.figures)["by_division"]
    assert fresh.figures == fresh_before
    assert not DashboardSnapshot.objects.filter(pk=unviewed.pk).exists()
    # a second run finds nothing to do
    assert services.dashboard_snapshots_refresh(now=now) == {"refreshed": 0, "dropped": 0}


def test_the_refresh_task_calls_the_service(world, small_set_of_two):
    from insight import tasks

    _spread(world)
    services.dashboard_figures(world.agent)
    DashboardSnapshot.objects.update(computed_at=timezone.now() - datetime.timedelta(hours=1))
    assert tasks.dashboard_snapshots_refresh.delay().get() == {"refreshed": 1, "dropped": 0}


def test_an_unreadable_snapshot_is_computed_again(client, world, small_set_of_two):
    _spread(world)
    client.force_login(world.agent)
    client.get(URL)
    DashboardSnapshot.objects.update(figures={"total": 5})  # e.g. written by another version
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["figures"]["total"] == 5
    assert "by_stage" in DashboardSnapshot.objects.get().figures


def test_the_key_names_the_format_of_the_figures(world, monkeypatch):
    scope, filters = VisibilityScope(everything=True), {"year": None}
    before = services.snapshot_key(scope, filters, "en")
    monkeypatch.setattr(snapshots, "FORMAT", snapshots.FORMAT + 1)
    assert services.snapshot_key(scope, filters, "en") != before


def test_a_page_served_from_its_snapshot_runs_the_same_queries_for_more_pilots(
    client, world, small_set_of_two
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    w = world
    _spread(w)
    client.force_login(w.agent)

    def served() -> int:
        DashboardSnapshot.objects.all().delete()
        client.get(URL)  # computes and keeps the snapshot
        with CaptureQueriesContext(connection) as queries:
            response = client.get(URL)
        assert response.context["computed_at"] is not None
        return len(queries)

    few = served()
    for n in range(6):
        f.submit_pilot(w.company_b, w.company2, title=f"More {n}")
    assert served() == few
