from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Application, ApplicationNotice, Call, Criterion, ReviewAssignment


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0


@admin.register(Call)
class CallAdmin(SimpleHistoryAdmin):
    list_display = ["title", "division", "status", "opens_at", "closes_at"]
    list_filter = ["status", "division"]
    inlines = [CriterionInline]


@admin.register(Application)
class ApplicationAdmin(SimpleHistoryAdmin):
    list_display = ["title", "company", "call", "status", "submitted_at"]
    list_filter = ["status"]


@admin.register(ReviewAssignment)
class ReviewAssignmentAdmin(SimpleHistoryAdmin):
    list_display = ["application", "reviewer", "status"]


@admin.register(ApplicationNotice)
class ApplicationNoticeAdmin(admin.ModelAdmin):
    list_display = ["application", "kind", "created"]
