"""Pages of the case domain: home, pilot list and page, portal, proposals, sign-up."""

import uuid

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contracts import selectors as contract_selectors
from contracts.documents import DOCX_CONTENT_TYPE, PDF_CONTENT_TYPE
from workflows import selectors as task_selectors
from workflows import services as flow_services
from workflows.views import apply_errors

from . import forms, selectors, services
from .models import CompanyMembership, Pilot
from .timeline import merged_timeline


def home(request):
    """Each role's home: the inbox for staff, the portal for companies."""
    role = selectors.user_role(request.user)
    if role == "company":
        return redirect("cases:portal")
    if role == "manager":
        return redirect("cases:pilot_list")
    return redirect("pilot:inbox")


def _visible_pilot(request, reference: str) -> Pilot:
    return get_object_or_404(
        selectors.pilots_visible_to(request.user).select_related(
            "company", "division", "theme", "division_contact", "submitted_by"
        ),
        reference=reference,
    )


def pilot_list(request):
    pilots = selectors.pilots_visible_to(request.user).select_related(
        "company", "division", "theme"
    )
    filters = forms.PilotFilterForm(request.GET or None)
    if filters.is_valid():
        data = filters.cleaned_data
        if data["q"]:
            pilots = pilots.filter(
                Q(reference__icontains=data["q"])
                | Q(title__icontains=data["q"])
                | Q(company__name__icontains=data["q"])
            )
        if data["stage"]:
            pilots = pilots.filter(stage=data["stage"])
        if data["theme"]:
            pilots = pilots.filter(theme=data["theme"])
        if data["division"]:
            pilots = pilots.filter(division=data["division"])
    page = Paginator(pilots.order_by("-created"), 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cases/pilot_list.html",
        {"page": page, "filters": filters, "query": query.urlencode()},
    )


def pilot_detail(request, reference):
    pilot = _visible_pilot(request, reference)
    user = request.user
    internal = selectors.is_staff_viewer(user, pilot)
    open_tasks = list(task_selectors.open_tasks_of(pilot))
    for task in open_tasks:
        task.can_assign = task.flow_task.can_assign(user, task)
        task.can_execute = task.flow_task.can_execute(user, task)
        task.can_unassign = task.flow_task.can_unassign(user, task)
        args = [task.process_id, task.pk]
        task.execute_url = task.flow_task.reverse("execute", args=args)
        task.assign_url = task.flow_task.reverse("assign", args=args)
        task.reassign_url = task.flow_task.reverse("reassign", args=args)
    context = {
        "pilot": pilot,
        "internal": internal,
        "stages": pilot_stages(pilot),
        "today": timezone.localdate(),
        "open_tasks": open_tasks
        if internal
        else [t for t in open_tasks if t.can_assign or t.can_execute],
        "timeline": merged_timeline(pilot, internal=internal),
        "attachments": selectors.attachments_for(pilot, internal=internal),
        "contract": contract_selectors.contract_of(pilot),
        "evaluations": list(pilot.evaluations.select_related("author")),
        "scaling_decision": getattr(pilot, "scaling_decision", None),
        "progress_reports": list(pilot.progress_reports.select_related("author")),
        "can_withdraw": selectors.can_withdraw(user, pilot),
        "can_cancel": selectors.can_cancel(user, pilot),
        "can_add_note": selectors.can_add_note(user, pilot),
        "can_record_milestone": selectors.can_record_milestone(user, pilot),
        "can_report_progress": selectors.can_report_progress(user, pilot),
        "can_upload": selectors.can_upload_attachment(user, pilot),
        "note_form": forms.NoteForm(),
        "milestone_form": forms.MilestoneForm(),
        "report_form": forms.ProgressReportForm(),
        "attachment_form": forms.AttachmentForm(),
        "reason_form": forms.ReasonForm(),
        "optional_reason_form": forms.OptionalReasonForm(),
    }
    return render(request, "cases/pilot_detail.html", context)


def pilot_stages(pilot: Pilot) -> list[dict]:
    from .models import Stage

    current = pilot.stage_index
    return [
        {
            "label": label,
            "value": value,
            "state": "done" if i < current else ("current" if i == current else "todo"),
        }
        for i, (value, label) in enumerate(Stage.choices)
    ]


def _pilot_action(request, reference, form_class, action, success_message):
    """Run one action on a visible pilot from a posted form; 403 when not allowed."""
    pilot = _visible_pilot(request, reference)
    form = form_class(request.POST, request.FILES)
    if form.is_valid():
        try:
            action(pilot, form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, success_message)
            return redirect(pilot.get_absolute_url())
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(
                request,
                _("%(field)s: %(error)s") % {"field": label, "error": error} if label else error,
            )
    return redirect(pilot.get_absolute_url())


@require_POST
def pilot_withdraw(request, reference):
    return _pilot_action(
        request,
        reference,
        forms.OptionalReasonForm,
        lambda pilot, data: flow_services.pilot_withdraw(
            pilot=pilot, by=request.user, reason=data["reason"]
        ),
        _("The pilot was withdrawn."),
    )


@require_POST
def pilot_cancel(request, reference):
    return _pilot_action(
        request,
        reference,
        forms.ReasonForm,
        lambda pilot, data: flow_services.pilot_cancel(
            pilot=pilot, by=request.user, reason=data["reason"]
        ),
        _("The pilot was cancelled."),
    )


@require_POST
def pilot_note(request, reference):
    return _pilot_action(
        request,
        reference,
        forms.NoteForm,
        lambda pilot, data: services.pilot_note_add(pilot=pilot, by=request.user, **data),
        _("The note was added."),
    )


@require_POST
def pilot_milestone(request, reference):
    return _pilot_action(
        request,
        reference,
        forms.MilestoneForm,
        lambda pilot, data: services.pilot_milestone_record(pilot=pilot, by=request.user, **data),
        _("The milestone was recorded."),
    )


@require_POST
def pilot_progress_report(request, reference):
    return _pilot_action(
        request,
        reference,
        forms.ProgressReportForm,
        lambda pilot, data: services.progress_report_submit(pilot=pilot, by=request.user, **data),
        _("The progress report was submitted."),
    )


@require_POST
def pilot_attachment_upload(request, reference):
    return _pilot_action(
        request,
        reference,
        forms.AttachmentForm,
        lambda pilot, data: services.attachment_add(
            pilot=pilot,
            by=request.user,
            uploaded=data["file"],
            description=data["description"],
            visible_to_company=data["visible_to_company"],
        ),
        _("The file was added."),
    )


def attachment_download(request, reference, pk):
    pilot = _visible_pilot(request, reference)
    internal = selectors.is_staff_viewer(request.user, pilot)
    attachment = get_object_or_404(selectors.attachments_for(pilot, internal=internal), pk=pk)
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )


def _contract_of(request, reference):
    pilot = _visible_pilot(request, reference)
    contract = getattr(pilot, "contract", None)
    if contract is None:
        raise Http404(_("This pilot has no contract yet."))
    return pilot, contract


def contract_download(request, reference):
    """The contract document (.docx), for whoever sees the pilot; 404 for anyone else."""
    pilot, contract = _contract_of(request, reference)
    name = contract.document_name or f"{pilot.reference}-contract.docx"
    return FileResponse(
        contract.document.open("rb"),
        as_attachment=True,
        filename=get_valid_filename(name),
        content_type=DOCX_CONTENT_TYPE if name.endswith(".docx") else None,
    )


def contract_pdf_download(request, reference):
    """The PDF copy of the contract document, where LibreOffice made one."""
    _pilot, contract = _contract_of(request, reference)
    if not contract.document_pdf:
        raise Http404(_("This contract has no PDF copy."))
    name = contract.document_name.removesuffix(".docx") + ".pdf"
    return FileResponse(
        contract.document_pdf.open("rb"),
        as_attachment=True,
        filename=get_valid_filename(name),
        content_type=PDF_CONTENT_TYPE,
    )


def proposal_new(request):
    """A new proposal: a company user for their company, an agent on a company's behalf."""
    user = request.user
    is_agent = user.has_perm("cases.act_as_agent")
    companies = selectors.companies_of(user)
    if not is_agent and not companies.exists():
        raise PermissionDenied(_("Only company users and innovation agents submit proposals."))
    form_class = forms.StaffProposalForm if is_agent else forms.ProposalForm
    company_choice = None
    if not is_agent:
        company_choice = (
            companies.filter(pk=request.POST.get("company") or request.GET.get("company")).first()
            or companies.first()
        )
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            company = form.cleaned_data["company"] if is_agent else company_choice
            try:
                pilot = flow_services.pilot_submit(
                    company=company,
                    by=user,
                    proposal=form.proposal(),
                    submission_token=request.POST.get("submission_token") or None,
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Proposal %(reference)s was submitted.") % {"reference": pilot.reference},
                )
                return redirect(pilot.get_absolute_url())
        token = request.POST.get("submission_token")
    else:
        form = form_class(
            initial={"contact_email": user.email, "contact_name": user.get_full_name()}
        )
        token = None
    return render(
        request,
        "cases/proposal_form.html",
        {
            "form": form,
            "company": company_choice,
            "companies": companies,
            "submission_token": token or uuid.uuid4(),
        },
    )


def portal(request):
    user = request.user
    companies = selectors.companies_of(user)
    pilots = (
        selectors.pilots_visible_to(user)
        .filter(company__in=companies)
        .select_related("company", "division", "theme")
        .order_by("-created")
    )
    tasks = task_selectors.company_open_tasks(user, companies)
    memberships = CompanyMembership.objects.filter(user=user).select_related("company")
    contracts = (
        contract_selectors.contracts_visible_to(user)
        .filter(pilot__company__in=companies)
        .select_related("pilot", "template_version__template")
        .order_by("-issued")
    )
    return render(
        request,
        "cases/portal.html",
        {
            "companies": companies,
            "pilots": pilots,
            "contracts": contracts,
            "tasks": tasks,
            "memberships": memberships,
            "pending_requests": selectors.pending_memberships_for(user),
        },
    )


@require_POST
def membership_decide(request, pk):
    membership = get_object_or_404(selectors.pending_memberships_for(request.user), pk=pk)
    if request.POST.get("decision") == "approve":
        services.membership_approve(membership=membership, by=request.user)
        messages.success(request, _("%(user)s is now a member.") % {"user": membership.user})
    else:
        services.membership_decline(membership=membership, by=request.user)
        messages.success(request, _("The request was declined."))
    return redirect(request.POST.get("next") or "cases:portal")


@login_not_required
def signup(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = forms.SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.company_signup(**form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
            if membership.status == CompanyMembership.Status.ACTIVE:
                messages.success(request, _("Welcome! Your company's account is ready."))
            else:
                messages.info(
                    request,
                    _(
                        "%(company)s already has an account. A member of the company or an "
                        "innovation agent will approve your request."
                    )
                    % {"company": membership.company.name},
                )
            return redirect("cases:portal")
    return render(request, "cases/signup.html", {"form": form})
