"""The reference (the Helsinki stamp): issued with the scaling decision, downloaded as a PDF
certificate, verified by anyone, revoked by an agent."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases.models import Reference, TimelineEntry
from insight import certificate, services
from notifications.models import Event, Notification
from tests import factories as f
from tests.insight.helpers import closed_pilot


def _granted(w, **proposal):
    pilot = closed_pilot(w, title="Reading app", division=w.edu, staff=w.edu_staff, **proposal)
    return pilot, Reference.objects.get(pilot=pilot)


def test_granting_the_reference_in_the_scaling_decision_issues_it(world):
    pilot, reference = _granted(world)
    assert reference.issued_by == world.edu_staff
    assert reference.revoked is None
    assert len(reference.code) == 32
    assert reference.history.count() == 1
    assert (
        TimelineEntry.objects.filter(
            pilot=pilot,
            visible_to_company=True,
            text="The reference (the Helsinki stamp) was issued to the company.",
        ).count()
        == 1
    )


def test_the_company_is_told_once_that_its_reference_is_ready(world):
    # given a pilot whose scaling decision granted the reference
    pilot, _reference = _granted(world)
    # when the reference is issued again (idempotent)
    services.reference_issue(pilot=pilot, by=world.agent)
    # then the company's user got exactly one notice of it, and nobody else did
    notices = Notification.objects.filter(pilot=pilot, kind=Event.REFERENCE_ISSUED)
    assert list(notices.values_list("user__username", flat=True)) == [world.company.username]


def test_no_reference_when_the_decision_does_not_grant_it(world):
    w = world
    pilot = closed_pilot(w, title="No stamp", division=w.edu, staff=w.edu_staff, grant=False)
    assert Reference.objects.filter(pilot=pilot).count() == 0


def test_issuing_is_idempotent(world):
    pilot, reference = _granted(world)
    again = services.reference_issue(pilot=pilot, by=world.agent)
    assert again.pk == reference.pk
    assert again.code == reference.code
    assert Reference.objects.filter(pilot=pilot).count() == 1


def test_codes_are_unique_and_unguessable(world):
    w = world
    first = closed_pilot(w, title="First", division=w.edu, staff=w.edu_staff)
    second = closed_pilot(w, title="Second", division=w.edu, staff=w.edu_staff)
    codes = set(Reference.objects.filter(pilot__in=[first, second]).values_list("code", flat=True))
    assert len(codes) == 2
    assert all(first.reference not in code and str(first.pk) != code for code in codes)


# -- verification -----------------------------------------------------------------------------


def test_anyone_verifies_a_valid_reference(client, world):
    pilot, reference = _granted(world)
    response = client.get(f"/verify/{reference.code}/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "This reference is valid." in content
    assert pilot.title in content
    assert "Oppimisratkaisut Oy" in content
    assert "Involve the end users from the first week." in content  # the division's lessons
    assert "contact@example.com" not in content  # contact details are never public
    assert response.context["valid"] is True
    assert response["X-Robots-Tag"] == "noindex"


def test_verification_withholds_the_company_s_trade_secrets(client, world):
    _pilot, reference = _granted(
        world, summary="A secret way to teach reading.", trade_secret_fields=["summary"]
    )
    content = client.get(f"/verify/{reference.code}/").content.decode()
    assert "A secret way to teach reading." not in content
    assert "Withheld: a trade secret of the company." in content


def test_a_revoked_reference_is_shown_revoked_with_its_date_but_not_the_reason(client, world):
    _pilot, reference = _granted(world)
    with time_machine.travel(datetime.datetime(2028, 5, 4, 10, tzinfo=datetime.UTC), tick=False):
        services.reference_revoke(
            reference=reference, by=world.agent, reason="Misused in marketing."
        )
    response = client.get(f"/verify/{reference.code}/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "This reference was revoked on May 4, 2028." in content
    assert "This reference is valid." not in content
    assert "Misused in marketing." not in content
    assert response.context["valid"] is False


def test_an_unknown_code_is_404_and_leaks_nothing(client, world):
    pilot, reference = _granted(world)
    wrong = reference.code[:-1] + ("A" if reference.code[-1] != "A" else "B")
    response = client.get(f"/verify/{wrong}/")
    assert response.status_code == 404
    content = response.content.decode()
    assert pilot.title not in content
    assert pilot.reference not in content
    assert "Oppimisratkaisut" not in content
    assert client.get("/verify/x/").status_code == 404


# -- the certificate --------------------------------------------------------------------------


def test_the_company_downloads_its_certificate(client, world):
    pilot, _reference = _granted(world)
    client.force_login(world.company)
    response = client.get(f"/pilots/{pilot.reference}/reference/certificate.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert response["Content-Disposition"] == (
        f'attachment; filename="reference-{pilot.reference}.pdf"'
    )


def test_the_pilot_page_shows_the_reference_to_the_company(client, world, settings):
    settings.SITE_URL = "https://kokeilu.example.fi"
    pilot, reference = _granted(world)
    client.force_login(world.company)
    content = client.get(pilot.get_absolute_url()).content.decode()
    assert f"https://kokeilu.example.fi/verify/{reference.code}/" in content
    assert reverse("insight:reference_certificate", args=[pilot.reference]) in content
    assert "Revoke the reference" not in content


def test_another_company_cannot_download_the_certificate(client, world):
    pilot, _reference = _granted(world)
    client.force_login(world.company2)
    assert client.get(f"/pilots/{pilot.reference}/reference/certificate.pdf").status_code == 404


def test_no_certificate_for_a_pilot_without_a_reference(client, world):
    w = world
    pilot = f.submit_pilot(w.company_a, w.company, title="Fresh")
    client.force_login(w.company)
    assert client.get(f"/pilots/{pilot.reference}/reference/certificate.pdf").status_code == 404


def test_the_qr_code_links_to_the_absolute_verification_address(world, settings):
    settings.SITE_URL = "https://kokeilu.example.fi/"
    _pilot, reference = _granted(world)
    record = certificate.verification_record(reference)
    assert record["verify_url"] == f"https://kokeilu.example.fi/verify/{reference.code}/"
    png = certificate.qr_png(record["verify_url"])
    assert png.startswith(b"\x89PNG")


# -- revocation -------------------------------------------------------------------------------


def test_an_agent_revokes_with_a_reason(client, world):
    pilot, reference = _granted(world)
    client.force_login(world.agent)
    response = client.post(
        f"/pilots/{pilot.reference}/reference/revoke/", {"reason": "The results were misquoted."}
    )
    assert response.status_code == 302
    reference.refresh_from_db()
    assert reference.revoked is not None
    assert reference.revoked_by == world.agent
    assert reference.revocation_reason == "The results were misquoted."
    assert [h.history_type for h in reference.history.order_by("history_id")] == ["+", "~"]
    assert (
        TimelineEntry.objects.filter(
            pilot=pilot, text="The reference was revoked: The results were misquoted."
        ).count()
        == 1
    )
    # the revoked certificate is no longer offered
    client.force_login(world.company)
    assert client.get(f"/pilots/{pilot.reference}/reference/certificate.pdf").status_code == 404


def test_division_staff_may_not_revoke(client, world):
    pilot, reference = _granted(world)
    client.force_login(world.edu_staff)
    response = client.post(f"/pilots/{pilot.reference}/reference/revoke/", {"reason": "No."})
    assert response.status_code == 403
    reference.refresh_from_db()
    assert (reference.revoked, reference.revocation_reason) == (None, "")
    assert reference.history.count() == 1


def test_the_company_may_not_revoke_its_own_reference(client, world):
    pilot, reference = _granted(world)
    client.force_login(world.company)
    response = client.post(f"/pilots/{pilot.reference}/reference/revoke/", {"reason": "No."})
    assert response.status_code == 403
    reference.refresh_from_db()
    assert reference.revoked is None


def test_another_company_gets_404_on_revoke(client, world):
    pilot, reference = _granted(world)
    client.force_login(world.company2)
    response = client.post(f"/pilots/{pilot.reference}/reference/revoke/", {"reason": "No."})
    assert response.status_code == 404
    reference.refresh_from_db()
    assert reference.revoked is None


def test_revoking_needs_a_reason(client, world):
    pilot, reference = _granted(world)
    client.force_login(world.agent)
    response = client.post(
        f"/pilots/{pilot.reference}/reference/revoke/", {"reason": "  "}, follow=True
    )
    assert "Give the reason for revoking the reference." in response.content.decode()
    reference.refresh_from_db()
    assert reference.revoked is None
    assert reference.history.count() == 1


def test_a_reference_is_revoked_only_once(world):
    _pilot, reference = _granted(world)
    services.reference_revoke(reference=reference, by=world.agent, reason="First.")
    with pytest.raises(ValidationError, match="already revoked"):
        services.reference_revoke(reference=reference, by=world.agent, reason="Second.")
    reference.refresh_from_db()
    assert reference.revocation_reason == "First."


def test_the_agent_sees_the_revoke_form_on_the_pilot_page(client, world):
    pilot, _reference = _granted(world)
    client.force_login(world.agent)
    content = client.get(pilot.get_absolute_url()).content.decode()
    assert "Revoke the reference" in content
