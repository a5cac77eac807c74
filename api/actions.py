"""Task actions of the API, done exactly as the task pages do them.

Each action runs under the flow's lock on the process (`task.activation()`, which takes
`PilotFlow.lock(process_pk)`) and in one transaction, as Viewflow's task views do. Executing a
task builds the node's own task view (workflows/views.py) on a POST request made from the API's
input, so that the node's Django form validates it with the same keyword arguments and initial
values, and the view's `perform` calls the same service; then the activation is executed. A
denied or invalid request changes nothing.
"""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, QueryDict
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from viewflow.fsm import TransitionNotAllowed
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from workflows.flows import PilotFlow
from workflows.views import TaskFormView, apply_errors


class InvalidInput(Exception):
    """The node's form rejected the input; `form` carries the errors."""

    def __init__(self, form):
        super().__init__(form.errors)
        self.form = form


def task_view_class(flow_task) -> type[TaskFormView] | None:
    """The task view class of a human node of PilotFlow."""
    view = getattr(flow_task, "_view", None)
    view_class = getattr(view, "view_class", None)
    if view_class is None or not issubclass(view_class, TaskFormView):
        return None
    return view_class


def human_nodes() -> list:
    """PilotFlow's human nodes whose task views the API can run, in the flow's order."""
    return [node for node in PilotFlow.instance.nodes() if task_view_class(node) is not None]


def as_querydict(data) -> QueryDict:
    """JSON input as the POST data a browser would send for the same form."""
    if isinstance(data, QueryDict):
        return data
    query = QueryDict(mutable=True)
    for key, value in (data or {}).items():
        values = value if isinstance(value, list) else [value]
        query.setlist(
            key,
            [
                ("true" if item else "false") if isinstance(item, bool) else str(item)
                for item in values
                if item is not None
            ],
        )
    return query


def _post_request(user, data: QueryDict, files: MultiValueDict, activation) -> HttpRequest:
    request = HttpRequest()
    request.method = "POST"
    request.user = user
    request.POST = data
    request.FILES = files
    request.activation = activation
    return request


def task_assign(*, task: Task, user) -> Task:
    """Take an open task from the queue (the node's permission decides)."""
    try:
        with task.activation() as activation, transaction.atomic():
            if activation.task.status != STATUS.NEW or not activation.flow_task.can_assign(
                user, activation.task
            ):
                raise PermissionDenied(_("You may not take this task."))
            activation.assign(user)
    except TransitionNotAllowed as error:
        raise PermissionDenied(_("You may not take this task.")) from error
    return activation.task


def task_unassign(*, task: Task, user) -> Task:
    """Put a task the user holds back into the queue."""
    try:
        with task.activation() as activation, transaction.atomic():
            if activation.task.status != STATUS.ASSIGNED or not activation.flow_task.can_unassign(
                user, activation.task
            ):
                raise PermissionDenied(_("You may not release this task."))
            activation.unassign()
    except TransitionNotAllowed as error:
        raise PermissionDenied(_("You may not release this task.")) from error
    return activation.task


def _as_post_value(value) -> list[str]:
    values = value if isinstance(value, list | tuple) else [value]
    result = []
    for item in values:
        item = getattr(item, "pk", item)  # a model instance from a ModelForm's initial
        if isinstance(item, bool):
            result.append("true" if item else "false")
        elif hasattr(item, "isoformat"):
            result.append(item.isoformat())
        else:
            result.append(str(item))
    return result


def _with_initial(view, data: QueryDict) -> QueryDict:
    """`data` completed with what the task page would show in the fields it leaves out, as a
    browser sends back the pre-filled fields of a form."""
    kwargs = {k: v for k, v in view.get_form_kwargs().items() if k not in ("data", "files")}
    form = view.get_form_class()(**kwargs)
    data = data.copy()
    for name, field in form.fields.items():
        if name in data or isinstance(field, forms.FileField):
            continue
        initial = form.get_initial_for_field(field, name)
        if initial is not None and initial != "" and initial != []:
            data.setlist(name, _as_post_value(initial))
    return data


def task_execute(
    *,
    task: Task,
    user,
    data: QueryDict,
    files: MultiValueDict | None = None,
    keep_unsent: bool = False,
):
    """Do a task the user holds: the node's form validates `data`, the node's service runs,
    and the activation is executed. With `keep_unsent`, fields left out of `data` take the
    values the task page shows (its initial values, e.g. the proposal being completed).
    Raises InvalidInput with the form's errors."""
    view_class = task_view_class(task.flow_task)
    if view_class is None:
        raise PermissionDenied(_("This task cannot be done through the API."))
    try:
        with task.activation() as activation, transaction.atomic():
            if not activation.flow_task.can_execute(user, activation.task):
                raise PermissionDenied(_("Take the task before you do it."))
            request = _post_request(user, data, files or MultiValueDict(), activation)
            activation.start(request)
            view = view_class()
            view.setup(request)
            if keep_unsent:
                request.POST = _with_initial(view, data)
            form = view.get_form()
            if not form.is_valid():
                raise InvalidInput(form)
            try:
                with transaction.atomic():
                    view.perform(form)
            except ValidationError as error:
                apply_errors(form, error)
                raise InvalidInput(form) from error
            activation.execute()
    except TransitionNotAllowed as error:
        raise PermissionDenied(_("This task is not open.")) from error
    return activation.task
