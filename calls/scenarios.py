"""Drive calls through CallFlow with the same services and activations as the task views.

Used by `seed_demo` and the tests: each step takes the node's open task for a user (checking
the node's permission), runs the node's service and executes the task.
"""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.db import transaction
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from . import services
from .flows import CallFlow
from .models import Call, CallProcess, ReviewAssignment


def open_tasks(call: Call, node_name: str):
    return Task.objects.filter(
        process__callprocess__call=call,
        flow_task=getattr(CallFlow, node_name),
        status__in=[STATUS.NEW, STATUS.ASSIGNED],
    ).order_by("pk")


def complete_task(task: Task, user, action: Callable[[CallProcess], object]):
    with task.activation() as activation:
        if activation.task.status == STATUS.NEW:
            if not activation.flow_task.can_assign(user, activation.task):
                raise PermissionDenied(f"{user} may not take {task.flow_task.name}")
            activation.assign(user)
        elif activation.task.owner_id != user.pk:
            raise PermissionDenied(f"{task.flow_task.name} is assigned to someone else")
        activation.start(None)
        with transaction.atomic():
            result = action(activation.process)
        activation.execute()
    return result


def publish(call: Call, agent, at=None, **changes) -> Call:
    values = {name: getattr(call, name) for name in services.CALL_FIELDS} | changes
    criteria = [
        {"name": c.name, "description": c.description, "weight": c.weight}
        for c in call.criteria.all()
    ]
    task = open_tasks(call, "publish").get()
    return complete_task(
        task,
        agent,
        lambda process: services.call_publish(
            process=process, by=agent, values=values, criteria=criteria, at=at
        ),
    )


def assign_reviewers(call: Call, agent, reviewers, at=None) -> None:
    task = open_tasks(call, "assign_reviewers").get()
    complete_task(
        task,
        agent,
        lambda process: services.reviewers_assign(
            process=process, by=agent, reviewers=reviewers, at=at
        ),
    )


def review_task(assignment: ReviewAssignment) -> Task:
    return Task.objects.get(
        flow_task=CallFlow.review,
        data__assignment=assignment.pk,
        status__in=[STATUS.NEW, STATUS.ASSIGNED],
    )


def declare_conflict(assignment: ReviewAssignment, note: str) -> None:
    user = assignment.reviewer
    complete_task(
        review_task(assignment),
        user,
        lambda process: services.review_declare(
            assignment=assignment, by=user, conflict=True, note=note
        ),
    )


def score(assignment: ReviewAssignment, values: list[int], comments: list[str] | None = None):
    """Declare no conflict and score the criteria in their order."""
    user = assignment.reviewer
    criteria = list(assignment.application.call.criteria.all())
    comments = comments or [f"Comment on {c.name}." for c in criteria]
    services.review_declare(assignment=assignment, by=user, conflict=False)

    def action(process):
        return services.review_score(
            assignment=ReviewAssignment.objects.get(pk=assignment.pk),
            by=user,
            scores={c.pk: (v, text) for c, v, text in zip(criteria, values, comments, strict=True)},
        )

    return complete_task(review_task(assignment), user, action)


def propose(call: Call, agent, applications) -> None:
    task = open_tasks(call, "propose_selection").get()
    complete_task(
        task,
        agent,
        lambda process: services.selection_propose(
            process=process, by=agent, applications=applications
        ),
    )


def decide(call: Call, staff, approve: bool = True, comment: str = ""):
    task = open_tasks(call, "approve_selection").get()
    return complete_task(
        task,
        staff,
        lambda process: services.selection_decide(
            process=process, by=staff, approve=approve, comment=comment
        ),
    )
