"""The dashboard's figures: every one computed over `pilots_visible_to(user)`, in a fixed number
of queries whatever the number of pilots (three: pilots, division evaluations, human tasks),
then aggregated in one pass in Python so that SQLite and PostgreSQL give the same figures."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from decimal import Decimal, InvalidOperation

from django.db.models import QuerySet
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from cases.models import Evaluation, FundingSource, Outcome, Pilot, Stage
from cases.selectors import pilots_visible_to
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


def dashboard_pilots(user, *, year=None, theme=None, division=None) -> QuerySet[Pilot]:
    """The visible pilots, narrowed by the dashboard's filters (a year of planned start, a
    theme, a division)."""
    pilots = pilots_visible_to(user)
    if year:
        pilots = pilots.filter(planned_start__year=year)
    if theme is not None:
        pilots = pilots.filter(theme=theme)
    if division is not None:
        pilots = pilots.filter(division=division)
    return pilots


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
    """Every figure of the dashboard for these pilots, in three queries."""
    now = now or timezone.now()
    rows = list(
        pilots.order_by().values_list(
            "pk",
            "stage",
            "outcome",
            translated("theme__name"),
            translated("division__name"),
            "planned_start",
            "funding_amounts",
            "emission_reduction_estimate",
        )
    )
    measured = dict(
        Evaluation.objects.filter(pilot__in=pilots, party=Evaluation.Party.DIVISION)
        .exclude(emission_reduction=None)
        .values_list("pilot_id", "emission_reduction")
    )
    tasks = task_rows(pilots)

    by_stage, by_theme, by_year, by_outcome = Counter(), Counter(), Counter(), Counter()
    by_division: dict[str, Counter] = defaultdict(Counter)
    funding: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    emissions: dict[int, dict] = defaultdict(
        lambda: {
            "estimated_count": 0,
            "estimated": Decimal(0),
            "measured_count": 0,
            "measured": Decimal(0),
        }
    )
    for pk, stage, outcome, theme, division, start, amounts, estimate in rows:
        year = start.year
        by_stage[stage] += 1
        by_theme[theme] += 1
        by_year[year] += 1
        division_row = by_division[division or NO_DIVISION]
        division_row["pilots"] += 1
        division_row["open"] += stage != Stage.CLOSED
        if outcome:
            by_outcome[outcome] += 1
            division_row["scaled"] += outcome == Outcome.SCALED
        for source, amount in (amounts or {}).items():
            if source in FundingSource.values:
                funding[(year, source)] += _amount(amount)
        if estimate is not None:
            emissions[year]["estimated_count"] += 1
            emissions[year]["estimated"] += estimate
        if pk in measured:
            emissions[year]["measured_count"] += 1
            emissions[year]["measured"] += measured[pk]
    times = lead_times(tasks, now=now)
    return {
        "total": len(rows),
        "by_stage": by_stage,
        "by_theme": by_theme,
        "by_division": by_division,
        "by_year": by_year,
        "by_outcome": by_outcome,
        "funding": funding,
        "emissions": emissions,
        "lead_times": times,
        "bottlenecks": bottlenecks(times["nodes"]),
        "overdue": overdue_by_division(tasks, today=timezone.localtime(now).date()),
    }
