"""Writes of the insight app: issuing and revoking a pilot's reference (the Helsinki stamp),
and the dashboard's snapshots of large scopes."""

import datetime
import hashlib
import json
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from cases.models import Evaluation, Pilot, Reference
from cases.selectors import VisibilityScope, visibility_scope
from cases.services import save_with_history, timeline_add
from notifications import services as notification_services

from . import references, selectors, snapshots
from .models import DashboardSnapshot

logger = logging.getLogger(__name__)


@transaction.atomic
def reference_issue(*, pilot: Pilot, by) -> Reference:
    """Issue the pilot's reference; idempotent: a pilot has at most one, and a second call
    returns it unchanged. Needs the division's evaluation, which the reference certifies."""
    existing = Reference.objects.select_for_update().filter(pilot=pilot).first()
    if existing is not None:
        return existing
    if not pilot.evaluations.filter(party=Evaluation.Party.DIVISION).exists():
        raise ValidationError(_("The reference needs the division's evaluation of the pilot."))
    reference = Reference(pilot=pilot, issued=timezone.now(), issued_by=by)
    save_with_history(reference, by=by)  # validates it
    timeline_add(
        pilot=pilot,
        by=by,
        visible_to_company=True,
        text=_("The reference (the Helsinki stamp) was issued to the company."),
    )
    notification_services.reference_issued(pilot=pilot, by=by)
    return reference


@transaction.atomic
def reference_revoke(*, reference: Reference, by, reason: str) -> Reference:
    """An agent revokes a reference, with the reason; the verification page then says so."""
    if not references.can_revoke(by, reference):
        raise PermissionDenied(_("Only an innovation agent may revoke a reference."))
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for revoking the reference.")})
    reference = Reference.objects.select_for_update().get(pk=reference.pk)
    if reference.revoked is not None:
        raise ValidationError(_("The reference is already revoked."))
    reference.revoked = timezone.now()
    reference.revoked_by = by
    reference.revocation_reason = reason.strip()
    reference.full_clean()
    save_with_history(reference, by=by)
    timeline_add(
        pilot=reference.pilot,
        by=by,
        visible_to_company=True,
        text=_("The reference was revoked: %(reason)s") % {"reason": reference.revocation_reason},
    )
    return reference


# -- the dashboard's snapshots ----------------------------------------------------------------

# Snapshots nobody looked at for this long are dropped by the refresh job.
SNAPSHOT_KEEP = datetime.timedelta(days=7)
# How often a served snapshot records that it was looked at (not on every request).
SNAPSHOT_VIEW_MARK = datetime.timedelta(hours=1)


def _snapshot_max_age() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.KOKEILU_DASHBOARD_MAX_AGE)


def snapshot_key(scope: VisibilityScope, filters: dict, language: str) -> str:
    identity = {
        "scope": scope.as_dict(),
        "filters": filters,
        "language": language,
        "format": snapshots.FORMAT,
    }
    return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()


def dashboard_figures(
    user, *, year=None, theme=None, division=None
) -> tuple[dict, datetime.datetime | None]:
    """The dashboard's figures for the user's visible pilots narrowed by the filters, and the
    time they were computed at when they come from a snapshot (else None: computed now).

    Up to `selectors.SMALL_PILOT_SET` pilots (a company, a small division, a narrow filter)
    are computed on each request. A larger set is served from a `DashboardSnapshot` shared by
    every user with the same visibility scope, filters and language, at most
    KOKEILU_DASHBOARD_MAX_AGE seconds old: aggregating every task of 100,000 pilots takes
    seconds. A missing or older snapshot is computed in the request and kept; beat refreshes
    the kept ones before they age out (`dashboard_snapshots_refresh`)."""
    scope = visibility_scope(user)
    filters = {
        "year": year or None,
        "theme": getattr(theme, "pk", theme),
        "division": getattr(division, "pk", division),
    }
    pilots = selectors.scope_pilots(scope, **filters)
    ids = selectors.small_pilot_ids(pilots)
    if ids is not None:
        return selectors.figures_of(pilots, ids), None
    language = get_language() or settings.LANGUAGE_CODE
    key = snapshot_key(scope, filters, language)
    now = timezone.now()
    snapshot = DashboardSnapshot.objects.filter(key=key).first()
    if snapshot is not None and now - snapshot.computed_at < _snapshot_max_age():
        try:
            figures = snapshots.decode(snapshot.figures)
        except (KeyError, TypeError, ValueError, ArithmeticError):
            logger.warning("Dashboard snapshot %s is unreadable; computing it again", snapshot.pk)
        else:
            if now - snapshot.viewed_at > SNAPSHOT_VIEW_MARK:
                DashboardSnapshot.objects.filter(pk=snapshot.pk).update(viewed_at=now)
            return figures, snapshot.computed_at
    figures = selectors.figures_of(pilots, None, now=now)
    DashboardSnapshot.objects.update_or_create(
        key=key,
        defaults={
            "scope": scope.as_dict(),
            "filters": filters,
            "language": language,
            "figures": snapshots.encode(figures),
            "computed_at": now,
            "viewed_at": now,
        },
    )
    return figures, now


def dashboard_snapshots_refresh(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Recompute the snapshots older than half their maximum age, so that the page finds them
    fresh (beat runs this every five minutes), and drop the ones nobody looked at for a week.
    Idempotent: a second run finds nothing old."""
    now = now or timezone.now()
    unviewed = DashboardSnapshot.objects.filter(viewed_at__lt=now - SNAPSHOT_KEEP)
    dropped, _by_model = unviewed.delete()
    refreshed = 0
    stale = DashboardSnapshot.objects.filter(computed_at__lt=now - _snapshot_max_age() / 2)
    for snapshot in stale.order_by("-viewed_at").iterator():
        scope = VisibilityScope.from_dict(snapshot.scope)
        with translation.override(snapshot.language):
            pilots = selectors.scope_pilots(scope, **snapshot.filters)
            figures = selectors.figures_of(pilots, selectors.small_pilot_ids(pilots))
        refreshed += DashboardSnapshot.objects.filter(pk=snapshot.pk).update(
            figures=snapshots.encode(figures), computed_at=timezone.now()
        )
    return {"refreshed": refreshed, "dropped": dropped}
