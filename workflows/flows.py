"""PilotFlow: one process per pilot, from the company's proposal to the scaling decision."""

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow, lock

from cases import selectors

from . import services, views
from .models import PilotProcess, ScreeningDecision


def _pilot(process):
    """The pilot of a process, whether Viewflow hands over the base Process or the subclass."""
    return process.coerced.pilot


def company_of(process):
    return _pilot(process).company


def division_of(process):
    return _pilot(process).division


class PilotTask(flow.View):
    """A human node of PilotFlow: claim and release pages show the pilot."""

    assign_view_class = views.PilotAssignTaskView
    unassign_view_class = views.PilotUnassignTaskView
    reassign_view_class = views.PilotReassignTaskView
    detail_view_class = views.PilotTaskDetailView


class PilotFlow(flow.Flow):
    """Pilot

    A company's pilot on the city's platforms, from the proposal to the scaling decision."""

    # Viewflow shows these in its lists and menus; the docstring's words are not translated.
    process_title = _("Pilot")
    process_description = _(
        "A company's pilot on the city's platforms, from the proposal to the scaling decision."
    )
    process_class = PilotProcess
    lock_impl = lock.select_for_update_lock
    process_summary_template = "{{ process.pilot.reference }} {{ process.pilot.title }}"

    submit = (
        flow.StartHandle(this.start_pilot)
        .Annotation(title=_("Submit the proposal"))
        .Next(this.screen)
    )
    # A pilot chosen in an innovation call (calls.services) was screened and matched by the
    # call's selection: it enters at the division's review of the match.
    start_from_call = (
        flow.StartHandle(this.start_pilot_from_call)
        .Annotation(title=_("Selected in an innovation call"))
        .Next(this.review_match)
    )
    screen = (
        PilotTask(views.ScreenView.as_view())
        .Annotation(title=_("Screen the proposal"))
        .Permission("cases.act_as_agent")
        .onCreate(this.set_due)
        .Next(this.check_screening)
    )
    check_screening = (
        flow.Switch()
        .Annotation(title=_("Screening decision"))
        .Case(this.match, lambda a: a.process.screening_decision == ScreeningDecision.ACCEPT)
        .Case(
            this.request_information,
            lambda a: a.process.screening_decision == ScreeningDecision.REQUEST_INFORMATION,
        )
        .Default(this.rejected)
    )
    request_information = (
        PilotTask(views.RequestInformationView.as_view())
        .Annotation(title=_("Complete the proposal"))
        .Permission("cases.act_for_company", obj=company_of)
        .onCreate(this.set_due)
        .Next(this.screen)
    )
    match = (
        PilotTask(views.MatchView.as_view())
        .Annotation(title=_("Match with a division"))
        .Permission("cases.act_as_agent")
        .onCreate(this.set_due)
        .Next(this.review_match)
    )
    review_match = (
        PilotTask(views.ReviewMatchView.as_view())
        .Annotation(title=_("Review the match"))
        .Permission("cases.act_for_division", obj=division_of)
        .onCreate(this.set_due)
        .Next(this.check_match)
    )
    check_match = (
        flow.If(lambda a: a.process.match_accepted is True)
        .Annotation(title=_("Match accepted?"))
        .Then(this.prepare_contract)
        .Else(this.match)
    )
    prepare_contract = (
        PilotTask(views.PrepareContractView.as_view())
        .Annotation(title=_("Prepare the contract"))
        .Permission("cases.act_as_legal")
        .onCreate(this.set_due)
        .Next(this.accept_contract)
    )
    accept_contract = (
        PilotTask(views.AcceptContractView.as_view())
        .Annotation(title=_("Accept the contract"))
        .Permission("cases.act_for_company", obj=company_of)
        .onCreate(this.set_due)
        .Next(this.check_contract)
    )
    check_contract = (
        flow.If(lambda a: a.process.contract_accepted is True)
        .Annotation(title=_("Contract accepted?"))
        .Then(this.sign_contract)
        .Else(this.prepare_contract)
    )
    sign_contract = (
        PilotTask(views.SignContractView.as_view())
        .Annotation(title=_("Sign the contract"))
        .Permission("cases.sign_for_division", obj=division_of)
        .onCreate(this.set_due)
        .Next(this.run_pilot)
    )
    run_pilot = (
        PilotTask(views.RunPilotView.as_view())
        .Annotation(title=_("Follow the pilot"))
        .Permission("cases.act_as_agent")
        .onCreate(this.set_due)
        .Next(this.split_evaluation)
    )
    split_evaluation = (
        flow.Split()
        .Annotation(title=_("Evaluate from both sides"))
        .Always(this.evaluate_division)
        .Always(this.evaluate_company)
    )
    evaluate_division = (
        PilotTask(views.EvaluateDivisionView.as_view())
        .Annotation(title=_("Evaluate the pilot (division)"))
        .Permission("cases.act_for_division", obj=division_of)
        .onCreate(this.set_due)
        .Next(this.join_evaluation)
    )
    evaluate_company = (
        PilotTask(views.EvaluateCompanyView.as_view())
        .Annotation(title=_("Evaluate the pilot (company)"))
        .Permission("cases.act_for_company", obj=company_of)
        .onCreate(this.set_due)
        .Next(this.join_evaluation)
    )
    join_evaluation = (
        flow.Join().Annotation(title=_("Both evaluations in")).Next(this.evaluation_done)
    )
    evaluation_done = (
        flow.Function(this.complete_evaluation)
        .Annotation(title=_("Evaluation complete"))
        .Next(this.decide_scaling)
    )
    decide_scaling = (
        PilotTask(views.DecideScalingView.as_view())
        .Annotation(title=_("Decide on scaling"))
        .Permission("cases.act_for_division", obj=division_of)
        .onCreate(this.set_due)
        .Next(this.end)
    )
    rejected = flow.End().Annotation(title=_("Rejected"))
    end = flow.End().Annotation(title=_("Closed"))

    def start_pilot(self, activation, pilot, by):
        activation.process.pilot = pilot
        activation.task.owner = by
        return activation.process

    def start_pilot_from_call(self, activation, pilot, by):
        activation.process.pilot = pilot
        activation.process.screening_decision = ScreeningDecision.ACCEPT
        activation.task.owner = by
        return activation.process

    def set_due(self, activation):
        # The due date, and the notice to whoever may take the task (notifications).
        services.task_open(task=activation.task, node_name=activation.flow_task.name)

    def complete_evaluation(self, activation):
        services.pilot_evaluation_complete(process=activation.process)

    # Pages of the flow are for the people who take part in pilots; which pilots each one
    # sees is decided by cases.selectors.pilots_visible_to, never by Viewflow's model perms.
    def has_view_permission(self, user, obj=None):
        if not (user.is_authenticated and user.is_active):
            return False
        if obj is None:
            return True
        pilot_id = getattr(obj, "pilot_id", None) or obj.coerced.pilot_id
        return selectors.pilots_visible_to(user).filter(pk=pilot_id).exists()

    def has_manage_permission(self, user, obj=None):
        # Cancelling, undoing or reviving single tasks would desynchronise a pilot from its
        # process; only administrators may do it. Agents cancel whole pilots instead.
        return user.is_authenticated and user.is_active and user.is_superuser
