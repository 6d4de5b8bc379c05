"""Grouping by shop day in SQL, portably: the local day of a stored time is an SQL expression.

Times are stored as naive UTC; a shop day is a local calendar day of the shop's zone, whose UTC
bounds move with daylight saving. Neither SQLite nor PostgreSQL can be asked for "the day in
``Europe/Istanbul``" the same way, so :func:`day_case` writes the period's day starts into the
query as a balanced ``CASE`` (about log2(days) comparisons a row, a year's 366 days are nine
levels): the same SQL on both databases, a ``GROUP BY`` over it instead of a row per document
fetched into Python, and no query per day.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from peewee import Case, Value

from pos_tui.core.kernel.clock import day_bounds, to_db
from pos_tui.core.reports.period import Period


def day_case(column: Any, period: Period, tz: str) -> Any:
    """An SQL expression giving the shop day (a date) of ``column`` (a stored time) for rows in
    ``period`` (filter the rows to the period's bounds: earlier rows read as its first day, later
    ones as its last). Read a selected value back with :func:`as_day`."""
    days = period.each_day()
    starts = [to_db(day_bounds(day, tz)[0]) for day in days]

    def node(lo: int, hi: int) -> Any:
        if lo == hi:
            return Value(days[lo])
        mid = (lo + hi + 1) // 2
        return Case(None, [(column < starts[mid], node(lo, mid - 1))], node(mid, hi))

    return node(0, len(days) - 1)


def as_day(value: date | datetime | str) -> date:
    """A day selected from :func:`day_case` or a date column: PostgreSQL gives a ``date``, SQLite
    its ISO text."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])
