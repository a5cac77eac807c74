"""Objects of the calls rows (matrix/calls.yaml): Education calls in three states, built
through the services and CallFlow.

- `call_draft`: prepared, not published (publish open in the agents' queue);
- `call_open`: published and open; company A submitted, company B keeps a draft
  (`application_b_draft`); assign_reviewers open in the agents' queue;
- `call_review`: closed; company A's application (`application_a`) is reviewed by the
  Education staff member and the agent, whose review tasks are assigned to them.
"""

import datetime
from decimal import Decimal
from types import SimpleNamespace

from django.utils import timezone
from viewflow.workflow.models import Task

from calls import scenarios
from calls import services as call_services
from calls.flows import CallFlow
from calls.models import Application
from tests import factories as f

CRITERIA = [{"name": "Impact", "description": "", "weight": 2}]


def _values(world, title, opens, closes) -> dict:
    return {
        "title": title,
        "challenge": "Less food waste in school kitchens.",
        "theme": f.theme(),
        "division": world.edu,
        "total_budget": Decimal("30000"),
        "cap_per_pilot": Decimal("15000"),
        "pilots_to_choose": 2,
        "opens_at": opens,
        "closes_at": closes,
        "info_event": "",
        "info_event_at": None,
    }


def application_values(title) -> dict:
    return {
        "title": title,
        "summary": "Summary.",
        "need": "Need.",
        "solution": "Solution.",
        "site_wish": "",
        "planned_start": datetime.date(2027, 1, 10),
        "planned_end": datetime.date(2027, 6, 10),
        "cost_to_city": Decimal("9000"),
        "expected_impact": "Impact.",
        "kpis": "",
        "contact_name": "Maija",
        "contact_email": "maija@example.com",
        "contact_phone": "",
    }


def _cell(call) -> SimpleNamespace:
    tasks = Task.objects.filter(process__callprocess__call=call).order_by("pk")
    return SimpleNamespace(
        pk=call.pk,
        call=call,
        process_pk=call.process.pk,
        task=SimpleNamespace(**{task.flow_task.name: task for task in tasks}),
        review_of=SimpleNamespace(
            **{task.owner.username: task for task in tasks if task.flow_task is CallFlow.review}
        ),
    )


def build(world) -> dict:
    now = timezone.now()
    day = datetime.timedelta(days=1)
    draft = call_services.call_create(
        by=world.agent,
        values=_values(world, "Matrix draft call", now + day, now + 30 * day),
        criteria=CRITERIA,
    )
    open_call = call_services.call_create(
        by=world.agent,
        values=_values(world, "Matrix open call", now - day, now + 30 * day),
        criteria=CRITERIA,
    )
    scenarios.publish(open_call, world.agent)
    open_call.refresh_from_db()
    call_services.application_save(
        call=open_call,
        company=world.company_a,
        by=world.company,
        values=application_values("Matrix open A"),
        submit=True,
    )
    draft_b = call_services.application_save(
        call=open_call,
        company=world.company_b,
        by=world.company2,
        values=application_values("Matrix open B draft"),
    )
    review = call_services.call_create(
        by=world.agent,
        values=_values(world, "Matrix closed call", now - 40 * day, now - 10 * day),
        criteria=CRITERIA,
    )
    scenarios.publish(review, world.agent, at=now - 41 * day)
    review.refresh_from_db()
    application_a = call_services.application_save(
        call=review,
        company=world.company_a,
        by=world.company,
        values=application_values("Matrix review A"),
        submit=True,
        at=now - 20 * day,
    )
    scenarios.assign_reviewers(review, world.agent, [world.edu_staff, world.agent])
    return {
        "call_draft": _cell(draft),
        "call_open": _cell(open_call),
        "call_review": _cell(review),
        "application_a": Application.objects.get(pk=application_a.pk),
        "application_b_draft": Application.objects.get(pk=draft_b.pk),
    }
