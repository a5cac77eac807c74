"""Writes of notifications: the events, the outbox and its relay, reminders, digests, settings.

Every notice is written by `notify` in the caller's transaction: one in-app Notification per
recipient and, for those who want mail at once, one OutboxMessage with a unique dedupe key
(event, pilot, task, recipient). Mail is published to the workers only after the commit, and
a failed publish (broker down) is logged and left to the relay that beat runs every minute.
"""

import contextlib
import contextvars
import datetime
import hashlib
import logging
from collections.abc import Iterable
from urllib.parse import urlparse

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy, ngettext
from kombu.exceptions import OperationalError as KombuOperationalError
from viewflow.workflow.models import Task

from cases.models import Pilot, Stage
from cases.selectors import pilots_visible_to
from workflows.deadlines import add_working_days, working_days_back, working_days_between

from . import messages, selectors
from .models import Event, Mode, Notification, NotificationPreference, OutboxMessage, UserProfile

logger = logging.getLogger(__name__)

try:  # the Redis client's own errors, when the broker is Redis
    from redis.exceptions import RedisError
except ImportError:  # pragma: no cover
    RedisError = KombuOperationalError

PUBLISH_ERRORS = (KombuOperationalError, RedisError, ConnectionError, OSError, TimeoutError)

# Set while demo data is generated: notices are written, mail is not.
_mail_suppressed = contextvars.ContextVar("kokeilu_mail_suppressed", default=False)


@contextlib.contextmanager
def mail_suppressed():
    token = _mail_suppressed.set(True)
    try:
        yield
    finally:
        _mail_suppressed.reset(token)


# -- writing notices ------------------------------------------------------------------------


def _dedupe_base(event: str, pilot: Pilot, task: Task | None, key: str) -> str:
    base = f"{event}:p{pilot.pk}:t{task.pk if task is not None else '-'}"
    return f"{base}:{key}" if key else base


def notify(
    *,
    event: str,
    pilot: Pilot,
    recipients: Iterable,
    task: Task | None = None,
    key: str = "",
    params: dict | None = None,
    by=None,
    fresh: bool = False,
) -> list[Notification]:
    """Write the notices of one event, once per recipient however often it is called.

    `fresh`: the event is about a task created in this very transaction, which no other
    transaction can see yet, so nobody can have been told of it: no look for repeats and no
    savepoint (three queries fewer for every task that opens).

    Runs in the caller's transaction: the notices and mails of the recipients not yet told
    are inserted together, in one savepoint. If a concurrent transaction wrote one of the
    dedupe keys first, that savepoint is rolled back and they are written one by one, each in
    its own savepoint, skipping those that exist. `by`, the user who caused the event, is not
    told of it."""
    recipients, modes = selectors.with_modes(recipients, event)
    users = {}
    for user in recipients:
        if user is not None and user.is_active and (by is None or user.pk != by.pk):
            users.setdefault(user.pk, user)
    if not users:
        return []
    base = _dedupe_base(event, pilot, task, key)
    keys = {pk: f"{base}:u{pk}" for pk in users}
    # Repeats are expected (reminders run again, a pilot comes back to a stage): those told
    # already are left out before writing, not found by a failed INSERT.
    existing = (
        set()
        if fresh
        else set(
            Notification.objects.filter(dedupe_key__in=keys.values()).values_list(
                "dedupe_key", flat=True
            )
        )
    )
    if modes is None:
        modes = selectors.modes_for(list(users.values()), event)
    now = timezone.now()
    wanted = [
        (keys[pk], user, modes[pk] if user.email and not _mail_suppressed.get() else Mode.OFF)
        for pk, user in users.items()
        if keys[pk] not in existing
    ]
    if not wanted:
        return []

    def rows(key, user, mode):
        message = None
        if mode == Mode.IMMEDIATE:
            message = OutboxMessage(
                dedupe_key=key, recipient=user, to_email=user.email, next_attempt_at=now
            )
        notification = Notification(
            dedupe_key=key,
            user=user,
            kind=event,
            pilot=pilot,
            task=task,
            params=params or {},
            email_mode=mode,
            message=message,
        )
        return message, notification

    try:
        # One savepoint (none when fresh) and two INSERTs for all the recipients.
        with transaction.atomic(savepoint=not fresh):
            pairs = [rows(*recipient) for recipient in wanted]
            outbox = OutboxMessage.objects.bulk_create(
                [message for message, _notification in pairs if message is not None]
            )
            for message, notification in pairs:
                notification.message = message  # now with its primary key
            created = Notification.objects.bulk_create(
                [notification for _message, notification in pairs]
            )
    except IntegrityError:
        # A concurrent transaction wrote some of these keys: one by one, each in its own
        # savepoint, skipping those that exist.
        created, outbox = [], []
        for recipient in wanted:
            try:
                with transaction.atomic():
                    message, notification = rows(*recipient)
                    if message is not None:
                        message.save(force_insert=True)
                        notification.message = message
                    notification.save(force_insert=True)
            except IntegrityError:
                continue  # written by a concurrent transaction: once is enough
            created.append(notification)
            if message is not None:
                outbox.append(message)
    if outbox:
        _enqueue_after_commit([message.pk for message in outbox])
    return created


# Mail ids written while `outbox_batched()` is open, published together when it closes.
_outbox_batch: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar(
    "kokeilu_outbox_batch", default=None
)


@contextlib.contextmanager
def outbox_batched():
    """Hand the mails written inside the block to the workers in one publish after the commit
    (one broker round trip for a step that tells several people, not one per notice). The
    middleware opens one per request; nested blocks join the outer one. Ids of messages rolled
    back with a savepoint may be among them: the workers skip ids that are not pending."""
    if _outbox_batch.get() is not None:
        yield
        return
    message_ids: list[int] = []
    token = _outbox_batch.set(message_ids)
    try:
        yield
    finally:
        _outbox_batch.reset(token)
    # Not reached when the block raised: its writes were rolled back with it.
    if message_ids:
        _enqueue_after_commit(message_ids)


def _enqueue_after_commit(message_ids: list[int]) -> None:
    batch = _outbox_batch.get()
    if batch is not None:
        batch.extend(message_ids)
        return
    # robust: an error here is logged, never raised into the committed request
    transaction.on_commit(lambda: outbox_enqueue(message_ids), robust=True)


def outbox_enqueue(message_ids: list[int]) -> None:
    """Hand messages to the workers. Called after commit only; never fails the caller: when
    the broker is down the messages stay pending and the relay on beat sends them."""
    from .tasks import outbox_deliver

    try:
        outbox_deliver.apply_async(args=[message_ids], retry=False)
    except PUBLISH_ERRORS as error:
        logger.warning(
            "Broker unavailable, %d message(s) left for the outbox relay: %s",
            len(message_ids),
            error,
        )


def _task_params(task: Task, **extra) -> dict:
    params = {"node": task.flow_task.name}
    deadline = getattr(task, "deadline", None)
    if deadline is not None:
        params["due"] = deadline.due.isoformat()
    params.update(extra)
    return params


# The event of a task opening depends on its node; every other human node is "available".
OPENING_EVENTS = {
    "request_information": Event.INFORMATION_REQUESTED,
    "accept_contract": Event.CONTRACT_RECEIVED,
    "evaluate_division": Event.EVALUATION_WAITING,
    "evaluate_company": Event.EVALUATION_WAITING,
}


def task_opened(*, task: Task, due: datetime.date) -> list[Notification]:
    """A human task was created: tell whoever may take it (or its owner, when the node
    assigned it at once)."""
    pilot = task.process.coerced.pilot
    node = task.flow_task.name
    params = {"node": node, "due": due.isoformat()}
    if task.owner_id is not None:
        return notify(
            event=Event.TASK_ASSIGNED,
            pilot=pilot,
            task=task,
            recipients=[task.owner],
            params=params,
            fresh=True,
        )
    event = OPENING_EVENTS.get(node, Event.TASK_AVAILABLE)
    if event == Event.INFORMATION_REQUESTED:
        params["message"] = pilot.screening_message
    return notify(
        event=event,
        pilot=pilot,
        task=task,
        recipients=selectors.task_candidates(task),
        params=params,
        fresh=True,
    )


def task_assigned(*, task: Task, by) -> list[Notification]:
    """A task was given to someone by another user (a hand-over)."""
    if task.owner_id is None:
        return []
    pilot = task.process.coerced.pilot
    params = _task_params(task, by=by.get_full_name() or by.get_username())
    return notify(
        event=Event.TASK_ASSIGNED,
        pilot=pilot,
        task=task,
        key=f"o{task.owner_id}",
        recipients=[task.owner],
        params=params,
        by=by,
    )


def pilot_stage_changed(*, pilot: Pilot, old_stage: str, by=None) -> list[Notification]:
    """The company's users follow their pilot's stage."""
    return notify(
        event=Event.STAGE_CHANGED,
        pilot=pilot,
        key=pilot.stage,
        recipients=selectors.company_users(pilot.company),
        params={"stage": pilot.stage, "old_stage": old_stage},
        by=by,
    )


def reference_issued(*, pilot: Pilot, by=None) -> list[Notification]:
    """The company's users hear that their pilot's reference is ready to download."""
    return notify(
        event=Event.REFERENCE_ISSUED,
        pilot=pilot,
        recipients=selectors.company_users(pilot.company),
        by=by,
    )


def _contract_people(pilot: Pilot, contract) -> list:
    return [contract.issued_by, selectors.pilot_agent(pilot)]


def contract_accepted(*, pilot: Pilot, contract, by) -> list[Notification]:
    """The company accepted the contract: the legal staff who issued it and the agent."""
    return notify(
        event=Event.CONTRACT_ACCEPTED,
        pilot=pilot,
        key=contract.document_sha256[:16],
        recipients=_contract_people(pilot, contract),
        by=by,
    )


def contract_signed(*, pilot: Pilot, contract, by) -> list[Notification]:
    """The division signed: the legal staff who issued the contract and the agent (the
    company hears of it as its pilot enters Execution)."""
    return notify(
        event=Event.CONTRACT_SIGNED,
        pilot=pilot,
        key=contract.document_sha256[:16],
        recipients=_contract_people(pilot, contract),
        by=by,
    )


# -- reminders (beat, every morning) ---------------------------------------------------------


def _open_tasks_with_due():
    return (
        Task.objects.filter(
            flow_task_type="HUMAN",
            status__in=selectors.OPEN_STATUSES,
            process__pilotprocess__isnull=False,
            deadline__isnull=False,
        )
        .select_related("owner", "deadline", "process")
        .order_by("deadline__due", "pk")
    )


def _each(items, work) -> int:
    """Run `work` on each item in its own transaction; one failure does not stop the rest."""
    done = 0
    for item in items:
        try:
            with transaction.atomic():
                done += len(work(item))
        except Exception:
            logger.exception("Reminder for %r failed", item)
    return done


def reminders_send(*, today: datetime.date | None = None) -> dict[str, int]:
    """Reminders driven by the due dates in the database, so a lost broker message or a
    missed run loses none: the next run finds the same tasks, and the dedupe keys keep each
    reminder to one per task and due date."""
    today = today or timezone.localdate()
    tasks = _open_tasks_with_due()

    def due_soon(task):
        return notify(
            event=Event.TASK_DUE_TOMORROW,
            pilot=task.process.coerced.pilot,
            task=task,
            key=task.deadline.due.isoformat(),
            recipients=selectors.task_responsible(task),
            params=_task_params(task),
        )

    def overdue(task):
        return notify(
            event=Event.TASK_OVERDUE,
            pilot=task.process.coerced.pilot,
            task=task,
            key=task.deadline.due.isoformat(),
            recipients=selectors.task_responsible(task),
            params=_task_params(task),
        )

    def escalate(task):
        pilot = task.process.coerced.pilot
        agent = selectors.pilot_agent(pilot)
        told = {user.pk for user in selectors.task_responsible(task)}
        if agent is None or agent.pk in told:
            return []
        owner = ""
        if task.owner is not None:
            owner = task.owner.get_full_name() or task.owner.get_username()
        days = working_days_between(task.deadline.due, today)
        return notify(
            event=Event.TASK_OVERDUE_ESCALATION,
            pilot=pilot,
            task=task,
            key=task.deadline.due.isoformat(),
            recipients=[agent],
            params=_task_params(task, days=days, owner=owner),
        )

    def planned_end(pilot):
        from workflows.flows import PilotFlow

        task = selectors.open_task_of_node(pilot, PilotFlow.run_pilot)
        agents = selectors.task_responsible(task) if task is not None else []
        return notify(
            event=Event.PLANNED_END_NEAR,
            pilot=pilot,
            key=pilot.planned_end.isoformat(),
            recipients=[*agents, *selectors.company_users(pilot.company)],
            params={"end": pilot.planned_end.isoformat()},
        )

    escalation_threshold = working_days_back(today, settings.KOKEILU_OVERDUE_ESCALATION_DAYS)
    ending = Pilot.objects.filter(
        stage=Stage.EXECUTION,
        planned_end__gte=today,
        planned_end__lte=today + datetime.timedelta(days=settings.KOKEILU_PLANNED_END_NOTICE_DAYS),
    ).select_related("company")
    return {
        "due_tomorrow": _each(
            tasks.filter(deadline__due__gt=today, deadline__due__lte=add_working_days(today, 1)),
            due_soon,
        ),
        "overdue": _each(tasks.filter(deadline__due__lt=today), overdue),
        "escalated": _each(tasks.filter(deadline__due__lte=escalation_threshold), escalate),
        "planned_end": _each(ending, planned_end),
    }


# -- the daily digest ------------------------------------------------------------------------


def digest_send(*, today: datetime.date | None = None) -> int:
    """One mail a day to each user with notices waiting for their digest. The dedupe key
    holds the date, so a second run on the same day adds nothing: the notices written since
    wait for the next day's digest."""
    today = today or timezone.localdate()
    user_ids = (
        Notification.objects.filter(email_mode=Mode.DIGEST, digest__isnull=True)
        .values_list("user_id", flat=True)
        .distinct()
    )
    created = 0
    for user_id in list(user_ids):
        with transaction.atomic():
            if _digest_for(user_id, today) is not None:
                created += 1
    return created


def _digest_for(user_id: int, today: datetime.date) -> OutboxMessage | None:
    key = f"digest:u{user_id}:{today.isoformat()}"
    if OutboxMessage.objects.filter(dedupe_key=key).exists():
        return None
    waiting = list(
        _lock(Notification.objects.filter(user_id=user_id, email_mode=Mode.DIGEST)).filter(
            digest__isnull=True
        )
    )
    if not waiting:
        return None
    user = waiting[0].user
    if not (user.is_active and user.email):
        Notification.objects.filter(pk__in=[n.pk for n in waiting]).update(email_mode=Mode.OFF)
        return None
    # A kind switched off since the notice was written is left out of the mail.
    off = {kind for kind, mode in selectors.preferences_of(user).items() if mode == Mode.OFF}
    dropped = [n.pk for n in waiting if n.kind in off]
    if dropped:
        Notification.objects.filter(pk__in=dropped).update(email_mode=Mode.OFF)
    included = [n.pk for n in waiting if n.kind not in off]
    if not included:
        return None
    message = OutboxMessage.objects.create(
        dedupe_key=key,
        kind=OutboxMessage.Kind.DIGEST,
        recipient=user,
        to_email=user.email,
        next_attempt_at=timezone.now(),
    )
    Notification.objects.filter(pk__in=included).update(digest=message)
    _enqueue_after_commit([message.pk])
    return message


# -- delivering the outbox -------------------------------------------------------------------


def _lock(queryset):
    """Row locks that other relays skip; SQLite has none (its writer lock serialises)."""
    if connection.features.has_select_for_update_skip_locked:
        return queryset.select_for_update(skip_locked=True)
    return queryset


def _message_id(message: OutboxMessage) -> str:
    # A stable Message-ID from the dedupe key lets an idempotent receiver drop a copy.
    digest = hashlib.sha256(message.dedupe_key.encode()).hexdigest()[:40]
    host = urlparse(settings.SITE_URL).hostname or "kokeilu.invalid"
    return f"<{digest}@{host}>"


def _visible(user, pilot_ids) -> set[int]:
    return set(pilots_visible_to(user).filter(pk__in=pilot_ids).values_list("pk", flat=True))


def _render(message: OutboxMessage) -> EmailMultiAlternatives | None:
    """The mail in the recipient's language, or None when nothing is left to tell them
    (they no longer see the pilot)."""
    user = message.recipient
    with translation.override(selectors.user_language(user)):
        if message.kind == OutboxMessage.Kind.DIGEST:
            notifications = list(
                message.digest_notifications.select_related("pilot", "task", "user").order_by(
                    "created", "pk"
                )
            )
            visible = _visible(user, {n.pilot_id for n in notifications})
            notifications = [n for n in notifications if n.pilot_id in visible]
            if not notifications:
                return None
            items = [
                {
                    "title": messages.title(n),
                    "body": messages.body(n),
                    "url": messages.absolute(messages.target_path(n)),
                }
                for n in notifications
            ]
            subject = ngettext(
                "Kokeilu: your daily digest, %(count)d notice",
                "Kokeilu: your daily digest, %(count)d notices",
                len(items),
            ) % {"count": len(items)}
            context = {"user": user, "items": items, "subject": subject}
            template = "notifications/email/digest"
        else:
            notification = message.notification
            if not _visible(user, [notification.pilot_id]):
                return None
            subject = messages.title(notification)
            context = {
                "user": user,
                "subject": subject,
                "paragraphs": messages.body(notification),
                "url": messages.absolute(messages.target_path(notification)),
                "pilot_url": messages.absolute(notification.pilot.get_absolute_url()),
            }
            template = "notifications/email/notice"
        context.update(
            preferences_url=messages.preferences_url(),
            language=translation.get_language(),
        )
        # A header is one line, whatever a pilot's title holds.
        subject = " ".join(subject.split())
        email = EmailMultiAlternatives(
            subject=subject,
            body=render_to_string(f"{template}.txt", context),
            to=[message.to_email],
            headers={"Message-ID": _message_id(message)},
        )
        email.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return email


# Why a message was not sent, for the administrators (kept in the site's language).
ATTEMPT_UNFINISHED = gettext_lazy("The last attempt did not finish.")
RECIPIENT_INACTIVE = gettext_lazy("The recipient's account is no longer active.")
PILOT_NOT_VISIBLE = gettext_lazy("The recipient no longer sees the pilot.")


def _site_text(text) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return str(text)


def _backoff(attempts: int) -> datetime.timedelta:
    seconds = settings.KOKEILU_OUTBOX_RETRY_SECONDS * 2 ** max(attempts - 1, 0)
    return datetime.timedelta(seconds=min(seconds, 3600))


def outbox_deliver(*, message_id: int) -> str:
    """Send one pending message, at most once.

    First the attempt is counted and committed, so that a worker killed in the middle of a
    send still uses up an attempt (a message that kills its worker ends as failed instead of
    looping). Then the message is sent while its row stays locked, and marked sent in that
    same transaction: a relay that dies during the send leaves the row pending for the next
    one, and a delivery recorded by a transactional backend commits with it exactly once.
    Other relays skip a locked row. Returns what happened: sent, retry, failed, cancelled or
    skipped."""
    now = timezone.now()
    with transaction.atomic():
        message = _lock(
            OutboxMessage.objects.filter(pk=message_id, status=OutboxMessage.Status.PENDING)
        ).first()
        if message is None or (message.next_attempt_at and message.next_attempt_at > now):
            return "skipped"
        if message.attempts >= settings.KOKEILU_OUTBOX_MAX_ATTEMPTS:
            message.status = OutboxMessage.Status.FAILED
            message.next_attempt_at = None
            message.last_error = message.last_error or _site_text(ATTEMPT_UNFINISHED)
            message.save(update_fields=["status", "next_attempt_at", "last_error"])
            return "failed"
        message.attempts += 1
        message.save(update_fields=["attempts"])

    with transaction.atomic():
        message = _lock(
            OutboxMessage.objects.filter(pk=message_id, status=OutboxMessage.Status.PENDING)
        ).first()
        if message is None:
            return "skipped"
        if not message.recipient.is_active:
            return _cancel(message, _site_text(RECIPIENT_INACTIVE))
        try:
            with transaction.atomic():
                email = _render(message)
                if email is not None:
                    email.send()
        except Exception as error:
            logger.warning("Sending outbox message %s failed: %r", message.pk, error)
            return _failed_attempt(message, error)
        if email is None:
            return _cancel(message, _site_text(PILOT_NOT_VISIBLE))
        message.status = OutboxMessage.Status.SENT
        message.sent_at = timezone.now()
        message.subject = email.subject[:300]
        message.next_attempt_at = None
        message.last_error = ""
        message.save(
            update_fields=["status", "sent_at", "subject", "next_attempt_at", "last_error"]
        )
    return "sent"


def _cancel(message: OutboxMessage, reason: str) -> str:
    message.status = OutboxMessage.Status.CANCELLED
    message.last_error = reason
    message.next_attempt_at = None
    message.save(update_fields=["status", "last_error", "next_attempt_at"])
    return "cancelled"


def _failed_attempt(message: OutboxMessage, error: Exception) -> str:
    message.last_error = f"{type(error).__name__}: {error}"[:2000]
    if message.attempts >= settings.KOKEILU_OUTBOX_MAX_ATTEMPTS:
        message.status = OutboxMessage.Status.FAILED
        message.next_attempt_at = None
        outcome = "failed"
    else:
        message.next_attempt_at = timezone.now() + _backoff(message.attempts)
        outcome = "retry"
    message.save(update_fields=["status", "last_error", "next_attempt_at"])
    return outcome


def outbox_relay(*, limit: int = 500) -> dict[str, int]:
    """Send every pending message that is due: those never published (broker down), those
    whose worker died, and the retries whose backoff has passed."""
    now = timezone.now()
    due = (
        OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    outcomes: dict[str, int] = {}
    for pk in list(due):
        outcome = outbox_deliver(message_id=pk)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


@transaction.atomic
def outbox_retry(*, message_ids: Iterable[int]) -> int:
    """Give failed (or cancelled) messages a new set of attempts, now (the admin's action)."""
    outbox = list(
        OutboxMessage.objects.select_for_update()
        .filter(
            pk__in=list(message_ids),
            status__in=[OutboxMessage.Status.FAILED, OutboxMessage.Status.CANCELLED],
        )
        .order_by("pk")
    )
    for message in outbox:
        message.status = OutboxMessage.Status.PENDING
        message.attempts = 0
        message.next_attempt_at = timezone.now()
        message.save(update_fields=["status", "attempts", "next_attempt_at"])
    if outbox:
        _enqueue_after_commit([message.pk for message in outbox])
    return len(outbox)


# -- the reader's side -----------------------------------------------------------------------


def notification_mark_read(*, notification: Notification, by) -> Notification:
    if notification.user_id != by.pk:
        raise PermissionDenied(gettext("Only its reader may mark a notification read."))
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user) -> int:
    # Notifications are not audited case data: a plain UPDATE is fine here.
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic
def preferences_set(*, user, modes: dict[str, str], language: str) -> None:
    """Save the user's mail language and the mode of each kind of event. Immediate mail is
    the default, so no row is kept for it."""
    profile, _created = UserProfile.objects.get_or_create(user=user)
    profile.language = language
    profile.full_clean()
    profile.save()
    for kind, mode in modes.items():
        if kind not in Event.values or mode not in Mode.values:
            raise ValueError(f"unknown preference {kind}={mode}")
        if mode == Mode.IMMEDIATE:
            NotificationPreference.objects.filter(user=user, kind=kind).delete()
        else:
            NotificationPreference.objects.update_or_create(
                user=user, kind=kind, defaults={"mode": mode}
            )


# -- the schedule of the periodic jobs (django-celery-beat) ----------------------------------

PERIODIC_TASKS = [
    # name, task, schedule: ("every", seconds) or ("daily", hour, minute)
    ("Kokeilu: send the outbox", "notifications.tasks.outbox_relay", ("every", 60)),
    ("Kokeilu: fire workflow timers", "workflows.tasks.workflow_fire_timers", ("every", 60)),
    ("Kokeilu: task and pilot reminders", "notifications.tasks.reminders_send", ("daily", 7, 0)),
    ("Kokeilu: daily digest", "notifications.tasks.digest_send", ("daily", 7, 15)),
    (
        "Kokeilu: refresh the dashboard's snapshots",
        "insight.tasks.dashboard_snapshots_refresh",
        ("every", 300),
    ),
]


def periodic_tasks_ensure() -> int:
    """Create the periodic jobs that are missing (idempotent). Jobs that exist are left as
    they are, so a schedule changed in the admin stays changed. Returns how many were made."""
    from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

    created = 0
    for name, task, schedule in PERIODIC_TASKS:
        if PeriodicTask.objects.filter(name=name).exists():
            continue
        if schedule[0] == "every":
            interval, _made = IntervalSchedule.objects.get_or_create(
                every=schedule[1], period=IntervalSchedule.SECONDS
            )
            PeriodicTask.objects.create(name=name, task=task, interval=interval)
        else:
            crontab, _made = CrontabSchedule.objects.get_or_create(
                minute=str(schedule[2]),
                hour=str(schedule[1]),
                day_of_week="*",
                day_of_month="*",
                month_of_year="*",
                timezone=settings.TIME_ZONE,
            )
            PeriodicTask.objects.create(name=name, task=task, crontab=crontab)
        created += 1
    return created
