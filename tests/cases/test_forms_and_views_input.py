"""Bad input through the pages: a clear message, and nothing saved."""

import uuid

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from cases.models import Attachment, Company, CompanyMembership, Pilot
from cases.selectors import pilots_visible_to
from tests import factories as f
from workflows.scenarios import MINIMAL_PDF

User = get_user_model()

ELF_BYTES = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 120


def signup_data(**overrides) -> dict:
    data = {
        "first_name": "Aino",
        "last_name": "Virtanen",
        "email": "aino@example.com",
        "username": "aino",
        "password": "Tunturi-Kettu-2027!",
        "company_name": "Uusi Oy",
        "business_id": "0737546-2",
    }
    data.update(overrides)
    return data


def proposal_data(**overrides) -> dict:
    data = {
        "title": "Smart school lighting",
        "summary": "Lights that follow daylight and presence.",
        "need": "Schools spend too much on lighting.",
        "solution": "Sensors and a control unit per classroom.",
        "theme": f.theme().pk,
        "site_wish": "Kalasataman koulu",
        "planned_start": "2027-03-01",
        "planned_end": "2027-08-31",
        "cost_to_city": "0",
        "funding_sources": ["innovation_fund"],
        "expected_impact": "Lower energy use.",
        "kpis": "kWh per classroom",
        "emission_reduction_estimate": "",
        "contact_name": "Aino Virtanen",
        "contact_email": "aino@example.com",
        "contact_phone": "",
        "submission_token": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def logged_in(client, user):
    client.force_login(user)
    return client


# -- sign-up -------------------------------------------------------------------------------


def test_signup_with_a_wrong_check_digit_shows_it_and_creates_nothing(client, db):
    # given the sign-up page and a business ID whose check digit is wrong (right: 2)
    users_before = User.objects.count()
    # when the form is posted
    response = client.post("/portal/signup/", signup_data(business_id="0737546-3"))
    # then the form comes back with the reason, and no user or company exists
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "business_id": ["0737546-3 is not a valid business ID: its check digit does not match."]
    }
    assert "0737546-3 is not a valid business ID: its check digit does not match." in (
        response.content.decode()
    )
    assert User.objects.count() == users_before
    assert Company.objects.count() == 0
    assert CompanyMembership.objects.count() == 0
    assert "_auth_user_id" not in client.session


def test_signup_with_a_badly_formed_business_id_shows_the_expected_form(client, db):
    response = client.post("/portal/signup/", signup_data(business_id="07375462"))
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "business_id": [
            "Enter the business ID in the form 1234567-8 (seven digits, a hyphen, a digit)."
        ]
    }
    assert User.objects.filter(username="aino").count() == 0
    assert Company.objects.count() == 0


def test_signup_with_a_missing_field_creates_nothing(client, db):
    response = client.post("/portal/signup/", signup_data(company_name=""))
    assert response.status_code == 200
    assert response.context["form"].errors == {"company_name": ["This field is required."]}
    assert User.objects.filter(username="aino").count() == 0
    assert Company.objects.count() == 0


def test_signup_with_a_valid_new_business_id_creates_the_company(client, db):
    # the control case: the same form with a valid business ID
    response = client.post("/portal/signup/", signup_data(), follow=True)
    assert response.redirect_chain == [("/portal/", 302)]
    assert messages_of(response) == ["Welcome! Your company's account is ready."]
    company = Company.objects.get()
    assert (company.name, company.business_id) == ("Uusi Oy", "0737546-2")
    membership = CompanyMembership.objects.get()
    assert (membership.user.username, membership.status) == ("aino", "active")


# -- proposals -----------------------------------------------------------------------------


def test_proposal_ending_before_it_starts_is_refused(client, world):
    # given a company user on the proposal page
    logged_in(client, world.company)
    # when the planned end is before the planned start
    response = client.post(
        "/pilots/new/", proposal_data(planned_start="2027-08-31", planned_end="2027-03-01")
    )
    # then the form comes back with the reason on the end date, and no pilot exists
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "planned_end": ["The planned end must not be before the start."]
    }
    assert "The planned end must not be before the start." in response.content.decode()
    assert Pilot.objects.count() == 0


def test_proposal_without_a_title_is_refused(client, world):
    logged_in(client, world.company)
    data = proposal_data()
    del data["title"]
    response = client.post("/pilots/new/", data)
    assert response.status_code == 200
    assert response.context["form"].errors == {"title": ["This field is required."]}
    assert Pilot.objects.count() == 0


def test_proposal_with_an_unknown_funding_source_is_refused(client, world):
    logged_in(client, world.company)
    response = client.post("/pilots/new/", proposal_data(funding_sources=["lottery"]))
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "funding_sources": ["Select a valid choice. lottery is not one of the available choices."]
    }
    assert Pilot.objects.count() == 0


def test_the_refused_proposal_keeps_its_submission_token(client, world):
    # a corrected resubmission must reuse the token, so a double click still makes one pilot
    logged_in(client, world.company)
    token = str(uuid.uuid4())
    response = client.post(
        "/pilots/new/", proposal_data(submission_token=token, planned_end="2026-01-01")
    )
    assert str(response.context["submission_token"]) == token


def test_a_double_submitted_proposal_creates_one_pilot(client, world):
    # given a company user and one filled proposal form with its submission token
    logged_in(client, world.company)
    data = proposal_data()
    # when the form is posted twice with the same token
    first = client.post("/pilots/new/", data)
    second = client.post("/pilots/new/", data)
    # then one pilot exists and both posts lead to it
    pilot = Pilot.objects.get()
    assert Pilot.objects.count() == 1
    assert (first.status_code, first["Location"]) == (302, f"/pilots/{pilot.reference}/")
    assert (second.status_code, second["Location"]) == (302, f"/pilots/{pilot.reference}/")
    assert str(pilot.submission_token) == data["submission_token"]
    assert pilot.process.task_set.filter(flow_task_type="HUMAN").count() == 1
    assert pilot.timeline.count() == 1


def test_two_proposals_with_different_tokens_create_two_pilots(client, world):
    logged_in(client, world.company)
    client.post("/pilots/new/", proposal_data())
    client.post("/pilots/new/", proposal_data())
    assert Pilot.objects.count() == 2


def test_a_user_without_a_company_may_not_propose(client, world):
    logged_in(client, f.UserFactory(username="nobody"))
    response = client.post("/pilots/new/", proposal_data())
    assert response.status_code == 403
    assert Pilot.objects.count() == 0


# -- attachments ---------------------------------------------------------------------------


@pytest.fixture
def company_pilot(world):
    return f.submit_pilot(world.company_a, world.company, title="Lighting")


@override_settings(KOKEILU_ATTACHMENT_MAX_BYTES=1024)
def test_an_attachment_over_the_limit_is_refused_with_both_sizes(
    client, world, company_pilot, tmp_path
):
    # given a limit of 1 KB and a 2 KB PDF
    logged_in(client, world.company)
    content = MINIMAL_PDF + b"%" * (2048 - len(MINIMAL_PDF))
    uploaded = SimpleUploadedFile("big.pdf", content, content_type="application/pdf")
    url = f"/pilots/{company_pilot.reference}/attachments/"
    # when the company uploads it
    with override_settings(MEDIA_ROOT=tmp_path):
        response = client.post(url, {"file": uploaded, "description": "Plan"}, follow=True)
    # then the pilot page says why, and nothing is saved
    assert response.redirect_chain == [(f"/pilots/{company_pilot.reference}/", 302)]
    assert messages_of(response) == [
        "File: The file is 2.0\xa0KB; the largest allowed is 1.0\xa0KB."
    ]
    assert Attachment.objects.count() == 0
    assert list(tmp_path.rglob("*")) == []


def test_an_executable_named_pdf_is_refused(client, world, company_pilot, tmp_path):
    # given an ELF executable named as a PDF
    logged_in(client, world.company)
    uploaded = SimpleUploadedFile("report.pdf", ELF_BYTES, content_type="application/pdf")
    url = f"/pilots/{company_pilot.reference}/attachments/"
    # when the company uploads it
    with override_settings(MEDIA_ROOT=tmp_path):
        response = client.post(url, {"file": uploaded}, follow=True)
    # then the pilot page says the type is not allowed, and nothing is saved
    assert response.status_code == 200
    assert messages_of(response) == [
        "File: This type of file is not allowed. Upload a PDF, an image (PNG or JPEG), an "
        "office document (Word, Excel, PowerPoint, OpenDocument) or a text or CSV file."
    ]
    assert Attachment.objects.count() == 0
    assert list(tmp_path.rglob("*")) == []


def test_an_empty_upload_is_refused(client, world, company_pilot, tmp_path):
    logged_in(client, world.company)
    uploaded = SimpleUploadedFile("empty.pdf", b"", content_type="application/pdf")
    with override_settings(MEDIA_ROOT=tmp_path):
        response = client.post(
            f"/pilots/{company_pilot.reference}/attachments/", {"file": uploaded}, follow=True
        )
    assert messages_of(response) == ["File: The submitted file is empty."]
    assert Attachment.objects.count() == 0


def test_a_valid_attachment_is_saved(client, world, company_pilot, tmp_path):
    # the control case: a real PDF under the limit
    logged_in(client, world.company)
    uploaded = SimpleUploadedFile("plan.pdf", MINIMAL_PDF, content_type="application/pdf")
    with override_settings(MEDIA_ROOT=tmp_path):
        response = client.post(
            f"/pilots/{company_pilot.reference}/attachments/", {"file": uploaded}, follow=True
        )
    assert messages_of(response) == ["The file was added."]
    attachment = Attachment.objects.get()
    assert (attachment.pilot, attachment.original_name) == (company_pilot, "plan.pdf")
    assert len(list(tmp_path.rglob("*.*"))) == 0  # stored without the user's extension
    assert len([p for p in tmp_path.rglob("*") if p.is_file()]) == 1


def test_an_upload_to_another_companys_pilot_is_404(client, world, company_pilot, tmp_path):
    logged_in(client, world.company2)
    uploaded = SimpleUploadedFile("plan.pdf", MINIMAL_PDF, content_type="application/pdf")
    with override_settings(MEDIA_ROOT=tmp_path):
        response = client.post(
            f"/pilots/{company_pilot.reference}/attachments/", {"file": uploaded}
        )
    assert response.status_code == 404
    assert Attachment.objects.count() == 0


# -- joining an existing company -----------------------------------------------------------


def test_joining_a_known_company_needs_a_members_approval(world, client):
    # given company A with a pilot, and a stranger signing up with company A's business ID
    pilot = f.submit_pilot(world.company_a, world.company, title="Lighting")
    response = client.post(
        "/portal/signup/",
        signup_data(company_name="Oppimisratkaisut", business_id=world.company_a.business_id),
        follow=True,
    )
    # then only a membership request exists, and the requester sees none of A's pilots
    assert messages_of(response) == [
        "Oppimisratkaisut Oy already has an account. A member of the company or an innovation "
        "agent will approve your request."
    ]
    assert Company.objects.filter(business_id=world.company_a.business_id).count() == 1
    membership = CompanyMembership.objects.get(user__username="aino")
    assert (membership.company, membership.status) == (world.company_a, "requested")
    assert list(response.context["pilots"]) == []
    assert client.get(f"/pilots/{pilot.reference}/").status_code == 404
    assert client.get("/pilots/new/").status_code == 403

    # when a member of another company tries to approve it
    outsider = logged_in(type(client)(), world.company2)
    denied = outsider.post(f"/portal/memberships/{membership.pk}/", {"decision": "approve"})
    # then it is not found for them and nothing changes
    assert denied.status_code == 404
    membership.refresh_from_db()
    assert membership.status == "requested"

    # when the requester tries to approve their own request
    own = client.post(f"/portal/memberships/{membership.pk}/", {"decision": "approve"})
    assert own.status_code == 404
    membership.refresh_from_db()
    assert membership.status == "requested"

    # when a member of company A approves it on the portal
    member = logged_in(type(client)(), world.company)
    assert list(member.get("/portal/").context["pending_requests"]) == [membership]
    approved = member.post(
        f"/portal/memberships/{membership.pk}/", {"decision": "approve"}, follow=True
    )
    # then the requester is a member and sees the pilot
    assert approved.redirect_chain == [("/portal/", 302)]
    assert messages_of(approved) == ["aino is now a member."]
    membership.refresh_from_db()
    assert (membership.status, membership.decided_by) == ("active", world.company)
    assert client.get(f"/pilots/{pilot.reference}/").status_code == 200
    assert list(client.get("/portal/").context["pilots"]) == [pilot]
    assert list(pilots_visible_to(f.fresh(membership.user))) == [pilot]


def test_a_declined_request_gives_no_access(world, client):
    pilot = f.submit_pilot(world.company_a, world.company, title="Lighting")
    client.post(
        "/portal/signup/",
        signup_data(company_name="Oppimisratkaisut", business_id=world.company_a.business_id),
    )
    membership = CompanyMembership.objects.get(user__username="aino")
    member = logged_in(type(client)(), world.company)
    member.post(f"/portal/memberships/{membership.pk}/", {"decision": "decline"})
    membership.refresh_from_db()
    assert (membership.status, membership.decided_by) == ("declined", world.company)
    assert client.get(f"/pilots/{pilot.reference}/").status_code == 404
    # a decided request cannot be decided again
    again = member.post(f"/portal/memberships/{membership.pk}/", {"decision": "approve"})
    assert again.status_code == 404
    membership.refresh_from_db()
    assert membership.status == "declined"
