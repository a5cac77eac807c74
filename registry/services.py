"""Writes of the public registry: the company's consent and trade secrets, and publishing.

Publishing is an explicit act of an innovation agent and needs the company's recorded consent;
withdrawing the consent takes the pilot out of the registry. Each change is saved with its
history and leaves a timeline entry that the company sees.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import TRADE_SECRET_FIELDS, Pilot
from cases.services import save_with_history, timeline_add

from . import selectors

PUBLICATION_FIELDS = [
    "publication_consent",
    "publication_consented_at",
    "publication_consented_by",
    "published",
    "published_at",
    "published_by",
    "modified",
]


def _locked(pilot: Pilot) -> Pilot:
    """The pilot's row, re-read and locked for the rest of the transaction (PostgreSQL)."""
    return Pilot.objects.select_for_update().get(pk=pilot.pk)


def _unpublish(pilot: Pilot) -> None:
    pilot.published = False
    pilot.published_at = None
    pilot.published_by = None


@transaction.atomic
def pilot_consent_publication(*, pilot: Pilot, by, consent: bool = True) -> Pilot:
    """A company user consents to publishing the pilot, or withdraws the consent (which also
    takes the pilot out of the registry)."""
    if not selectors.can_consent_publication(by, pilot):
        raise PermissionDenied(_("Only the company's users decide on publishing its pilot."))
    pilot = _locked(pilot)
    if pilot.publication_consent == consent:
        return pilot
    if consent:
        pilot.publication_consent = True
        pilot.publication_consented_at = timezone.now()
        pilot.publication_consented_by = by
        text = _("The company consented to publishing the pilot in the public registry.")
    else:
        was_published = pilot.published
        pilot.publication_consent = False
        pilot.publication_consented_at = None
        pilot.publication_consented_by = None
        _unpublish(pilot)
        text = _("The company withdrew its consent to publishing the pilot.")
        if was_published:
            text = _(
                "The company withdrew its consent to publishing the pilot; it was taken out of "
                "the public registry."
            )
    save_with_history(pilot, by=by, update_fields=PUBLICATION_FIELDS)
    timeline_add(pilot=pilot, by=by, visible_to_company=True, text=text)
    return pilot


@transaction.atomic
def pilot_mark_trade_secrets(*, pilot: Pilot, by, fields: list[str]) -> Pilot:
    """A company user sets which fields of the proposal are trade secrets (never published)."""
    if not selectors.can_mark_trade_secrets(by, pilot):
        raise PermissionDenied(_("Only the company's users mark its trade secrets."))
    unknown = sorted(set(fields) - set(TRADE_SECRET_FIELDS))
    if unknown:
        raise ValidationError(
            {
                "trade_secret_fields": _("Unknown fields: %(fields)s.")
                % {"fields": ", ".join(unknown)}
            }
        )
    pilot = _locked(pilot)
    wanted = [name for name in TRADE_SECRET_FIELDS if name in fields]
    if wanted == list(pilot.trade_secret_fields or []):
        return pilot
    pilot.trade_secret_fields = wanted
    save_with_history(pilot, by=by, update_fields=["trade_secret_fields", "modified"])
    if wanted:
        labels = dict(_labels())
        text = _("The company marked these fields as trade secrets: %(fields)s.") % {
            "fields": ", ".join(labels[name] for name in wanted)
        }
    else:
        text = _("The company marked no field as a trade secret.")
    timeline_add(pilot=pilot, by=by, visible_to_company=True, text=text)
    return pilot


def _labels():
    from cases.models import trade_secret_choices

    return [(name, str(label).lower()) for name, label in trade_secret_choices()]


@transaction.atomic
def pilot_publish(*, pilot: Pilot, by) -> Pilot:
    """An agent publishes the pilot in the public registry; refused without the company's
    consent."""
    if not selectors.can_publish(by, pilot):
        raise PermissionDenied(_("Only innovation agents publish pilots."))
    pilot = _locked(pilot)
    if not pilot.publication_consent:
        raise ValidationError(_("The company has not consented to publishing this pilot."))
    if pilot.published:
        raise ValidationError(_("The pilot is already published."))
    pilot.published = True
    pilot.published_at = timezone.now()
    pilot.published_by = by
    save_with_history(pilot, by=by, update_fields=PUBLICATION_FIELDS)
    timeline_add(
        pilot=pilot,
        by=by,
        visible_to_company=True,
        text=_("The pilot was published in the public registry."),
    )
    return pilot


@transaction.atomic
def pilot_unpublish(*, pilot: Pilot, by, reason: str = "") -> Pilot:
    """An agent takes the pilot out of the public registry."""
    if not selectors.can_publish(by, pilot):
        raise PermissionDenied(_("Only innovation agents unpublish pilots."))
    pilot = _locked(pilot)
    if not pilot.published:
        raise ValidationError(_("The pilot is not published."))
    _unpublish(pilot)
    save_with_history(pilot, by=by, update_fields=PUBLICATION_FIELDS)
    text = _("The pilot was taken out of the public registry.")
    if reason.strip():
        text = _("The pilot was taken out of the public registry: %(reason)s") % {"reason": reason}
    timeline_add(pilot=pilot, by=by, visible_to_company=True, text=text)
    return pilot
