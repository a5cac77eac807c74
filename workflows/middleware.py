"""Object scoping for Viewflow's pages, and a clean answer when a pilot is busy."""

from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.models import Task

from calls.selectors import call_process_visible_to
from cases.selectors import pilots_visible_to

from .models import PilotProcess


class PilotScopeMiddleware:
    """Every Viewflow URL that names a process or a task answers 404 unless the user sees the
    pilot (the one selector decides), and unless the task belongs to the process and the node in
    the URL (the process id in the URL picks the row that Viewflow locks)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        process_pk = view_kwargs.get("process_pk")
        if process_pk is None:
            return None
        visible = PilotProcess.objects.filter(
            pk=process_pk, pilot__in=pilots_visible_to(request.user)
        )
        if not visible.exists() and not call_process_visible_to(
            request.user, process_pk, view_kwargs.get("task_pk")
        ):
            raise Http404(_("No such pilot."))
        task_pk = view_kwargs.get("task_pk")
        if task_pk is not None:
            task = Task.objects.filter(pk=task_pk, process_id=process_pk).only("flow_task").first()
            # The node in the URL must be the task's own: Viewflow runs the URL node's view on
            # whatever task the id names (a match form executing a screening task ends the flow).
            namespaces = request.resolver_match.namespaces if request.resolver_match else []
            if task is None or not namespaces or task.flow_task.name != namespaces[-1]:
                raise Http404(_("No such task."))
        return None

    def process_exception(self, request, exception):
        if isinstance(exception, FlowLockFailed):
            response = HttpResponse(
                _("Someone else is working on this pilot right now. Try again in a moment."),
                status=409,
                content_type="text/plain; charset=utf-8",
            )
            response["Retry-After"] = "5"
            return response
        return None
