"""Low stock and the reorder list: what to order now, from whom, for how much.

The products listed and the quantity to order follow ``pos-admin stock low``
(:mod:`pos_tui.core.stock.reports.low`): an active product is listed when its stock on hand
**now** at the query's locations (:mod:`~pos_tui.core.reports.stock_common`; all locations
without a filter) is below its minimum stock, or below zero. Its ``sold`` is what left through
the till at those locations **during the period** (sales minus returns), which sets the pace;
the quantity to order is that command's suggestion with the period's days and a lead time of
:data:`LEAD_TIME` days::

    order_qty = max(0, ⌈sold × lead time ÷ days⌉ + min_stock − on_hand)

rounded up to a whole unit for piece goods (to the gram, millilitre or millimetre otherwise). A
period of a month (``--period last-month``) gives a steady pace; ``today`` only today's.

``supplier`` is the product's supplier in the catalogue, else the one it was last bought from
(:mod:`~pos_tui.core.reports.product_lookup`); ``unit_cost`` the last purchase price (excluding
KDV, after the line discount) from that supplier, else from any supplier; ``order_value`` is
``order_qty × unit_cost`` rounded half up to the kuruş, empty when the product was never bought
(a note counts those). Rows by supplier name (products without a supplier last), then code; the
totals row sums the order value. No chart: a list to order from, not figures to compare.
"""

from __future__ import annotations

from peewee import fn

from pos_tui import store
from pos_tui.core.kernel.clock import to_db
from pos_tui.core.kernel.costing import line_value
from pos_tui.core.kernel.money import from_kurus, qty_to_decimal
from pos_tui.core.reports.common import ReportQuery
from pos_tui.core.reports.model import Cell, Column, Figure, Report, sum_totals
from pos_tui.core.reports.product_lookup import Purchase, chunks, products_by_id, purchases_of, suppliers_of
from pos_tui.core.reports.registry import new_report
from pos_tui.core.reports.stock_common import query_locations
from pos_tui.core.stock import RETURN, SALE
from pos_tui.core.stock.reports import reorder_suggestion
from pos_tui.i18n import _, ngettext
from pos_tui.store import models as m

LEAD_TIME = 7
"""Days an order takes to arrive (``pos-admin stock low``'s default ``--lead-time``)."""


def on_hand_now(places: frozenset[int] | None) -> dict[int, int]:
    """Active products below their minimum or below zero now at ``places``: ``{id: on hand}``."""
    P = m.Product
    active = P.active == True  # noqa: E712
    if places is None:
        low = (P.stock < 0) | ((P.min_stock > 0) & (P.stock < P.min_stock))
        return {int(pid): int(qty) for pid, qty in store.rows(P.select(P.id, P.stock).where(active & low))}
    SL = m.StockLevel
    here: dict[int, int] = {}
    if places:
        total = fn.SUM(SL.qty)
        query = SL.select(SL.product, total).where(SL.location.in_(sorted(places))).group_by(SL.product)
        here = {int(pid): int(qty) for pid, qty in store.rows(query)}
    minimums = {
        int(pid): int(n) for pid, n in store.rows(P.select(P.id, P.min_stock).where(active & (P.min_stock > 0)))
    }
    found = {pid: here.get(pid, 0) for pid, least in minimums.items() if here.get(pid, 0) < least}
    below_zero = [pid for pid, qty in here.items() if qty < 0 and pid not in found]
    for part in chunks(below_zero):
        found.update({int(pid): here[int(pid)] for (pid,) in store.rows(P.select(P.id).where(active & P.id.in_(part)))})
    return found


def sold_in(query: ReportQuery, places: frozenset[int] | None, products: list[int]) -> dict[int, int]:
    """Milli-units out through the till per product during the period: sales minus returns."""
    SM = m.StockMovement
    start, end = query.period.bounds(query.tz)
    where = SM.kind.in_([SALE, RETURN]) & (SM.at >= to_db(start)) & (SM.at < to_db(end))
    if places is not None:
        where &= SM.location.in_(sorted(places))
    sold: dict[int, int] = {}
    for part in chunks(products):
        q = SM.select(SM.product, fn.SUM(SM.qty)).where(where & SM.product.in_(part)).group_by(SM.product)
        sold.update({int(pid): -int(total or 0) for pid, total in store.rows(q)})
    return sold


def _price(purchases: list[Purchase], supplier: int | None) -> int | None:
    for p in purchases:
        if p.supplier_id == supplier:
            return p.unit_cost
    return purchases[0].unit_cost if purchases else None


def build(query: ReportQuery) -> Report:
    places = query_locations(query)
    have = on_hand_now(places) if places is None or places else {}
    facts = products_by_id(have)
    sold = sold_in(query, places, list(have))
    purchases = purchases_of(have)
    chosen, named = suppliers_of(list(facts.values()), purchases)
    days = query.period.days
    lines = []
    for pid, qty in have.items():
        p = facts[pid]
        out = sold.get(pid, 0)
        order = reorder_suggestion(
            on_hand=qty, min_stock=p.min_stock, sold=out, days=days, lead_time=LEAD_TIME, unit=p.unit
        )
        sid = chosen[pid]
        supplier = None if sid is None else named[sid]
        price = _price(purchases.get(pid, []), sid)
        value = None if price is None else from_kurus(line_value(order, price))
        key = (supplier is None, "" if supplier is None else supplier.name, p.code)
        lines.append(
            (
                key,
                (
                    p.code,
                    p.name,
                    None if supplier is None else supplier.code,
                    None if supplier is None else supplier.name,
                    qty_to_decimal(qty),
                    qty_to_decimal(p.min_stock),
                    qty_to_decimal(out),
                    qty_to_decimal(order),
                    None if price is None else from_kurus(price),
                    value,
                ),
            )
        )
    lines.sort(key=lambda item: item[0])
    rows: tuple[tuple[Cell, ...], ...] = tuple(row for _key, row in lines)
    columns = (
        Column("code", _("Code")),
        Column("name", _("Product")),
        Column("supplier", _("Supplier")),
        Column("supplier_name", _("Supplier name")),
        Column("on_hand", _("On hand"), "qty"),
        Column("min_stock", _("Minimum"), "qty"),
        Column("sold", _("Sold"), "qty"),
        Column("order_qty", _("To order"), "qty"),
        Column("unit_cost", _("Last purchase price"), "money"),
        Column("order_value", _("Order value"), "money"),
    )
    totals = sum_totals(columns, rows, summed=("order_value",))
    unpriced = sum(1 for row in rows if row[8] is None)
    notes: tuple[str, ...] = ()
    if unpriced:
        notes = (
            ngettext(
                "{n} product was never bought from a supplier: no price, no order value.",
                "{n} products were never bought from a supplier: no price, no order value.",
                unpriced,
            ).format(n=unpriced),
        )
    return new_report(
        "stock-low",
        query,
        columns=columns,
        rows=rows,
        totals=totals,
        summary=(
            Figure("products", _("Products to order"), len(rows), "int"),
            Figure("order_value", _("Order value"), totals[9], "money"),
        ),
        notes=notes,
    )
