"""List pages and the pilot page run the same number of queries with few and with many pilots."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import services as case_services
from registry import services as registry_services
from tests import factories as f
from workflows import scenarios as sc
from workflows.models import ScreeningDecision


def _queries(client, url: str) -> int:
    """The number of queries of one GET of `url` (after one warm-up GET for the caches)."""
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def _submit(w, count: int, start: int = 0, company=None, by=None) -> list:
    company, by = company or w.company_a, by or w.company
    return [f.submit_pilot(company, by, title=f"Pilot {n}") for n in range(start, start + count)]


def _assign_screening(pilots, agent) -> None:
    for pilot in pilots:
        task = sc.open_task(pilot, "screen")
        with task.activation() as activation:
            activation.assign(agent)


def _ask_information(pilots, agent) -> None:
    for pilot in pilots:
        sc.screen(pilot, agent, ScreeningDecision.REQUEST_INFORMATION, "Tell us more.")


def _counts_with_5_and_50(
    client, w, pages, prepare=lambda pilots: None, first=()
) -> tuple[dict, dict]:
    """Queries of each (user, url) of `pages` with 5 pilots, then with 50 pilots of company A,
    `first` among them (`prepare` runs on the new ones each time)."""

    def count_all():
        counts = {}
        for user, url in pages:
            client.force_login(user)
            counts[user.username, url] = _queries(client, url)
        return counts

    pilots = [*first, *_submit(w, 5 - len(first))]
    prepare(pilots)
    with_5 = count_all()
    prepare(_submit(w, 45, start=5))
    with_50 = count_all()
    return with_5, with_50


def test_queue_pilot_list_and_pilot_page_queries_do_not_grow_with_pilots(client, world):
    w = world
    # Given 5, then 50 proposals waiting in the agents' queue
    pilot = f.submit_pilot(w.company_a, w.company, title="The pilot")
    the_pilot = f"/pilots/{pilot.reference}/"
    pages = [
        (w.agent, "/workflow/pilot/queue/"),
        (w.agent, "/pilots/"),
        (w.company, "/pilots/"),
        (w.agent, the_pilot),
        (w.company, the_pilot),
    ]
    with_5, with_50 = _counts_with_5_and_50(client, w, pages, first=[pilot])
    # Then the agent's queue, both roles' pilot lists and one pilot's page run the same queries
    assert with_5 == with_50


def test_inbox_and_viewflow_overviews_queries_do_not_grow_with_pilots(client, world):
    w = world
    # Given an agent with 5, then 50 screening tasks assigned to them
    urls = [
        "/workflow/pilot/inbox/",
        "/workflow/pilot/",
        "/workflow/pilot/flows/",
        "/workflow/pilot/tasks/",
    ]
    with_5, with_50 = _counts_with_5_and_50(
        client,
        w,
        [(w.agent, url) for url in urls],
        lambda pilots: _assign_screening(pilots, w.agent),
    )
    # Then the inbox, the dashboard, the process list and the task list run the same queries
    assert with_5 == with_50


def test_portal_and_archive_queries_do_not_grow_with_pilots(client, world):
    w = world
    # Given 5, then 50 pilots of the company, each with a request for information open
    with_5, with_50 = _counts_with_5_and_50(
        client,
        w,
        [(w.company, "/portal/"), (w.agent, "/workflow/pilot/archive/")],
        lambda pilots: _ask_information(pilots, w.agent),
    )
    # Then the company's portal and the agent's archive (50 done screenings) run the same
    assert with_5 == with_50


def test_division_queue_queries_do_not_grow_with_pilots(client, world):
    w = world

    def to_review(pilots):
        for pilot in pilots:
            sc.screen(pilot, w.agent)
            sc.match(pilot, w.agent, w.edu)

    # Given 5, then 50 pilots waiting for Education's review (guardian object permissions)
    with_5, with_50 = _counts_with_5_and_50(
        client, w, [(w.edu_staff, "/workflow/pilot/queue/")], to_review
    )
    # Then the division's queue runs the same queries
    assert with_5 == with_50


def test_pilot_page_queries_do_not_grow_with_its_timeline_files_and_reports(client, world):
    w = world
    # Given a running pilot with 5, then 50 notes, milestones, files and progress reports
    pilot = f.submit_pilot(w.company_a, w.company, title="The pilot")
    sc.screen(pilot, w.agent)
    sc.match(pilot, w.agent, w.edu)
    sc.review_match(pilot, w.edu_staff)
    sc.prepare_contract(pilot, w.legal, w.edu_staff)
    sc.accept_contract(pilot, w.company)
    sc.sign_contract(pilot, w.edu_staff)
    pilot.refresh_from_db()
    url = f"/pilots/{pilot.reference}/"

    def add(count, start):
        for n in range(start, start + count):
            case_services.pilot_note_add(
                pilot=pilot, by=w.edu_staff, text=f"Note {n}", visible_to_company=n % 2 == 0
            )
            case_services.pilot_milestone_record(pilot=pilot, by=w.agent, text=f"Milestone {n}")
            case_services.attachment_add(
                pilot=pilot, by=w.company, uploaded=sc.contract_document(f"file-{n}.pdf")
            )
            case_services.progress_report_submit(
                pilot=pilot,
                by=w.company,
                period_end=datetime.date(2027, 3, 1) + datetime.timedelta(days=n),
                progress=f"Progress {n}",
            )

    counts = {}
    add(5, 0)
    for user in (w.agent, w.edu_staff, w.company):
        client.force_login(user)
        counts[user.username, 5] = _queries(client, url)
    add(45, 5)
    for user in (w.agent, w.edu_staff, w.company):
        client.force_login(user)
        counts[user.username, 50] = _queries(client, url)

    # Then the page runs the same queries for each viewer
    assert {user: counts[user, 5] for user in ("agent", "edu", "company")} == {
        user: counts[user, 50] for user in ("agent", "edu", "company")
    }


def _spread_over_the_flow(w, pilots) -> None:
    """Each fifth of the pilots elsewhere: waiting for screening, assigned to the agent, back
    with the company for more information, matched to Education and waiting for its review,
    or accepted by Education and published in the registry."""
    for n, pilot in enumerate(pilots):
        kind = n % 5
        if kind == 1:
            _assign_screening([pilot], w.agent)
        elif kind == 2:
            _ask_information([pilot], w.agent)
        elif kind >= 3:
            sc.screen(pilot, w.agent)
            sc.match(pilot, w.agent, w.edu)
        if kind == 4:
            sc.review_match(pilot, w.edu_staff)
            registry_services.pilot_consent_publication(pilot=pilot, by=w.company)
            registry_services.pilot_publish(pilot=pilot, by=w.agent)


def test_every_benchmarked_page_runs_the_same_queries_with_6_and_21_pilots(client, world):
    w = world
    # Given 6, then 21 pilots of company A spread over the flow (open and finished tasks for
    # the agent, Education's staff and the company; some published), the first one running
    pilot = f.submit_pilot(w.company_a, w.company, title="The pilot")
    sc.screen(pilot, w.agent)
    sc.match(pilot, w.agent, w.edu)
    sc.review_match(pilot, w.edu_staff)
    the_pilot = f"/pilots/{pilot.reference}/"
    urls = [
        "/workflow/pilot/inbox/",
        "/workflow/pilot/queue/",
        "/workflow/pilot/archive/",
        "/pilots/",
        the_pilot,
        "/registry/",
        "/api/v1/pilots/",
    ]
    users = (w.agent, w.edu_staff, w.company)
    pages = [(user, url) for user in users for url in urls]
    pages += [(user, "/dashboard/") for user in (w.agent, w.manager)]

    def count_all():
        counts = {}
        for user, url in pages:
            client.force_login(user)
            counts[user.username, url] = _queries(client, url)
        return counts

    _spread_over_the_flow(w, _submit(w, 5, start=1))
    with_6 = count_all()
    _spread_over_the_flow(w, _submit(w, 15, start=6))
    with_21 = count_all()
    # Then every page runs the same queries for each of them: none grows with the data
    assert with_6 == with_21
