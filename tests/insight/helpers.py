"""Hand-built pilots for the insight tests, driven through the activation API."""

from cases.models import Pilot
from tests import factories as f
from workflows import scenarios as sc


def closed_pilot(w, *, title, division, staff, grant=True, **proposal) -> Pilot:
    """A pilot of company A taken through the whole lifecycle by the demo cast."""
    pilot = f.submit_pilot(w.company_a, w.company, title=title, **proposal)
    sc.screen(pilot, w.agent)
    sc.match(pilot, w.agent, division)
    sc.review_match(pilot, staff)
    sc.prepare_contract(pilot, w.legal, staff)
    sc.accept_contract(pilot, w.company)
    sc.sign_contract(pilot, staff)
    sc.run_pilot(pilot, w.agent)
    sc.evaluate(pilot, w.company, "company")
    sc.evaluate(pilot, staff, "division")
    sc.decide_scaling(pilot, staff, grant=grant)
    return Pilot.objects.get(pk=pilot.pk)
