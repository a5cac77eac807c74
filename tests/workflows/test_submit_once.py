"""pilot_submit_once tells whether the call created the pilot; the API answers 201 or 200 from
it, also when the token's pilot was committed by a concurrent submission after the check."""

import datetime
import uuid
from unittest import mock

from cases.models import Pilot
from tests import factories as f
from workflows import scenarios as sc
from workflows import services


def _proposal():
    return sc.proposal(f.theme(), title="Reading app", start=datetime.date(2027, 3, 1))


def test_a_new_token_creates_and_a_repeated_one_does_not(world):
    token = uuid.uuid4()
    args = {"company": world.company_a, "by": world.company, "submission_token": token}
    pilot, created = services.pilot_submit_once(proposal=_proposal(), **args)
    assert created is True
    again, created = services.pilot_submit_once(proposal=_proposal(), **args)
    assert (again, created) == (pilot, False)
    assert Pilot.objects.count() == 1


def test_a_token_committed_by_another_submission_after_the_check_is_not_created_here(world):
    token = uuid.uuid4()
    args = {"company": world.company_a, "by": world.company, "submission_token": token}
    first, _created = services.pilot_submit_once(proposal=_proposal(), **args)
    real = services._pilot_with_token
    calls = []

    def not_yet_then_found(value):
        calls.append(value)
        return None if len(calls) == 1 else real(value)

    # the first look finds nothing (the other transaction had not committed yet); the INSERT
    # then meets the unique token, and the other submission's pilot is the answer
    with mock.patch.object(services, "_pilot_with_token", side_effect=not_yet_then_found):
        pilot, created = services.pilot_submit_once(proposal=_proposal(), **args)
    assert (pilot, created) == (first, False)
    assert len(calls) == 2
    assert Pilot.objects.count() == 1
