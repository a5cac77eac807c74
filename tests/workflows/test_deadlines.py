"""Due dates in working days: weekends and Finnish public holidays do not count."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.test import override_settings

from tests import factories as f
from workflows import scenarios as sc
from workflows.deadlines import (
    add_working_days,
    is_working_day,
    service_level,
    working_days_back,
    working_days_between,
)
from workflows.flows import PilotFlow
from workflows.models import TaskDeadline
from workflows.scenarios import open_task

HELSINKI = ZoneInfo("Europe/Helsinki")
D = datetime.date


def helsinki(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=HELSINKI)


# -- add_working_days ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (D(2027, 3, 1), 0, D(2027, 3, 1)),  # Monday, no days: the start itself
        (D(2027, 3, 1), 1, D(2027, 3, 2)),  # Monday -> Tuesday
        (D(2027, 3, 1), 4, D(2027, 3, 5)),  # Monday -> Friday
        (D(2027, 3, 5), 1, D(2027, 3, 8)),  # Friday -> Monday over the weekend
        (D(2027, 3, 6), 1, D(2027, 3, 8)),  # Saturday -> Monday
        (D(2027, 3, 7), 1, D(2027, 3, 8)),  # Sunday -> Monday
        (D(2027, 3, 1), 5, D(2027, 3, 8)),  # a working week
        (D(2027, 3, 1), 10, D(2027, 3, 15)),  # two working weeks
        (D(2027, 3, 6), 0, D(2027, 3, 6)),  # a weekend start with no days stays put
    ],
)
def test_weekends_do_not_count(start, days, expected):
    assert add_working_days(start, days) == expected


def test_midsummer_eve_and_day_do_not_count():
    # given Thursday 24 June 2027, the day before Midsummer Eve (Juhannusaatto, Fri 25 June)
    start = D(2027, 6, 24)
    # when one and two working days are added
    # then Midsummer Eve, Midsummer Day (Sat 26) and Sunday are skipped
    assert add_working_days(start, 1) == D(2027, 6, 28)
    assert add_working_days(start, 2) == D(2027, 6, 29)
    assert is_working_day(D(2027, 6, 25)) is False
    assert is_working_day(D(2027, 6, 24)) is True


def test_midsummer_2026_falls_a_week_earlier():
    # Midsummer Eve is the Friday between 19 and 25 June: 19 June in 2026
    assert add_working_days(D(2026, 6, 18), 1) == D(2026, 6, 22)
    assert add_working_days(D(2026, 6, 24), 1) == D(2026, 6, 25)


def test_christmas_eve_to_boxing_day_do_not_count():
    # given Tuesday 23 December 2025 (Christmas Eve Wed, Christmas Day Thu, Boxing Day Fri)
    start = D(2025, 12, 23)
    # then the next working day is Monday 29 December, and three days end on 31 December
    assert add_working_days(start, 1) == D(2025, 12, 29)
    assert add_working_days(start, 3) == D(2025, 12, 31)
    assert [is_working_day(D(2025, 12, day)) for day in range(22, 30)] == [
        True,  # Mon 22
        True,  # Tue 23
        False,  # Wed 24 Christmas Eve
        False,  # Thu 25 Christmas Day
        False,  # Fri 26 Boxing Day (Tapaninpäivä)
        False,  # Sat 27
        False,  # Sun 28
        True,  # Mon 29
    ]


def test_christmas_and_new_year_across_the_year_end():
    # given Wednesday 23 December 2026 (24-26 December on Thu-Sat, New Year's Day on Fri)
    start = D(2026, 12, 23)
    # then 28-31 December count, 1 January does not, and the count goes on into 2027
    assert add_working_days(start, 1) == D(2026, 12, 28)
    assert add_working_days(start, 4) == D(2026, 12, 31)
    assert add_working_days(start, 5) == D(2027, 1, 4)
    # Epiphany (Wed 6 January 2027) does not count either
    assert add_working_days(start, 6) == D(2027, 1, 5)
    assert add_working_days(start, 7) == D(2027, 1, 7)


def test_good_friday_and_easter_monday_do_not_count():
    # given Thursday 25 March 2027 (Good Friday 26 March, Easter Monday 29 March)
    start = D(2027, 3, 25)
    # then the next working day is Tuesday 30 March
    assert add_working_days(start, 1) == D(2027, 3, 30)
    assert add_working_days(start, 5) == D(2027, 4, 5)
    assert is_working_day(D(2027, 3, 26)) is False
    assert is_working_day(D(2027, 3, 29)) is False


def test_easter_2026():
    # Good Friday 3 April and Easter Monday 6 April 2026
    assert add_working_days(D(2026, 4, 2), 1) == D(2026, 4, 7)


def test_may_day_ascension_and_independence_day_do_not_count():
    assert add_working_days(D(2026, 4, 30), 1) == D(2026, 5, 4)  # May Day Fri 1 May
    assert add_working_days(D(2026, 5, 13), 1) == D(2026, 5, 15)  # Ascension Thu 14 May
    assert add_working_days(D(2027, 12, 3), 1) == D(2027, 12, 7)  # Independence Day Mon 6 Dec


def test_a_holiday_on_a_weekend_costs_nothing_extra():
    # All Saints' Day is Saturday 6 November 2027: Friday -> Monday as on any weekend
    assert add_working_days(D(2027, 11, 5), 1) == D(2027, 11, 8)


# -- service levels ------------------------------------------------------------------------


def test_service_levels_by_node():
    assert service_level("screen") == 5
    assert service_level("request_information") == 10
    assert service_level("run_pilot") == 130
    assert service_level("no_such_node") == 5  # the default


@override_settings(KOKEILU_SERVICE_LEVELS={"screen": 2})
def test_service_levels_can_be_overridden():
    assert service_level("screen") == 2
    assert service_level("match") == 5  # not in the setting: the default


# -- deadlines of new tasks ----------------------------------------------------------------


def _due(pilot, node_name) -> datetime.date:
    return TaskDeadline.objects.get(task=open_task(pilot, node_name)).due


def test_a_new_task_is_due_in_its_service_level_of_working_days(world):
    # given Thursday 24 June 2027 in Helsinki, the day before Midsummer Eve
    with time_machine.travel(helsinki(2027, 6, 24, 10, 0), tick=False):
        # when a proposal is submitted, which opens the screening task
        pilot = f.submit_pilot(world.company_a, world.company)
    # then screening is due in 5 working days, counted past Midsummer
    assert _due(pilot, "screen") == add_working_days(D(2027, 6, 24), service_level("screen"))
    assert _due(pilot, "screen") == D(2027, 7, 2)
    assert TaskDeadline.objects.count() == 1


def test_the_deadline_counts_from_the_day_in_helsinki(world):
    # given 23:30 UTC on Wednesday 23 June 2027, already Thursday 24 June in Helsinki
    with time_machine.travel(datetime.datetime(2027, 6, 23, 22, 30, tzinfo=datetime.UTC)):
        pilot = f.submit_pilot(world.company_a, world.company)
    # then the five days are counted from Thursday (from Wednesday it would be 1 July)
    assert _due(pilot, "screen") == D(2027, 7, 2)


def test_each_new_task_counts_from_the_day_it_opens(world):
    # given a proposal submitted on Thursday 25 March 2027, before Easter
    with time_machine.travel(helsinki(2027, 3, 25, 9, 0), tick=False):
        pilot = f.submit_pilot(world.company_a, world.company)
    # when it is screened on Tuesday 30 March, which opens the matching task
    with time_machine.travel(helsinki(2027, 3, 30, 9, 0), tick=False):
        sc.screen(pilot, world.agent)
    # then screening was due 5 working days after 25 March (past Easter) and matching
    # 5 working days after 30 March
    screen_due = TaskDeadline.objects.get(task__flow_task=PilotFlow.screen)
    assert screen_due.due == D(2027, 4, 5)
    assert _due(pilot, "match") == D(2027, 4, 6)
    assert TaskDeadline.objects.count() == 2


def test_a_request_for_information_gets_its_own_service_level(world):
    with time_machine.travel(helsinki(2027, 12, 20, 9, 0), tick=False):
        pilot = f.submit_pilot(world.company_a, world.company)
        sc.screen(pilot, world.agent, "request_information", "Describe the data used.")
    # 10 working days from Monday 20 December 2027: 21, 22, 23, 27, 28, 29, 30 and 31
    # December (Christmas Eve is Friday 24), then 3 and 4 January 2028
    assert _due(pilot, "request_information") == D(2028, 1, 4)


def test_overridden_service_levels_set_the_due_date(world):
    # given screening set to 2 working days
    levels = {**settings.KOKEILU_SERVICE_LEVELS, "screen": 2}
    with (
        override_settings(KOKEILU_SERVICE_LEVELS=levels),
        time_machine.travel(helsinki(2027, 6, 24, 10, 0), tick=False),
    ):
        pilot = f.submit_pilot(world.company_a, world.company)
    # then the task is due 2 working days after Thursday 24 June 2027: 28 and 29 June
    assert _due(pilot, "screen") == D(2027, 6, 29)


def test_a_node_missing_from_the_service_levels_gets_five_days(world):
    levels = {k: v for k, v in settings.KOKEILU_SERVICE_LEVELS.items() if k != "screen"}
    with (
        override_settings(KOKEILU_SERVICE_LEVELS=levels),
        time_machine.travel(helsinki(2027, 3, 1, 10, 0), tick=False),
    ):
        pilot = f.submit_pilot(world.company_a, world.company)
    assert _due(pilot, "screen") == D(2027, 3, 8)


# -- counting working days between dates (overdue reminders) -------------------------------


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (D(2027, 3, 1), D(2027, 3, 1), 0),  # the same day
        (D(2027, 3, 1), D(2027, 3, 2), 1),  # Monday -> Tuesday
        (D(2027, 3, 5), D(2027, 3, 8), 1),  # Friday -> Monday
        (D(2027, 6, 24), D(2027, 6, 28), 1),  # over Midsummer Eve and Day
        (D(2025, 12, 23), D(2025, 12, 29), 1),  # over Christmas Eve to Boxing Day
        (D(2027, 3, 25), D(2027, 3, 30), 1),  # over Good Friday to Easter Monday
        (D(2026, 12, 23), D(2027, 1, 7), 7),  # Christmas, New Year and Epiphany
        (D(2027, 3, 8), D(2027, 3, 1), 0),  # an end before the start
    ],
)
def test_working_days_between(start, end, expected):
    assert working_days_between(start, end) == expected


@pytest.mark.parametrize(
    ("end", "days", "expected_latest"),
    [
        (D(2027, 3, 3), 1, D(2027, 3, 2)),  # Wednesday, 1 day back: Tuesday
        (D(2027, 3, 8), 1, D(2027, 3, 7)),  # Monday, 1 day: the weekend before counts as Friday
        (D(2027, 6, 29), 2, D(2027, 6, 27)),  # Tuesday after Midsummer, 2 days: Thursday 24
        (D(2025, 12, 30), 2, D(2025, 12, 28)),  # after Christmas, 2 days: Tuesday 23
        (D(2027, 3, 31), 2, D(2027, 3, 29)),  # after Easter, 2 days: Thursday 25
        (D(2027, 3, 3), 0, D(2027, 3, 3)),
    ],
)
def test_working_days_back_is_the_inverse_of_between(end, days, expected_latest):
    latest = working_days_back(end, days)
    assert latest == expected_latest
    assert working_days_between(latest, end) == days
    # and any later date is fewer working days back
    assert working_days_between(latest + datetime.timedelta(days=1), end) < days or days == 0
