"""Reads of tasks, scoped by the pilots the user sees."""

from django.db.models import F, Q, QuerySet
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from cases.selectors import pilots_visible_to


def tasks_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    """Tasks of the pilots the user sees, with what a task list shows."""
    queryset = Task.objects.all() if queryset is None else queryset
    return (
        queryset.filter(process__pilotprocess__pilot__in=pilots_visible_to(user))
        .select_related(
            "owner",
            "process__pilotprocess__pilot__company",
            "process__pilotprocess__pilot__division",
        )
        .annotate(due=F("deadline__due"))
    )


def inbox_tasks_visible_to(user, queryset: QuerySet) -> QuerySet:
    """The shared inbox, queue and archive: tasks of the pilots the user sees, and tasks of
    the innovation calls the user works on (calls.selectors decides which)."""
    from calls.selectors import call_tasks_condition

    return (
        queryset.filter(
            Q(process__pilotprocess__pilot__in=pilots_visible_to(user)) | call_tasks_condition(user)
        )
        .select_related(
            "owner",
            "process__pilotprocess__pilot__company",
            "process__pilotprocess__pilot__division",
            "process__callprocess__call",
        )
        .annotate(due=F("deadline__due"))
    )


def open_tasks_of(pilot) -> QuerySet:
    return (
        Task.objects.filter(
            process__pilotprocess__pilot=pilot,
            flow_task_type="HUMAN",
            status__in=[STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED],
        )
        .select_related("owner")
        .annotate(due=F("deadline__due"))
        .order_by("created", "pk")
    )


def tasks_of(pilot) -> QuerySet:
    return (
        Task.objects.filter(process__pilotprocess__pilot=pilot)
        .select_related("owner")
        .annotate(due=F("deadline__due"))
        .order_by("created", "pk")
    )


def company_open_tasks(user, companies) -> QuerySet:
    """Open human tasks that the company's users take (for the portal)."""
    return (
        Task.objects.filter(
            process__pilotprocess__pilot__company__in=companies,
            flow_task_type="HUMAN",
            status__in=[STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED],
            owner_permission="cases.act_for_company",
        )
        .select_related("owner", "process__pilotprocess__pilot")
        .annotate(due=F("deadline__due"))
        .order_by(F("deadline__due").asc(nulls_last=True), "pk")
    )
