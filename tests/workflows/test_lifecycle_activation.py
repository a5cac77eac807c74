"""The whole pilot lifecycle through the activation API, every loop at least once."""

from viewflow.workflow.status import PROCESS

from cases.models import Outcome, Pilot, Stage
from tests import factories as f
from workflows import scenarios as sc
from workflows.models import ScreeningDecision


def _stage(pilot):
    return Pilot.objects.get(pk=pilot.pk).stage


def test_full_lifecycle_with_every_loop(world):
    w = world
    pilot = f.submit_pilot(w.company_a, w.company, title="Learning analytics")
    assert pilot.reference.startswith("PIL-")
    assert _stage(pilot) == Stage.INTAKE

    sc.screen(pilot, w.agent, ScreeningDecision.REQUEST_INFORMATION, "Describe the data used.")
    assert _stage(pilot) == Stage.INTAKE
    sc.request_information(pilot, w.company)
    sc.screen(pilot, w.agent)
    assert _stage(pilot) == Stage.MATCHING

    sc.match(pilot, w.agent, w.urban)
    sc.review_match(pilot, w.urban_staff, accept=False, reason="Not our platform.")
    assert Pilot.objects.get(pk=pilot.pk).division is None
    sc.match(pilot, w.agent, w.edu)
    sc.review_match(pilot, w.edu_staff, site="Kalasataman koulu")
    assert _stage(pilot) == Stage.CONTRACTING

    sc.prepare_contract(pilot, w.legal, w.edu_staff)
    sc.accept_contract(pilot, w.company, accept=False, comment="Shorter period, please.")
    sc.prepare_contract(pilot, w.legal, w.edu_staff)
    sc.accept_contract(pilot, w.company)
    sc.sign_contract(pilot, w.edu_staff)
    assert _stage(pilot) == Stage.EXECUTION

    sc.run_pilot(pilot, w.agent)
    assert _stage(pilot) == Stage.EVALUATION
    sc.evaluate(pilot, w.company, "company")
    assert _stage(pilot) == Stage.EVALUATION
    sc.evaluate(pilot, w.edu_staff, "division")
    assert _stage(pilot) == Stage.SCALING

    sc.decide_scaling(pilot, w.edu_staff)
    pilot = Pilot.objects.get(pk=pilot.pk)
    assert (pilot.stage, pilot.outcome) == (Stage.CLOSED, Outcome.SCALED)
    assert pilot.process.status == PROCESS.DONE
    assert pilot.contract.accepted_sha256 == pilot.contract.document_sha256
    assert pilot.contract.signed_by == w.edu_staff

    stages_by_user = [
        (record.stage, record.history_user.username if record.history_user else None)
        for record in pilot.history.order_by("history_date", "history_id")
        if record.history_type == "~"
    ]
    assert ("matching", "agent") in stages_by_user
    assert ("contracting", "edu") in stages_by_user
    assert ("execution", "edu") in stages_by_user
    assert ("closed", "edu") in stages_by_user
    assert pilot.history.earliest("history_date").history_user == w.company
