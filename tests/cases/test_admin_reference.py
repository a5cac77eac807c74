"""References in the Django admin: administrators read and search them and see their history;
issuing and revoking stay in the application, with its rules."""

from django.contrib.auth import get_user_model
from django.urls import reverse

from cases.models import Reference
from insight import services
from tests.insight.helpers import closed_pilot


def _admin(client):
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(admin)
    return admin


def test_an_administrator_reads_and_searches_references(client, world):
    pilot = closed_pilot(world, title="Reading app", division=world.edu, staff=world.edu_staff)
    reference = Reference.objects.get(pilot=pilot)
    services.reference_revoke(reference=reference, by=world.agent, reason="Misleading claims")
    _admin(client)
    listing = client.get(reverse("admin:cases_reference_changelist"), {"q": pilot.reference})
    assert listing.status_code == 200
    assert pilot.reference in listing.content.decode()
    page = client.get(reverse("admin:cases_reference_change", args=[reference.pk]))
    assert page.status_code == 200
    assert "Misleading claims" in page.content.decode()
    history = client.get(reverse("admin:cases_reference_history", args=[reference.pk]))
    assert history.status_code == 200
    assert world.agent.username in history.content.decode()


def test_the_admin_neither_adds_deletes_nor_changes_a_reference(client, world):
    pilot = closed_pilot(world, title="Reading app", division=world.edu, staff=world.edu_staff)
    reference = Reference.objects.get(pilot=pilot)
    _admin(client)
    assert client.get(reverse("admin:cases_reference_add")).status_code == 403
    delete = reverse("admin:cases_reference_delete", args=[reference.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    change = reverse("admin:cases_reference_change", args=[reference.pk])
    client.post(change, {"revocation_reason": "typed in the admin"})
    reference.refresh_from_db()
    assert (reference.revoked, reference.revocation_reason) == (None, "")
    assert Reference.objects.filter(pk=reference.pk).exists()
