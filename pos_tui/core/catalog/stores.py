"""The chain's stores (schema 11): every stock location and every terminal belongs to one; a
store's ``price_list``, when set, prices what its terminals sell (docs/sync-central.md,
"Prices per store"). Members and their points are chain-wide.

Every database starts with store ``S1``. Stores are master data: edited at the centre
(``pos-admin --db postgresql://… stores add S2 "Kadıköy"``), they reach every terminal by the pull.
Each change is journalled (kind ``store``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from peewee import JOIN

from pos_tui import store as storage
from pos_tui.core.kernel import journal
from pos_tui.core.kernel.clock import to_db
from pos_tui.core.kernel.errors import NotFound, ValidationError
from pos_tui.core.kernel.pan import refuse_pan
from pos_tui.i18n import _
from pos_tui.store import fast, write_tx
from pos_tui.store import models as m

DEFAULT_STORE = "S1"
MAX_NAME = 128
_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,15}$")


class _Keep:
    """The price list is left as it is (:func:`update_store` without ``price_list``)."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP: Any = _Keep()


@dataclass(frozen=True, slots=True)
class StoreInfo:
    """A store, its price list's code (None: its terminals sell at catalog prices) and its
    stock locations."""

    code: str
    name: str
    price_list: str | None
    locations: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "price_list": self.price_list, "locations": list(self.locations)}


def check_store_code(code: str) -> str:
    """``code`` upper-cased, or a clear refusal (1 to 16 capital letters, digits, - or _)."""
    code = (code or "").strip().upper()
    if not _CODE.match(code):
        raise ValidationError(
            _("Store code \"{code}\": 1 to 16 capital letters (A-Z), digits, '-' or '_'").format(code=code)
        )
    return code


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > MAX_NAME:
        raise ValidationError(_("A store name must have 1 to {max} characters").format(max=MAX_NAME))
    refuse_pan(name)
    return name


def _price_list_id(code: str) -> int:
    wanted = code.strip()
    row = fast.select_first(m.PriceList, ("id",), {"code": wanted})
    if row is None:
        raise NotFound(_("No price list with the code {code}").format(code=wanted[:32]))
    return int(row[0])


def list_stores() -> list[StoreInfo]:
    """Every store by code, with its price list and locations."""
    S, L, P = m.Store, m.StockLocation, m.PriceList
    locations: dict[str, list[str]] = {}
    for code, owner in storage.rows(L.select(L.code, L.store).order_by(L.code)):
        locations.setdefault(str(owner), []).append(str(code))
    query = S.select(S.code, S.name, P.code).join(P, JOIN.LEFT_OUTER, on=(S.price_list == P.id)).order_by(S.code)
    return [
        StoreInfo(str(code), str(name), price_list, tuple(locations.get(str(code), ())))
        for code, name, price_list in storage.rows(query)
    ]


def get_store(code: str) -> StoreInfo:
    wanted = check_store_code(code)
    for found in list_stores():
        if found.code == wanted:
            return found
    raise NotFound(_("No store {code}").format(code=wanted))


def store_exists(code: str) -> bool:
    return fast.select_first(m.Store, ("code",), {"code": code}) is not None


def add_store(
    code: str,
    name: str,
    *,
    price_list: str | None = None,
    now: datetime,
    terminal: str,
    user: str | None = None,
) -> StoreInfo:
    """Add store ``code`` (its terminals sell at ``price_list``'s prices when given)."""
    code = check_store_code(code)
    name = _check_name(name)
    with write_tx():
        if store_exists(code):
            raise ValidationError(_("Store {code} already exists").format(code=code))
        list_id = _price_list_id(price_list) if price_list else None
        fast.insert_many(m.Store, ("code", "name", "price_list", "created_at"), [(code, name, list_id, to_db(now))])
        payload = {"action": "add", "code": code, "name": name, "price_list": price_list, "by": user}
        journal.append("store", payload, terminal=terminal, now=now, ref=code)
    return get_store(code)


def update_store(
    code: str,
    *,
    name: str | None = None,
    price_list: str | None = KEEP,
    now: datetime,
    terminal: str,
    user: str | None = None,
) -> StoreInfo:
    """Rename store ``code`` and/or set its price list (a code; None: none, catalog prices)."""
    code = check_store_code(code)
    values: dict[str, Any] = {}
    if name is not None:
        values["name"] = _check_name(name)
    with write_tx():
        if not store_exists(code):
            raise NotFound(_("No store {code}").format(code=code))
        if price_list is not KEEP:
            values["price_list"] = _price_list_id(price_list) if price_list else None
        if not values:
            raise ValidationError(_("Nothing to change: give --name, --price-list or --no-price-list"))
        fast.update_where(m.Store, values, {"code": code})
        payload: dict[str, Any] = {"action": "update", "code": code, "by": user}
        if "name" in values:
            payload["name"] = values["name"]
        if price_list is not KEEP:
            payload["price_list"] = price_list or None
        journal.append("store", payload, terminal=terminal, now=now, ref=code)
    return get_store(code)
