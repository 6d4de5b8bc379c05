"""On hand and value per product and location at any date, by location or category; negative stock.

Quantities
    Now: the per-location cache (``stock_level``, checked by ``audit verify``). At a date: the sum
    of the movements whose own time is at or before it, so a goods receipt entered today but
    dated last week counts from last week on.

Value (the rule, docs/stock-reports.md)
    A product's value now is the ledger's ``product.stock_value`` (moving average cost,
    :mod:`pos_tui.core.kernel.costing`). At a past date it is its quantity on hand then (all
    locations, when positive) × the **unit cost of its last movement at or before that date**
    (in ``(at, id)`` order; sales and adjustments move at the average cost then in force, a goods
    receipt at its own price), rounded half up to the kuruş. A product with no stock (zero or
    negative in total) is worth nothing, as in the ledger.

    A product's value is shared over the locations where it has stock, in proportion to their
    quantities (largest remainder, so the parts add up to the whole): transfers move quantities,
    not value. A location with negative stock has no value; negative lines are listed and
    counted apart, never netted against the others.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from peewee import JOIN, fn

from pos_tui import store
from pos_tui.core.kernel.clock import iso, to_db
from pos_tui.core.kernel.errors import NotFound, ValidationError
from pos_tui.core.stock.reports.common import location_codes, location_filter, money_text, qty_text, share, value_of
from pos_tui.i18n import _
from pos_tui.store import models as m

LEVELS_BY = ("location", "category")
_CHUNK = 500


@dataclass(frozen=True, slots=True)
class LevelLine:
    """A product's stock at one location. Quantities in milli-units, money in kuruş."""

    product_id: int
    code: str
    name: str
    unit: str
    category: str | None
    location: str
    qty: int
    value: int
    unit_cost: int  # the cost the product's value stands at (average now, see the rule at a date)

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "unit": self.unit,
            "category": self.category,
            "location": self.location,
            "qty": qty_text(self.qty),
            "unit_cost": money_text(self.unit_cost),
            "value": money_text(self.value),
        }


@dataclass(slots=True)
class LevelGroup:
    """One location or category: the products with stock there (a product held at two locations
    of a category counts once) and their value, and the negative lines apart."""

    key: str
    products: int = 0
    lines: int = 0
    value: int = 0
    negative: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "products": self.products,
            "lines": self.lines,
            "value": money_text(self.value),
            "negative": self.negative,
        }


@dataclass(slots=True)
class LevelsReport:
    as_of: datetime | None  # aware; None: now, from the caches
    location: str | None
    category: str | None
    by: str | None
    lines: list[LevelLine]  # with stock (qty > 0), by code then location
    negative: list[LevelLine]  # qty < 0
    groups: list[LevelGroup] = field(default_factory=list)

    @property
    def total_value(self) -> int:
        return sum(ln.value for ln in self.lines)

    def as_json(self, tz: str) -> dict[str, Any]:
        """``{as_of, location, category, by, rows, negative, totals}``: ``rows`` are the groups
        with ``--by``, else the product lines."""
        rows = [g.as_json() for g in self.groups] if self.by else [ln.as_json() for ln in self.lines]
        return {
            "as_of": None if self.as_of is None else iso(self.as_of, tz),
            "location": self.location,
            "category": self.category,
            "by": self.by,
            "rows": rows,
            "negative": [ln.as_json() for ln in self.negative],
            "totals": {
                "products": len({ln.product_id for ln in self.lines}),
                "lines": len(self.lines),
                "value": money_text(self.total_value),
                "negative": len(self.negative),
            },
        }


@dataclass(frozen=True, slots=True)
class _Product:
    code: str
    name: str
    unit: str
    category: str | None
    cost: int
    value: int
    min_stock: int
    stock: int


def _chunks(items: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def products_of(ids: Iterable[int]) -> dict[int, _Product]:
    """The products ``ids`` with what the reports show of them (chunked IN lists)."""
    P, C = m.Product, m.Category
    found: dict[int, _Product] = {}
    wanted = sorted(set(ids))
    for part in _chunks(wanted):
        query = (
            P.select(P.id, P.code, P.name, P.unit, C.name, P.cost, P.stock_value, P.min_stock, P.stock)
            .join(C, on=(P.category == C.id), join_type=JOIN.LEFT_OUTER)
            .where(P.id.in_(list(part)))
        )
        for pid, code, name, unit, category, cost, value, min_stock, stock in store.rows(query):
            found[pid] = _Product(code, name, unit, category, int(cost), int(value), int(min_stock), int(stock))
    return found


def _quantities(as_of: datetime | None) -> dict[int, dict[int, int]]:
    """``{product: {location: qty}}`` (non-zero), now from the cache or at ``as_of`` from the movements."""
    result: dict[int, dict[int, int]] = {}
    query: Any
    if as_of is None:
        SL = m.StockLevel
        query = SL.select(SL.product, SL.location, SL.qty).where(SL.qty != 0)
    else:
        SM = m.StockMovement
        qty = fn.SUM(SM.qty)
        query = (
            SM.select(SM.product, SM.location, qty)
            .where(SM.at <= to_db(as_of))
            .group_by(SM.product, SM.location)
            .having(qty != 0)
        )
    for pid, loc, qty_sum in store.rows(query):
        result.setdefault(pid, {})[loc] = int(qty_sum)
    return result


def costs_at(product_ids: Sequence[int], as_of: datetime) -> dict[int, int]:
    """The unit cost of each product's last movement at or before ``as_of`` (``(at, id)`` order),
    one index probe per product along ``(product, at)``."""
    P, SM = m.Product, m.StockMovement
    last = SM.alias()
    costs: dict[int, int] = {}
    stored = to_db(as_of)
    for part in _chunks(sorted(product_ids)):
        probe = (
            last.select(last.unit_cost)
            .where((last.product == P.id) & (last.at <= stored))
            .order_by(last.at.desc(), last.id.desc())
            .limit(1)
        )
        for pid, cost in store.rows(P.select(P.id, probe).where(P.id.in_(list(part)))):
            costs[pid] = int(cost or 0)
    return costs


def lines_at(as_of: datetime | None) -> tuple[list[LevelLine], dict[int, _Product]]:
    """Every non-zero product × location line at ``as_of`` (None: now), valued by the rule above."""
    quantities = _quantities(as_of)
    products = products_of(quantities)
    codes = location_codes()
    positive_totals = {pid: sum(locs.values()) for pid, locs in quantities.items()}
    costs = (
        {pid: p.cost for pid, p in products.items()}
        if as_of is None
        else costs_at([pid for pid, t in positive_totals.items() if t > 0], as_of)
    )
    lines: list[LevelLine] = []
    for pid, locs in quantities.items():
        p = products[pid]
        total = positive_totals[pid]
        cost = costs.get(pid, p.cost if as_of is None else 0)
        worth = (p.value if as_of is None else value_of(total, cost)) if total > 0 else 0
        held = sorted((codes[loc], qty) for loc, qty in locs.items() if qty > 0)
        parts = share(worth, [qty for _loc, qty in held])
        values = {loc: part for (loc, _q), part in zip(held, parts, strict=True)}
        for loc, qty in locs.items():
            code = codes[loc]
            lines.append(LevelLine(pid, p.code, p.name, p.unit, p.category, code, qty, values.get(code, 0), cost))
    lines.sort(key=lambda ln: (ln.code, ln.location))
    return lines, products


def _category_name(name: str | None) -> str | None:
    if name is None:
        return None
    wanted = name.strip()
    C = m.Category
    found = next(store.rows(C.select(C.name).where(C.name == wanted)), None)
    if found is None:
        raise NotFound(_("No category {name}").format(name=wanted))
    return str(found[0])


def stock_levels(
    *,
    as_of: datetime | None = None,
    location: str | None = None,
    category: str | None = None,
    by: str | None = None,
) -> LevelsReport:
    """On hand and value at ``as_of`` (aware; None: now), optionally at one location and/or of
    one category, grouped ``by`` location or category (None: one line per product and location)."""
    if by is not None and by not in LEVELS_BY:
        raise ValidationError(_("Group by one of {choices}, not {by!r}").format(choices=", ".join(LEVELS_BY), by=by))
    location_filter(location)  # an unknown location is refused by name
    place = None if location is None else location.strip().upper()
    kind = _category_name(category)
    lines, _products = lines_at(as_of)
    chosen = [ln for ln in lines if (place is None or ln.location == place) and (kind is None or ln.category == kind)]
    report = LevelsReport(
        as_of=as_of,
        location=place,
        category=kind,
        by=by,
        lines=[ln for ln in chosen if ln.qty > 0],
        negative=[ln for ln in chosen if ln.qty < 0],
    )
    if by is not None:
        groups: dict[str, LevelGroup] = {}
        held: dict[str, set[int]] = {}
        for ln in chosen:
            key = ln.location if by == "location" else (ln.category or "")
            group = groups.setdefault(key, LevelGroup(key))
            if ln.qty > 0:
                held.setdefault(key, set()).add(ln.product_id)
                group.lines += 1
                group.value += ln.value
            else:
                group.negative += 1
        for key, group in groups.items():
            group.products = len(held.get(key, ()))
        report.groups = [groups[k] for k in sorted(groups)]
    return report


def negative_stock(location: str | None = None) -> list[LevelLine]:
    """Every product × location with negative stock now (the till never refuses a sale for lack
    of stock; this is where it shows), by code: read from the per-location cache."""
    location_id = location_filter(location)
    SL = m.StockLevel
    where = SL.qty < 0
    if location_id is not None:
        where &= SL.location == location_id
    found = list(store.rows(SL.select(SL.product, SL.location, SL.qty).where(where)))
    products = products_of(pid for pid, _loc, _qty in found)
    codes = location_codes()
    lines = [
        LevelLine(pid, p.code, p.name, p.unit, p.category, codes[loc], int(qty), 0, p.cost)
        for pid, loc, qty in found
        for p in (products[pid],)
    ]
    lines.sort(key=lambda ln: (ln.code, ln.location))
    return lines
