"""Reads of the case domain. `pilots_visible_to` is the one rule of which pilots a user sees."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from guardian.shortcuts import get_objects_for_user

from .models import Company, CompanyMembership, Division, Pilot, Stage

DIVISION_PERMS = ["cases.act_for_division", "cases.sign_for_division"]


def divisions_of(user) -> QuerySet[Division]:
    """The divisions whose staff the user is (object permissions, never global ones)."""
    if not user.is_authenticated or not user.is_active:
        return Division.objects.none()
    return get_objects_for_user(
        user,
        DIVISION_PERMS,
        klass=Division,
        any_perm=True,
        accept_global_perms=False,
        with_superuser=False,
    )


def divisions_signed_by(user) -> QuerySet[Division]:
    if not user.is_authenticated or not user.is_active:
        return Division.objects.none()
    return get_objects_for_user(
        user,
        "cases.sign_for_division",
        klass=Division,
        accept_global_perms=False,
        with_superuser=False,
    )


def companies_of(user) -> QuerySet[Company]:
    """The companies the user is an active member of."""
    if not user.is_authenticated or not user.is_active:
        return Company.objects.none()
    return Company.objects.filter(
        memberships__user=user, memberships__status=CompanyMembership.Status.ACTIVE
    )


def sees_all_pilots(user) -> bool:
    return user.is_active and (user.is_superuser or user.has_perm("cases.view_all_pilots"))


def pilots_visible_to(user) -> QuerySet[Pilot]:
    """Every pilot the user may see. Every list, page, export and API goes through this."""
    return visibility_scope(user).pilots()


@dataclass(frozen=True)
class VisibilityScope:
    """What decides which pilots a user sees, as plain values: every pilot, or the pilots of
    these divisions, of these companies and (with the permission) every pilot whose contracting
    has started. Two users with the same scope see the same pilots, so that figures computed
    for one (the dashboard's snapshots) are right for the other."""

    everything: bool = False
    divisions: tuple[int, ...] = ()
    companies: tuple[int, ...] = ()
    contracting: bool = False

    def condition(self) -> Q | None:
        """The scope as a condition on pilots; None: every pilot. The user's divisions and
        companies are named by id, so that the database reaches the pilots by the division
        and company indexes (an OR of two subqueries made it read every pilot)."""
        if self.everything:
            return None
        return self.staff_condition() | Q(company__in=self.companies)

    def staff_condition(self) -> Q:
        """The pilots seen whole as city staff, not only as a company's member."""
        return _staff_rule(self.divisions, self.contracting)

    def pilots(self) -> QuerySet[Pilot]:
        condition = self.condition()
        return Pilot.objects.all() if condition is None else Pilot.objects.filter(condition)

    def as_dict(self) -> dict:
        return {
            "everything": self.everything,
            "divisions": list(self.divisions),
            "companies": list(self.companies),
            "contracting": self.contracting,
        }

    @classmethod
    def from_dict(cls, data: dict) -> VisibilityScope:
        return cls(
            everything=bool(data.get("everything")),
            divisions=tuple(sorted(data.get("divisions") or ())),
            companies=tuple(sorted(data.get("companies") or ())),
            contracting=bool(data.get("contracting")),
        )


def visibility_scope(user) -> VisibilityScope:
    """The user's `VisibilityScope` (an inactive or anonymous user's sees nothing)."""
    if not user.is_authenticated or not user.is_active:
        return VisibilityScope()
    if sees_all_pilots(user):
        return VisibilityScope(everything=True)
    return VisibilityScope(
        divisions=tuple(sorted(divisions_of(user).values_list("pk", flat=True))),
        companies=tuple(sorted(companies_of(user).values_list("pk", flat=True))),
        contracting=user.has_perm("cases.view_contracting_pilots"),
    )


def pilot_visibility(user, path: str = "") -> Q | None:
    """`pilots_visible_to` as a condition on the pilot reached by `path` from another model
    (e.g. "process__pilotprocess__pilot" from a task), so that a list of tasks filters on its
    own join instead of on a subquery of every visible pilot. None: the user sees every pilot.

    Pilots themselves get the scope's ids (`VisibilityScope.condition`). A list of tasks gets
    the same rule with the user's divisions and companies as subqueries: it joins them with
    what it already joins, and its page asks three times (the list and the menu's two counts),
    where reading the ids each time cost six queries more."""
    if not path:
        return visibility_scope(user).condition()
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if sees_all_pilots(user):
        return None
    return _on_path(_staff_condition(user) | Q(company__in=companies_of(user)), path)


def _staff_rule(divisions, contracting: bool) -> Q:
    """The pilots seen whole as city staff: those of the divisions (ids or a query of them)
    and, with the permission, every pilot whose contracting has started."""
    condition = Q(division__in=divisions)
    if contracting:
        condition |= Q(contracting_started__isnull=False)
    return condition


def _on_path(condition: Q, path: str) -> Q:
    """The condition with each lookup reached through `path`."""
    if not path:
        return condition
    rewritten = Q(_connector=condition.connector, _negated=condition.negated)
    for child in condition.children:
        if isinstance(child, Q):
            rewritten.children.append(_on_path(child, path))
        else:
            lookup, value = child
            rewritten.children.append((f"{path}__{lookup}", value))
    return rewritten


def _staff_condition(user) -> Q:
    """The pilots a user sees whole as city staff (not only as a company's member)."""
    return _staff_rule(divisions_of(user), user.has_perm("cases.view_contracting_pilots"))


def pilots_seen_whole_by(user) -> QuerySet[Pilot]:
    """The visible pilots whose internal part the user sees too: `is_staff_viewer` as a query."""
    pilots = pilots_visible_to(user)
    if not user.is_authenticated or sees_all_pilots(user):
        return pilots
    return pilots.filter(_staff_condition(user))


def is_staff_viewer(user, pilot: Pilot) -> bool:
    """Whether the user sees the whole pilot, internal entries included (not only as a company)."""
    if not user.is_active:
        return False
    if sees_all_pilots(user):
        return True
    return Pilot.objects.filter(_staff_condition(user), pk=pilot.pk).exists()


def is_company_member(user, company: Company) -> bool:
    return companies_of(user).filter(pk=company.pk).exists()


def user_role(user) -> str:
    """The user's main role, for the home page and the menu."""
    if not user.is_authenticated:
        return ""
    if user.is_superuser:
        return "admin"
    if user.has_perm("cases.act_as_agent"):
        return "agent"
    if user.has_perm("cases.act_as_legal"):
        return "legal"
    if user.has_perm("cases.view_all_pilots"):
        return "manager"
    if divisions_of(user).exists():
        return "division"
    if user.has_perm("calls.review_applications"):
        return "expert"  # an external reviewer of innovation calls: works from the inbox
    return "company"


def can_withdraw(user, pilot: Pilot) -> bool:
    """A company may withdraw its pilot until the contract is signed."""
    signed = hasattr(pilot, "contract") and pilot.contract.signed is not None
    return (
        pilot.stage in (Stage.INTAKE, Stage.MATCHING, Stage.CONTRACTING)
        and not signed
        and user.has_perm("cases.act_for_company", pilot.company)
        and is_company_member(user, pilot.company)
    )


def can_cancel(user, pilot: Pilot) -> bool:
    """An agent may cancel an open pilot at any stage."""
    return pilot.is_open and user.has_perm("cases.act_as_agent")


def can_record_milestone(user, pilot: Pilot) -> bool:
    return pilot.stage == Stage.EXECUTION and user.has_perm("cases.act_as_agent")


def can_report_progress(user, pilot: Pilot) -> bool:
    return pilot.stage == Stage.EXECUTION and is_company_member(user, pilot.company)


def can_add_note(user, pilot: Pilot) -> bool:
    """Agents and the division's staff keep notes and write to the company."""
    if not pilot.is_open and not user.has_perm("cases.act_as_agent"):
        return False
    return user.has_perm("cases.act_as_agent") or (
        pilot.division_id is not None and divisions_of(user).filter(pk=pilot.division_id).exists()
    )


def can_upload_attachment(user, pilot: Pilot) -> bool:
    if not pilot.is_open:
        return False
    return (
        user.has_perm("cases.act_as_agent")
        or (user.has_perm("cases.act_as_legal") and pilot.contracting_started is not None)
        or is_company_member(user, pilot.company)
        or (
            pilot.division_id is not None
            and divisions_of(user).filter(pk=pilot.division_id).exists()
        )
    )


def timeline_for(pilot: Pilot, *, internal: bool) -> list:
    """Timeline entries of a pilot; internal ones only for staff viewers."""
    entries = pilot.timeline.select_related("author")
    if not internal:
        entries = entries.filter(visible_to_company=True)
    return list(entries)


def attachments_for(pilot: Pilot, *, internal: bool) -> QuerySet:
    attachments = pilot.attachments.select_related("uploaded_by")
    if not internal:
        attachments = attachments.filter(visible_to_company=True)
    return attachments


def pending_memberships_for(user) -> QuerySet[CompanyMembership]:
    """Membership requests the user may decide: agents all, company members their company's."""
    requests = CompanyMembership.objects.filter(
        status=CompanyMembership.Status.REQUESTED
    ).select_related("user", "company")
    if user.has_perm("cases.act_as_agent") or user.is_superuser:
        return requests
    return requests.filter(company__in=companies_of(user))
