"""On PostgreSQL the tasks' figures are aggregated in SQL; they equal the Python definitions
(`lead_times`, `overdue_by_division`, used on SQLite) on the same tasks."""

import datetime

import pytest
import time_machine
from django.db import connection

from cases.models import Pilot
from cases.selectors import pilots_visible_to
from insight import selectors
from tests import factories as f
from workflows import scenarios as sc
from workflows.models import ScreeningDecision

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL=postgres://...)"
)

T0 = datetime.datetime(2027, 3, 1, 8, 0, tzinfo=datetime.UTC)


def at(days: float) -> datetime.datetime:
    return T0 + datetime.timedelta(days=days)


@pytest.fixture
def spread(world):
    """Pilots of both companies at different nodes, with uneven times: a request for more
    information (a node run twice), a rejection, matches to both divisions, a contract."""
    w = world
    with time_machine.travel(at(0), tick=False):
        pilots = [
            f.submit_pilot(company, user, title=f"P{n}")
            for n, (company, user) in enumerate(
                [(w.company_a, w.company), (w.company_b, w.company2)] * 4
            )
        ]
    with time_machine.travel(at(1.3), tick=False):
        sc.screen(pilots[0], w.agent, ScreeningDecision.REQUEST_INFORMATION, "More?")
    with time_machine.travel(at(2.7), tick=False):
        sc.request_information(pilots[0], w.company)
    for n, pilot in enumerate(pilots):
        with time_machine.travel(at(3 + n * 0.45), tick=False):
            if n == 7:
                sc.screen(pilot, w.agent, ScreeningDecision.REJECT, "Not a pilot.")
            elif n != 6:
                sc.screen(pilot, w.agent)
    for n, pilot in enumerate(pilots[:5]):
        division, staff = (w.edu, w.edu_staff) if n % 2 == 0 else (w.urban, w.urban_staff)
        with time_machine.travel(at(7 + n), tick=False):
            sc.match(pilot, w.agent, division)
        if n < 3:
            with time_machine.travel(at(9 + n * 1.7), tick=False):
                sc.review_match(pilot, staff)
    with time_machine.travel(at(15), tick=False):
        sc.prepare_contract(pilots[0], w.legal, w.edu_staff)
    return pilots


def _both(pilots, now):
    today = now.date()
    tasks = selectors.task_rows(pilots)
    python = (
        selectors.lead_times(tasks, now=now),
        selectors.overdue_by_division(tasks, today=today),
    )
    big = selectors.task_figures_sql(pilots, now=now, today=today)
    small = selectors.task_figures_sql(
        pilots, now=now, today=today, pilot_ids=list(pilots.values_list("pk", flat=True))
    )
    return python, big, small


@pytest.mark.parametrize("days", [16, 40])
def test_sql_figures_equal_the_python_definitions(world, spread, days):
    now = at(days)  # on day 40 every open task is overdue
    for user in (world.agent, world.edu_staff, world.urban_staff, world.company):
        python, big, small = _both(pilots_visible_to(user), now)
        assert big == python, user.username
        assert small == python, user.username
    python, _big, _small = _both(Pilot.objects.all(), now)
    nodes = python[0]["nodes"]
    # the figures are not empty: the node that ran twice, the waits, the stages
    assert nodes["screen"]["count"] == 8 and nodes["request_information"]["count"] == 1
    assert nodes["review_match"]["open"] == 2
    assert python[0]["stages"]["matching"]["count"] == 3
    assert sum(row["open"] for row in python[1].values()) >= 4


def test_the_dashboard_of_a_few_pilots_reads_them_by_id(
    world, spread, django_assert_max_num_queries
):
    # a company's dashboard: its four pilots, the same figures through the ids path
    pilots = pilots_visible_to(world.company)
    figures = selectors.dashboard_figures(pilots, now=at(16))
    assert figures["total"] == 4
    assert figures["lead_times"] == selectors.lead_times(selectors.task_rows(pilots), now=at(16))
