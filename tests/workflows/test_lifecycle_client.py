"""The whole pilot lifecycle through the test client, as each role: assign, then execute."""

import datetime
from decimal import Decimal

from django.contrib.messages import get_messages
from django.urls import reverse
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS

from cases.models import Evaluation, FundingSource, Outcome, Pilot, Stage, TimelineEntry
from contracts.models import Contract
from tests import factories as f
from workflows import scenarios as sc
from workflows.flows import PilotFlow
from workflows.models import PilotProcess, ScreeningDecision

OPEN = [STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED]


# -- helpers ---------------------------------------------------------------------------------


def _pilot(pilot):
    return Pilot.objects.get(pk=pilot.pk)


def _open_nodes(pilot) -> list[str]:
    """Names of the pilot's open human tasks, sorted."""
    tasks = Task.objects.filter(
        process__pilotprocess__pilot=pilot, flow_task_type="HUMAN", status__in=OPEN
    )
    return sorted(task.flow_task.name for task in tasks)


def _newest_history_user(model, **filters):
    record = model.history.filter(**filters).order_by("-history_date", "-history_id").first()
    return record.history_user


def _pilot_history_count(pilot) -> int:
    return Pilot.history.filter(id=pilot.pk).count()


def _proposal_data(theme, **overrides) -> dict:
    data = {
        "title": "Learning analytics for schools",
        "summary": "Teachers see how pupils progress in mathematics.",
        "need": "Teachers need timely feedback on learning.",
        "solution": "A dashboard fed by the learning platform.",
        "theme": theme.pk,
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


def _do_task(client, user, pilot, node_name: str, data: dict) -> Task:
    """As `user`: claim the node's open task, then execute it with `data`."""
    client.force_login(user)
    task = sc.open_task(pilot, node_name)
    args = [task.process_id, task.pk]

    response = client.post(reverse(f"pilot:{node_name}:assign", args=args))
    assert response.status_code == 302
    assert response.url == reverse(f"pilot:{node_name}:execute", args=args)

    response = client.post(reverse(f"pilot:{node_name}:execute", args=args), data)
    assert response.status_code == 302, response.context["form"].errors
    assert response.url == pilot.get_absolute_url()

    task.refresh_from_db()
    assert (task.status, task.owner) == (STATUS.DONE, user)
    return task


# -- the whole lifecycle ---------------------------------------------------------------------


def test_whole_lifecycle_through_the_client_with_every_loop(client, world):
    w = world
    theme = f.theme()

    # Given the company user, when they submit a proposal on /pilots/new/
    client.force_login(w.company)
    response = client.post(
        reverse("cases:proposal_new"),
        {**_proposal_data(theme), "submission_token": "9b1f8e0c-1f7a-4a35-8d2c-0e7a1c3b2d11"},
    )
    pilot = Pilot.objects.get()
    # then the pilot exists for their company with the proposal as posted
    assert response.status_code == 302
    assert response.url == f"/pilots/{pilot.reference}/"
    assert pilot.company == w.company_a
    assert pilot.submitted_by == w.company
    assert pilot.funding_sources == ["erdf", "company"]
    assert pilot.planned_start == datetime.date(2027, 3, 1)
    assert (pilot.stage, pilot.outcome, pilot.division) == (Stage.INTAKE, "", None)
    assert pilot.process.status == PROCESS.NEW
    assert _open_nodes(pilot) == ["screen"]
    assert _pilot_history_count(pilot) == 1
    assert _newest_history_user(Pilot, id=pilot.pk) == w.company

    # Screening: the agent asks for more information (loop 1) ...
    _do_task(
        client,
        w.agent,
        pilot,
        "screen",
        {"decision": ScreeningDecision.REQUEST_INFORMATION, "message": "Which data is used?"},
    )
    pilot = _pilot(pilot)
    assert (pilot.stage, pilot.outcome) == (Stage.INTAKE, "")
    assert pilot.screening_message == "Which data is used?"
    assert _open_nodes(pilot) == ["request_information"]
    assert _newest_history_user(Pilot, id=pilot.pk) == w.agent

    # ... the company completes the proposal, and it goes back to screening
    _do_task(
        client,
        w.company,
        pilot,
        "request_information",
        {
            **_proposal_data(theme, solution="A dashboard fed by anonymised platform data."),
            "response": "Only anonymised data from the learning platform.",
        },
    )
    pilot = _pilot(pilot)
    assert (pilot.stage, pilot.outcome) == (Stage.INTAKE, "")
    assert pilot.solution == "A dashboard fed by anonymised platform data."
    assert _open_nodes(pilot) == ["screen"]
    assert _newest_history_user(Pilot, id=pilot.pk) == w.company

    _do_task(client, w.agent, pilot, "screen", {"decision": ScreeningDecision.ACCEPT})
    pilot = _pilot(pilot)
    assert (pilot.stage, pilot.outcome) == (Stage.MATCHING, "")
    assert _open_nodes(pilot) == ["match"]
    assert _newest_history_user(Pilot, id=pilot.pk) == w.agent

    # Matching: Urban Environment declines (loop 2), the agent matches again with Education
    _do_task(client, w.agent, pilot, "match", {"theme": theme.pk, "division": w.urban.pk})
    pilot = _pilot(pilot)
    assert (pilot.stage, pilot.division) == (Stage.MATCHING, w.urban)
    assert _open_nodes(pilot) == ["review_match"]
    assert _newest_history_user(Pilot, id=pilot.pk) == w.agent

    _do_task(
        client,
        w.urban_staff,
        pilot,
        "review_match",
        {"accept": "0", "reason": "Schools are not our platform."},
    )
    pilot = _pilot(pilot)
    assert (pilot.stage, pilot.division) == (Stage.MATCHING, None)
    assert _open_nodes(pilot) == ["match"]
    assert _newest_history_user(Pilot, id=pilot.pk) == w.urban_staff

    _do_task(client, w.agent, pilot, "match", {"theme": theme.pk, "division": w.edu.pk})
    pilot = _pilot(pilot)
    assert (pilot.stage, pilot.division) == (Stage.MATCHING, w.edu)
    assert _open_nodes(pilot) == ["review_match"]
    assert _newest_history_user(Pilot, id=pilot.pk) == w.agent

    _do_task(
        client,
        w.edu_staff,
        pilot,
        "review_match",
        {"accept": "1", "contact": w.edu_staff.pk, "site": "Kalasataman koulu", "reason": ""},
    )
    pilot = _pilot(pilot)
    assert (pilot.stage, pilot.outcome) == (Stage.CONTRACTING, "")
    assert (pilot.division_contact, pilot.site) == (w.edu_staff, "Kalasataman koulu")
    assert pilot.contracting_started is not None
    assert _open_nodes(pilot) == ["prepare_contract"]
    assert _newest_history_user(Pilot, id=pilot.pk) == w.edu_staff

    # Contracting: the company asks for changes (loop 3), legal prepares it again
    contract_terms = {
        "period_start": "2027-03-01",
        "period_end": "2027-08-31",
        "compensation": "1500.00",
        "ipr_terms": "The company keeps its IPR; the city may use the results.",
        "data_handling": "Personal data stays in the EU.",
        "insurance": "Liability insurance.",
        "division_signatory": w.edu_staff.pk,
        # the published standard pilot agreement with compensation, in Finnish
        "template_version": sc.pilot_agreement(Decimal("1500"), "fi").pk,
    }
    history_before_contract = _pilot_history_count(pilot)
    _do_task(client, w.legal, pilot, "prepare_contract", contract_terms)
    pilot = _pilot(pilot)
    assert (pilot.stage, pilot.outcome) == (Stage.CONTRACTING, "")
    assert _open_nodes(pilot) == ["accept_contract"]
    # Contract steps change the contract, not the pilot row: its history is the contract's.
    assert _pilot_history_count(pilot) == history_before_contract
    assert _newest_history_user(Contract, pilot_id=pilot.pk) == w.legal

    _do_task(
        client,
        w.company,
        pilot,
        "accept_contract",
        {"accept": "0", "comment": "A shorter period, please."},
    )
    pilot = _pilot(pilot)
    assert (pilot.stage, pilot.outcome) == (Stage.CONTRACTING, "")
    assert pilot.contract.change_request == "A shorter period, please."
    assert _open_nodes(pilot) == ["prepare_contract"]
    assert _newest_history_user(Contract, pilot_id=pilot.pk) == w.company

    _do_task(
        client,
        w.legal,
        pilot,
        "prepare_contract",
        {**contract_terms, "period_end": "2027-06-30"},
    )
    pilot = _pilot(pilot)
    assert pilot.stage == Stage.CONTRACTING
    assert (pilot.contract.period_end, pilot.contract.document_name, pilot.contract.revision) == (
        datetime.date(2027, 6, 30),
        f"{pilot.reference}-contract-2.docx",
        2,
    )
    assert pilot.contract.change_request == ""
    assert _open_nodes(pilot) == ["accept_contract"]
    assert _newest_history_user(Contract, pilot_id=pilot.pk) == w.legal

    _do_task(client, w.company, pilot, "accept_contract", {"accept": "1", "comment": ""})
    pilot = _pilot(pilot)
    assert pilot.stage == Stage.CONTRACTING
    assert pilot.contract.accepted_by == w.company
    assert pilot.contract.accepted_sha256 == pilot.contract.document_sha256
    assert _open_nodes(pilot) == ["sign_contract"]
    assert _newest_history_user(Contract, pilot_id=pilot.pk) == w.company

    _do_task(client, w.edu_staff, pilot, "sign_contract", {"confirm": "on"})
    pilot = _pilot(pilot)
    assert (pilot.stage, pilot.outcome) == (Stage.EXECUTION, "")
    assert pilot.contract.signed_by == w.edu_staff
    assert _open_nodes(pilot) == ["run_pilot"]
    assert _newest_history_user(Pilot, id=pilot.pk) == w.edu_staff

    # Execution: the company reports progress, the agent records a milestone, then closes
    client.force_login(w.company)
    response = client.post(
        reverse("cases:pilot_progress_report", args=[pilot.reference]),
        {"period_end": "2027-04-30", "progress": "Ten teachers use it.", "kpi_values": "10"},
    )
    assert response.status_code == 302
    assert [(r.author, r.progress) for r in pilot.progress_reports.all()] == [
        (w.company, "Ten teachers use it.")
    ]
    client.force_login(w.agent)
    response = client.post(
        reverse("cases:pilot_milestone", args=[pilot.reference]),
        {"text": "Half of the period done.", "visible_to_company": "on"},
    )
    assert response.status_code == 302
    assert pilot.timeline.filter(kind=TimelineEntry.Kind.MILESTONE, author=w.agent).count() == 1
    assert _pilot(pilot).stage == Stage.EXECUTION
    assert _open_nodes(pilot) == ["run_pilot"]

    _do_task(client, w.agent, pilot, "run_pilot", {"summary": "The period ended as planned."})
    pilot = _pilot(pilot)
    assert (pilot.stage, pilot.outcome) == (Stage.EVALUATION, "")
    assert _open_nodes(pilot) == ["evaluate_company", "evaluate_division"]
    assert _newest_history_user(Pilot, id=pilot.pk) == w.agent

    # Evaluation: both sides in parallel; the join waits for the second one
    evaluation = {
        "goal_achievement": "4",
        "user_feedback": "5",
        "technical_readiness": "3",
        "scalability": "4",
        "user_feedback_summary": "Teachers liked it.",
        "measured_kpis": "40 weekly users.",
        "emission_reduction": "",
        "lessons_learned": "Train the teachers first.",
    }
    history_before_evaluations = _pilot_history_count(pilot)
    _do_task(client, w.company, pilot, "evaluate_company", evaluation)
    pilot = _pilot(pilot)
    assert (pilot.stage, pilot.outcome) == (Stage.EVALUATION, "")
    assert _open_nodes(pilot) == ["evaluate_division"]
    assert _pilot_history_count(pilot) == history_before_evaluations
    assert _newest_history_user(Evaluation, pilot_id=pilot.pk) == w.company

    _do_task(client, w.edu_staff, pilot, "evaluate_division", {**evaluation, "scalability": "5"})
    pilot = _pilot(pilot)
    assert (pilot.stage, pilot.outcome) == (Stage.SCALING, "")
    assert _open_nodes(pilot) == ["decide_scaling"]
    assert sorted(pilot.evaluations.values_list("party", "author__username")) == [
        ("company", "company"),
        ("division", "edu"),
    ]
    assert _newest_history_user(Evaluation, pilot_id=pilot.pk) == w.edu_staff
    # The join's move to Scaling is recorded as the system's (evaluation_done passes by=None).
    assert _pilot_history_count(pilot) == history_before_evaluations + 1
    assert _newest_history_user(Pilot, id=pilot.pk) is None

    # Scaling decision: the division closes the pilot
    _do_task(
        client,
        w.edu_staff,
        pilot,
        "decide_scaling",
        {"decision": "scale_city", "rationale": "Met every goal.", "grant_reference": "on"},
    )
    pilot = _pilot(pilot)
    assert (pilot.stage, pilot.outcome) == (Stage.CLOSED, Outcome.SCALED)
    assert pilot.closed is not None
    assert pilot.scaling_decision.decided_by == w.edu_staff
    assert pilot.process.status == PROCESS.DONE
    assert _open_nodes(pilot) == []
    assert _newest_history_user(Pilot, id=pilot.pk) == w.edu_staff
    done = Task.objects.filter(
        process__pilotprocess__pilot=pilot, flow_task_type="HUMAN", status=STATUS.DONE
    )
    assert done.count() == 16


# -- ending early ----------------------------------------------------------------------------


def _snapshot(pilot) -> dict:
    """Everything a denied request must leave as it was."""
    return {
        "pilot": Pilot.objects.filter(pk=pilot.pk).values().get(),
        "process": PilotProcess.objects.filter(pilot=pilot).values().get(),
        "pilot_history": Pilot.history.filter(id=pilot.pk).count(),
        "tasks": [
            (task.pk, task.flow_task.name, task.status, task.owner_id)
            for task in Task.objects.filter(process__pilotprocess__pilot=pilot).order_by("pk")
        ],
        "timeline": pilot.timeline.count(),
        "contract": list(Contract.objects.filter(pilot=pilot).values()),
    }


def _to_contracting(w, title="Pilot"):
    pilot = f.submit_pilot(w.company_a, w.company, title=title)
    sc.screen(pilot, w.agent)
    sc.match(pilot, w.agent, w.edu)
    sc.review_match(pilot, w.edu_staff)
    return _pilot(pilot)


def test_company_withdraws_its_pilot_and_the_process_ends(client, world):
    w = world
    # Given a pilot in contracting, waiting for its contract
    pilot = _to_contracting(w)
    assert _open_nodes(pilot) == ["prepare_contract"]

    # When the company withdraws it
    client.force_login(w.company)
    response = client.post(
        reverse("cases:pilot_withdraw", args=[pilot.reference]), {"reason": "Product changed."}
    )

    # Then the pilot is closed as withdrawn and its process cancelled, with no open tasks
    assert response.status_code == 302
    assert response.url == pilot.get_absolute_url()
    pilot = _pilot(pilot)
    assert (pilot.stage, pilot.outcome) == (Stage.CLOSED, Outcome.WITHDRAWN)
    assert pilot.closure_reason == "Product changed."
    assert pilot.closed is not None
    assert pilot.process.status == PROCESS.CANCELED
    assert _open_nodes(pilot) == []
    task = Task.objects.get(
        process__pilotprocess__pilot=pilot, flow_task=PilotFlow.prepare_contract
    )
    assert task.status == STATUS.CANCELED
    assert _newest_history_user(Pilot, id=pilot.pk) == w.company
    assert pilot.timeline.last().text == "The company withdrew the pilot: Product changed."


def test_company_cannot_withdraw_after_signing(client, world):
    w = world
    # Given a pilot whose contract is signed
    pilot = _to_contracting(w)
    sc.prepare_contract(pilot, w.legal, w.edu_staff)
    sc.accept_contract(pilot, w.company)
    sc.sign_contract(pilot, w.edu_staff)
    pilot = _pilot(pilot)
    assert pilot.stage == Stage.EXECUTION
    before = _snapshot(pilot)

    # When the company tries to withdraw it
    client.force_login(w.company)
    response = client.post(
        reverse("cases:pilot_withdraw", args=[pilot.reference]), {"reason": "Too late?"}
    )

    # Then it is refused and nothing changed
    assert response.status_code == 403
    assert _snapshot(pilot) == before
    assert _pilot(pilot).process.status == PROCESS.NEW
    assert _open_nodes(pilot) == ["run_pilot"]


def test_agent_cancels_a_pilot_with_a_reason(client, world):
    w = world
    # Given a pilot waiting for the division's review
    pilot = f.submit_pilot(w.company_a, w.company)
    sc.screen(pilot, w.agent)
    sc.match(pilot, w.agent, w.edu)
    assert _open_nodes(pilot) == ["review_match"]

    # When an agent cancels it with a reason
    client.force_login(w.agent)
    response = client.post(
        reverse("cases:pilot_cancel", args=[pilot.reference]),
        {"reason": "The company went bankrupt."},
    )

    # Then the pilot is closed as cancelled and the process is cancelled
    assert response.status_code == 302
    assert response.url == pilot.get_absolute_url()
    pilot = _pilot(pilot)
    assert (pilot.stage, pilot.outcome) == (Stage.CLOSED, Outcome.CANCELLED)
    assert pilot.closure_reason == "The company went bankrupt."
    assert pilot.process.status == PROCESS.CANCELED
    assert _open_nodes(pilot) == []
    assert _newest_history_user(Pilot, id=pilot.pk) == w.agent
    assert pilot.timeline.last().text == "The pilot was cancelled: The company went bankrupt."


def test_agent_cancel_without_a_reason_changes_nothing(client, world):
    w = world
    # Given a pilot waiting for screening
    pilot = f.submit_pilot(w.company_a, w.company)
    before = _snapshot(pilot)

    # When an agent posts a cancellation with an empty (blank) reason
    client.force_login(w.agent)
    response = client.post(reverse("cases:pilot_cancel", args=[pilot.reference]), {"reason": "  "})

    # Then they are sent back to the pilot with an error, and nothing changed
    assert response.status_code == 302
    assert response.url == pilot.get_absolute_url()
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Reason: This field is required."
    ]
    assert _snapshot(pilot) == before
    assert _pilot(pilot).process.status == PROCESS.NEW
    assert _open_nodes(pilot) == ["screen"]
