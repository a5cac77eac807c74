"""The words of each notice, rendered when it is read or sent, in the reader's language."""

import datetime

from django.conf import settings
from django.urls import get_resolver, reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from viewflow.workflow.status import STATUS

from cases.models import Outcome, Stage

from .models import Event

# A title for the bell's list and the mail's subject, and a paragraph for the mail.
TITLES = {
    Event.TASK_AVAILABLE: gettext_lazy("%(reference)s: “%(task)s” is waiting in your queue"),
    Event.TASK_ASSIGNED: gettext_lazy("%(reference)s: “%(task)s” was assigned to you"),
    Event.INFORMATION_REQUESTED: gettext_lazy("%(reference)s: the city asks for more information"),
    Event.CONTRACT_RECEIVED: gettext_lazy(
        "%(reference)s: the contract is waiting for your acceptance"
    ),
    Event.STAGE_CHANGED: gettext_lazy("%(reference)s is now in the stage “%(stage)s”"),
    Event.CONTRACT_ACCEPTED: gettext_lazy("%(reference)s: the company accepted the contract"),
    Event.CONTRACT_SIGNED: gettext_lazy("%(reference)s: the contract was signed"),
    Event.EVALUATION_WAITING: gettext_lazy("%(reference)s: an evaluation is waiting for you"),
    Event.TASK_DUE_TOMORROW: gettext_lazy("%(reference)s: “%(task)s” is due on %(due)s"),
    Event.TASK_OVERDUE: gettext_lazy("%(reference)s: “%(task)s” is overdue"),
    Event.TASK_OVERDUE_ESCALATION: gettext_lazy(
        "%(reference)s: “%(task)s” is %(days)s working days overdue"
    ),
    Event.PLANNED_END_NEAR: gettext_lazy("%(reference)s: the pilot is planned to end on %(end)s"),
    Event.REFERENCE_ISSUED: gettext_lazy(
        "%(reference)s: your reference (the Helsinki stamp) is ready"
    ),
}

BODIES = {
    Event.TASK_AVAILABLE: gettext_lazy(
        "The task “%(task)s” of the pilot %(reference)s %(title)s is waiting in your queue. "
        "It is due on %(due)s. Claim it to take it on."
    ),
    Event.TASK_ASSIGNED: gettext_lazy(
        "%(by)s assigned the task “%(task)s” of the pilot %(reference)s %(title)s to you. "
        "It is due on %(due)s."
    ),
    Event.INFORMATION_REQUESTED: gettext_lazy(
        "The innovation agent read your proposal %(reference)s %(title)s and asks you to "
        "complete it by %(due)s."
    ),
    Event.CONTRACT_RECEIVED: gettext_lazy(
        "The contract of your pilot %(reference)s %(title)s is ready. Read it, then accept it "
        "or ask for changes by %(due)s."
    ),
    Event.STAGE_CHANGED: gettext_lazy(
        "Your pilot %(reference)s %(title)s moved from the stage “%(old_stage)s” to “%(stage)s”."
    ),
    Event.CONTRACT_ACCEPTED: gettext_lazy(
        "The company accepted the contract of the pilot %(reference)s %(title)s. The "
        "division signs it next."
    ),
    Event.CONTRACT_SIGNED: gettext_lazy(
        "The division signed the contract of the pilot %(reference)s %(title)s; the pilot "
        "is running."
    ),
    Event.EVALUATION_WAITING: gettext_lazy(
        "The pilot %(reference)s %(title)s has ended. Evaluate it with the city's common "
        "model by %(due)s."
    ),
    Event.TASK_DUE_TOMORROW: gettext_lazy(
        "The task “%(task)s” of the pilot %(reference)s %(title)s is due on %(due)s."
    ),
    Event.TASK_OVERDUE: gettext_lazy(
        "The task “%(task)s” of the pilot %(reference)s %(title)s was due on %(due)s and is "
        "still open."
    ),
    Event.TASK_OVERDUE_ESCALATION: gettext_lazy(
        "The task “%(task)s” of the pilot %(reference)s %(title)s, which you follow as its "
        "innovation agent, was due on %(due)s and is %(days)s working days overdue."
    ),
    Event.PLANNED_END_NEAR: gettext_lazy(
        "The pilot %(reference)s %(title)s is planned to end on %(end)s. Agree on how it "
        "closes, and prepare for the evaluation."
    ),
    Event.REFERENCE_ISSUED: gettext_lazy(
        "The city granted your pilot %(reference)s %(title)s its reference (the Helsinki "
        "stamp). Download the certificate from the pilot's page; anyone can check it with its "
        "QR code."
    ),
}


def _date(value: str | None) -> str:
    if not value:
        return ""
    return formats.date_format(datetime.date.fromisoformat(value), "DATE_FORMAT")


def _stage(value: str | None) -> str:
    if not value:
        return ""
    return str(dict(Stage.choices).get(value, value))


def _task_title(notification) -> str:
    task = notification.task
    if task is not None:
        return str(task.flow_task.task_title)
    return notification.params.get("node", "")


def context(notification) -> dict:
    """The values the words need, formatted in the active language."""
    params = notification.params
    pilot = notification.pilot
    return {
        "reference": pilot.reference,
        "title": pilot.title,
        "task": _task_title(notification),
        "due": _date(params.get("due")),
        "end": _date(params.get("end")),
        "stage": _stage(params.get("stage")),
        "old_stage": _stage(params.get("old_stage")),
        "days": params.get("days", ""),
        "by": params.get("by", ""),
    }


def title(notification) -> str:
    return str(TITLES[notification.kind]) % context(notification)


def body(notification) -> list[str]:
    """The mail's paragraphs."""
    paragraphs = [str(BODIES[notification.kind]) % context(notification)]
    params = notification.params
    if notification.kind == Event.INFORMATION_REQUESTED and params.get("message"):
        paragraphs.append(_("The agent's message: %(message)s") % {"message": params["message"]})
    pilot = notification.pilot
    if (
        notification.kind == Event.STAGE_CHANGED
        and params.get("stage") == Stage.CLOSED
        and pilot.outcome
    ):
        outcome = str(dict(Outcome.choices).get(pilot.outcome, pilot.outcome))
        paragraphs.append(_("Outcome: %(outcome)s.") % {"outcome": outcome})
    if notification.kind == Event.TASK_OVERDUE_ESCALATION:
        owner = params.get("owner")
        paragraphs.append(
            _("The task is assigned to %(owner)s.") % {"owner": owner}
            if owner
            else _("Nobody has taken the task from the queue yet.")
        )
    return paragraphs


def target_path(notification) -> str:
    """Where the notice leads its reader: the task itself while the reader may work on it
    (its form when it is theirs, its claim page when they may take it), else the pilot."""
    task = notification.task
    user = notification.user
    if task is not None and task.status in (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED):
        get_resolver().url_patterns  # noqa: B018  (the flow's URLs exist once this is loaded)
        args = [task.process_id, task.pk]
        if task.owner_id == user.pk:
            return task.flow_task.reverse("execute", args=args)
        if task.owner_id is None and task.flow_task.can_assign(user, task):
            return task.flow_task.reverse("assign", args=args)
    return notification.pilot.get_absolute_url()


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def preferences_url() -> str:
    return absolute(reverse("notifications:preferences"))
