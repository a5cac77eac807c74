"""Writes of the contracts app: kinds, templates and their versions, generated contracts.

Only legal staff (`cases.act_as_legal`) create, edit, publish or retire templates. A version
is checked when it is uploaded (contracts.documents.template_check) and never changes once
published: publishing retires the version it replaces, and pilots keep the version they used.
"""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import get_valid_filename, slugify
from django.utils.translation import gettext as _

from cases.models import Pilot
from cases.services import save_with_history, timeline_add

from . import documents, variables
from .models import Contract, ContractKind, ContractTemplate, ContractTemplateVersion

logger = logging.getLogger(__name__)

Status = ContractTemplateVersion.Status


def _require_legal(user) -> None:
    if not (user.is_active and user.has_perm("cases.act_as_legal")):
        raise PermissionDenied(_("Only legal staff manage contract templates."))


# -- kinds and templates --------------------------------------------------------------------


@transaction.atomic
def kind_create(
    *,
    by,
    name: str,
    description: str = "",
    for_pilot_contract: bool = False,
    compensation: str = ContractKind.Compensation.ANY,
) -> ContractKind:
    _require_legal(by)
    base = slugify(name)[:50] or "kind"
    code, n = base, 1
    while ContractKind.objects.filter(code=code).exists():
        n += 1
        code = f"{base}-{n}"
    kind = ContractKind(
        code=code,
        name=name,
        description=description,
        for_pilot_contract=for_pilot_contract,
        compensation=compensation,
    )
    save_with_history(kind, by=by)
    return kind


@transaction.atomic
def template_create(
    *, by, name: str, kind: ContractKind, description: str = ""
) -> ContractTemplate:
    _require_legal(by)
    template = ContractTemplate(name=name, kind=kind, description=description, created_by=by)
    save_with_history(template, by=by)
    return template


@transaction.atomic
def template_update(
    *, template: ContractTemplate, by, name: str, kind: ContractKind, description: str = ""
) -> ContractTemplate:
    """Rename a template, change its kind or description; its versions stay as they are."""
    _require_legal(by)
    template.name = name
    template.kind = kind
    template.description = description
    save_with_history(template, by=by)
    return template


# -- versions -------------------------------------------------------------------------------


@transaction.atomic
def version_upload(
    *, template: ContractTemplate, by, language: str, uploaded, notes: str = ""
) -> ContractTemplateVersion:
    """Check the uploaded .docx and store it as the next draft version of `template` in
    `language`. A rejected upload saves nothing."""
    _require_legal(by)
    if uploaded.size > settings.KOKEILU_ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            {
                "file": _("The file is larger than %(limit)s MB.")
                % {"limit": settings.KOKEILU_ATTACHMENT_MAX_BYTES // (1024 * 1024)}
            }
        )
    uploaded.seek(0)
    data = uploaded.read()
    documents.template_check(data, language=language)
    # Lock the template so that two uploads at once do not take the same number.
    template = ContractTemplate.objects.select_for_update().get(pk=template.pk)
    last = template.versions.filter(language=language).aggregate(last=Max("number"))["last"]
    version = ContractTemplateVersion(
        template=template,
        language=language,
        number=(last or 0) + 1,
        original_name=(uploaded.name or "template.docx")[:255],
        sha256=documents.sha256_of(data),
        notes=notes,
        created_by=by,
    )
    version.file.save(
        f"{template.pk}-{language}-v{version.number}.docx", ContentFile(data), save=False
    )
    try:
        save_with_history(version, by=by)
    except Exception:
        version.file.delete(save=False)
        raise
    return version


def version_data(version: ContractTemplateVersion) -> bytes:
    """The version's document, verified against the SHA-256 recorded at upload."""
    data = documents.read_file(version.file)
    if documents.sha256_of(data) != version.sha256:
        raise ValidationError(
            _("The stored file of %(version)s has changed since it was uploaded; upload it again.")
            % {"version": version.label}
        )
    return data


@transaction.atomic
def version_publish(*, version: ContractTemplateVersion, by) -> ContractTemplateVersion:
    """Publish a draft. The published version of the same template and language, if any, is
    retired: pilots that used it keep it."""
    _require_legal(by)
    version = ContractTemplateVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != Status.DRAFT:
        raise ValidationError(_("Only a draft can be published."))
    version_data(version)
    now = timezone.now()
    for previous in ContractTemplateVersion.objects.select_for_update().filter(
        template=version.template_id, language=version.language, status=Status.PUBLISHED
    ):
        previous.status = Status.RETIRED
        previous.retired = now
        previous.retired_by = by
        save_with_history(previous, by=by)
    version.status = Status.PUBLISHED
    version.published = now
    version.published_by = by
    save_with_history(version, by=by)
    return version


@transaction.atomic
def version_retire(*, version: ContractTemplateVersion, by) -> ContractTemplateVersion:
    """Retire a published version (no new contracts use it) or discard a draft."""
    _require_legal(by)
    version = ContractTemplateVersion.objects.select_for_update().get(pk=version.pk)
    if version.status == Status.RETIRED:
        raise ValidationError(_("The version is already retired."))
    version.status = Status.RETIRED
    version.retired = timezone.now()
    version.retired_by = by
    save_with_history(version, by=by)
    return version


def version_preview(version: ContractTemplateVersion) -> bytes:
    """The version filled with sample data, as .docx bytes."""
    return documents.render(
        version_data(version),
        variables.sample_context(
            version.language, template=version.template.name, number=version.number
        ),
    )


# -- contracts ------------------------------------------------------------------------------


def _check_version(version: ContractTemplateVersion, compensation) -> None:
    if version.status != Status.PUBLISHED:
        raise ValidationError(
            {"template_version": _("Choose a published version of a contract template.")}
        )
    kind = version.template.kind
    if not kind.for_pilot_contract:
        raise ValidationError(
            {"template_version": _("Templates of this kind are not used as a pilot's contract.")}
        )
    if kind.compensation == ContractKind.Compensation.NONE and compensation:
        raise ValidationError(
            {
                "compensation": _(
                    "The template is for pilots without compensation: choose another template "
                    "or set the compensation to 0."
                )
            }
        )
    if kind.compensation == ContractKind.Compensation.REQUIRED and not compensation:
        raise ValidationError(
            {
                "compensation": _(
                    "The template is for pilots with compensation: give the compensation or "
                    "choose another template."
                )
            }
        )


@transaction.atomic
def contract_generate(
    *, pilot: Pilot, by, version: ContractTemplateVersion, terms: dict
) -> Contract:
    """Fill the terms, generate the contract document from `version` and store it with its
    SHA-256. Generating it again voids the company's acceptance of the earlier document.

    One transaction (a savepoint in the prepare_contract task's). Where LibreOffice is
    installed, a PDF copy is made in the background after commit.
    """
    if not (by.is_active and by.has_perm("cases.act_as_legal")):
        raise PermissionDenied(_("Only legal staff issue contracts."))
    # As it is now: it may have been retired since the form was shown.
    version = ContractTemplateVersion.objects.select_related("template__kind").get(pk=version.pk)
    contract = Contract.objects.select_for_update().filter(pilot=pilot).first() or Contract(
        pilot=pilot
    )
    if contract.signed is not None:
        raise ValidationError(_("The contract is signed; it can no longer be generated again."))
    was_accepted = contract.accepted is not None
    for field, value in terms.items():
        setattr(contract, field, value)
    _check_version(version, contract.compensation)
    start, end = contract.period_start, contract.period_end
    if start and end and end < start:
        raise ValidationError({"period_end": _("The contract must not end before it starts.")})
    contract.template_version = version
    contract.revision += 1
    issued = timezone.now()
    try:
        data = documents.render(
            version_data(version),
            variables.contract_context(
                contract, version=version, issued=timezone.localdate(issued)
            ),
        )
    except ValidationError:
        raise
    except Exception as error:
        logger.exception("Contract template %s could not be filled", version.pk)
        raise ValidationError(
            {
                "template_version": _("The template could not be filled: %(detail)s")
                % {"detail": error}
            }
        ) from error

    contract.document_name = get_valid_filename(
        f"{pilot.reference}-contract-{contract.revision}.docx"
    )
    contract.document.save(contract.document_name, ContentFile(data), save=False)
    contract.document_sha256 = documents.sha256_of(data)
    contract.document_pdf = ""
    contract.issued_by = by
    contract.issued = issued
    contract.change_request = ""
    contract.accepted_by = None
    contract.accepted = None
    contract.accepted_sha256 = ""
    try:
        save_with_history(contract, by=by)
    except Exception:
        contract.document.delete(save=False)
        raise

    if was_accepted:
        timeline_add(
            pilot=pilot,
            by=by,
            visible_to_company=True,
            text=_(
                "The contract document was generated again: the company's earlier acceptance "
                "is void."
            ),
        )
    timeline_add(
        pilot=pilot,
        by=by,
        visible_to_company=True,
        text=_(
            "Contract document %(revision)s was generated from %(template)s, version "
            "%(number)s (%(language)s), and issued for the company's acceptance "
            "(SHA-256 %(sha)s)."
        )
        % {
            "revision": contract.revision,
            "template": version.template.name,
            "number": version.number,
            "language": version.language,
            "sha": contract.document_sha256,
        },
    )
    if documents.pdf_available():
        from .tasks import contract_render_pdf

        contract_id, sha = contract.pk, contract.document_sha256
        transaction.on_commit(lambda: contract_render_pdf.delay(contract_id, sha))
    return contract


def contract_document_verify(contract: Contract) -> None:
    """Refuse to bind an acceptance or a signature to a document that is not the one issued."""
    data = documents.read_file(contract.document)
    if documents.sha256_of(data) != contract.document_sha256:
        raise ValidationError(
            _("The stored contract document differs from the one issued; ask legal staff.")
        )


def contract_render_pdf(*, contract_id: int, sha256: str) -> Contract | None:
    """Store a PDF copy of the contract document, unless the document changed meanwhile or
    LibreOffice is missing. Idempotent: a contract that has its PDF is left alone."""
    contract = Contract.objects.filter(pk=contract_id).first()
    if contract is None or contract.document_sha256 != sha256 or contract.document_pdf:
        return None
    pdf = documents.docx_to_pdf(documents.read_file(contract.document))
    if pdf is None:
        return None
    with transaction.atomic():
        contract = Contract.objects.select_for_update().get(pk=contract_id)
        if contract.document_sha256 != sha256 or contract.document_pdf:
            return None
        name = contract.document_name.removesuffix(".docx") + ".pdf"
        contract.document_pdf.save(name, ContentFile(pdf), save=False)
        save_with_history(contract, by=None, update_fields=["document_pdf"])
    return contract
