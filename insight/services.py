"""Writes of the insight app: issuing and revoking a pilot's reference (the Helsinki stamp)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Evaluation, Pilot, Reference
from cases.services import save_with_history, timeline_add
from notifications import services as notification_services

from . import references


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
