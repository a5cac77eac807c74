"""The deadline is checked by the server on submit and on saving a draft, in Helsinki time,
to the second, across the daylight-saving changes of spring and autumn."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from calls import services
from calls.models import Application, Call
from cases.models import PlatformTheme

from .conftest import application_values, helsinki


def _publish_at(call, closes_at):
    Call.objects.filter(pk=call.pk).update(closes_at=closes_at)
    call.refresh_from_db()
    return call


@pytest.mark.parametrize(
    ("closes_at", "utc_before", "utc_after"),
    [
        # Summer time began on Sunday 29 March 2026 at 03:00 (UTC+2 -> UTC+3).
        (
            helsinki(2026, 3, 30, 16, 0, 0),
            datetime.datetime(2026, 3, 30, 12, 59, 59, tzinfo=datetime.UTC),
            datetime.datetime(2026, 3, 30, 13, 0, 1, tzinfo=datetime.UTC),
        ),
        # Summer time ended on Sunday 25 October 2026 at 04:00 (UTC+3 -> UTC+2).
        (
            helsinki(2026, 10, 26, 16, 0, 0),
            datetime.datetime(2026, 10, 26, 13, 59, 59, tzinfo=datetime.UTC),
            datetime.datetime(2026, 10, 26, 14, 0, 1, tzinfo=datetime.UTC),
        ),
    ],
)
def test_a_second_before_the_deadline_is_accepted_and_a_second_after_refused(
    world, open_call, closes_at, utc_before, utc_after
):
    # given a call opened before the change of time and closing after it
    call = _publish_at(open_call, closes_at)
    # when the company submits a second before the deadline (Helsinki time)
    with time_machine.travel(utc_before, tick=False):
        application = services.application_save(
            call=call,
            company=world.company_a,
            by=world.company,
            values=application_values(),
            submit=True,
        )
    # then it is accepted at that instant
    assert (application.status, application.submitted_at) == ("submitted", utc_before)
    # when company B submits a second after
    with time_machine.travel(utc_after, tick=False), pytest.raises(ValidationError) as error:
        services.application_save(
            call=call,
            company=world.company_b,
            by=world.company2,
            values=application_values("Late"),
            submit=True,
        )
    # then it is refused with the deadline in Helsinki time, and nothing is saved
    assert error.value.messages == [
        f"The call closed at {closes_at:%d.%m.%Y %H:%M:%S} (Helsinki time). Applications can "
        "no longer be saved or submitted."
    ]
    assert list(Application.objects.values_list("company__name", flat=True)) == [
        world.company_a.name
    ]


def test_saving_a_draft_after_the_deadline_is_refused_and_the_draft_is_unchanged(
    world, open_call, client
):
    # given a draft saved a second before the deadline (16:00:00 Helsinki, summer time)
    with time_machine.travel(datetime.datetime(2026, 3, 30, 12, 59, 59, tzinfo=datetime.UTC)):
        draft = services.application_save(
            call=open_call, company=world.company_a, by=world.company, values=application_values()
        )
    history = draft.history.count()
    # when the company saves it again a second after the deadline, through the page
    client.force_login(world.company)
    data = {k: str(v) for k, v in application_values("Changed title").items()}
    with time_machine.travel(
        datetime.datetime(2026, 3, 30, 13, 0, 1, tzinfo=datetime.UTC), tick=False
    ):
        response = client.post(f"/calls/{open_call.pk}/apply/", data | {"save": "1"})
    # then the page refuses with the message, and the draft and its history are unchanged
    assert response.status_code == 200
    assert "The call closed at 30.03.2026 16:00:00 (Helsinki time)." in response.content.decode()
    draft.refresh_from_db()
    assert (draft.title, draft.status, draft.history.count()) == ("Waste scales", "draft", history)


def test_the_deadline_entered_in_the_form_is_helsinki_time_to_the_end_of_the_minute(world, client):
    # given the agent preparing a call with the deadline 30.3.2026 16:00 (summer time)
    client.force_login(world.agent)
    data = {
        "title": "Cleaner air",
        "challenge": "Air quality near schools.",
        "theme": PlatformTheme.objects.get(code="learning").pk,
        "division": world.edu.pk,
        "total_budget": "20000",
        "cap_per_pilot": "10000",
        "pilots_to_choose": "2",
        "opens_at": "2026-03-02T09:00",
        "closes_at": "2026-03-30T16:00",
        "info_event": "",
        "info_event_at": "",
        "criteria-TOTAL_FORMS": "1",
        "criteria-INITIAL_FORMS": "0",
        "criteria-MIN_NUM_FORMS": "1",
        "criteria-MAX_NUM_FORMS": "10",
        "criteria-0-name": "Impact",
        "criteria-0-description": "",
        "criteria-0-weight": "1",
    }
    # when it is saved
    with time_machine.travel(helsinki(2026, 2, 20, 10, 0), tick=False):
        response = client.post("/calls/new/", data)
    # then the deadline is 16:00:59.999999 Helsinki time, 13:00:59.999999 UTC
    call = Call.objects.get(title="Cleaner air")
    assert response.status_code == 302
    assert call.closes_at == datetime.datetime(2026, 3, 30, 13, 0, 59, 999999, tzinfo=datetime.UTC)
    assert call.opens_at == datetime.datetime(2026, 3, 2, 7, 0, tzinfo=datetime.UTC)
