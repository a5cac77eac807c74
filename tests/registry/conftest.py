"""Pilots for the registry's tests: published, consented only, and private ones."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

from cases.models import Evaluation, ScalingDecision
from registry import services as registry_services
from tests import factories as f
from workflows import scenarios as sc
from workflows import services as flow_services

# Words that exist only in fields the company keeps secret, or in pilots never published.
SECRET_WORDS = ["Salaisuus", "Kryptoniitti", "Piilokustannus", "Vaitiolo"]
PRIVATE_WORDS = ["Yksityinen", "Luonnosvaihe"]


def submit(company, by, title, theme="learning", start=datetime.date(2027, 3, 1), **overrides):
    return flow_services.pilot_submit(
        company=company,
        by=by,
        proposal=sc.proposal(f.theme(theme), title=title, start=start, **overrides),
    )


def publish(pilot, company_user, agent, secrets=()):
    if secrets:
        registry_services.pilot_mark_trade_secrets(pilot=pilot, by=company_user, fields=secrets)
    registry_services.pilot_consent_publication(pilot=pilot, by=company_user)
    return registry_services.pilot_publish(pilot=pilot, by=agent)


def run_to_closed(pilot, w, staff, member, division, measured_kpis):
    sc.screen(pilot, w.agent)
    sc.match(pilot, w.agent, division)
    sc.review_match(pilot, staff, site="Kalasataman koulu")
    sc.prepare_contract(pilot, w.legal, staff)
    sc.accept_contract(pilot, member)
    sc.sign_contract(pilot, staff)
    sc.run_pilot(pilot, w.agent)
    for party, user in ((Evaluation.Party.DIVISION, staff), (Evaluation.Party.COMPANY, member)):
        values = {**sc.evaluation_values(4), "measured_kpis": measured_kpis}
        node = "evaluate_division" if party == Evaluation.Party.DIVISION else "evaluate_company"
        sc.complete_task(
            pilot,
            node,
            user,
            lambda p, party=party, user=user, values=values: flow_services.pilot_evaluate(
                process=p, by=user, party=party, values=values
            ),
        )
    sc.decide_scaling(pilot, staff, decision=ScalingDecision.Decision.SCALE_CITIES)
    pilot.refresh_from_db()
    return pilot


@pytest.fixture
def registry(world):
    """Four pilots.

    - `open_a`: company A, in intake, published; its summary, KPIs and cost are trade secrets.
    - `closed_b`: company B, Urban Environment, closed (scaled), published with results; its
      KPIs (and so the measured KPIs) are a trade secret.
    - `consented`: company A, consent given but never published.
    - `private`: company B, no consent.
    """
    w = world
    open_a = submit(
        w.company_a,
        w.company,
        title="Learning analytics in schools",
        summary="Salaisuus: the analytics model behind the dashboard.",
        kpis="Kryptoniitti index per pupil.",
        cost_to_city=Decimal("123456.78"),
        need="Teachers need timely feedback on learning.",
    )
    publish(open_a, w.company, w.agent, secrets=["summary", "kpis", "cost_to_city"])
    closed_b = submit(
        w.company_b,
        w.company2,
        title="Smart street lighting",
        summary="Adaptive street lights that dim when the streets are empty.",
        kpis="Vaitiolo kWh per luminaire.",
        emission_reduction_estimate=Decimal("18.50"),
        theme="mobility",
        start=datetime.date(2026, 2, 1),
    )
    closed_b = run_to_closed(closed_b, w, w.urban_staff, w.company2, w.urban, "Piilokustannus")
    publish(closed_b, w.company2, w.agent, secrets=["kpis"])
    consented = submit(
        w.company_a, w.company, title="Yksityinen consented pilot", summary="Luonnosvaihe."
    )
    registry_services.pilot_consent_publication(pilot=consented, by=w.company)
    private = submit(
        w.company_b, w.company2, title="Yksityinen private pilot", summary="Luonnosvaihe."
    )
    for pilot in (open_a, closed_b, consented, private):
        pilot.refresh_from_db()
    return SimpleNamespace(
        w=w, open_a=open_a, closed_b=closed_b, consented=consented, private=private
    )
