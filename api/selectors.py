"""Reads of the API, each built on the one visibility rule (`cases.selectors.pilots_visible_to`)."""

from django.db.models import Q, QuerySet
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from cases import selectors as case_selectors
from cases.models import Company
from workflows.flows import PilotFlow
from workflows.selectors import tasks_visible_to

OPEN = [STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED]
COMPANY_PERMISSION = "cases.act_for_company"


def tasks_seen_by(user) -> QuerySet[Task]:
    """Human tasks the user may look at: every task of a pilot the user sees whole; of the
    pilots seen as a company's member, the company's own tasks and the user's."""
    tasks = tasks_visible_to(user, Task.objects.filter(flow_task_type="HUMAN"))
    return tasks.filter(
        Q(process__pilotprocess__pilot__in=case_selectors.pilots_seen_whole_by(user))
        | Q(
            owner_permission=COMPANY_PERMISSION,
            process__pilotprocess__pilot__company__in=case_selectors.companies_of(user),
        )
        | Q(owner=user)
    )


def inbox_of(user) -> QuerySet[Task]:
    """Open tasks assigned to the user."""
    return tasks_seen_by(user).filter(owner=user, status__in=[STATUS.ASSIGNED, STATUS.STARTED])


def queue_of(user) -> QuerySet[Task]:
    """Open tasks nobody has taken that the user may take."""
    queue = Task.objects.user_queue(user, flow_class=PilotFlow).filter(status=STATUS.NEW)
    return tasks_seen_by(user).filter(pk__in=queue.values("pk"))


def my_tasks(user) -> QuerySet[Task]:
    """The user's tasks: the inbox and the queue."""
    return tasks_seen_by(user).filter(
        Q(pk__in=inbox_of(user).values("pk")) | Q(pk__in=queue_of(user).values("pk"))
    )


def companies_visible_to(user) -> QuerySet[Company]:
    """Every company for those who see every pilot; otherwise the user's own companies and
    those of the pilots the user sees."""
    if not user.is_authenticated or not user.is_active:
        return Company.objects.none()
    if case_selectors.sees_all_pilots(user):
        return Company.objects.all()
    return Company.objects.filter(
        Q(pk__in=case_selectors.pilots_visible_to(user).values("company_id"))
        | Q(pk__in=case_selectors.companies_of(user).values("pk"))
    )
