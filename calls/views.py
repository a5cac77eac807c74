"""Pages of innovation calls and the task views of CallFlow: parse input, call one service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import generic
from django.views.decorators.http import require_GET
from viewflow.workflow.flow.views import AssignTaskView, UnassignTaskView

from cases.selectors import companies_of
from workflows.views import ServiceTaskFormView, apply_errors

from . import forms, selectors, services
from .models import Application, Call, ReviewAssignment


def _call_for(user, pk) -> Call:
    return get_object_or_404(
        selectors.calls_visible_to(user).select_related("theme", "division"), pk=pk
    )


# -- public pages ----------------------------------------------------------------------------


@login_not_required
@require_GET
def call_list(request):
    calls = list(selectors.calls_public())
    drafts = (
        selectors.calls_managed_by(request.user).filter(status=Call.Status.DRAFT)
        if request.user.is_authenticated
        else Call.objects.none()
    )
    return render(
        request,
        "calls/call_list.html",
        {
            "open_calls": [c for c in calls if c.group == 0],
            "upcoming_calls": [c for c in calls if c.group == 1],
            "closed_calls": [c for c in calls if c.group == 2],
            "drafts": drafts,
            "can_prepare": request.user.is_authenticated
            and selectors.can_prepare_calls(request.user),
        },
    )


@login_not_required
@require_GET
def call_detail(request, pk):
    call = _call_for(request.user, pk)
    user = request.user
    context = {"call": call, "criteria": call.criteria.all(), "is_open": call.is_open()}
    if user.is_authenticated:
        companies = companies_of(user)
        context["own_applications"] = Application.objects.filter(
            call=call, company__in=companies
        ).select_related("company")
        context["may_apply"] = companies.exists()
        context["manages"] = selectors.calls_managed_by(user).filter(pk=call.pk).exists()
    return render(request, "calls/call_detail.html", context)


# -- company pages ---------------------------------------------------------------------------


def application_edit(request, pk):
    """The company's application to a call: save a draft or submit, until the deadline."""
    call = _call_for(request.user, pk)
    companies = list(companies_of(request.user))
    if not companies:
        raise PermissionDenied(_("Only a company's users apply to calls."))
    company = companies[0]
    if len(companies) > 1:
        chosen = request.POST.get("company") or request.GET.get("company")
        company = next((c for c in companies if str(c.pk) == chosen), companies[0])
    application = Application.objects.filter(call=call, company=company).first()
    form = forms.ApplicationForm(request.POST or None, instance=application)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in services.APPLICATION_FIELDS}
        submit = "submit" in request.POST
        try:
            application = services.application_save(
                call=call, company=company, by=request.user, values=values, submit=submit
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            if submit:
                messages.success(request, _("Your application was submitted."))
            else:
                messages.success(request, _("Your application was saved."))
            return redirect("calls:application_detail", application.pk)
    return render(
        request,
        "calls/application_form.html",
        {
            "call": call,
            "company": company,
            "companies": companies,
            "form": form,
            "application": application,
            "is_open": call.is_open(),
        },
    )


@require_GET
def my_applications(request):
    return render(
        request,
        "calls/my_applications.html",
        {"applications": selectors.applications_of_company_users(request.user)},
    )


@require_GET
def application_detail(request, pk):
    application = get_object_or_404(selectors.applications_visible_to(request.user), pk=pk)
    user = request.user
    applicant = selectors.is_applicant(user, application)
    own_review = ReviewAssignment.objects.filter(application=application, reviewer=user).first()
    return render(
        request,
        "calls/application_detail.html",
        {
            "application": application,
            "call": application.call,
            "applicant": applicant,
            "notices": application.notices.all() if applicant else [],
            "own_review": own_review,
            "scores_visible": selectors.can_see_scores(user, application),
            "reviews": selectors.visible_scores(user, application),
            "editable": applicant and application.call.is_open(),
        },
    )


# -- staff pages -----------------------------------------------------------------------------


def call_create(request):
    if not selectors.can_prepare_calls(request.user):
        raise PermissionDenied(_("Only innovation agents prepare calls."))
    form = forms.CallForm(request.POST or None)
    criteria = forms.criteria_formset(request.POST or None)
    if request.method == "POST" and form.is_valid() and criteria.is_valid():
        try:
            call = services.call_create(
                by=request.user,
                values={name: form.cleaned_data[name] for name in services.CALL_FIELDS},
                criteria=forms.criteria_from(criteria),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request, _("The call was saved as a draft; publish it from your inbox.")
            )
            return redirect(call.get_absolute_url())
    return render(request, "calls/call_form.html", {"form": form, "criteria": criteria})


@require_GET
def call_ranking(request, pk):
    call = get_object_or_404(selectors.calls_managed_by(request.user), pk=pk)
    return render(
        request,
        "calls/call_ranking.html",
        {
            "call": call,
            "criteria": call.criteria.all(),
            "rows": selectors.ranking(call, request.user),
        },
    )


# -- task views of CallFlow ------------------------------------------------------------------


class CallTaskFormView(ServiceTaskFormView):
    template_name = "calls/task.html"

    @property
    def call(self):
        return self.process.call

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            call=self.call,
            task=self.activation.task,
            task_title=self.activation.flow_task.task_title,
            intro=self.intro,
        )
        return context

    def done_message(self) -> str:
        return _("%(task)s done for the call %(call)s.") % {
            "task": self.activation.flow_task.task_title,
            "call": self.call.title,
        }

    def get_success_url(self):
        return self.call.get_absolute_url()


class PublishView(CallTaskFormView):
    form_class = forms.CallForm
    template_name = "calls/task_publish.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.call
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("criteria", forms.criteria_formset(call=self.call, extra=1))
        return context

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        criteria = forms.criteria_formset(request.POST)
        if not (form.is_valid() and criteria.is_valid()):
            return self.render_to_response(self.get_context_data(form=form, criteria=criteria))
        try:
            with transaction.atomic():
                services.call_publish(
                    process=self.process,
                    by=request.user,
                    values={name: form.cleaned_data[name] for name in services.CALL_FIELDS},
                    criteria=forms.criteria_from(criteria),
                )
        except ValidationError as error:
            apply_errors(form, error)
            return self.render_to_response(self.get_context_data(form=form, criteria=criteria))
        self.activation.execute()
        messages.success(request, _("The call was published."))
        return redirect(self.call.get_absolute_url())


class AssignReviewersView(CallTaskFormView):
    form_class = forms.ReviewersForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["candidates"] = selectors.reviewer_candidates(self.call)
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["applications"] = self.call.applications.filter(
            status=Application.Status.SUBMITTED
        ).select_related("company")
        return context

    def perform(self, form):
        services.reviewers_assign(
            process=self.process, by=self.request.user, reviewers=form.cleaned_data["reviewers"]
        )


class ReviewView(CallTaskFormView):
    """Declare any conflict of interest first; without one, score every criterion."""

    template_name = "calls/task_review.html"

    @property
    def assignment(self):
        return get_object_or_404(
            ReviewAssignment.objects.select_related("application__company", "application__call"),
            pk=self.activation.task.data["assignment"],
        )

    def get_form_class(self):
        if self.assignment.status == ReviewAssignment.Status.PENDING:
            return forms.DeclarationForm
        return forms.ScoreForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.get_form_class() is forms.ScoreForm:
            kwargs["criteria"] = self.call.criteria.all()
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        assignment = self.assignment
        context.update(
            assignment=assignment,
            application=assignment.application,
            declaring=assignment.status == ReviewAssignment.Status.PENDING,
        )
        return context

    def form_valid(self, form):
        assignment = self.assignment
        if isinstance(form, forms.DeclarationForm):
            conflict = form.cleaned_data["conflict"]
            try:
                with transaction.atomic():
                    services.review_declare(
                        assignment=assignment,
                        by=self.request.user,
                        conflict=conflict,
                        note=form.cleaned_data["note"],
                    )
            except ValidationError as error:
                apply_errors(form, error)
                return self.form_invalid(form)
            if not conflict:
                return redirect(self.request.get_full_path())
            self.activation.execute()
            messages.success(
                self.request, _("Your conflict of interest was recorded; the review is closed.")
            )
            return redirect("home")
        return super().form_valid(form)

    def perform(self, form):
        services.review_score(
            assignment=self.assignment, by=self.request.user, scores=form.scores()
        )

    def get_success_url(self):
        return reverse("calls:application_detail", args=[self.assignment.application_id])


class ProposeSelectionView(CallTaskFormView):
    form_class = forms.ProposeSelectionForm
    template_name = "calls/task_selection.html"

    def eligible(self):
        return self.call.applications.filter(
            status__in=[Application.Status.SUBMITTED, Application.Status.PROPOSED]
        ).select_related("company")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["eligible"] = self.eligible()
        return kwargs

    def get_initial(self):
        return {"applications": self.eligible().filter(status=Application.Status.PROPOSED)}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            rows=selectors.ranking(self.call, self.request.user),
            criteria=self.call.criteria.all(),
            comment=self.process.approval_comment,
        )
        return context

    def perform(self, form):
        services.selection_propose(
            process=self.process,
            by=self.request.user,
            applications=form.cleaned_data["applications"],
        )


class ApproveSelectionView(ProposeSelectionView):
    form_class = forms.ApproveSelectionForm

    def get_form_kwargs(self):
        return super(ProposeSelectionView, self).get_form_kwargs()

    def get_initial(self):
        return {}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["proposed"] = self.call.applications.filter(
            status=Application.Status.PROPOSED
        ).select_related("company")
        context["comment"] = ""
        return context

    def perform(self, form):
        services.selection_decide(
            process=self.process,
            by=self.request.user,
            approve=form.cleaned_data["decision"],
            comment=form.cleaned_data["comment"],
        )


class CallAssignTaskView(AssignTaskView):
    template_name = "calls/task_assign.html"

    def get_success_url(self):
        activation = self.request.activation
        return activation.flow_task.reverse(
            "execute", args=[activation.process.pk, activation.task.pk]
        )


class CallUnassignTaskView(UnassignTaskView):
    template_name = "calls/task_unassign.html"

    def get_success_url(self):
        return self.request.activation.process.call.get_absolute_url()


class CallTaskDetailView(generic.View):
    def get(self, request, *args, **kwargs):
        return redirect(request.activation.process.call.get_absolute_url())
