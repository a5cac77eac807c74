"""The dashboard's figures (`selectors.dashboard_figures`) as JSON and back, for the
snapshots: counters keep their zero default, amounts stay Decimals, keys that JSON cannot hold
(None, integers, tuples) are kept as pairs."""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal

AMOUNTS = ("estimated", "measured")
# Part of every snapshot's key: raise it when the figures change shape, and the snapshots of
# the old shape are no longer found (the refresh job drops them after a week).
FORMAT = 1


def _pairs(mapping) -> list[list]:
    return [[key, value] for key, value in mapping.items()]


def encode(figures: dict) -> dict:
    return {
        "total": figures["total"],
        "by_stage": _pairs(figures["by_stage"]),
        "by_theme": _pairs(figures["by_theme"]),
        "by_division": [[key, dict(row)] for key, row in figures["by_division"].items()],
        "by_year": _pairs(figures["by_year"]),
        "by_outcome": _pairs(figures["by_outcome"]),
        "funding": [
            [year, source, str(amount)] for (year, source), amount in figures["funding"].items()
        ],
        "emissions": [
            [year, {name: str(value) if name in AMOUNTS else value for name, value in row.items()}]
            for year, row in figures["emissions"].items()
        ],
        "lead_times": figures["lead_times"],
        "bottlenecks": list(figures["bottlenecks"]),
        "overdue": _pairs(figures["overdue"]),
    }


def decode(data: dict) -> dict:
    by_division: dict[str, Counter] = defaultdict(Counter)
    for key, row in data["by_division"]:
        by_division[key] = Counter(row)
    funding: dict[tuple, Decimal] = defaultdict(Decimal)
    for year, source, amount in data["funding"]:
        funding[(year, source)] = Decimal(amount)
    emissions: dict = {}
    for year, row in data["emissions"]:
        emissions[year] = {
            name: Decimal(value) if name in AMOUNTS else value for name, value in row.items()
        }
    return {
        "total": data["total"],
        "by_stage": Counter(dict(data["by_stage"])),
        "by_theme": Counter(dict(data["by_theme"])),
        "by_division": by_division,
        "by_year": Counter(dict(data["by_year"])),
        "by_outcome": Counter(dict(data["by_outcome"])),
        "funding": funding,
        "emissions": emissions,
        "lead_times": data["lead_times"],
        "bottlenecks": data["bottlenecks"],
        "overdue": dict(data["overdue"]),
    }
