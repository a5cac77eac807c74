"""Reads about references: who may see, download or revoke one, and the public record that
/verify/<code>/ and the certificate show."""

from django.conf import settings
from django.urls import reverse

from cases.models import Evaluation, Pilot, Reference
from cases.selectors import pilots_visible_to
from registry.selectors import public_pilot


def reference_of(user, pilot: Pilot) -> Reference | None:
    """The pilot's reference, for a user who sees the pilot."""
    if not pilots_visible_to(user).filter(pk=pilot.pk).exists():
        return None
    return Reference.objects.filter(pilot=pilot).select_related("revoked_by").first()


def can_revoke(user, reference: Reference) -> bool:
    return (
        user.is_authenticated
        and user.is_active
        and reference.revoked is None
        and user.has_perm("cases.act_as_agent")
    )


def verify_url(reference: Reference) -> str:
    """The absolute address of the verification page, from the site's public address."""
    base = settings.SITE_URL.rstrip("/")
    return base + reverse("verify", kwargs={"code": reference.code})


def verification_record(reference: Reference) -> dict:
    """What anyone holding the code sees: the pilot's public record (trade secrets withheld
    by the registry's own `public_pilot`), its period, the division's evaluation and the state
    of the reference. Never contact details, never internal notes."""
    pilot = (
        Pilot.objects.select_related("company", "theme", "division", "scaling_decision")
        .prefetch_related("evaluations")
        .get(pk=reference.pilot_id)
    )
    record = public_pilot(pilot)
    division_evaluation = next(
        (
            evaluation
            for evaluation in record["results"]["evaluations"]
            if evaluation["party"] == Evaluation.Party.DIVISION
        ),
        None,
    )
    return {
        "pilot": record,
        "evaluation": division_evaluation,
        "reference": reference,
        "valid": reference.revoked is None,
        "verify_url": verify_url(reference),
    }
