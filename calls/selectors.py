"""Reads of calls, applications and reviews, scoped to the user.

Who sees what:
- everyone (also anonymous) sees published calls;
- agents and managers see every call's internals (its applications, reviews and ranking), the
  staff of a division those of their division's calls;
- a reviewer (an external expert too) sees the applications assigned to them, unless they
  declared a conflict of interest on one;
- a company's users see their own company's applications.
Scores of an application are seen by a reviewer of it only after submitting their own (never
after declaring a conflict), and by the call's staff who do not review it.
"""

import math
import statistics
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from guardian.shortcuts import get_users_with_perms

from cases.roles import EXPERTS
from cases.selectors import companies_of, divisions_of, sees_all_pilots

from .models import Application, Call, Criterion, ReviewAssignment, Score

User = get_user_model()


def calls_public() -> QuerySet[Call]:
    """Published calls, open ones first (by deadline), then upcoming, then closed (newest)."""
    now = timezone.now()
    return (
        Call.objects.exclude(status=Call.Status.DRAFT)
        .select_related("theme", "division")
        .annotate(
            group=Case(
                When(opens_at__lte=now, closes_at__gte=now, then=Value(0)),
                When(opens_at__gt=now, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .annotate(
            coming_deadline=Case(When(group__lt=2, then=F("closes_at"))),
            past_deadline=Case(When(group=2, then=F("closes_at"))),
        )
        .order_by(
            "group",
            F("coming_deadline").asc(nulls_last=True),
            F("past_deadline").desc(nulls_last=True),
            "pk",
        )
    )


def calls_managed_by(user) -> QuerySet[Call]:
    """The calls whose internals the user sees as city staff."""
    if not user.is_authenticated or not user.is_active:
        return Call.objects.none()
    if sees_all_pilots(user):
        return Call.objects.all()
    return Call.objects.filter(division__in=divisions_of(user))


def calls_visible_to(user) -> QuerySet[Call]:
    """Public once published; a draft only to its managers."""
    published = ~Q(status=Call.Status.DRAFT)
    if not user.is_authenticated:
        return Call.objects.filter(published)
    return Call.objects.filter(published | Q(pk__in=calls_managed_by(user).values("pk")))


def can_prepare_calls(user) -> bool:
    return user.is_active and user.has_perm("cases.act_as_agent")


def applications_visible_to(user) -> QuerySet[Application]:
    if not user.is_authenticated or not user.is_active:
        return Application.objects.none()
    managed = Q(call__in=calls_managed_by(user)) & ~Q(status=Application.Status.DRAFT)
    reviewing = Q(
        pk__in=ReviewAssignment.objects.filter(reviewer=user)
        .exclude(status=ReviewAssignment.Status.CONFLICT)
        .values("application_id")
    )
    own = Q(company__in=companies_of(user))
    return Application.objects.filter(managed | reviewing | own).select_related("call", "company")


def applications_of_company_users(user) -> QuerySet[Application]:
    return (
        Application.objects.filter(company__in=companies_of(user))
        .select_related("call", "company", "pilot")
        .order_by("-call__closes_at", "pk")
    )


def is_applicant(user, application: Application) -> bool:
    return companies_of(user).filter(pk=application.company_id).exists()


def _scores_visible(own_status: str | None, manages_call: bool) -> bool:
    if own_status is not None:
        return own_status == ReviewAssignment.Status.SUBMITTED
    return manages_call


def can_see_scores(user, application: Application) -> bool:
    """Scores are hidden from a reviewer until their own are in, and for good after a conflict."""
    own_status = (
        ReviewAssignment.objects.filter(application=application, reviewer=user)
        .values_list("status", flat=True)
        .first()
    )
    if own_status is not None:
        return _scores_visible(own_status, False)
    return calls_managed_by(user).filter(pk=application.call_id).exists()


def reviewer_candidates(call: Call) -> QuerySet:
    """Who may review a call's applications: agents, the division's staff, external experts."""
    staff = Q(groups__name=EXPERTS) | Q(
        groups__permissions__codename="act_as_agent",
        groups__permissions__content_type__app_label="cases",
    )
    division_staff = get_users_with_perms(
        call.division,
        only_with_perms_in=["act_for_division", "sign_for_division"],
        with_group_users=True,
    ).values("pk")
    return (
        User.objects.filter(is_active=True, is_superuser=False)
        .filter(staff | Q(pk__in=division_staff))
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def is_expert(user) -> bool:
    return user.is_authenticated and user.groups.filter(name=EXPERTS).exists()


# -- ranking ---------------------------------------------------------------------------------

TWO_PLACES = Decimal("0.01")


def _round(value: float) -> Decimal:
    return Decimal(str(value)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def weighted_score(scores: dict[int, int], weights: dict[int, int]) -> float:
    """One reviewer's weighted mean over the criteria: sum(weight * score) / sum(weight)."""
    total_weight = sum(weights[criterion] for criterion in scores)
    return sum(weights[criterion] * value for criterion, value in scores.items()) / total_weight


@dataclass
class RankedApplication:
    application: Application
    reviews: int = 0
    mean: Decimal | None = None
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    stdev: Decimal | None = None
    per_criterion: list = field(default_factory=list)
    visible: bool = True
    rank: int | None = None


def rank_scores(per_reviewer: list[float]) -> dict:
    """The weighted mean of the reviewers' weighted scores, with their spread."""
    if not per_reviewer:
        return {"mean": None, "minimum": None, "maximum": None, "stdev": None}
    return {
        "mean": _round(statistics.fmean(per_reviewer)),
        "minimum": _round(min(per_reviewer)),
        "maximum": _round(max(per_reviewer)),
        "stdev": _round(math.sqrt(statistics.pvariance(per_reviewer))),
    }


def ranking(call: Call, user) -> list[RankedApplication]:
    """The call's submitted applications, best weighted mean first; scores the user may not
    see yet are left out of their row (and the row is listed after the ranked ones)."""
    criteria = list(Criterion.objects.filter(call=call))
    weights = {criterion.pk: criterion.weight for criterion in criteria}
    applications = list(
        applications_visible_to(user)
        .filter(call=call)
        .exclude(status=Application.Status.DRAFT)
        .order_by("pk")
    )
    scores = Score.objects.filter(
        assignment__application__in=applications,
        assignment__status=ReviewAssignment.Status.SUBMITTED,
    ).values_list("assignment__application_id", "assignment_id", "criterion_id", "value")
    by_application: dict[int, dict[int, dict[int, int]]] = {}
    for application_id, assignment_id, criterion_id, value in scores:
        by_application.setdefault(application_id, {}).setdefault(assignment_id, {})[
            criterion_id
        ] = value
    # Whether the user sees each row's scores, in two queries rather than two per row.
    own_status = dict(
        ReviewAssignment.objects.filter(application__in=applications, reviewer=user).values_list(
            "application_id", "status"
        )
    )
    manages_call = calls_managed_by(user).filter(pk=call.pk).exists()
    rows = []
    for application in applications:
        row = RankedApplication(application=application)
        if not _scores_visible(own_status.get(application.pk), manages_call):
            row.visible = False
            rows.append(row)
            continue
        reviews = by_application.get(application.pk, {})
        row.reviews = len(reviews)
        stats = rank_scores([weighted_score(s, weights) for s in reviews.values()])
        row.mean, row.minimum, row.maximum, row.stdev = (
            stats["mean"],
            stats["minimum"],
            stats["maximum"],
            stats["stdev"],
        )
        row.per_criterion = [
            (
                criterion,
                _round(statistics.fmean(values))
                if (values := [s[criterion.pk] for s in reviews.values() if criterion.pk in s])
                else None,
            )
            for criterion in criteria
        ]
        rows.append(row)
    ranked = sorted(
        (r for r in rows if r.mean is not None), key=lambda r: (-r.mean, r.application.pk)
    )
    for position, row in enumerate(ranked, 1):
        row.rank = position
    return ranked + [r for r in rows if r.mean is None]


def visible_scores(user, application: Application) -> list[ReviewAssignment]:
    """The submitted reviews of an application, with scores, when the user may see them."""
    if not can_see_scores(user, application):
        return []
    return list(
        ReviewAssignment.objects.filter(
            application=application, status=ReviewAssignment.Status.SUBMITTED
        )
        .select_related("reviewer")
        .prefetch_related("scores__criterion")
        .order_by("pk")
    )


def anonymised_feedback(application: Application) -> list[dict]:
    """The reviewers' comments per criterion, without their names (for the applicant)."""
    feedback = []
    reviews = application.assignments.filter(status=ReviewAssignment.Status.SUBMITTED).order_by(
        "pk"
    )
    for number, review in enumerate(reviews, 1):
        feedback.append(
            {
                "reviewer": number,
                "scores": [
                    {"criterion": s.criterion.name, "value": s.value, "comment": s.comment}
                    for s in review.scores.select_related("criterion")
                ],
            }
        )
    return feedback


# -- tasks of calls in the shared inbox ------------------------------------------------------


def call_tasks_condition(user) -> Q:
    """The tasks of calls a user sees: those of the calls they manage, and their own (an
    external expert's review tasks)."""
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    return Q(process__callprocess__call__in=calls_managed_by(user)) | Q(
        process__callprocess__isnull=False, owner=user
    )


def call_process_visible_to(user, process_pk, task_pk=None) -> bool:
    """Whether a Viewflow URL naming a call's process (and task) is one the user may open."""
    from viewflow.workflow.models import Task

    from .models import CallProcess

    if not CallProcess.objects.filter(pk=process_pk).exists():
        return False
    if task_pk is not None:
        return (
            Task.objects.filter(pk=task_pk, process_id=process_pk)
            .filter(call_tasks_condition(user))
            .exists()
        )
    return CallProcess.objects.filter(pk=process_pk, call__in=calls_managed_by(user)).exists()
