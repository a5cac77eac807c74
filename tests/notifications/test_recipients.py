"""Each event reaches the right people, once (notifications.services and their hooks)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import override_settings

from cases.models import Evaluation, Stage
from notifications import services
from notifications.models import Event, Notification, OutboxMessage
from tests import factories as f
from workflows import scenarios as sc
from workflows.models import ScreeningDecision
from workflows.scenarios import open_task

HELSINKI = ZoneInfo("Europe/Helsinki")
D = datetime.date


def helsinki(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=HELSINKI)


def told(pilot, kind) -> list[str]:
    """Usernames notified of `kind` on `pilot`."""
    return sorted(
        Notification.objects.filter(pilot=pilot, kind=kind).values_list("user__username", flat=True)
    )


def stage_notices(pilot) -> list[tuple[str, str, str]]:
    return sorted(
        (n.user.username, n.params["old_stage"], n.params["stage"])
        for n in Notification.objects.filter(pilot=pilot, kind=Event.STAGE_CHANGED)
    )


# -- tasks opening -------------------------------------------------------------------------


def test_a_new_proposal_waits_in_the_agents_queue(world):
    # given a second agent and an administrator, neither of whom should be left out or in
    other_agent = f.make_agent("agent2")
    f.UserFactory(username="root", is_superuser=True, is_staff=True)
    # when a company submits a proposal
    pilot = f.submit_pilot(world.company_a, world.company)
    # then both agents, and only they, are told that screening waits in their queue
    assert told(pilot, Event.TASK_AVAILABLE) == ["agent", "agent2"]
    notice = Notification.objects.get(pilot=pilot, user=other_agent)
    assert notice.task == open_task(pilot, "screen")
    assert notice.params["node"] == "screen"
    # and each gets one mail in the outbox, with a dedupe key of event, pilot, task and user
    task = open_task(pilot, "screen")
    assert sorted(OutboxMessage.objects.values_list("dedupe_key", flat=True)) == [
        f"task_available:p{pilot.pk}:t{task.pk}:u{world.agent.pk}",
        f"task_available:p{pilot.pk}:t{task.pk}:u{other_agent.pk}",
    ]
    assert Notification.objects.count() == 2


def test_a_request_for_information_goes_to_the_companys_users_only(world):
    colleague = f.make_company_user(world.company_a, "company-colleague")
    pilot = f.submit_pilot(world.company_a, world.company)
    # when the agent asks for more information
    sc.screen(pilot, world.agent, ScreeningDecision.REQUEST_INFORMATION, "Which schools?")
    # then the company's two users are asked, with the agent's message; the other company not
    assert told(pilot, Event.INFORMATION_REQUESTED) == ["company", "company-colleague"]
    notice = Notification.objects.get(pilot=pilot, user=colleague)
    assert notice.params["message"] == "Which schools?"
    # and the stage did not change, so nobody is told of one
    assert stage_notices(pilot) == []


def test_matching_puts_the_review_in_the_chosen_divisions_queue(world):
    pilot = f.submit_pilot(world.company_a, world.company)
    sc.screen(pilot, world.agent)
    # when the agent matches the pilot with Education
    sc.match(pilot, world.agent, world.edu)
    # then Education's staff, not Urban Environment's, are told of the review
    assert told(pilot, Event.TASK_AVAILABLE) == ["agent", "agent", "edu"]
    review = open_task(pilot, "review_match")
    assert list(
        Notification.objects.filter(task=review).values_list("user__username", flat=True)
    ) == ["edu"]


def test_the_whole_lifecycle_tells_each_party_its_part(world):
    pilot = f.submit_pilot(world.company_a, world.company)
    sc.screen(pilot, world.agent)
    sc.match(pilot, world.agent, world.edu)
    sc.review_match(pilot, world.edu_staff)
    # prepare_contract waits for legal staff
    assert told(pilot, Event.TASK_AVAILABLE) == ["agent", "agent", "edu", "legal"]
    sc.prepare_contract(pilot, world.legal, world.edu_staff)
    # the company receives its contract
    assert told(pilot, Event.CONTRACT_RECEIVED) == ["company"]
    sc.accept_contract(pilot, world.company)
    # the legal staff who issued it and the pilot's agent hear that it was accepted, and the
    # division's signatories find the signing in their queue
    assert told(pilot, Event.CONTRACT_ACCEPTED) == ["agent", "legal"]
    assert told(pilot, Event.TASK_AVAILABLE) == ["agent", "agent", "edu", "edu", "legal"]
    sc.sign_contract(pilot, world.edu_staff)
    assert told(pilot, Event.CONTRACT_SIGNED) == ["agent", "legal"]
    sc.run_pilot(pilot, world.agent)
    # both evaluations wait: the division's staff and the company's users
    assert told(pilot, Event.EVALUATION_WAITING) == ["company", "edu"]
    sc.evaluate(pilot, world.edu_staff, Evaluation.Party.DIVISION)
    sc.evaluate(pilot, world.company, Evaluation.Party.COMPANY)
    sc.decide_scaling(pilot, world.edu_staff)
    # the company followed every stage of its pilot, once each
    assert stage_notices(pilot) == [
        ("company", "contracting", "execution"),
        ("company", "evaluation", "scaling"),
        ("company", "execution", "evaluation"),
        ("company", "intake", "matching"),
        ("company", "matching", "contracting"),
        ("company", "scaling", "closed"),
    ]
    # nobody outside the pilot heard anything of it
    outsiders = ["company2", "manager", "urban"]
    assert Notification.objects.filter(user__username__in=outsiders).count() == 0


def test_a_decline_and_a_change_request_loop_back_with_new_notices(world):
    pilot = f.submit_pilot(world.company_a, world.company)
    sc.screen(pilot, world.agent)
    sc.match(pilot, world.agent, world.urban)
    sc.review_match(pilot, world.urban_staff, accept=False, reason="Not our area.")
    # the second match is a new task: the agents are told again
    sc.match(pilot, world.agent, world.edu)
    assert told(pilot, Event.TASK_AVAILABLE) == ["agent", "agent", "agent", "edu", "urban"]
    sc.review_match(pilot, world.edu_staff)
    sc.prepare_contract(pilot, world.legal, world.edu_staff)
    sc.accept_contract(pilot, world.company, accept=False, comment="Change the period.")
    sc.prepare_contract(pilot, world.legal, world.edu_staff)
    # a contract issued again is received again; nothing was accepted
    assert told(pilot, Event.CONTRACT_RECEIVED) == ["company", "company"]
    assert told(pilot, Event.CONTRACT_ACCEPTED) == []


def test_a_rejection_tells_the_company_its_pilot_closed(world):
    pilot = f.submit_pilot(world.company_a, world.company)
    sc.screen(pilot, world.agent, ScreeningDecision.REJECT, "Out of scope.")
    assert stage_notices(pilot) == [("company", "intake", "closed")]


def test_a_withdrawal_tells_the_other_users_of_the_company_not_the_one_who_did_it(world):
    f.make_company_user(world.company_a, "company-colleague")
    pilot = f.submit_pilot(world.company_a, world.company)
    from workflows.services import pilot_withdraw

    pilot_withdraw(pilot=pilot, by=world.company, reason="Priorities changed.")
    assert stage_notices(pilot) == [("company-colleague", "intake", "closed")]


def test_inactive_users_and_users_without_email_get_no_mail(world):
    quiet = f.make_agent("agent-no-mail")
    quiet.email = ""
    quiet.save()
    gone = f.make_agent("agent-gone")
    gone.is_active = False
    gone.save()
    pilot = f.submit_pilot(world.company_a, world.company)
    # the agent without an address gets the notice in the app only; the inactive one nothing
    assert told(pilot, Event.TASK_AVAILABLE) == ["agent", "agent-no-mail"]
    assert list(OutboxMessage.objects.values_list("recipient__username", flat=True)) == ["agent"]


# -- reminders -----------------------------------------------------------------------------


def _screening_opened_on(world, day):
    with time_machine.travel(helsinki(*day, 9, 0), tick=False):
        return f.submit_pilot(world.company_a, world.company)


def test_a_task_due_on_the_next_working_day_is_reminded_to_everyone_who_may_take_it(world):
    other_agent = f.make_agent("agent2")
    # given screening opened on Thursday 18 June 2026: due 5 working days later, on Friday
    # 26 June (Midsummer Eve 19 June does not count)
    pilot = _screening_opened_on(world, (2026, 6, 18))
    task = open_task(pilot, "screen")
    assert task.deadline.due == D(2026, 6, 26)
    # when the reminders run on Wednesday 24 June, nothing is due tomorrow yet
    assert services.reminders_send(today=D(2026, 6, 24))["due_tomorrow"] == 0
    # when they run on Thursday 25 June
    counts = services.reminders_send(today=D(2026, 6, 25))
    # then both agents (nobody has taken the task) are reminded, once however often it runs
    assert counts["due_tomorrow"] == 2
    assert services.reminders_send(today=D(2026, 6, 25))["due_tomorrow"] == 0
    assert told(pilot, Event.TASK_DUE_TOMORROW) == ["agent", "agent2"]
    assert other_agent.notifications.get(kind=Event.TASK_DUE_TOMORROW).params["due"] == (
        "2026-06-26"
    )


def test_a_friday_reminds_of_what_is_due_on_monday(world):
    # screening opened on Monday 2 March 2026 is due Monday 9 March
    pilot = _screening_opened_on(world, (2026, 3, 2))
    assert open_task(pilot, "screen").deadline.due == D(2026, 3, 9)
    assert services.reminders_send(today=D(2026, 3, 6))["due_tomorrow"] == 1
    assert told(pilot, Event.TASK_DUE_TOMORROW) == ["agent"]


def test_an_overdue_task_is_reminded_to_its_owner_and_later_to_the_pilots_agent(world):
    # given a pilot matched by the agent on Monday 2 March 2026 with Education, whose review is
    # due on Monday 9 March and was taken by a member of the division's staff
    pilot = _screening_opened_on(world, (2026, 3, 2))
    with time_machine.travel(helsinki(2026, 3, 2, 10, 0), tick=False):
        sc.screen(pilot, world.agent)
        sc.match(pilot, world.agent, world.edu)
    colleague = f.make_division_staff(world.edu, "edu2")
    review = open_task(pilot, "review_match")
    with review.activation() as activation:
        activation.assign(colleague)
    assert review.deadline.due == D(2026, 3, 9)
    # when the reminders run on the due date, nothing is overdue
    assert services.reminders_send(today=D(2026, 3, 9))["overdue"] == 0
    # on Tuesday 10 March the owner, and only the owner, is reminded
    counts = services.reminders_send(today=D(2026, 3, 10))
    assert (counts["overdue"], counts["escalated"]) == (1, 0)
    assert told(pilot, Event.TASK_OVERDUE) == ["edu2"]
    # on Thursday 12 March it is 3 working days overdue (the default), and the agent who
    # follows the pilot is told too, with the owner's name
    counts = services.reminders_send(today=D(2026, 3, 12))
    assert (counts["overdue"], counts["escalated"]) == (0, 1)
    assert told(pilot, Event.TASK_OVERDUE_ESCALATION) == ["agent"]
    escalation = Notification.objects.get(kind=Event.TASK_OVERDUE_ESCALATION)
    assert escalation.params["days"] == 3
    assert escalation.params["owner"] == colleague.get_full_name()
    # and a later run adds nothing
    assert services.reminders_send(today=D(2026, 3, 20)) == {
        "due_tomorrow": 0,
        "overdue": 0,
        "escalated": 0,
        "planned_end": 0,
    }


@override_settings(KOKEILU_OVERDUE_ESCALATION_DAYS=1)
def test_the_escalation_delay_is_a_setting_in_working_days(world):
    pilot = _screening_opened_on(world, (2026, 3, 2))
    with time_machine.travel(helsinki(2026, 3, 2, 10, 0), tick=False):
        sc.screen(pilot, world.agent)
        sc.match(pilot, world.agent, world.edu)
    # review due Monday 9 March; on Tuesday 10 March it is one working day overdue
    counts = services.reminders_send(today=D(2026, 3, 10))
    assert (counts["overdue"], counts["escalated"]) == (1, 1)
    assert told(pilot, Event.TASK_OVERDUE) == ["edu"]
    assert told(pilot, Event.TASK_OVERDUE_ESCALATION) == ["agent"]


def test_an_overdue_task_of_the_agent_is_not_escalated_to_the_same_agent(world):
    pilot = _screening_opened_on(world, (2026, 3, 2))
    task = open_task(pilot, "screen")
    with task.activation() as activation:
        activation.assign(world.agent)
    counts = services.reminders_send(today=D(2026, 3, 20))
    assert (counts["overdue"], counts["escalated"]) == (1, 0)
    assert told(pilot, Event.TASK_OVERDUE) == ["agent"]


def _running_pilot(world, months=3):
    start = D(2026, 3, 2)
    pilot = f.submit_pilot(world.company_a, world.company)
    pilot.planned_start = start
    pilot.planned_end = start + datetime.timedelta(days=30 * months)
    pilot.save()
    sc.screen(pilot, world.agent)
    sc.match(pilot, world.agent, world.edu)
    sc.review_match(pilot, world.edu_staff)
    sc.prepare_contract(pilot, world.legal, world.edu_staff)
    sc.accept_contract(pilot, world.company)
    sc.sign_contract(pilot, world.edu_staff)
    pilot.refresh_from_db()
    assert pilot.stage == Stage.EXECUTION
    return pilot


def test_a_pilot_ending_in_14_days_is_reminded_to_its_agent_and_company(world):
    pilot = _running_pilot(world)
    end = pilot.planned_end  # 31 May 2026
    # 15 days before, nothing; 14 days before, the agents' queue (nobody took the follow-up
    # yet) and the company's users, once
    assert services.reminders_send(today=end - datetime.timedelta(days=15))["planned_end"] == 0
    assert services.reminders_send(today=end - datetime.timedelta(days=14))["planned_end"] == 2
    assert services.reminders_send(today=end - datetime.timedelta(days=3))["planned_end"] == 0
    assert told(pilot, Event.PLANNED_END_NEAR) == ["agent", "company"]
    assert Notification.objects.get(kind=Event.PLANNED_END_NEAR, user=world.company).params == {
        "end": end.isoformat()
    }


def test_a_postponed_end_is_reminded_again(world):
    pilot = _running_pilot(world)
    services.reminders_send(today=pilot.planned_end - datetime.timedelta(days=10))
    pilot.planned_end += datetime.timedelta(days=30)
    pilot.save()
    services.reminders_send(today=pilot.planned_end - datetime.timedelta(days=10))
    assert told(pilot, Event.PLANNED_END_NEAR) == ["agent", "agent", "company", "company"]


def test_notify_twice_writes_once(world):
    pilot = f.submit_pilot(world.company_a, world.company)
    before = (Notification.objects.count(), OutboxMessage.objects.count())
    for _round in range(2):
        services.pilot_stage_changed(pilot=pilot, old_stage="intake")
    assert (Notification.objects.count(), OutboxMessage.objects.count()) == (
        before[0] + 1,
        before[1] + 1,
    )


@pytest.mark.parametrize("suppressed", [True, False])
def test_demo_data_writes_notices_without_mail(world, suppressed):
    if suppressed:
        with services.mail_suppressed():
            f.submit_pilot(world.company_a, world.company)
    else:
        f.submit_pilot(world.company_a, world.company)
    assert Notification.objects.count() == 1
    assert OutboxMessage.objects.count() == (0 if suppressed else 1)
