from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import PilotProcess, TaskDeadline


@admin.register(PilotProcess)
class PilotProcessAdmin(SimpleHistoryAdmin):
    list_display = ("pk", "pilot", "status", "created", "finished")
    list_select_related = ("pilot",)
    readonly_fields = ("pilot", "flow_class", "status", "created", "finished", "data")


@admin.register(TaskDeadline)
class TaskDeadlineAdmin(admin.ModelAdmin):
    list_display = ("task", "due")
    raw_id_fields = ("task",)
