"""Idle stock: what sits on the shelves and did not sell in the period.

A product is idle when it has stock (a quantity above zero) at the query's locations at the
period's end, valued as in stock value (:mod:`~pos_tui.core.reports.stock_common`), and no
sale (a ``sale`` movement: a till's sale, whether returned later or not) at those locations
during the period. ``last_sale`` is the shop day of its last sale there before the period's
end (any time back; empty when it never sold there) and ``idle_days`` the days from that day to
the period's last day (empty when it never sold). The largest value tied up first (ties by
code); totals of the value. The chart is a bar per product of its value, in that order.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from pos_tui import store
from pos_tui.core.kernel.clock import from_db, local, to_db
from pos_tui.core.kernel.money import from_kurus, qty_to_decimal
from pos_tui.core.reports.common import ReportQuery
from pos_tui.core.reports.model import Cell, Chart, Column, Figure, Report, sum_totals
from pos_tui.core.reports.product_lookup import chunks, products_by_id
from pos_tui.core.reports.registry import new_report
from pos_tui.core.reports.stock_common import period_end, query_locations, reaches_now, stock_at
from pos_tui.core.stock import SALE
from pos_tui.i18n import _
from pos_tui.store import models as m


def _moment(value: Any) -> datetime:
    return from_db(value if isinstance(value, datetime) else datetime.fromisoformat(str(value)))


def last_sales(products: Iterable[int], places: frozenset[int] | None, before: datetime) -> dict[int, datetime]:
    """Each product's last sale (aware UTC) at ``places`` (None: anywhere) before ``before``: one
    probe per product down the ``(product, at)`` index, from ``before`` back to its last sale
    (chunked: a query per 500 products)."""
    P, SM = m.Product, m.StockMovement
    last = SM.alias()
    where = (last.product == P.id) & (last.kind == SALE) & (last.at < to_db(before))
    if places is not None:
        where &= last.location.in_(sorted(places))
    probe = last.select(last.at).where(where).order_by(last.at.desc()).limit(1)
    found: dict[int, datetime] = {}
    for part in chunks(products):
        for pid, at in store.rows(P.select(P.id, probe).where(P.id.in_(part))):
            if at is not None:
                found[int(pid)] = _moment(at)
    return found


def build(query: ReportQuery) -> Report:
    places = query_locations(query)
    end = period_end(query)
    start = query.period.bounds(query.tz)[0]
    stock = stock_at(places, None if reaches_now(query) else end)
    last = last_sales(stock.held, places, end)
    idle = [pid for pid in stock.held if pid not in last or last[pid] < start]
    facts = products_by_id(idle)
    idle.sort(key=lambda pid: (-stock.held[pid].value, facts[pid].code))
    rows: list[tuple[Cell, ...]] = []
    for pid in idle:
        p, h = facts[pid], stock.held[pid]
        day: date | None = local(last[pid], query.tz).date() if pid in last else None
        rows.append(
            (
                p.code,
                p.name,
                p.category,
                day,
                None if day is None else (query.period.last - day).days,
                qty_to_decimal(h.qty),
                from_kurus(h.value),
            )
        )
    columns = (
        Column("code", _("Code")),
        Column("name", _("Product")),
        Column("category", _("Category")),
        Column("last_sale", _("Last sale"), "date"),
        Column("idle_days", _("Days idle"), "int"),
        Column("qty", _("On hand"), "qty"),
        Column("value", _("Value"), "money"),
    )
    table = tuple(rows)
    totals = sum_totals(columns, table, summed=("value",))
    return new_report(
        "stock-idle",
        query,
        columns=columns,
        rows=table,
        totals=totals,
        summary=(
            Figure("products", _("Idle products"), len(rows), "int"),
            Figure("value", _("Value tied up"), totals[6], "money"),
        ),
        chart=Chart("bar", "name", ("value",), _("Value tied up")),
    )
