"""Due dates in working days: weekends and Finnish public holidays do not count."""

import datetime
from functools import lru_cache

import holidays
from django.conf import settings


@lru_cache(maxsize=64)
def _finnish_holidays(year: int) -> frozenset[datetime.date]:
    return frozenset(holidays.country_holidays("FI", years=year).keys())


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in _finnish_holidays(day.year)


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The date `days` working days after `start` (`start` itself does not count)."""
    day = start
    remaining = days
    while remaining > 0:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def service_level(node_name: str) -> int:
    return settings.KOKEILU_SERVICE_LEVELS.get(node_name, 5)


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """How many working days fall after `start`, up to and including `end`."""
    count = 0
    day = start
    while day < end:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count


def working_days_back(end: datetime.date, days: int) -> datetime.date:
    """The latest date from which `days` working days have passed by `end`, so that
    working_days_between(result, end) == days (counting back past weekends and holidays)."""
    day = end
    remaining = days
    while remaining > 0:
        if is_working_day(day):
            remaining -= 1
        day -= datetime.timedelta(days=1)
    return day
