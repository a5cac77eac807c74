"""One timeline per pilot, merged from its timeline entries, its tasks and its audit history."""

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _
from viewflow.workflow.status import STATUS

from . import selectors
from .models import Division, Outcome, Pilot, PlatformTheme, Stage

TRACKED_FIELDS = ("stage", "outcome", "division_id", "theme_id", "site", "division_contact_id")


@dataclass
class TimelineItem:
    when: datetime
    who: str
    text: str
    source: str  # "entry", "task" or "history"
    kind: str = ""
    visible_to_company: bool = False


def _name(user) -> str:
    if user is None:
        return _("Kokeilu")
    return user.get_full_name() or user.get_username()


def merged_timeline(pilot: Pilot, *, internal: bool) -> list[TimelineItem]:
    """Company viewers get the company-visible entries; staff get tasks and changes too."""
    from workflows.selectors import tasks_of

    items = [
        TimelineItem(
            when=entry.created,
            who=_name(entry.author),
            text=entry.text,
            source="entry",
            kind=entry.kind,
            visible_to_company=entry.visible_to_company,
        )
        for entry in selectors.timeline_for(pilot, internal=internal)
    ]
    if internal:
        for task in tasks_of(pilot):
            if task.flow_task_type != "HUMAN":
                continue
            if task.finished and task.status == STATUS.DONE:
                items.append(
                    TimelineItem(
                        when=task.finished,
                        who=_name(task.owner),
                        text=_("Task done: %(task)s") % {"task": task.title},
                        source="task",
                    )
                )
            elif task.finished and task.status == STATUS.CANCELED:
                items.append(
                    TimelineItem(
                        when=task.finished,
                        who="",
                        text=_("Task cancelled: %(task)s") % {"task": task.title},
                        source="task",
                    )
                )
        items.extend(_history_items(pilot))
    items.sort(key=lambda item: item.when)
    return items


def _history_items(pilot: Pilot) -> list[TimelineItem]:
    records = list(
        pilot.history.select_related("history_user").order_by("history_date", "history_id")
    )
    items = []
    labels = {
        "stage": _("Stage"),
        "outcome": _("Outcome"),
        "division_id": _("Division"),
        "theme_id": _("Theme"),
        "site": _("Site"),
        "division_contact_id": _("Division's contact person"),
    }
    names = {
        "stage": dict(Stage.choices),
        "outcome": dict(Outcome.choices),
        "division_id": dict(Division.objects.values_list("pk", "name")),
        "theme_id": dict(PlatformTheme.objects.values_list("pk", "name")),
    }

    def shown(field, value):
        if value in (None, ""):
            return "\u2013"  # an en dash: no value
        return str(names.get(field, {}).get(value, value))

    previous = None
    for record in records:
        if previous is None:
            items.append(
                TimelineItem(
                    when=record.history_date,
                    who=_name(record.history_user),
                    text=_("Pilot created"),
                    source="history",
                )
            )
        else:
            changed = [
                f"{labels[field]}: {shown(field, getattr(previous, field))} → "
                f"{shown(field, getattr(record, field))}"
                for field in TRACKED_FIELDS
                if field != "division_contact_id"
                and getattr(record, field) != getattr(previous, field)
            ]
            if changed:
                items.append(
                    TimelineItem(
                        when=record.history_date,
                        who=_name(record.history_user),
                        text="; ".join(changed),
                        source="history",
                    )
                )
        previous = record
    return items
