"""The pilot process (a Viewflow process with real columns) and task due dates."""

import simple_history
from django.db import models
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Process, Task

from cases.history import HistoricalRecords
from cases.models import Pilot


class ScreeningDecision(models.TextChoices):
    ACCEPT = "accept", _("Accept")
    REQUEST_INFORMATION = "request_information", _("Request more information")
    REJECT = "reject", _("Reject")


class PilotProcess(Process):
    pilot = models.OneToOneField(
        Pilot, on_delete=models.PROTECT, related_name="process", verbose_name=_("pilot")
    )
    screening_decision = models.CharField(
        _("screening decision"), max_length=30, choices=ScreeningDecision.choices, blank=True
    )
    match_accepted = models.BooleanField(_("match accepted"), null=True, blank=True)
    contract_accepted = models.BooleanField(_("contract accepted"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("pilot process")
        verbose_name_plural = _("pilot processes")

    def __str__(self):
        return str(self.pilot)


class TaskDeadline(models.Model):
    """The due date of a human task, from its node's service level in working days."""

    task = models.OneToOneField(
        Task, on_delete=models.CASCADE, related_name="deadline", verbose_name=_("task")
    )
    due = models.DateField(_("due"), db_index=True)

    class Meta:
        verbose_name = _("task deadline")
        verbose_name_plural = _("task deadlines")
        indexes = [
            # The inbox and queue sort open tasks by due date: on PostgreSQL each task's date
            # is then read from this index alone, not from a hash of every deadline ever set.
            # (SQLite has no covering indexes; Django leaves it out there.)
            models.Index(fields=["task"], include=["due"], name="kokeilu_deadline_task_due")
        ]

    def __str__(self):
        return f"{self.task_id}: {self.due}"


# The engine's task rows (assignments, completions, cancellations) are audited too.
simple_history.register(
    Task,
    app="workflows",
    table_name="workflows_historicaltask",
    records_class=HistoricalRecords,
)
