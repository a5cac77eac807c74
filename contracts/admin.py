from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Contract


@admin.register(Contract)
class ContractAdmin(SimpleHistoryAdmin):
    list_display = ("pilot", "issued", "accepted", "signed")
    list_select_related = ("pilot",)
    raw_id_fields = ("pilot", "division_signatory", "issued_by", "accepted_by", "signed_by")
