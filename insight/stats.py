"""Lead-time arithmetic: plain functions over (start, end) pairs, no database."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence

DAY = 86400.0


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """The `fraction` quantile (0..1) by linear interpolation between the closest ranks
    (the "inclusive" method: the median of 1, 2, 3, 4 is 2.5; the 90th percentile is 3.7)."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    lower = int(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def duration_days(start: datetime.datetime, end: datetime.datetime) -> float:
    return (end - start).total_seconds() / DAY


def summarise(durations: Iterable[float]) -> dict:
    """Count, median and 90th percentile of durations in days, rounded to a tenth of a day."""
    values = list(durations)
    median = percentile(values, 0.5)
    p90 = percentile(values, 0.9)
    return {
        "count": len(values),
        "median": None if median is None else round(median, 1),
        "p90": None if p90 is None else round(p90, 1),
    }
