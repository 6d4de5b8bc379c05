"""Count variances: what the stock counts posted in the period found different from the books.

The counts (sayım sessions) posted during the period at the query's locations
(:mod:`~pos_tui.core.reports.stock_common`), one row per product the posting moved: ``expected``
is the quantity on the books when the product was first counted (frozen then, see
:mod:`pos_tui.core.stock.counting`), ``counted`` what was counted, ``difference`` what the
posting booked (``counted − expected``; an uncounted product set to zero at posting has counted
0 and expected what was on hand then). ``unit_cost`` and ``value`` are the posting's own: its
``count`` movement moved the difference at the moving average cost then in force
(:mod:`pos_tui.core.kernel.costing`), and ``value`` is the signed change of the stock value
(negative: stock missing). Products counted right are not listed.

Rows by count (in the order they were posted), then the largest value (either sign) first; the
totals row sums the value. A count reversed since is still listed as posted, and a note names
it (its reversal moved everything back). The chart is a bar per row of its value.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from peewee import fn

from pos_tui import store
from pos_tui.core.kernel.clock import to_db
from pos_tui.core.kernel.money import from_kurus, qty_to_decimal
from pos_tui.core.reports.common import ReportQuery
from pos_tui.core.reports.model import Cell, Chart, Column, Figure, Report, sum_totals
from pos_tui.core.reports.product_lookup import chunks, products_by_id
from pos_tui.core.reports.registry import new_report
from pos_tui.core.reports.stock_common import query_locations
from pos_tui.core.stock import COUNT
from pos_tui.core.stock.counting import POSTED
from pos_tui.i18n import _
from pos_tui.store import models as m


def _sessions(query: ReportQuery, places: frozenset[int] | None) -> list[tuple[int, str, int, int]]:
    """``(session, name, location, document)`` of the counts posted in the period that moved stock."""
    C = m.CountSession
    start, end = query.period.bounds(query.tz)
    where = (C.status == POSTED) & C.document.is_null(False) & (C.closed_at >= to_db(start))
    where &= C.closed_at < to_db(end)
    if places is not None:
        where &= C.location.in_(sorted(places))
    q = C.select(C.id, C.name, C.location, C.document).where(where).order_by(C.closed_at, C.id)
    return [(int(i), str(n), int(loc), int(doc)) for i, n, loc, doc in store.rows(q)]


def _by_session(query: Any, ids: Iterable[int], column: Any) -> list[tuple[Any, ...]]:
    """The rows of ``query`` whose ``column`` is one of ``ids`` (chunked ``IN`` lists)."""
    found: list[tuple[Any, ...]] = []
    for part in chunks(ids):
        found.extend(store.rows(query.where(column.in_(part))))
    return found


def build(query: ReportQuery) -> Report:
    places = query_locations(query)
    sessions = _sessions(query, places) if places is None or places else []
    ids = [s for s, _n, _l, _d in sessions]
    documents = {doc: s for s, _n, _l, doc in sessions}
    SM, L, E, D = m.StockMovement, m.CountLine, m.CountEvent, m.StockDocument
    moved = _by_session(
        SM.select(SM.document, SM.product, SM.qty, SM.unit_cost, SM.value).where(SM.kind == COUNT),
        documents,
        SM.document,
    )
    expected = {
        (int(s), int(p)): int(q) for s, p, q in _by_session(L.select(L.session, L.product, L.expected), ids, L.session)
    }
    counted = {
        (int(s), int(p)): int(q or 0)
        for s, p, q in _by_session(
            E.select(E.session, E.product, fn.SUM(E.qty)).group_by(E.session, E.product), ids, E.session
        )
    }
    reversed_docs = {
        int(ref) for (ref,) in _by_session(D.select(D.refers_to).where(D.kind == "reversal"), documents, D.refers_to)
    }
    facts = products_by_id(int(row[1]) for row in moved)
    codes = {int(i): str(c) for i, c in store.rows(m.StockLocation.select(m.StockLocation.id, m.StockLocation.code))}
    order = {s: n for n, s in enumerate(ids)}
    info = {s: (name, loc) for s, name, loc, _doc in sessions}
    lines = []
    for doc, pid, qty, cost, value in moved:
        session = documents[int(doc)]
        pid, qty, value = int(pid), int(qty), int(value)
        key = (session, pid)
        was = expected.get(key, -qty)  # an uncounted product zeroed: expected what the posting took out
        got = counted.get(key, 0)
        p = facts[pid]
        name, loc = info[session]
        lines.append(
            (
                (order[session], -abs(value), p.code),
                (
                    session,
                    name,
                    codes[loc],
                    p.code,
                    p.name,
                    qty_to_decimal(was),
                    qty_to_decimal(got),
                    qty_to_decimal(qty),
                    from_kurus(int(cost)),
                    from_kurus(value),
                ),
            )
        )
    lines.sort(key=lambda item: item[0])
    rows: tuple[tuple[Cell, ...], ...] = tuple(row for _key, row in lines)
    columns = (
        Column("count", _("Count"), "int"),
        Column("count_name", _("Count name")),
        Column("location", _("Location")),
        Column("code", _("Code")),
        Column("name", _("Product")),
        Column("expected", _("Expected"), "qty"),
        Column("counted", _("Counted"), "qty"),
        Column("difference", _("Difference"), "qty"),
        Column("unit_cost", _("Unit cost"), "money"),
        Column("value", _("Value"), "money"),
    )
    totals = sum_totals(columns, rows, summed=("value",))
    values = [int(v) for *_rest, v in moved]
    notes = tuple(
        _("Count {count} ({name}) was reversed since: its reversal moved everything back.").format(
            count=s, name=info[s][0]
        )
        for s, _n, _l, doc in sessions
        if doc in reversed_docs
    )
    return new_report(
        "count-variances",
        query,
        columns=columns,
        rows=rows,
        totals=totals,
        summary=(
            Figure("counts", _("Counts posted"), len(sessions), "int"),
            Figure("lines", _("Products with a difference"), len(rows), "int"),
            Figure("missing", _("Value missing"), from_kurus(-sum(v for v in values if v < 0)), "money"),
            Figure("found", _("Value found"), from_kurus(sum(v for v in values if v > 0)), "money"),
            Figure("value", _("Net difference"), from_kurus(sum(values)), "money"),
        ),
        chart=Chart("bar", "name", ("value",), _("Difference value")),
        notes=notes,
    )
