"""Writes of the case domain: companies and memberships, references, timeline, reports, files."""

import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from . import selectors, tracking
from .models import (
    Attachment,
    Company,
    CompanyMembership,
    Division,
    Pilot,
    ProgressReport,
    ReferenceSequence,
    TimelineEntry,
)
from .roles import GROUP_PERMISSIONS
from .validators import safe_file_name, validate_attachment

User = get_user_model()


def save_with_history(instance, *, by, update_fields=None) -> None:
    """Validate and save a tracked model, recording `by` as the acting user in its history.

    A model with `tracking.LoadedValues` is validated for what changed since it was loaded or
    last saved here (with every constraint naming a changed field); others are validated
    whole. A foreign key to a row the instance holds is not looked up again (tracking.py).
    """
    tracking.full_clean(instance)
    instance._history_user = by
    instance.save(update_fields=update_fields)
    if isinstance(instance, tracking.LoadedValues):
        tracking.remember_values(instance, update_fields)


def roles_ensure() -> None:
    """Create the role groups with their permissions (idempotent; run after every migrate)."""
    for group_name, perms in GROUP_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=group_name)
        wanted = []
        for perm in perms:
            app_label, codename = perm.split(".")
            wanted.extend(
                Permission.objects.filter(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(wanted)


# -- references ----------------------------------------------------------------------------


def reference_allocate(*, year: int | None = None) -> str:
    """The next reference PIL-YYYY-NNNN. Must run inside the transaction that saves the pilot.

    The counter row is incremented with one UPDATE, which holds its row lock until the
    transaction ends, so concurrent submissions get distinct numbers.
    """
    year = year or timezone.localdate().year
    for _attempt in range(3):
        updated = ReferenceSequence.objects.filter(year=year).update(last=F("last") + 1)
        if updated:
            number = ReferenceSequence.objects.get(year=year).last
            return f"PIL-{year}-{number:04d}"
        try:
            with transaction.atomic():
                ReferenceSequence.objects.create(year=year, last=1)
            return f"PIL-{year}-0001"
        except IntegrityError:
            continue  # another submission created the year's row first; increment it
    raise RuntimeError("could not allocate a pilot reference")


# -- companies and memberships --------------------------------------------------------------


def _grant_company(user, company: Company) -> None:
    assign_perm("cases.act_for_company", user, company)


def _revoke_company(user, company: Company) -> None:
    remove_perm("cases.act_for_company", user, company)


@transaction.atomic
def company_create(*, name: str, business_id: str, by=None, website: str = "") -> Company:
    company = Company(name=name, business_id=business_id, website=website)
    save_with_history(company, by=by)
    return company


@transaction.atomic
def membership_activate(*, company: Company, user, by=None) -> CompanyMembership:
    """Make the user an active member of the company (used by sign-up and approvals)."""
    membership = CompanyMembership.objects.filter(company=company, user=user).first()
    if membership is None:
        membership = CompanyMembership(company=company, user=user)
    membership.status = CompanyMembership.Status.ACTIVE
    membership.decided_by = by
    save_with_history(membership, by=by)
    _grant_company(user, company)
    return membership


@transaction.atomic
def company_signup(
    *,
    username: str,
    email: str,
    password: str,
    first_name: str,
    last_name: str,
    company_name: str,
    business_id: str,
) -> CompanyMembership:
    """Create a company user. A new business ID creates the company with the user as its first
    member; a known one only requests membership, which a member or an agent decides."""
    user = User(username=username, email=email, first_name=first_name, last_name=last_name)
    user.set_password(password)
    user.full_clean()
    user.save()
    company = Company.objects.filter(business_id=business_id).first()
    if company is None:
        company = company_create(name=company_name, business_id=business_id, by=user)
        return membership_activate(company=company, user=user, by=user)
    membership = CompanyMembership(company=company, user=user)
    save_with_history(membership, by=user)
    return membership


def _check_may_decide(membership: CompanyMembership, by) -> None:
    if not selectors.pending_memberships_for(by).filter(pk=membership.pk).exists():
        raise PermissionDenied(_("You may not decide this membership request."))


@transaction.atomic
def membership_approve(*, membership: CompanyMembership, by) -> CompanyMembership:
    _check_may_decide(membership, by)
    return membership_activate(company=membership.company, user=membership.user, by=by)


@transaction.atomic
def membership_decline(*, membership: CompanyMembership, by) -> CompanyMembership:
    _check_may_decide(membership, by)
    membership.status = CompanyMembership.Status.DECLINED
    membership.decided_by = by
    save_with_history(membership, by=by)
    return membership


@transaction.atomic
def membership_end(*, membership: CompanyMembership, by) -> CompanyMembership:
    membership.status = CompanyMembership.Status.ENDED
    membership.decided_by = by
    save_with_history(membership, by=by)
    _revoke_company(membership.user, membership.company)
    return membership


# -- division staff -------------------------------------------------------------------------


@transaction.atomic
def division_staff_add(*, user, division: Division, can_sign: bool = False) -> None:
    """Make the user staff of the division; `can_sign` gives the right to sign contracts."""
    assign_perm("cases.act_for_division", user, division)
    if can_sign:
        assign_perm("cases.sign_for_division", user, division)


@transaction.atomic
def division_staff_remove(*, user, division: Division) -> None:
    remove_perm("cases.act_for_division", user, division)
    remove_perm("cases.sign_for_division", user, division)


# -- timeline, reports, files ---------------------------------------------------------------


def timeline_add(
    *,
    pilot: Pilot,
    text: str,
    by=None,
    visible_to_company: bool = False,
    kind: str = TimelineEntry.Kind.EVENT,
) -> TimelineEntry:
    entry = TimelineEntry(
        pilot=pilot, text=text, author=by, visible_to_company=visible_to_company, kind=kind
    )
    save_with_history(entry, by=by)
    return entry


@transaction.atomic
def pilot_note_add(*, pilot: Pilot, by, text: str, visible_to_company: bool) -> TimelineEntry:
    if not selectors.can_add_note(by, pilot):
        raise PermissionDenied(_("You may not write on this pilot's timeline."))
    if not text.strip():
        raise ValidationError({"text": _("Write the note.")})
    kind = TimelineEntry.Kind.MESSAGE if visible_to_company else TimelineEntry.Kind.NOTE
    return timeline_add(
        pilot=pilot, text=text, by=by, visible_to_company=visible_to_company, kind=kind
    )


@transaction.atomic
def pilot_milestone_record(*, pilot: Pilot, by, text: str, visible_to_company: bool = True):
    if not selectors.can_record_milestone(by, pilot):
        raise PermissionDenied(_("Milestones are recorded by agents while the pilot runs."))
    if not text.strip():
        raise ValidationError({"text": _("Describe the milestone.")})
    return timeline_add(
        pilot=pilot,
        text=text,
        by=by,
        visible_to_company=visible_to_company,
        kind=TimelineEntry.Kind.MILESTONE,
    )


@transaction.atomic
def progress_report_submit(
    *,
    pilot: Pilot,
    by,
    period_end: datetime.date,
    progress: str,
    kpi_values: str = "",
    issues: str = "",
) -> ProgressReport:
    if not selectors.can_report_progress(by, pilot):
        raise PermissionDenied(_("The company reports progress while the pilot runs."))
    report = ProgressReport(
        pilot=pilot,
        author=by,
        period_end=period_end,
        progress=progress,
        kpi_values=kpi_values,
        issues=issues,
    )
    save_with_history(report, by=by)
    timeline_add(
        pilot=pilot,
        by=by,
        visible_to_company=True,
        text=_("Progress report for %(date)s submitted.") % {"date": period_end.isoformat()},
    )
    return report


@transaction.atomic
def attachment_add(
    *, pilot: Pilot, by, uploaded, description: str = "", visible_to_company: bool = True
) -> Attachment:
    if not selectors.can_upload_attachment(by, pilot):
        raise PermissionDenied(_("You may not add files to this pilot."))
    content_type = validate_attachment(uploaded)
    if not selectors.is_staff_viewer(by, pilot):
        visible_to_company = True  # what a company adds is always its own to see
    attachment = Attachment(
        pilot=pilot,
        original_name=safe_file_name(uploaded.name),
        content_type=content_type,
        size=uploaded.size,
        description=description,
        visible_to_company=visible_to_company,
        uploaded_by=by,
    )
    attachment.file.save(uploaded.name, uploaded, save=False)
    save_with_history(attachment, by=by)
    return attachment
