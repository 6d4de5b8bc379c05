"""What the stock reports share: which stock locations a query looks at, and the stock on hand
and its value at a moment.

Locations of a query
    No filter: every location (in use or not: goods in transit count). ``store``: the locations
    of that store (``stock_location.store``). ``terminal``: the location the terminal sells from
    (its assigned one, else the default location). Both: the terminal's location if it belongs
    to the store, else none (the report is empty).

Stock at a moment (``at``: the period's end, the first instant after its last day)
    Quantity per product and location: the sum of the movements dated before ``at``. A product's
    value (all locations): the sum of the value its movements dated before ``at`` changed the
    stock by (the moving average ledger, :mod:`pos_tui.core.kernel.costing`), nothing when its
    total quantity then is not above zero. The ledger's caches (``stock_level.qty``,
    ``product.stock_value``) are the sums of all the movements (``pos-admin audit verify`` checks
    it), so these are read as the caches less the movements dated at or after ``at`` (for a
    recent period, the last days' movements instead of every one ever); when the period runs to
    ``now`` or beyond, as the caches alone; when ``at`` is nearer the first movement than the last,
    as the movements before it (fewer than those since: the same figures).

    A product's value is shared over the locations where it has stock (a positive quantity), in
    proportion to their quantities, by the largest remainder (as ``pos-admin stock levels``
    does: transfers move quantities, not value). A location below zero holds no value and its
    quantity is never netted against the others: a product's quantity at the query's locations is
    the sum of its positive quantities there; the negative ones are counted apart.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from peewee import fn

from pos_tui import store
from pos_tui.core.kernel.clock import to_db
from pos_tui.core.kernel.errors import NotFound
from pos_tui.core.reports.common import ReportQuery
from pos_tui.core.reports.shares import largest_remainder
from pos_tui.core.reports.slicing import id_range, id_slices
from pos_tui.core.stock import terminal_location
from pos_tui.i18n import _, ngettext
from pos_tui.store import models as m


def query_locations(query: ReportQuery) -> frozenset[int] | None:
    """The ids of the locations ``query`` looks at (the module docstring); None: all of them.
    An unknown store is refused by name."""
    places: frozenset[int] | None = None
    if query.store is not None:
        if not m.Store.select().where(m.Store.code == query.store).exists():
            raise NotFound(_("No store {code}").format(code=query.store))
        L = m.StockLocation
        places = frozenset(int(i) for (i,) in store.rows(L.select(L.id).where(L.store == query.store)))
    if query.terminal is not None:
        own = frozenset({terminal_location(query.terminal)})
        places = own if places is None else places & own
    return places


def period_end(query: ReportQuery) -> datetime:
    """The first instant (aware UTC) after the period's last day."""
    return query.period.bounds(query.tz)[1]


def reaches_now(query: ReportQuery) -> bool:
    """Whether the period runs to ``now`` or beyond (the caches then hold the stock at its end)."""
    return period_end(query) > query.now


@dataclass(frozen=True, slots=True)
class Holding:
    """A product's stock at the query's locations: quantity (milli-units, positive locations
    only) and value (kuruş, its share of the product's value)."""

    qty: int
    value: int


@dataclass(frozen=True, slots=True)
class StockAt:
    held: dict[int, Holding]  # products with stock (qty > 0) at the locations
    negative: int  # product × location lines below zero at the locations


def _moved(where: Any) -> Iterator[tuple[int, int, int, int]]:
    """(product, location, quantity, value) of the movements ``where`` selects, summed per product
    and location. No index leads with the time, so the table is read whole, a range of ids at a
    time (:func:`~pos_tui.core.reports.slicing.id_slices`: one sort of a year's million movements
    costs three times as much as sorting them a range at a time); a product and location may come
    once per range. ``product + 0``: by the index on (product, at) SQLite would read the table in
    product order, one random page at a time."""
    SM = m.StockMovement
    product = SM.product + 0
    for ids in id_slices(SM):
        select = SM.select(product, SM.location, fn.SUM(SM.qty), fn.SUM(SM.value)).where(ids & where)
        for pid, loc, qty, value in store.database.execute(select.group_by(product, SM.location)):
            yield int(pid), int(loc), int(qty or 0), int(value or 0)


def _nearer_the_start(at: datetime) -> bool:
    """Whether ``at`` is nearer the first movement than the last (by their times, which follow
    their ids closely enough for this choice): then fewer movements lie before it than after."""
    SM = m.StockMovement
    ends = id_range(SM)
    if ends[0] is None:
        return False
    first, last = (next(store.rows(SM.select(SM.at).where(SM.id == i)))[0] for i in ends)
    moment = to_db(at)
    return bool(moment - first < last - moment)


def stock_at(places: frozenset[int] | None, at: datetime | None) -> StockAt:
    """The stock at the locations ``places`` (None: all) at ``at`` (aware; None: now, from the
    caches), by the module docstring's rule."""
    quantities: dict[int, dict[int, int]] = {}
    values: dict[int, int] = {}
    if at is not None and _nearer_the_start(at):
        # an end far back: the movements before it, fewer than those since
        for pid, loc, qty, value in _moved(m.StockMovement.at < to_db(at)):
            locs = quantities.setdefault(pid, {})
            locs[loc] = locs.get(loc, 0) + qty
            values[pid] = values.get(pid, 0) + value
    else:
        SL, P = m.StockLevel, m.Product
        for pid, loc, qty in store.rows(SL.select(SL.product, SL.location, SL.qty).where(SL.qty != 0)):
            quantities.setdefault(int(pid), {})[int(loc)] = int(qty)
        for pid, value in store.rows(P.select(P.id, P.stock_value).where(P.stock_value != 0)):
            values[int(pid)] = int(value)
        if at is not None:  # the caches less what moved since
            for pid, loc, qty, value in _moved(m.StockMovement.at >= to_db(at)):
                locs = quantities.setdefault(pid, {})
                locs[loc] = locs.get(loc, 0) - qty
                values[pid] = values.get(pid, 0) - value
    codes = {int(i): str(c) for i, c in store.rows(m.StockLocation.select(m.StockLocation.id, m.StockLocation.code))}
    held: dict[int, Holding] = {}
    negative = 0
    for pid, locs in quantities.items():
        total = sum(locs.values())
        worth = max(values.get(pid, 0), 0) if total > 0 else 0
        stocked = sorted((codes[loc], loc, qty) for loc, qty in locs.items() if qty > 0)
        parts = largest_remainder(worth, [qty for _code, _loc, qty in stocked])
        qty_here = value_here = 0
        for (_code, loc, qty), part in zip(stocked, parts, strict=True):
            if places is None or loc in places:
                qty_here += qty
                value_here += part
        negative += sum(1 for loc, qty in locs.items() if qty < 0 and (places is None or loc in places))
        if qty_here > 0:
            held[pid] = Holding(qty_here, value_here)
    return StockAt(held, negative)


def stock_for(query: ReportQuery) -> StockAt:
    """The stock at the query's locations at its period's end (the caches when that is now)."""
    return stock_at(query_locations(query), None if reaches_now(query) else period_end(query))


def sale_value(qty_milli: int, price: int, kdv_rate: int) -> int:
    """What ``qty_milli`` brings in at the sale price ``price`` (kuruş, KDV included), excluding
    KDV: ``qty × price ÷ (1 + rate)``, rounded half up to the kuruş."""
    amount = Decimal(qty_milli) * price * 100 / (Decimal(1000) * (100 + kdv_rate))
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def unit_cost(qty_milli: int, value: int) -> int:
    """The cost per unit a value stands at: ``value ÷ qty``, rounded half up (kuruş)."""
    if qty_milli <= 0:
        return 0
    return int((Decimal(value) * 1000 / qty_milli).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def negative_notes(lines: int) -> tuple[str, ...]:
    """A note when some stock is below zero (listed by ``pos-admin stock negative``)."""
    if not lines:
        return ()
    return (
        ngettext(
            "{n} product is below zero at a location: not counted here (pos-admin stock negative lists it).",
            "{n} products are below zero at a location: not counted here (pos-admin stock negative lists them).",
            lines,
        ).format(n=lines),
    )
