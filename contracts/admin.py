from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Contract, ContractKind, ContractTemplate, ContractTemplateVersion


@admin.register(Contract)
class ContractAdmin(SimpleHistoryAdmin):
    list_display = ("pilot", "template_version", "revision", "issued", "accepted", "signed")
    list_select_related = ("pilot", "template_version__template")
    raw_id_fields = (
        "pilot",
        "template_version",
        "division_signatory",
        "issued_by",
        "accepted_by",
        "signed_by",
    )


@admin.register(ContractKind)
class ContractKindAdmin(SimpleHistoryAdmin):
    list_display = ("name", "code", "for_pilot_contract", "compensation")


@admin.register(ContractTemplate)
class ContractTemplateAdmin(SimpleHistoryAdmin):
    list_display = ("name", "kind", "created")
    list_select_related = ("kind",)


@admin.register(ContractTemplateVersion)
class ContractTemplateVersionAdmin(SimpleHistoryAdmin):
    """Read-only: versions are uploaded, published and retired on the contract template pages,
    where they are checked, and a published version never changes."""

    list_display = ("template", "language", "number", "status", "is_example", "published")
    list_filter = ("status", "language", "is_example")
    list_select_related = ("template",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
