"""Writes of innovation calls: preparing and publishing a call, applications, reviews and the
selection that starts pilots. Each runs in one transaction with the acting user in the history."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import selectors as case_selectors
from cases.models import Pilot, Stage
from cases.services import reference_allocate, save_with_history, timeline_add
from workflows.services import task_deadline_set

from . import selectors
from .models import (
    Application,
    ApplicationNotice,
    Call,
    CallProcess,
    Criterion,
    ReviewAssignment,
    Score,
)

CALL_FIELDS = [
    "title",
    "challenge",
    "theme",
    "division",
    "total_budget",
    "cap_per_pilot",
    "pilots_to_choose",
    "opens_at",
    "closes_at",
    "info_event",
    "info_event_at",
]

APPLICATION_FIELDS = [
    "title",
    "summary",
    "need",
    "solution",
    "site_wish",
    "planned_start",
    "planned_end",
    "cost_to_city",
    "expected_impact",
    "kpis",
    "contact_name",
    "contact_email",
    "contact_phone",
]


def _require_agent(by) -> None:
    if not selectors.can_prepare_calls(by):
        raise PermissionDenied(_("Only innovation agents prepare calls."))


def _save_criteria(call: Call, *, by, criteria: list[dict]) -> None:
    if not criteria:
        raise ValidationError(_("Give at least one evaluation criterion."))
    for criterion in call.criteria.all():
        criterion._history_user = by
        criterion.delete()
    for order, values in enumerate(criteria):
        save_with_history(
            Criterion(
                call=call,
                name=values["name"],
                description=values.get("description", ""),
                weight=values["weight"],
                order=order,
            ),
            by=by,
        )


@transaction.atomic
def call_create(*, by, values: dict, criteria: list[dict]) -> Call:
    """Prepare a call (a draft) and start its process; the agent publishes it from the inbox."""
    from .flows import CallFlow

    _require_agent(by)
    call = Call(created_by=by, **values)
    save_with_history(call, by=by)
    _save_criteria(call, by=by, criteria=criteria)
    CallFlow.start.run(call=call, by=by)
    return call


def call_publish(*, process: CallProcess, by, values: dict, criteria: list[dict], at=None) -> Call:
    """Save the last changes to the draft and publish it: it is listed at /calls/.

    `at` (here and below) is the moment of the action, the server's clock unless the demo data
    replays a past call; pages never pass it."""
    _require_agent(by)
    at = at or timezone.now()
    call = process.call
    if call.status != Call.Status.DRAFT:
        raise ValidationError(_("The call is already published."))
    for name, value in values.items():
        setattr(call, name, value)
    if call.closes_at <= at:
        raise ValidationError({"closes_at": _("The deadline must be in the future.")})
    call.status = Call.Status.PUBLISHED
    call.published_at = at
    save_with_history(call, by=by)
    _save_criteria(call, by=by, criteria=criteria)
    return call


# -- applications ----------------------------------------------------------------------------


def _deadline_error(call: Call) -> ValidationError:
    closes = timezone.localtime(call.closes_at).strftime("%d.%m.%Y %H:%M:%S")
    return ValidationError(
        _(
            "The call closed at %(closes)s (Helsinki time). Applications can no longer be "
            "saved or submitted."
        )
        % {"closes": closes}
    )


def application_save(
    *, call: Call, company, by, values: dict, submit: bool = False, at=None
) -> Application:
    """Save the company's application as a draft, or submit it. The server's clock decides
    whether the call is open (the deadline is inclusive to the second); one per company."""
    if not case_selectors.is_company_member(by, company):
        raise PermissionDenied(_("You may apply only for your own company."))
    now = at or timezone.now()
    if not call.is_published or now < call.opens_at:
        raise ValidationError(_("The call is not open yet."))
    if not call.is_open(now):
        raise _deadline_error(call)
    if values.get("cost_to_city") is not None and values["cost_to_city"] > call.cap_per_pilot:
        raise ValidationError(
            {
                "cost_to_city": _("The cap per pilot in this call is %(cap)s euros.")
                % {"cap": call.cap_per_pilot}
            }
        )
    try:
        with transaction.atomic():
            application = (
                Application.objects.select_for_update().filter(call=call, company=company).first()
            )
            if application is None:
                application = Application(call=call, company=company, created_by=by)
            for name, value in values.items():
                setattr(application, name, value)
            newly_submitted = submit and application.status == Application.Status.DRAFT
            if newly_submitted:
                application.status = Application.Status.SUBMITTED
                application.submitted_at = now
            save_with_history(application, by=by)
            if newly_submitted:
                _notice(
                    application,
                    ApplicationNotice.Kind.SUBMITTED,
                    _("Your application “%(title)s” to the call “%(call)s” was received.")
                    % {"title": application.title, "call": call.title},
                )
    except IntegrityError as error:
        # Another user of the company created the application at the same moment.
        raise ValidationError(
            _("Your company already has an application to this call; open it to edit it.")
        ) from error
    return application


def _notice(application: Application, kind: str, text: str, feedback=None) -> ApplicationNotice:
    notice, _created = ApplicationNotice.objects.get_or_create(
        application=application,
        kind=kind,
        defaults={"text": text, "feedback": feedback or []},
    )
    return notice


# -- review ----------------------------------------------------------------------------------


def reviewers_assign(*, process: CallProcess, by, reviewers, at=None) -> list[ReviewAssignment]:
    """Assign each chosen reviewer every submitted application; the flow then opens one
    review task per assignment."""
    _require_agent(by)
    call = process.call
    if not call.has_closed(at):
        raise ValidationError(
            _("The call is still open; reviewers are assigned after the deadline.")
        )
    candidates = set(selectors.reviewer_candidates(call).values_list("pk", flat=True))
    reviewers = list(reviewers)
    if not reviewers:
        raise ValidationError({"reviewers": _("Choose at least one reviewer.")})
    strangers = [reviewer for reviewer in reviewers if reviewer.pk not in candidates]
    if strangers:
        raise ValidationError(
            {"reviewers": _("Only agents, the division's staff and external experts review.")}
        )
    assignments = []
    for application in call.applications.filter(status=Application.Status.SUBMITTED):
        for reviewer in reviewers:
            assignment = ReviewAssignment.objects.filter(
                application=application, reviewer=reviewer
            ).first()
            if assignment is None:
                assignment = ReviewAssignment(
                    application=application, reviewer=reviewer, assigned_by=by
                )
                save_with_history(assignment, by=by)
            assignments.append(assignment)
    return assignments


def _own_assignment(assignment: ReviewAssignment, by) -> None:
    if assignment.reviewer_id != by.pk:
        raise PermissionDenied(_("This review is assigned to someone else."))


def review_declare(
    *, assignment: ReviewAssignment, by, conflict: bool, note: str = ""
) -> ReviewAssignment:
    """The reviewer's conflict-of-interest declaration. A conflict removes them from the
    application: they cannot score it nor see its scores."""
    _own_assignment(assignment, by)
    if assignment.status != ReviewAssignment.Status.PENDING:
        raise ValidationError(_("The declaration was already made."))
    if conflict and not note.strip():
        raise ValidationError({"note": _("Describe the conflict of interest.")})
    assignment.status = (
        ReviewAssignment.Status.CONFLICT if conflict else ReviewAssignment.Status.SCORING
    )
    assignment.conflict_note = note if conflict else ""
    assignment.declared_at = timezone.now()
    save_with_history(assignment, by=by)
    return assignment


def review_score(*, assignment: ReviewAssignment, by, scores: dict) -> ReviewAssignment:
    """Score every criterion with a comment: `scores` maps a criterion's id to (value, comment)."""
    _own_assignment(assignment, by)
    if assignment.status == ReviewAssignment.Status.CONFLICT:
        raise PermissionDenied(_("You declared a conflict of interest on this application."))
    if assignment.status != ReviewAssignment.Status.SCORING:
        raise ValidationError(_("Declare any conflict of interest before scoring."))
    criteria = list(assignment.application.call.criteria.all())
    errors = {}
    for criterion in criteria:
        value, comment = scores.get(criterion.pk, (None, ""))
        if value is None or not 0 <= value <= 5:
            errors[f"score_{criterion.pk}"] = _("Give a score from 0 to 5.")
        if not (comment or "").strip():
            errors[f"comment_{criterion.pk}"] = _("Explain the score.")
    if errors:
        raise ValidationError(errors)
    for criterion in criteria:
        value, comment = scores[criterion.pk]
        save_with_history(
            Score(assignment=assignment, criterion=criterion, value=value, comment=comment),
            by=by,
        )
    assignment.status = ReviewAssignment.Status.SUBMITTED
    assignment.submitted_at = timezone.now()
    save_with_history(assignment, by=by)
    return assignment


# -- selection -------------------------------------------------------------------------------


def selection_propose(*, process: CallProcess, by, applications) -> list[Application]:
    _require_agent(by)
    call = process.call
    chosen = list(applications)
    eligible = call.applications.filter(
        status__in=[Application.Status.SUBMITTED, Application.Status.PROPOSED]
    )
    if not chosen:
        raise ValidationError({"applications": _("Choose at least one application.")})
    if len(chosen) > call.pilots_to_choose:
        raise ValidationError(
            {
                "applications": _("The call chooses at most %(count)s pilots.")
                % {"count": call.pilots_to_choose}
            }
        )
    if any(application.call_id != call.pk for application in chosen) or eligible.filter(
        pk__in=[a.pk for a in chosen]
    ).count() != len(chosen):
        raise ValidationError({"applications": _("Choose among the call's applications.")})
    total = sum(application.cost_to_city for application in chosen)
    if total > call.total_budget:
        raise ValidationError(
            {
                "applications": _(
                    "The chosen applications cost %(total)s euros; the budget is %(budget)s."
                )
                % {"total": total, "budget": call.total_budget}
            }
        )
    chosen_ids = {application.pk for application in chosen}
    for application in eligible:
        wanted = (
            Application.Status.PROPOSED
            if application.pk in chosen_ids
            else Application.Status.SUBMITTED
        )
        if application.status != wanted:
            application.status = wanted
            save_with_history(application, by=by)
    process.selection_approved = None
    process.approval_comment = ""
    _save_process(process, by=by)
    return chosen


def _save_process(process: CallProcess, *, by) -> None:
    process._history_user = by
    process.save(update_fields=["selection_approved", "approval_comment"])


def selection_decide(*, process: CallProcess, by, approve: bool, comment: str = "") -> list:
    """The division approves the proposed selection (each selected application becomes a pilot
    already matched to the division) or sends it back to the agent with a comment."""
    call = process.call
    if not case_selectors.divisions_of(by).filter(pk=call.division_id).exists():
        raise PermissionDenied(_("Only the call's division approves its selection."))
    if not approve and not comment.strip():
        raise ValidationError({"comment": _("Tell the agent why.")})
    process.selection_approved = approve
    process.approval_comment = comment
    _save_process(process, by=by)
    if not approve:
        return []
    pilots = [
        _start_pilot(application, by=by)
        for application in call.applications.filter(status=Application.Status.PROPOSED)
    ]
    for application in call.applications.filter(status=Application.Status.SUBMITTED):
        application.status = Application.Status.NOT_SELECTED
        save_with_history(application, by=by)
        _notice(
            application,
            ApplicationNotice.Kind.NOT_SELECTED,
            _(
                "Your application “%(title)s” to the call “%(call)s” was not selected. The "
                "reviewers' feedback is below."
            )
            % {"title": application.title, "call": call.title},
            feedback=selectors.anonymised_feedback(application),
        )
    call.status = Call.Status.DECIDED
    save_with_history(call, by=by)
    return pilots


def _start_pilot(application: Application, *, by) -> Pilot:
    """The selected application becomes a pilot that enters PilotFlow matched to the division."""
    from workflows.flows import PilotFlow

    call = application.call
    pilot = Pilot(
        company=application.company,
        division=call.division,
        theme=call.theme,
        stage=Stage.MATCHING,
        submitted_by=application.created_by,
        **{name: getattr(application, name) for name in APPLICATION_FIELDS},
    )
    pilot.reference = reference_allocate()
    save_with_history(pilot, by=by)
    timeline_add(
        pilot=pilot,
        by=by,
        visible_to_company=True,
        text=_(
            "Selected in the call “%(call)s”; the application became pilot %(reference)s, "
            "matched to %(division)s."
        )
        % {"call": call.title, "reference": pilot.reference, "division": call.division.name},
    )
    PilotFlow.start_from_call.run(pilot=pilot, by=by)
    application.status = Application.Status.SELECTED
    application.pilot = pilot
    save_with_history(application, by=by)
    _notice(
        application,
        ApplicationNotice.Kind.SELECTED,
        _(
            "Your application “%(title)s” to the call “%(call)s” was selected. It is now the "
            "pilot %(reference)s."
        )
        % {"title": application.title, "call": call.title, "reference": pilot.reference},
    )
    return pilot


def call_task_open(*, task, node_name: str):
    """The due date of a human task of a call (working days, as for pilots)."""
    return task_deadline_set(task=task, node_name=node_name)


def call_close_empty(*, process: CallProcess) -> Call:
    """No company applied: the call closes without a selection."""
    call = process.call
    call.status = Call.Status.CLOSED_EMPTY
    save_with_history(call, by=None)
    return call
