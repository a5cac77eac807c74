"""Notices of one event are written together; the mails of one step or request are published
together after the commit."""

from unittest import mock

from django.contrib.auth import get_user_model
from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext

from notifications import selectors, services, tasks
from notifications.middleware import OutboxBatchMiddleware
from notifications.models import Event, Mode, Notification, NotificationPreference, OutboxMessage
from tests import factories as f
from workflows import scenarios as sc

User = get_user_model()


def _users(n, prefix):
    return [f.UserFactory(username=f"{prefix}{i}") for i in range(n)]


def _notify(pilot, recipients, **extra):
    return services.notify(
        event=Event.STAGE_CHANGED,
        pilot=pilot,
        recipients=recipients,
        key="test",
        params={"stage": "matching", "old_stage": "intake"},
        **extra,
    )


def test_the_queries_do_not_grow_with_the_recipients(world):
    pilot = f.submit_pilot(world.company_a, world.company)
    counts = []
    for n, prefix in ((1, "one"), (6, "six")):
        recipients = _users(n, prefix)
        with CaptureQueriesContext(connection) as queries:
            created = services.notify(
                event=Event.STAGE_CHANGED,
                pilot=pilot,
                recipients=recipients,
                key=prefix,
                params={"stage": "matching", "old_stage": "intake"},
            )
        assert len(created) == n
        counts.append(len(queries))
    assert counts[0] == counts[1]
    # each recipient has a notice and a pending mail, linked to each other
    mails = OutboxMessage.objects.filter(dedupe_key__contains=":six:")
    assert mails.count() == 6
    assert sorted(m.notification.user.username for m in mails) == [f"six{i}" for i in range(6)]
    assert all(m.notification.dedupe_key == m.dedupe_key for m in mails)


def test_a_repeat_tells_only_those_not_told(world):
    pilot = f.submit_pilot(world.company_a, world.company)
    first, second = _users(2, "r")
    assert len(_notify(pilot, [first])) == 1
    created = _notify(pilot, [first, second])
    assert [notice.user for notice in created] == [second]
    assert Notification.objects.filter(kind=Event.STAGE_CHANGED, pilot=pilot).count() == 2


def test_a_key_written_by_a_concurrent_transaction_is_skipped_one_by_one(world):
    pilot = f.submit_pilot(world.company_a, world.company)
    first, second, third = _users(3, "c")
    _notify(pilot, [second])
    # the look for repeats ran before the other transaction committed: it finds nothing
    with mock.patch.object(Notification.objects, "filter") as looked:
        looked.return_value.values_list.return_value = []
        created = _notify(pilot, [first, second, third])
    assert sorted(notice.user.username for notice in created) == ["c0", "c2"]
    assert Notification.objects.filter(kind=Event.STAGE_CHANGED, pilot=pilot).count() == 3
    assert OutboxMessage.objects.filter(dedupe_key__contains=":test:").count() == 3


def test_a_fresh_task_is_told_without_a_look_for_repeats(world):
    pilot = f.submit_pilot(world.company_a, world.company)
    recipients = _users(2, "fresh")
    with CaptureQueriesContext(connection) as queries:
        _notify(pilot, recipients, fresh=True)
    sql = " ".join(query["sql"] for query in queries).upper()
    assert "SAVEPOINT" not in sql
    assert 'FROM "NOTIFICATIONS_NOTIFICATION"' not in sql  # no SELECT of existing notices
    assert Notification.objects.filter(user__in=recipients).count() == 2


def test_one_publish_for_the_mails_of_a_step(world, django_capture_on_commit_callbacks):
    pilot = f.submit_pilot(world.company_a, world.company)
    sc.screen(pilot, world.agent)
    sc.match(pilot, world.agent, world.edu)
    before = set(OutboxMessage.objects.values_list("pk", flat=True))
    # the division's acceptance of the match tells legal staff of the contract to prepare
    # and the company of the new stage: several mails, one publish
    with (
        mock.patch.object(tasks.outbox_deliver, "apply_async") as publish,
        django_capture_on_commit_callbacks(execute=True),
    ):
        sc.review_match(pilot, world.edu_staff)
    written = set(OutboxMessage.objects.values_list("pk", flat=True)) - before
    assert len(written) >= 2
    publish.assert_called_once()
    assert set(publish.call_args.kwargs["args"][0]) == written


def test_nested_batches_join_and_a_failed_block_publishes_nothing(
    world, django_capture_on_commit_callbacks
):
    pilot = f.submit_pilot(world.company_a, world.company)
    with mock.patch.object(services, "outbox_enqueue") as enqueue:
        with (
            django_capture_on_commit_callbacks(execute=True) as callbacks,
            services.outbox_batched(),
        ):
            _notify(pilot, _users(1, "a"))
            with services.outbox_batched():
                _notify(pilot, _users(1, "b"))
            assert callbacks == []  # nothing registered before the outer block ends
        assert len(callbacks) == 1
        written = OutboxMessage.objects.filter(dedupe_key__contains=":test:")
        enqueue.assert_called_once_with(sorted(written.values_list("pk", flat=True)))

        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            try:
                with services.outbox_batched():
                    _notify(pilot, _users(1, "x"))
                    raise RuntimeError("the step failed")
            except RuntimeError:
                pass
        assert callbacks == []
        assert enqueue.call_count == 1


def test_the_middleware_publishes_once_per_request(rf, world, django_capture_on_commit_callbacks):
    pilot = f.submit_pilot(world.company_a, world.company)

    def view(request):
        _notify(pilot, _users(2, "m"))
        services.reference_issued(pilot=pilot)  # the company's user
        return HttpResponse("ok")

    with (
        mock.patch.object(tasks.outbox_deliver, "apply_async") as publish,
        django_capture_on_commit_callbacks(execute=True),
    ):
        OutboxBatchMiddleware(view)(rf.get("/"))
    publish.assert_called_once()
    assert len(publish.call_args.kwargs["args"][0]) == 3


def test_modes_read_with_a_queryset_equal_those_read_apart(world):
    pilot = f.submit_pilot(world.company_a, world.company)
    users = _users(3, "mode")
    NotificationPreference.objects.create(user=users[0], kind=Event.STAGE_CHANGED, mode=Mode.OFF)
    NotificationPreference.objects.create(user=users[1], kind=Event.STAGE_CHANGED, mode=Mode.DIGEST)
    NotificationPreference.objects.create(user=users[2], kind=Event.TASK_AVAILABLE, mode=Mode.OFF)
    queryset = User.objects.filter(username__startswith="mode").order_by("pk")
    listed, modes = selectors.with_modes(queryset, Event.STAGE_CHANGED)
    assert listed == users
    assert modes == selectors.modes_for(users, Event.STAGE_CHANGED)
    assert modes == {users[0].pk: Mode.OFF, users[1].pk: Mode.DIGEST, users[2].pk: Mode.IMMEDIATE}
    # and notify honours them: only the third gets a mail at once
    _notify(pilot, queryset)
    mails = OutboxMessage.objects.filter(dedupe_key__contains=":test:")
    assert [m.recipient for m in mails] == [users[2]]
    assert Notification.objects.filter(dedupe_key__contains=":test:").count() == 3
