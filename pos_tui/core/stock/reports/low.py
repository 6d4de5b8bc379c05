"""Low stock with a reorder suggestion, and idle stock (no sale for a while).

Low stock (the rule, docs/stock-reports.md)
    A product is listed when its stock on hand (at ``location``, else all locations) is below its
    ``min_stock``, or negative. Its **sales** are what left through the till over the last
    ``days`` days (the ``days × 24`` hours before ``now``): sales minus returns, at that location
    or all. The **daily sales** are sales ÷ days. The **suggestion** is what to order so that,
    after the ``lead_time`` days the goods take to come, the minimum is still on the shelf::

        suggestion = max(0, ⌈sales × lead_time ÷ days⌉ + min_stock − on_hand)

    computed in milli-units and rounded **up** to a whole unit for piece goods (to the gram, the
    millilitre or the millimetre for weighed and measured ones).

Idle stock
    A product with stock on hand (at ``location``, else in total) and no sale in the last ``days``
    days, with the day of its last sale (if any) and the value of that stock (the ledger's
    value, shared over locations as in :mod:`~pos_tui.core.stock.reports.levels`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from peewee import JOIN, fn

from pos_tui import store
from pos_tui.core.kernel.clock import from_db, local, to_db
from pos_tui.core.kernel.errors import ValidationError
from pos_tui.core.kernel.money import MILLI
from pos_tui.core.stock.ledger import RETURN, SALE
from pos_tui.core.stock.reports.common import check_days, location_filter, milli_per_day, money_text, qty_text
from pos_tui.core.stock.reports.levels import _chunks, lines_at, products_of
from pos_tui.i18n import _
from pos_tui.store import models as m


@dataclass(frozen=True, slots=True)
class LowLine:
    """A product below its minimum (or negative). Quantities in milli-units."""

    code: str
    name: str
    unit: str
    on_hand: int
    min_stock: int
    sold: int  # net of returns, over the period
    daily: Decimal  # units a day, three places
    suggestion: int

    @property
    def negative(self) -> bool:
        return self.on_hand < 0

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "unit": self.unit,
            "on_hand": qty_text(self.on_hand),
            "min_stock": qty_text(self.min_stock),
            "sold": qty_text(self.sold),
            "daily_sales": str(self.daily),
            "suggestion": qty_text(self.suggestion),
            "negative": self.negative,
        }


def reorder_suggestion(*, on_hand: int, min_stock: int, sold: int, days: int, lead_time: int, unit: str) -> int:
    """The module docstring's formula, in milli-units."""
    expected = -(-max(sold, 0) * lead_time // days)  # ceiling, in integers
    need = max(0, expected + min_stock - on_hand)
    if unit == "piece":
        need = -(-need // MILLI) * MILLI
    return need


def _sold(since: datetime, now: datetime, location_id: int | None) -> dict[int, int]:
    """Units out through the till per product in ``[since, now)``: sales minus returns."""
    SM = m.StockMovement
    where = (SM.kind.in_([SALE, RETURN])) & (SM.at >= to_db(since)) & (SM.at < to_db(now))
    if location_id is not None:
        where &= SM.location == location_id
    query = SM.select(SM.product, fn.SUM(SM.qty)).where(where).group_by(SM.product)
    return {pid: -int(total) for pid, total in store.rows(query)}


def _candidates(location_id: int | None) -> list[tuple[int, str, str, str, int, int]]:
    """Active products below their minimum or negative: ``(id, code, name, unit, min_stock, on
    hand)``, chosen by the database (a million products are not read to find a hundred)."""
    P, SL = m.Product, m.StockLevel
    if location_id is None:
        have: Any = P.stock
        query = P.select(P.id, P.code, P.name, P.unit, P.min_stock, have)
    else:
        have = fn.COALESCE(SL.qty, 0)
        query = P.select(P.id, P.code, P.name, P.unit, P.min_stock, have).join(
            SL, JOIN.LEFT_OUTER, on=((SL.product == P.id) & (SL.location == location_id))
        )
    low = (have < 0) | ((P.min_stock > 0) & (have < P.min_stock))
    return [
        (pid, code, name, unit, int(min_stock), int(qty))
        for pid, code, name, unit, min_stock, qty in store.rows(query.where((P.active == True) & low))  # noqa: E712
    ]


def low_stock(*, now: datetime, days: int = 30, lead_time: int = 7, location: str | None = None) -> list[LowLine]:
    """Products below ``min_stock`` or negative, negative ones first then by code, with the
    reorder suggestion of the module docstring. Inactive products are left out."""
    check_days(days, "--days")
    if lead_time < 0:
        raise ValidationError(_("--lead-time cannot be negative ({days})").format(days=lead_time))
    location_id = location_filter(location)
    candidates = _candidates(location_id)
    sold = _sold(now - timedelta(days=days), now, location_id)
    lines = []
    for pid, code, name, unit, min_stock, have in candidates:
        out = sold.get(pid, 0)
        suggestion = reorder_suggestion(
            on_hand=have, min_stock=min_stock, sold=out, days=days, lead_time=lead_time, unit=unit
        )
        lines.append(LowLine(code, name, unit, have, int(min_stock), out, milli_per_day(max(out, 0), days), suggestion))
    lines.sort(key=lambda ln: (not ln.negative, ln.code))
    return lines


@dataclass(frozen=True, slots=True)
class IdleLine:
    """A product with stock and no sale for the period. Quantity in milli-units, value in kuruş."""

    code: str
    name: str
    unit: str
    on_hand: int
    value: int
    last_sale: datetime | None  # aware UTC

    def as_json(self, tz: str) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "unit": self.unit,
            "on_hand": qty_text(self.on_hand),
            "value": money_text(self.value),
            "last_sale": None if self.last_sale is None else str(local(self.last_sale, tz).date()),
        }


def _last_sales(product_ids: list[int], location_id: int | None) -> dict[int, datetime]:
    """Each product's last sale, one probe down the ``(product, at)`` index per product."""
    P, SM = m.Product, m.StockMovement
    last = SM.alias()
    found: dict[int, datetime] = {}
    for part in _chunks(sorted(product_ids)):
        where = (last.product == P.id) & (last.kind == SALE)
        if location_id is not None:
            where &= last.location == location_id
        probe = last.select(last.at).where(where).order_by(last.at.desc()).limit(1)
        for pid, at in store.rows(P.select(P.id, probe).where(P.id.in_(list(part)))):
            if at is not None:
                found[pid] = from_db(at if isinstance(at, datetime) else datetime.fromisoformat(str(at)))
    return found


def idle_stock(*, now: datetime, days: int = 90, location: str | None = None) -> list[IdleLine]:
    """Products with stock on hand and no sale in the ``days`` days before ``now``, the largest
    value first (see the module docstring)."""
    check_days(days, "--days")
    location_id = location_filter(location)
    place = None if location is None else location.strip().upper()
    lines, _products = lines_at(None)
    held: dict[int, tuple[int, int]] = {}
    for ln in lines:
        if place is None or ln.location == place:
            qty, value = held.get(ln.product_id, (0, 0))
            held[ln.product_id] = (qty + ln.qty, value + ln.value)
    stocked = [pid for pid, (qty, _v) in held.items() if qty > 0]
    last = _last_sales(stocked, location_id)
    since = now - timedelta(days=days)
    products = products_of(stocked)
    idle = [
        IdleLine(products[pid].code, products[pid].name, products[pid].unit, held[pid][0], held[pid][1], last.get(pid))
        for pid in stocked
        if last.get(pid) is None or last[pid] < since
    ]
    idle.sort(key=lambda ln: (-ln.value, ln.code))
    return idle
