"""CallFlow: one process per innovation call, from publishing to the division's approval of
the selection. Its tasks are listed in the same inbox as the pilots' tasks."""

from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow, lock
from viewflow.workflow.activation import Activation
from viewflow.workflow.exceptions import FlowRuntimeError
from viewflow.workflow.nodes.split import SplitActivation

from . import selectors, services, views
from .models import Application, CallProcess, ReviewAssignment


def division_of(process):
    return process.coerced.call.division


class CallTask(flow.View):
    """A human node of CallFlow: its claim and release pages show the call."""

    assign_view_class = views.CallAssignTaskView
    unassign_view_class = views.CallUnassignTaskView
    detail_view_class = views.CallTaskDetailView


class ReviewTask(CallTask):
    """One reviewer's review of one application: created assigned to the reviewer, and never
    released to a queue, so no one else may take it."""

    def can_assign(self, user, task):
        return False

    def can_unassign(self, user, task):
        return False


class ReviewSplitActivation(SplitActivation):
    @Activation.status.super()
    def activate(self):
        node = self.flow_task._branches[0][0]
        assignments = ReviewAssignment.objects.filter(
            application__call=self.process.coerced.call,
            application__status=Application.Status.SUBMITTED,
        ).order_by("pk")
        for assignment in assignments:
            self.next_tasks.append((node, {"assignment": assignment.pk}))
        if not self.next_tasks:
            raise FlowRuntimeError("No reviewers assigned")


class ReviewSplit(flow.Split):
    """A parallel split that opens one review task per review assignment (the open-source
    Split has no data source for dynamic branches)."""

    activation_class = ReviewSplitActivation


class CallFlow(flow.Flow):
    """Innovation call

    An innovation challenge or open pilot call: applications, blind review, selection."""

    # Viewflow shows these in its lists and menus; the docstring's words are not translated.
    process_title = _("Innovation call")
    process_description = _(
        "An innovation challenge or open pilot call: applications, blind review, selection."
    )
    process_class = CallProcess
    lock_impl = lock.select_for_update_lock
    process_summary_template = "{{ process.call.title }}"

    start = (
        flow.StartHandle(this.start_call).Annotation(title=_("Prepare the call")).Next(this.publish)
    )
    publish = (
        CallTask(views.PublishView.as_view())
        .Annotation(title=_("Publish the call"))
        .Permission("cases.act_as_agent")
        .onCreate(this.set_due)
        .Next(this.assign_reviewers)
    )
    assign_reviewers = (
        CallTask(views.AssignReviewersView.as_view())
        .Annotation(title=_("Assign reviewers"))
        .Permission("cases.act_as_agent")
        .onCreate(this.set_due)
        .Next(this.check_applications)
    )
    check_applications = (
        flow.If(
            lambda a: a.process.coerced.call.applications.filter(
                status=Application.Status.SUBMITTED
            ).exists()
        )
        .Annotation(title=_("Any applications?"))
        .Then(this.split_review)
        .Else(this.close_empty)
    )
    split_review = ReviewSplit().Annotation(title=_("Review each application")).Next(this.review)
    review = (
        ReviewTask(views.ReviewView.as_view())
        .Annotation(title=_("Review an application"))
        .Assign(this.reviewer_of)
        .onCreate(this.set_due)
        .Next(this.join_review)
    )
    join_review = flow.Join().Annotation(title=_("All reviews in")).Next(this.propose_selection)
    propose_selection = (
        CallTask(views.ProposeSelectionView.as_view())
        .Annotation(title=_("Propose the selection"))
        .Permission("cases.act_as_agent")
        .onCreate(this.set_due)
        .Next(this.approve_selection)
    )
    approve_selection = (
        CallTask(views.ApproveSelectionView.as_view())
        .Annotation(title=_("Approve the selection"))
        .Permission("cases.act_for_division", obj=division_of)
        .onCreate(this.set_due)
        .Next(this.check_approval)
    )
    check_approval = (
        flow.If(lambda a: a.process.selection_approved is True)
        .Annotation(title=_("Selection approved?"))
        .Then(this.end)
        .Else(this.propose_selection)
    )
    close_empty = (
        flow.Function(this.mark_empty)
        .Annotation(title=_("No applications"))
        .Next(this.closed_empty)
    )
    closed_empty = flow.End().Annotation(title=_("Closed without applications"))
    end = flow.End().Annotation(title=_("Selection decided"))

    def start_call(self, activation, call, by):
        activation.process.call = call
        activation.task.owner = by
        return activation.process

    def reviewer_of(self, activation):
        assignment = ReviewAssignment.objects.get(pk=activation.task.data["assignment"])
        return assignment.reviewer

    def set_due(self, activation):
        services.call_task_open(task=activation.task, node_name=activation.flow_task.name)

    def mark_empty(self, activation):
        services.call_close_empty(process=activation.process)

    # Which calls and tasks a user sees is decided by calls.selectors, never by model perms.
    def has_view_permission(self, user, obj=None):
        if not (user.is_authenticated and user.is_active):
            return False
        if obj is None:
            return True
        call_id = getattr(obj, "call_id", None) or obj.coerced.call_id
        return selectors.calls_managed_by(user).filter(pk=call_id).exists() or (
            selectors.is_expert(user)
        )

    def has_manage_permission(self, user, obj=None):
        return user.is_authenticated and user.is_active and user.is_superuser
