"""Calls in their states, built through the services and CallFlow as the pages do."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Group

from calls import scenarios
from calls import services as call_services
from cases import roles
from cases.selectors import companies_of
from tests import factories as f

HELSINKI = ZoneInfo("Europe/Helsinki")

CRITERIA = [
    {"name": "Impact on the challenge", "description": "", "weight": 3},
    {"name": "Feasibility", "description": "", "weight": 1},
]


def helsinki(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=HELSINKI)


def call_values(division, **overrides) -> dict:
    values = {
        "title": "Smarter school meals",
        "challenge": "Less food waste in school kitchens.",
        "theme": f.theme(),
        "division": division,
        "total_budget": Decimal("30000.00"),
        "cap_per_pilot": Decimal("15000.00"),
        "pilots_to_choose": 2,
        "opens_at": helsinki(2026, 3, 2, 9, 0),
        "closes_at": helsinki(2026, 3, 30, 16, 0),
        "info_event": "Teams, link on request",
        "info_event_at": helsinki(2026, 3, 9, 14, 0),
    }
    values.update(overrides)
    return values


def application_values(title="Waste scales", **overrides) -> dict:
    values = {
        "title": title,
        "summary": f"{title}: summary.",
        "need": "Measures the waste of every meal.",
        "solution": "Scales and a dashboard.",
        "site_wish": "Two schools",
        "planned_start": datetime.date(2026, 8, 10),
        "planned_end": datetime.date(2026, 12, 18),
        "cost_to_city": Decimal("12000.00"),
        "expected_impact": "A fifth less waste.",
        "kpis": "kg of waste a meal",
        "contact_name": "Maija Meikäläinen",
        "contact_email": "maija@example.com",
        "contact_phone": "",
    }
    values.update(overrides)
    return values


def make_expert(username="expert"):
    user = f.UserFactory(username=username)
    user.groups.add(Group.objects.get(name=roles.EXPERTS))
    return f.fresh(user)


@pytest.fixture
def expert(db):
    return make_expert()


@pytest.fixture
def draft_call(world):
    """An Education call prepared by the agent (publish open in the agent's queue)."""
    with time_machine.travel(helsinki(2026, 2, 20, 10, 0), tick=False):
        return call_services.call_create(
            by=world.agent, values=call_values(world.edu), criteria=CRITERIA
        )


@pytest.fixture
def open_call(world, draft_call):
    with time_machine.travel(helsinki(2026, 2, 21, 10, 0), tick=False):
        scenarios.publish(draft_call, world.agent)
    draft_call.refresh_from_db()
    return draft_call


@pytest.fixture
def company3(world):
    company = f.CompanyFactory(name="Ruokahävikki Oy")
    return f.make_company_user(company, "company3")


@pytest.fixture
def applied_call(world, open_call, company3):
    """Three submitted applications (companies A, B and a third) and one draft, of a fourth."""
    drafter_company = f.CompanyFactory(name="Luonnos Oy")
    drafter = f.make_company_user(drafter_company, "drafter")
    with time_machine.travel(helsinki(2026, 3, 10, 12, 0), tick=False):
        for user, company, title in [
            (world.company, world.company_a, "Waste scales"),
            (world.company2, world.company_b, "Menu planner"),
            (company3, companies_of(company3).get(), "Compost bins"),
        ]:
            call_services.application_save(
                call=open_call,
                company=company,
                by=user,
                values=application_values(title),
                submit=True,
            )
        call_services.application_save(
            call=open_call,
            company=drafter_company,
            by=drafter,
            values=application_values("Unfinished idea"),
        )
    return open_call


@pytest.fixture
def in_review(world, applied_call, expert):
    """Reviewers assigned after the deadline: the expert and the Education staff member."""
    with time_machine.travel(helsinki(2026, 3, 31, 9, 0), tick=False):
        scenarios.assign_reviewers(applied_call, world.agent, [expert, world.edu_staff])
    return applied_call
