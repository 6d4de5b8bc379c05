"""Price lists (e.g. ``TOPTAN``): per product a price or a rule (list price − N %), with validity dates;
a customer account carries one, and a sale to that account is priced from it; a store may carry one, and its
terminals then sell at it (``stores``: which price wins). How a price is resolved and rounded:
:mod:`pos_tui.core.accounts.prices.lists`; files: ``files``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pos_tui.core.kernel.lazy import front_door

# public name -> the module of this package that defines it (a module's own name: the module itself)
_EXPORTS = {
    "ALL_PRODUCTS": "lists",
    "CATALOG": "lists",
    "ITEM": "lists",
    "RULE": "lists",
    "ImportSummary": "lists",
    "PriceInput": "lists",
    "PriceItem": "lists",
    "PriceListInfo": "lists",
    "PriceListView": "lists",
    "Resolved": "lists",
    "add_price_list": "lists",
    "format_day": "lists",
    "get_price_list": "lists",
    "import_prices": "files",
    "list_price_lists": "lists",
    "parse_day": "files",
    "percent_hundredths": "lists",
    "price_after": "lists",
    "price_for": "lists",
    "prices_for": "lists",
    "read_price_file": "files",
    "resolve_prices": "lists",
    "set_price": "lists",
    "show_price_list": "lists",
    "store_price_list_id": "stores",
    "store_prices": "stores",
    "this_store": "stores",
}

__all__ = [
    "ALL_PRODUCTS",
    "CATALOG",
    "ITEM",
    "RULE",
    "ImportSummary",
    "PriceInput",
    "PriceItem",
    "PriceListInfo",
    "PriceListView",
    "Resolved",
    "add_price_list",
    "format_day",
    "get_price_list",
    "import_prices",
    "list_price_lists",
    "parse_day",
    "percent_hundredths",
    "price_after",
    "price_for",
    "prices_for",
    "read_price_file",
    "resolve_prices",
    "set_price",
    "show_price_list",
    "store_price_list_id",
    "store_prices",
    "this_store",
]
if not TYPE_CHECKING:  # type checkers read the imports below instead, and flag a misspelt name
    __getattr__, __dir__ = front_door(__name__, _EXPORTS)

if TYPE_CHECKING:
    from pos_tui.core.accounts.prices.files import import_prices, parse_day, read_price_file
    from pos_tui.core.accounts.prices.lists import (
        ALL_PRODUCTS,
        CATALOG,
        ITEM,
        RULE,
        ImportSummary,
        PriceInput,
        PriceItem,
        PriceListInfo,
        PriceListView,
        Resolved,
        add_price_list,
        format_day,
        get_price_list,
        list_price_lists,
        percent_hundredths,
        price_after,
        price_for,
        prices_for,
        resolve_prices,
        set_price,
        show_price_list,
    )
    from pos_tui.core.accounts.prices.stores import store_price_list_id, store_prices, this_store
