"""Demo calls for `seed_demo`: one open call with applications, and one closed call whose
selection started pilots. Driven through the services and CallFlow (calls.scenarios) as the
pages do; a past call is replayed with the moments of its actions (`at`). Idempotent: a call
already seeded (by its title) is left alone."""

import datetime
from decimal import Decimal

from django.utils import timezone

from cases.models import Division, PlatformTheme

from . import scenarios, services
from .models import Application, Call, ReviewAssignment

OPEN_TITLE = "Less food waste in school kitchens"
CLOSED_TITLE = "Smart loading zones for the city centre"


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _application(title: str, contact: tuple[str, str], today: datetime.date, **extra) -> dict:
    values = {
        "title": title,
        "summary": extra.pop("summary"),
        "need": extra.pop("need"),
        "solution": extra.pop("solution"),
        "site_wish": extra.pop("site_wish", ""),
        "planned_start": today + datetime.timedelta(days=60),
        "planned_end": today + datetime.timedelta(days=240),
        "cost_to_city": extra.pop("cost"),
        "expected_impact": extra.pop("impact"),
        "kpis": extra.pop("kpis", ""),
        "contact_name": contact[0],
        "contact_email": contact[1],
        "contact_phone": "",
    }
    return values


def seed(*, users: dict, companies: dict, contacts: dict, today: datetime.date) -> int:
    """Create the demo calls that are missing; returns how many were created."""
    created = 0
    if not Call.objects.filter(title=OPEN_TITLE).exists():
        _open_call(users, companies, contacts, today)
        created += 1
    if not Call.objects.filter(title=CLOSED_TITLE).exists():
        _closed_call(users, companies, contacts, today)
        created += 1
    return created


def _open_call(users, companies, contacts, today) -> Call:
    agent = users["agent"]
    start = today - datetime.timedelta(days=10)
    call = services.call_create(
        by=agent,
        values={
            "title": OPEN_TITLE,
            "challenge": (
                "School kitchens throw away about a fifth of the food they cook. We look for "
                "solutions that measure the waste, help plan the menus and change habits, in "
                "two to four schools of the Education Division."
            ),
            "theme": PlatformTheme.objects.get(code="learning"),
            "division": Division.objects.get(code="education"),
            "total_budget": Decimal("45000.00"),
            "cap_per_pilot": Decimal("15000.00"),
            "pilots_to_choose": 3,
            "opens_at": _at(start, 9),
            "closes_at": _at(today + datetime.timedelta(days=20), 16),
            "info_event": "Info event on Teams; the link is sent on request.",
            "info_event_at": _at(today + datetime.timedelta(days=3), 14),
        },
        criteria=[
            {
                "name": "Impact on the challenge",
                "description": "Less waste, measurably.",
                "weight": 3,
            },
            {
                "name": "Feasibility in schools",
                "description": "Kitchens, pupils, data.",
                "weight": 2,
            },
            {"name": "Cost and scalability", "description": "", "weight": 1},
        ],
    )
    scenarios.publish(call, agent, at=_at(start, 8))
    call.refresh_from_db()
    services.application_save(
        call=call,
        company=companies["oivallus"],
        by=users["company"],
        values=_application(
            "Plate waste camera for school canteens",
            contacts["oivallus"],
            today,
            summary="A camera at the tray return measures what is left on each plate.",
            need="Shows the kitchen each day which dishes come back uneaten.",
            solution="Camera, image recognition and a weekly report for the kitchen.",
            site_wish="Two comprehensive schools",
            cost=Decimal("14500.00"),
            impact="A fifth less plate waste within a term.",
            kpis="Grams of plate waste per pupil and meal",
        ),
        submit=True,
        at=_at(today - datetime.timedelta(days=2), 11),
    )
    services.application_save(
        call=call,
        company=companies["sensori"],
        by=users["company2"],
        values=_application(
            "Smart scales for kitchen leftovers",
            contacts["sensori"],
            today,
            summary="Connected scales weigh the leftovers of each batch.",
            need="The kitchen sees what is cooked but not eaten.",
            solution="Scales with a tablet app, linked to the menu planning system.",
            cost=Decimal("9800.00"),
            impact="Better portion sizes; less food cooked in vain.",
        ),
        at=_at(today - datetime.timedelta(days=1), 15),
    )
    return call


def _closed_call(users, companies, contacts, today) -> Call:
    agent, urban, expert = users["agent"], users["urban"], users["expert"]
    opened = today - datetime.timedelta(days=100)
    closed = today - datetime.timedelta(days=60)
    call = services.call_create(
        by=agent,
        values={
            "title": CLOSED_TITLE,
            "challenge": (
                "Delivery vans block streets and cycle lanes in the city centre. We look for "
                "ways to book, guide and monitor loading zones."
            ),
            "theme": PlatformTheme.objects.get(code="mobility"),
            "division": Division.objects.get(code="urban-environment"),
            "total_budget": Decimal("30000.00"),
            "cap_per_pilot": Decimal("15000.00"),
            "pilots_to_choose": 2,
            "opens_at": _at(opened, 9),
            "closes_at": _at(closed, 16),
            "info_event": "Info event at the City Hall's event space.",
            "info_event_at": _at(opened + datetime.timedelta(days=7), 13),
        },
        criteria=[
            {"name": "Impact on the challenge", "description": "", "weight": 3},
            {"name": "Feasibility", "description": "", "weight": 2},
            {"name": "Cost", "description": "", "weight": 1},
        ],
    )
    scenarios.publish(call, agent, at=_at(opened, 8))
    call.refresh_from_db()
    plans = [
        ("oivallus", "company", "Loading-zone booking app", Decimal("14000.00")),
        ("sensori", "company2", "Kerbside occupancy sensors", Decimal("12000.00")),
    ]
    for key, username, title, cost in plans:
        services.application_save(
            call=call,
            company=companies[key],
            by=users[username],
            values=_application(
                title,
                contacts[key],
                today,
                summary=f"{title} for the centre's loading zones.",
                need="Fewer vans blocking streets and cycle lanes.",
                solution=f"{title}, tried in five loading zones.",
                cost=cost,
                impact="Shorter stops and fewer blocked lanes.",
            ),
            submit=True,
            at=_at(closed - datetime.timedelta(days=5), 12),
        )
    scenarios.assign_reviewers(
        call, agent, [expert, urban], at=_at(closed + datetime.timedelta(days=1), 9)
    )
    scores = {
        ("Loading-zone booking app", "expert"): [5, 4, 4],
        ("Loading-zone booking app", "urban"): [4, 4, 3],
        ("Kerbside occupancy sensors", "urban"): [3, 3, 4],
    }
    for assignment in ReviewAssignment.objects.filter(application__call=call).select_related(
        "application", "reviewer"
    ):
        key = (assignment.application.title, assignment.reviewer.username)
        if key in scores:
            scenarios.score(
                assignment,
                scores[key],
                [
                    "Clear benefit for the streets.",
                    "The plan is realistic for one season.",
                    "The price is reasonable.",
                ],
            )
        else:
            scenarios.declare_conflict(
                assignment, "I advised the company on its product last year."
            )
    chosen = list(Application.objects.filter(call=call, title="Loading-zone booking app"))
    scenarios.propose(call, agent, chosen)
    scenarios.decide(call, urban, approve=True)
    return call
