"""What the stock reports share: numbers as JSON strings, periods of shop days, locations by code."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from pos_tui import store
from pos_tui.core.kernel import costing
from pos_tui.core.kernel.clock import day_bounds, to_db
from pos_tui.core.kernel.errors import NotFound, ValidationError
from pos_tui.core.kernel.money import MILLI, from_kurus, qty_to_decimal, split_whole
from pos_tui.i18n import _
from pos_tui.store import fast
from pos_tui.store import models as m


def qty_text(qty_milli: int) -> str:
    """A quantity as JSON and CSV write it everywhere (``products show --json``): ``"12.5"``, ``"3"``."""
    return str(qty_to_decimal(qty_milli))


def money_text(kurus: int) -> str:
    """An amount in kuruş as ``"12.50"``."""
    return f"{from_kurus(kurus):.2f}"


def milli_per_day(total_milli: int, days: int) -> Decimal:
    """``total_milli`` spread over ``days``, in units per day to three places (half up)."""
    return (Decimal(total_milli) / MILLI / days).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)


def value_of(qty_milli: int, unit_cost: int) -> int:
    """The kuruş of ``qty_milli`` at ``unit_cost`` kuruş a unit, rounded half up (kernel.costing)."""
    return costing.line_value(qty_milli, unit_cost)


share = split_whole
"""``total`` split in proportion to ``weights``, the parts adding up to it (the largest remainder:
:func:`pos_tui.core.kernel.money.split_whole`)."""


def period_bounds(first: date | None, last: date | None, tz: str) -> tuple[datetime | None, datetime | None]:
    """``[start, end)`` in naive UTC (as stored) of the shop days ``first`` to ``last`` (both
    included); None where open. A first day after the last is refused."""
    if first is not None and last is not None and first > last:
        raise ValidationError(
            _("The first day {first} is after the last day {last}").format(
                first=first.isoformat(), last=last.isoformat()
            )
        )
    start = None if first is None else to_db(day_bounds(first, tz)[0])
    end = None if last is None else to_db(day_bounds(last, tz)[1])
    return start, end


def end_of_day(day: date, tz: str) -> datetime:
    """The last instant (aware) of shop day ``day``: "at or before" it means that day and earlier."""
    return day_bounds(day, tz)[1] - timedelta(microseconds=1)


def location_codes() -> dict[int, str]:
    L = m.StockLocation
    return dict(store.rows(L.select(L.id, L.code)))


def location_filter(code: str | None) -> int | None:
    """The id of location ``code`` (None: every location), in use or not: a report may look at a
    location closed since. An unknown code is refused by name."""
    if not code:
        return None
    wanted = code.strip().upper()
    row = fast.select_first(m.StockLocation, ("id",), {"code": wanted})
    if row is None:
        raise NotFound(_("No stock location {code}").format(code=wanted))
    return int(row[0])


def check_days(days: int, option: str) -> None:
    if days < 1:
        raise ValidationError(_("{option} must be at least 1 day, not {days}").format(option=option, days=days))
