"""Shrinkage (fire, zayi, kayıp): adjustments and count differences by reason or by month.

Counted are the adjustments (except ``opening`` stock, which is goods coming onto the books, not
going off them), count differences (and their reversals) and transfer differences. Each movement
is valued **at cost**: its quantity × the unit cost it moved at (the average cost then in force),
rounded half up to the kuruş. ``lost`` is what went off the books, ``found`` what came back on
(a count that found more), ``net`` the signed sum; a month is the shop's calendar month.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pos_tui import store
from pos_tui.core.kernel.clock import from_db, local
from pos_tui.core.kernel.errors import ValidationError
from pos_tui.core.stock.ledger import ADJUST, COUNT
from pos_tui.core.stock.reports.common import location_filter, money_text, period_bounds, qty_text, value_of
from pos_tui.i18n import _
from pos_tui.store import models as m

SHRINKAGE_BY = ("reason", "month")
OPENING = "opening"
TRANSFER_DIFFERENCE = "transfer"


@dataclass(slots=True)
class ShrinkageRow:
    """One reason or month. Quantities in milli-units (all units added up), money in kuruş."""

    key: str
    movements: int = 0
    lost: int = 0
    found: int = 0
    lost_value: int = 0
    found_value: int = 0

    @property
    def net(self) -> int:
        return self.found - self.lost

    @property
    def net_value(self) -> int:
        return self.found_value - self.lost_value

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "movements": self.movements,
            "lost": qty_text(self.lost),
            "found": qty_text(self.found),
            "net": qty_text(self.net),
            "lost_value": money_text(self.lost_value),
            "found_value": money_text(self.found_value),
            "net_value": money_text(self.net_value),
        }


def shrinkage_report(
    *,
    first: date | None = None,
    last: date | None = None,
    by: str = "reason",
    location: str | None = None,
    tz: str,
) -> list[ShrinkageRow]:
    """Shrinkage over the shop days ``first`` to ``last`` (open ends: everything), grouped ``by``
    reason (count differences under ``count``) or month (``YYYY-MM``), in key order."""
    if by not in SHRINKAGE_BY:
        raise ValidationError(_("Group by one of {choices}, not {by!r}").format(choices=", ".join(SHRINKAGE_BY), by=by))
    start, end = period_bounds(first, last, tz)
    location_id = location_filter(location)
    SM = m.StockMovement
    reason_null = SM.reason.is_null(True)
    where = ((SM.kind.in_([ADJUST, COUNT])) & (reason_null | (SM.reason != OPENING))) | (
        SM.reason == TRANSFER_DIFFERENCE
    )
    if start is not None:
        where &= SM.at >= start
    if end is not None:
        where &= SM.at < end
    if location_id is not None:
        where &= SM.location == location_id
    rows: dict[str, ShrinkageRow] = {}
    query = SM.select(SM.at, SM.kind, SM.reason, SM.qty, SM.unit_cost).where(where).order_by(SM.at, SM.id)
    for at, kind, reason, qty, unit_cost in store.rows(query):
        if by == "reason":
            key = reason or kind
        else:
            key = local(from_db(at if isinstance(at, datetime) else datetime.fromisoformat(str(at))), tz).strftime(
                "%Y-%m"
            )
        row = rows.setdefault(key, ShrinkageRow(key))
        row.movements += 1
        worth = value_of(abs(qty), unit_cost)
        if qty < 0:
            row.lost += -qty
            row.lost_value += worth
        else:
            row.found += qty
            row.found_value += worth
    return [rows[k] for k in sorted(rows)]
