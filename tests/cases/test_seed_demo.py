"""seed_demo: one user per role of DESIGN.md, pilots at every stage and outcome, idempotent."""

from collections import Counter
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.db.models import Q
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS

from cases.models import Evaluation, Outcome, Pilot, Stage, TimelineEntry
from cases.selectors import companies_of, divisions_of, divisions_signed_by, user_role
from contracts.models import Contract
from tests.contracts.helpers import read, text_of
from workflows.flows import PilotFlow
from workflows.selectors import open_tasks_of

User = get_user_model()

DESIGN_USERS = {
    "agent": "agent",
    "legal": "legal",
    "edu": "division",
    "urban": "division",
    "company": "company",
    "company2": "company",
    "manager": "manager",
    "admin": "admin",
    "expert": "expert",
}

# Where each demo pilot waits: the names of its open tasks.
WAITING = {
    "Library service robot": ["screen"],
    "Wellbeing check-in app for upper-secondary students": ["request_information"],
    "Charging data platform for electric buses": ["match"],
    "Outdoor learning trails app": ["review_match"],
    "Fill-level sensors for park waste bins": ["prepare_contract"],
    "Remote exercise sessions for home-care clients": ["prepare_contract"],
    "Shared electric cargo bikes for city units": ["accept_contract"],
    "Reading-skills game for first graders": ["sign_contract"],
    "Smart street lighting in Kalasatama": ["run_pilot"],
    "Virtual reality science lab": ["run_pilot"],
    "Chat assistant for health-station appointment questions": ["evaluate_division"],
    "Air-quality sensors at school yards": ["decide_scaling"],
    "Learning analytics for lower-secondary mathematics": [],
    "Food-waste tracker for school kitchens": [],
    "Noise monitoring at construction sites": [],
    "Indoor navigation in the central library": [],
    "Drone transport of laboratory samples": [],
    "Sign-language learning app for early childhood education": [],
    "Heat-pump monitoring in day-care centres": [],
    # Selected in the closed demo call: enters PilotFlow matched to Urban Environment.
    "Loading-zone booking app": ["review_match"],
}


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The demo data, seeded once for this module and rolled back after it. Each test runs in
    its own savepoint on top (the `db` fixture), so what a test changes is undone after it."""
    outer = transaction.atomic()
    with django_db_blocker.unblock():
        outer.__enter__()
        seed()
    yield
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


def row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def pilot(title: str) -> Pilot:
    return Pilot.objects.get(title=title)


def node_count(pilot: Pilot, node) -> int:
    return Task.objects.filter(process__pilotprocess__pilot=pilot, flow_task=node).count()


def test_each_design_user_has_its_role_and_logs_in_with_the_demo_password(seeded, db, client):
    # given the demo data, then
    users = User.objects.in_bulk(list(DESIGN_USERS), field_name="username")
    assert {name: user_role(user) for name, user in users.items()} == DESIGN_USERS
    for username in DESIGN_USERS:
        assert client.login(username=username, password="kokeilu-demo") is True, username
    assert (users["admin"].is_superuser, users["admin"].is_staff) == (True, True)
    assert [d.code for d in divisions_of(users["edu"])] == ["education"]
    assert [d.code for d in divisions_signed_by(users["edu"])] == ["education"]
    assert [d.code for d in divisions_of(users["urban"])] == ["urban-environment"]
    assert [d.code for d in divisions_signed_by(users["urban"])] == ["urban-environment"]
    company_a = companies_of(users["company"]).get()
    company_b = companies_of(users["company2"]).get()
    assert company_a != company_b
    company_a.full_clean()  # the business IDs pass the Y-tunnus check
    company_b.full_clean()


def test_pilots_cover_every_stage_and_outcome(seeded, db):
    # given the demo data, then
    pilots = Pilot.objects.all()
    assert pilots.count() == 20
    assert set(pilots.values_list("stage", flat=True)) == set(Stage.values)
    assert set(pilots.exclude(outcome="").values_list("outcome", flat=True)) == set(Outcome.values)
    assert Counter(pilots.values_list("stage", flat=True)) == {
        Stage.INTAKE: 2,
        Stage.MATCHING: 3,
        Stage.CONTRACTING: 4,
        Stage.EXECUTION: 2,
        Stage.EVALUATION: 1,
        Stage.SCALING: 1,
        Stage.CLOSED: 7,
    }
    assert Counter(pilots.values_list("outcome", flat=True)) == {
        "": 13,
        Outcome.SCALED: 2,
        Outcome.CONTINUED: 1,
        Outcome.ENDED: 1,
        Outcome.REJECTED: 1,
        Outcome.WITHDRAWN: 1,
        Outcome.CANCELLED: 1,
    }
    assert set(pilots.values_list("company__name", flat=True)) == {
        "Oivallus Digital Oy",
        "Kaupunkisensori Oy",
        "Robottiapu Oy",
    }
    assert set(pilots.exclude(division=None).values_list("division__code", flat=True)) == {
        "education",
        "urban-environment",
        "social-health",
        "culture-leisure",
    }


def test_pilots_wait_at_real_tasks_of_their_processes(seeded, db):
    # given the demo data, then
    waiting = {p.title: [t.flow_task.name for t in open_tasks_of(p)] for p in Pilot.objects.all()}
    assert waiting == WAITING
    statuses = dict(Pilot.objects.values_list("outcome", "process__status").distinct())
    assert statuses == {
        "": PROCESS.NEW,
        Outcome.SCALED: PROCESS.DONE,
        Outcome.CONTINUED: PROCESS.DONE,
        Outcome.ENDED: PROCESS.DONE,
        Outcome.REJECTED: PROCESS.DONE,
        Outcome.WITHDRAWN: PROCESS.CANCELED,
        Outcome.CANCELLED: PROCESS.CANCELED,
    }


def test_the_loops_and_partial_states_are_seeded(seeded, db):
    # given the demo data, then: declined by Urban Environment, rematched with Education
    rematched = pilot("Outdoor learning trails app")
    assert rematched.division.code == "education"
    assert node_count(rematched, PilotFlow.match) == 2
    assert node_count(rematched, PilotFlow.review_match) == 2
    # the company asked for changes to the contract
    changed = pilot("Remote exercise sessions for home-care clients")
    assert node_count(changed, PilotFlow.prepare_contract) == 2
    assert changed.contract.change_request.startswith("Please name our EU cloud provider")
    # more information was asked and given before screening again
    completed = pilot("Learning analytics for lower-secondary mathematics")
    assert node_count(completed, PilotFlow.screen) == 2
    assert node_count(completed, PilotFlow.request_information) == 1
    # execution with progress reports and milestones
    running = pilot("Smart street lighting in Kalasatama")
    assert running.progress_reports.count() == 2
    assert running.timeline.filter(kind=TimelineEntry.Kind.MILESTONE).count() == 2
    # evaluation with one side done
    evaluating = pilot("Chat assistant for health-station appointment questions")
    assert list(evaluating.evaluations.values_list("party", flat=True)) == [
        Evaluation.Party.COMPANY
    ]
    # proposals carry funding, costs, KPIs and emission estimates
    lighting = pilot("Smart street lighting in Kalasatama")
    assert lighting.funding_sources == ["erdf", "division_budget"]
    assert str(lighting.cost_to_city) == "38000.00"
    assert str(lighting.emission_reduction_estimate) == "18.50"


def test_a_second_run_creates_nothing(seeded, db):
    # given the demo data
    before = row_counts()
    passwords = dict(User.objects.values_list("username", "password"))

    # when
    output = seed()

    # then
    assert row_counts() == before
    assert dict(User.objects.values_list("username", "password")) == passwords
    assert output.splitlines()[0] == "Demo data already present: nothing created."


def test_an_existing_user_keeps_its_password_and_gets_its_role_back(seeded, db, client):
    # given an agent who changed the password and lost the role
    agent = User.objects.get(username="agent")
    agent.set_password("my-own-password-1")
    agent.save()
    agent.groups.clear()

    # when
    seed()

    # then
    agent = User.objects.get(username="agent")
    assert user_role(agent) == "agent"
    assert client.login(username="agent", password="my-own-password-1") is True
    assert client.login(username="agent", password="kokeilu-demo") is False


def test_every_demo_pilot_in_or_past_execution_has_a_generated_contract(seeded, db):
    # given the demo data, then every pilot that got to Execution has its contract, generated
    # from a published standard pilot agreement, accepted and signed on the very document
    reached_execution = Pilot.objects.filter(
        Q(stage__in=[Stage.EXECUTION, Stage.EVALUATION, Stage.SCALING])
        | Q(outcome__in=[Outcome.SCALED, Outcome.CONTINUED, Outcome.ENDED])
    )
    assert reached_execution.count() == 8
    for pilot in reached_execution.select_related("company", "contract__template_version"):
        contract = pilot.contract
        version = contract.template_version
        assert version.template.kind.for_pilot_contract is True, pilot.title
        assert contract.signed_sha256 == contract.accepted_sha256 == contract.document_sha256
        text = text_of(read(contract.document))
        assert pilot.company.name in text and pilot.company.business_id in text, pilot.title
    # the contracts waiting in Contracting are generated too, in Finnish, English and Swedish
    languages = Contract.objects.filter(pilot__stage=Stage.CONTRACTING).values_list(
        "template_version__language", flat=True
    )
    assert sorted(languages) == ["en", "fi", "sv"]
