"""Writes of the case domain and the one rule of who sees which pilot."""

import datetime
import uuid
from pathlib import Path
from unittest import mock

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone

from cases import selectors, services
from cases.models import Attachment, Company, CompanyMembership, Pilot, ReferenceSequence
from cases.selectors import pilots_visible_to, timeline_for
from cases.timeline import merged_timeline
from tests import factories as f
from workflows import scenarios as sc
from workflows import services as flow_services
from workflows.models import ScreeningDecision
from workflows.scenarios import MINIMAL_PDF

User = get_user_model()

SIGNUP = {
    "email": "aino@example.com",
    "password": "Tunturi-Kettu-2027!",
    "first_name": "Aino",
    "last_name": "Virtanen",
}


def refs(queryset) -> set[str]:
    return set(queryset.values_list("reference", flat=True))


def pdf(name="plan.pdf"):
    return SimpleUploadedFile(name, MINIMAL_PDF, content_type="application/pdf")


@pytest.fixture
def pilots(world):
    """Three pilots: A1 of company A in intake, A2 of company A matched with Education and in
    contracting, B1 of company B proposed to Urban Environment and awaiting its review."""
    w = world
    a1 = f.submit_pilot(w.company_a, w.company, title="A1 intake")
    a2 = f.submit_pilot(w.company_a, w.company, title="A2 contracting")
    sc.screen(a2, w.agent)
    sc.match(a2, w.agent, w.edu)
    sc.review_match(a2, w.edu_staff, site="Kalasataman koulu")
    b1 = f.submit_pilot(w.company_b, w.company2, title="B1 matching")
    sc.screen(b1, w.agent)
    sc.match(b1, w.agent, w.urban)
    for pilot in (a1, a2, b1):
        pilot.refresh_from_db()
    return a1, a2, b1


# -- references ----------------------------------------------------------------------------


def test_reference_allocate_counts_per_year(db):
    # given no references allocated yet
    assert ReferenceSequence.objects.count() == 0
    # when references are allocated in 2026, 2027 and 2026 again
    allocated = [
        services.reference_allocate(year=2026),
        services.reference_allocate(year=2026),
        services.reference_allocate(year=2027),
        services.reference_allocate(year=2026),
        services.reference_allocate(year=2027),
    ]
    # then each year counts from 0001 on its own
    assert allocated == [
        "PIL-2026-0001",
        "PIL-2026-0002",
        "PIL-2027-0001",
        "PIL-2026-0003",
        "PIL-2027-0002",
    ]
    assert dict(ReferenceSequence.objects.values_list("year", "last")) == {2026: 3, 2027: 2}


def test_reference_allocate_pads_to_four_digits_and_grows_beyond(db):
    ReferenceSequence.objects.create(year=2026, last=9998)
    assert services.reference_allocate(year=2026) == "PIL-2026-9999"
    assert services.reference_allocate(year=2026) == "PIL-2026-10000"


def test_reference_allocate_uses_the_local_year(db):
    # given 23:30 UTC on New Year's Eve, already 1:30 on 1 January in Helsinki
    with time_machine.travel(datetime.datetime(2031, 12, 31, 23, 30, tzinfo=datetime.UTC)):
        # when a reference is allocated without a year
        reference = services.reference_allocate()
    # then it belongs to the Helsinki year
    assert reference == "PIL-2032-0001"


def test_submitted_pilots_get_consecutive_references(world):
    # given no pilots this year
    year = timezone.localdate().year
    # when three proposals are submitted
    pilots = [f.submit_pilot(world.company_a, world.company, title=f"P{n}") for n in (1, 2, 3)]
    # then they are numbered 0001, 0002, 0003
    assert [p.reference for p in pilots] == [f"PIL-{year}-{n:04d}" for n in (1, 2, 3)]


# -- sign-up and memberships ---------------------------------------------------------------


def test_signup_with_a_new_business_id_creates_the_company_and_an_active_member(db):
    # given no company with the business ID
    assert Company.objects.count() == 0
    # when a user signs up with it
    membership = services.company_signup(
        username="aino", company_name="Uusi Oy", business_id="0737546-2", **SIGNUP
    )
    # then the company exists with the user as its active member, holding the object perm
    company = Company.objects.get()
    user = User.objects.get(username="aino")
    assert (company.name, company.business_id) == ("Uusi Oy", "0737546-2")
    assert (membership.company, membership.user) == (company, user)
    assert membership.status == CompanyMembership.Status.ACTIVE
    assert membership.decided_by == user
    assert user.check_password("Tunturi-Kettu-2027!")
    assert user.has_perm("cases.act_for_company", company) is True
    assert user.has_perm("cases.act_for_company") is False  # object perm only, never global
    assert list(selectors.companies_of(user)) == [company]
    assert company.history.get().history_user == user


def test_signup_with_a_known_business_id_only_requests_membership(world):
    # given company A with a pilot
    pilot = f.submit_pilot(world.company_a, world.company)
    companies_before = Company.objects.count()
    # when a new user signs up with company A's business ID
    membership = services.company_signup(
        username="aino",
        company_name="Anything Oy",
        business_id=world.company_a.business_id,
        **SIGNUP,
    )
    # then only a membership request exists, and the user has no access at all
    user = f.fresh(membership.user)
    assert Company.objects.count() == companies_before
    assert Company.objects.get(pk=world.company_a.pk).name == "Oppimisratkaisut Oy"
    assert membership.company == world.company_a
    assert membership.status == CompanyMembership.Status.REQUESTED
    assert membership.decided_by is None
    assert user.has_perm("cases.act_for_company", world.company_a) is False
    assert list(selectors.companies_of(user)) == []
    assert list(pilots_visible_to(user)) == []
    assert pilot.reference not in refs(pilots_visible_to(user))


def test_signup_with_an_invalid_business_id_creates_nothing(db):
    users_before = User.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        services.company_signup(
            username="aino", company_name="Uusi Oy", business_id="0737546-3", **SIGNUP
        )
    assert list(excinfo.value.message_dict) == ["business_id"]
    assert User.objects.count() == users_before
    assert Company.objects.count() == 0
    assert CompanyMembership.objects.count() == 0


@pytest.fixture
def request_a(world):
    """A pending request to join company A, and one pilot of company A."""
    pilot = f.submit_pilot(world.company_a, world.company)
    membership = services.company_signup(
        username="aino",
        company_name="Oppimisratkaisut",
        business_id=world.company_a.business_id,
        **SIGNUP,
    )
    return membership, pilot


def test_membership_approve_by_a_member_grants_access(world, request_a):
    # given a pending request to join company A
    membership, pilot = request_a
    # when an active member of company A approves it
    services.membership_approve(membership=membership, by=world.company)
    # then the requester is an active member and sees company A's pilot
    membership.refresh_from_db()
    user = f.fresh(membership.user)
    assert membership.status == CompanyMembership.Status.ACTIVE
    assert membership.decided_by == world.company
    assert user.has_perm("cases.act_for_company", world.company_a) is True
    assert refs(pilots_visible_to(user)) == {pilot.reference}
    assert membership.history.latest("history_date").history_user == world.company


def test_membership_approve_by_an_agent_grants_access(world, request_a):
    membership, pilot = request_a
    services.membership_approve(membership=membership, by=world.agent)
    membership.refresh_from_db()
    assert (membership.status, membership.decided_by) == ("active", world.agent)
    assert refs(pilots_visible_to(f.fresh(membership.user))) == {pilot.reference}


@pytest.mark.parametrize("decider", ["company2", "urban_staff", "legal", "manager", "requester"])
def test_membership_approve_by_an_outsider_is_denied_and_changes_nothing(world, request_a, decider):
    # given a pending request to join company A
    membership, _pilot = request_a
    by = membership.user if decider == "requester" else getattr(world, decider)
    history_before = membership.history.count()
    # when someone who is not a member of company A (nor an agent) approves it
    with pytest.raises(PermissionDenied):
        services.membership_approve(membership=membership, by=by)
    # then nothing changed
    membership.refresh_from_db()
    user = f.fresh(membership.user)
    assert (membership.status, membership.decided_by) == ("requested", None)
    assert membership.history.count() == history_before
    assert user.has_perm("cases.act_for_company", world.company_a) is False
    assert list(pilots_visible_to(user)) == []


def test_membership_decline_by_a_member(world, request_a):
    # given a pending request to join company A
    membership, _pilot = request_a
    # when a member declines it
    services.membership_decline(membership=membership, by=world.company)
    # then it is declined and grants nothing; it can no longer be approved
    membership.refresh_from_db()
    user = f.fresh(membership.user)
    assert (membership.status, membership.decided_by) == ("declined", world.company)
    assert user.has_perm("cases.act_for_company", world.company_a) is False
    assert list(pilots_visible_to(user)) == []
    with pytest.raises(PermissionDenied):
        services.membership_approve(membership=membership, by=world.company)
    membership.refresh_from_db()
    assert membership.status == CompanyMembership.Status.DECLINED


def test_membership_decline_by_an_outsider_is_denied(world, request_a):
    membership, _pilot = request_a
    with pytest.raises(PermissionDenied):
        services.membership_decline(membership=membership, by=world.company2)
    membership.refresh_from_db()
    assert (membership.status, membership.decided_by) == ("requested", None)


def test_membership_end_revokes_access(world):
    # given an active member of company A and its pilot
    pilot = f.submit_pilot(world.company_a, world.company)
    membership = CompanyMembership.objects.get(user=world.company, company=world.company_a)
    assert refs(pilots_visible_to(world.company)) == {pilot.reference}
    # when the membership ends
    services.membership_end(membership=membership, by=world.agent)
    # then the former member sees nothing and holds no perm
    user = f.fresh(world.company)
    assert CompanyMembership.objects.get(pk=membership.pk).status == "ended"
    assert user.has_perm("cases.act_for_company", world.company_a) is False
    assert list(pilots_visible_to(user)) == []


def test_pending_memberships_for_each_decider(world, request_a):
    membership, _pilot = request_a
    assert list(selectors.pending_memberships_for(world.company)) == [membership]
    assert list(selectors.pending_memberships_for(world.agent)) == [membership]
    assert list(selectors.pending_memberships_for(world.company2)) == []
    assert list(selectors.pending_memberships_for(world.edu_staff)) == []
    assert list(selectors.pending_memberships_for(membership.user)) == []


# -- division staff ------------------------------------------------------------------------


def test_division_staff_add_and_remove(world, pilots):
    # given a user with no role and the Education pilot A2
    _a1, a2, _b1 = pilots
    user = f.UserFactory(username="uusi")
    assert list(pilots_visible_to(f.fresh(user))) == []
    # when the user is added to Education staff without signing right
    services.division_staff_add(user=user, division=world.edu)
    user = f.fresh(user)
    # then the user is Education staff, sees its pilot and may not sign
    assert list(selectors.divisions_of(user)) == [world.edu]
    assert list(selectors.divisions_signed_by(user)) == []
    assert refs(pilots_visible_to(user)) == {a2.reference}
    assert selectors.user_role(user) == "division"
    assert user.has_perm("cases.act_for_division") is False  # object perm only
    # when the signing right is added and then the user is removed from the staff
    services.division_staff_add(user=user, division=world.edu, can_sign=True)
    assert list(selectors.divisions_signed_by(f.fresh(user))) == [world.edu]
    services.division_staff_remove(user=user, division=world.edu)
    user = f.fresh(user)
    # then nothing is left
    assert list(selectors.divisions_of(user)) == []
    assert list(selectors.divisions_signed_by(user)) == []
    assert list(pilots_visible_to(user)) == []


def test_division_staff_remove_leaves_other_divisions(world, pilots):
    _a1, a2, b1 = pilots
    user = f.UserFactory(username="both")
    services.division_staff_add(user=user, division=world.edu, can_sign=True)
    services.division_staff_add(user=user, division=world.urban)
    services.division_staff_remove(user=user, division=world.edu)
    user = f.fresh(user)
    assert list(selectors.divisions_of(user)) == [world.urban]
    assert list(selectors.divisions_signed_by(user)) == []
    assert refs(pilots_visible_to(user)) == {b1.reference}
    assert a2.reference not in refs(pilots_visible_to(user))


# -- who sees which pilot ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("agent", {"A1", "A2", "B1"}),
        ("manager", {"A1", "A2", "B1"}),
        ("legal", {"A2"}),  # only A2 is in contracting
        ("edu_staff", {"A2"}),
        ("urban_staff", {"B1"}),  # proposed to Urban Environment, not yet reviewed
        ("company", {"A1", "A2"}),
        ("company2", {"B1"}),
    ],
)
def test_pilots_visible_to_each_role(world, pilots, role, expected):
    # given pilots A1 (A, intake), A2 (A, Education, contracting), B1 (B, Urban, matching)
    by_title = {p.reference: p.title.split()[0] for p in pilots}
    # when the role's visible pilots are listed
    visible = pilots_visible_to(getattr(world, role))
    # then exactly the expected ones are listed
    assert {by_title[r] for r in refs(visible)} == expected
    assert visible.count() == len(expected)


def test_legal_sees_a_pilot_only_once_contracting_starts(world):
    # given a pilot matched with Education but not yet accepted by the division
    pilot = f.submit_pilot(world.company_a, world.company)
    sc.screen(pilot, world.agent)
    sc.match(pilot, world.agent, world.edu)
    assert list(pilots_visible_to(world.legal)) == []
    # when Education accepts it, so that contracting starts
    sc.review_match(pilot, world.edu_staff)
    # then legal sees it
    assert refs(pilots_visible_to(world.legal)) == {pilot.reference}
    pilot.refresh_from_db()
    assert selectors.is_staff_viewer(world.legal, pilot) is True


def test_division_staff_lose_a_pilot_their_division_declines(world):
    pilot = f.submit_pilot(world.company_a, world.company)
    sc.screen(pilot, world.agent)
    sc.match(pilot, world.agent, world.urban)
    assert refs(pilots_visible_to(world.urban_staff)) == {pilot.reference}
    sc.review_match(pilot, world.urban_staff, accept=False, reason="Not our platform.")
    assert list(pilots_visible_to(world.urban_staff)) == []
    assert list(pilots_visible_to(world.edu_staff)) == []


@pytest.mark.parametrize("role", ["agent", "manager", "company", "edu_staff", "legal"])
def test_an_inactive_user_sees_nothing(world, pilots, role):
    user = getattr(world, role)
    user.is_active = False
    user.save()
    assert list(pilots_visible_to(f.fresh(user))) == []


def test_an_anonymous_user_sees_nothing(world, pilots):
    assert list(pilots_visible_to(AnonymousUser())) == []


def test_a_user_without_a_role_sees_nothing(world, pilots):
    assert list(pilots_visible_to(f.UserFactory(username="nobody"))) == []


def test_a_global_division_perm_grants_nothing(world, pilots):
    # given a user holding act_for_division as a global (not object) permission
    from django.contrib.auth.models import Permission

    user = f.UserFactory(username="global")
    user.user_permissions.add(Permission.objects.get(codename="act_for_division"))
    # then it sees no division's pilots (guardian with accept_global_perms=False)
    assert list(pilots_visible_to(f.fresh(user))) == []


# -- attachments ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("virus.exe", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 120, "file_type"),
        ("report.pdf", b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 120, "file_type"),
        ("report.pdf", b"not a pdf at all\n", "file_type"),
        ("empty.pdf", b"", "file_empty"),
    ],
)
def test_attachment_add_rejects_a_bad_file_and_saves_nothing(world, tmp_path, name, content, code):
    # given a pilot of company A and an empty media folder
    pilot = f.submit_pilot(world.company_a, world.company)
    before = Attachment.objects.count()
    uploaded = SimpleUploadedFile(name, content, content_type="application/pdf")
    # when the company uploads a bad file
    with override_settings(MEDIA_ROOT=tmp_path), pytest.raises(ValidationError) as excinfo:
        services.attachment_add(pilot=pilot, by=world.company, uploaded=uploaded)
    # then it is rejected, and neither a row nor a file is saved
    assert excinfo.value.code == code
    assert Attachment.objects.count() == before
    assert list(Path(tmp_path).rglob("*")) == []


@override_settings(KOKEILU_ATTACHMENT_MAX_BYTES=100)
def test_attachment_add_rejects_a_file_over_the_limit(world, tmp_path):
    pilot = f.submit_pilot(world.company_a, world.company)
    with override_settings(MEDIA_ROOT=tmp_path), pytest.raises(ValidationError) as excinfo:
        services.attachment_add(pilot=pilot, by=world.company, uploaded=pdf())
    assert excinfo.value.code == "file_too_large"
    assert Attachment.objects.count() == 0
    assert list(Path(tmp_path).rglob("*")) == []


def test_a_company_upload_is_always_visible_to_the_company(world, tmp_path):
    # given a pilot of company A
    pilot = f.submit_pilot(world.company_a, world.company)
    # when a company user uploads a file and asks to hide it from the company
    with override_settings(MEDIA_ROOT=tmp_path):
        attachment = services.attachment_add(
            pilot=pilot,
            by=world.company,
            uploaded=pdf("plan.pdf"),
            description="Plan",
            visible_to_company=False,
        )
    # then it is visible to the company anyway, stored under a server-made name
    attachment.refresh_from_db()
    assert attachment.visible_to_company is True
    assert (attachment.original_name, attachment.content_type) == ("plan.pdf", "application/pdf")
    assert (attachment.size, attachment.uploaded_by) == (len(MINIMAL_PDF), world.company)
    assert attachment.file.name.startswith(f"attachments/{pilot.pk}/")
    assert not attachment.file.name.endswith("plan.pdf")
    assert list(selectors.attachments_for(pilot, internal=False)) == [attachment]
    assert attachment.history.get().history_user == world.company


def test_an_agent_may_add_an_internal_attachment(world, tmp_path):
    pilot = f.submit_pilot(world.company_a, world.company)
    with override_settings(MEDIA_ROOT=tmp_path):
        internal = services.attachment_add(
            pilot=pilot, by=world.agent, uploaded=pdf("memo.pdf"), visible_to_company=False
        )
        shared = services.attachment_add(
            pilot=pilot, by=world.agent, uploaded=pdf("shared.pdf"), visible_to_company=True
        )
    assert list(selectors.attachments_for(pilot, internal=True)) == [internal, shared]
    assert list(selectors.attachments_for(pilot, internal=False)) == [shared]


@pytest.mark.parametrize("role", ["company2", "urban_staff", "legal", "manager"])
def test_attachment_add_by_someone_without_the_right_is_denied(world, tmp_path, role):
    pilot = f.submit_pilot(world.company_a, world.company)
    with override_settings(MEDIA_ROOT=tmp_path), pytest.raises(PermissionDenied):
        services.attachment_add(pilot=pilot, by=getattr(world, role), uploaded=pdf())
    assert Attachment.objects.count() == 0
    assert list(Path(tmp_path).rglob("*")) == []


# -- timeline visibility -------------------------------------------------------------------


@pytest.fixture
def noted_pilot(world):
    """A screened pilot with an internal note and a message to the company."""
    pilot = f.submit_pilot(world.company_a, world.company)
    services.pilot_note_add(
        pilot=pilot, by=world.agent, text="Internal: check the data.", visible_to_company=False
    )
    services.pilot_note_add(
        pilot=pilot, by=world.agent, text="Welcome aboard.", visible_to_company=True
    )
    sc.screen(pilot, world.agent, ScreeningDecision.ACCEPT)
    pilot.refresh_from_db()
    return pilot


def test_timeline_for_hides_internal_entries_from_company_viewers(world, noted_pilot):
    pilot = noted_pilot
    company_view = [(e.kind, e.text) for e in timeline_for(pilot, internal=False)]
    staff_view = [(e.kind, e.text) for e in timeline_for(pilot, internal=True)]
    assert company_view == [
        ("event", f"Proposal {pilot.reference} submitted."),
        ("message", "Welcome aboard."),
        ("event", "The proposal was accepted for matching with a division."),
    ]
    assert staff_view == [
        ("event", f"Proposal {pilot.reference} submitted."),
        ("note", "Internal: check the data."),
        ("message", "Welcome aboard."),
        ("event", "The proposal was accepted for matching with a division."),
    ]


def test_merged_timeline_for_the_company_has_only_visible_entries(world, noted_pilot):
    pilot = noted_pilot
    # when the company's view of the timeline is merged
    items = merged_timeline(pilot, internal=False)
    # then it holds only the company-visible entries: no note, task or history item
    assert [(i.source, i.text, i.visible_to_company) for i in items] == [
        ("entry", f"Proposal {pilot.reference} submitted.", True),
        ("entry", "Welcome aboard.", True),
        ("entry", "The proposal was accepted for matching with a division.", True),
    ]


def test_merged_timeline_for_staff_adds_internal_entries_and_history(world, noted_pilot):
    pilot = noted_pilot
    items = merged_timeline(pilot, internal=True)
    entries = [(i.text, i.visible_to_company) for i in items if i.source == "entry"]
    assert entries == [
        (f"Proposal {pilot.reference} submitted.", True),
        ("Internal: check the data.", False),
        ("Welcome aboard.", True),
        ("The proposal was accepted for matching with a division.", True),
    ]
    # the pilot's audit history: its creation and the change of stage by screening
    history = [i for i in items if i.source == "history"]
    assert len(history) == 2
    assert [i.visible_to_company for i in history] == [False, False]
    assert [i.when for i in items] == sorted(i.when for i in items)


def test_pilot_note_add_by_a_company_user_is_denied(world):
    pilot = f.submit_pilot(world.company_a, world.company)
    entries_before = pilot.timeline.count()
    with pytest.raises(PermissionDenied):
        services.pilot_note_add(
            pilot=pilot, by=world.company, text="Let me in.", visible_to_company=False
        )
    assert pilot.timeline.count() == entries_before


def test_progress_report_submit_outside_execution_is_denied(world):
    pilot = f.submit_pilot(world.company_a, world.company)
    with pytest.raises(PermissionDenied):
        services.progress_report_submit(
            pilot=pilot,
            by=world.company,
            period_end=datetime.date(2027, 4, 30),
            progress="Going well.",
        )
    assert pilot.progress_reports.count() == 0


# -- submission tokens ---------------------------------------------------------------------


def _lookup_missing_once(real_lookup):
    """The token look-up as a racing worker sees it: its first look-up runs before the other
    submission commits, so it finds nothing; later look-ups see the committed row."""
    calls = []

    def lookup(token):
        calls.append(token)
        return None if len(calls) == 1 else real_lookup(token)

    return lookup, calls


def test_a_duplicate_token_that_slips_past_the_first_check_returns_the_first_pilot(world):
    # given a pilot submitted with a token
    token = uuid.uuid4()
    first = f.submit_pilot(world.company_a, world.company, submission_token=token)
    last_before = ReferenceSequence.objects.get().last
    lookup, calls = _lookup_missing_once(flow_services._pilot_with_token)
    # when a second submission with the same token misses it in its first look-up
    with mock.patch.object(flow_services, "_pilot_with_token", lookup):
        second = flow_services.pilot_submit(
            company=world.company_a,
            by=world.company,
            proposal=sc.proposal(f.theme(), title="Again"),
            submission_token=token,
        )
    # then it returns the first pilot, and its own attempt left nothing behind
    assert second == first
    assert calls == [token, token]
    assert Pilot.objects.count() == 1
    assert ReferenceSequence.objects.get().last == last_before
    assert first.timeline.count() == 1


def test_a_submission_with_invalid_data_still_raises(world):
    # given a proposal whose period ends before it starts, with a fresh token
    proposal = sc.proposal(
        f.theme(),
        start=datetime.date(2027, 3, 1),
        planned_end=datetime.date(2027, 2, 1),
    )
    # when it is submitted
    with pytest.raises(ValidationError) as excinfo:
        flow_services.pilot_submit(
            company=world.company_a,
            by=world.company,
            proposal=proposal,
            submission_token=uuid.uuid4(),
        )
    # then the error is the data's, and nothing is saved
    assert "submission_token" not in excinfo.value.message_dict
    assert Pilot.objects.count() == 0
    assert ReferenceSequence.objects.filter(last__gt=0).count() == 0
