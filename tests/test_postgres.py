"""Concurrency on PostgreSQL with real threads (RELIABILITY.md 1.5, F3 and F4).

Each thread has its own database connection and closes it when done. The tests commit for
real (transaction=True), so they build their own reference data: the flush after each
transactional test removes the divisions and themes that the data migration created.
"""

import datetime
import importlib
import threading
import uuid

import pytest
from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.urls import get_resolver
from django.utils import timezone
from viewflow.workflow.status import STATUS

from cases.models import Company, Pilot, ReferenceSequence
from tests import factories as f
from workflows import scenarios as sc
from workflows import services as flow_services
from workflows.scenarios import open_task

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL=postgres://...)"
    ),
    pytest.mark.django_db(transaction=True),
]

User = get_user_model()
THREADS = 8
CLAIM_ROUNDS = 100


@pytest.fixture
def cast(transactional_db):
    """Divisions and themes as the data migration makes them, a company with a user, and two
    innovation agents."""
    migration = importlib.import_module("cases.migrations.0002_divisions_and_themes")
    migration.create(django_apps, None)
    company = f.CompanyFactory(name="Rinnakkain Oy")
    return {
        "company": company,
        "company_user": f.make_company_user(company, "pg-company"),
        "agents": [f.make_agent("pg-agent-1"), f.make_agent("pg-agent-2")],
    }


def run_in_threads(count: int, work) -> list:
    """Run work(i) in `count` threads released together; return each result or exception."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def target(i):
        try:
            barrier.wait(timeout=20)
            results[i] = work(i)
        except BaseException as error:
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert [t.is_alive() for t in threads] == [False] * count
    return results


def submit_as(user_pk: int, company_pk: int, title: str, token=None) -> Pilot:
    """pilot_submit with objects read in the calling thread (own connection, own caches)."""
    return flow_services.pilot_submit(
        company=Company.objects.get(pk=company_pk),
        by=User.objects.get(pk=user_pk),
        proposal=sc.proposal(f.theme(), title=title, start=datetime.date(2027, 3, 1)),
        submission_token=token,
    )


def assign_url(task) -> str:
    # The flow's URL namespace exists once the URLconf is loaded, as in any request.
    get_resolver().url_patterns  # noqa: B018
    return task.flow_task.reverse("assign", args=[task.process_id, task.pk])


def sequence_last(year: int) -> int:
    return ReferenceSequence.objects.filter(year=year).values_list("last", flat=True).first() or 0


# -- F4: distinct references under concurrent submissions ----------------------------------


@pytest.mark.parametrize("year_row_exists", [False, True])
def test_concurrent_submissions_get_distinct_consecutive_references(cast, year_row_exists):
    # given no pilots, and the year's counter row either missing (the first submissions of a
    # year race to create it) or already there
    year = timezone.localdate().year
    if year_row_exists:
        ReferenceSequence.objects.create(year=year, last=41)
    start = sequence_last(year)
    user_pk, company_pk = cast["company_user"].pk, cast["company"].pk

    # when eight threads submit a proposal at the same moment
    results = run_in_threads(
        THREADS, lambda i: submit_as(user_pk, company_pk, f"Parallel {i}").reference
    )

    # then eight pilots exist with eight distinct, consecutive references
    assert [r for r in results if isinstance(r, BaseException)] == []
    expected = [f"PIL-{year}-{start + n:04d}" for n in range(1, THREADS + 1)]
    assert sorted(results) == expected
    assert sorted(Pilot.objects.values_list("reference", flat=True)) == expected
    assert Pilot.objects.count() == THREADS
    assert sequence_last(year) == start + THREADS
    # and each pilot has its process with one open screening task
    assert (
        Pilot.objects.filter(
            process__task__flow_task_type="HUMAN", process__task__status=STATUS.NEW
        ).count()
        == THREADS
    )


# -- F4: a double-submitted proposal ---------------------------------------------------------


def test_double_submit_from_two_threads_creates_one_pilot(cast):
    year = timezone.localdate().year
    # a first submission creates the year's counter row, so the race below is on the pilot
    f.submit_pilot(cast["company"], cast["company_user"], title="First")
    user_pk, company_pk = cast["company_user"].pk, cast["company"].pk
    rounds = 100
    for round_ in range(rounds):
        # given one proposal form, double-clicked: two posts with the same token
        token = uuid.uuid4()
        last_before = sequence_last(year)
        # when both are submitted at the same moment
        results = run_in_threads(
            2, lambda i, t=token, r=round_: submit_as(user_pk, company_pk, f"Twice {r}", t)
        )
        # then exactly one pilot exists for the token, and both submissions return it
        assert [r for r in results if isinstance(r, BaseException)] == []
        pilot = Pilot.objects.get(submission_token=token)
        assert [r.pk for r in results] == [pilot.pk, pilot.pk]
        # and only one reference number was used
        assert sequence_last(year) == last_before + 1
        assert pilot.reference == f"PIL-{year}-{last_before + 1:04d}"
        assert pilot.timeline.count() == 1
    assert Pilot.objects.count() == 1 + rounds


# -- F3: two agents claim the same task -------------------------------------------------------


def test_two_agents_claiming_one_task_get_one_owner(cast):
    agents = cast["agents"]
    clients = []
    for agent in agents:
        client = Client(raise_request_exception=False)
        client.force_login(agent)
        clients.append(client)
    outcomes = []
    for round_ in range(CLAIM_ROUNDS):
        # given a new pilot whose screening task nobody has claimed
        pilot = f.submit_pilot(cast["company"], cast["company_user"], title=f"Claim {round_}")
        task = open_task(pilot, "screen")
        assert (task.status, task.owner_id) == (STATUS.NEW, None)
        url = assign_url(task)

        # when both agents post "assign" at the same moment
        results = run_in_threads(2, lambda i, u=url: clients[i].post(u).status_code)

        # then one of them owns it, the other is refused with 403 or 409, never 500
        assert [r for r in results if isinstance(r, BaseException)] == []
        assert sorted(results)[0] == 302
        assert sorted(results)[1] in (403, 409)
        task.refresh_from_db()
        winner = agents[results.index(302)]
        assert (task.status, task.owner_id) == (STATUS.ASSIGNED, winner.pk)
        assert task.history.filter(status=STATUS.ASSIGNED).count() == 1
        assert pilot.process.task_set.filter(flow_task_type="HUMAN").count() == 1
        outcomes.append(sorted(results)[1])
    assert len(outcomes) == CLAIM_ROUNDS
    # the refusals seen over the rounds, for the record (403 or 409, never anything else)
    print(f"claim race: {CLAIM_ROUNDS} rounds, refusals {sorted(set(outcomes))}")


# -- F4: a double-submitted task form -----------------------------------------------------------


def test_a_double_submitted_task_form_completes_once(cast):
    agent = cast["agents"][0]
    client = Client(raise_request_exception=False)
    client.force_login(agent)
    rounds = 100
    answers = []
    for round_ in range(rounds):
        # given a screening task the agent has claimed
        pilot = f.submit_pilot(cast["company"], cast["company_user"], title=f"Twice {round_}")
        task = open_task(pilot, "screen")
        get_resolver().url_patterns  # noqa: B018
        assert client.post(assign_url(task)).status_code == 302
        url = task.flow_task.reverse("execute", args=[task.process_id, task.pk])

        # when the form is posted twice at the same moment (a double click)
        results = run_in_threads(
            2, lambda i, u=url: client.post(u, {"decision": "accept"}).status_code
        )

        # then one post completes it, the other is refused cleanly; the process moved on once
        assert [r for r in results if isinstance(r, BaseException)] == []
        assert sorted(results)[0] == 302 and sorted(results)[1] in (302, 403, 404, 409)
        task.refresh_from_db()
        assert task.status == STATUS.DONE
        assert task.history.filter(status=STATUS.DONE).count() == 1
        assert pilot.process.task_set.filter(flow_task=task.flow_task).count() == 1
        assert pilot.process.task_set.filter(flow_task_type="HUMAN", status=STATUS.NEW).count() == 1
        answers.append(sorted(results)[1])
    print(f"double task submit: {rounds} rounds, second answers {sorted(set(answers))}")


# -- F9: a task URL with another process's id ---------------------------------------------------


def test_a_task_url_with_another_process_id_is_404_and_changes_nothing(cast):
    agent = cast["agents"][0]
    client = Client(raise_request_exception=False)
    client.force_login(agent)
    first = f.submit_pilot(cast["company"], cast["company_user"], title="First")
    second = f.submit_pilot(cast["company"], cast["company_user"], title="Second")
    task = open_task(first, "screen")
    get_resolver().url_patterns  # noqa: B018
    for action in ("assign", "execute", "detail", "cancel"):
        url = task.flow_task.reverse(action, args=[second.process.pk, task.pk])
        assert client.post(url, {"decision": "accept"}).status_code == 404
    task.refresh_from_db()
    assert (task.status, task.owner_id) == (STATUS.NEW, None)


def test_the_task_lists_have_their_index_and_statistics():
    """The queue's sort reads due dates from a covering index, and its plan relies on the
    statistics of (status, owner_permission) (migrations workflows 0003 and 0004)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'kokeilu_deadline_task_due'"
        )
        (definition,) = cursor.fetchone()
        cursor.execute(
            "SELECT stxkind FROM pg_statistic_ext WHERE stxname = 'kokeilu_task_status_permission'"
        )
        (kinds,) = cursor.fetchone()
    assert "(task_id) INCLUDE (due)" in definition
    assert set(kinds) == {"m", "f"}  # most common values, functional dependencies
