"""The bell on every page, the list with mark-as-read, the preferences, the hand-over."""

import pytest
from django.core import mail
from django.urls import reverse

from notifications.models import Event, Mode, Notification, NotificationPreference, UserProfile
from tests import factories as f
from workflows.scenarios import open_task


@pytest.fixture
def agent_with_two(world):
    """The agent with two unread notices: two proposals waiting in the queue."""
    pilots = [f.submit_pilot(world.company_a, world.company, title=f"P{n}") for n in (1, 2)]
    assert world.agent.notifications.count() == 2
    return pilots


@pytest.mark.parametrize("url", ["/pilots/", "/workflow/pilot/inbox/", "/notifications/"])
def test_the_bell_shows_the_unread_count_on_every_page(client, world, agent_with_two, url):
    client.force_login(world.agent)
    response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("2 unread") == 1
    assert reverse("notifications:list") in response.content.decode()


def test_no_count_without_unread_notices(client, world):
    client.force_login(world.manager)
    response = client.get("/pilots/")
    assert "unread" not in response.content.decode()
    assert reverse("notifications:list") in response.content.decode()


def test_the_list_shows_only_the_users_own_notices_in_their_language(client, world, agent_with_two):
    client.force_login(world.agent)
    body = client.get("/notifications/").content.decode()
    for pilot in agent_with_two:
        assert f"{pilot.reference}: “Screen the proposal” is waiting in your queue" in body
    client.force_login(world.company)
    body = client.get("/notifications/").content.decode()
    assert "No notifications yet." in body


def test_opening_a_notice_marks_it_read_and_leads_to_the_task(client, world, agent_with_two):
    client.force_login(world.agent)
    notice = world.agent.notifications.get(pilot=agent_with_two[0])
    response = client.get(reverse("notifications:open", args=[notice.pk]))
    task = notice.task
    assert response.status_code == 302
    assert response.url == reverse("pilot:screen:assign", args=[task.process_id, task.pk])
    notice.refresh_from_db()
    assert notice.read_at is not None
    assert world.agent.notifications.filter(read_at__isnull=True).count() == 1


def test_mark_one_and_all_as_read(client, world, agent_with_two):
    client.force_login(world.agent)
    first = world.agent.notifications.order_by("pk").first()
    response = client.post(reverse("notifications:mark_read", args=[first.pk]))
    assert response.status_code == 302
    assert list(
        world.agent.notifications.filter(read_at__isnull=True).values_list("pk", flat=True)
    ) == [world.agent.notifications.order_by("pk").last().pk]
    response = client.post(reverse("notifications:mark_all_read"))
    assert response.status_code == 302
    assert world.agent.notifications.filter(read_at__isnull=True).count() == 0
    assert "unread" not in client.get("/pilots/").content.decode()


def test_another_users_notice_is_404_and_stays_unread(client, world, agent_with_two):
    notice = world.agent.notifications.first()
    client.force_login(world.company)
    assert client.get(reverse("notifications:open", args=[notice.pk])).status_code == 404
    assert client.post(reverse("notifications:mark_read", args=[notice.pk])).status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None


def test_marking_read_needs_a_post(client, world, agent_with_two):
    notice = world.agent.notifications.first()
    client.force_login(world.agent)
    assert client.get(reverse("notifications:mark_read", args=[notice.pk])).status_code == 405
    assert client.get(reverse("notifications:mark_all_read")).status_code == 405


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get("/notifications/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_preferences_are_saved_per_kind_with_the_language(client, world):
    client.force_login(world.company)
    assert client.get("/notifications/preferences/").status_code == 200
    data = {"language": "fi"}
    data.update({f"mode_{kind}": Mode.IMMEDIATE for kind in Event.values})
    data[f"mode_{Event.STAGE_CHANGED}"] = Mode.DIGEST
    data[f"mode_{Event.TASK_DUE_TOMORROW}"] = Mode.OFF
    response = client.post("/notifications/preferences/", data)
    assert response.status_code == 302
    assert UserProfile.objects.get(user=world.company).language == "fi"
    assert sorted(
        NotificationPreference.objects.filter(user=world.company).values_list("kind", "mode")
    ) == [(Event.STAGE_CHANGED, Mode.DIGEST), (Event.TASK_DUE_TOMORROW, Mode.OFF)]
    # the form shows what was saved
    form = client.get("/notifications/preferences/").context["form"]
    assert form[f"mode_{Event.STAGE_CHANGED}"].value() == Mode.DIGEST
    assert form["language"].value() == "fi"
    # back to immediate removes the row
    data[f"mode_{Event.STAGE_CHANGED}"] = Mode.IMMEDIATE
    client.post("/notifications/preferences/", data)
    assert list(
        NotificationPreference.objects.filter(user=world.company).values_list("kind", flat=True)
    ) == [Event.TASK_DUE_TOMORROW]


def test_an_invalid_preference_changes_nothing(client, world):
    client.force_login(world.company)
    data = {"language": "de", f"mode_{Event.STAGE_CHANGED}": "sometimes"}
    response = client.post("/notifications/preferences/", data)
    assert response.status_code == 200
    assert NotificationPreference.objects.count() == 0
    assert UserProfile.objects.count() == 0


# -- handing a task over -------------------------------------------------------------------


def _claimed_screening(world, client):
    pilot = f.submit_pilot(world.company_a, world.company)
    task = open_task(pilot, "screen")
    client.force_login(world.agent)
    client.post(reverse("pilot:screen:assign", args=[task.process_id, task.pk]))
    task.refresh_from_db()
    assert task.owner == world.agent
    return pilot, task


def test_handing_a_task_over_tells_the_new_owner(client, world, django_capture_on_commit_callbacks):
    colleague = f.make_agent("agent2")
    pilot, task = _claimed_screening(world, client)
    url = reverse("pilot:screen:reassign", args=[task.process_id, task.pk])
    # the form offers those who may take the task, but its owner
    form = client.get(url).context["form"]
    assert list(form.fields["to"].queryset) == [colleague]
    # when the agent hands it over
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"to": colleague.pk})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.owner == colleague
    # then the colleague is told by the app and by mail, with a link to the task's form
    notice = Notification.objects.get(kind=Event.TASK_ASSIGNED)
    assert notice.user == colleague
    assert notice.params["by"] == world.agent.get_full_name()
    assert [email.to for email in mail.outbox] == [[colleague.email]]
    execute = reverse("pilot:screen:execute", args=[task.process_id, task.pk])
    assert execute in mail.outbox[0].body
    # and the pilot's page offers the owner the hand-over
    client.force_login(colleague)
    assert url in client.get(pilot.get_absolute_url()).content.decode()


def test_a_task_is_not_handed_over_to_someone_who_may_not_take_it(client, world):
    _pilot, task = _claimed_screening(world, client)
    url = reverse("pilot:screen:reassign", args=[task.process_id, task.pk])
    response = client.post(url, {"to": world.legal.pk})
    assert response.status_code == 200
    assert "to" in response.context["form"].errors
    task.refresh_from_db()
    assert task.owner == world.agent
    assert Notification.objects.filter(kind=Event.TASK_ASSIGNED).count() == 0


def test_only_the_owner_may_hand_a_task_over(client, world):
    colleague = f.make_agent("agent2")
    _pilot, task = _claimed_screening(world, client)
    client.force_login(colleague)
    url = reverse("pilot:screen:reassign", args=[task.process_id, task.pk])
    assert client.post(url, {"to": colleague.pk}).status_code == 403
    task.refresh_from_db()
    assert task.owner == world.agent
    assert Notification.objects.filter(kind=Event.TASK_ASSIGNED).count() == 0


def test_claiming_a_task_oneself_sends_no_notice(client, world):
    _claimed_screening(world, client)
    assert Notification.objects.filter(kind=Event.TASK_ASSIGNED).count() == 0
