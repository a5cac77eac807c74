"""Preparing and publishing calls, the public list (open calls first), and the history kept on
the call models with the acting user."""

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from calls import scenarios, services
from calls.models import Call, CallProcess, Criterion, ReviewAssignment

from .conftest import CRITERIA, call_values, helsinki


def test_the_call_models_keep_their_history_with_the_acting_user(world, in_review, expert):
    # given a published call, a submitted application and a review
    scenarios.score(
        ReviewAssignment.objects.get(application__title="Waste scales", reviewer=expert), [4, 2]
    )
    call = Call.objects.get()
    application = call.applications.get(title="Waste scales")
    assignment = application.assignments.get(reviewer=expert)
    # then each change is in the history, by whom it was made
    assert [(h.status, h.history_user) for h in call.history.order_by("history_id")] == [
        ("draft", world.agent),
        ("published", world.agent),
    ]
    assert [(h.status, h.history_user) for h in application.history.order_by("history_id")] == [
        ("submitted", world.company)
    ]
    assert [(h.status, h.history_user) for h in assignment.history.order_by("history_id")] == [
        ("pending", world.agent),
        ("scoring", expert),
        ("submitted", expert),
    ]
    assert [
        (h.value, h.history_user) for h in assignment.scores.get(criterion__weight=3).history.all()
    ] == [(4, expert)]
    assert Criterion.history.filter(call_id=call.pk, history_type="+").count() == 4
    assert [h.history_type for h in CallProcess.history.filter(call_id=call.pk)] == ["+"]


def test_only_agents_prepare_and_publish(world):
    with pytest.raises(PermissionDenied):
        services.call_create(by=world.edu_staff, values=call_values(world.edu), criteria=CRITERIA)
    assert Call.objects.count() == 0


def test_a_call_needs_criteria_and_a_cap_within_the_budget(world):
    with pytest.raises(ValidationError):
        services.call_create(by=world.agent, values=call_values(world.edu), criteria=[])
    with pytest.raises(ValidationError):
        services.call_create(
            by=world.agent,
            values=call_values(world.edu, cap_per_pilot=40000, total_budget=30000),
            criteria=CRITERIA,
        )
    assert Call.objects.count() == 0


def test_publishing_with_a_past_deadline_is_refused(world, draft_call):
    with (
        time_machine.travel(helsinki(2026, 4, 1, 9, 0), tick=False),
        pytest.raises(ValidationError),
    ):
        scenarios.publish(draft_call, world.agent)
    draft_call.refresh_from_db()
    assert draft_call.status == "draft"


def test_the_public_list_shows_open_calls_first(world, client):
    # given three published calls: closed, open, upcoming, and one draft
    with time_machine.travel(helsinki(2026, 1, 5, 9, 0), tick=False):
        specs = [
            ("Closed call", helsinki(2026, 1, 6, 9, 0), helsinki(2026, 2, 1, 16, 0)),
            ("Earlier closed call", helsinki(2026, 1, 6, 9, 0), helsinki(2026, 1, 20, 16, 0)),
            ("Open call", helsinki(2026, 1, 6, 9, 0), helsinki(2026, 4, 1, 16, 0)),
            ("Upcoming call", helsinki(2026, 3, 20, 9, 0), helsinki(2026, 5, 1, 16, 0)),
            ("Draft call", helsinki(2026, 1, 6, 9, 0), helsinki(2026, 4, 1, 16, 0)),
        ]
        for title, opens, closes in specs:
            call = services.call_create(
                by=world.agent,
                values=call_values(world.edu, title=title, opens_at=opens, closes_at=closes),
                criteria=CRITERIA,
            )
            if title != "Draft call":
                scenarios.publish(call, world.agent)
    # when anyone reads the list on 1 March
    with time_machine.travel(helsinki(2026, 3, 1, 12, 0), tick=False):
        response = client.get("/calls/")
    # then the open call comes first, then the upcoming one, then the closed ones, newest first
    body = response.content.decode()
    titles = ("Open call", "Upcoming call", "Closed call", "Earlier closed call")
    positions = [body.find(f">{title}<") for title in titles]
    assert response.status_code == 200
    assert positions == sorted(positions) and -1 not in positions
    assert "Draft call" not in body
