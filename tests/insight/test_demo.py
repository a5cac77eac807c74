"""The demo's task times: laid out over past weeks, ending now, each node its demo duration."""

import datetime

from viewflow.workflow.models import Task

from insight import demo
from tests import factories as f
from workflows import scenarios as sc

NOW = datetime.datetime(2027, 6, 1, 12, 0, tzinfo=datetime.UTC)


def test_spread_task_times_lays_the_tasks_out_ending_now(world):
    w = world
    pilot = f.submit_pilot(w.company_a, w.company, title="Demo")
    sc.screen(pilot, w.agent)
    screen_days = demo._days(pilot, "screen")
    match_days = demo._days(pilot, "match")
    changed = demo.spread_task_times(pilots=[pilot], now=NOW)
    tasks = list(Task.objects.filter(process__pilotprocess__pilot=pilot).order_by("created", "pk"))
    assert changed == len(tasks) == 4  # submit, screen, check_screening (done), match (open)
    submit, screen, check, match = tasks
    assert screen.finished - screen.created == datetime.timedelta(days=screen_days)
    assert submit.finished == screen.created
    # a gateway takes no time
    assert check.created == check.finished == screen.finished
    assert match.created == screen.finished
    assert match.finished is None
    # the open match task has waited its node's demo time up to now
    assert NOW - match.created == datetime.timedelta(days=match_days)
