"""The inbox's, queue's and archive's own queries give exactly what Viewflow's rules give:
the pilot rule as a condition on the task's join, and the queue's permission rule on
indexable columns (workflows.selectors)."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from viewflow.workflow.fields import get_task_ref
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from calls.flows import CallFlow
from cases.selectors import pilot_visibility, pilots_visible_to
from tests import factories as f
from workflows import scenarios as sc
from workflows.flows import PilotFlow
from workflows.selectors import inbox_tasks_visible_to, queue_of
from workflows.viewsets import human_node_choices

FLOWS = [PilotFlow, CallFlow]


@pytest.fixture
def pilots(world):
    """Pilots of both companies at several nodes: screening, the division's review (both
    divisions), contract acceptance (a company's task) and running."""
    w = world
    made = [f.submit_pilot(w.company_a, w.company, title="A screening")]
    for company, user, division, title in (
        (w.company_a, w.company, w.edu, "A review"),
        (w.company_b, w.company2, w.urban, "B review"),
    ):
        pilot = f.submit_pilot(company, user, title=title)
        sc.screen(pilot, w.agent)
        sc.match(pilot, w.agent, division)
        made.append(pilot)
    accepting = f.submit_pilot(w.company_b, w.company2, title="B accepting")
    sc.screen(accepting, w.agent)
    sc.match(accepting, w.agent, w.urban)
    sc.review_match(accepting, w.urban_staff)
    sc.prepare_contract(accepting, w.legal, w.urban_staff)
    made.append(accepting)
    return made


def _everyone(w):
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    return [
        w.agent,
        w.legal,
        w.manager,
        w.edu_staff,
        w.urban_staff,
        w.company,
        w.company2,
        admin,
        f.UserFactory(username="nobody"),
    ]


def test_the_queue_is_viewflows_queue(world, pilots):
    for user in _everyone(world):
        theirs = Task.objects.user_queue(user).filter(
            process__flow_class__in=FLOWS, status=STATUS.NEW
        )
        ours = queue_of(user, FLOWS)
        assert set(ours.values_list("pk", flat=True)) == set(theirs.values_list("pk", flat=True)), (
            user.username
        )
    # and the rule is not empty: the company whose contract waits has it in its queue
    assert queue_of(world.company2, FLOWS).filter(flow_task=PilotFlow.accept_contract).exists()
    assert not queue_of(world.company, FLOWS).filter(flow_task=PilotFlow.accept_contract).exists()


def test_the_pilot_rule_on_the_tasks_join_is_pilots_visible_to(world, pilots):
    every_task = Task.objects.filter(process__flow_class=PilotFlow)
    for user in _everyone(world):
        expected = set(
            every_task.filter(process__pilotprocess__pilot__in=pilots_visible_to(user)).values_list(
                "pk", flat=True
            )
        )
        condition = pilot_visibility(user, "process__pilotprocess__pilot")
        found = every_task if condition is None else every_task.filter(condition)
        assert set(found.values_list("pk", flat=True)) == expected, user.username
        listed = inbox_tasks_visible_to(user, every_task)
        assert set(listed.values_list("pk", flat=True)) == expected, user.username
    # Education's staff see their pilot's tasks and not Urban Environment's
    edu = set(
        inbox_tasks_visible_to(world.edu_staff, every_task).values_list(
            "process__pilotprocess__pilot__title", flat=True
        )
    )
    assert edu == {"A review"}


def test_the_node_filter_offers_every_human_node_of_both_flows():
    choices = dict(human_node_choices())
    labels = " ".join(choices.values())
    assert "Screen" in labels and "Review" in labels
    human = [n for flow in FLOWS for n in flow.instance.nodes() if n.task_type == "HUMAN"]
    assert len(choices) == len(human)


def _queue_counts(queries) -> int:
    """The COUNTs of open tasks among the queries of a request."""
    return sum(
        1
        for query in queries
        if query["sql"].startswith("SELECT COUNT(*)")
        and 'FROM "viewflow_task"' in query["sql"]
        and "NEW" in query["sql"]
    )


def test_the_queue_is_counted_once_for_its_badge_and_its_pages(client, world, pilots):
    w = world
    sc.screen(f.submit_pilot(w.company_a, w.company, title="A matching"), w.agent)
    client.force_login(w.agent)
    expected = inbox_tasks_visible_to(w.agent, queue_of(w.agent, FLOWS)).count()
    assert expected == 2  # a screening and a matching
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/workflow/pilot/queue/")
    assert response.status_code == 200
    assert response.context["paginator"].count == expected
    assert response.context["user_queue"].count() == expected
    assert _queue_counts(queries.captured_queries) == 1
    # A filtered queue counts its own tasks; the badge still counts the whole queue.
    with CaptureQueriesContext(connection) as queries:
        response = client.get(
            "/workflow/pilot/queue/", {"flow_task": get_task_ref(PilotFlow.screen)}
        )
    screening = queue_of(w.agent, FLOWS).filter(flow_task=PilotFlow.screen).count()
    assert 0 < screening < expected
    assert response.context["paginator"].count == screening
    assert response.context["user_queue"].count() == expected
    assert _queue_counts(queries.captured_queries) == 2


def test_the_menu_badge_counts_up_to_99_and_the_queue_page_counts_all(
    client, world, pilots, monkeypatch
):
    from workflows import viewsets

    w = world
    sc.screen(f.submit_pilot(w.company_a, w.company, title="A matching"), w.agent)
    client.force_login(w.agent)
    assert client.get("/workflow/pilot/inbox/").context["user_queue"].count() == 2
    monkeypatch.setattr(viewsets, "QUEUE_BADGE_LIMIT", 2)
    inbox = client.get("/workflow/pilot/inbox/")
    assert inbox.context["user_queue"].count() == "1+"
    assert "1+" in inbox.content.decode()
    # the queue's own page counts every task, and its menu shows that number
    queue = client.get("/workflow/pilot/queue/")
    assert queue.context["paginator"].count == queue.context["user_queue"].count() == 2
