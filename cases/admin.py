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
