"""The call's work through the pages, as each role: tasks in the shared inbox, the task views,
the public list and the company's application; and the access rules (allowed and denied)."""

import time_machine
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from calls import scenarios
from calls.flows import CallFlow
from calls.models import Application, Call, ReviewAssignment, Score
from cases.models import Pilot

from .conftest import application_values, helsinki


def _form(values: dict) -> dict:
    return {k: ("" if v is None else str(v)) for k, v in values.items()}


def _url(task, action="execute"):
    return task.flow_task.reverse(action, args=[task.process_id, task.pk])


def test_the_whole_call_through_the_pages(world, draft_call, expert, client):
    call = draft_call
    # the agent publishes the call from the inbox's queue: claim, then the publish form
    publish = scenarios.open_tasks(call, "publish").get()
    client.force_login(world.agent)
    with time_machine.travel(helsinki(2026, 2, 21, 10, 0), tick=False):
        assert call.title in client.get("/workflow/pilot/queue/").content.decode()
        assert client.post(_url(publish, "assign")).status_code == 302
        assert call.title in client.get("/workflow/pilot/inbox/").content.decode()
        form = client.get(_url(publish)).content.decode()
        assert "Impact on the challenge" in form
        data = {
            "title": call.title,
            "challenge": call.challenge,
            "theme": call.theme_id,
            "division": call.division_id,
            "total_budget": "30000",
            "cap_per_pilot": "15000",
            "pilots_to_choose": "1",
            "opens_at": "2026-03-02T09:00",
            "closes_at": "2026-03-30T16:00",
            "info_event": "",
            "info_event_at": "",
            "criteria-TOTAL_FORMS": "2",
            "criteria-INITIAL_FORMS": "2",
            "criteria-MIN_NUM_FORMS": "1",
            "criteria-MAX_NUM_FORMS": "10",
            "criteria-0-name": "Impact",
            "criteria-0-description": "",
            "criteria-0-weight": "2",
            "criteria-1-name": "Price",
            "criteria-1-description": "",
            "criteria-1-weight": "1",
        }
        response = client.post(_url(publish), data)
    assert response.status_code == 302
    call.refresh_from_db()
    assert (call.status, call.pilots_to_choose) == (Call.Status.PUBLISHED, 1)
    assert [(c.name, c.weight) for c in call.criteria.all()] == [("Impact", 2), ("Price", 1)]
    # the public list shows it under open calls, without logging in
    client.logout()
    with time_machine.travel(helsinki(2026, 3, 10, 12, 0), tick=False):
        listing = client.get("/calls/")
        assert listing.status_code == 200
        assert call.title in listing.content.decode()
        # the company applies: a draft, then the submission
        client.force_login(world.company)
        values = _form(application_values())
        assert client.post(f"/calls/{call.pk}/apply/", values | {"save": "1"}).status_code == 302
        application = Application.objects.get(call=call, company=world.company_a)
        assert application.status == "draft"
        assert client.post(f"/calls/{call.pk}/apply/", values | {"submit": "1"}).status_code == 302
        application.refresh_from_db()
        assert application.status == "submitted"
        mine = client.get("/calls/mine/").content.decode()
        assert "Submitted" in mine
    # after the deadline the agent assigns the expert
    client.force_login(world.agent)
    assign = scenarios.open_tasks(call, "assign_reviewers").get()
    with time_machine.travel(helsinki(2026, 3, 31, 9, 0), tick=False):
        assert client.post(_url(assign, "assign")).status_code == 302
        assert client.post(_url(assign), {"reviewers": [expert.pk]}).status_code == 302
    review = Task.objects.get(flow_task=CallFlow.review)
    # the expert finds the review in the same inbox, declares no conflict and scores
    client.force_login(expert)
    inbox = client.get("/workflow/pilot/inbox/").content.decode()
    assert call.title in inbox
    assert client.post(_url(review), {"conflict": "no", "note": ""}).status_code == 302
    criteria = list(call.criteria.all())
    scores = {f"score_{c.pk}": "4" for c in criteria} | {
        f"comment_{c.pk}": "Good." for c in criteria
    }
    assert client.post(_url(review), scores).status_code == 302
    assert ReviewAssignment.objects.get().status == "submitted"
    # the agent proposes, the division approves
    client.force_login(world.agent)
    propose = scenarios.open_tasks(call, "propose_selection").get()
    assert client.post(_url(propose, "assign")).status_code == 302
    ranking = client.get(_url(propose)).content.decode()
    assert "4.00" in ranking
    assert client.post(_url(propose), {"applications": [application.pk]}).status_code == 302
    client.force_login(world.edu_staff)
    approve = scenarios.open_tasks(call, "approve_selection").get()
    assert client.post(_url(approve, "assign")).status_code == 302
    response = client.post(_url(approve), {"decision": "approve", "comment": ""})
    assert response.status_code == 302
    pilot = Pilot.objects.get()
    assert (pilot.title, pilot.division, pilot.stage) == ("Waste scales", world.edu, "matching")
    # and the company sees its pilot from its application
    client.force_login(world.company)
    page = client.get(f"/calls/applications/{application.pk}/").content.decode()
    assert pilot.reference in page


def test_only_agents_prepare_calls(world, client):
    # allowed: the agent gets the form
    client.force_login(world.agent)
    assert client.get("/calls/new/").status_code == 200
    # denied: staff of a division, a company user and the manager get 403 and nothing is made
    for user in (world.edu_staff, world.company, world.manager):
        client.force_login(user)
        assert client.get("/calls/new/").status_code == 403
        assert client.post("/calls/new/", {"title": "X"}).status_code == 403
    assert Call.objects.count() == 0


def test_drafts_are_not_public(world, draft_call, client):
    assert client.get(f"/calls/{draft_call.pk}/").status_code == 404
    assert draft_call.title not in client.get("/calls/").content.decode()
    client.force_login(world.company)
    assert client.get(f"/calls/{draft_call.pk}/").status_code == 404
    client.force_login(world.edu_staff)
    assert client.get(f"/calls/{draft_call.pk}/").status_code == 200


def test_the_ranking_is_for_the_calls_staff(world, in_review, expert, client):
    # allowed: the agent, the manager and the call's division
    for user in (world.agent, world.manager, world.edu_staff):
        client.force_login(user)
        assert client.get(f"/calls/{in_review.pk}/ranking/").status_code == 200
    # denied: another division, an external expert, a company user
    for user in (world.urban_staff, expert, world.company):
        client.force_login(user)
        assert client.get(f"/calls/{in_review.pk}/ranking/").status_code == 404


def test_experts_see_only_the_applications_assigned_to_them(world, in_review, expert, client):
    other = make_other_expert()
    client.force_login(other)
    application = Application.objects.get(title="Waste scales")
    assert client.get(f"/calls/applications/{application.pk}/").status_code == 404
    client.force_login(expert)
    assert client.get(f"/calls/applications/{application.pk}/").status_code == 200
    draft = Application.objects.get(title="Unfinished idea")
    assert client.get(f"/calls/applications/{draft.pk}/").status_code == 404


def make_other_expert():
    from .conftest import make_expert

    return make_expert("expert2")


def test_a_review_task_of_another_reviewer_is_not_found(world, in_review, expert, client):
    # given the edu staff member's review task
    theirs = ReviewAssignment.objects.get(
        application__title="Waste scales", reviewer=world.edu_staff
    )
    task = scenarios.review_task(theirs)
    # when the expert posts scores to it
    client.force_login(expert)
    response = client.post(_url(task), {"conflict": "no", "note": ""})
    # then 404, and nothing changed
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert (theirs.status, Task.objects.get(pk=task.pk).status) == ("pending", STATUS.ASSIGNED)
    # and the call's staff who is not its owner may see but not act: 403
    client.force_login(world.agent)
    assert client.post(_url(task), {"conflict": "no", "note": ""}).status_code == 403
    theirs.refresh_from_db()
    assert theirs.status == "pending"
    # allowed: its owner
    client.force_login(world.edu_staff)
    assert client.post(_url(task), {"conflict": "no", "note": ""}).status_code == 302
    theirs.refresh_from_db()
    assert theirs.status == "scoring"


def test_another_division_does_not_see_the_calls_tasks(world, in_review, client):
    scenarios_tasks = Task.objects.filter(process__callprocess__call=in_review)
    client.force_login(world.urban_staff)
    for task in scenarios_tasks:
        assert client.get(_url(task, "detail")).status_code == 404
    assert in_review.title not in client.get("/workflow/pilot/queue/").content.decode()
    assert in_review.title not in client.get("/workflow/pilot/inbox/").content.decode()


def test_approving_is_for_the_calls_division(world, in_review, expert, client):
    for assignment in ReviewAssignment.objects.all():
        scenarios.score(assignment, [3, 3])
    scenarios.propose(in_review, world.agent, [Application.objects.get(title="Waste scales")])
    approve = scenarios.open_tasks(in_review, "approve_selection").get()
    # denied: another division's staff (404: it does not see the call)
    client.force_login(world.urban_staff)
    assert client.post(_url(approve, "assign")).status_code == 404
    # denied: the agent sees the call but may not take the division's task
    client.force_login(world.agent)
    assert client.post(_url(approve, "assign")).status_code == 403
    assert Task.objects.get(pk=approve.pk).owner is None
    assert Pilot.objects.count() == 0
    # allowed: the division's staff; the queue lists it
    client.force_login(world.edu_staff)
    assert in_review.title in client.get("/workflow/pilot/queue/").content.decode()
    assert client.post(_url(approve, "assign")).status_code == 302


def test_applying_is_for_company_users_and_one_application_per_company(world, open_call, client):
    from django.db import IntegrityError, transaction

    # denied: city staff
    client.force_login(world.agent)
    with time_machine.travel(helsinki(2026, 3, 10, 12, 0), tick=False):
        assert (
            client.post(f"/calls/{open_call.pk}/apply/", _form(application_values())).status_code
            == 403
        )
    assert Application.objects.count() == 0
    # allowed: a company user, twice: the second save edits the same application
    client.force_login(world.company)
    with time_machine.travel(helsinki(2026, 3, 10, 12, 0), tick=False):
        client.post(f"/calls/{open_call.pk}/apply/", _form(application_values()) | {"save": "1"})
        client.post(
            f"/calls/{open_call.pk}/apply/", _form(application_values("Renamed")) | {"save": "1"}
        )
    assert list(Application.objects.values_list("title", flat=True)) == ["Renamed"]
    # and the database refuses a second one for the company
    existing = Application.objects.get()
    existing.pk = None
    with transaction.atomic(), __import__("pytest").raises(IntegrityError):
        existing.save()
    assert Score.objects.count() == 0
