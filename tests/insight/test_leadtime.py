"""Lead-time arithmetic: quantiles, and lead times per node and stage from task timestamps."""

import datetime

import time_machine
from viewflow.workflow.status import STATUS

from cases.models import Pilot
from insight import selectors, stats
from tests import factories as f
from workflows import scenarios as sc

T0 = datetime.datetime(2027, 3, 1, 8, 0, tzinfo=datetime.UTC)


def at(days: float) -> datetime.datetime:
    return T0 + datetime.timedelta(days=days)


def test_percentile_interpolates_between_closest_ranks():
    assert stats.percentile([1, 2, 3, 4], 0.5) == 2.5
    assert round(stats.percentile([1, 2, 3, 4], 0.9), 6) == 3.7
    assert stats.percentile([4, 1, 2], 0.5) == 2
    assert stats.percentile([5], 0.9) == 5
    assert stats.percentile([], 0.5) is None


def test_summarise_rounds_to_a_tenth_of_a_day():
    assert stats.summarise([1, 2, 4]) == {"count": 3, "median": 2, "p90": 3.6}
    assert stats.summarise([]) == {"count": 0, "median": None, "p90": None}


def _task(pilot, node, created, finished=None, status=STATUS.DONE, due=None, division="Edu"):
    return {
        "pilot": pilot,
        "node": node,
        "status": status,
        "created": created,
        "finished": finished,
        "due": due,
        "division": division,
    }


def test_lead_times_per_node_and_stage_from_hand_built_tasks():
    # given: pilot 1 screened twice (2 days, then 1 day after more information),
    # pilot 2 screened in 4 days and matched (match 3 days, review 1 day),
    # pilot 3 waiting at screening for 10 days
    tasks = [
        _task(1, "screen", at(0), at(2)),
        _task(1, "request_information", at(2), at(5)),
        _task(1, "screen", at(5), at(6)),
        _task(2, "screen", at(0), at(4)),
        _task(2, "match", at(4), at(7)),
        _task(2, "review_match", at(7), at(8)),
        _task(3, "screen", at(0), status=STATUS.NEW),
    ]
    # when
    times = selectors.lead_times(tasks, now=at(10))
    # then: screening rounds 2, 1 and 4 days
    assert times["nodes"]["screen"] == {
        "count": 3,
        "median": 2,
        "p90": 3.6,
        "open": 1,
        "oldest_open": 10,
    }
    assert times["nodes"]["match"]["median"] == 3
    assert times["nodes"]["decide_scaling"] == {
        "count": 0,
        "median": None,
        "p90": None,
        "open": 0,
        "oldest_open": None,
    }
    # intake: pilot 1 from 0 to 6, pilot 2 from 0 to 4; pilot 3 is still in it
    assert times["stages"]["intake"] == {"count": 2, "median": 5, "p90": 5.8}
    assert times["stages"]["matching"] == {"count": 1, "median": 4, "p90": 4}
    assert times["stages"]["contracting"]["count"] == 0
    # the longest waits by median: the company's completion and the match (3 days each; a tie
    # keeps the flow's order), then screening (2 days)
    assert selectors.bottlenecks(times["nodes"]) == ["request_information", "match", "screen"]


def test_a_stage_with_an_open_task_is_not_counted():
    tasks = [
        _task(1, "match", at(0), at(1)),
        _task(1, "review_match", at(1), status=STATUS.ASSIGNED),
    ]
    times = selectors.lead_times(tasks, now=at(3))
    assert times["stages"]["matching"] == {"count": 0, "median": None, "p90": None}
    assert times["nodes"]["review_match"]["open"] == 1
    assert times["nodes"]["review_match"]["oldest_open"] == 2


def test_overdue_tasks_per_division():
    today = datetime.date(2027, 3, 10)
    tasks = [
        _task(1, "screen", at(0), status=STATUS.NEW, due=datetime.date(2027, 3, 9)),
        _task(2, "review_match", at(0), status=STATUS.ASSIGNED, due=datetime.date(2027, 3, 10)),
        _task(
            3,
            "sign_contract",
            at(0),
            status=STATUS.NEW,
            due=datetime.date(2027, 3, 1),
            division="Urban",
        ),
        _task(4, "screen", at(0), at(1), due=datetime.date(2027, 3, 1)),
    ]
    assert selectors.overdue_by_division(tasks, today=today) == {
        "Edu": {"open": 2, "overdue": 1},
        "Urban": {"open": 1, "overdue": 1},
    }


def test_lead_times_of_pilots_driven_through_the_flow_at_known_times(world):
    # given: three pilots whose screening took 2, 4 and 1 days, the first two matched
    w = world
    with time_machine.travel(at(0), tick=False):
        pilots = [f.submit_pilot(w.company_a, w.company, title=f"Pilot {n}") for n in range(3)]
    for pilot, days in zip(pilots, [2, 4, 1], strict=True):
        with time_machine.travel(at(days), tick=False):
            sc.screen(pilot, w.agent)
    with time_machine.travel(at(5), tick=False):
        sc.match(pilots[0], w.agent, w.edu)
        sc.match(pilots[1], w.agent, w.edu)
    with time_machine.travel(at(8), tick=False):
        sc.review_match(pilots[0], w.edu_staff)
    # when
    figures = selectors.dashboard_figures(Pilot.objects.all(), now=at(9))
    # then
    nodes = figures["lead_times"]["nodes"]
    assert nodes["screen"] == {"count": 3, "median": 2, "p90": 3.6, "open": 0, "oldest_open": None}
    # match: pilot 1 from day 2 to 5, pilot 2 from day 4 to 5; pilot 3 waits since day 1
    assert nodes["match"] == {"count": 2, "median": 2, "p90": 2.8, "open": 1, "oldest_open": 8}
    assert nodes["review_match"] == {"count": 1, "median": 3, "p90": 3, "open": 1, "oldest_open": 4}
    assert figures["lead_times"]["stages"]["intake"] == {"count": 3, "median": 2, "p90": 3.6}
    # matching of pilot 1: match created on day 2, review done on day 8
    assert figures["lead_times"]["stages"]["matching"] == {"count": 1, "median": 6, "p90": 6}
    assert figures["by_stage"] == {"matching": 2, "contracting": 1}
