"""B1 (PilotFlow through workflows.scenarios, as the task views do it) and B3 (the same node
sequence on the bare Viewflow flow of bench.bareflow), timed node by node with their queries."""

import contextlib
import datetime
import statistics
import time
from collections import defaultdict

from django.db import connection, transaction
from django.test.utils import override_settings
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from cases import services as case_services
from cases.models import Division, Evaluation, PlatformTheme
from workflows import scenarios as sc
from workflows.services import pilot_submit

from . import seed as bench_seed
from .bareflow.flows import BareFlow

# The human nodes, in the order a pilot passes them (submit is the company's start).
HUMAN_NODES = [
    "screen",
    "match",
    "review_match",
    "prepare_contract",
    "accept_contract",
    "sign_contract",
    "run_pilot",
    "evaluate_division",
    "evaluate_company",
    "decide_scaling",
]
NODES = ["submit", *HUMAN_NODES]


class QueryCounter:
    """Counts the SQL statements run on the default connection (connection.execute_wrapper:
    no debug cursor, so timing is not distorted), and what they are for."""

    def __init__(self):
        self.count = 0
        self.kinds = defaultdict(int)

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        self.kinds[query_kind(sql)] += 1
        return execute(sql, params, many, context)


def query_kind(sql: str) -> str:
    """What a statement is for, by its first word and the tables it names."""
    head = sql.lstrip()[:20].upper()
    if head.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
        return "savepoints"
    if head.startswith(("BEGIN", "COMMIT", "ROLLBACK")):
        return "transactions"
    if "historical" in sql[:200]:
        return "history rows"
    if "notifications_" in sql[:300]:
        return "notifications"
    if "guardian_" in sql or "auth_permission" in sql:
        return "permission checks"
    if head.startswith("SELECT") and ('"a" FROM' in sql[:40] or '"_check"' in sql[:40]):
        return "validation (full_clean)"
    if "viewflow_" in sql[:200]:
        return "viewflow tasks and processes"
    if "auth_user" in sql[:200]:
        return "users"
    return "case data"


class NodeTimer:
    def __init__(self):
        self.seconds = defaultdict(list)
        self.queries = defaultdict(list)
        self.counter = QueryCounter()

    @contextlib.contextmanager
    def node(self, name: str):
        before = self.counter.count
        start = time.perf_counter()
        yield
        self.seconds[name].append(time.perf_counter() - start)
        self.queries[name].append(self.counter.count - before)

    def summary(self, lifecycles: int, total: float) -> dict:
        nodes = {
            name: {
                "median_ms": statistics.median(values) * 1000,
                "p95_ms": percentile(values, 95) * 1000,
                "queries": statistics.mean(self.queries[name]),
            }
            for name, values in self.seconds.items()
        }
        human = [q for name in HUMAN_NODES for q in self.queries.get(name, [])]
        return {
            "lifecycles": lifecycles,
            "seconds": total,
            "lifecycles_per_second": lifecycles / total,
            "ms_per_lifecycle": total / lifecycles * 1000,
            "queries_per_human_node": statistics.mean(human) if human else 0,
            "queries_per_lifecycle": sum(sum(v) for v in self.queries.values()) / lifecycles,
            "query_kinds_per_lifecycle": {
                kind: count / lifecycles
                for kind, count in sorted(self.counter.kinds.items(), key=lambda item: -item[1])
            },
            "nodes": nodes,
        }


def percentile(values, p: float) -> float:
    """The p-th percentile, nearest rank."""
    ordered = sorted(values)
    rank = max(1, round(p / 100 * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


class B1Cast:
    """An agent, legal staff, Education's staff and a company with its user."""

    def __init__(self):
        self.agent = bench_seed._user("b1-agent", group=bench_seed.roles.AGENTS)
        self.legal = bench_seed._user("b1-legal", group=bench_seed.roles.LEGAL)
        self.division = Division.objects.get(code="education")
        staff = bench_seed._user("b1-staff")
        case_services.division_staff_add(user=staff, division=self.division, can_sign=True)
        self.staff = type(staff).objects.get(pk=staff.pk)
        self.company = case_services.company_create(
            name="Suorituskyky Oy", business_id=bench_seed._business_id(900000)
        )
        user = bench_seed._user("b1-company")
        case_services.membership_activate(company=self.company, user=user)
        self.company_user = type(user).objects.get(pk=user.pk)
        self.theme = PlatformTheme.objects.order_by("pk").first()


def kokeilu_lifecycle(cast: B1Cast, n: int, timer: NodeTimer) -> None:
    """One pilot from the proposal to the scaling decision, node by node."""
    with timer.node("submit"):
        pilot = pilot_submit(
            company=cast.company,
            by=cast.company_user,
            proposal=sc.proposal(
                cast.theme, title=f"Lifecycle {n}", start=datetime.date(2027, 3, 1)
            ),
        )
    steps = [
        ("screen", lambda: sc.screen(pilot, cast.agent)),
        ("match", lambda: sc.match(pilot, cast.agent, cast.division)),
        ("review_match", lambda: sc.review_match(pilot, cast.staff)),
        ("prepare_contract", lambda: sc.prepare_contract(pilot, cast.legal, cast.staff)),
        ("accept_contract", lambda: sc.accept_contract(pilot, cast.company_user)),
        ("sign_contract", lambda: sc.sign_contract(pilot, cast.staff)),
        ("run_pilot", lambda: sc.run_pilot(pilot, cast.agent)),
        (
            "evaluate_division",
            lambda: sc.evaluate(pilot, cast.staff, Evaluation.Party.DIVISION),
        ),
        (
            "evaluate_company",
            lambda: sc.evaluate(pilot, cast.company_user, Evaluation.Party.COMPANY),
        ),
        ("decide_scaling", lambda: sc.decide_scaling(pilot, cast.staff)),
    ]
    for name, step in steps:
        with timer.node(name):
            step()


# -- B3: the bare flow ---------------------------------------------------------------------

_DECISIONS = {
    "screen": {"screening": "accept"},
    "review_match": {"match_accepted": True},
    "accept_contract": {"contract_accepted": True},
}


def bare_complete(process, node_name: str, user) -> None:
    """What workflows.scenarios.complete_task does, on the bare flow: find the open task,
    assign, start, record the node's decision in the process, execute."""
    task = Task.objects.get(
        process=process,
        flow_task=getattr(BareFlow, node_name),
        status__in=[STATUS.NEW, STATUS.ASSIGNED],
    )
    with task.activation() as activation:
        if not activation.flow_task.can_assign(user, activation.task):
            raise PermissionError(node_name)
        activation.assign(user)
        activation.start(None)
        with transaction.atomic():
            decision = _DECISIONS.get(node_name)
            if decision:
                activation.process.data.update(decision)
                activation.process.save(update_fields=["data"])
        activation.execute()


def bare_lifecycle(cast: B1Cast, n: int, timer: NodeTimer) -> None:
    with timer.node("submit"):
        process = BareFlow.submit.run(title=f"Lifecycle {n}", by=cast.company_user)
    users = {
        "screen": cast.agent,
        "match": cast.agent,
        "review_match": cast.staff,
        "prepare_contract": cast.legal,
        "accept_contract": cast.company_user,
        "sign_contract": cast.staff,
        "run_pilot": cast.agent,
        "evaluate_division": cast.staff,
        "evaluate_company": cast.company_user,
        "decide_scaling": cast.staff,
    }
    for name in HUMAN_NODES:
        with timer.node(name):
            bare_complete(process, name, users[name])


def run_lifecycles(lifecycle, cast: B1Cast, count: int, warmup: int = 3) -> dict:
    """`count` lifecycles after `warmup` unmeasured ones, in one process and one thread.
    The bare flow runs without history: Kokeilu registers the history of Viewflow's Task
    model for every flow, and B3 measures the engine alone."""
    bare = lifecycle is bare_lifecycle
    with override_settings(SIMPLE_HISTORY_ENABLED=not bare):
        return _run_lifecycles(lifecycle, cast, count, warmup)


def _run_lifecycles(lifecycle, cast: B1Cast, count: int, warmup: int) -> dict:
    for n in range(warmup):
        lifecycle(cast, -1 - n, NodeTimer())
    timer = NodeTimer()
    with connection.execute_wrapper(timer.counter):
        start = time.perf_counter()
        for n in range(count):
            lifecycle(cast, n, timer)
        total = time.perf_counter() - start
    return timer.summary(count, total)


def check_finished(kind: str) -> int:
    """How many processes of `kind` ("kokeilu" or "bare") reached their end: every measured
    lifecycle must have."""
    from workflows.flows import PilotFlow

    flow = BareFlow if kind == "bare" else PilotFlow
    return Task.objects.filter(
        process__flow_class=flow, flow_task=flow.end, status=STATUS.DONE
    ).count()
