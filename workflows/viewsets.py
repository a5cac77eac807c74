"""Viewflow's built-in lists and dashboard, scoped to the pilots the user sees (viewflow #505)."""

from django.core.exceptions import PermissionDenied
from django.db.models import F, Q
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views import generic
from viewflow.utils import viewprop
from viewflow.workflow import STATUS, chart
from viewflow.workflow.fields import get_task_ref
from viewflow.workflow.flow import FlowAppViewset
from viewflow.workflow.flow import views as vf_views
from viewflow.workflow.flow.views import filters as vf_filters

from cases.selectors import pilots_visible_to, user_role

from .flows import PilotFlow
from .models import PilotProcess
from .selectors import human_nodes, inbox_tasks_visible_to, queue_of, tasks_visible_to


class StaffOnlyMixin:
    """Overviews across pilots are for city staff; company users work from their portal."""

    def dispatch(self, request, *args, **kwargs):
        if user_role(request.user) == "company":
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ProcessDetailRedirectView(generic.View):
    """A process's page is its pilot's page, which shows each viewer their part."""

    def get(self, request, process_pk, **kwargs):
        process = get_object_or_404(PilotProcess.objects.select_related("pilot"), pk=process_pk)
        return redirect(process.pilot.get_absolute_url())


def inbox_flows():
    """The flows whose tasks share the inbox, queue and archive: pilots and innovation calls."""
    from calls.flows import CallFlow

    return [PilotFlow, CallFlow]


class PilotColumnsMixin:
    def pilot(self, task):
        if task.process.flow_class is not PilotFlow:  # a task of an innovation call
            call = task.process.callprocess.call
            return format_html(
                '<a href="{}">{}</a> {}', call.get_absolute_url(), _("Call"), call.title
            )
        pilot = task.process.pilotprocess.pilot
        return format_html(
            '<a href="{}">{}</a> {}', pilot.get_absolute_url(), pilot.reference, pilot.title
        )

    pilot.short_description = _("Pilot")

    def due(self, task):
        if task.due is None:
            return ""
        if task.finished is None and task.due < timezone.localdate():
            return format_html(
                '<span class="overdue" title="{}">{} &#9888;</span>', _("Overdue"), task.due
            )
        return task.due

    due.short_description = _("Due")


def human_node_choices():
    """Every human node of the inbox's flows, for the node filter: known without a query
    (Viewflow reads the distinct nodes of the whole list, every page, from the database)."""
    return [
        (get_task_ref(node), f"{node.flow_class.process_title}/{node.name.title()}")
        for node in human_nodes(inbox_flows())
    ]


class TaskListFilter(vf_filters.FlowUserTaskListFilter):
    """The inbox's and queue's filters (node, created) without Viewflow's process choice,
    which lists every process with a task in the list: tens of thousands of options, read
    and rendered on every page, once there are many pilots. A pilot is found on /pilots/."""

    process = None

    def __init__(self, *args, **kwargs):
        super(vf_filters.FlowUserTaskListFilter, self).__init__(*args, **kwargs)
        self.filters["flow_task"].field.choices = human_node_choices()

    class Meta(vf_filters.FlowUserTaskListFilter.Meta):
        fields = ("flow_task", "created")


class ArchiveListFilter(vf_filters.FlowArchiveListFilter):
    def __init__(self, *args, **kwargs):
        super(vf_filters.FlowArchiveListFilter, self).__init__(*args, **kwargs)
        self.filters["flow_task"].field.choices = human_node_choices()


class ScopedInboxView(PilotColumnsMixin, vf_views.FlowInboxListView):
    columns = ("task_id", "task_title", "pilot", "due", "created")
    filterset_class = TaskListFilter

    @viewprop
    def queryset(self):
        return inbox_tasks_visible_to(
            self.request.user,
            self.model._default_manager.filter(
                process__flow_class__in=inbox_flows(),
                owner=self.request.user,
                status=STATUS.ASSIGNED,
            ),
        ).order_by(F("due").asc(nulls_last=True), "created")


class ScopedQueueView(PilotColumnsMixin, vf_views.FlowQueueListView):
    columns = ("task_id", "task_title", "pilot", "due", "created")
    filterset_class = TaskListFilter

    @viewprop
    def queryset(self):
        return queue_tasks(self.request).order_by(F("due").asc(nulls_last=True), "created")

    def get_paginator(self, queryset, *args, **kwargs):
        paginator = super().get_paginator(queryset, *args, **kwargs)
        if self.filterset is None or not self.filterset.form.has_changed():
            # The whole queue: the menu's badge has counted it in this request already.
            paginator.count = queue_count(self.request)
        return paginator


class ScopedArchiveView(PilotColumnsMixin, vf_views.FlowArchiveListView):
    columns = ("task_id", "task_title", "pilot", "created", "finished")
    filterset_class = ArchiveListFilter

    def task_title(self, task):
        return task.title

    task_title.short_description = _("Task")

    @viewprop
    def queryset(self):
        return inbox_tasks_visible_to(
            self.request.user,
            self.model._default_manager.user_archive(self.request.user).filter(
                process__flow_class__in=inbox_flows()
            ),
        ).order_by("-finished")


class ScopedTaskListView(StaffOnlyMixin, PilotColumnsMixin, vf_views.DashboardTaskListView):
    columns = ("task_id", "flow_task", "pilot", "due", "created", "owner")

    @viewprop
    def queryset(self):
        return tasks_visible_to(
            self.request.user,
            self.model._default_manager.filter(process__flow_class=self.flow_class),
        ).order_by("-created")


class ScopedProcessListView(StaffOnlyMixin, vf_views.DashboardProcessListView):
    columns = ("process_id", "pilot", "stage", "created", "finished", "active_tasks")

    def pilot(self, process):
        pilot = process.pilot
        return format_html(
            '<a href="{}">{}</a> {}', pilot.get_absolute_url(), pilot.reference, pilot.title
        )

    pilot.short_description = _("Pilot")

    def stage(self, process):
        return process.pilot.get_stage_display()

    stage.short_description = _("Stage")

    # Viewflow's own columns, with headers in the user's language.
    def process_id(self, process):
        return super().process_id(process)

    process_id.short_description = _("#")

    def active_tasks(self, process):
        return super().active_tasks(process)

    active_tasks.short_description = _("Active tasks")

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .filter(pilot__in=pilots_visible_to(self.request.user))
            .select_related("pilot")
            .order_by("-created")
        )


class ScopedDashboardView(StaffOnlyMixin, vf_views.DashboardView):
    """The kanban of open tasks per node, for the pilots the user sees."""

    def get_context_data(self, **kwargs):
        user = self.request.user
        sorted_nodes, _unused = chart.topsort(self.flow_class)
        human_nodes = [node for node in sorted_nodes if node.task_type == "HUMAN"]
        end_nodes = [node for node in sorted_nodes if node.task_type == "END"]
        tasks = tasks_visible_to(
            user, self.flow_class.task_class._default_manager.coerce_for([self.flow_class])
        )
        columns = [
            {
                "node": node,
                "node_ref": get_task_ref(node),
                "tasks": tasks.filter(
                    Q(finished__isnull=True) | Q(status=STATUS.ERROR), flow_task=node
                ).order_by("-created")[: self.MAX_ROWS],
            }
            for node in human_nodes
        ]
        finished = tasks.filter(finished__isnull=False, flow_task__in=end_nodes).order_by(
            "-finished"
        )[: self.MAX_ROWS]
        context = super(vf_views.DashboardView, self).get_context_data(**kwargs)
        context.update(columns=columns, start_nodes=[], end_nodes=end_nodes, finished=finished)
        return context


class PilotAppViewset(FlowAppViewset):
    """The flow's pages in the Viewflow site; the menu's counts are scoped like the lists."""

    dashboard_view_class = ScopedDashboardView
    process_list_view_class = ScopedProcessListView
    task_list_view_class = ScopedTaskListView
    inbox_view_class = ScopedInboxView
    queue_view_class = ScopedQueueView
    archive_view_class = ScopedArchiveView
    process_detail_view_class = ProcessDetailRedirectView
    # A pilot is cancelled or withdrawn on its page, which closes the pilot with its process.
    process_cancel_view_class = ProcessDetailRedirectView

    def get_context_data(self, request):
        return menu_counts(request)


def menu_counts(request) -> dict:
    """The inbox's and queue's counts in the menu of every flow's pages."""
    manager = PilotFlow.task_class._default_manager
    flows = inbox_flows()
    return {
        "user_inbox": inbox_tasks_visible_to(request.user, manager.inbox(flows, request.user)),
        "user_queue": QueueCount(request),
    }


def queue_tasks(request):
    """The tasks of the user's queue: open tasks the user may take, of pilots the user sees."""
    return inbox_tasks_visible_to(request.user, queue_of(request.user, inbox_flows()))


def queue_count(request) -> int:
    """How many tasks the user's queue holds, counted once per request (the queue's pages)."""
    count = getattr(request, "_kokeilu_queue_count", None)
    if count is None:
        count = request._kokeilu_queue_count = queue_tasks(request).count()
    return count


# The menu's queue badge counts up to this many tasks and then says "99+": every page of the
# flows shows it, and counting a division's thousands of open tasks each time cost more than
# the rest of the page. The queue's own page gives the exact number.
QUEUE_BADGE_LIMIT = 100


class QueueCount:
    """The menu's queue badge (Viewflow's menu shows `user_queue.count`): the exact count when
    the page has counted the queue already, else at most QUEUE_BADGE_LIMIT - 1, then "99+"."""

    def __init__(self, request):
        self.request = request

    def count(self) -> int | str:
        exact = getattr(self.request, "_kokeilu_queue_count", None)
        if exact is not None:
            return exact
        counted = queue_tasks(self.request).order_by()[:QUEUE_BADGE_LIMIT].count()
        return counted if counted < QUEUE_BADGE_LIMIT else f"{QUEUE_BADGE_LIMIT - 1}+"
