"""Pages of legal staff for the standard contract templates: list, create, edit, upload a
version, preview it filled with sample data, publish, retire. Everyone else gets 403.

A pilot's contract document is downloaded from the pilot's page (cases.views), through the
visibility rule of pilots.
"""

import functools
import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from workflows.views import apply_errors

from . import documents, forms, selectors, services, variables
from .models import ContractTemplate, ContractTemplateVersion, Language


def legal_only(view):
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not selectors.may_manage_templates(request.user):
            raise PermissionDenied(_("Only legal staff manage contract templates."))
        return view(request, *args, **kwargs)

    return wrapper


def _error_messages(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@legal_only
def template_list(request):
    templates = list(selectors.templates_with_versions())
    for template in templates:
        versions = list(template.versions.all())
        template.published_versions = [
            v for v in versions if v.status == ContractTemplateVersion.Status.PUBLISHED
        ]
        template.draft_count = sum(
            v.status == ContractTemplateVersion.Status.DRAFT for v in versions
        )
    return render(request, "contracts/template_list.html", {"templates": templates})


@legal_only
def kind_create(request):
    form = forms.KindForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            kind = services.kind_create(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The kind %(kind)s was added.") % {"kind": kind.name})
            return redirect("contracts:template_list")
    return render(request, "contracts/kind_form.html", {"form": form})


@legal_only
def template_create(request):
    form = forms.TemplateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            template = services.template_create(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("The template %(template)s was created. Upload its first version.")
                % {"template": template.name},
            )
            return redirect("contracts:version_upload", template.pk)
    return render(request, "contracts/template_form.html", {"form": form, "template": None})


@legal_only
def template_edit(request, pk):
    template = get_object_or_404(ContractTemplate, pk=pk)
    form = forms.TemplateForm(request.POST or None, instance=template)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        template.refresh_from_db()  # the form changed the instance; the service saves it
        try:
            services.template_update(template=template, by=request.user, **data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The template was saved."))
            return redirect(template.get_absolute_url())
    return render(request, "contracts/template_form.html", {"form": form, "template": template})


@legal_only
def template_detail(request, pk):
    template = get_object_or_404(selectors.templates_with_versions(), pk=pk)
    versions = list(template.versions.all())
    by_language = [
        (label, [v for v in versions if v.language == code]) for code, label in Language.choices
    ]
    return render(
        request,
        "contracts/template_detail.html",
        {
            "template": template,
            "by_language": by_language,
            "history": selectors.template_history(template),
        },
    )


@legal_only
def version_upload(request, pk):
    template = get_object_or_404(ContractTemplate, pk=pk)
    form = forms.VersionUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.version_upload(
                template=template,
                by=request.user,
                language=form.cleaned_data["language"],
                uploaded=form.cleaned_data["file"],
                notes=form.cleaned_data["notes"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("%(version)s was saved as a draft. Check the preview, then publish it.")
                % {"version": version.label},
            )
            return redirect("contracts:version_preview", version.pk)
    return render(
        request,
        "contracts/version_form.html",
        {"form": form, "template": template, "variables": variables.documented()},
    )


def _version(pk) -> ContractTemplateVersion:
    return get_object_or_404(ContractTemplateVersion.objects.select_related("template"), pk=pk)


@legal_only
def version_download(request, pk):
    """The template itself, as uploaded."""
    version = _version(pk)
    name = f"{version.template.name}-{version.language}-v{version.number}.docx"
    return FileResponse(
        version.file.open("rb"),
        as_attachment=True,
        filename=get_valid_filename(name),
        content_type=documents.DOCX_CONTENT_TYPE,
    )


@legal_only
def version_preview(request, pk):
    """The version filled with sample data: its text on the page, the .docx to download."""
    version = _version(pk)
    try:
        lines = documents.document_text(services.version_preview(version))
        problem = ""
    except ValidationError as error:
        lines, problem = [], " ".join(error.messages)
    return render(
        request,
        "contracts/version_preview.html",
        {"version": version, "template": version.template, "lines": lines, "problem": problem},
    )


@legal_only
def version_preview_download(request, pk):
    version = _version(pk)
    try:
        data = services.version_preview(version)
    except ValidationError as error:
        _error_messages(request, error)
        return redirect("contracts:version_preview", version.pk)
    name = f"{version.template.name}-{version.language}-v{version.number}-preview.docx"
    return FileResponse(
        io.BytesIO(data),
        as_attachment=True,
        filename=get_valid_filename(name),
        content_type=documents.DOCX_CONTENT_TYPE,
    )


@legal_only
@require_POST
def version_publish(request, pk):
    version = _version(pk)
    try:
        services.version_publish(version=version, by=request.user)
    except ValidationError as error:
        _error_messages(request, error)
    else:
        messages.success(request, _("%(version)s is published.") % {"version": version.label})
    return redirect(version.template.get_absolute_url())


@legal_only
@require_POST
def version_retire(request, pk):
    version = _version(pk)
    try:
        services.version_retire(version=version, by=request.user)
    except ValidationError as error:
        _error_messages(request, error)
    else:
        messages.success(request, _("%(version)s is retired.") % {"version": version.label})
    return redirect(version.template.get_absolute_url())
