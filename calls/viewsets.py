"""CallFlow's pages in the Viewflow site, scoped like the pilots' (viewflow #505): the inbox,
queue and archive are the shared ones of workflows.viewsets; the lists show only the calls
and tasks the user works on."""

from django.shortcuts import get_object_or_404, redirect
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views import generic
from viewflow.utils import viewprop
from viewflow.workflow.flow import FlowAppViewset
from viewflow.workflow.flow import views as vf_views

from workflows.selectors import inbox_tasks_visible_to
from workflows.viewsets import (
    PilotColumnsMixin,
    ScopedArchiveView,
    ScopedInboxView,
    ScopedQueueView,
    StaffOnlyMixin,
    menu_counts,
)

from . import selectors
from .models import CallProcess


class CallProcessRedirectView(generic.View):
    """A call's process page is the call's page."""

    def get(self, request, process_pk, **kwargs):
        process = get_object_or_404(CallProcess.objects.select_related("call"), pk=process_pk)
        return redirect(process.call.get_absolute_url())


class CallDashboardRedirectView(generic.View):
    def get(self, request, **kwargs):
        return redirect("calls:list")


class CallTaskListView(StaffOnlyMixin, PilotColumnsMixin, vf_views.DashboardTaskListView):
    columns = ("task_id", "flow_task", "pilot", "due", "created", "owner")

    @viewprop
    def queryset(self):
        return inbox_tasks_visible_to(
            self.request.user,
            self.model._default_manager.filter(process__flow_class=self.flow_class),
        ).order_by("-created")


class CallProcessListView(StaffOnlyMixin, vf_views.DashboardProcessListView):
    columns = ("process_id", "call", "created", "finished", "active_tasks")

    def call(self, process):
        call = process.call
        return format_html('<a href="{}">{}</a>', call.get_absolute_url(), call.title)

    call.short_description = _("Call")

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .filter(call__in=selectors.calls_managed_by(self.request.user))
            .select_related("call")
            .order_by("-created")
        )


class CallAppViewset(FlowAppViewset):
    dashboard_view_class = CallDashboardRedirectView
    process_list_view_class = CallProcessListView
    task_list_view_class = CallTaskListView
    inbox_view_class = ScopedInboxView
    queue_view_class = ScopedQueueView
    archive_view_class = ScopedArchiveView
    process_detail_view_class = CallProcessRedirectView
    process_cancel_view_class = CallProcessRedirectView

    def get_context_data(self, request):
        return menu_counts(request)
