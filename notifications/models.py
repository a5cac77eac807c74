"""Notifications: in-app notices, the outbox of mail to send, and each user's preferences."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Event(models.TextChoices):
    """What happened. Each kind has its own recipients and its own preference."""

    TASK_AVAILABLE = "task_available", _("A task is waiting in your queue")
    TASK_ASSIGNED = "task_assigned", _("A task was assigned to you")
    INFORMATION_REQUESTED = "information_requested", _("The city asks for more information")
    CONTRACT_RECEIVED = "contract_received", _("A contract is waiting for your acceptance")
    STAGE_CHANGED = "stage_changed", _("Your pilot moved to another stage")
    CONTRACT_ACCEPTED = "contract_accepted", _("A contract was accepted")
    CONTRACT_SIGNED = "contract_signed", _("A contract was signed")
    EVALUATION_WAITING = "evaluation_waiting", _("An evaluation is waiting")
    TASK_DUE_TOMORROW = "task_due_tomorrow", _("A task is due on the next working day")
    TASK_OVERDUE = "task_overdue", _("A task is overdue")
    TASK_OVERDUE_ESCALATION = "task_overdue_escalation", _("A task of your pilot is long overdue")
    PLANNED_END_NEAR = "planned_end_near", _("A pilot's planned end is near")
    REFERENCE_ISSUED = "reference_issued", _("Your pilot's reference was issued")


class Mode(models.TextChoices):
    """How a user wants mail about one kind of event. The in-app notice is always written."""

    IMMEDIATE = "immediate", _("E-mail at once")
    DIGEST = "digest", _("In the daily digest e-mail")
    OFF = "off", _("No e-mail (in the app only)")


class UserProfile(models.Model):
    """A user's own settings: the language of the mail they get."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="profile",
        verbose_name=_("user"),
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("The language of the e-mail you get from Kokeilu."),
    )

    class Meta:
        verbose_name = _("user profile")
        verbose_name_plural = _("user profiles")

    def __str__(self):
        return f"{self.user} ({self.language})"


class NotificationPreference(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind of event"), max_length=40, choices=Event.choices)
    mode = models.CharField(_("e-mail"), max_length=20, choices=Mode.choices)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="preference_one_per_kind")
        ]

    def __str__(self):
        return f"{self.user}: {self.kind} = {self.mode}"


class OutboxMessage(models.Model):
    """One mail that must reach one person, written in the transaction of the change that
    causes it. The relay sends it at most once: see notifications.services.outbox_deliver."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    class Kind(models.TextChoices):
        NOTICE = "notice", _("Notice")
        DIGEST = "digest", _("Daily digest")

    dedupe_key = models.CharField(_("dedupe key"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.NOTICE)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="outbox_messages",
        verbose_name=_("recipient"),
    )
    to_email = models.EmailField(_("e-mail address"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        ordering = ["-created", "-pk"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="outbox_pending_due",
            ),
            models.Index(fields=["status", "created"], name="outbox_status_created"),
        ]

    def __str__(self):
        return f"{self.dedupe_key} ({self.get_status_display()})"


class Notification(models.Model):
    """An in-app notice of one event to one user. Its text is rendered when it is shown, in
    the reader's language; `params` keeps what the text needs from the moment it happened."""

    dedupe_key = models.CharField(_("dedupe key"), max_length=200, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind of event"), max_length=40, choices=Event.choices)
    pilot = models.ForeignKey(
        "cases.Pilot",
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("pilot"),
    )
    task = models.ForeignKey(
        "viewflow.Task",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("task"),
    )
    params = models.JSONField(_("details"), default=dict, blank=True)
    email_mode = models.CharField(_("e-mail"), max_length=20, choices=Mode.choices)
    message = models.OneToOneField(
        OutboxMessage,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notification",
        verbose_name=_("e-mail"),
    )
    digest = models.ForeignKey(
        OutboxMessage,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="digest_notifications",
        verbose_name=_("digest e-mail"),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created", "-pk"]
        indexes = [
            models.Index(
                fields=["user"], condition=Q(read_at__isnull=True), name="notification_unread"
            ),
            models.Index(fields=["user", "-created"], name="notification_user_created"),
            models.Index(
                fields=["email_mode", "user"],
                condition=Q(email_mode="digest", digest__isnull=True),
                name="notification_digest_due",
            ),
        ]

    def __str__(self):
        return self.dedupe_key

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
