"""Long periods read in slices: the same grouped query over consecutive parts of the rows, the
parts' groups added up in Python.

Why: SQLite has no hash aggregation, so a ``GROUP BY`` sorts every row it groups, and with the
connection's 64 MB cache (``store.db``'s ``cache_size``) its sorter sorts up to 64 MB in one piece
in memory, far outside the processor's caches. Over a busy shop's year (benchmarks/year_shop.py:
1,000,000 sale lines) reading and summing the lines costs 0.26 s of CPU, grouping them by product
1.2 s; the same ``GROUP BY`` over each month's lines (a sort that fits the caches) then adding
the twelve results up costs 0.7 s. A month is one slice, so a month's report runs as before.

Exact, not an estimate: every row falls in exactly one slice (sale documents by their time, cut at
shop-day starts; stock movements by their id), so sums and counts add up across slices, and so
does a count of distinct documents (a document is in one slice). A count of distinct *products*
does not (a product sells in many slices): read the products themselves (grouped by, or listed
per group as sales-by-category does) and count them in Python.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from peewee import Expression, fn

from pos_tui import store
from pos_tui.core.kernel.clock import day_bounds, to_db
from pos_tui.core.reports.common import ReportQuery, terminal_where
from pos_tui.core.reports.period import Period
from pos_tui.store import models as m

SLICE_DAYS = 31
"""Shop days per slice of sale documents: a calendar month is one slice, a year twelve."""

SLICE_IDS = 65_536
"""Row ids per slice of a table read whole (stock movements): some 65,000 rows a sort."""


@dataclass(frozen=True, slots=True)
class Slice:
    """Consecutive shop days ``first``..``last`` of a period and their stored (naive UTC) bounds
    ``[start, end)``."""

    first: date
    last: date
    start: datetime
    end: datetime

    @property
    def period(self) -> Period:
        return Period(self.first, self.last)


def period_slices(period: Period, tz: str, days: int | None = None) -> list[Slice]:
    """``period`` cut into runs of ``days`` shop days (``SLICE_DAYS`` by default; the last run may
    be shorter). Each slice ends where the next starts; the first starts and the last ends where
    the period does (:meth:`Period.bounds`)."""
    size = max(1, days if days is not None else SLICE_DAYS)
    out: list[Slice] = []
    first = period.first
    while first <= period.last:
        last = min(first + timedelta(days=size - 1), period.last)
        out.append(Slice(first, last, to_db(day_bounds(first, tz)[0]), to_db(day_bounds(last, tz)[1])))
        first = last + timedelta(days=1)
    return out


def sale_slices(query: ReportQuery, days: int | None = None) -> Iterator[tuple[Slice, Expression]]:
    """Each slice of the query's period and the :class:`m.Sale` rows of the query in it: together
    exactly :func:`~pos_tui.core.reports.common.sale_where` (the terminal and store filter is
    worked out once)."""
    S = m.Sale
    terminals = terminal_where(S.terminal, query)
    for piece in period_slices(query.period, query.tz, days):
        yield piece, (S.at >= piece.start) & (S.at < piece.end) & terminals


# stand-ins for a slice's bounds while its SQL is written once (found again among its parameters)
_START = datetime(1900, 1, 1, 0, 0, 1)
_END = datetime(1900, 1, 1, 0, 0, 2)


def slice_cursors(
    query: ReportQuery, build: Callable[[Expression], Any], days: int | None = None
) -> Iterator[tuple[Slice, Iterable[tuple[Any, ...]]]]:
    """Each slice (:func:`sale_slices`) and the rows of ``build(where)`` for it, read raw, as the
    driver gives them (no ORM conversion: a year's groups can be 50,000 rows; select numbers and
    ids, or convert dates and times yourself). The SQL is written once and run with each slice's
    bounds (a year in slices of a day: 365 queries, whose writing by the ORM would cost more
    than some of them take to run)."""
    S = m.Sale
    terminals = terminal_where(S.terminal, query)
    sql, params = build((S.at >= _START) & (S.at < _END) & terminals).sql()
    starts, ends = _bound_positions(params)
    for piece in period_slices(query.period, query.tz, days):
        if not starts or not ends:  # a driver that wrote the bounds otherwise: the ORM each time
            where = (S.at >= piece.start) & (S.at < piece.end) & terminals
            yield piece, store.database.execute(build(where))
            continue
        bound = list(params)
        for i in starts:
            bound[i] = piece.start
        for i in ends:
            bound[i] = piece.end
        yield piece, store.database.execute_sql(sql, bound)


def _bound_positions(params: list[Any]) -> tuple[list[int], list[int]]:
    """Where the stand-in bounds are among a statement's parameters."""
    return [i for i, p in enumerate(params) if p == _START], [i for i, p in enumerate(params) if p == _END]


def sliced_rows(query: ReportQuery, build: Callable[[Expression], Any], days: int | None = None) -> Iterator[Any]:
    """The rows of ``build(where)`` for each slice's ``where``, one slice after the other (a grouped
    select gives its groups once per slice that has them), read raw (:func:`slice_cursors`)."""
    for _piece, rows in slice_cursors(query, build, days):
        yield from rows


def add_up(rows: Iterator[Any] | list[Any], keys: int = 1) -> dict[Any, list[int]]:
    """Rows of ``keys`` leading key columns then numbers (a grouped select's, slice after slice)
    added up per key: ``{key: [sums]}`` (the key a tuple when ``keys`` > 1; a NULL sum counts 0)."""
    out: dict[Any, list[int]] = {}
    for row in rows:
        key = row[0] if keys == 1 else tuple(row[:keys])
        values = row[keys:]
        acc = out.get(key)
        if acc is None:
            out[key] = [int(v or 0) for v in values]
        else:
            for i, v in enumerate(values):
                if v:
                    acc[i] += int(v)
    return out


def id_range(model: Any) -> tuple[int | None, int | None]:
    """The lowest and highest id of ``model``'s table (None, None when it is empty): two queries,
    each one step down the primary key (``MIN`` and ``MAX`` in one query read the whole table)."""
    low = model.select(fn.MIN(model.id)).scalar()
    high = model.select(fn.MAX(model.id)).scalar()
    return (None if low is None else int(low)), (None if high is None else int(high))


def id_slices(model: Any, size: int | None = None) -> Iterator[Expression]:
    """Conditions on ``model``'s id that cut the table into ranges of ``size`` ids
    (``SLICE_IDS``), together every row once: for a grouped query that reads the whole table
    anyway (no index serves its ``WHERE``), so each range is read in id order and sorted apart."""
    step = max(1, size if size is not None else SLICE_IDS)
    low, high = id_range(model)
    if low is None or high is None:
        return
    for start in range(int(low), int(high) + 1, step):
        yield (model.id >= start) & (model.id < start + step)
