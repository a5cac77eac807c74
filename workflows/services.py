"""The work of each node of PilotFlow. A task view calls one of these, then executes the task."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import selectors
from cases.models import Evaluation, Outcome, Pilot, ScalingDecision, Stage
from cases.services import reference_allocate, save_with_history, timeline_add
from contracts.models import Contract
from contracts.services import contract_document_verify, contract_generate
from insight import services as reference_services
from notifications import selectors as notification_selectors
from notifications import services as notification_services

from .deadlines import add_working_days, service_level
from .models import PilotProcess, ScreeningDecision, TaskDeadline

PROPOSAL_FIELDS = [
    "title",
    "summary",
    "need",
    "solution",
    "theme",
    "site_wish",
    "planned_start",
    "planned_end",
    "cost_to_city",
    "funding_sources",
    "expected_impact",
    "kpis",
    "emission_reduction_estimate",
    "contact_name",
    "contact_email",
    "contact_phone",
]


def _save_process(process: PilotProcess, *, by, fields: list[str]) -> None:
    # Viewflow's own columns do not survive full_clean(); the decision columns are plain.
    process._history_user = by
    process.save(update_fields=fields)


def _set_stage(pilot: Pilot, stage: str, by=None) -> None:
    """Move the pilot to another stage; the company's users are told (in the same
    transaction, once per pilot and stage)."""
    if pilot.stage == stage:
        return
    old_stage = pilot.stage
    pilot.stage = stage
    notification_services.pilot_stage_changed(pilot=pilot, old_stage=old_stage, by=by)


def task_deadline_set(*, task, node_name: str) -> TaskDeadline:
    start = timezone.localdate()
    return TaskDeadline.objects.create(
        task=task, due=add_working_days(start, service_level(node_name))
    )


def task_open(*, task, node_name: str) -> TaskDeadline:
    """A human task was created: its due date, and the notice to whoever may take it."""
    deadline = task_deadline_set(task=task, node_name=node_name)
    notification_services.task_opened(task=task, due=deadline.due)
    return deadline


def task_hand_over_candidates(*, task):
    """Who an assigned task may be handed over to: those who may take it, but its owner."""
    return notification_selectors.task_candidates(task).exclude(pk=task.owner_id)


def task_hand_over(*, activation, to, by):
    """The owner (or an administrator) hands an assigned task over to someone who may take
    it; the new owner is told. Runs in the task view's locked transaction."""
    task = activation.task
    if not task_hand_over_candidates(task=task).filter(pk=to.pk).exists():
        raise ValidationError({"to": _("This person may not take the task.")})
    activation.reassign(user=to)
    notification_services.task_assigned(task=task, by=by)
    return task


# -- submit ---------------------------------------------------------------------------------


def pilot_submit(*, company, by, proposal: dict, submission_token=None) -> Pilot:
    """Create the pilot and start its process. Called by the proposal forms and the API.

    A repeated submission token (a double-clicked form) returns the pilot already created,
    also when both submissions arrive at once (RELIABILITY F4).
    """
    pilot, _created = pilot_submit_once(
        company=company, by=by, proposal=proposal, submission_token=submission_token
    )
    return pilot


def pilot_submit_once(*, company, by, proposal: dict, submission_token=None) -> tuple[Pilot, bool]:
    """`pilot_submit`, also telling whether this call created the pilot (False: the token's
    pilot existed, or a concurrent submission with it committed first)."""
    from .flows import PilotFlow

    if not (by.has_perm("cases.act_as_agent") or selectors.is_company_member(by, company)):
        raise PermissionDenied(_("You may submit proposals only for your own company."))
    existing = _pilot_with_token(submission_token)
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            pilot = Pilot(company=company, submitted_by=by, **proposal)
            if submission_token is not None:
                pilot.submission_token = submission_token
            pilot.reference = reference_allocate()
            save_with_history(pilot, by=by)
            timeline_add(
                pilot=pilot,
                by=by,
                visible_to_company=True,
                text=_("Proposal %(reference)s submitted.") % {"reference": pilot.reference},
            )
            PilotFlow.submit.run(pilot=pilot, by=by)
    except (IntegrityError, ValidationError) as error:
        # A concurrent submission with the same token committed first: full_clean() then
        # finds its row, or the INSERT meets the unique index. This attempt, its reference
        # number included, was rolled back with the savepoint; the first pilot is the answer.
        duplicate = isinstance(error, IntegrityError) or "submission_token" in getattr(
            error, "error_dict", {}
        )
        existing = _pilot_with_token(submission_token) if duplicate else None
        if existing is None:
            raise
        return existing, False
    return pilot, True


def _pilot_with_token(submission_token) -> Pilot | None:
    if submission_token is None:
        return None
    return Pilot.objects.filter(submission_token=submission_token).first()


# -- screening ------------------------------------------------------------------------------


def pilot_screen(*, process: PilotProcess, by, decision: str, message: str = "") -> Pilot:
    pilot = process.pilot
    if decision != ScreeningDecision.ACCEPT and not message.strip():
        raise ValidationError({"message": _("Tell the company why.")})
    process.screening_decision = decision
    _save_process(process, by=by, fields=["screening_decision"])
    pilot.screening_message = message
    if decision == ScreeningDecision.ACCEPT:
        _set_stage(pilot, Stage.MATCHING)
        text = _("The proposal was accepted for matching with a division.")
    elif decision == ScreeningDecision.REQUEST_INFORMATION:
        text = _("More information was requested: %(message)s") % {"message": message}
    else:
        _set_stage(pilot, Stage.CLOSED)
        pilot.outcome = Outcome.REJECTED
        pilot.closure_reason = message
        pilot.closed = timezone.now()
        text = _("The proposal was rejected: %(message)s") % {"message": message}
    save_with_history(pilot, by=by)
    timeline_add(pilot=pilot, by=by, visible_to_company=True, text=text)
    return pilot


def pilot_complete_information(*, process: PilotProcess, by, proposal: dict, response: str):
    pilot = process.pilot
    for field, value in proposal.items():
        setattr(pilot, field, value)
    save_with_history(pilot, by=by)
    process.screening_decision = ""
    _save_process(process, by=by, fields=["screening_decision"])
    text = _("The company completed the proposal.")
    if response.strip():
        text = _("The company completed the proposal: %(response)s") % {"response": response}
    timeline_add(pilot=pilot, by=by, visible_to_company=True, text=text)
    return pilot


# -- matching -------------------------------------------------------------------------------


def pilot_match(*, process: PilotProcess, by, theme, division) -> Pilot:
    pilot = process.pilot
    pilot.theme = theme
    pilot.division = division
    _set_stage(pilot, Stage.MATCHING)
    save_with_history(pilot, by=by)
    process.match_accepted = None
    _save_process(process, by=by, fields=["match_accepted"])
    timeline_add(
        pilot=pilot,
        by=by,
        visible_to_company=True,
        text=_("Proposed to the division %(division)s.") % {"division": division.name},
    )
    return pilot


def pilot_review_match(
    *, process: PilotProcess, by, accept: bool, contact=None, site: str = "", reason: str = ""
) -> Pilot:
    pilot = process.pilot
    division = pilot.division
    if accept:
        if contact is None:
            raise ValidationError({"contact": _("Name the division's contact person.")})
        pilot.division_contact = contact
        pilot.site = site
        pilot.contracting_started = timezone.now()
        _set_stage(pilot, Stage.CONTRACTING)
        text = _("%(division)s accepted the pilot; contact person %(contact)s.") % {
            "division": division.name,
            "contact": contact.get_full_name() or contact.get_username(),
        }
    else:
        if not reason.strip():
            raise ValidationError({"reason": _("Give the reason for declining.")})
        pilot.division = None
        text = _("%(division)s declined the pilot: %(reason)s") % {
            "division": division.name,
            "reason": reason,
        }
    process.match_accepted = accept
    _save_process(process, by=by, fields=["match_accepted"])
    save_with_history(pilot, by=by)
    timeline_add(pilot=pilot, by=by, visible_to_company=accept, text=text)
    return pilot


# -- contracting ----------------------------------------------------------------------------


def contract_prepare(*, process: PilotProcess, by, terms: dict, version) -> Contract:
    """Fill the terms and generate the contract document from a published template version
    (contracts.services.contract_generate). Generating it again voids an acceptance."""
    contract = contract_generate(pilot=process.pilot, by=by, version=version, terms=terms)
    process.contract_accepted = None
    _save_process(process, by=by, fields=["contract_accepted"])
    return contract


def contract_accept(*, process: PilotProcess, by, accept: bool, comment: str = "") -> Contract:
    pilot = process.pilot
    contract = pilot.contract
    if accept:
        contract_document_verify(contract)
        contract.accepted_by = by
        contract.accepted = timezone.now()
        contract.accepted_sha256 = contract.document_sha256
        contract.change_request = ""
        text = _("The company accepted the contract (SHA-256 %(sha)s).") % {
            "sha": contract.document_sha256
        }
    else:
        if not comment.strip():
            raise ValidationError({"comment": _("Describe the changes you ask for.")})
        contract.change_request = comment
        text = _("The company asked for changes to the contract: %(comment)s") % {
            "comment": comment
        }
    save_with_history(contract, by=by)
    process.contract_accepted = accept
    _save_process(process, by=by, fields=["contract_accepted"])
    timeline_add(pilot=pilot, by=by, visible_to_company=True, text=text)
    if accept:
        notification_services.contract_accepted(pilot=pilot, contract=contract, by=by)
    return contract


def contract_sign(*, process: PilotProcess, by) -> Contract:
    pilot = process.pilot
    contract = pilot.contract
    if not selectors.divisions_signed_by(by).filter(pk=pilot.division_id).exists():
        raise PermissionDenied(_("You have no signing right for this division."))
    if contract.division_signatory_id != by.pk:
        signatory = contract.division_signatory
        raise PermissionDenied(
            _("The contract names %(name)s as the division's signatory.")
            % {"name": signatory.get_full_name() or signatory.get_username()}
        )
    if contract.accepted_sha256 != contract.document_sha256:
        raise ValidationError(_("The company has not accepted this version of the contract."))
    contract_document_verify(contract)
    contract.signed_by = by
    contract.signed = timezone.now()
    contract.signed_sha256 = contract.document_sha256
    save_with_history(contract, by=by)
    _set_stage(pilot, Stage.EXECUTION)
    save_with_history(pilot, by=by)
    timeline_add(
        pilot=pilot,
        by=by,
        visible_to_company=True,
        text=_("The contract was signed (SHA-256 %(sha)s); the pilot is running.")
        % {"sha": contract.signed_sha256},
    )
    notification_services.contract_signed(pilot=pilot, contract=contract, by=by)
    return contract


# -- execution, evaluation, scaling ---------------------------------------------------------


def pilot_close_execution(*, process: PilotProcess, by, summary: str) -> Pilot:
    pilot = process.pilot
    if not summary.strip():
        raise ValidationError({"summary": _("Summarise how the pilot went.")})
    _set_stage(pilot, Stage.EVALUATION)
    save_with_history(pilot, by=by)
    timeline_add(
        pilot=pilot,
        by=by,
        visible_to_company=True,
        kind="milestone",
        text=_("Execution closed: %(summary)s") % {"summary": summary},
    )
    return pilot


def pilot_evaluate(*, process: PilotProcess, by, party: str, values: dict) -> Evaluation:
    pilot = process.pilot
    evaluation = Evaluation(pilot=pilot, party=party, author=by, **values)
    save_with_history(evaluation, by=by)
    timeline_add(
        pilot=pilot,
        by=by,
        visible_to_company=True,
        text=_("Evaluation by the %(party)s submitted.")
        % {"party": evaluation.get_party_display().lower()},
    )
    if pilot.stage != Stage.EVALUATION:
        _set_stage(pilot, Stage.EVALUATION)
        save_with_history(pilot, by=by)
    return evaluation


def pilot_evaluation_complete(*, process: PilotProcess) -> Pilot:
    """Both evaluations are in: the pilot waits for the scaling decision."""
    pilot = process.pilot
    _set_stage(pilot, Stage.SCALING)
    save_with_history(pilot, by=None)
    return pilot


@transaction.atomic
def pilot_decide_scaling(*, process: PilotProcess, by, values: dict) -> ScalingDecision:
    pilot = process.pilot
    decision = ScalingDecision(pilot=pilot, decided_by=by, **values)
    save_with_history(decision, by=by)
    _set_stage(pilot, Stage.CLOSED)
    pilot.outcome = decision.outcome
    pilot.closed = timezone.now()
    save_with_history(pilot, by=by)
    timeline_add(
        pilot=pilot,
        by=by,
        visible_to_company=True,
        text=_("Scaling decision: %(decision)s.") % {"decision": decision.get_decision_display()},
    )
    if decision.grant_reference:
        # The reference (the Helsinki stamp), in the same transaction; issuing is idempotent.
        reference_services.reference_issue(pilot=pilot, by=by)
    return decision


# -- ending early ---------------------------------------------------------------------------


def _close_process(pilot: Pilot, *, by, outcome: str, reason: str, text: str) -> Pilot:
    from .flows import PilotFlow

    with transaction.atomic():
        pilot.refresh_from_db()
        if not pilot.is_open:
            raise ValidationError(_("The pilot is already closed."))
        PilotFlow.instance.cancel(PilotProcess.objects.get(pilot=pilot))
        _set_stage(pilot, Stage.CLOSED, by=by)
        pilot.outcome = outcome
        pilot.closure_reason = reason
        pilot.closed = timezone.now()
        save_with_history(pilot, by=by)
        timeline_add(pilot=pilot, by=by, visible_to_company=True, text=text)
    return pilot


def pilot_withdraw(*, pilot: Pilot, by, reason: str = "") -> Pilot:
    if not selectors.can_withdraw(by, pilot):
        raise PermissionDenied(_("The pilot can no longer be withdrawn."))
    text = _("The company withdrew the pilot.")
    if reason.strip():
        text = _("The company withdrew the pilot: %(reason)s") % {"reason": reason}
    return _close_process(pilot, by=by, outcome=Outcome.WITHDRAWN, reason=reason, text=text)


def pilot_cancel(*, pilot: Pilot, by, reason: str) -> Pilot:
    if not selectors.can_cancel(by, pilot):
        raise PermissionDenied(_("Only an innovation agent may cancel a pilot."))
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for cancelling.")})
    text = _("The pilot was cancelled: %(reason)s") % {"reason": reason}
    return _close_process(pilot, by=by, outcome=Outcome.CANCELLED, reason=reason, text=text)
