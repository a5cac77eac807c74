"""Reads of the contracts app. Contracts are seen only through the pilots a user sees."""

from django.db.models import Prefetch, QuerySet

from cases.selectors import pilots_visible_to

from .models import Contract, ContractTemplate, ContractTemplateVersion

Status = ContractTemplateVersion.Status


def may_manage_templates(user) -> bool:
    return user.is_authenticated and user.is_active and user.has_perm("cases.act_as_legal")


def contracts_visible_to(user) -> QuerySet[Contract]:
    """The contracts of the pilots the user may see (cases.selectors.pilots_visible_to)."""
    return Contract.objects.filter(pilot__in=pilots_visible_to(user))


def templates_with_versions() -> QuerySet[ContractTemplate]:
    return ContractTemplate.objects.select_related("kind").prefetch_related(
        Prefetch(
            "versions",
            queryset=ContractTemplateVersion.objects.select_related(
                "created_by", "published_by", "retired_by"
            ).order_by("language", "-number"),
        )
    )


def published_versions(*, for_pilot_contract: bool = True) -> QuerySet[ContractTemplateVersion]:
    """The versions legal staff may pick for a pilot's contract."""
    versions = ContractTemplateVersion.objects.filter(status=Status.PUBLISHED).select_related(
        "template__kind"
    )
    if for_pilot_contract:
        versions = versions.filter(template__kind__for_pilot_contract=True)
    return versions.order_by("template__kind__name", "template__name", "language")


def published_version(*, kind_code: str, language: str) -> ContractTemplateVersion | None:
    """The published version of a kind in a language (the first template's, by name)."""
    return (
        published_versions(for_pilot_contract=False)
        .filter(template__kind__code=kind_code, language=language)
        .order_by("template__name")
        .first()
    )


def template_history(template: ContractTemplate) -> list:
    """The audit records of a template and its versions, newest first."""
    records = list(
        ContractTemplate.history.filter(id=template.pk).select_related("history_user")
    ) + list(
        ContractTemplateVersion.history.filter(template_id=template.pk).select_related(
            "history_user"
        )
    )
    records.sort(key=lambda record: (record.history_date, record.history_id), reverse=True)
    return records


def contract_of(pilot) -> Contract | None:
    """The pilot's contract with its template version, signers and acceptors; the caller has
    already checked that the user sees the pilot."""
    return (
        Contract.objects.filter(pilot=pilot)
        .select_related(
            "template_version__template",
            "accepted_by",
            "signed_by",
            "issued_by",
            "division_signatory",
        )
        .first()
    )
