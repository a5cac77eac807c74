from django.contrib import admin
from guardian.admin import GuardedModelAdmin
from modeltranslation.admin import TranslationAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Attachment,
    Company,
    CompanyMembership,
    Division,
    Evaluation,
    Pilot,
    PlatformTheme,
    ProgressReport,
    Reference,
    ScalingDecision,
    TimelineEntry,
)


@admin.register(Division)
class DivisionAdmin(TranslationAdmin, GuardedModelAdmin, SimpleHistoryAdmin):
    # The name and description in English, Finnish and Swedish (cases/translation.py).
    list_display = ("name", "code")
    search_fields = ("name_en", "name_fi", "name_sv", "code")


@admin.register(PlatformTheme)
class PlatformThemeAdmin(TranslationAdmin):
    list_display = ("name", "code")


class MembershipInline(admin.TabularInline):
    model = CompanyMembership
    extra = 0
    raw_id_fields = ("user", "decided_by")


@admin.register(Company)
class CompanyAdmin(GuardedModelAdmin, SimpleHistoryAdmin):
    list_display = ("name", "business_id", "created")
    search_fields = ("name", "business_id")
    inlines = [MembershipInline]


@admin.register(Pilot)
class PilotAdmin(SimpleHistoryAdmin):
    list_display = ("reference", "title", "company", "division", "theme", "stage", "outcome")
    list_filter = ("stage", "outcome", "theme", "division")
    search_fields = ("reference", "title", "company__name")
    list_select_related = ("company", "division", "theme")
    raw_id_fields = ("company", "division_contact", "submitted_by")
    readonly_fields = ("reference", "stage", "outcome", "contracting_started", "closed")


for model in (TimelineEntry, ProgressReport, Evaluation, ScalingDecision, Attachment):
    admin.site.register(model, SimpleHistoryAdmin)


@admin.register(Reference)
class ReferenceAdmin(SimpleHistoryAdmin):
    """References are issued by a scaling decision and revoked by an agent with a reason, in
    the application (insight.services): here they are read, searched and their history seen."""

    list_display = ("pilot", "issued", "issued_by", "revoked")
    list_filter = ("issued", "revoked")
    search_fields = ("pilot__reference", "pilot__title", "pilot__company__name", "code")
    list_select_related = ("pilot", "issued_by")
    fields = (
        "pilot",
        "code",
        "issued",
        "issued_by",
        "revoked",
        "revoked_by",
        "revocation_reason",
    )
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
