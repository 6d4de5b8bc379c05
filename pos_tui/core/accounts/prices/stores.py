"""Prices per store: a store's price list (``store.price_list``) prices what its terminals sell.

The store of this database is the one it joined the centre with (``sync_store``,
:mod:`pos_tui.core.sync.identity`), ``S1`` for a shop that never joined one. The list is
resolved as any price list (:mod:`pos_tui.core.accounts.prices.lists`: the product's own item
valid that day, else the list-wide rule, from the catalog price); a product the list says
nothing about sells at its catalog price.

Precedence at the till, first that applies:

1. a price typed over the line (``override_price``) or carried by a scale label;
2. the sale account's own price list, when it prices the product; its percent rules take off
   from the store's price (the line's list price);
3. the store's price list, when it prices the product;
4. the catalog price.

The store's price becomes the line's ``list_price``: receipts, returns and reports read it as
the price of the product in that store.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from pos_tui.core import sync
from pos_tui.core.accounts.prices.lists import resolve_prices
from pos_tui.store import fast
from pos_tui.store import models as m

DEFAULT_STORE = "S1"


def this_store() -> str:
    """The store this database sells for (``sync_store``, else ``S1``)."""
    return sync.identity.get("store") or DEFAULT_STORE


def store_price_list_id(store: str | None = None) -> int | None:
    """The id of the price list of ``store`` (default: :func:`this_store`); None: catalog prices."""
    row = fast.select_first(m.Store, ("price_list",), {"code": store or this_store()})
    return None if row is None or row[0] is None else int(row[0])


def store_prices(catalog: Mapping[int, Decimal], day: date, *, store: str | None = None) -> dict[int, Decimal]:
    """Product id → its price in ``store`` on ``day``, only for the products of ``catalog``
    (product id → catalog price) that the store's price list prices; empty without a list."""
    if not catalog:
        return {}
    list_id = store_price_list_id(store)
    if list_id is None:
        return {}
    found = resolve_prices(list_id, catalog, day, catalog)
    return {pid: r.price for pid, r in found.items() if r.from_list}
