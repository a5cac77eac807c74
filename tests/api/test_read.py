"""Every read endpoint of the API for every role: the exact set of visible objects, 404 for
the others, 401 without credentials."""

import pytest
from django.urls import reverse
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from cases.models import Company, Division, PlatformTheme
from cases.selectors import pilots_visible_to
from contracts.models import Contract
from notifications.models import Notification
from tests.api.conftest import ROLES, token_client

PILOTS = {
    "agent": ["a_intake", "a_contract", "b_review", "b_info"],
    "manager": ["a_intake", "a_contract", "b_review", "b_info"],
    "legal": ["a_contract"],
    "edu_staff": ["a_contract"],
    "urban_staff": ["b_review"],
    "company": ["a_intake", "a_contract"],
    "company2": ["b_review", "b_info"],
}
# The user's tasks: those they hold and those waiting that they may take, as (pilot, node).
MY_TASKS = {
    "agent": [("a_intake", "screen")],
    "manager": [],
    "legal": [],
    "edu_staff": [],
    "urban_staff": [("b_review", "review_match")],
    "company": [("a_contract", "accept_contract")],
    "company2": [("b_info", "request_information")],
}
COMPANIES = {
    "agent": ["company_a", "company_b"],
    "manager": ["company_a", "company_b"],
    "legal": ["company_a"],
    "edu_staff": ["company_a"],
    "urban_staff": ["company_b"],
    "company": ["company_a"],
    "company2": ["company_b"],
}
CONTRACTS = {
    "agent": ["a_contract"],
    "manager": ["a_contract"],
    "legal": ["a_contract"],
    "edu_staff": ["a_contract"],
    "urban_staff": [],
    "company": ["a_contract"],
    "company2": [],
}


def _all(client, url, **params) -> list[dict]:
    """Every item of a paginated list."""
    items, page = [], 1
    while True:
        response = client.get(url, {**params, "page": page})
        assert response.status_code == 200, response.content
        body = response.json()
        items += body["results"]
        if not body["next"]:
            return items
        page += 1


def _open_task(pilot, node) -> Task:
    return Task.objects.get(
        process__pilotprocess__pilot=pilot,
        flow_task_type="HUMAN",
        status__in=[STATUS.NEW, STATUS.ASSIGNED],
        flow_task=getattr(__import__("workflows.flows").flows.PilotFlow, node),
    )


# -- pilots ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_pilot_list_is_scoped_by_the_one_selector(scene, role):
    user = getattr(scene.w, role)
    client = token_client(user)
    # when the user lists pilots
    items = _all(client, reverse("api:pilot-list"))
    # then exactly the pilots the selector gives are listed
    expected = {getattr(scene.p, name).pk for name in PILOTS[role]}
    assert {item["id"] for item in items} == expected
    assert expected == set(pilots_visible_to(user).values_list("pk", flat=True))


@pytest.mark.parametrize("role", ROLES)
def test_pilot_detail_and_timeline_are_404_unless_visible(scene, role):
    client = token_client(getattr(scene.w, role))
    for name, pilot in vars(scene.p).items():
        detail = client.get(reverse("api:pilot-detail", args=[pilot.reference]))
        timeline = client.get(reverse("api:pilot-timeline", args=[pilot.reference]))
        if name in PILOTS[role]:
            assert (detail.status_code, timeline.status_code) == (200, 200)
            assert detail.json()["reference"] == pilot.reference
        else:
            assert (detail.status_code, timeline.status_code) == (404, 404)


def test_company_token_cannot_read_another_companys_pilot(scene):
    # given company B's user with an API token
    client = token_client(scene.w.company2)
    # when they ask for company A's pilot, its timeline, or filter for company A
    for url in (
        reverse("api:pilot-detail", args=[scene.p.a_intake.reference]),
        reverse("api:pilot-timeline", args=[scene.p.a_intake.reference]),
    ):
        # then it is not found
        assert client.get(url).status_code == 404
    response = client.get(reverse("api:pilot-list"), {"company": scene.w.company_a.pk})
    assert response.json()["results"] == []


def test_pilot_filters(scene):
    client = token_client(scene.w.agent)
    p = scene.p

    def refs(**params):
        return sorted(
            item["reference"] for item in _all(client, reverse("api:pilot-list"), **params)
        )

    assert refs(stage="intake") == sorted([p.a_intake.reference, p.b_info.reference])
    assert refs(division="urban-environment") == [p.b_review.reference]
    assert refs(theme="learning", company=scene.w.company_b.pk) == sorted(
        [p.b_review.reference, p.b_info.reference]
    )
    assert refs(year=2027, q="contracting") == [p.a_contract.reference]
    assert refs(year=2026) == []
    assert refs(outcome="rejected") == []
    assert refs(published=True) == []
    # an invalid filter is a 400 naming it
    response = client.get(reverse("api:pilot-list"), {"stage": "nowhere", "year": "x"})
    assert response.status_code == 400
    assert sorted(response.json()) == ["stage", "year"]


def test_timeline_hides_internal_entries_from_the_company(scene):
    pilot = scene.p.b_review  # Urban Environment's review is pending: internal tasks exist
    staff = token_client(scene.w.agent).get(reverse("api:pilot-timeline", args=[pilot.reference]))
    company = token_client(scene.w.company2).get(
        reverse("api:pilot-timeline", args=[pilot.reference])
    )
    staff_sources = {item["source"] for item in staff.json()}
    company_items = company.json()
    assert staff_sources == {"entry", "task", "history"}
    assert {item["source"] for item in company_items} == {"entry"}
    assert all(item["visible_to_company"] for item in company_items)
    assert len(company_items) < len(staff.json())


# -- tasks ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_task_list_is_the_users_inbox_and_queue(scene, role):
    client = token_client(getattr(scene.w, role))
    items = _all(client, reverse("api:task-list"))
    expected = {_open_task(getattr(scene.p, name), node).pk for name, node in MY_TASKS[role]}
    assert {item["id"] for item in items} == expected
    for item in items:
        assert (item["status"], item["owner"], item["can_assign"]) == ("NEW", None, True)


@pytest.mark.parametrize("role", ROLES)
def test_task_detail_is_404_unless_the_user_sees_the_task(scene, role):
    user = getattr(scene.w, role)
    client = token_client(user)
    seen_whole = {
        "agent": PILOTS["agent"],
        "manager": PILOTS["manager"],
        "legal": ["a_contract"],
        "edu_staff": ["a_contract"],
        "urban_staff": ["b_review"],
        "company": [],
        "company2": [],
    }[role]
    own_company = {"company": "company_a", "company2": "company_b"}.get(role)
    for name, pilot in vars(scene.p).items():
        for task in Task.objects.filter(process__pilotprocess__pilot=pilot, flow_task_type="HUMAN"):
            response = client.get(reverse("api:task-detail", args=[task.pk]))
            company_task = (
                task.owner_permission == "cases.act_for_company"
                and own_company is not None
                and pilot.company == getattr(scene.w, own_company)
            )
            visible = name in seen_whole or company_task or task.owner_id == user.pk
            assert response.status_code == (200 if visible else 404), (name, task.flow_task)


def test_task_list_filters(scene):
    client = token_client(scene.w.urban_staff)
    task = _open_task(scene.p.b_review, "review_match")
    assert [t["id"] for t in _all(client, reverse("api:task-list"), box="queue")] == [task.pk]
    assert _all(client, reverse("api:task-list"), box="inbox") == []
    assert _all(client, reverse("api:task-list"), pilot=scene.p.a_contract.reference) == []


# -- companies, divisions, themes, contracts, notifications --------------------------------


def test_company_list_is_scoped(scene):
    for role in ROLES:
        client = token_client(getattr(scene.w, role))
        items = _all(client, reverse("api:company-list"))
        expected = {getattr(scene.w, name).pk for name in COMPANIES[role]}
        assert {item["id"] for item in items} == expected, role
        for pk in set(Company.objects.values_list("pk", flat=True)) - expected:
            response = client.get(reverse("api:company-detail", args=[pk]))
            assert response.status_code == 404, role
    assert Company.objects.count() == 2


def test_divisions_and_themes_are_listed_for_every_user(world):
    for role in ROLES:
        client = token_client(getattr(world, role))
        divisions = _all(client, reverse("api:division-list"))
        themes = _all(client, reverse("api:theme-list"))
        assert {d["code"] for d in divisions} == set(
            Division.objects.values_list("code", flat=True)
        )
        assert {t["code"] for t in themes} == set(
            PlatformTheme.objects.values_list("code", flat=True)
        )
        assert (len(divisions), len(themes)) == (5, 5)


def test_contract_list_is_scoped(scene):
    contract = Contract.objects.get(pilot=scene.p.a_contract)
    for role in ROLES:
        client = token_client(getattr(scene.w, role))
        items = _all(client, reverse("api:contract-list"))
        expected = {
            Contract.objects.get(pilot=getattr(scene.p, name)).pk for name in CONTRACTS[role]
        }
        assert {item["id"] for item in items} == expected, role
        detail = client.get(reverse("api:contract-detail", args=[contract.pk]))
        assert detail.status_code == (200 if expected else 404), role
        if expected:
            assert detail.json()["pilot"] == scene.p.a_contract.reference
            assert detail.json()["document_sha256"] == contract.document_sha256


def test_notification_list_is_the_users_own(scene):
    for role in ROLES:
        user = getattr(scene.w, role)
        client = token_client(user)
        items = _all(client, reverse("api:notification-list"))
        expected = set(
            Notification.objects.filter(user=user, pilot__in=pilots_visible_to(user)).values_list(
                "pk", flat=True
            )
        )
        assert {item["id"] for item in items} == expected, role
        for notification in Notification.objects.exclude(user=user)[:3]:
            response = client.get(reverse("api:notification-detail", args=[notification.pk]))
            assert response.status_code == 404, role


def test_a_notification_is_marked_read(scene):
    notification = Notification.objects.filter(user=scene.w.agent).first()
    if notification is None:
        pytest.skip("the notifications app wrote no notice for the agent in this scene")
    client = token_client(scene.w.agent)
    response = client.post(reverse("api:notification-read", args=[notification.pk]))
    assert response.status_code == 200
    notification.refresh_from_db()
    assert notification.read_at is not None
    # another user's notice is not found, and stays unread
    other = Notification.objects.exclude(user=scene.w.company).filter(read_at=None).first()
    if other is not None:
        response = token_client(scene.w.company).post(
            reverse("api:notification-read", args=[other.pk])
        )
        assert response.status_code == 404
        other.refresh_from_db()
        assert other.read_at is None


# -- authentication -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/pilots/",
        "/api/v1/tasks/",
        "/api/v1/companies/",
        "/api/v1/divisions/",
        "/api/v1/themes/",
        "/api/v1/contracts/",
        "/api/v1/notifications/",
    ],
)
def test_every_list_needs_credentials(client, scene, url):
    # without a token or a session: 401, never a redirect to the login page
    response = client.get(url)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    # a wrong token: 401 too
    response = client.get(url, HTTP_AUTHORIZATION="Token not-a-token")
    assert response.status_code == 401


def test_session_authentication_for_the_browser(client, scene):
    client.force_login(scene.w.company)
    response = client.get("/api/v1/pilots/")
    assert response.status_code == 200
    assert response.json()["count"] == 2


def test_schema_and_docs_are_served(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    document = schema.json()
    assert document["openapi"].startswith("3.")
    assert "/api/v1/tasks/{id}/execute/" in document["paths"]
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content


def test_unknown_api_paths_are_json_404(client, db):
    for method in ("get", "post"):
        response = getattr(client, method)("/api/v1/nothing/here/")
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}


def test_throttling(scene, monkeypatch):
    from rest_framework.throttling import UserRateThrottle

    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "3/minute", "anon": None})
    client = token_client(scene.w.agent)
    codes = [client.get("/api/v1/themes/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
