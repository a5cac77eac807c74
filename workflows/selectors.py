"""Reads of tasks, scoped by the pilots the user sees."""

from collections import defaultdict

from django.db.models import F, Q, QuerySet
from viewflow.workflow import chart
from viewflow.workflow.fields import get_task_ref
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from cases.selectors import pilot_visibility, pilots_visible_to


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


LONG_PILOT_FIELDS = (
    "summary",
    "need",
    "solution",
    "expected_impact",
    "kpis",
    "site_wish",
    "screening_message",
    "closure_reason",
    "funding_sources",
    "funding_amounts",
    "trade_secret_fields",
)


def inbox_tasks_visible_to(user, queryset: QuerySet) -> QuerySet:
    """The shared inbox, queue and archive: tasks of the pilots the user sees, and tasks of
    the innovation calls the user works on (calls.selectors decides which). `queryset` holds
    tasks of PilotFlow and CallFlow only (the lists filter by flow first).

    The pilot rule is a condition on the task's own join to its pilot, not a subquery of
    every visible pilot; a user who sees every pilot, and so every call, gets no condition."""
    from calls.selectors import call_tasks_condition

    pilots = pilot_visibility(user, "process__pilotprocess__pilot")
    if pilots is not None:
        queryset = queryset.filter(pilots | call_tasks_condition(user))
    return (
        queryset.select_related(
            "owner",
            "process__pilotprocess__pilot__company",
            "process__pilotprocess__pilot__division",
            "process__callprocess__call",
        )
        # The lists show a pilot's reference and title: its long texts are not read (a queue
        # of thousands of tasks is sorted before the page is cut, and width costs there).
        .defer(*(f"process__pilotprocess__pilot__{name}" for name in LONG_PILOT_FIELDS))
        .annotate(due=F("deadline__due"))
    )


def queue_condition(user) -> Q | None:
    """Which open tasks the user may take: Viewflow's `TaskQuerySet.user_queue` rule (no
    permission needed, the user's own, a permission the user holds, or a permission on the
    task's object that the user or one of the user's groups holds), written as conditions on
    the permission and object columns, which an index serves, instead of on a concatenation
    of the two, which none does. None: every task (a superuser)."""
    from guardian.models import GroupObjectPermission, UserObjectPermission

    if user.is_superuser:
        return None
    condition = (
        Q(owner_permission__isnull=True)
        | Q(owner=user)
        | Q(owner_permission__in=user.get_all_permissions())
    )
    per_object = defaultdict(set)
    for permissions in (
        UserObjectPermission.objects.filter(user=user),
        GroupObjectPermission.objects.filter(group__in=user.groups.all()),
    ):
        for app_label, codename, object_pk in permissions.values_list(
            "content_type__app_label", "permission__codename", "object_pk"
        ):
            per_object[f"{app_label}.{codename}"].add(object_pk)
    for permission, object_pks in sorted(per_object.items()):
        condition |= Q(owner_permission=permission, owner_permission_obj_pk__in=sorted(object_pks))
    return condition


def human_nodes(flows) -> list:
    """The human nodes of `flows`, each flow's in the order of its chart."""
    return [node for flow in flows for node in chart.topsort(flow)[0] if node.task_type == "HUMAN"]


def queue_of(user, flows) -> QuerySet:
    """Open human tasks of `flows` that the user may take (before the pilot rule). The flows
    are named by their human nodes, a column of the task itself: the count of a queue of
    thousands needs no join with the processes."""
    queryset = Task.objects.filter(
        flow_task__in=[get_task_ref(node) for node in human_nodes(flows)], status=STATUS.NEW
    )
    condition = queue_condition(user)
    return queryset if condition is None else queryset.filter(condition)


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
