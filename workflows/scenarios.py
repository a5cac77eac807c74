"""Drive pilots through PilotFlow with the same services and activations as the task views.

Used by `seed_demo`, the tests and the benchmarks: each step assigns the node's open task to
a user, runs the node's service and executes the task, exactly as the task view does.
"""

import datetime
from collections.abc import Callable
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from cases.models import Evaluation, ScalingDecision
from contracts import selectors as contract_selectors
from notifications import services as notification_services

from . import services
from .flows import PilotFlow
from .models import PilotProcess, ScreeningDecision

# A minimal valid PDF, used as an attached file in demo data and tests.
MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def open_task(pilot, node_name: str) -> Task:
    node = getattr(PilotFlow, node_name)
    return Task.objects.get(
        process__pilotprocess__pilot=pilot,
        flow_task=node,
        status__in=[STATUS.NEW, STATUS.ASSIGNED],
    )


def complete_task(pilot, node_name: str, user, action: Callable[[PilotProcess], object]):
    """Claim the node's open task for `user` (checking the node's permission), run `action`
    on the process and execute the task. Returns what `action` returned."""
    task = open_task(pilot, node_name)
    with notification_services.outbox_batched(), task.activation() as activation:
        if activation.task.status == STATUS.NEW:
            if not activation.flow_task.can_assign(user, activation.task):
                raise PermissionDenied(f"{user} may not take {node_name}")
            activation.assign(user)
        elif activation.task.owner_id != user.pk:
            raise PermissionDenied(f"{node_name} is assigned to someone else")
        activation.start(None)
        with transaction.atomic():
            result = action(activation.process)
        activation.execute()
    return result


def contract_document(name: str = "contract.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, MINIMAL_PDF, content_type="application/pdf")


# -- one function per node, with plausible default input ------------------------------------


def screen(pilot, user, decision=ScreeningDecision.ACCEPT, message=""):
    return complete_task(
        pilot,
        "screen",
        user,
        lambda p: services.pilot_screen(process=p, by=user, decision=decision, message=message),
    )


def request_information(pilot, user, response="Added the details that were asked for."):
    return complete_task(
        pilot,
        "request_information",
        user,
        lambda p: services.pilot_complete_information(
            process=p, by=user, proposal={}, response=response
        ),
    )


def match(pilot, user, division, theme=None):
    return complete_task(
        pilot,
        "match",
        user,
        lambda p: services.pilot_match(
            process=p, by=user, theme=theme or p.pilot.theme, division=division
        ),
    )


def review_match(pilot, user, accept=True, contact=None, site="", reason=""):
    return complete_task(
        pilot,
        "review_match",
        user,
        lambda p: services.pilot_review_match(
            process=p,
            by=user,
            accept=accept,
            contact=contact or (user if accept else None),
            site=site or p.pilot.site_wish,
            reason=reason,
        ),
    )


def pilot_agreement(compensation=Decimal("0"), language: str = "fi"):
    """The published standard pilot agreement for the compensation, in `language`."""
    kind = "pilot-compensation" if compensation else "pilot-no-compensation"
    version = contract_selectors.published_version(kind_code=kind, language=language)
    if version is None:
        raise LookupError(f"No published {kind} template in {language}")
    return version


def prepare_contract(
    pilot, user, signatory, compensation=Decimal("0"), version=None, language="fi", **terms
):
    """Legal staff generate the contract from `version`, by default the published standard
    pilot agreement (with or without compensation) in `language`."""
    version = version or pilot_agreement(compensation, language)
    values = {
        "period_start": pilot.planned_start,
        "period_end": pilot.planned_end,
        "compensation": compensation,
        "ipr_terms": "The company keeps its intellectual property; the city may use the results.",
        "data_handling": "Personal data is processed only in the EU and deleted after the pilot.",
        "insurance": "The company holds liability insurance for the pilot.",
        "division_signatory": signatory,
        **terms,
    }
    return complete_task(
        pilot,
        "prepare_contract",
        user,
        lambda p: services.contract_prepare(process=p, by=user, terms=values, version=version),
    )


def accept_contract(pilot, user, accept=True, comment=""):
    return complete_task(
        pilot,
        "accept_contract",
        user,
        lambda p: services.contract_accept(process=p, by=user, accept=accept, comment=comment),
    )


def sign_contract(pilot, user):
    return complete_task(
        pilot, "sign_contract", user, lambda p: services.contract_sign(process=p, by=user)
    )


def run_pilot(pilot, user, summary="The pilot period ended as planned."):
    return complete_task(
        pilot,
        "run_pilot",
        user,
        lambda p: services.pilot_close_execution(process=p, by=user, summary=summary),
    )


def evaluation_values(score: int = 4) -> dict:
    return {
        "goal_achievement": score,
        "user_feedback": score,
        "technical_readiness": score,
        "scalability": score,
        "user_feedback_summary": "Users found the solution easy to use.",
        "measured_kpis": "Usage grew every month of the pilot.",
        "emission_reduction": Decimal("1.50"),
        "lessons_learned": "Involve the end users from the first week.",
    }


def evaluate(pilot, user, party, score=4):
    node = "evaluate_division" if party == Evaluation.Party.DIVISION else "evaluate_company"
    return complete_task(
        pilot,
        node,
        user,
        lambda p: services.pilot_evaluate(
            process=p, by=user, party=party, values=evaluation_values(score)
        ),
    )


def decide_scaling(pilot, user, decision=ScalingDecision.Decision.SCALE_CITY, grant=True):
    values = {
        "decision": decision,
        "rationale": "The results met the goals set for the pilot.",
        "grant_reference": grant,
    }
    return complete_task(
        pilot,
        "decide_scaling",
        user,
        lambda p: services.pilot_decide_scaling(process=p, by=user, values=values),
    )


def proposal(theme, *, title="Pilot", start=None, months=6, **overrides) -> dict:
    start = start or datetime.date.today() + datetime.timedelta(days=30)
    data = {
        "title": title,
        "summary": f"{title}: a short description of the pilot.",
        "need": "The city needs a better way to serve its residents here.",
        "solution": "The company's solution, tried in real use.",
        "theme": theme,
        "site_wish": "",
        "planned_start": start,
        "planned_end": start + datetime.timedelta(days=30 * months),
        "cost_to_city": Decimal("0"),
        "funding_sources": [],
        "expected_impact": "Better service and lower emissions.",
        "kpis": "Number of users; satisfaction.",
        "emission_reduction_estimate": None,
        "contact_name": "Contact Person",
        "contact_email": "contact@example.com",
        "contact_phone": "",
    }
    data.update(overrides)
    return data
