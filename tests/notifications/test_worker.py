"""The outbox end to end, on PostgreSQL with a real Redis broker and real Celery processes.

A dedicated redis-server on a free loopback port is the broker (so it can be stopped and
started without touching anyone else's Redis); `celery worker` (prefork) and `celery beat`
(django-celery-beat's database scheduler) run as child processes against the test database.
Mail goes to a transactional sink (tests/notifications/sink.py) that records each mail inside
the relay's transaction: a mail counts as delivered exactly when the outbox commits it.

Shown here (the issue's (a)-(d)):
(a) a notice is delivered exactly once end to end;
(b) with the broker stopped, the user's request completes within 2 seconds, and the message
    is delivered once after the broker returns;
(c) a worker killed with SIGKILL in the middle of a delivery leads to exactly one delivery
    after a restart (of the pool's child, and of the whole worker);
(d) a double-submitted task form gives one notification.
"""

import importlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.test import Client
from django.urls import reverse
from django_celery_beat.models import IntervalSchedule, PeriodicTask
from kombu import pools

from config.celery import app as celery_app
from notifications import services
from notifications.models import Event, Notification, OutboxMessage
from tests import factories as f
from tests.notifications import sink
from workflows.scenarios import open_task

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL=postgres://...)"
    ),
    pytest.mark.django_db(transaction=True),
]

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
QUEUE = f"kokeilu-test-{uuid.uuid4().hex[:8]}"
SENT = OutboxMessage.Status.SENT


def require(condition: bool, reason: str) -> None:
    """Skip when something this module needs is missing, except in CI, where it must run."""
    if condition:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (required in CI)")
    pytest.skip(reason)


def wait_for(predicate, timeout: float = 45.0, interval: float = 0.1, what: str = ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what or predicate}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# -- processes -----------------------------------------------------------------------------


class RedisServer:
    """A throw-away redis-server: no persistence, so a stop loses every queued message."""

    def __init__(self, port: int, log: Path):
        self.port, self.log, self.process = port, log, None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def start(self) -> None:
        command = [shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no", "--loglevel", "warning"]
        with self.log.open("a") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
        wait_for(self.ping, timeout=10, what="redis-server to answer")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        wait_for(lambda: not self.ping(), timeout=10, what="redis-server to stop")


class CeleryProcess:
    """`celery -A config <args>` in its own process group, logging to a file."""

    def __init__(self, name: str, args: list[str], env: dict, log: Path, ready: str):
        self.name, self.args, self.env, self.log, self.ready = name, args, env, log, ready
        self.process = None

    def start(self) -> "CeleryProcess":
        self.log.write_text("")
        with self.log.open("a") as log:
            self.process = subprocess.Popen(  # noqa: S603
                [str(BIN / "celery"), "-A", "config", *self.args],
                cwd=REPO,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_for(lambda: self.ready in self.output(), timeout=60, what=f"{self.name} to start")
        return self

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def count(self, text: str) -> int:
        return self.output().count(text)

    def kill(self) -> None:
        """SIGKILL to the whole process group: the main process and its pool, at once."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()


@pytest.fixture(scope="module")
def broker(tmp_path_factory):
    require(shutil.which("redis-server") is not None, "needs redis-server on the PATH")
    require((BIN / "celery").exists(), "needs the celery command in the virtualenv")
    server = RedisServer(free_port(), tmp_path_factory.mktemp("redis") / "redis.log")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def live_celery(broker, monkeypatch):
    """This test process publishes to the real broker instead of running tasks eagerly."""
    keys = ("broker_url", "task_always_eager", "task_default_queue")
    saved = {key: celery_app.conf[key] for key in keys}
    # Celery reads CELERY_BROKER_URL from the environment before its configuration.
    monkeypatch.setenv("CELERY_BROKER_URL", broker.url)
    celery_app.conf.update(broker_url=broker.url, task_always_eager=False, task_default_queue=QUEUE)
    _reset_producers()
    assert celery_app.connection_for_write().port == broker.port
    yield celery_app
    monkeypatch.undo()
    celery_app.conf.update(saved)
    _reset_producers()


def _reset_producers() -> None:
    # Connections and queues are cached on first use; drop them so the new broker is used
    # (as Celery itself does after a fork).
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    pools.reset()
    for cached in ("queues", "router", "default_queue"):
        celery_app.amqp.__dict__.pop(cached, None)


@pytest.fixture
def mail_sink():
    with connection.cursor() as cursor:
        cursor.execute(sink.CREATE)
        cursor.execute(f"TRUNCATE {sink.TABLE}")
    yield
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {sink.TABLE}")


def deliveries() -> Counter:
    """How many times each Message-ID reached the sink (committed deliveries only)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT message_id FROM {sink.TABLE}")  # noqa: S608
        return Counter(row[0] for row in cursor.fetchall())


@pytest.fixture
def processes(broker, live_celery, mail_sink, tmp_path):
    """Start workers and beat against the test database; all are stopped after the test."""
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    database_url = (
        f"postgres://{quote(db['USER'], safe='')}{password}@{db['HOST'] or '127.0.0.1'}"
        f":{db['PORT'] or 5432}/{db['NAME']}"
    )
    pause = tmp_path / "pause"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": broker.url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_TASK_DEFAULT_QUEUE": QUEUE,
        "DJANGO_EMAIL_BACKEND": "tests.notifications.sink.TransactionalSinkBackend",
        "KOKEILU_SINK_PAUSE_FILE": str(pause),
        "PYTHONPATH": str(REPO),
    }
    started: list[CeleryProcess] = []

    class Processes:
        pause_file = pause

        def worker(self, **extra_env) -> CeleryProcess:
            number = len(started)
            process = CeleryProcess(
                f"worker {number}",
                [
                    "worker",
                    "--pool=prefork",
                    "--concurrency=1",
                    "-Q",
                    QUEUE,
                    "-n",
                    f"{QUEUE}-{number}@%h",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "--loglevel=INFO",
                ],
                {**env, **extra_env},
                tmp_path / f"worker-{number}.log",
                ready=" ready.",
            )
            started.append(process)
            return process.start()

        def beat(self) -> CeleryProcess:
            """Beat with the outbox relay every second (it is every minute in production)."""
            every_second, _made = IntervalSchedule.objects.get_or_create(
                every=1, period=IntervalSchedule.SECONDS
            )
            PeriodicTask.objects.filter(task="notifications.tasks.outbox_relay").update(
                interval=every_second
            )
            process = CeleryProcess(
                "beat",
                ["beat", "--loglevel=INFO", "-s", str(tmp_path / "beat-schedule")],
                env,
                tmp_path / "beat.log",
                ready="beat: Starting...",
            )
            started.append(process)
            return process.start()

    yield Processes()
    for process in reversed(started):
        process.stop()
    for process in started:
        # leave the logs of a failed test where pytest shows them
        sys.stdout.write(f"\n--- {process.name} log (tail) ---\n{process.output()[-3000:]}")


@pytest.fixture
def cast(transactional_db):
    """Divisions and themes as the data migration makes them (a transactional test starts
    from an empty database), a company with a user, and an innovation agent."""
    importlib.import_module("cases.migrations.0002_divisions_and_themes").create(django_apps, None)
    company = f.CompanyFactory(name="Viestintä Oy")
    return {
        "company": company,
        "company_user": f.make_company_user(company, "svc-company"),
        "agent": f.make_agent("svc-agent"),
    }


def message_ids(queryset=None) -> set[str]:
    queryset = OutboxMessage.objects.all() if queryset is None else queryset
    return {services._message_id(message) for message in queryset}


def all_sent(count: int):
    return lambda: OutboxMessage.objects.filter(status=SENT).count() == count


def claimed_screening(cast, client: Client):
    """A proposal (its notice to the agent already delivered) whose screening task the agent
    claimed in the browser; returns the execute URL of the screening form."""
    pilot = f.submit_pilot(cast["company"], cast["company_user"])
    task = open_task(pilot, "screen")
    client.force_login(cast["agent"])
    args = [task.process_id, task.pk]
    assert client.post(reverse("pilot:screen:assign", args=args)).status_code == 302
    return pilot, reverse("pilot:screen:execute", args=args)


ACCEPT = {"decision": "accept", "message": ""}


# -- (a) --------------------------------------------------------------------------------------


def test_a_notice_is_delivered_exactly_once_end_to_end(cast, processes, client):
    worker = processes.worker()
    # when a company submits a proposal and the agent accepts it in the browser
    pilot, execute = claimed_screening(cast, client)
    assert client.post(execute, ACCEPT).status_code == 302
    # then three mails were written: screening to the agent, the new stage to the company,
    # and matching to the agent
    assert sorted(OutboxMessage.objects.values_list("notification__kind", flat=True)) == [
        Event.STAGE_CHANGED,
        Event.TASK_AVAILABLE,
        Event.TASK_AVAILABLE,
    ]
    # and the worker delivers each of them
    wait_for(all_sent(3), what="the three mails to be sent")
    # when the relay sweeps again through the worker, nothing is sent twice
    from notifications.tasks import outbox_relay

    outbox_relay.delay()
    wait_for(lambda: worker.count("notifications.tasks.outbox_relay[") >= 2, what="the sweep")
    assert deliveries() == dict.fromkeys(message_ids(), 1)
    assert list(OutboxMessage.objects.values_list("attempts", flat=True)) == [1, 1, 1]
    company_mail = OutboxMessage.objects.get(recipient=cast["company_user"])
    assert company_mail.subject == f"{pilot.reference} is now in the stage “Matching”"


# -- (b) --------------------------------------------------------------------------------------


def test_with_the_broker_down_the_request_is_fast_and_the_mail_goes_once_it_is_back(
    cast, processes, broker, client, record_property
):
    processes.worker()
    processes.beat()
    pilot, execute = claimed_screening(cast, client)
    wait_for(all_sent(1), what="the screening notice")

    # given the broker is stopped (it loses whatever it held)
    broker.stop()
    # when the agent accepts the proposal
    started = time.monotonic()
    response = client.post(execute, ACCEPT)
    elapsed = time.monotonic() - started
    # then the request completes at once, and its mails wait in the outbox
    assert response.status_code == 302
    assert elapsed < 2.0, f"the request took {elapsed:.2f} s"
    waiting = OutboxMessage.objects.exclude(status=SENT)
    assert waiting.count() == 2
    assert not (message_ids(waiting) & set(deliveries()))
    record_property("request_seconds_with_broker_down", round(elapsed, 3))

    # when the broker comes back, beat's relay and the worker deliver them, once each
    time.sleep(1)
    broker.start()
    back = time.monotonic()
    wait_for(all_sent(3), timeout=90, what="the mails after the broker returned")
    record_property("seconds_to_deliver_after_broker_returned", round(time.monotonic() - back, 3))
    time.sleep(2)  # a few more relay runs: nothing is sent twice
    assert deliveries() == dict.fromkeys(message_ids(), 1)
    sys.stdout.write(
        f"\n(b) request with the broker down: {elapsed:.3f} s; delivered "
        f"{time.monotonic() - back - 2:.1f} s after the broker returned\n"
    )
    assert pilot.timeline.count() == 2


# -- (c) --------------------------------------------------------------------------------------


def _pause_in_the_middle_of_a_delivery(cast, processes):
    """A proposal whose notice the worker is sending, stopped after the mail was recorded and
    before the outbox committed it. Returns the pid of the process doing it."""
    processes.pause_file.touch()
    f.submit_pilot(cast["company"], cast["company_user"])
    sending = Path(f"{processes.pause_file}.sending")
    pid = int(wait_for(lambda: sending.exists() and sending.read_text(), what="the delivery"))
    processes.pause_file.unlink()  # the next attempt runs through
    assert deliveries() == {}  # recorded, but not committed
    message = OutboxMessage.objects.get()
    assert (message.status, message.attempts) == (OutboxMessage.Status.PENDING, 1)
    return pid


def test_a_pool_process_killed_mid_delivery_delivers_once_after_its_restart(cast, processes):
    worker = processes.worker()
    processes.beat()
    pid = _pause_in_the_middle_of_a_delivery(cast, processes)
    # when the pool process sending the mail is killed
    os.kill(pid, signal.SIGKILL)
    # then the worker restarts it and the task is delivered again (acks_late and
    # reject_on_worker_lost), and the mail reaches its recipient once
    wait_for(all_sent(1), what="the mail after the kill")
    wait_for(lambda: "WorkerLostError" in worker.output(), what="the worker to notice")
    time.sleep(2)
    assert deliveries() == dict.fromkeys(message_ids(), 1)
    assert OutboxMessage.objects.get().attempts == 2


def test_a_worker_killed_mid_delivery_delivers_once_after_a_restart(cast, processes):
    worker = processes.worker(CELERY_VISIBILITY_TIMEOUT="5")
    _pause_in_the_middle_of_a_delivery(cast, processes)
    # when the whole worker is killed with SIGKILL in the middle of the delivery
    worker.kill()
    time.sleep(1)
    assert OutboxMessage.objects.get().status == OutboxMessage.Status.PENDING
    # and a new worker and beat start
    processes.worker(CELERY_VISIBILITY_TIMEOUT="5")
    processes.beat()
    # then the mail is delivered once
    wait_for(all_sent(1), what="the mail after the restart")
    time.sleep(6)  # past the visibility timeout: a redelivered task finds the mail sent
    assert deliveries() == dict.fromkeys(message_ids(), 1)
    assert OutboxMessage.objects.get().attempts == 2


# -- (d) --------------------------------------------------------------------------------------


def test_a_double_submitted_task_form_gives_one_notification(cast, processes, client):
    processes.worker()
    pilot, execute = claimed_screening(cast, client)
    # given the same browser session posting the form twice at the same moment
    session = client.cookies
    clients = []
    for _ in range(2):
        double = Client(raise_request_exception=False)
        double.cookies = session
        clients.append(double)
    barrier = threading.Barrier(2)
    statuses = [None, None]

    def post(i):
        try:
            barrier.wait(timeout=10)
            statuses[i] = clients[i].post(execute, ACCEPT).status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    sys.stdout.write(f"\n(d) statuses of the two posts: {statuses}\n")
    # then one post did the work and the other changed nothing
    assert 302 in statuses
    assert sorted(statuses)[1] in (302, 403, 404, 409)
    # and the company was told once of the new stage, and the agent once of matching
    stage = Notification.objects.filter(pilot=pilot, kind=Event.STAGE_CHANGED)
    assert list(stage.values_list("user__username", flat=True)) == ["svc-company"]
    assert Notification.objects.filter(pilot=pilot, kind=Event.TASK_AVAILABLE).count() == 2
    # and each mail was delivered once
    wait_for(all_sent(3), what="the mails")
    time.sleep(1)
    assert deliveries() == dict.fromkeys(message_ids(), 1)
