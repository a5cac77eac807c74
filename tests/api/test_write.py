"""Writes through the API: proposals and task actions go through the same forms, services and
flow activations as the pages, and leave the same process state and history."""

import re
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from rest_framework.test import APIClient
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from cases.models import FundingSource, Pilot, Stage, TimelineEntry
from registry import services as registry_services
from tests import factories as f
from tests.api.conftest import token_client
from workflows import scenarios as sc
from workflows.flows import PilotFlow
from workflows.models import PilotProcess, ScreeningDecision

User = get_user_model()
OPEN = [STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED]


def _proposal(theme_, **overrides) -> dict:
    data = {
        "title": "Learning analytics for schools",
        "summary": "Teachers see how pupils progress in mathematics.",
        "need": "Teachers need timely feedback on learning.",
        "solution": "A dashboard fed by the learning platform.",
        "theme": theme_.pk,
        "site_wish": "Kalasataman koulu",
        "planned_start": "2027-03-01",
        "planned_end": "2027-08-31",
        "cost_to_city": "0",
        "funding_sources": [FundingSource.ERDF, FundingSource.COMPANY],
        "expected_impact": "Better learning results.",
        "kpis": "Number of teachers using it weekly.",
        "emission_reduction_estimate": "",
        "contact_name": "Maija Meikäläinen",
        "contact_email": "maija@example.com",
        "contact_phone": "+358 40 123 4567",
    }
    data.update(overrides)
    return data


def _open_task(pilot, node) -> Task:
    return Task.objects.get(
        process__pilotprocess__pilot=pilot,
        flow_task=getattr(PilotFlow, node),
        status__in=[STATUS.NEW, STATUS.ASSIGNED],
    )


def _open_nodes(pilot) -> list[str]:
    tasks = Task.objects.filter(
        process__pilotprocess__pilot=pilot, flow_task_type="HUMAN", status__in=OPEN
    )
    return sorted(task.flow_task.name for task in tasks)


def _snapshot(pilot) -> dict:
    """Everything a denied or invalid request must leave as it was."""
    return {
        "pilot": Pilot.objects.filter(pk=pilot.pk).values().get(),
        "process": PilotProcess.objects.filter(pilot=pilot).values().get(),
        "pilot_history": Pilot.history.filter(id=pilot.pk).count(),
        "tasks": list(
            Task.objects.filter(process__pilotprocess__pilot=pilot)
            .order_by("pk")
            .values_list("pk", "status", "owner_id")
        ),
        "task_history": Task.history.filter(process_id=pilot.process.pk).count(),
        "timeline": list(pilot.timeline.values_list("pk", flat=True)),
    }


# -- submitting a proposal ------------------------------------------------------------------


def test_company_submits_a_proposal(world):
    client = token_client(world.company)
    token = str(uuid.uuid4())
    # when the company user posts a proposal as JSON
    response = client.post(
        reverse("api:pilot-list"),
        {**_proposal(f.theme(), trade_secret_fields=["kpis"]), "submission_token": token},
        format="json",
    )
    # then the pilot is created for their company and its process waits for screening
    assert response.status_code == 201, response.json()
    pilot = Pilot.objects.get()
    assert response.json()["reference"] == pilot.reference
    assert (pilot.company, pilot.submitted_by, pilot.stage) == (
        world.company_a,
        world.company,
        Stage.INTAKE,
    )
    assert pilot.funding_sources == ["erdf", "company"]
    assert pilot.trade_secret_fields == ["kpis"]
    assert _open_nodes(pilot) == ["screen"]
    assert Pilot.history.get(id=pilot.pk).history_user == world.company
    assert list(pilot.timeline.values_list("text", flat=True)) == [
        f"Proposal {pilot.reference} submitted."
    ]
    # when the same submission arrives again, then the same pilot answers (200)
    again = client.post(
        reverse("api:pilot-list"),
        {**_proposal(f.theme()), "submission_token": token},
        format="json",
    )
    assert (again.status_code, again.json()["id"]) == (200, pilot.pk)
    assert Pilot.objects.count() == 1


def test_agent_submits_on_a_companys_behalf_as_multipart(world):
    client = token_client(world.agent)
    data = {**_proposal(f.theme()), "company": world.company_b.pk}
    response = client.post(reverse("api:pilot-list"), data, format="multipart")
    assert response.status_code == 201, response.json()
    pilot = Pilot.objects.get()
    assert (pilot.company, pilot.submitted_by) == (world.company_b, world.agent)


@pytest.mark.parametrize(
    ("who", "data", "status", "errors"),
    [
        ("agent", {}, 400, ["company"]),
        ("company", {"company": "__b__"}, 400, ["company"]),
        ("company", {"title": "", "planned_end": "2027-01-01"}, 400, ["planned_end", "title"]),
        ("company", {"theme": 999999}, 400, ["theme"]),
        ("manager", {}, 403, None),
        ("legal", {}, 403, None),
        ("edu_staff", {}, 403, None),
    ],
)
def test_refused_proposals_create_nothing(world, who, data, status, errors):
    data = {k: (world.company_b.pk if v == "__b__" else v) for k, v in data.items()}
    response = token_client(getattr(world, who)).post(
        reverse("api:pilot-list"), _proposal(f.theme(), **data), format="json"
    )
    assert response.status_code == status
    if errors is not None:
        assert sorted(response.json()) == errors
    assert Pilot.objects.count() == 0


# -- task actions ---------------------------------------------------------------------------


def test_assign_then_execute_advances_the_process(scene):
    pilot = scene.p.a_intake
    task = _open_task(pilot, "screen")
    client = token_client(scene.w.agent)
    # when the agent takes the screening task
    response = client.post(reverse("api:task-assign", args=[task.pk]))
    # then it is theirs, and they may do it
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["owner"], body["can_execute"]) == ("ASSIGNED", "agent", True)
    assert [
        t["id"] for t in client.get(reverse("api:task-list"), {"box": "inbox"}).json()["results"]
    ] == [task.pk]
    # when they accept the proposal
    response = client.post(
        reverse("api:task-execute", args=[task.pk]), {"decision": "accept"}, format="json"
    )
    # then the task is done and the pilot waits for matching
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "DONE"
    pilot.refresh_from_db()
    assert pilot.stage == Stage.MATCHING
    assert _open_nodes(pilot) == ["match"]


def test_execute_without_taking_the_task_is_403_and_changes_nothing(scene):
    pilot = scene.p.a_intake
    task = _open_task(pilot, "screen")
    before = _snapshot(pilot)
    response = token_client(scene.w.agent).post(
        reverse("api:task-execute", args=[task.pk]), {"decision": "accept"}, format="json"
    )
    assert response.status_code == 403
    assert _snapshot(pilot) == before


def test_invalid_input_is_400_with_the_forms_errors_and_changes_nothing(scene):
    pilot = scene.p.a_intake
    task = _open_task(pilot, "screen")
    client = token_client(scene.w.agent)
    client.post(reverse("api:task-assign", args=[task.pk]))
    before = _snapshot(pilot)
    # when the agent rejects without a reason, or sends an unknown decision
    for data, field in (({"decision": "reject"}, "message"), ({"decision": "maybe"}, "decision")):
        response = client.post(reverse("api:task-execute", args=[task.pk]), data, format="json")
        # then the node's own form says what is wrong, and nothing changed
        assert response.status_code == 400
        assert list(response.json()) == [field]
        assert _snapshot(pilot) == before


def test_a_services_validation_error_is_400_and_changes_nothing(scene):
    pilot = scene.p.b_review
    task = _open_task(pilot, "review_match")
    client = token_client(scene.w.urban_staff)
    client.post(reverse("api:task-assign", args=[task.pk]))
    before = _snapshot(pilot)
    # the contact person must be one of the division's staff (the form's choices)
    response = client.post(
        reverse("api:task-execute", args=[task.pk]),
        {"accept": "1", "contact": scene.w.edu_staff.pk, "site": "Pasila"},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["contact"]
    assert _snapshot(pilot) == before


@pytest.mark.parametrize(
    ("who", "status"),
    [("manager", 403), ("legal", 404), ("edu_staff", 404), ("company", 404), ("company2", 404)],
)
def test_who_may_not_take_a_task_gets_403_or_404_and_nothing_changes(scene, who, status):
    pilot = scene.p.a_intake
    task = _open_task(pilot, "screen")
    before = _snapshot(pilot)
    client = token_client(getattr(scene.w, who))
    for action in ("assign", "unassign", "execute"):
        response = client.post(reverse(f"api:task-{action}", args=[task.pk]), {}, format="json")
        assert response.status_code == status, action
    assert _snapshot(pilot) == before


def test_staff_who_see_a_task_but_may_not_take_it_get_403(scene):
    # Education's staff see the contracting pilot whole, but accepting it is the company's
    pilot = scene.p.a_contract
    task = _open_task(pilot, "accept_contract")
    before = _snapshot(pilot)
    response = token_client(scene.w.edu_staff).post(reverse("api:task-assign", args=[task.pk]))
    assert response.status_code == 403
    assert _snapshot(pilot) == before


def test_unassign_puts_the_task_back_in_the_queue(scene):
    task = _open_task(scene.p.b_info, "request_information")
    client = token_client(scene.w.company2)
    client.post(reverse("api:task-assign", args=[task.pk]))
    # another user of the company may not release it
    other = f.make_company_user(scene.w.company_b, "company2b")
    assert token_client(other).post(reverse("api:task-unassign", args=[task.pk])).status_code == 403
    # its holder may
    response = client.post(reverse("api:task-unassign", args=[task.pk]))
    assert (response.status_code, response.json()["status"]) == (200, "NEW")


def test_a_busy_pilot_is_409(scene, monkeypatch):
    task = _open_task(scene.p.a_intake, "screen")
    before = _snapshot(scene.p.a_intake)

    def busy(*args, **kwargs):
        raise FlowLockFailed("busy")

    # given another request holding the process row (PostgreSQL's lock fails fast)
    monkeypatch.setattr(PilotFlow, "lock", classmethod(lambda cls, pk: busy()))
    response = token_client(scene.w.agent).post(reverse("api:task-assign", args=[task.pk]))
    assert response.status_code == 409
    assert response["Retry-After"] == "5"
    assert _snapshot(scene.p.a_intake) == before


def test_session_writes_need_the_csrf_token(scene):
    task = _open_task(scene.p.a_intake, "screen")
    before = _snapshot(scene.p.a_intake)
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(scene.w.agent)
    response = client.post(reverse("api:task-assign", args=[task.pk]))
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert _snapshot(scene.p.a_intake) == before


# -- the API does what the pages do ---------------------------------------------------------


def _ui_do(client, user, pilot, node, data):
    client.force_login(user)
    task = _open_task(pilot, node)
    args = [task.process_id, task.pk]
    assert client.post(reverse(f"pilot:{node}:assign", args=args)).status_code == 302
    response = client.post(reverse(f"pilot:{node}:execute", args=args), data)
    assert response.status_code == 302, response.context["form"].errors


def _api_do(user, pilot, node, data):
    client = token_client(user)
    task = _open_task(pilot, node)
    assert client.post(reverse("api:task-assign", args=[task.pk])).status_code == 200
    response = client.post(reverse("api:task-execute", args=[task.pk]), data, format="json")
    assert response.status_code == 200, response.json()


def _normalised(text: str, ref: str) -> str:
    """A timeline text without what differs between two pilots: the reference and the
    SHA-256 of a generated document (which contains the reference)."""
    return re.sub(r"[0-9a-f]{64}", "SHA", re.sub(ref, "REF", text))


def _record(pilot) -> dict:
    """A pilot's state and history, with its reference and ids taken out."""
    pilot.refresh_from_db()
    ref = re.escape(pilot.reference)
    process = pilot.process
    return {
        "pilot": (
            pilot.stage,
            pilot.outcome,
            pilot.division_id,
            pilot.site,
            pilot.screening_message,
            pilot.division_contact_id,
            pilot.solution,
        ),
        "open": _open_nodes(pilot),
        "timeline": [
            (e.kind, _normalised(e.text, ref), e.visible_to_company, e.author_id)
            for e in TimelineEntry.objects.filter(pilot=pilot).order_by("pk")
        ],
        "pilot_history": [
            (h.history_type, h.stage, h.division_id, h.history_user_id)
            for h in Pilot.history.filter(id=pilot.pk).order_by("history_date", "history_id")
        ],
        "process_history": [
            (h.history_type, h.status, h.screening_decision, h.match_accepted, h.history_user_id)
            for h in PilotProcess.history.filter(pilot_id=pilot.pk).order_by(
                "history_date", "history_id"
            )
        ],
        "task_history": [
            (h.flow_task.name, h.history_type, h.status, h.owner_id, h.history_user_id)
            for h in Task.history.filter(process_id=process.pk).order_by(
                "history_date", "history_id"
            )
        ],
    }


def test_the_api_advances_the_process_and_writes_history_exactly_as_the_pages(client, world):
    w = world
    theme = f.theme()
    by_page = f.submit_pilot(w.company_a, w.company, title="Same pilot")
    by_api = f.submit_pilot(w.company_a, w.company, title="Same pilot")
    steps = [
        (
            w.agent,
            "screen",
            {"decision": ScreeningDecision.REQUEST_INFORMATION, "message": "Which data?"},
        ),
        (
            w.company,
            "request_information",
            {
                **_proposal(theme, title="Same pilot", solution="Anonymised data only."),
                "response": "Only anonymised data.",
            },
        ),
        (w.agent, "screen", {"decision": ScreeningDecision.ACCEPT, "message": ""}),
        (w.agent, "match", {"theme": theme.pk, "division": w.edu.pk}),
        (w.edu_staff, "review_match", {"accept": "0", "reason": "No capacity this term."}),
        (w.agent, "match", {"theme": theme.pk, "division": w.edu.pk}),
        (
            w.edu_staff,
            "review_match",
            {"accept": "1", "contact": w.edu_staff.pk, "site": "Kalasataman koulu"},
        ),
    ]
    for user, node, data in steps:
        # when each step is done on the task pages for one pilot and through the API for the
        # other (with the API token)
        _ui_do(client, user, by_page, node, data)
        _api_do(user, by_api, node, data)
        # then both pilots are in the same state, with the same history, after every step
        assert _record(by_api) == _record(by_page), node
    # the contract, execution, both evaluations and the decision, likewise
    evaluation = {
        "goal_achievement": 4,
        "user_feedback": 5,
        "technical_readiness": 3,
        "scalability": 4,
        "user_feedback_summary": "Easy to use.",
        "measured_kpis": "Used weekly by 40 teachers.",
        "emission_reduction": "1.50",
        "lessons_learned": "Train the teachers together.",
    }
    steps = [
        (
            w.legal,
            "prepare_contract",
            {
                "template_version": sc.pilot_agreement().pk,
                "period_start": "2027-03-01",
                "period_end": "2027-08-31",
                "compensation": "0",
                "ipr_terms": "The company keeps its IPR.",
                "data_handling": "Only in the EU.",
                "insurance": "",
                "division_signatory": w.edu_staff.pk,
            },
        ),
        (w.company, "accept_contract", {"accept": "1", "comment": ""}),
        (w.edu_staff, "sign_contract", {"confirm": "true"}),
        (w.agent, "run_pilot", {"summary": "Six months in two schools."}),
        (w.edu_staff, "evaluate_division", evaluation),
        (w.company, "evaluate_company", evaluation),
        (
            w.edu_staff,
            "decide_scaling",
            {"decision": "scale_city", "rationale": "It worked.", "grant_reference": "true"},
        ),
    ]
    for user, node, data in steps:
        _ui_do(client, user, by_page, node, data)
        _api_do(user, by_api, node, data)
        assert _record(by_api) == _record(by_page), node
    final = _record(by_api)
    assert (final["pilot"][0], final["pilot"][1]) == (Stage.CLOSED, "scaled")
    assert final["open"] == []
    # and the history names who did each step (the token's user), never nobody
    users = {row[-1] for row in final["task_history"] if row[1] == "~"}
    assert users == {w.agent.pk, w.legal.pk, w.company.pk, w.edu_staff.pk}


def test_json_fields_left_out_keep_what_the_task_page_shows(scene):
    # given a pilot whose company keeps its KPIs secret, and the agent asked for information
    pilot = scene.p.b_info
    registry_services.pilot_mark_trade_secrets(pilot=pilot, by=scene.w.company2, fields=["kpis"])
    pilot.refresh_from_db()
    proposal_before = (pilot.title, pilot.summary, pilot.planned_start, pilot.funding_sources)
    task = _open_task(pilot, "request_information")
    client = token_client(scene.w.company2)
    client.post(reverse("api:task-assign", args=[task.pk]))
    # when the company answers with only the changed field and its answer
    response = client.post(
        reverse("api:task-execute", args=[task.pk]),
        {"solution": "Sensors in three schools.", "response": "Three schools in Vuosaari."},
        format="json",
    )
    # then the rest of the proposal, trade secrets included, is kept
    assert response.status_code == 200, response.json()
    pilot.refresh_from_db()
    assert pilot.solution == "Sensors in three schools."
    assert (pilot.title, pilot.summary, pilot.planned_start, pilot.funding_sources) == (
        proposal_before
    )
    assert pilot.trade_secret_fields == ["kpis"]
    assert _open_nodes(pilot) == ["screen"]
