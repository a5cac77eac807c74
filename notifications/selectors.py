"""Reads for notifications: who gets a notice, in which language and how, and a user's list."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import OuterRef, Q, QuerySet, Subquery
from guardian.shortcuts import get_users_with_perms
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from cases.models import Company, CompanyMembership, Pilot

from .models import Mode, Notification, NotificationPreference, UserProfile

User = get_user_model()

OPEN_STATUSES = [STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED]
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


# -- recipients -----------------------------------------------------------------------------


def task_candidates(task: Task) -> QuerySet:
    """The active users who may take (assign) an open task: those holding the node's
    permission, on the node's object (a division or a company) where it has one.
    Administrators are not case workers and are left out, as in the queue they do not use."""
    if not task.owner_permission:
        return User.objects.none()
    _app_label, codename = task.owner_permission.split(".", 1)
    holders = Q(
        pk__in=User.objects.with_perm(
            task.owner_permission, backend=MODEL_BACKEND, include_superusers=False
        ).values("pk")
    )
    obj = task.owner_permission_obj
    if obj is not None:
        object_holders = get_users_with_perms(
            obj, only_with_perms_in=[codename], with_group_users=True, with_superusers=False
        )
        holders |= Q(pk__in=object_holders.values("pk"))
    return User.objects.filter(holders, is_active=True, is_superuser=False).order_by("pk")


def company_users(company: Company) -> QuerySet:
    """The company's active users."""
    return User.objects.filter(
        is_active=True,
        company_memberships__company=company,
        company_memberships__status=CompanyMembership.Status.ACTIVE,
    ).order_by("pk")


def pilot_agent(pilot: Pilot):
    """The innovation agent who follows the pilot: whoever last took one of its agents' tasks
    (screening, matching, following the pilot). None while no agent has taken one."""
    task = (
        Task.objects.filter(
            process__pilotprocess__pilot=pilot,
            owner_permission="cases.act_as_agent",
            owner__isnull=False,
            owner__is_active=True,
        )
        .select_related("owner")
        .order_by("-created", "-pk")
        .first()
    )
    return task.owner if task is not None else None


def task_responsible(task: Task) -> list:
    """Whoever should act on an open task: its owner, or everyone who may take it."""
    if task.owner_id is not None:
        return [task.owner] if task.owner.is_active else []
    return list(task_candidates(task))


def open_task_of_node(pilot: Pilot, node) -> Task | None:
    """The pilot's open task of one node of its flow, if there is one."""
    return (
        Task.objects.filter(
            process__pilotprocess__pilot=pilot, flow_task=node, status__in=OPEN_STATUSES
        )
        .select_related("owner")
        .order_by("-created", "-pk")
        .first()
    )


# -- how and in which language --------------------------------------------------------------


def user_language(user) -> str:
    """The language of the user's mail: their profile's, or the site's default."""
    languages = {code for code, _name in settings.LANGUAGES}
    try:
        language = user.profile.language
    except UserProfile.DoesNotExist:
        language = settings.LANGUAGE_CODE
    return language if language in languages else settings.LANGUAGE_CODE


def with_modes(recipients, kind: str) -> tuple[list, dict[int, str] | None]:
    """The recipients as a list and, when they come as a queryset, each one's e-mail mode for
    `kind` read in the same query (None otherwise: ask `modes_for`)."""
    if not isinstance(recipients, QuerySet):
        return list(recipients), None
    chosen = NotificationPreference.objects.filter(user=OuterRef("pk"), kind=kind)
    users = list(recipients.annotate(chosen_mode=Subquery(chosen.values("mode")[:1])))
    return users, {user.pk: user.chosen_mode or Mode.IMMEDIATE for user in users}


def modes_for(users, kind: str) -> dict[int, str]:
    """Each user's e-mail mode for one kind of event (immediate unless they chose otherwise)."""
    chosen = dict(
        NotificationPreference.objects.filter(
            user__in=[user.pk for user in users], kind=kind
        ).values_list("user_id", "mode")
    )
    return {user.pk: chosen.get(user.pk, Mode.IMMEDIATE) for user in users}


def preferences_of(user) -> dict[str, str]:
    return dict(NotificationPreference.objects.filter(user=user).values_list("kind", "mode"))


# -- a user's notifications -----------------------------------------------------------------


def notifications_of(user) -> QuerySet[Notification]:
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(user=user).select_related("pilot", "task")


def unread_count(user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
