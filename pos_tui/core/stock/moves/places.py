"""Locations as the moves see them: the lead's :mod:`pos_tui.core.stock.locations`, wrapped, plus the
in-transit location ``YOLDA`` that transfers pass through.

Goods sent from one location to another are on their way until someone receives them: the sending
books them out of the source and into ``YOLDA`` ("Yolda (transfer)"), the receipt books them out of
``YOLDA`` and into the destination. So on-hand per location stays the sum of its movements, the
product's total does not change while goods travel, and ``YOLDA`` holds exactly what is on the road.
``YOLDA`` is made on the first sending; it is never the default and is kept *inactive* (the
schema has no "sellable" flag), so no terminal sells from it, no adjustment, receipt or count is
booked there by code (``location_id`` refuses an inactive location), and its code is reserved:
``add_location`` and ``assign_terminal`` refuse it.
"""

from __future__ import annotations

from datetime import datetime

from pos_tui.core.kernel import journal
from pos_tui.core.kernel.clock import to_db
from pos_tui.core.kernel.errors import ValidationError
from pos_tui.core.stock import locations
from pos_tui.core.stock.locations import LocationInfo
from pos_tui.i18n import _
from pos_tui.store import fast, write_tx
from pos_tui.store import models as m

TRANSIT_CODE = "YOLDA"
TRANSIT_NAME = "Yolda (transfer)"


def _refuse_transit(code: str) -> None:
    if code.strip().upper() == TRANSIT_CODE:
        raise ValidationError(
            _("Location {code} holds goods on their way between locations; it cannot be used here").format(
                code=TRANSIT_CODE
            )
        )


def add_location(
    code: str, name: str, *, terminal: str, now: datetime, user: str | None = None, store_code: str = "S1"
) -> LocationInfo:
    """A new stock location of store ``store_code`` (journalled); the in-transit code is reserved."""
    _refuse_transit(code)
    return locations.add_location(code, name, terminal=terminal, now=now, user=user, store_code=store_code)


def assign_terminal(terminal_id: str, code: str, *, terminal: str, now: datetime, user: str | None = None) -> None:
    """``terminal_id`` sells from location ``code`` from now on (journalled)."""
    _refuse_transit(code)
    locations.assign_terminal(terminal_id, code, terminal=terminal, now=now, user=user)


def list_locations() -> list[LocationInfo]:
    """Every location, by code, with the terminals assigned to it (``YOLDA`` too, once made)."""
    return locations.list_locations()


def transit_location_id(*, terminal: str, now: datetime, user: str | None = None, create: bool = True) -> int | None:
    """The id of ``YOLDA``; made (inactive, not default, journalled) when missing and ``create``.
    Call inside the caller's write transaction when creating."""
    row = fast.select_first(m.StockLocation, ("id",), {"code": TRANSIT_CODE})
    if row is not None:
        return int(row[0])
    if not create:
        return None
    with write_tx():
        new_id = fast.insert_one(
            m.StockLocation,
            {
                "code": TRANSIT_CODE,
                "name": TRANSIT_NAME,
                "is_default": False,
                "active": False,
                "created_at": to_db(now),
            },
        )
        payload = {"code": TRANSIT_CODE, "name": TRANSIT_NAME, "by": user, "in_transit": True}
        journal.append("stock_location", payload, terminal=terminal, now=now)
    return new_id


def is_transit(code: str) -> bool:
    return code.strip().upper() == TRANSIT_CODE
