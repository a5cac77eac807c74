"""Task views of PilotFlow: parse the form, call one service, execute the task."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import generic
from viewflow.workflow.flow.views import AssignTaskView, UnassignTaskView
from viewflow.workflow.status import STATUS

from cases import selectors
from cases.forms import PROPOSAL_FIELDS
from cases.models import Evaluation
from insight import matching

from . import forms, services


def apply_errors(form, error: ValidationError) -> None:
    """Put a service's validation errors on the form's fields, or on the form itself."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class ServiceTaskFormView(generic.FormView):
    """A human task of any flow: parse the form, call one service in a transaction (its
    validation errors land on the form and nothing changes), then execute the task."""

    intro = ""

    @property
    def activation(self):
        return self.request.activation

    @property
    def process(self):
        return self.activation.process

    def perform(self, form) -> None:
        raise NotImplementedError

    def done_message(self) -> str:
        raise NotImplementedError

    def form_valid(self, form):
        try:
            with transaction.atomic():
                self.perform(form)
        except ValidationError as error:
            apply_errors(form, error)
            return self.form_invalid(form)
        self.activation.execute()
        messages.success(self.request, self.done_message())
        return redirect(self.get_success_url())


class TaskFormView(ServiceTaskFormView):
    """A human task: the pilot's essentials beside the node's form."""

    template_name = "workflows/task.html"

    @property
    def pilot(self):
        return self.process.pilot

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            pilot=self.pilot,
            task=self.activation.task,
            task_title=self.activation.flow_task.task_title,
            intro=self.intro,
            internal=selectors.is_staff_viewer(self.request.user, self.pilot),
        )
        return context

    def done_message(self) -> str:
        return _("%(task)s done for %(reference)s.") % {
            "task": self.activation.flow_task.task_title,
            "reference": self.pilot.reference,
        }

    def get_success_url(self):
        return self.pilot.get_absolute_url()


class ScreenView(TaskFormView):
    form_class = forms.ScreenForm
    intro = gettext_lazy(
        "Accept the proposal for matching, ask the company for more information, or reject it."
    )

    def perform(self, form):
        services.pilot_screen(
            process=self.process,
            by=self.request.user,
            decision=form.cleaned_data["decision"],
            message=form.cleaned_data["message"],
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            show_similar_pilots=True,
            similar_pilots=matching.similar_pilots(self.request.user, self.pilot),
        )
        return context


class RequestInformationView(TaskFormView):
    form_class = forms.CompleteInformationForm
    intro = gettext_lazy("The innovation agent asked for more information. Complete the proposal.")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.pilot
        return kwargs

    def perform(self, form):
        services.pilot_complete_information(
            process=self.process,
            by=self.request.user,
            proposal={field: form.cleaned_data[field] for field in PROPOSAL_FIELDS},
            response=form.cleaned_data["response"],
        )


class MatchView(TaskFormView):
    form_class = forms.MatchForm
    intro = gettext_lazy("Choose the platform theme and the division that should host the pilot.")

    def get_initial(self):
        return {"theme": self.pilot.theme_id, "division": self.pilot.division_id}

    def perform(self, form):
        services.pilot_match(
            process=self.process,
            by=self.request.user,
            theme=form.cleaned_data["theme"],
            division=form.cleaned_data["division"],
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            division_suggestions=matching.division_suggestions(self.pilot),
            show_similar_pilots=True,
            similar_pilots=matching.similar_pilots(self.request.user, self.pilot),
        )
        return context


class ReviewMatchView(TaskFormView):
    form_class = forms.ReviewMatchForm
    intro = gettext_lazy(
        "Accept the pilot for your division, naming its contact person and site, or decline it."
    )

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["division"] = self.pilot.division
        return kwargs

    def get_initial(self):
        return {"site": self.pilot.site_wish}

    def perform(self, form):
        services.pilot_review_match(
            process=self.process,
            by=self.request.user,
            accept=form.cleaned_data["accept"],
            contact=form.cleaned_data["contact"],
            site=form.cleaned_data["site"],
            reason=form.cleaned_data["reason"],
        )


class PrepareContractView(TaskFormView):
    form_class = forms.PrepareContractForm
    intro = gettext_lazy(
        "Choose the standard contract template and fill the terms: the contract document is "
        "generated for the company to accept. Generating it again voids an earlier acceptance."
    )

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["division"] = self.pilot.division
        return kwargs

    def get_initial(self):
        contract = getattr(self.pilot, "contract", None)
        if contract is not None:
            return {
                "template_version": contract.template_version_id,
                "period_start": contract.period_start,
                "period_end": contract.period_end,
                "compensation": contract.compensation,
                "ipr_terms": contract.ipr_terms,
                "data_handling": contract.data_handling,
                "insurance": contract.insurance,
                "division_signatory": contract.division_signatory_id,
            }
        return {"period_start": self.pilot.planned_start, "period_end": self.pilot.planned_end}

    def perform(self, form):
        services.contract_prepare(
            process=self.process,
            by=self.request.user,
            terms=form.terms(),
            version=form.cleaned_data["template_version"],
        )


class AcceptContractView(TaskFormView):
    form_class = forms.AcceptContractForm
    intro = gettext_lazy("Read the contract, then accept it or ask for changes.")

    def perform(self, form):
        services.contract_accept(
            process=self.process,
            by=self.request.user,
            accept=form.cleaned_data["accept"],
            comment=form.cleaned_data["comment"],
        )


class SignContractView(TaskFormView):
    form_class = forms.SignContractForm
    intro = gettext_lazy("The company has accepted the contract. Sign it for the division.")

    def perform(self, form):
        services.contract_sign(process=self.process, by=self.request.user)


class RunPilotView(TaskFormView):
    form_class = forms.CloseExecutionForm
    intro = gettext_lazy(
        "Follow the pilot: the company reports progress and you record milestones on the "
        "pilot page. Close execution when the pilot period ends."
    )

    def perform(self, form):
        services.pilot_close_execution(
            process=self.process, by=self.request.user, summary=form.cleaned_data["summary"]
        )


class EvaluateView(TaskFormView):
    form_class = forms.EvaluationForm
    party = ""
    intro = gettext_lazy(
        "Evaluate the pilot with the city's common model: score each aspect from 1 (poor) "
        "to 5 (excellent) and record what was measured and learned."
    )

    def perform(self, form):
        values = {field: form.cleaned_data[field] for field in forms.EvaluationForm.Meta.fields}
        services.pilot_evaluate(
            process=self.process, by=self.request.user, party=self.party, values=values
        )


class EvaluateDivisionView(EvaluateView):
    party = Evaluation.Party.DIVISION


class EvaluateCompanyView(EvaluateView):
    party = Evaluation.Party.COMPANY


class DecideScalingView(TaskFormView):
    form_class = forms.ScalingDecisionForm
    intro = gettext_lazy(
        "Decide what happens to the solution, give the rationale, and whether the company "
        "gets the reference."
    )

    def perform(self, form):
        values = {
            field: form.cleaned_data[field] for field in forms.ScalingDecisionForm.Meta.fields
        }
        services.pilot_decide_scaling(process=self.process, by=self.request.user, values=values)


class PilotAssignTaskView(AssignTaskView):
    """Claim a task; the confirmation page shows which pilot it is about."""

    template_name = "workflows/task_assign.html"

    def get_success_url(self):
        activation = self.request.activation
        return activation.flow_task.reverse(
            "execute", args=[activation.process.pk, activation.task.pk]
        )


class AssignedTaskOnlyMixin:
    """Unassigning and handing over are for an assigned task: for any other the page answers
    403, as the action itself would (not a form for something that cannot be done)."""

    def dispatch(self, request, *args, **kwargs):
        if request.activation.task.status != STATUS.ASSIGNED:
            raise PermissionDenied(_("This task is not assigned to anyone."))
        return super().dispatch(request, *args, **kwargs)


class PilotReassignTaskView(AssignedTaskOnlyMixin, generic.FormView):
    """Hand an assigned task over to a colleague who may take it; they are told of it."""

    template_name = "workflows/task_reassign.html"
    form_class = forms.HandOverForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["candidates"] = services.task_hand_over_candidates(task=self.request.activation.task)
        return kwargs

    def form_valid(self, form):
        try:
            services.task_hand_over(
                activation=self.request.activation,
                to=form.cleaned_data["to"],
                by=self.request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
            return self.form_invalid(form)
        activation = self.request.activation
        messages.success(
            self.request,
            _("%(task)s was handed over to %(user)s.")
            % {
                "task": activation.flow_task.task_title,
                "user": activation.task.owner.get_full_name()
                or activation.task.owner.get_username(),
            },
        )
        return redirect(activation.process.pilot.get_absolute_url())


class PilotTaskDetailView(generic.View):
    """A task's page is its pilot's page: the tasks open and done are listed there."""

    def get(self, request, *args, **kwargs):
        return redirect(request.activation.process.pilot.get_absolute_url())


class PilotUnassignTaskView(AssignedTaskOnlyMixin, UnassignTaskView):
    template_name = "workflows/task_unassign.html"

    def get_success_url(self):
        return self.request.activation.process.pilot.get_absolute_url()
