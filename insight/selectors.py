"""The dashboard's figures: every one computed over `pilots_visible_to(user)`, in a fixed number
of queries whatever the number of pilots, aggregated by the database (see
`dashboard_figures`)."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from decimal import Decimal, InvalidOperation

from django.db import connection
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from cases.models import Division, Evaluation, FundingSource, Outcome, Pilot, Stage
from cases.selectors import VisibilityScope, visibility_scope
from languages.queries import translated

from . import stats

# The human nodes of PilotFlow, in flow order, and the stage each belongs to.
NODE_STAGES = {
    "screen": Stage.INTAKE,
    "request_information": Stage.INTAKE,
    "match": Stage.MATCHING,
    "review_match": Stage.MATCHING,
    "prepare_contract": Stage.CONTRACTING,
    "accept_contract": Stage.CONTRACTING,
    "sign_contract": Stage.CONTRACTING,
    "run_pilot": Stage.EXECUTION,
    "evaluate_division": Stage.EVALUATION,
    "evaluate_company": Stage.EVALUATION,
    "decide_scaling": Stage.SCALING,
}
OPEN_STATUSES = {STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED}
NO_DIVISION = "—"
# Up to this many pilots, the dashboard computes its figures on each request, from the ids.
SMALL_PILOT_SET = 2000


def dashboard_pilots(user, *, year=None, theme=None, division=None) -> QuerySet[Pilot]:
    """The visible pilots, narrowed by the dashboard's filters (a year of planned start, a
    theme, a division)."""
    return scope_pilots(visibility_scope(user), year=year, theme=theme, division=division)


def scope_pilots(
    scope: VisibilityScope, *, year=None, theme=None, division=None
) -> QuerySet[Pilot]:
    """`dashboard_pilots` of every user with this scope (a theme and a division by instance or
    id)."""
    pilots = scope.pilots()
    if year:
        pilots = pilots.filter(planned_start__year=year)
    if theme is not None:
        pilots = pilots.filter(theme=theme)
    if division is not None:
        pilots = pilots.filter(division=division)
    return pilots


def small_pilot_ids(pilots: QuerySet[Pilot]) -> list[int] | None:
    """The pilots' ids when there are at most SMALL_PILOT_SET of them, else None (one query)."""
    ids = list(pilots.order_by().values_list("pk", flat=True)[: SMALL_PILOT_SET + 1])
    return ids if len(ids) <= SMALL_PILOT_SET else None


def task_rows(pilots: QuerySet[Pilot]) -> list[dict]:
    """The human tasks of the pilots, as plain rows (one query)."""
    rows = Task.objects.filter(
        process__pilotprocess__pilot__in=pilots, flow_task_type="HUMAN"
    ).values_list(
        "process__pilotprocess__pilot_id",
        "flow_task",
        "status",
        "created",
        "finished",
        "deadline__due",
        translated("process__pilotprocess__pilot__division__name"),
    )
    return [
        {
            "pilot": pilot_id,
            "node": node.name if node is not None else "",
            "status": status,
            "created": created,
            "finished": finished,
            "due": due,
            "division": division or NO_DIVISION,
        }
        for pilot_id, node, status, created, finished, due, division in rows
    ]


def lead_times(tasks: list[dict], *, now: datetime.datetime | None = None) -> dict:
    """Lead time per node and per stage, in days, from the tasks' created/finished timestamps.

    Per node: every completed task (status done) counts once: finished - created; a node that
    runs again (a second screening after more information) counts each round. Open tasks are
    not in the statistics; their current wait is reported apart (`open`, `oldest_open`).
    Per stage: for each pilot, from the creation of its first task in the stage to the finish of
    its last one, counted only when all of the pilot's tasks in that stage are done (a stage in
    progress or left by cancelling would understate the time).
    """
    now = now or timezone.now()
    node_durations: dict[str, list[float]] = defaultdict(list)
    node_open_waits: dict[str, list[float]] = defaultdict(list)
    spans: dict[tuple[int, str], list] = {}
    incomplete: set[tuple[int, str]] = set()
    for task in tasks:
        node, stage = task["node"], NODE_STAGES.get(task["node"])
        if stage is None:
            continue
        key = (task["pilot"], stage)
        if task["status"] == STATUS.DONE and task["finished"] is not None:
            node_durations[node].append(stats.duration_days(task["created"], task["finished"]))
            first, last = spans.get(key, (task["created"], task["finished"]))
            spans[key] = (min(first, task["created"]), max(last, task["finished"]))
        else:
            incomplete.add(key)
            if task["status"] in OPEN_STATUSES:
                node_open_waits[node].append(stats.duration_days(task["created"], now))
    stage_durations: dict[str, list[float]] = defaultdict(list)
    for key, (first, last) in spans.items():
        if key not in incomplete:
            stage_durations[key[1]].append(stats.duration_days(first, last))
    nodes = {}
    for node in NODE_STAGES:
        summary = stats.summarise(node_durations[node])
        waits = node_open_waits[node]
        summary["open"] = len(waits)
        summary["oldest_open"] = round(max(waits), 1) if waits else None
        nodes[node] = summary
    stages = {
        stage: stats.summarise(stage_durations[stage])
        for stage in dict.fromkeys(NODE_STAGES.values())
    }
    return {"nodes": nodes, "stages": stages}


def bottlenecks(nodes: dict, *, limit: int = 3) -> list[str]:
    """The nodes where pilots wait longest: by median completed lead time, then by the oldest
    wait still open; nodes with neither are left out."""

    def weight(node):
        summary = nodes[node]
        return (summary["median"] or 0, summary["oldest_open"] or 0)

    ranked = [node for node in nodes if nodes[node]["count"] or nodes[node]["open"]]
    return sorted(ranked, key=weight, reverse=True)[:limit]


def overdue_by_division(tasks: list[dict], *, today: datetime.date | None = None) -> dict:
    """Open human tasks and overdue ones (due date passed) per division of the pilot."""
    today = today or timezone.localdate()
    result: dict[str, dict] = defaultdict(lambda: {"open": 0, "overdue": 0})
    for task in tasks:
        if task["status"] not in OPEN_STATUSES:
            continue
        row = result[task["division"]]
        row["open"] += 1
        if task["due"] is not None and task["due"] < today:
            row["overdue"] += 1
    return dict(result)


def _amount(value) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return Decimal(0)
    return number if number.is_finite() and number > 0 else Decimal(0)


def dashboard_figures(pilots: QuerySet[Pilot], *, now: datetime.datetime | None = None) -> dict:
    """Every figure of the dashboard for these pilots, in a fixed number of queries."""
    return figures_of(pilots, small_pilot_ids(pilots), now=now)


def figures_of(
    pilots: QuerySet[Pilot], ids: list[int] | None, *, now: datetime.datetime | None = None
) -> dict:
    """`dashboard_figures`, given `small_pilot_ids(pilots)`.

    The pilots' figures are GROUP BY queries; the tasks' figures (lead times, waits, open and
    overdue tasks) are computed by PostgreSQL in three aggregate queries (`task_figures_sql`),
    and on SQLite, the embedded default for small installations, in Python from one row per
    task (`task_rows`, `lead_times`, `overdue_by_division`). Both give the same figures: the
    median and 90th percentile are PostgreSQL's `percentile_cont`, the same linear
    interpolation as `stats.percentile`; a test on PostgreSQL compares them."""
    now = now or timezone.now()
    # A small set of pilots (a company's, a small division's) is read as its ids, which the
    # planner can count and reach by index; the visibility rule's OR of subqueries cannot be.
    if ids is not None:
        pilots = Pilot.objects.filter(pk__in=ids)
    figures = pilot_figures(pilots)
    today = timezone.localtime(now).date()
    if connection.vendor == "postgresql":
        times, overdue = task_figures_sql(pilots, now=now, today=today, pilot_ids=ids)
    else:
        tasks = task_rows(pilots)
        times, overdue = lead_times(tasks, now=now), overdue_by_division(tasks, today=today)
    figures.update(lead_times=times, bottlenecks=bottlenecks(times["nodes"]), overdue=overdue)
    return figures


def pilot_figures(pilots: QuerySet[Pilot]) -> dict:
    """Pilots by stage, theme, division, year and outcome, funding and emissions: GROUP BY
    queries, so that only the groups come back."""
    pilots = pilots.order_by()
    year = ExtractYear("planned_start")

    def counts(expression) -> Counter:
        rows = pilots.annotate(key=expression).values("key").annotate(n=Count("pk"))
        return Counter({row["key"]: row["n"] for row in rows})

    by_stage = counts(F("stage"))
    by_theme = counts(translated("theme__name"))
    by_year = counts(year)
    by_outcome = Counter({key: n for key, n in counts(F("outcome")).items() if key})
    by_division: dict[str, Counter] = defaultdict(Counter)
    for row in (
        pilots.annotate(key=translated("division__name"))
        .values("key")
        .annotate(
            pilots=Count("pk"),
            open=Count("pk", filter=~Q(stage=Stage.CLOSED)),
            scaled=Count("pk", filter=Q(outcome=Outcome.SCALED)),
        )
    ):
        division_row = by_division[row["key"] or NO_DIVISION]
        division_row["pilots"] += row["pilots"]
        division_row["open"] += row["open"]
        division_row["scaled"] += row["scaled"]
    funding: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    # Only the pilots that name amounts: JSON is summed here, where a bad value is a zero.
    for start_year, amounts in (
        pilots.exclude(funding_amounts={}).annotate(y=year).values_list("y", "funding_amounts")
    ):
        for source, amount in (amounts or {}).items():
            if source in FundingSource.values:
                funding[(start_year, source)] += _amount(amount)
    emissions: dict[int, dict] = defaultdict(
        lambda: {
            "estimated_count": 0,
            "estimated": Decimal(0),
            "measured_count": 0,
            "measured": Decimal(0),
        }
    )
    for row in (
        pilots.exclude(emission_reduction_estimate=None)
        .annotate(y=year)
        .values("y")
        .annotate(n=Count("pk"), total=Sum("emission_reduction_estimate"))
    ):
        emissions[row["y"]]["estimated_count"] += row["n"]
        emissions[row["y"]]["estimated"] += row["total"]
    for row in (
        Evaluation.objects.filter(pilot__in=pilots, party=Evaluation.Party.DIVISION)
        .exclude(emission_reduction=None)
        .annotate(y=ExtractYear("pilot__planned_start"))
        .values("y")
        .annotate(n=Count("pk"), total=Sum("emission_reduction"))
    ):
        emissions[row["y"]]["measured_count"] += row["n"]
        emissions[row["y"]]["measured"] += row["total"]
    return {
        "total": sum(by_stage.values()),
        "by_stage": by_stage,
        "by_theme": by_theme,
        "by_division": by_division,
        "by_year": by_year,
        "by_outcome": by_outcome,
        "funding": funding,
        "emissions": emissions,
    }


def _node_refs() -> dict[str, str]:
    """The column value of each human node of PilotFlow (Viewflow's task reference)."""
    from workflows.flows import PilotFlow

    field = Task._meta.get_field("flow_task")
    return {node: field.get_prep_value(getattr(PilotFlow, node)) for node in NODE_STAGES}


def task_figures_sql(
    pilots: QuerySet[Pilot], *, now, today, pilot_ids: list[int] | None = None
) -> tuple[dict, dict]:
    """`lead_times` and `overdue_by_division` of the pilots' human tasks, aggregated by
    PostgreSQL (see `lead_times` for the definitions)."""
    refs = _node_refs()
    node_of = {ref: node for node, ref in refs.items()}
    stage_case = " ".join("WHEN %s THEN %s" for _node in refs)
    # A small set of pilots comes as its ids (see dashboard_figures); a large one as a query.
    if pilot_ids is not None:
        pilot_sql, pilot_params = "SELECT unnest(%s::bigint[])", [pilot_ids]
    else:
        pilot_sql, pilot_params = pilots.order_by().values("pk").query.sql_with_params()
    done = "t.status = %s AND t.finished IS NOT NULL"
    days = "EXTRACT(EPOCH FROM (t.finished - t.created)) / 86400.0"
    # The human tasks of the visible pilots, with their stage. The table and column names
    # are Viewflow's and ours; every value is a parameter.
    tasks = (
        "SELECT t.id, t.flow_task, t.status, t.created, t.finished, pp.pilot_id, "  # noqa: S608
        f"CASE t.flow_task {stage_case} END AS stage "
        "FROM viewflow_task t "
        "JOIN workflows_pilotprocess pp ON pp.process_ptr_id = t.process_id "
        f"WHERE t.flow_task_type = 'HUMAN' AND pp.pilot_id IN ({pilot_sql})"
    )
    tasks_params = [
        *(value for node, ref in refs.items() for value in (ref, str(NODE_STAGES[node]))),
        *pilot_params,
    ]
    open_statuses = sorted(OPEN_STATUSES)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH tasks AS ({tasks}) "  # noqa: S608
            "SELECT t.flow_task, "
            f"count(*) FILTER (WHERE {done}), "
            f"percentile_cont(0.5) WITHIN GROUP (ORDER BY {days}) FILTER (WHERE {done}), "
            f"percentile_cont(0.9) WITHIN GROUP (ORDER BY {days}) FILTER (WHERE {done}), "
            "count(*) FILTER (WHERE t.status = ANY(%s)), "
            "min(t.created) FILTER (WHERE t.status = ANY(%s)) "
            "FROM tasks t WHERE t.stage IS NOT NULL GROUP BY t.flow_task",
            [*tasks_params, STATUS.DONE, STATUS.DONE, STATUS.DONE, open_statuses, open_statuses],
        )
        node_rows = cursor.fetchall()
        cursor.execute(
            f"WITH tasks AS ({tasks}), spans AS ("  # noqa: S608
            "SELECT t.stage, "
            "EXTRACT(EPOCH FROM (max(t.finished) - min(t.created))) / 86400.0 AS d "
            "FROM tasks t WHERE t.stage IS NOT NULL GROUP BY t.pilot_id, t.stage "
            f"HAVING bool_and({done})) "
            "SELECT stage, count(*), percentile_cont(0.5) WITHIN GROUP (ORDER BY d), "
            "percentile_cont(0.9) WITHIN GROUP (ORDER BY d) FROM spans GROUP BY stage",
            [*tasks_params, STATUS.DONE],
        )
        stage_rows = cursor.fetchall()
        cursor.execute(
            f"WITH tasks AS ({tasks}) "  # noqa: S608
            "SELECT p.division_id, count(*), count(*) FILTER (WHERE d.due < %s) "
            "FROM tasks t JOIN cases_pilot p ON p.id = t.pilot_id "
            "LEFT JOIN workflows_taskdeadline d ON d.task_id = t.id "
            "WHERE t.status = ANY(%s) GROUP BY p.division_id",
            [*tasks_params, today, open_statuses],
        )
        overdue_rows = cursor.fetchall()

    def summary(count, median, p90) -> dict:
        return {
            "count": count,
            "median": None if median is None else round(median, 1),
            "p90": None if p90 is None else round(p90, 1),
        }

    nodes = {node: {**summary(0, None, None), "open": 0, "oldest_open": None} for node in refs}
    for ref, count, median, p90, open_count, oldest in node_rows:
        node = node_of[ref]
        nodes[node] = {
            **summary(count, median, p90),
            "open": open_count,
            "oldest_open": None if oldest is None else round(stats.duration_days(oldest, now), 1),
        }
    stages = {stage: summary(0, None, None) for stage in dict.fromkeys(NODE_STAGES.values())}
    for stage, count, median, p90 in stage_rows:
        stages[stage] = summary(count, median, p90)
    names = dict(Division.objects.annotate(label=translated("name")).values_list("pk", "label"))
    overdue: dict[str, dict] = defaultdict(lambda: {"open": 0, "overdue": 0})
    for division_id, open_count, overdue_count in overdue_rows:
        row = overdue[names.get(division_id) or NO_DIVISION]
        row["open"] += open_count
        row["overdue"] += overdue_count
    return {"nodes": nodes, "stages": stages}, dict(overdue)
