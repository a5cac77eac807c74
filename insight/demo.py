"""Demo data only: give freshly seeded pilots task times that a real year would have.

`seed_demo` drives every demo pilot through the flow in one run, so all its tasks are created
and finished within a second and the dashboard's lead times would all be zero. This lays the
tasks of the new demo pilots out over past weeks (each node a typical number of days, varied
per pilot), ending now, so the dashboard shows lead times and waits worth reading. Saved with
`save(update_fields=...)`, so the tasks' history records the change like any other."""

from __future__ import annotations

import datetime
import zlib

from django.utils import timezone
from viewflow.workflow.models import Task

from cases.models import Pilot

# Typical days a node takes in the demo, before the per-pilot variation (x0.5 to x1.5).
DEMO_DAYS = {
    "screen": 3,
    "request_information": 6,
    "match": 4,
    "review_match": 5,
    "prepare_contract": 7,
    "accept_contract": 4,
    "sign_contract": 6,
    "evaluate_division": 9,
    "evaluate_company": 7,
    "decide_scaling": 12,
}


def _days(pilot: Pilot, node: str) -> float:
    if node == "run_pilot":
        return float((pilot.planned_end - pilot.planned_start).days)
    base = DEMO_DAYS.get(node)
    if base is None:
        return 0.0  # gateways, start and end take no time
    variation = 0.5 + (zlib.crc32(f"{pilot.reference}:{node}".encode()) % 100) / 100
    return base * variation


def spread_task_times(*, pilots: list[Pilot], now: datetime.datetime | None = None) -> int:
    """Re-time the tasks of these pilots, oldest first, the last one ending now; returns how
    many tasks were changed."""
    now = now or timezone.now()
    changed = 0
    for pilot in pilots:
        tasks = list(
            Task.objects.filter(process__pilotprocess__pilot=pilot).order_by("created", "pk")
        )
        durations = [_days(pilot, task.flow_task.name) if task.finished else 0.0 for task in tasks]
        # the open tasks have waited their node's typical time so far
        waiting = max(
            (_days(pilot, task.flow_task.name) for task in tasks if not task.finished),
            default=0.0,
        )
        clock = now - datetime.timedelta(days=sum(durations) + waiting)
        for task, days in zip(tasks, durations, strict=True):
            task.created = clock
            fields = ["created"]
            for name in ("assigned", "started"):
                if getattr(task, name) is not None:
                    setattr(task, name, clock)
                    fields.append(name)
            if task.finished is not None:
                clock = clock + datetime.timedelta(days=days)
                task.finished = clock
                fields.append("finished")
            task.save(update_fields=fields)
            changed += 1
    return changed
