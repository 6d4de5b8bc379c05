"""Stock locations: the shop floor, a depot, a second shop's back room.

Every database starts with ``MAGAZA`` (the default). A terminal sells from the location
assigned to it (``pos-admin stock locations assign TERMINAL CODE``), else from the default.
Every location belongs to one of the chain's stores (schema 11; ``S1`` unless told).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from pos_tui import store
from pos_tui.core.catalog import check_store_code
from pos_tui.core.kernel import journal
from pos_tui.core.kernel.clock import to_db
from pos_tui.core.kernel.errors import NotFound, ValidationError
from pos_tui.core.kernel.pan import refuse_pan
from pos_tui.i18n import _
from pos_tui.store import fast, write_tx
from pos_tui.store import models as m

_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,15}$")


@dataclass(frozen=True, slots=True)
class LocationInfo:
    id: int
    code: str
    name: str
    is_default: bool
    active: bool
    terminals: tuple[str, ...] = ()
    store: str = "S1"


def _check_code(code: str) -> str:
    code = code.strip().upper()
    if not _CODE.match(code):
        raise ValidationError(
            _("Location code \"{code}\": 1 to 16 capital letters (A-Z), digits, '-' or '_'").format(code=code)
        )
    return code


def list_locations() -> list[LocationInfo]:
    L, T = m.StockLocation, m.TerminalLocation
    terminals: dict[int, list[str]] = {}
    for terminal, location_id in store.rows(T.select(T.terminal, T.location).order_by(T.terminal)):
        terminals.setdefault(location_id, []).append(terminal)
    query = L.select(L.id, L.code, L.name, L.is_default, L.active, L.store).order_by(L.code)
    return [
        LocationInfo(i, code, name, bool(default), bool(active), tuple(terminals.get(i, ())), str(owner))
        for i, code, name, default, active, owner in store.rows(query)
    ]


def get_location(code: str) -> LocationInfo:
    wanted = code.strip().upper()
    for location in list_locations():
        if location.code == wanted:
            return location
    raise NotFound(_("No stock location {code}").format(code=wanted))


def location_id(code: str | None, terminal: str | None = None) -> int:
    """The id of location ``code``; without a code, ``terminal``'s location (or the default)."""
    if code:
        row = fast.select_first(m.StockLocation, ("id", "active"), {"code": code.strip().upper()})
        if row is None:
            raise NotFound(_("No stock location {code}").format(code=code.strip().upper()))
        if not row[1]:
            raise ValidationError(_("Stock location {code} is not in use").format(code=code.strip().upper()))
        return int(row[0])
    return terminal_location(terminal)


def terminal_location(terminal: str | None) -> int:
    """The location ``terminal`` sells from: its assigned one, else the default."""
    if terminal:
        row = fast.select_first(m.TerminalLocation, ("location",), {"terminal": terminal})
        if row is not None:
            return int(row[0])
    row = fast.select_first(m.StockLocation, ("id",), {"is_default": True})
    if row is None:  # pragma: no cover - every schema-8 database has one
        raise NotFound(_("No default stock location"))
    return int(row[0])


def add_location(
    code: str, name: str, *, terminal: str, now: datetime, user: str | None = None, store_code: str = "S1"
) -> LocationInfo:
    """Add location ``code`` to store ``store_code`` (which must exist: ``pos-admin stores add``)."""
    code = _check_code(code)
    name = name.strip()
    if not name or len(name) > 128:
        raise ValidationError(_("A location name must have 1 to 128 characters"))
    refuse_pan(name)
    owner = check_store_code(store_code)
    with write_tx():
        if fast.select_first(m.StockLocation, ("id",), {"code": code}) is not None:
            raise ValidationError(_("Stock location {code} already exists").format(code=code))
        if fast.select_first(m.Store, ("code",), {"code": owner}) is None:
            raise NotFound(_("No store {code}").format(code=owner))
        new_id = fast.insert_one(
            m.StockLocation,
            {
                "code": code,
                "name": name,
                "is_default": False,
                "active": True,
                "created_at": to_db(now),
                "store": owner,
            },
        )
        payload = {"code": code, "name": name, "by": user}
        if owner != "S1":  # a one-store shop's entry reads as it always did
            payload["store"] = owner
        journal.append("stock_location", payload, terminal=terminal, now=now)
    return LocationInfo(new_id, code, name, False, True, store=owner)


def assign_terminal(terminal_id: str, code: str, *, terminal: str, now: datetime, user: str | None = None) -> None:
    """``terminal_id`` sells from location ``code`` from now on."""
    terminal_id = terminal_id.strip()
    if not terminal_id or len(terminal_id) > 32:
        raise ValidationError(_("A terminal id must have 1 to 32 characters"))
    with write_tx():
        loc = location_id(code)
        if fast.update_where(m.TerminalLocation, {"location": loc}, {"terminal": terminal_id}) == 0:
            fast.insert_many(m.TerminalLocation, ("terminal", "location"), [(terminal_id, loc)])
        payload = {"terminal": terminal_id, "location": code.strip().upper(), "by": user}
        journal.append("stock_terminal_location", payload, terminal=terminal, now=now)
